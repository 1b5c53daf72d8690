/// An audio file under a corpus root that an adapter did not take, and why.
public struct IgnoredFile: Codable, Hashable, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
