import CCurl
import Synchronization

/// One attempt of a request on one easy handle: sets the options, performs, collects the answer.
///
/// The callbacks reach this object through libcurl's user-data pointers; the request body is
/// handed out by the read callback in the chunks libcurl asks for.
final class CurlTransfer: @unchecked Sendable {
    /// What an attempt produced.
    enum Outcome: Sendable {
        case response(HTTPResponse)
        case failure(code: Int32, reason: String, sent: Bool)
        /// The body (decoded) would exceed `Options.maxResponseBytes`: stopped at once, or refused
        /// before reading when the announced `Content-Length` was already over.
        case tooLarge(announced: Int?)
    }

    struct Options: Sendable {
        var connectTimeout: Duration
        var timeout: Duration
        var caFile: String?
        var unixSocketPath: String?
        var userAgent: String
        /// Most bytes of decoded body kept; one more aborts the transfer.
        var maxResponseBytes: Int
    }

    private let request: HTTPRequest
    private let options: Options
    // Touched only by the thread running perform(): no locking needed.
    private var bodyOffset = 0
    private var status = 0
    private var responseHeaders = HTTPHeaders()
    private var responseBody: [UInt8] = []
    /// Set when the body went over the limit, with the Content-Length that announced it, if any.
    private var overLimit: OverLimit?

    private struct OverLimit {
        var announced: Int?
    }
    /// Set from any thread to abort the transfer at libcurl's next progress callback.
    let cancelled = Atomic<Bool>(false)

