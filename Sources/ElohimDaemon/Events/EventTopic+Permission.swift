import ElohimProtocol

extension EventTopic {
    /// What a subscriber needs, beyond `events.subscribe`, to follow this topic.
    var permission: String {
        switch self {
        case .daemon: return "events.subscribe"
        case .audit: return "admin.view_audit"
        case .engine: return "daemon.status"
        case .data: return "engine.query"
        case .library: return "docs.read"
        case .models, .slots: return "chat.use"
        case .chat: return "chat.use"
        case .cleanup: return "admin.cleanup"
        }
    }
}
