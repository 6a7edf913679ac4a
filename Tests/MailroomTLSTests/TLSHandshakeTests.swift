// End-to-end TLS over loopback with the context loadOrCreate builds: a NIO server on
// 127.0.0.1 (port 0) with NIOSSLServerHandler answers one line; `openssl s_client` and a NIO
// client with NIOSSLClientHandler, each trusting only the self-signed certificate and checking
// the host name, complete the handshake and get the answer. TLS 1.1 and a wrong host name
// are refused. Everything opened is closed (channels, event loop group, scratch directory).

import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import MailroomTLS

/// Answers the first line with "250 <line>" and closes the connection.
private final class LineReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var pending = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        pending.writeBuffer(&buffer)
        let view = pending.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { return }
        var line = pending.readBytes(length: newline - view.startIndex + 1) ?? []
        while let last = line.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { line.removeLast() }
        let reply = ByteBuffer(bytes: Array("250 ".utf8) + line + Array("\r\n".utf8))
        context.writeAndFlush(Self.wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)  // includes NIOSSLError.uncleanShutdown and refused handshakes
    }
}

/// The first line the server sent, and the TLS version in use when it arrived.
private struct Reply: Sendable {
    let line: String
    let version: TLSVersion?
}

/// Collects the first line the server sends.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Reply>
    private var received = ByteBuffer()
    private var done = false

    init(promise: EventLoopPromise<Reply>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        if !done, received.readableBytesView.contains(UInt8(ascii: "\n")) {
            done = true
            // Asked here, while the TLS handler is still in the pipeline (the server closes next).
            let version = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self).tlsVersion
            promise.succeed(Reply(line: received.readString(length: received.readableBytes) ?? "", version: version))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(ChannelError.eof)
        }
    }
}

@Suite("TLS handshake over loopback")
struct TLSHandshakeTests {
    static let hostName = "mail.example.com"

    /// A self-signed context in a scratch directory, and a server using it on 127.0.0.1:0.
    struct Harness {
        let scratch: ScratchDirectory
        let context: TLSServerContext
        let group: MultiThreadedEventLoopGroup
        let server: any Channel
        var port: Int { server.localAddress!.port! }
        var certificateFile: String { context.credentials.certificateFile }

