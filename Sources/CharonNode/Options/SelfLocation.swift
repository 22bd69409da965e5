import CharonSupport
import Glibc

/// Where this executable lives: bare `executable:` names in a spec are found beside it first.
enum SelfLocation {
    static var executableDirectory: String {
        guard let path = realpath("/proc/self/exe", nil) else { return "." }
        defer { free(path) }
        return POSIXIO.directoryName(of: String(cString: path))
    }

    static var executableSearchPath: [String] {
        let path = Environment.value("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        return [executableDirectory] + path.split(separator: ":").map(String.init)
    }
}
