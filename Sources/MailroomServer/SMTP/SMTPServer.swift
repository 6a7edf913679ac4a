// SMTPServer — the three SMTP listeners: MX (RFC 5321, port 25), submission (RFC 6409, port
// 587: STARTTLS, then AUTH before MAIL) and submissions (RFC 8314, port 465: TLS from the first
// byte). Each is configured by an smtp.*_listen key and off when the key is empty.
//
// Connection limits: smtp.max_connections in total and smtp.max_connections_per_client per
// client address; a connection over either gets "421 4.7.0" and is closed before a session
// starts (Postfix's anvil does the same for smtpd_client_connection_count_limit).
// Shutdown: listeners close first, then every open session is told (421 4.3.2 when it is
// between commands); a session in the middle of a commit finishes it.

import Logging
import MailroomCore
import MailroomSMTP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

public final class SMTPServer: Sendable {
    private let services: SMTPServices
    private let group: any EventLoopGroup
    private let limiter: ConnectionLimiter
    private let channels = NIOLockedValueBox<[(role: String, channel: any Channel)]>([])
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    init(services: SMTPServices, group: any EventLoopGroup) {
        self.services = services
        self.group = group
        limiter = ConnectionLimiter(total: services.configuration.smtp.maxConnections,
                                    perClient: services.configuration.smtp.maxConnectionsPerClient)
    }

    /// The bound address of each listener, by role (port 0 in the configuration gives a free port).
    public var boundAddresses: [String: SocketAddress] {
        var out: [String: SocketAddress] = [:]
        for (role, channel) in channels.withLockedValue({ $0 }) {
            if let address = channel.localAddress { out[role] = address }
        }
        return out
    }

    /// Binds every configured listener.
    func start() async throws {
        let smtp = services.configuration.smtp
        for (role, text) in [(SMTPSessionConfiguration.Role.mx, smtp.mxListen),
                             (.submission, smtp.submissionListen), (.submissions, smtp.submissionsListen)] where !text.isEmpty {
            guard let address = ListenAddress(text) else { throw ServerError.badListenAddress(role.rawValue, text) }
            if role == .submissions, services.tls == nil { throw ServerError.tlsRequired(role.rawValue) }
            let channel = try await bind(role: role, address: address)
            channels.withLockedValue { $0.append((role.rawValue, channel)) }
            services.logger.info("listening", metadata: ["listener": "\(role.rawValue)",
                                                         "address": "\(channel.localAddress?.description ?? text)"])
        }
    }

    private func bind(role: SMTPSessionConfiguration.Role, address: ListenAddress) async throws -> any Channel {
        let services = services
        let limiter = limiter
        let connections = connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let remote = channel.remoteAddress
                    let client = remote.flatMap(Self.ipAddress)
                    let key = client?.description ?? "unknown"
                    guard limiter.enter(key) else {
                        var refusal = channel.allocator.buffer(capacity: 64)
                        refusal.writeBytes(SMTPReply.tooManyConnections(serverName: services.hostName).encoded())
                        channel.writeAndFlush(refusal).whenComplete { _ in channel.close(promise: nil) }
                        services.logger.notice("connection refused: limit", metadata: ["client": "\(key)", "listener": "\(role.rawValue)"])
                        return
                    }
                    let id = ObjectIdentifier(channel)
                    connections.withLockedValue { $0[id] = channel }
                    channel.closeFuture.whenComplete { _ in
                        limiter.leave(key)
                        _ = connections.withLockedValue { $0.removeValue(forKey: id) }
                    }
                    let sync = channel.pipeline.syncOperations
                    if role == .submissions, let tls = services.tls {
                        try sync.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try sync.addHandler(SMTPChannelHandler(services: services, role: role, client: client,
                                                           clientPort: remote?.port ?? 0, implicitTLS: role == .submissions))
                }
            }
        return try await bootstrap.bind(host: address.host.description, port: address.port).get()
    }

    static func ipAddress(_ address: SocketAddress) -> IPAddress? {
        guard let text = address.ipAddress else { return nil }
        return IPAddress(text)
    }

    /// Closes the listeners, then tells every session to finish.
    func stop() async {
        for (_, channel) in channels.withLockedValue({ $0 }) {
            try? await channel.close()
        }
        channels.withLockedValue { $0 = [] }
        for channel in connections.withLockedValue({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(SMTPShutdownEvent())
        }
    }
}

/// Counts open connections, in total and per client address.
final class ConnectionLimiter: Sendable {
    private let total: Int
    private let perClient: Int
    private let state = NIOLockedValueBox<(open: Int, byClient: [String: Int])>((0, [:]))

    init(total: Int, perClient: Int) {
        self.total = total
        self.perClient = perClient
    }

    /// Counts a new connection; false (and nothing counted) when a limit is reached.
    func enter(_ client: String) -> Bool {
        state.withLockedValue { state in
            let mine = state.byClient[client, default: 0]
            guard state.open < total, mine < perClient else { return false }
            state.open += 1
            state.byClient[client] = mine + 1
            return true
        }
    }

    func leave(_ client: String) {
        state.withLockedValue { state in
            state.open -= 1
            let mine = state.byClient[client, default: 1] - 1
            state.byClient[client] = mine > 0 ? mine : nil
        }
    }
}

public enum ServerError: Error, Sendable, CustomStringConvertible {
    case badListenAddress(String, String)
    case tlsRequired(String)

    public var description: String {
        switch self {
        case .badListenAddress(let role, let text): "smtp.\(role)_listen: '\(text)' is not an address and port"
        case .tlsRequired(let role): "smtp.\(role)_listen needs a TLS certificate"
        }
    }
}