        /// `certificate`: serve this one instead of what loadOrCreate makes.
        static func start(certificate: SelfSignedCertificate? = nil) async throws -> Harness {
            let scratch = try ScratchDirectory()
            let context: TLSServerContext
            if let certificate {
                let credentials = try TLSCredentials(certificateFile: try scratch.write(certificate.certificatePEM, to: "cert.pem"),
                                                     keyFile: try scratch.write(certificate.privateKeyPEM, to: "key.pem"))
                context = try TLSServerContext(credentials: credentials)
            } else {
                context = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                            hostName: TLSHandshakeTests.hostName)
            }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let sslContext = context.sslContext
            do {
                let server = try await ServerBootstrap(group: group)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                            try channel.pipeline.syncOperations.addHandler(LineReplyHandler())
                        }
                    }
                    .bind(host: "127.0.0.1", port: 0).get()
                return Harness(scratch: scratch, context: context, group: group, server: server)
            } catch {
                try? await group.shutdownGracefully()
                scratch.remove()
                throw error
            }
        }

        func stop() async {
            try? await server.close()
            try? await group.shutdownGracefully()
            scratch.remove()
        }

        /// Connects with a NIO TLS client trusting only our certificate; returns the reply
        /// to "hello" and the negotiated TLS version.
        func nioClient(serverHostname: String = TLSHandshakeTests.hostName,
                       maximumTLSVersion: TLSVersion? = nil) async throws -> (String, TLSVersion?) {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(context.credentials.certificateChain)
            configuration.certificateVerification = .fullVerification
            configuration.maximumTLSVersion = maximumTLSVersion
            let clientContext = try NIOSSLContext(configuration: configuration)
            let promise = group.next().makePromise(of: Reply.self)
            do {
                let channel = try await ClientBootstrap(group: group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: clientContext, serverHostname: serverHostname))
                            try channel.pipeline.syncOperations.addHandler(ReplyCollector(promise: promise))
                        }
                    }
                    .connect(host: "127.0.0.1", port: port).get()
                defer { channel.close(promise: nil) }
                // A failed handshake closes the channel and fails this write too; the collector's
                // promise carries the handshake's own error, so wait for that one.
                channel.writeAndFlush(ByteBuffer(string: "hello over TLS\r\n"), promise: nil)
                let reply = try await promise.futureResult.get()
                return (reply.line, reply.version)
            } catch {
                promise.fail(error)  // a no-op when the handler has completed it; never leak it
                throw error
            }
        }
    }

    /// Runs `body` with a started harness and always stops it.
    static func withHarness(certificate: SelfSignedCertificate? = nil, _ body: (Harness) async throws -> Void) async throws {
        let harness = try await Harness.start(certificate: certificate)
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("openssl s_client verifies the certificate and the name, and exchanges a line")
    func opensslClient() async throws {
        try await Self.withHarness { harness in
            for version in ["-tls1_3", "-tls1_2"] {
                let result = try OpenSSLTool.run(["s_client", "-connect", "127.0.0.1:\(harness.port)", "-servername", Self.hostName,
                                                  "-verify_return_error", "-verify_hostname", Self.hostName,
                                                  "-CAfile", harness.certificateFile, "-ign_eof", "-brief", version],
                                                 input: "hello over TLS\r\n")
                #expect(result.status == 0, "\(result.output)")
                #expect(result.standardOutput.contains("250 hello over TLS\r\n"), "\(result.output)")
                #expect(result.standardError.contains("Verification: OK"), "\(result.output)")
                #expect(result.standardError.contains("Verified peername: \(Self.hostName)"), "\(result.output)")
                #expect(result.standardError.contains(version == "-tls1_3" ? "Protocol version: TLSv1.3" : "Protocol version: TLSv1.2"),
                        "\(result.output)")
            }
        }
    }

    @Test("openssl s_client refuses the certificate for another host name")
    func opensslWrongName() async throws {
        try await Self.withHarness { harness in
            let result = try OpenSSLTool.run(["s_client", "-connect", "127.0.0.1:\(harness.port)", "-servername", "other.example.com",
                                              "-verify_return_error", "-verify_hostname", "other.example.com",
                                              "-CAfile", harness.certificateFile, "-brief"], input: "hello\r\n")
            #expect(result.status != 0)
            #expect(result.output.contains("hostname mismatch"), "\(result.output)")
        }
    }

    @Test("a NIO client trusting the certificate completes the handshake (TLS 1.3) and exchanges a line")
    func nioClient() async throws {
        try await Self.withHarness { harness in
            let (reply, version) = try await harness.nioClient()
            #expect(reply == "250 hello over TLS\r\n")
            #expect(version == .tlsv13)
            // A second connection through the same shared context.
            let (again, _) = try await harness.nioClient()
            #expect(again == reply)
        }
    }

    @Test("TLS 1.1 is refused (minimum TLS 1.2), as is a wrong host name")
    func refusals() async throws {
        try await Self.withHarness { harness in
            await #expect(throws: (any Error).self) { _ = try await harness.nioClient(maximumTLSVersion: .tlsv11) }
            await #expect(throws: (any Error).self) { _ = try await harness.nioClient(serverHostname: "other.example.com") }
            let (reply, version) = try await harness.nioClient(maximumTLSVersion: .tlsv12)
            #expect(reply == "250 hello over TLS\r\n")
            #expect(version == .tlsv12)
        }
    }

    /// Why SelfSignedCertificate leaves keyUsage out (see its header): BoringSSL will not take a
    /// self-signed certificate whose keyUsage lacks keyCertSign as a trust anchor, OpenSSL 3 will.
    @Test("with keyUsage digitalSignature a pinned certificate fails in BoringSSL (NIOSSL), not in OpenSSL 3")
    func keyUsageBreaksPinningInBoringSSL() async throws {
        let withKeyUsage = try SelfSignedCertificate(names: [.dnsName(Self.hostName)], now: Date(), validityDays: 30,
                                                     privateKey: P256.Signing.PrivateKey(), serialNumber: [0x42], keyUsage: true)
        try await Self.withHarness(certificate: withKeyUsage) { harness in
            do {
                _ = try await harness.nioClient()
                Issue.record("BoringSSL now accepts it: keyUsage could go back into SelfSignedCertificate")
            } catch {
                #expect("\(error)".contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
            }
            let result = try OpenSSLTool.run(["s_client", "-connect", "127.0.0.1:\(harness.port)", "-servername", Self.hostName,
                                              "-verify_return_error", "-CAfile", harness.certificateFile, "-ign_eof", "-brief"],
                                             input: "hello over TLS\r\n")
            #expect(result.status == 0, "\(result.output)")
        }
    }
}
