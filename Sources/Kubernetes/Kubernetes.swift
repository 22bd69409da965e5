/// The Kubernetes module; see Package.swift for its role.
enum KubernetesModule {}