    init(request: HTTPRequest, options: Options) {
        self.request = request
        self.options = options
    }

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// Blocks until the transfer ends; call on a thread that may block.
    func perform(on handle: CurlHandle) -> Outcome {
        let curl = handle.raw
        curl_easy_reset(curl)
        var target = request.url
        var socketPath = options.unixSocketPath
        if let unix = Self.splitUnixURL(request.url) {
            target = unix.url
            socketPath = unix.socket
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        let context = Unmanaged.passUnretained(self).toOpaque()

        var setupFailed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK && setupFailed == CURLE_OK { setupFailed = code } }

        set(charon_curl_setopt_string(curl, CURLOPT_URL, target))
        set(charon_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        set(charon_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(options.connectTimeout)))
        set(charon_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, Self.milliseconds(options.timeout)))
        set(charon_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1))
        set(charon_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2))
        set(charon_curl_setopt_long(curl, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS)))
        if let caFile = options.caFile { set(charon_curl_setopt_string(curl, CURLOPT_CAINFO, caFile)) }
        if let socketPath { set(charon_curl_setopt_string(curl, CURLOPT_UNIX_SOCKET_PATH, socketPath)) }
        set(charon_curl_setopt_string(curl, CURLOPT_USERAGENT, options.userAgent))
        set(charon_curl_setopt_string(curl, CURLOPT_ACCEPT_ENCODING, ""))
        errorBuffer.withUnsafeMutableBufferPointer { buffer in
            set(charon_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, buffer.baseAddress))
        }

        switch request.method {
        case .get: set(charon_curl_setopt_long(curl, CURLOPT_HTTPGET, 1))
        case .head: set(charon_curl_setopt_long(curl, CURLOPT_NOBODY, 1))
        case .post: break
        case .put, .patch, .delete: set(charon_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        }
        if let body = request.body {
            // POST machinery with our method name: the body streams through the read callback.
            set(charon_curl_setopt_long(curl, CURLOPT_POST, 1))
            set(charon_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            set(
                charon_curl_setopt_read_function(
                    curl,
                    { buffer, size, count, user in
                        let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
                        return transfer.fill(buffer!, capacity: size * count)
                    }
                )
            )
            set(charon_curl_setopt_pointer(curl, CURLOPT_READDATA, context))
        } else if request.method == .post {
            set(charon_curl_setopt_long(curl, CURLOPT_POST, 1))
            set(charon_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, 0))
        }

        for field in request.headers {
            headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        // Without this libcurl waits up to a second for `100 Continue` before larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        set(charon_curl_setopt_pointer(curl, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)))

        set(
            charon_curl_setopt_write_function(
                curl,
                { data, size, count, user in
                    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
                    let total = size * count
                    // libcurl hands over decoded bytes (gzip, deflate, br...): the limit holds for
                    // what we keep, however small the compressed body was. Returning less than
                    // `total` ends the transfer at once.
                    guard transfer.responseBody.count + total <= transfer.options.maxResponseBytes else {
                        transfer.overLimit = OverLimit(announced: nil)
                        return 0
                    }
                    transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: total))
                    return total
                }
            )
        )
        set(charon_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, context))
        set(
            charon_curl_setopt_header_function(
                curl,
                { data, size, count, user in
                    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
                    let total = size * count
                    // An announced body over the limit is refused before a byte of it is read.
                    return transfer.headerLine(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
                }
            )
        )
        set(charon_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, context))
        set(charon_curl_setopt_long(curl, CURLOPT_NOPROGRESS, 0))
        set(
            charon_curl_setopt_xferinfo_function(
                curl,
                { user, _, _, _, _ in
                    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
                    return transfer.cancelled.load(ordering: .relaxed) ? 1 : 0
                }
            )
        )
        set(charon_curl_setopt_pointer(curl, CURLOPT_XFERINFODATA, context))

        if setupFailed != CURLE_OK {
            return .failure(code: Int32(setupFailed.rawValue), reason: String(cString: curl_easy_strerror(setupFailed)), sent: false)
        }
        let code = withExtendedLifetime(errorBuffer) { curl_easy_perform(curl) }
        // Detach the buffer before it goes away; the handle is reused.
        _ = charon_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, nil)
        if code != CURLE_OK, let overLimit {
            return .tooLarge(announced: overLimit.announced)
        }
        if code != CURLE_OK {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            // Pre-transfer time is set once the request starts going out: zero means nothing was sent.
            var pretransfer = 0.0
            _ = charon_curl_getinfo_double(curl, CURLINFO_PRETRANSFER_TIME, &pretransfer)
            return .failure(code: Int32(code.rawValue), reason: reason, sent: pretransfer > 0)
        }
        var responseCode = 0
        _ = charon_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &responseCode)
        return .response(HTTPResponse(status: responseCode, headers: responseHeaders, body: responseBody))
    }

    private func fill(_ buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        guard let body = request.body else { return 0 }
        let count = min(capacity, body.count - bodyOffset)
        guard count > 0 else { return 0 }
        body.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + bodyOffset, byteCount: count)
        }
        bodyOffset += count
        return count
    }

    /// Records one header line; false when it announces a body over the limit (the transfer stops).
    private func headerLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let line = String(decoding: bytes, as: UTF8.self).trimmed(" \r\n")
        if line.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue or a redirect): keep only the final headers.
            responseHeaders = HTTPHeaders()
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimmed(" \t")
        responseHeaders.add(name, value)
        guard name.lowercased() == "content-length", request.method != .head else { return true }
        // Digits only: a value too long for Int is over any limit too.
        guard !value.isEmpty, value.allSatisfy(\.isASCIIDigitCharacter) else { return true }
        guard let length = Int(value), length <= options.maxResponseBytes else {
            overLimit = OverLimit(announced: Int(value) ?? Int.max)
            return false
        }
        // Size the body buffer once: growing by doubling would briefly hold ~3x a large body.
        if length > 0 { responseBody.reserveCapacity(length) }
        return true
    }

    /// `http+unix://%2Frun%2Fx.sock/path` → socket `/run/x.sock`, URL `http://localhost/path`.
    static func splitUnixURL(_ url: String) -> (socket: String, url: String)? {
        let scheme = "http+unix://"
        guard url.hasPrefix(scheme) else { return nil }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let path = rest.dropFirst(authority.count)
        guard let socket = String(authority).percentDecoded, !socket.isEmpty else { return nil }
        return (socket, "http://localhost" + (path.isEmpty ? "/" : path))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    func trimmed(_ set: String) -> String {
        let characters = Set(set)
        guard let start = firstIndex(where: { !characters.contains($0) }) else { return "" }
        let end = lastIndex { !characters.contains($0) }!
        return String(self[start...end])
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed.
    var percentDecoded: String? {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
