import CharonSupport
import Glibc

/// Free space in the folder the image tarball lives in. A rebuild writes the new tarball beside the
/// old one before swapping it in, so the folder needs at least the tarball's size again, and never
/// less than `minimumFreeBytes`.
///
/// ```swift
/// let check = DiskCheck(tarball: "/var/lib/charon-node/tailscale-lifecycle-image.tar", minimumFreeBytes: 256 << 20)
/// await check.run().message  // "12.4 GiB free in /var/lib (needs 256 MiB)"
/// ```
public struct DiskCheck: HealthCheck {
    public let name = HealthCheckName.disk
    public var tarball: String
    public var minimumFreeBytes: Int64

    public init(tarball: String, minimumFreeBytes: Int64 = 256 << 20) {
        self.tarball = tarball
        self.minimumFreeBytes = minimumFreeBytes
    }

    public func run() async -> HealthCheckResult {
        let folder = POSIXIO.directoryName(of: tarball)
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else {
            return .failed("cannot read free space of \(folder): \(String(cString: strerror(errno)))", reason: "DiskUnreadable")
        }
        let free = Int64(info.f_bavail) * Int64(info.f_frsize)
        var tarballInfo = stat()
        let tarballSize = stat(tarball, &tarballInfo) == 0 ? Int64(tarballInfo.st_size) : 0
        let needed = max(minimumFreeBytes, tarballSize)
        let details = ["freeBytes": "\(free)", "path": folder]
        if free < needed {
            return .failed("only \(Self.bytes(free)) free in \(folder), needs \(Self.bytes(needed))", reason: "DiskSpaceLow", details: details)
        }
        return .ok("\(Self.bytes(free)) free in \(folder) (needs \(Self.bytes(needed)))", reason: "DiskSpaceAvailable", details: details)
    }

    /// "412 MiB", "12.4 GiB": readable at a glance, one decimal at most.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 || value >= 100 { return "\(Int(value.rounded())) \(units[unit])" }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
