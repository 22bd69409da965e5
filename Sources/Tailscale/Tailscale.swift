/// The Tailscale module; see Package.swift for its role.
enum TailscaleModule {}
