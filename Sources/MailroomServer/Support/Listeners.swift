// Listeners — what the SMTP and POP3 servers share: binding a protocol's listeners, counting
// the connections each accepts against the protocol's limits, keeping the open ones so a
// shutdown can tell every session, and closing it all at stop.
//
// Connection limits: `total` over all listeners of the protocol and `perClient` per client
// address (smtp.max_connections*, pop3.max_connections*). A connection over either gets the
// protocol's refusal (SMTP "421 4.7.0", POP3 "-ERR [SYS/TEMP]") and is closed before a session
// starts, as Postfix's anvil does for smtpd_client_connection_count_limit.
// Shutdown: listeners close first, then every open connection gets the protocol's shutdown
// event, so a session between commands says goodbye and one in the middle of a commit finishes.
//
// Security: the refusal is written before any handler is added, so a refused client reaches
// no protocol code at all.

import Logging
import MailroomCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

final class Listeners: Sendable {
    /// The protocol, for logs ("smtp", "pop3").
    let name: String
    private let group: any EventLoopGroup
    private let logger: Logger
    private let limiter: ConnectionLimiter
    private let channels = NIOLockedValueBox<[(role: String, channel: any Channel)]>([])
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    init(name: String, group: any EventLoopGroup, maxConnections: Int, maxConnectionsPerClient: Int, logger: Logger) {
        self.name = name
        self.group = group
        self.logger = logger
        limiter = ConnectionLimiter(total: maxConnections, perClient: maxConnectionsPerClient)
    }

    /// The bound address of each listener, by role (port 0 in the configuration gives a free port).
    var boundAddresses: [String: SocketAddress] {
        var out: [String: SocketAddress] = [:]
        for (role, channel) in channels.withLockedValue({ $0 }) {
            if let address = channel.localAddress { out[role] = address }
        }
        return out
    }

    /// Binds the listener `role` of configuration key `key` (text "host:port"). `refusal` is
    /// written to a connection over a limit; `initialize` adds the handlers of an accepted one,
    /// on its event loop, given the client's address.
    func bind(role: String, key: String, address text: String, refusal: [UInt8],
              initialize: @escaping @Sendable (any Channel, IPAddress?) throws -> Void) async throws {
        guard let address = ListenAddress(text) else { throw ServerError.badListenAddress(key, text) }
        let (limiter, connections, logger) = (limiter, connections, logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let client = channel.remoteAddress.flatMap(Self.ipAddress)
                    let clientKey = client?.description ?? "unknown"
                    guard limiter.enter(clientKey) else {
                        var buffer = channel.allocator.buffer(capacity: refusal.count)
                        buffer.writeBytes(refusal)
                        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
                        logger.notice("connection refused: limit", metadata: ["client": "\(clientKey)", "listener": "\(role)"])
                        return
                    }
                    let id = ObjectIdentifier(channel)
                    connections.withLockedValue { $0[id] = channel }
                    channel.closeFuture.whenComplete { _ in
                        limiter.leave(clientKey)
                        _ = connections.withLockedValue { $0.removeValue(forKey: id) }
                    }
                    try initialize(channel, client)
                }
            }
        let channel = try await bootstrap.bind(host: address.host.description, port: address.port).get()
        channels.withLockedValue { $0.append((role, channel)) }
        logger.info("listening", metadata: ["listener": "\(role)", "address": "\(channel.localAddress?.description ?? text)"])
    }

    static func ipAddress(_ address: SocketAddress) -> IPAddress? {
        guard let text = address.ipAddress else { return nil }
        return IPAddress(text)
    }

    /// Closes the listeners, then sends `shutdownEvent` down every open connection.
    func stop(shutdownEvent: any Sendable) async {
        for (_, channel) in channels.withLockedValue({ $0 }) {
            try? await channel.close()
        }
        channels.withLockedValue { $0 = [] }
        for channel in connections.withLockedValue({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(shutdownEvent)
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
    /// The key (e.g. "smtp.mx_listen") and its value.
    case badListenAddress(String, String)
    /// The key of an implicit-TLS listener without a certificate.
    case tlsRequired(String)

    public var description: String {
        switch self {
        case .badListenAddress(let key, let text): "\(key): '\(text)' is not an address and port"
        case .tlsRequired(let key): "\(key) needs a TLS certificate"
        }
    }
}

extension Logger {
    /// A connection's error, at info; a TLS connection dropped without close_notify (which
    /// clients often do) is not worth a line.
    func connectionError(_ error: any Error) {
        if let ssl = error as? NIOSSLError, case .uncleanShutdown = ssl { return }
        info("connection error", metadata: ["error": "\(error)"])
    }
}
