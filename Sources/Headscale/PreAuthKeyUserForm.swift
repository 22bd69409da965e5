/// How the pre-auth key request names its user: a name up to Headscale 0.25, the numeric id (as
/// a JSON string) from 0.26.
enum PreAuthKeyUserForm: Sendable, Equatable {
    case name
    case id
}
