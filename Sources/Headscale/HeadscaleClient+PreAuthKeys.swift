import CharonSupport
import HTTP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HeadscaleClient {
    private struct CreateRequest: Encodable {
        var user: String
        var reusable: Bool
        var ephemeral: Bool
        var expiration: String
        var aclTags: [String]?
    }

    private struct CreateResponse: Decodable {
        var preAuthKey: PreAuthKey?
    }

    /// Creates a pre-auth key for `user`, sending the user in the form this server accepts, and
    /// checks the answer: a non-empty key, issued to that user.
    ///
    /// A create is not repeated blindly: only failures that surely did not reach Headscale are
    /// retried (connect errors, 429). A server that rejects one user form ("not found" for an id
    /// where 0.25 looks up a name; HTTP 400 for a name where 0.26+ wants a uint64) has created
    /// nothing, so the other form is tried.
    public func createPreAuthKey(for user: HeadscaleUser, options: PreAuthKeyOptions, now: Int? = nil) async throws -> PreAuthKey {
        let expiration = RFC3339.format(epochSeconds: (now ?? RFC3339.nowEpochSeconds) + Int(options.expiration.components.seconds))
        let remembered = acceptedUserForm.withLock { $0 }
        // The id first: today's releases (0.26+) take it in one request. Up to 0.25 an id is looked
        // up as a user *name*, which fails with "user not found" (nothing created), and the name
        // goes next. The issued key's user is checked either way.
        let forms: [PreAuthKeyUserForm] = if let remembered { [remembered, remembered == .id ? .name : .id] } else { [.id, .name] }
        var lastRejection: HeadscaleError?
        for form in forms {
            let body = CreateRequest(
                user: form == .id ? user.id : user.name,
                reusable: options.reusable,
                ephemeral: options.ephemeral,
                expiration: expiration,
                aclTags: options.tags.isEmpty ? nil : options.tags
            )
            let request = HTTPRequest(
                .post,
                baseURL + "/api/v1/preauthkey",
                body: Array(try JSONEncoder().encode(body)),
                retryPolicy: retryPolicy(.whenNotProcessed)
            )
            let answer: [UInt8]
            do {
                answer = try await call(request, label: "POST /api/v1/preauthkey")
            } catch let error as HeadscaleError {
                switch error {
                case .status(_, 400, _), .notFound:
                    logger.debug("Headscale did not take the user as \(form == .id ? "an id" : "a name"): \(error)")
                    lastRejection = error
                    continue
                default:
                    throw error
                }
            }
            let created = try decode(CreateResponse.self, from: answer, label: "POST /api/v1/preauthkey")
            guard let key = created.preAuthKey, !key.key.isEmpty else {
                throw HeadscaleError.unverifiedKey("the answer holds no key")
            }
            if let name = key.userName, name != user.name {
                throw HeadscaleError.unverifiedKey("issued for user \"\(name)\", not \"\(user.name)\"")
            }
            if let id = key.userID, id != user.id {
                throw HeadscaleError.unverifiedKey("issued for user id \(id), not \(user.id)")
            }
            acceptedUserForm.withLock { $0 = form }
            return key
        }
        let message: String =
            switch lastRejection {
            case .status(_, _, let message)?, .notFound(_, _, let message)?: message
            default: "no answer"
            }
        throw HeadscaleError.userNotAccepted(user: user.name, message: message)
    }
}
