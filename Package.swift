// swift-tools-version:6.2
import PackageDescription

/// One settings block for every target (STYLE.md §2).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(
            url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Core value types: labels, samples, metric families. Standard library only.
        .target(name: "VigilModel", swiftSettings: swiftSettings),
        // Bit streams, varints, XOR (Gorilla) chunks, CRC32C, snappy. Standard library only.
        .target(name: "VigilEncoding", swiftSettings: swiftSettings),
        // Storage protocols (Appender, Querier, Queryable), in-memory storage, merge and fanout.
        .target(name: "VigilStorage", dependencies: ["VigilModel"], swiftSettings: swiftSettings),
        // The embedded TSDB: head (XOR chunks, postings), WAL with replay and repair.
        .target(
            name: "VigilTSDB",
            dependencies: [
                "VigilModel", "VigilStorage", "VigilEncoding",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // PromQL: lexer, parser, type checker, AST, printer (the engine follows, on VigilStorage).
        .target(name: "VigilPromQL", dependencies: ["VigilModel", "VigilStorage"], swiftSettings: swiftSettings),
        // Prometheus text 0.0.4 and OpenMetrics 1.0: streaming parser, encoder, content negotiation.
        .target(name: "VigilExposition", dependencies: ["VigilModel", "VigilEncoding"], swiftSettings: swiftSettings),
        // Host collectors reading procfs and sysfs.
        .target(
            name: "VigilCollectors",
            dependencies: ["VigilModel", "VigilScheduler", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // GPU telemetry: one data model, backends (NVML via dlopen, nvidia-smi XML, simulator), DCGM names.
        .target(name: "VigilGPU", dependencies: ["VigilModel", "CNVML"], swiftSettings: swiftSettings),
        // NVML's C ABI (struct layouts, enums, function types); the library itself is dlopen'ed at run time.
        .target(name: "CNVML"),
        // The node agent: collection cache, /metrics with negotiation and gzip, Hummingbird app.
        .target(
            name: "VigilAgent",
            dependencies: [
                "VigilModel", "VigilExposition", "VigilCollectors", "VigilGPU", "VigilScheduler",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration: Prometheus-compatible YAML (Yams at this edge only), defaults, validation with
        // key paths; relabelling, which scraping, alerting and remote_write share.
        .target(
            name: "VigilConfig",
            dependencies: ["VigilModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Scraping: targets, discovery (static, file), one loop per target, staleness, limits.
        .target(
            name: "VigilScrape",
            dependencies: [
                "VigilModel", "VigilStorage", "VigilExposition", "VigilConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // remote_write 1.0: the receiver's append path and the sender (queue, shards, retries).
        .target(
            name: "VigilRemote",
            dependencies: [
                "VigilModel", "VigilStorage", "VigilEncoding", "VigilExposition", "VigilConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server: Prometheus HTTP API, composition root (ServiceGroup: storage first, HTTP last).
        // Job efficiency from PromQL: jobs from vigil_gpu_job_info, reports, advice, showback.
        .target(
            name: "VigilJobs", dependencies: ["VigilModel", "VigilStorage", "VigilPromQL"],
            swiftSettings: swiftSettings),
        .target(
            name: "VigilServer",
            dependencies: [
                "VigilModel", "VigilStorage", "VigilTSDB", "VigilPromQL", "VigilExposition", "VigilConfig",
                "VigilScrape", "VigilRemote", "VigilAgent", "VigilCollectors", "VigilGPU", "VigilRules", "VigilAlerting",
                "VigilReceivers", "VigilMeta", "VigilUI", "VigilScheduler", "VigilJobs", "VigilKubernetes", "VigilSlurmREST",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Go's text/template semantics with Prometheus's and Alertmanager's functions.
        .target(name: "VigilTemplate", dependencies: ["VigilModel"], swiftSettings: swiftSettings),
        // Rule files, recording and alerting rule evaluation, the alert state machine, promtool unit tests.
        .target(
            name: "VigilRules",
            dependencies: ["VigilModel", "VigilStorage", "VigilPromQL", "VigilConfig", "VigilTemplate"],
            swiftSettings: swiftSettings),
        // SQLite via GRDB: silences and the notification log (later inventory, users, audit).
        .target(
            name: "VigilMeta", dependencies: ["VigilModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        // Alertmanager's core: configuration, routing, grouping, inhibition, silences, notification log, API v2.
        .target(
            name: "VigilAlerting", dependencies: ["VigilModel", "VigilConfig"],
            swiftSettings: swiftSettings),
        // The integrations behind the notifier (webhook, Slack, e-mail over SMTP) and forwarding to Alertmanagers.
        .target(
            name: "VigilReceivers",
            dependencies: [
                "VigilAlerting", "VigilModel", "VigilConfig", "VigilTemplate",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // slurmrestd client (AsyncHTTPClient, JWT headers, API version discovery) and SlurmRESTCollector.
        .target(
            name: "VigilSlurmREST",
            dependencies: [
                "VigilModel", "VigilScheduler", "VigilCollectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Kubernetes list+watch of pods and nodes (AsyncHTTPClient), the KubernetesCollector service.
        .target(
            name: "VigilKubernetes",
            dependencies: [
                "VigilModel", "VigilScheduler", "VigilCollectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Slurm (later Kubernetes): squeue/sacct/sinfo/sdiag in both JSON dialects, job/node model, slurm_* metrics.
        .target(name: "VigilScheduler", dependencies: ["VigilModel"], swiftSettings: swiftSettings),
        // Server-rendered SVG charts (time series, heatmaps) for the built-in dashboard.
        .target(name: "VigilUI", dependencies: ["VigilModel"], swiftSettings: swiftSettings),
        // Log handlers (text, JSON) and their bootstrap, for the executable.
        .target(
            name: "VigilLogging",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Benchmark programs behind `vigil bench`.
        .target(
            name: "VigilBenchmarks",
            dependencies: [
                "VigilModel", "VigilExposition", "VigilCollectors", "VigilGPU", "VigilEncoding", "VigilScrape",
                "VigilStorage", "VigilConfig", "VigilTSDB", "VigilPromQL", "VigilRules", "VigilAlerting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The executable: argument-parser commands only.
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilAgent", "VigilBenchmarks", "VigilCollectors", "VigilEncoding", "VigilExposition", "VigilGPU",
                "VigilLogging", "VigilModel", "VigilPromQL", "VigilStorage", "VigilTSDB", "VigilConfig",
                "VigilScrape", "VigilRemote", "VigilServer", "VigilRules", "VigilScheduler", "VigilJobs",
                "VigilKubernetes", "VigilSlurmREST",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "VigilModelTests", dependencies: ["VigilModel"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilEncodingTests", dependencies: ["VigilEncoding"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilPromQLTests", dependencies: ["VigilPromQL", "VigilModel", "VigilStorage", "VigilStorageTestSupport"],
            swiftSettings: swiftSettings),
        // What the storage tests of every implementation share (helpers, a seeded generator).
        .target(
            name: "VigilStorageTestSupport", dependencies: ["VigilModel", "VigilStorage", "VigilEncoding"],
            path: "Tests/VigilStorageTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilTSDBTests",
            dependencies: [
                "VigilTSDB", "VigilModel", "VigilStorage", "VigilStorageTestSupport", "VigilEncoding",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // A block written by Vigil's first block format (chunk file version 1), read in place.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilStorageTests",
            dependencies: ["VigilStorage", "VigilModel", "VigilStorageTestSupport", "VigilEncoding"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilGPUTests", dependencies: ["VigilGPU", "VigilModel", "VigilExposition"],
            exclude: ["FakeNVML"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilExpositionTests",
            dependencies: ["VigilModel", "VigilExposition", "VigilEncoding"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilCollectorsTests",
            dependencies: ["VigilModel", "VigilCollectors", "VigilExposition"],
            // Fake /proc and /sys trees, read in place (they hold symbolic links, as sysfs does).
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // What tests that run real processes share: the built binary, free ports, child processes.
        .target(
            name: "VigilTestSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/VigilTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilAgentTests",
            dependencies: [
                "VigilAgent", "VigilTestSupport", "VigilCollectors", "VigilExposition", "VigilGPU", "VigilModel",
                "VigilScheduler",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilUIBrowserTests", dependencies: ["VigilUI", "VigilModel", "VigilTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilJobsTests",
            dependencies: ["VigilJobs", "VigilModel", "VigilStorage", "VigilPromQL", "VigilGPU", "VigilMeta"],
            swiftSettings: swiftSettings),
        .testTarget(name: "VigilBenchmarksTests", dependencies: ["VigilBenchmarks"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilSlurmRESTTests",
            dependencies: [
                "VigilSlurmREST", "VigilCollectors", "VigilScheduler", "VigilModel", "VigilTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilKubernetesTests",
            dependencies: [
                "VigilKubernetes", "VigilCollectors", "VigilScheduler", "VigilModel", "VigilTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilSchedulerTests", dependencies: ["VigilScheduler", "VigilModel", "VigilTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilUITests", dependencies: ["VigilUI", "VigilModel"],
            // Expected SVG text, read in place through #filePath.
            exclude: ["Snapshots"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilTemplateTests",
            dependencies: ["VigilTemplate", "VigilModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilRulesTests",
            dependencies: ["VigilRules", "VigilModel", "VigilStorage", "VigilPromQL", "VigilTestSupport"],
            exclude: ["RulePack"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilMetaTests", dependencies: ["VigilMeta", "VigilModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilReceiversTests",
            dependencies: [
                "VigilReceivers", "VigilAlerting", "VigilModel", "VigilConfig", "VigilTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilAlertingTests", dependencies: ["VigilAlerting", "VigilModel", "VigilConfig"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilConfigTests", dependencies: ["VigilConfig", "VigilModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilScrapeTests",
            dependencies: [
                "VigilScrape", "VigilConfig", "VigilModel", "VigilStorage", "VigilExposition",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilRemoteTests",
            dependencies: [
                "VigilTestSupport",
                "VigilRemote", "VigilConfig", "VigilModel", "VigilStorage", "VigilEncoding", "VigilExposition",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilServerTests",
            dependencies: [
                "VigilTestSupport",
                "VigilServer", "VigilConfig", "VigilModel", "VigilStorage", "VigilPromQL", "VigilExposition",
                "VigilEncoding", "VigilScrape", "VigilRemote", "VigilTSDB", "VigilGPU", "VigilRules", "VigilAlerting",
                "VigilUI", "VigilScheduler", "VigilJobs", "VigilMeta", "VigilAgent", "VigilCollectors", "VigilKubernetes",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The built `vigil` binary against real peers (Debian's Prometheus): scraping, remote_write, queries.
        .testTarget(
            name: "VigilEndToEndTests",
            dependencies: [
                "VigilTestSupport", "VigilGPU", "VigilModel", "VigilExposition",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
