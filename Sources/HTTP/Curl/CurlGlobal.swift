import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is created.
enum CurlGlobal {
    /// Evaluated once, thread-safely, on first use (Swift globals are lazily initialised).
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// libcurl's version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.15 …`.
    static var version: String { String(cString: curl_version()) }
}
