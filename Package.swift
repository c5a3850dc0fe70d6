// swift-tools-version: 6.1
import PackageDescription

let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The shipped executables link with lld, which packs relative relocations (DT_RELR, glibc
/// 2.36+) and exports no symbols the binary does not need. With the Swift runtime, Foundation and
/// NIO linked in statically, gold's 2.7 MB relocation table and 2 MB dynamic symbol table were
/// read at every start and stayed resident: 4.5 MiB of elohimd's idle RSS.
let compactExecutable: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"])
]

let package = Package(
    name: "elohimd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "elohimd", targets: ["elohimd"]),
        .executable(name: "elohim", targets: ["elohim"]),
        .executable(name: "elohim-status", targets: ["elohim-status"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Foundation-free: the frame codec, socket paths and a blocking client.
        .target(name: "ElohimWire", swiftSettings: strictness),
        .target(name: "ElohimProtocol", dependencies: ["ElohimWire"], swiftSettings: strictness),
        .target(
            name: "ElohimCore",
            dependencies: [
                "ElohimProtocol",
                "CCrypt",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictness
        ),
        .target(
            name: "ElohimRuntime",
            dependencies: [
                "ElohimCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictness
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .systemLibrary(
            name: "CCrypt",
            pkgConfig: "libxcrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        .systemLibrary(
            name: "CJSONC",
            pkgConfig: "json-c",
            providers: [.apt(["libjson-c-dev"])]
        ),
        .target(
            name: "ElohimDaemon",
            dependencies: [
                "ElohimRuntime",
                "ElohimWire",
                "CSystemd",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictness
        ),
        .target(
            name: "ElohimCLI",
            dependencies: [
                "ElohimProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictness
        ),
        .executableTarget(
            name: "elohimd",
            dependencies: ["ElohimDaemon"],
            swiftSettings: strictness,
            linkerSettings: compactExecutable
        ),
        .executableTarget(name: "elohim", dependencies: ["ElohimCLI"], swiftSettings: strictness, linkerSettings: compactExecutable),
        .executableTarget(
            name: "elohim-status",
            dependencies: ["ElohimWire", "CJSONC"],
            swiftSettings: strictness,
            linkerSettings: compactExecutable
        ),
        .executableTarget(
            name: "elohim-audit-bench",
            dependencies: ["ElohimCore", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/AuditBench",
            swiftSettings: strictness
        ),
        .executableTarget(
            name: "elohim-library-bench",
            dependencies: ["ElohimCore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/LibraryBench",
            swiftSettings: strictness
        ),
        .executableTarget(
            name: "elohim-cleanup-bench",
            dependencies: ["ElohimCore", "ElohimProtocol", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/CleanupBench",
            swiftSettings: strictness
        ),
        .testTarget(name: "ElohimWireTests", dependencies: ["ElohimWire"], swiftSettings: strictness),
        .testTarget(name: "ElohimProtocolTests", dependencies: ["ElohimProtocol"], swiftSettings: strictness),
        .testTarget(
            name: "ElohimCoreTests",
            dependencies: ["ElohimCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "ElohimDaemonTests",
            dependencies: ["ElohimDaemon"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "ElohimRuntimeTests",
            dependencies: [
                "ElohimRuntime",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(name: "ElohimCLITests", dependencies: ["ElohimCLI", "ElohimWire"], swiftSettings: strictness),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ElohimWire", "ElohimProtocol"],
            swiftSettings: strictness
        ),
    ]
)
