/// The Cloudflare module; see Package.swift for its role.
enum CloudflareModule {}
