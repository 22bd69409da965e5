// swift-tools-version: 6.2
import PackageDescription

// charon-node: the node agent and operator CLI (`charon-node`) and the lean entrypoint of the
// lifecycle image (`charon-lifecycle`). docs/design.md describes the architecture.
//
// Dependency rule: `charon-lifecycle` runs inside a base-less image, so it must never link the
// server stack (Hummingbird, NIO, metrics) or the subprocess runner; keep its target list short.
// Tests/IntegrationTests/LifecycleLinkTests.swift checks its symbols.
//
// Every edge below is an `import` (and every `import` an edge): scripts/check-imports.py, run by
// `make lint`, compares them. Products that other packages bring in anyway (NIOCore, HTTPTypes,
// CoreMetrics, SystemPackage) are declared from their own packages where a target imports them.
//
// Linux only (Glibc, libcurl, libarchive, containerd, nftables): no `platforms:` entry, since
// that field only sets minimum Apple OS versions and this package builds for none of them.

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")

// libarchive: release builds link Debian's libarchive.a. SwiftPM links them with --gc-sections,
// so only the tar writer and reader, gzip and zstd stay; the shared library would load its whole
// closure into every process (libxml2 → ICU with its 31 MB data file, lzma, bz2, acl, nettle, lz4)
// and put it into the agent image, for formats (xar, 7-Zip, zip) never written. Debug builds (the
// tests) link the shared library: without --gc-sections the static one needs that closure too.
let archiveLinkage: [LinkerSetting] = [
    .linkedLibrary(":libarchive.a", .when(configuration: .release)),
    .linkedLibrary("zstd", .when(configuration: .release)),
    .linkedLibrary("z", .when(configuration: .release)),
    .linkedLibrary("archive", .when(configuration: .debug)),
]

