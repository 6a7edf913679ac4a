// IMAPServer — the two IMAP listeners: IMAP (RFC 3501/9051, port 143, STARTTLS) and IMAPS
// (RFC 8314 §3.3, port 993: TLS from the first byte). Each is configured by an imap.*_listen
// key and off when the key is empty.
//
// Connection limits (Support/Listeners.swift): imap.max_connections in total and
// imap.max_connections_per_client per client address; a connection over either gets
// "* BYE Too many connections" and is closed before a session starts.
// Shutdown: listeners close first, then every open session is told "* BYE" (a command that
// is running finishes first).

import MailroomIMAP
import NIOCore
import NIOSSL

public final class IMAPServer: Sendable {
    private let services: IMAPServices
    private let listeners: Listeners

    /// The refusal of a connection over imap.max_connections or imap.max_connections_per_client.
    static let tooManyConnections = IMAPResponse.untagged(.condition(.bye, code: .unavailable, text: "Too many connections, try again later"))

    init(services: IMAPServices, group: any EventLoopGroup) {
        self.services = services
        listeners = Listeners(name: "imap", group: group, maxConnections: services.configuration.imap.maxConnections,
                              maxConnectionsPerClient: services.configuration.imap.maxConnectionsPerClient,
                              logger: services.logger)
    }

    /// The bound address of each listener ("imap", "imaps").
    public var boundAddresses: [String: SocketAddress] { listeners.boundAddresses }

    /// Binds every configured listener.
    func start() async throws {
        let imap = services.configuration.imap
        for (role, text) in [("imap", imap.imapListen), ("imaps", imap.imapsListen)] where !text.isEmpty {
            let key = "imap.\(role)_listen"
            let implicitTLS = role == "imaps"
            if implicitTLS, services.tls == nil { throw ServerError.tlsRequired(key) }
            let services = services
            try await listeners.bind(role: role, key: key, address: text, refusal: Self.tooManyConnections.encoded()) { channel, client in
                let sync = channel.pipeline.syncOperations
                if implicitTLS, let tls = services.tls {
                    try sync.addHandler(NIOSSLServerHandler(context: tls))
                }
                try sync.addHandler(IMAPChannelHandler(services: services, listener: role, client: client, implicitTLS: implicitTLS))
            }
        }
    }

    /// Closes the listeners, then tells every session to finish.
    func stop() async {
        await listeners.stop(shutdownEvent: IMAPShutdownEvent())
    }
}

/// Sent down every IMAP pipeline when the server stops.
struct IMAPShutdownEvent: Sendable {}
