import Agent
import ArgumentParser

extension NameSpecification {
    /// A setting's option is named by the table (`--interval` for `AGENT_INTERVAL`), so the flag
    /// the docs and `NodeSetting.flag` promise is the one the parser takes. Only for settings
    /// that have a flag: asking for one without is a mistake in this module, caught at startup.
    static func setting(_ setting: NodeSetting) -> NameSpecification {
        guard let name = setting.flagName else { preconditionFailure("\(setting.environmentName) has no flag") }
        return .customLong(name)
    }
}
