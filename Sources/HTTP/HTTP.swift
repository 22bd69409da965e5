/// The HTTP module; see Package.swift for its role.
enum HTTPModule {}
