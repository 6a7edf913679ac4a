// SMTPServer — the three SMTP listeners: MX (RFC 5321, port 25), submission (RFC 6409, port
// 587: STARTTLS, then AUTH before MAIL) and submissions (RFC 8314, port 465: TLS from the first
// byte). Each is configured by an smtp.*_listen key and off when the key is empty.
//
// Connection limits (Support/Listeners.swift): smtp.max_connections in total and
// smtp.max_connections_per_client per client address; a connection over either gets
// "421 4.7.0" and is closed before a session starts.
// Shutdown: listeners close first, then every open session is told (421 4.3.2 when it is
// between commands); a session in the middle of a commit finishes it.

import Logging
import MailroomCore
import MailroomSMTP
import NIOCore
import NIOSSL

public final class SMTPServer: Sendable {
    private let services: SMTPServices
    private let listeners: Listeners

    init(services: SMTPServices, group: any EventLoopGroup) {
        self.services = services
        listeners = Listeners(name: "smtp", group: group, maxConnections: services.configuration.smtp.maxConnections,
                              maxConnectionsPerClient: services.configuration.smtp.maxConnectionsPerClient,
                              logger: services.logger)
    }

    /// The bound address of each listener, by role (port 0 in the configuration gives a free port).
    public var boundAddresses: [String: SocketAddress] { listeners.boundAddresses }

    /// Binds every configured listener.
    func start() async throws {
        let smtp = services.configuration.smtp
        let refusal = SMTPReply.tooManyConnections(serverName: services.hostName).encoded()
        for (role, text) in [(SMTPSessionConfiguration.Role.mx, smtp.mxListen),
                             (.submission, smtp.submissionListen), (.submissions, smtp.submissionsListen)] where !text.isEmpty {
            let key = "smtp.\(role.rawValue)_listen"
            if role == .submissions, services.tls == nil { throw ServerError.tlsRequired(key) }
            let services = services
            try await listeners.bind(role: role.rawValue, key: key, address: text, refusal: refusal) { channel, client in
                let sync = channel.pipeline.syncOperations
                if role == .submissions, let tls = services.tls {
                    try sync.addHandler(NIOSSLServerHandler(context: tls))
                }
                try sync.addHandler(SMTPChannelHandler(services: services, role: role, client: client,
                                                       clientPort: channel.remoteAddress?.port ?? 0,
                                                       implicitTLS: role == .submissions))
            }
        }
    }

    /// Closes the listeners, then tells every session to finish.
    func stop() async {
        await listeners.stop(shutdownEvent: SMTPShutdownEvent())
    }
}
