import Agent
import CharonSupport
import Fleet
import TestSupport
import Testing

/// The settings tables in README.md and docs/ say what `NodeSetting` (and `FleetSetting`) say:
/// each row's variable exists, its option names the setting's flag, its default starts with the
/// setting's default; and every setting is in some table.
@Suite("charon-node settings in the docs")
struct NodeSettingDocsTests {
    /// One row of a markdown table, by column header.
    struct Row {
        let file: String
        let cells: [String: String]
    }

    /// The rows of every table whose header has an environment column, in these documents.
    static func rows() throws -> [Row] {
        var rows: [Row] = []
        for file in ["README.md", "docs/agent.md", "docs/ingress.md", "docs/fleet.md"] {
            let text = String(decoding: try POSIXIO.readFile("\(BuiltProducts.packageRoot)/\(file)"), as: UTF8.self)
            var header: [String]?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                guard line.hasPrefix("|") else {
                    header = nil
                    continue
                }
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                    .map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
                if let header {
                    if !cells.allSatisfy({ $0.allSatisfy { $0 == "-" } }) {
                        rows.append(Row(file: file, cells: Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first })))
                    }
                } else if cells.contains("environment") || cells.contains("variable") {
                    header = cells
                }
            }
        }
        return rows
    }

    /// The backquoted names in a cell: "`FLEET_ENABLED`" → ["FLEET_ENABLED"].
    static func names(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test func everyDocumentedVariableMatchesTheTable() throws {
        let rows = try Self.rows()
        #expect(rows.count > 30)
        var documented: Set<String> = []
        for row in rows {
            let variables = Self.names(row.cells["environment"] ?? row.cells["variable"] ?? "")
            guard variables.count == 1, let variable = variables.first else { continue }
            documented.insert(variable)
            let option = row.cells["option"] ?? ""
            let defaultCell = row.cells["default"] ?? ""
            if let setting = NodeSetting(rawValue: variable) {
                if let flag = setting.flag {
                    #expect(option.contains(flag), "\(row.file): \(variable) is \(flag), the docs say \(option)")
                } else {
                    #expect(option == "—", "\(row.file): \(variable) has no flag, the docs say \(option)")
                }
                if let value = setting.defaultValue {
                    #expect(defaultCell.hasPrefix("`\(value)`"), "\(row.file): \(variable) defaults to \(value), the docs say \(defaultCell)")
                }
            } else if let setting = FleetSetting(rawValue: variable) {
                #expect(defaultCell.hasPrefix("`\(setting.defaultValue)`"), "\(row.file): \(variable) defaults to \(setting.defaultValue)")
            } else {
                Issue.record("\(row.file): \(variable) is in no settings table")
            }
        }
        let undocumented = NodeSetting.allCases.map(\.environmentName).filter { !documented.contains($0) }
        #expect(undocumented.isEmpty, "not in any table of README.md or docs/: \(undocumented)")
    }

    @Test func theStatusPortIsTheServersAndTheClientsDefault() throws {
        #expect(NodeSetting.statusAddress.defaultValue == ":9102")
        #expect(NodeSetting.statusURL.defaultValue == "http://127.0.0.1:9102")
        #expect(try StatusAddress(parsing: NodeSetting.statusAddress.defaultValue ?? "").port == NodeSetting.statusPort)
    }
}
