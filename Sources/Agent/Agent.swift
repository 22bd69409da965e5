/// The Agent module; see Package.swift for its role.
enum AgentModule {}
