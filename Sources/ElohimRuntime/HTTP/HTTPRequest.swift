/// A header field as it travels: names compare case-insensitively, order is kept.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeader] {
    /// The first value of `name` (case-insensitive), if any.
    public func value(of name: String) -> String? {
        first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Where a request goes: `http://host[:port]/path?query`. Only plain HTTP — the client
/// speaks to runtimes and mirrors on this machine or the local network.
public struct HTTPTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String

    public init(host: String, port: Int, path: String = "/") {
        self.host = host
        self.port = port
        self.path = path.hasPrefix("/") ? path : "/" + path
    }

    /// Parses `http://host[:port][/path]`; IPv6 hosts in brackets (`http://[::1]:8080/`).
    public init(url: String) throws(HTTPClientError) {
        guard url.lowercased().hasPrefix("http://") else {
            if url.lowercased().hasPrefix("https://") {
                throw .badURL(url, "https is not supported by this client (no TLS); use a plain http:// address")
            }
            throw .badURL(url, "expected an http:// address")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .badURL(url, "unterminated IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw .badURL(url, "unexpected text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .badURL(url, "no host") }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .badURL(url, "the port must be a number from 1 to 65535")
            }
            port = value
        }
        self.init(host: String(host), port: port, path: path)
    }

    /// The `Host` header value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}

/// One HTTP/1.1 request. The client sends `Host`, `Content-Length` and `Connection: close`
/// itself; anything else (`Range`, `Accept`, `Content-Type`) goes in `headers`.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, `HEAD`, …
    public var method: String
    public var target: HTTPTarget
    public var headers: [HTTPHeader]
    public var body: [UInt8]?

    public init(method: String = "GET", target: HTTPTarget, headers: [HTTPHeader] = [], body: [UInt8]? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// A request to `url` (`http://127.0.0.1:8080/v1/models`).
    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil) throws(HTTPClientError) {
        self.init(method: method, target: try HTTPTarget(url: url), headers: headers, body: body)
    }
}
