// swift-tools-version:6.1
// Mailroom — multi-tenant virtual-domain mail platform.
// Layers (see ../shared/docs/style.md §6): MailroomCore (pure) → MailroomSMTP and MailroomSASL
// (pure protocol: grammar, framing, replies, sessions) and MailroomConfig, MailroomStore,
// MailroomMaildir, MailroomQueue, MailroomTLS → MailroomDelivery → MailroomServer (NIO) →
// MailroomCLI → the `mailroom` executable.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "mailroom",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mailroom", targets: ["mailroom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // libxcrypt's crypt_rn / crypt_gensalt_rn (crypt.h is not in Glibc).
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // Debian's libsqlite3, used directly for prepared-statement reuse (see docs/design.md).
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "MailroomCore", swiftSettings: strict),
        .target(name: "MailroomConfig", dependencies: ["MailroomCore"], swiftSettings: strict),
        // SMTP without I/O: command grammar, DATA/BDAT framing, replies and enhanced status codes.
        .target(name: "MailroomSMTP", dependencies: ["MailroomCore"], swiftSettings: strict),
        // SASL server mechanisms without I/O (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256), shared by
        // SMTP, POP3 and IMAP; the SCRAM and CRAM-MD5 secrets the store keeps.
        .target(
            name: "MailroomSASL",
            dependencies: ["MailroomCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // POP3 without I/O: command grammar, replies, the session state machine (RFC 1939, 2449,
        // 2595, 3206, 5034) and the multi-line response writer with dot-stuffing.
        .target(name: "MailroomPOP3", dependencies: ["MailroomCore", "MailroomSASL"], swiftSettings: strict),
        // MIME without I/O: header fields, the part tree with byte ranges, RFC 2047 words, RFC 2231
        // parameters, transfer decodings, charsets through glibc iconv, RFC 5322 address lists.
        .target(name: "MailroomMIME", dependencies: ["MailroomCore"], swiftSettings: strict),
        // IMAP without I/O: framing with literals, the command grammar and response encoder,
        // the session state machine (RFC 3501, 9051 and the extensions the server announces).
        .target(name: "MailroomIMAP",
                dependencies: ["MailroomCore", "MailroomSASL", "MailroomMaildir", "MailroomMIME",
                               .product(name: "Crypto", package: "swift-crypto"),   // URLAUTH's HMAC-SHA256
                               .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
                swiftSettings: strict),
        // TLS server contexts from PEM files, and the self-signed certificate made on first start.
        .target(
            name: "MailroomTLS",
            dependencies: [
                "MailroomCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(
            name: "MailroomStore",
            dependencies: [
                "MailroomCore", "MailroomSASL", "CCrypt", "CSQLite",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "MailroomMaildir",
            dependencies: [
                "MailroomCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The durable mail queue (spool files, per-recipient results, group commit).
        .target(
            name: "MailroomQueue",
            dependencies: ["MailroomCore", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: strict),
        // Local delivery (recipient expansion, Maildir, quota, loops) and the queue runner that
        // resumes, retries and bounces spooled messages.
        .target(
            name: "MailroomDelivery",
            dependencies: [
                "MailroomCore", "MailroomStore", "MailroomMaildir", "MailroomQueue", "MailroomSMTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The network servers: thin NIO adapters around the pure protocol sessions.
        .target(
            name: "MailroomServer",
            dependencies: [
                "MailroomCore", "MailroomConfig", "MailroomSMTP", "MailroomPOP3", "MailroomIMAP", "MailroomSASL", "MailroomStore",
                "MailroomMaildir", "MailroomQueue", "MailroomDelivery", "MailroomTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "MailroomCLI",
            dependencies: [
                "MailroomCore", "MailroomConfig", "MailroomStore", "MailroomMaildir", "MailroomSMTP",
                "MailroomQueue", "MailroomDelivery", "MailroomServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "mailroom",
            dependencies: [
                "MailroomCLI", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // Helpers shared by several test targets (where the shared test corpora are); not a product.
        .target(name: "MailroomTestSupport", path: "Tests/MailroomTestSupport", swiftSettings: strict),
        .testTarget(name: "MailroomCoreTests", dependencies: ["MailroomCore"], swiftSettings: strict),
        .testTarget(name: "MailroomConfigTests", dependencies: ["MailroomConfig"], swiftSettings: strict),
        .testTarget(name: "MailroomSMTPTests", dependencies: ["MailroomSMTP", "MailroomCore", "MailroomTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "MailroomPOP3Tests", dependencies: ["MailroomPOP3", "MailroomSASL", "MailroomCore", "MailroomTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "MailroomMIMETests", dependencies: ["MailroomMIME", "MailroomCore", "MailroomTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "MailroomIMAPTests", dependencies: ["MailroomIMAP", "MailroomCore", "MailroomMaildir", "MailroomMIME", "MailroomTestSupport"],
                    swiftSettings: strict),
        // Conformance scripts from outside the project (Dovecot imaptest, Apache James MPT) run
        // against real IMAP servers over loopback.
        .testTarget(name: "MailroomConformanceTests", dependencies: ["MailroomTestSupport"], swiftSettings: strict),
        .testTarget(name: "MailroomStoreTests", dependencies: ["MailroomStore", "MailroomCore"], swiftSettings: strict),
        .testTarget(name: "MailroomMaildirTests", dependencies: ["MailroomMaildir", "MailroomCore", "MailroomTestSupport"],
                    exclude: ["Support/imap_probe.py"], swiftSettings: strict),
        .testTarget(name: "MailroomQueueTests", dependencies: ["MailroomQueue", "MailroomCore"], swiftSettings: strict),
        .testTarget(name: "MailroomSASLTests", dependencies: ["MailroomSASL", "MailroomCore"], swiftSettings: strict),
        .testTarget(name: "MailroomTLSTests",
                    dependencies: ["MailroomTLS", "MailroomCore", .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                   .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
                    swiftSettings: strict),
        .testTarget(name: "MailroomDeliveryTests",
                    dependencies: ["MailroomDelivery", "MailroomStore", "MailroomMaildir", "MailroomQueue", "MailroomCore"],
                    swiftSettings: strict),
        .testTarget(name: "MailroomServerTests",
                    dependencies: ["MailroomServer", "MailroomSMTP", "MailroomStore", "MailroomMaildir", "MailroomQueue",
                                   "MailroomDelivery", "MailroomConfig", "MailroomCore", "MailroomTestSupport"],
                    exclude: ["Support/smtp_probe.py", "Support/pop3_probe.py", "Support/imap_probe_client.py"], swiftSettings: strict),
        .testTarget(name: "MailroomCLITests", dependencies: ["MailroomCLI", "MailroomStore", "MailroomMaildir"],
                    exclude: ["smtp_flood.py"], swiftSettings: strict),
    ]
)
