/// One entry of a Node's `status.conditions`, as node-problem-detector and kubelet write them.
///
/// ```swift
/// NodeCondition(type: "CharonContainerdProblem", status: .false, reason: "ContainerdReachable",
///               message: "containerd 1.7.24 at /run/containerd/containerd.sock",
///               lastHeartbeatTime: "2026-11-25T12:40:03Z", lastTransitionTime: "2026-11-25T12:28:00Z")
/// ```
public struct NodeCondition: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    /// CamelCase, unique on the node; the key strategic-merge patches merge on.
    public var type: String
    public var status: Status
    public var reason: String
    public var message: String
    /// RFC 3339 UTC.
    public var lastHeartbeatTime: String
    /// RFC 3339 UTC: when `status` last changed.
    public var lastTransitionTime: String

    public init(type: String, status: Status, reason: String, message: String, lastHeartbeatTime: String, lastTransitionTime: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
    }
}
