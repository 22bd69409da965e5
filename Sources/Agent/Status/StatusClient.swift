import HTTP

/// Reads a running agent's `/status`: what `charon-node status` shows.
///
/// ```swift
/// let (document, body) = try await StatusClient(url: "http://127.0.0.1:9102").fetch()
/// print(document.overall)
/// ```
public struct StatusClient: Sendable {
    /// The agent's base URL (`http://127.0.0.1:9102`); `/status` is appended.
    public var url: String
    public var timeout: Duration

    public init(url: String, timeout: Duration = .seconds(5)) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The decoded document and the exact bytes served (printed as is by `--json`).
    public func fetch() async throws -> (document: StatusDocument, body: [UInt8]) {
        // A status probe should answer fast or say the agent is not there; one retry covers a
        // restart in progress.
        let client = HTTPClient(
            configuration: .init(
                connectTimeout: timeout,
                requestTimeout: timeout,
                retryDeadline: timeout * 2,
                maxAttempts: 2,
                userAgent: "charon-node-status"
            )
        )
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(.get, url + "/status"))
        } catch {
            throw Failure(description: "cannot reach the agent at \(url): \(error)")
        }
        guard response.isSuccess else {
            throw Failure(description: "\(url)/status answered HTTP \(response.status): \(response.excerpt())")
        }
        do {
            return (try StatusDocument.decode(response.body), response.body)
        } catch {
            throw Failure(description: "\(url)/status did not return a charon-node status document: \(error)")
        }
    }
}
