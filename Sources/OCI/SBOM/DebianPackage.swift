/// One installed Debian package, as dpkg records it: what an SBOM names and what an image's
/// `/var/lib/dpkg/status.d/` carries so scanners see it.
///
/// ```swift
/// let database = try DebianPackageDatabase(root: "/")
/// let libc = database.owner(of: "/lib/x86_64-linux-gnu/libc.so.6")
/// libc?.purl  // "pkg:deb/debian/libc6@2.36-9+deb12u13?arch=amd64&distro=debian-12&upstream=glibc"
/// ```
public struct DebianPackage: Hashable, Sendable {
    /// `Package:` (`libc6`).
    public var name: String
    /// `Version:` exactly as dpkg has it, epoch included (`1:2.39-1`).
    public var version: String
    /// `Architecture:` (`amd64`, `all`).
    public var architecture: String
    /// The source package and its version (`Source: glibc (2.36-9)`; the binary's own when absent).
    public var sourceName: String
    public var sourceVersion: String
    /// `Maintainer:` (`Name <email>`).
    public var maintainer: String?
    /// The stanza's fields in dpkg's order, continuation lines kept: the text of `status.d/<name>`.
    public var stanza: String
    /// `ID-VERSION_ID` of the system it is installed on (`debian-12`), from `os-release`.
    public var distro: String?

    /// The package URL scanners match on: `pkg:deb/debian/NAME@VERSION?arch=…` with the epoch as
    /// a qualifier and the source package as `upstream` (what Debian's security tracker files
    /// CVEs under), qualifiers sorted as the purl spec requires.
    public var purl: String {
        var plainVersion = version
        var qualifiers = ["arch": architecture]
        if let colon = version.firstIndex(of: ":") {
            qualifiers["epoch"] = String(version[..<colon])
            plainVersion = String(version[version.index(after: colon)...])
        }
        if let distro { qualifiers["distro"] = distro }
        if sourceName != name {
            qualifiers["upstream"] = sourceVersion == version ? sourceName : "\(sourceName)@\(sourceVersion)"
        }
        let query = qualifiers.keys.sorted().map { "\($0)=\(PackageURL.escape(qualifiers[$0]!))" }.joined(separator: "&")
        return "pkg:deb/debian/\(PackageURL.escape(name))@\(PackageURL.escape(plainVersion))?\(query)"
    }
}

/// Percent-encoding for package URLs: what URL paths keep unescaped stays (`+`, `:`, `~`), as
/// the scanners' own purl libraries write Debian versions.
enum PackageURL {
    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let character = Character(UnicodeScalar(byte))
            if character.isASCII && (character.isLetter || character.isNumber || "-._~+:!$'()*,;".contains(character)) {
                result.append(character)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
