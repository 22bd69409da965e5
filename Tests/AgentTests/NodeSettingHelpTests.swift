import Agent
import TestSupport
import Testing

/// `charon-node … --help` says what `NodeSetting` says: every setting with a flag is an option of
/// the commands listed here, under the table's flag, with the table's help text. A hand-written
/// help string, or a flag renamed on one side only, fails here.
@Suite("charon-node --help comes from NodeSetting")
struct NodeSettingHelpTests {
    /// The commands that take each setting (through their option groups).
    static let commands: [(command: [String], settings: [NodeSetting])] = [
        (["image", "build"], [.imageSpec, .imageOutput]),
        (["image", "import"], [.containerdAddress, .containerdNamespace]),
        (["image", "rebuild"], [.imageSpec, .imageOutput, .containerdAddress, .containerdNamespace]),
        (
            ["agent"],
            [
                .imageSpec, .imageOutput, .containerdAddress, .containerdNamespace, .nodeName, .statusAddress, .agentInterval,
                .agentRetryInterval, .shutdownGrace, .conditionHeartbeat, .minimumFreeDisk, .settingsDirectory, .ingressEnabled, .tailscaleBinary,
                .tailscaleSocket, .tailscaleInterface, .ingressTailnetPorts, .headscaleLoginServer, .ingressKeyDirectory, .ingressController,
                .ingressControllerNamespace, .ingressControllerConfigMap, .traefikMiddleware, .fleetEnabled, .fleetLeaseDuration,
                .podNamespace,
            ]
        ),
        (["status"], [.statusURL]),
        (
            ["ingress", "up"],
            [
                .nodeName, .tailscaleBinary, .tailscaleSocket, .tailscaleInterface, .ingressTailnetPorts, .headscaleLoginServer, .ingressKeyDirectory,
                .ingressController, .ingressControllerNamespace, .ingressControllerConfigMap, .traefikMiddleware,
            ]
        ),
        (
            ["ingress", "join"],
            [.nodeName, .tailscaleBinary, .tailscaleSocket, .tailscaleInterface, .ingressTailnetPorts, .headscaleLoginServer, .ingressKeyDirectory]
        ),
        (["ingress", "firewall"], [.nodeName, .tailscaleBinary, .tailscaleSocket, .tailscaleInterface, .ingressTailnetPorts]),
        (["ingress", "down"], [.nodeName, .tailscaleBinary, .tailscaleSocket, .tailscaleInterface, .ingressTailnetPorts]),
        (["ingress", "dns"], [.nodeName, .tailscaleBinary, .tailscaleSocket, .tailscaleInterface, .ingressTailnetPorts]),
        (["ingress", "controller-config"], [.ingressController, .ingressControllerNamespace, .ingressControllerConfigMap, .traefikMiddleware]),
        (["ingress", "nginx-config"], [.ingressServices, .nginxConfOutput]),
    ]

    /// The flag a command takes for a setting: the table's, except `NODE_NAME` on the ingress
    /// commands, which kept `--node` (see `NodeSetting.flag`).
    static func flag(of setting: NodeSetting, in command: [String]) -> String? {
        setting == .nodeName && command.first == "ingress" ? "--node" : setting.flag
    }

    /// How `--help` names the option: `--interval <seconds>`, or `--fleet/--no-fleet` for the
    /// on/off settings (they have no value name).
    static func optionColumn(_ flag: String, _ setting: NodeSetting) -> String {
        setting.valueName.map { "\(flag) <\($0)>" } ?? "\(flag)/--no-\(flag.dropFirst(2))"
    }

    @Test func everySettingWithAFlagIsListedWithItsCommands() {
        let listed = Set(Self.commands.flatMap(\.settings))
        let missing = NodeSetting.allCases.filter { $0.flag != nil && !listed.contains($0) }
        #expect(missing.isEmpty, "settings with a flag but no command here: \(missing)")
    }

    @Test func everyHelpLineNamesItsVariable() {
        for setting in NodeSetting.allCases {
            #expect(setting.help.contains("(env \(setting.environmentName)"), "\(setting.help)")
            #expect(setting.help.hasSuffix(")."), "\(setting.help)")
        }
    }

    @Test func everyCommandShowsTheTablesFlagAndHelp() async throws {
        // The table's defaults, not whatever this shell exports (empty is unset for charon-node).
        let cleared = Dictionary(uniqueKeysWithValues: NodeSetting.allCases.map { ($0.environmentName, "") })
        for (command, settings) in Self.commands {
            let result = try await BuiltProducts.run("charon-node", command + ["--help"], environment: cleared)
            #expect(result.exitCode == 0, "\(command): \(result.standardError)")
            // Help wraps with the terminal width: compare with runs of white space folded.
            let folded = result.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
            for setting in settings {
                guard let flag = Self.flag(of: setting, in: command) else {
                    Issue.record("\(command): \(setting.environmentName) has no flag")
                    continue
                }
                let line = "\(Self.optionColumn(flag, setting)) \(setting.help)"
                #expect(folded.contains(line), "charon-node \(command.joined(separator: " ")) --help lacks: \(line)")
                // `help` leaves a flag's default to ArgumentParser's "(default: …)": it must be there.
                if let value = setting.defaultValue {
                    let shown = setting.valueName == nil ? (value == "true" ? flag : "--no-\(flag.dropFirst(2))") : value
                    #expect(folded.contains("\(line) (default: \(shown)"), "\(command): \(setting.environmentName)'s default \(value) not shown")
                }
            }
        }
    }
}
