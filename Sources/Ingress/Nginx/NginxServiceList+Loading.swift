import CharonSupport
import YAML

extension NginxServiceList {
    /// Reads a service list from YAML or JSON (JSON is YAML), refusing unknown keys so a typo such
    /// as `certficate:` is an error rather than a silently missing field.
    public static func load(from path: String) throws -> NginxServiceList {
        let bytes: [UInt8]
        do {
            bytes = try POSIXIO.readFile(path)
        } catch {
            throw NginxConfigError.invalidService(index: nil, "\(error)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String = "service list") throws -> NginxServiceList {
        let node: YAMLNode?
        do {
            node = try YAMLNode.parse(text)
        } catch {
            throw NginxConfigError.invalidService(index: nil, "\(source) is not YAML or JSON: \(error)")
        }
        guard let root = node, let keys = root.mapping, let services = root["services"]?.sequence else {
            throw NginxConfigError.invalidService(index: nil, "\(source) needs a top-level \"services:\" list")
        }
        for key in keys.compactMap(\.key.string) where key != "services" {
            throw NginxConfigError.invalidService(index: nil, "\(source): unknown key \"\(key)\"")
        }
        var result: [NginxService] = []
        for (index, item) in services.enumerated() {
            guard let mapping = item.mapping else {
                throw NginxConfigError.invalidService(index: index, "expected a mapping with host, upstream, certificate, key")
            }
            var fields: [String: String] = [:]
            for entry in mapping {
                guard let name = entry.key.string, ["host", "upstream", "certificate", "key"].contains(name) else {
                    throw NginxConfigError.invalidService(index: index, "unknown key \(entry.key.string.map { "\"\($0)\"" } ?? "\(entry.key)")")
                }
                guard let text = entry.value.scalar else {
                    throw NginxConfigError.invalidService(index: index, "\(name) must be a string")
                }
                fields[name] = text
            }
            func field(_ name: String) throws -> String {
                guard let value = fields[name], !value.isEmpty else {
                    throw NginxConfigError.invalidService(index: index, "missing \(name)")
                }
                return value
            }
            result.append(
                NginxService(host: try field("host"), upstream: try field("upstream"), certificate: try field("certificate"), key: try field("key"))
            )
        }
        return NginxServiceList(services: result)
    }
}
