/// The Lifecycle module; see Package.swift for its role.
enum LifecycleModule {}
