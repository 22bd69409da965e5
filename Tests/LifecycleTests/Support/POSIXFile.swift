import CharonSupport
import Glibc

/// File facts for assertions: existence, mode, contents.
enum POSIXFile {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    static func contents(_ path: String) -> String? {
        (try? POSIXIO.readFile(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Names in a folder, without . and ..
    static func list(_ path: String) -> [String] {
        (try? POSIXIO.listDirectory(path)) ?? []
    }
}
