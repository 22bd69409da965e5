/// Reads `{"nodes": [...]}` straight from the response bytes, one node at a time, keeping only the
/// nodes a predicate wants. A fleet's node list runs to megabytes; a document model of it would
/// cost several times that in memory, where this costs one node.
///
/// Understands the `v1Node` fields of every Headscale version (see ``HeadscaleNode``) and skips
/// everything else, so new fields do no harm.
struct NodeListReader {
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var expected: String
        var description: String { "malformed JSON at byte \(offset): expected \(expected)" }
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static func nodes(in body: [UInt8], where predicate: (HeadscaleNode) -> Bool) throws -> [HeadscaleNode] {
        try body.withUnsafeBytes { raw in
            var reader = NodeListReader(raw)
            return try reader.readList(where: predicate)
        }
    }

    mutating func readList(where predicate: (HeadscaleNode) -> Bool) throws -> [HeadscaleNode] {
        var result: [HeadscaleNode] = []
        try expect(UInt8(ascii: "{"))
        try forEachKey { reader, key in
            guard key == "nodes" else { return try reader.skipValue() }
            if try reader.readNull() { return }
            try reader.forEachElement { reader in
                let node = try reader.readNode()
                if predicate(node) { result.append(node) }
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw Malformed(offset: index, expected: "end of document") }
        return result
    }

    private mutating func readNode() throws -> HeadscaleNode {
        var id: String?
        var name = ""
        var givenName = ""
        var createdAt: String?
        var lastSeen: String?
        var user: HeadscaleUser?
        var addresses: [String] = []
        var tags: [String]?
        var forced: [String] = []
        var valid: [String] = []
        var online = false
        try expect(UInt8(ascii: "{"))
        try forEachKey { reader, key in
            switch key {
            case "id": id = try reader.readScalarText()
            case "name": name = try reader.readOptionalString() ?? ""
            case "givenName": givenName = try reader.readOptionalString() ?? ""
            case "createdAt": createdAt = try reader.readOptionalString()
            case "lastSeen": lastSeen = try reader.readOptionalString()
            case "online": online = try reader.readOptionalBool() ?? false
            case "ipAddresses": addresses = try reader.readStringArray()
            case "tags": tags = try reader.readStringArray()
            case "forcedTags": forced = try reader.readStringArray()
            case "validTags": valid = try reader.readStringArray()
            case "user": user = try reader.readUser()
            default: try reader.skipValue()
            }
        }
        guard let id else { throw Malformed(offset: index, expected: "a node id") }
        var seen = Set<String>()
        let allTags = tags ?? (forced + valid).filter { seen.insert($0).inserted }
        return HeadscaleNode(
            id: id,
            name: name,
            givenName: givenName,
            user: user,
            ipAddresses: addresses,
            tags: allTags,
            online: online,
            createdAt: createdAt,
            lastSeen: lastSeen
        )
    }

    private mutating func readUser() throws -> HeadscaleUser? {
        if try readNull() { return nil }
        var id = ""
        var name = ""
        try expect(UInt8(ascii: "{"))
        try forEachKey { reader, key in
            switch key {
            case "id": id = try reader.readScalarText() ?? ""
            case "name": name = try reader.readOptionalString() ?? ""
            default: try reader.skipValue()
            }
        }
        // 0.28+ may send an empty user for tag-owned nodes: none.
        return id.isEmpty && name.isEmpty ? nil : HeadscaleUser(id: id, name: name)
    }

    // MARK: Structure

    /// Calls `body` for each key of the object whose `{` was just read, positioned at its value.
    private mutating func forEachKey(_ body: (inout NodeListReader, String) throws -> Void) throws {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            let next = try take("',' or '}'")
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Malformed(offset: index - 1, expected: "',' or '}'") }
        }
    }

    /// Calls `body` for each element of the array starting here.
    private mutating func forEachElement(_ body: (inout NodeListReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            let next = try take("',' or ']'")
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw Malformed(offset: index - 1, expected: "',' or ']'") }
        }
    }

    private mutating func readStringArray() throws -> [String] {
        if try readNull() { return [] }
        var values: [String] = []
        try forEachElement { reader in values.append(try reader.readString()) }
        return values
    }

    private mutating func skipValue() throws {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"):
            index += 1
            try forEachKey { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["):
            try forEachElement { reader in try reader.skipValue() }
        case UInt8(ascii: "\""):
            _ = try readString()
        default:
            _ = try readLiteral()
        }
    }

    // MARK: Scalars

    private mutating func readNull() throws -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "n") else { return false }
        guard try readLiteral() == "null" else { throw Malformed(offset: index, expected: "null") }
        return true
    }

    private mutating func readOptionalString() throws -> String? {
        try readNull() ? nil : try readString()
    }

    private mutating func readOptionalBool() throws -> Bool? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { throw Malformed(offset: index, expected: "true or false") }
        switch try readLiteral() {
        case "true": return true
        case "false": return false
        case "null": return nil
        default: throw Malformed(offset: index, expected: "true or false")
        }
    }

    /// A string, or a number/literal as its text (uint64 ids come either way).
    private mutating func readScalarText() throws -> String? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { return try readString() }
        let literal = try readLiteral()
        return literal == "null" ? nil : literal
    }

    /// Numbers, true, false, null: the bytes up to the next delimiter.
    private mutating func readLiteral() throws -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || Self.isWhitespace(byte) { break }
            index += 1
        }
        guard index > start else { throw Malformed(offset: start, expected: "a value") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard text == "true" || text == "false" || text == "null" || text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else {
            throw Malformed(offset: start, expected: "a JSON value")
        }
        return text
    }

    private mutating func readString() throws -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        guard index < bytes.count else { throw Malformed(offset: index, expected: "end of string") }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }
        var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while true {
            let byte = try take("end of string")
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else {
                scalars.append(byte)
                continue
            }
            let escape = try take("an escape")
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
            case UInt8(ascii: "b"): scalars.append(8)
            case UInt8(ascii: "f"): scalars.append(12)
            case UInt8(ascii: "n"): scalars.append(10)
            case UInt8(ascii: "r"): scalars.append(13)
            case UInt8(ascii: "t"): scalars.append(9)
            case UInt8(ascii: "u"):
                var code = try readHex4()
                if (0xD800..<0xDC00).contains(code), try take("a low surrogate") == UInt8(ascii: "\\"), try take("u") == UInt8(ascii: "u") {
                    let low = try readHex4()
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                scalars += Array(String(Character(scalar)).utf8)
            default:
                throw Malformed(offset: index - 1, expected: "a valid escape")
            }
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    private mutating func readHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = try take("a hex digit")
            guard let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else { throw Malformed(offset: index - 1, expected: "a hex digit") }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: Bytes

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ expected: String) throws -> UInt8 {
        guard index < bytes.count else { throw Malformed(offset: index, expected: expected) }
        defer { index += 1 }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard try take("'\(Character(UnicodeScalar(byte)))'") == byte else {
            throw Malformed(offset: index - 1, expected: "'\(Character(UnicodeScalar(byte)))'")
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
