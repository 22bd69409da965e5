/// One entry of `errors[]`: a numeric code and its text.
public struct CloudflareMessage: Decodable, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code) \(message)" }
}