let package = Package(
    name: "charon-node",
    products: [
        .executable(name: "charon-node", targets: ["CharonNode"]),
        .executable(name: "charon-lifecycle", targets: ["CharonLifecycle"]),
        .library(name: "OCI", targets: ["OCI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", .upToNextMinor(from: "1.0.0")),
        // Tests only (reading daemonset/*.yaml); Sources/ parse YAML with libyaml (the YAML target).
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        // Tests only (the loopback fakes in TestSupport); the agent serves its status on NIOHTTP1.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        // Already in the graph through swift-subprocess and Hummingbird; declared because targets
        // import their modules directly.
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        // MARK: C libraries (Debian: libarchive-dev, libcurl4-openssl-dev)
        // No pkgConfig: its `-larchive` would link the shared library into release builds too.
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libyaml-dev; the module map links libyaml.a, so nothing is needed at run time.
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"])]),

        // MARK: Foundations
        .target(name: "CharonSupport", swiftSettings: swiftSettings, plugins: ["BuildInfo"]),
        /// YAML (and JSON) text to a node tree on libyaml: no Foundation, so no ICU in the binary.
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: swiftSettings),
        .target(
            name: "HostCommand",
            dependencies: [
                "CharonSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),  // FilePath
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OCI",
            dependencies: [
                "CArchive", "CharonSupport", "YAML", log,
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: archiveLinkage
        ),
        /// One async HTTP client on libcurl: timeouts, TLS, unix sockets, retries.
        .target(name: "HTTP", dependencies: ["CCurl", "CharonSupport", log], swiftSettings: swiftSettings),

        // MARK: Thin clients
        .target(name: "Containerd", dependencies: ["CharonSupport", "HostCommand", log], swiftSettings: swiftSettings),
        .target(name: "Headscale", dependencies: ["HTTP", "CharonSupport", log], swiftSettings: swiftSettings),
        .target(name: "Cloudflare", dependencies: ["HTTP", log], swiftSettings: swiftSettings),
        .target(name: "Kubernetes", dependencies: ["HTTP", "CharonSupport", log], swiftSettings: swiftSettings),
        .target(name: "Tailscale", dependencies: ["HTTP", "HostCommand"], swiftSettings: swiftSettings),

        // MARK: Workflows
        /// cleanup and dns-create: what the lifecycle image does (and the ingress join reuses).
        .target(name: "Lifecycle", dependencies: ["Headscale", "Cloudflare", "HTTP", "CharonSupport", log], swiftSettings: swiftSettings),
        /// The fleet pass: sweep offline nodes, keep every record of the scope, in Cloudflare batches.
        /// Never a dependency of charon-lifecycle.
        .target(name: "Fleet", dependencies: ["Lifecycle", "Headscale", "Cloudflare", "HTTP", "CharonSupport", log], swiftSettings: swiftSettings),
        /// The internal ingress on a node: tailscale join, firewall, controller config, node DNS.
        .target(
            name: "Ingress",
            dependencies: [
                "Lifecycle", "Headscale", "Tailscale", "Kubernetes", "HostCommand", "CharonSupport", log,
                "YAML",  // the bare-host service list (YAML or JSON)
                .product(name: "Crypto", package: "swift-crypto"),  // the hash in long node names' hostnames
            ],
            swiftSettings: swiftSettings
        ),
        /// Reconcilers, the health model and the status server.
        .target(
            name: "Agent",
            dependencies: [
                "OCI", "Containerd", "Kubernetes", "Fleet", "HTTP", "CharonSupport", log,
                // The status server on NIO's HTTP/1 directly: no framework, no Foundation.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),  // the factory protocols
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "CharonNode",
            dependencies: [
                "OCI", "Containerd", "Kubernetes", "Lifecycle", "Tailscale", "Agent", "Ingress", "Fleet", "CharonSupport", log,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BuildInfo"]
        ),
        .executableTarget(
            name: "CharonLifecycle",
            dependencies: [
                "Lifecycle", "CharonSupport", log,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BuildInfo"]
        ),

        // MARK: Build plugins
        /// Stamps `CHARON_VERSION` into CharonSupport and embeds each executable's linked Swift
        /// packages (read back by the image builder's SBOM).
        .plugin(name: "BuildInfo", capability: .buildTool()),

        // MARK: Tests
        /// Loopback fakes of Headscale, Cloudflare, the Kubernetes API and tailscaled, and helpers
        /// to find built products and the private containerd.
        .target(
            name: "TestSupport",
            dependencies: [
                "CharonSupport", "HostCommand", log,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        /// `CharonFakes`: the Headscale and Cloudflare fakes as a process (bench/lifecycle.sh,
        /// manual runs). Test support: never a dependency of charon-lifecycle.
        .executableTarget(
            name: "CharonFakes",
            dependencies: ["TestSupport", "CharonSupport"],
            path: "Tests/CharonFakes",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OCITests",
            dependencies: ["OCI", "CArchive", "CharonSupport", "HostCommand", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CharonSupportTests", dependencies: ["CharonSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: swiftSettings),
        .testTarget(name: "HostCommandTests", dependencies: ["HostCommand", "CharonSupport", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ContainerdTests",
            dependencies: ["Containerd", "OCI", "HostCommand", "CharonSupport", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HeadscaleTests", dependencies: ["Headscale", "HTTP", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CloudflareTests", dependencies: ["Cloudflare", "HTTP", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KubernetesTests", dependencies: ["Kubernetes", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TailscaleTests", dependencies: ["Tailscale", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "HostCommand", "TestSupport", log], swiftSettings: swiftSettings),
        .testTarget(
            name: "LifecycleTests",
            dependencies: ["Lifecycle", "Headscale", "Cloudflare", "HTTP", "CharonSupport", "TestSupport", log],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetTests",
            dependencies: ["Fleet", "Lifecycle", "Headscale", "Cloudflare", "Kubernetes", "Agent", "HTTP", "CharonSupport", "TestSupport", log],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "Fleet", "Kubernetes", "Containerd", "OCI", "HTTP", "CharonSupport", "HostCommand", "TestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),  // the status server's answers
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngressTests",
            dependencies: [
                "Ingress", "Tailscale", "Kubernetes", "HostCommand", "CharonSupport", "Lifecycle", "TestSupport",
                "Agent",  // the ingress inside the agent's passes and /status
                .product(name: "Yams", package: "Yams"),  // reads daemonset/*.yaml
            ],
            swiftSettings: swiftSettings
        ),
        /// End to end: the built executables against a private containerd (started by `make test`).
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["CharonSupport", "HostCommand", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
