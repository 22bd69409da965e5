import Agent
import CharonSupport
import Glibc
import TestSupport
import Testing

/// The `settings` check against a folder laid out as kubelet lays out a mounted ConfigMap: the
/// keys are symlinks into `..data`, itself a symlink swapped atomically to a new timestamped folder.
struct SettingsCheckTests {
    /// Writes `values` as kubelet does for a ConfigMap update: a new `..<stamp>` folder, `..data`
    /// pointed at it, and one symlink per key.
    func publish(_ values: [String: String], stamp: String, in folder: TemporaryDirectory) throws {
        for (key, value) in values { _ = try folder.write("..\(stamp)/\(key)", value) }
        unlink("\(folder.path)/..data_tmp")
        #expect(symlink("..\(stamp)", "\(folder.path)/..data_tmp") == 0)
        #expect(rename("\(folder.path)/..data_tmp", "\(folder.path)/..data") == 0)
        for key in values.keys where !POSIXIO.exists("\(folder.path)/\(key)") {
            #expect(symlink("..data/\(key)", "\(folder.path)/\(key)") == 0)
        }
    }

    @Test func aChangedKeyIsNamedWithBothValuesUntilTheRunningValueMatches() async throws {
        let folder = try TemporaryDirectory(prefix: "settings")
        try publish(["AGENT_INTERVAL": "60", "LOG_LEVEL": "info", "CLOUDFLARE_ZONE_ID": ""], stamp: "2026_12_04_19_00_00.1", in: folder)
        let running = ["AGENT_INTERVAL": "60", "LOG_LEVEL": "info", "PATH": "/usr/bin"]

        let applied = await SettingsCheck(directory: folder.path, running: running).run()
        #expect(applied.ok)
        #expect(applied.reason == "SettingsApplied")
        #expect(applied.message == "running as configured (3 settings in \(folder.path))", "an empty value equals an unset one")

        try publish(["AGENT_INTERVAL": "30", "LOG_LEVEL": "debug", "CLOUDFLARE_ZONE_ID": ""], stamp: "2026_12_04_19_05_00.2", in: folder)
        let pending = await SettingsCheck(directory: folder.path, running: running).run()
        #expect(pending.ok, "a pending restart is not a failure")
        #expect(pending.reason == "RestartNeeded")
        #expect(
            pending.message == #"restart to apply AGENT_INTERVAL (running "60", configured "30"), LOG_LEVEL (running "info", configured "debug")"#
        )
        #expect(pending.details["pendingRestart"] == "AGENT_INTERVAL,LOG_LEVEL")

        // After the restart the process runs with the new values.
        let restarted = await SettingsCheck(directory: folder.path, running: ["AGENT_INTERVAL": "30", "LOG_LEVEL": "debug"]).run()
        #expect(restarted.reason == "SettingsApplied")
    }

    @Test func aMissingFolderFailsAndNamesIt() async {
        let result = await SettingsCheck(directory: "/nonexistent/charon-settings", running: [:]).run()
        #expect(!result.ok)
        #expect(result.reason == "SettingsUnreadable")
        #expect(result.message.hasPrefix("cannot read the settings folder /nonexistent/charon-settings"))
    }

    @Test func onlyEnvironmentVariableNamesAreSettings() {
        #expect(SettingsCheck.isSettingName("AGENT_INTERVAL"))
        #expect(SettingsCheck.isSettingName("K8S_VERSION2"))
        #expect(!SettingsCheck.isSettingName("..data"))
        #expect(!SettingsCheck.isSettingName("..2026_12_04_19_00_00.1"))
        #expect(!SettingsCheck.isSettingName("services.yaml"))
        #expect(!SettingsCheck.isSettingName("_HIDDEN"))
    }
}
