import CharonSupport
import Glibc

/// The parts of a 64-bit little-endian ELF file the dynamic loader uses to find libraries:
/// machine, interpreter (`PT_INTERP`), `DT_NEEDED`, `DT_RPATH`, `DT_RUNPATH` and `DT_SONAME`.
///
/// Only headers are read (with `pread`), never the whole file, so inspecting a 50 MB binary costs
/// a few small reads.
///
/// ```swift
/// let elf = try ELFFile(path: "/usr/bin/curl")
/// elf.interpreter  // "/lib64/ld-linux-x86-64.so.2"
/// elf.needed       // ["libcurl.so.4", "libz.so.1", "libc.so.6"]
/// ```
public struct ELFFile: Sendable {
    public let path: String
    /// `e_machine` (62 = x86-64, 183 = AArch64).
    public let machine: UInt16
    public let interpreter: String?
    public let needed: [String]
    public let rpath: [String]
    public let runpath: [String]
    public let soname: String?

    /// Why a file could not be read as ELF.
    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path) }
        defer { close(fd) }
        self.path = path

        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
            guard got == count else { throw FormatError(path: path, reason: "truncated ELF file") }
            return buffer
        }
        let header = try? bytes(at: 0, count: 64)
        guard let header, header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46 else {
            throw FormatError(path: path, reason: "not an ELF file")
        }
        guard header[4] == 2, header[5] == 1 else {
            throw FormatError(path: path, reason: "only 64-bit little-endian ELF is supported")
        }
        machine = header.loadLE(UInt16.self, at: 18)
        let programHeaderOffset = header.loadLE(UInt64.self, at: 32)
        let programHeaderSize = Int(header.loadLE(UInt16.self, at: 54))
        let programHeaderCount = Int(header.loadLE(UInt16.self, at: 56))
        guard programHeaderSize >= 56, programHeaderCount < 4096 else {
            throw FormatError(path: path, reason: "malformed program headers")
        }
        let table = try bytes(at: programHeaderOffset, count: programHeaderSize * programHeaderCount)

        struct Segment {
            var type: UInt32
            var offset: UInt64
            var vaddr: UInt64
            var fileSize: UInt64
        }
        var segments: [Segment] = []
        for index in 0..<programHeaderCount {
            let base = index * programHeaderSize
            segments.append(
                Segment(
                    type: table.loadLE(UInt32.self, at: base),
                    offset: table.loadLE(UInt64.self, at: base + 8),
                    vaddr: table.loadLE(UInt64.self, at: base + 16),
                    fileSize: table.loadLE(UInt64.self, at: base + 32)
                )
            )
        }
        let loadType: UInt32 = 1
        let dynamicType: UInt32 = 2
        let interpType: UInt32 = 3

        if let interp = segments.first(where: { $0.type == interpType }) {
            let raw = try bytes(at: interp.offset, count: Int(min(interp.fileSize, 4096)))
            interpreter = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        } else {
            interpreter = nil
        }

        guard let dynamic = segments.first(where: { $0.type == dynamicType }) else {
            needed = []
            rpath = []
            runpath = []
            soname = nil
            return
        }
        let entries = try bytes(at: dynamic.offset, count: Int(min(dynamic.fileSize, 1 << 20)))
        var neededOffsets: [UInt64] = []
        var stringTableAddress: UInt64?
        var stringTableSize: UInt64 = 0
        var rpathOffset: UInt64?
        var runpathOffset: UInt64?
        var sonameOffset: UInt64?
        var cursor = 0
        while cursor + 16 <= entries.count {
            let tag = entries.loadLE(UInt64.self, at: cursor)
            let value = entries.loadLE(UInt64.self, at: cursor + 8)
            cursor += 16
            switch tag {
            case 0: cursor = entries.count  // DT_NULL
            case 1: neededOffsets.append(value)  // DT_NEEDED
            case 5: stringTableAddress = value  // DT_STRTAB
            case 10: stringTableSize = value  // DT_STRSZ
            case 14: sonameOffset = value  // DT_SONAME
            case 15: rpathOffset = value  // DT_RPATH
            case 29: runpathOffset = value  // DT_RUNPATH
            default: break
            }
        }
        guard let address = stringTableAddress, stringTableSize > 0, stringTableSize < (64 << 20) else {
            needed = []
            rpath = []
            runpath = []
            soname = nil
            return
        }
        // DT_STRTAB is a virtual address: map it through the PT_LOAD segment that contains it.
        guard
            let segment = segments.first(where: {
                $0.type == loadType && address >= $0.vaddr && address < $0.vaddr + $0.fileSize
            })
        else {
            throw FormatError(path: path, reason: "string table outside every loaded segment")
        }
        let strings = try bytes(at: address - segment.vaddr + segment.offset, count: Int(stringTableSize))
        func string(_ offset: UInt64) -> String {
            guard offset < UInt64(strings.count) else { return "" }
            return String(decoding: strings[Int(offset)...].prefix { $0 != 0 }, as: UTF8.self)
        }
        func searchPath(_ offset: UInt64?) -> [String] {
            guard let offset else { return [] }
            return string(offset).split(separator: ":").map(String.init)
        }
        needed = neededOffsets.map(string)
        rpath = searchPath(rpathOffset)
        runpath = searchPath(runpathOffset)
        soname = sonameOffset.map(string)
    }
}

extension [UInt8] {
    /// Reads a little-endian integer at `offset` (bounds are the caller's duty).
    func loadLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size {
            value |= T(self[offset + index]) << (8 * index)
        }
        return value
    }
}
