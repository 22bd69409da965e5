// swift-tools-version: 6.2
import PackageDescription

// charon-node: the node agent and operator CLI (`charon-node`) and the lean entrypoint of the
// lifecycle image (`charon-lifecycle`). See ../shared/DESIGN.md for the architecture.
//
// Dependency rule: `charon-lifecycle` runs inside a base-less image, so it must never link the
// server stack (Hummingbird, NIO, metrics) or the subprocess runner; keep its target list short.

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "charon-node",
    platforms: [.macOS(.v15)],
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
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),

        // MARK: Libraries
        .target(
            name: "CharonSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OCI",
            dependencies: [
                "CArchive",
                "CharonSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HostCommand",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Containerd",
            dependencies: [
                "CharonSupport",
                "HostCommand",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "CharonNode",
            dependencies: [
                "OCI",
                "Containerd",
                "CharonSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CharonLifecycle",
            dependencies: [
                "CharonSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["CharonSupport"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OCITests",
            dependencies: ["OCI", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["OCI", "Containerd", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
