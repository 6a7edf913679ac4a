// POP3Server — the two POP3 listeners: POP3 (RFC 1939, port 110, STLS per RFC 2595) and POP3S
// (RFC 8314 §3.3, port 995: TLS from the first byte). Each is configured by a pop3.*_listen
// key and off when the key is empty.
//
// Connection limits (Support/Listeners.swift): pop3.max_connections in total and
// pop3.max_connections_per_client per client address; a connection over either gets
// "-ERR [SYS/TEMP] Too many connections" and is closed before a session starts.
// Shutdown: listeners close first, then every open session is told ("-ERR [SYS/TEMP]" when it
// is between commands; nothing is deleted); a session streaming a message or committing its
// deletions finishes that first.

import MailroomPOP3
import NIOCore
import NIOSSL

public final class POP3Server: Sendable {
    private let services: POP3Services
    private let listeners: Listeners

    /// The refusal of a connection over pop3.max_connections or pop3.max_connections_per_client.
    static let tooManyConnections = POP3Reply.error(.systemTemporary, "Too many connections, try again later")

    init(services: POP3Services, group: any EventLoopGroup) {
        self.services = services
        listeners = Listeners(name: "pop3", group: group, maxConnections: services.configuration.pop3.maxConnections,
                              maxConnectionsPerClient: services.configuration.pop3.maxConnectionsPerClient,
                              logger: services.logger)
    }

    /// The bound address of each listener ("pop3", "pop3s").
    public var boundAddresses: [String: SocketAddress] { listeners.boundAddresses }

    /// Binds every configured listener.
    func start() async throws {
        let pop3 = services.configuration.pop3
        for (role, text) in [("pop3", pop3.pop3Listen), ("pop3s", pop3.pop3sListen)] where !text.isEmpty {
            let key = "pop3.\(role)_listen"
            let implicitTLS = role == "pop3s"
            if implicitTLS, services.tls == nil { throw ServerError.tlsRequired(key) }
            let services = services
            try await listeners.bind(role: role, key: key, address: text, refusal: Self.tooManyConnections.encoded) { channel, client in
                let sync = channel.pipeline.syncOperations
                if implicitTLS, let tls = services.tls {
                    try sync.addHandler(NIOSSLServerHandler(context: tls))
                }
                try sync.addHandler(POP3ChannelHandler(services: services, listener: role, client: client, implicitTLS: implicitTLS))
            }
        }
    }

    /// Closes the listeners, then tells every session to finish.
    func stop() async {
        await listeners.stop(shutdownEvent: POP3ShutdownEvent())
    }
}

/// Sent down every POP3 pipeline when the server stops.
struct POP3ShutdownEvent: Sendable {}
