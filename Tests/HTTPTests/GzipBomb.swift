/// A gzip body that inflates to far more than it weighs, built in code: one deflate block whose
/// Huffman codes make "copy 258 bytes from 1 back" cost 2 bits, so about 1 MB inflates to 1 GiB
/// of zeros (the ratio zlib itself reaches on zeros, 1:1032).
///
/// The block: a dynamic-Huffman header (literal/length code: symbol 285 "length 258" = `0`,
/// literal 0 = `10`, end of block = `11`; one distance code, distance 1 = `0`), the literal 0,
/// `matches` copies (bits `00`), end of block. Checked against zlib with a body small enough to
/// inflate whole (see ``ResponseLimitTests``).
///
/// ```swift
/// let bomb = GzipBomb(matches: 4_161_790)  // 1,040,461 bytes of gzip, 1,073,741,821 inflated
/// ```
struct GzipBomb {
    let matches: Int

    /// Bytes of the inflated body: the literal, then 258 per match.
    var inflatedSize: Int { 1 + 258 * matches }

    /// The 105 bits before the first match (header, code lengths, the literal 0), LSB first.
    static let blockStart: [UInt8] = [0xed, 0xc0, 0x81, 0x00, 0x00, 0x00, 0x00, 0x80, 0xa0, 0xfd, 0xa9, 0x17, 0xa9]
    static let blockStartBits = 105

    /// The whole gzip member: header, the deflate block, CRC-32 and size of the inflated bytes.
    var gzip: [UInt8] {
        // Matches are all-zero bits; only the end-of-block code `11` needs setting.
        let endOfBlock = Self.blockStartBits + 2 * matches
        var deflate = Self.blockStart + [UInt8](repeating: 0, count: (endOfBlock + 2 + 7) / 8 - Self.blockStart.count)
        for bit in endOfBlock...(endOfBlock + 1) { deflate[bit / 8] |= 1 << UInt8(bit % 8) }
        let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
        return header + deflate + Self.littleEndian(Self.crc32OfZeros(count: inflatedSize))
            + Self.littleEndian(UInt32(truncatingIfNeeded: inflatedSize))
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// CRC-32 (gzip's) of `count` zero bytes in O(log count): feeding zeros is a linear map on the
    /// register, raised to the count's power by squaring (as zlib's `crc32_combine`).
    static func crc32OfZeros(count: Int) -> UInt32 {
        typealias Matrix = [UInt32]  // 32 columns
        func times(_ matrix: Matrix, _ vector: UInt32) -> UInt32 {
            var result: UInt32 = 0
            for bit in 0..<32 where vector & (1 << UInt32(bit)) != 0 { result ^= matrix[bit] }
            return result
        }
        func square(_ matrix: Matrix) -> Matrix { matrix.map { times(matrix, $0) } }
        // One zero bit.
        var step: Matrix = [0xedb8_8320] + (1..<32).map { UInt32(1) << UInt32($0 - 1) }
        // One zero byte: eight bits.
        for _ in 0..<3 { step = square(step) }
        var register: UInt32 = 0xffff_ffff
        var remaining = count
        while remaining > 0 {
            if remaining & 1 != 0 { register = times(step, register) }
            step = square(step)
            remaining >>= 1
        }
        return register ^ 0xffff_ffff
    }
}
