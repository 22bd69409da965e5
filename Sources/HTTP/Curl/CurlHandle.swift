/// A `CURL *` easy handle that may be moved between threads (libcurl allows it, one user at a time).
struct CurlHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}
