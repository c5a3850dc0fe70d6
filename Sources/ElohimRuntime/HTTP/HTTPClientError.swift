/// Why an HTTP exchange failed, in words a user can act on.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure, for callers that react differently (a refused connection means
    /// the runtime is down; a timeout may mean it is busy).
    public enum Kind: Sendable, Equatable {
        case badURL, connect, timeout, closed, bodyTooLarge, protocolError
    }

    public let kind: Kind
    public let description: String

    static func badURL(_ url: String, _ why: String) -> Self {
        Self(kind: .badURL, description: "bad URL '\(url)': \(why)")
    }

    static func connect(_ target: HTTPTarget, _ underlying: any Error) -> Self {
        Self(kind: .connect, description: "cannot connect to \(target.host):\(target.port): \(underlying)")
    }

    static func timeout(_ target: HTTPTarget, _ timeout: Duration) -> Self {
        Self(kind: .timeout, description: "no response from \(target.host):\(target.port) within \(timeout)")
    }

    static func closed(_ target: HTTPTarget, during what: String) -> Self {
        Self(kind: .closed, description: "\(target.host):\(target.port) closed the connection \(what)")
    }

    static func bodyTooLarge(limit: Int) -> Self {
        Self(kind: .bodyTooLarge, description: "the response body exceeds the limit of \(limit) bytes")
    }

    static func protocolError(_ target: HTTPTarget, _ underlying: any Error) -> Self {
        Self(kind: .protocolError, description: "bad HTTP from \(target.host):\(target.port): \(underlying)")
    }
}
