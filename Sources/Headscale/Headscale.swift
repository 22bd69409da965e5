/// The Headscale module; see Package.swift for its role.
enum HeadscaleModule {}
