import ElohimProtocol

/// Decides whether a caller may use a method. The dispatcher asks before any handler runs.
public protocol AccessPolicy: Sendable {
    /// Throws `RPCError` (`forbidden` / `no_account`) when the caller may not call with `access`.
    func authorize(_ access: Access, method: String, context: RequestContext) throws
}

/// The placeholder until accounts and RBAC land: every caller that can open the socket
/// (which the socket's mode already restricts to its owner or the `elohim` group) may call
/// every method.
public struct AllowAllPolicy: AccessPolicy {
    public init() {}
    public func authorize(_ access: Access, method: String, context: RequestContext) throws {}
}
