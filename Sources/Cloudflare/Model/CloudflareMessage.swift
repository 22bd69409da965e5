/// One entry of `errors[]`: a numeric code and its text.
///
/// ```swift
/// let message = CloudflareMessage(code: 10000, message: "Authentication error")
/// print(message)  // 10000 Authentication error
/// if case .api(_, _, let errors) = error { print(errors.map(\.description)) }  // error: CloudflareError
/// ```
public struct CloudflareMessage: Decodable, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code) \(message)" }
}
