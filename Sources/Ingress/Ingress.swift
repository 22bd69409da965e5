/// The Ingress module; see Package.swift for its role.
enum IngressModule {}
