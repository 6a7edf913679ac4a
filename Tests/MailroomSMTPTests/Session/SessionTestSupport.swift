// SessionTestSupport.swift — helpers of the Session*Tests: configurations for the three port
// roles, a one-line summary of each action ("250 2.1.0", "close 421 4.7.0", "checkSender
// <a@example.net>"), and `Script`, which feeds a session events and checks the action each
// one gives (style.md §13: state machines are tested as event → expected action scripts).
//
// A script starts from a fresh connection, or from any state through the test-only
// `SMTPSession(configuration:connection:state:)`.

import MailroomCore
@testable import MailroomSMTP
import Testing

// MARK: - Configurations

enum SessionFixture {
    static let host = "mx.example.com"
    /// Small enough to test limits; RFC minimums for the rest.
    static let limits = SMTPLimits(commandLineBytes: 512, textLineBytes: 1000, authLineBytes: 2048, messageBytes: 10_000, recipients: 100)

    /// Port 25: no AUTH required, STARTTLS available, PLAIN and LOGIN offered once TLS is up.
    static func mx(maxErrors: Int = SMTPSessionConfiguration.defaultMaxErrors,
                   maxUnknownCommands: Int = SMTPSessionConfiguration.defaultMaxUnknownCommands,
                   startTLSAvailable: Bool = true, authMechanisms: [SASLMechanism] = [.plain, .login]) -> SMTPSessionConfiguration {
        SMTPSessionConfiguration(role: .mx, hostName: host, limits: limits, maxErrors: maxErrors, maxUnknownCommands: maxUnknownCommands,
                                 authMechanisms: authMechanisms, startTLSAvailable: startTLSAvailable, authRequiresTLS: true,
                                 mailRequiresAuth: false)
    }

    /// Port 587: AUTH required for MAIL, AUTH only after STARTTLS (unless `authRequiresTLS` is
    /// false, as for a loopback client).
    static func submission(authRequiresTLS: Bool = true, startTLSAvailable: Bool = true,
                           authMechanisms: [SASLMechanism] = [.scramSHA256Plus, .scramSHA256, .plain, .login]) -> SMTPSessionConfiguration {
        SMTPSessionConfiguration(role: .submission, hostName: host, limits: limits, authMechanisms: authMechanisms,
                                 startTLSAvailable: startTLSAvailable, authRequiresTLS: authRequiresTLS, mailRequiresAuth: true)
    }

    /// Port 465: implicit TLS, AUTH required.
    static func submissions() -> SMTPSessionConfiguration {
        SMTPSessionConfiguration(role: .submissions, hostName: host, limits: limits, authMechanisms: [.plain],
                                 startTLSAvailable: true, authRequiresTLS: true, mailRequiresAuth: true)
    }

    static func connection(tls: Bool = false) -> SMTPConnectionInfo {
        SMTPConnectionInfo(clientAddress: "192.0.2.10", clientPort: 49152, tls: tls)
    }
}

// MARK: - Values

/// The mailbox of "user@domain" (ASCII or UTF-8 with U-labels).
func sessionMailbox(_ address: String) -> Mailbox {
    let at = address.lastIndex(of: "@")!
    let local = Mailbox.LocalPart(String(address[..<at]))!
    let domain = try! DomainName(String(address[address.index(after: at)...]))
    return Mailbox(localPart: local, domain: .domain(domain))
}

func forward(_ address: String) -> ForwardPath { .mailbox(sessionMailbox(address)) }
func reverse(_ address: String) -> ReversePath { address.isEmpty ? .null : .mailbox(sessionMailbox(address)) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

// MARK: - Summaries

extension SMTPReply {
    /// "250 2.1.0", or "220" for a reply without an enhanced code.
    var summary: String { enhancedStatusCode.map { "\(code) \($0)" } ?? "\(code)" }
}

extension SMTPSession.Action {
    /// The action in one line, for scripts.
    var summary: String {
        switch self {
        case .none: return "none"
        case .reply(let reply): return reply.summary
        case .replyAndClose(let reply): return "close " + reply.summary
        case .startTLS(let reply): return "startTLS " + reply.summary
        case .checkSender(let path, _): return "checkSender \(path)"
        case .checkRecipient(let path, _): return "checkRecipient \(path)"
        case .startAuthentication(let mechanism, let response):
            return "startAuthentication \(mechanism)" + (response.map { " \(String(decoding: $0, as: UTF8.self).debugDescription)" } ?? "")
        case .authResponse(let response): return "authResponse \(String(decoding: response, as: UTF8.self).debugDescription)"
        case .receiveMessage(let reply, _): return "receiveMessage " + reply.summary
        case .receiveChunk(let size, let last, let open): return "receiveChunk \(size)" + (last ? " LAST" : "") + (open == nil ? "" : " open")
        case .discardChunk(let size, let last): return "discardChunk \(size)" + (last ? " LAST" : "")
        case .storeMessage: return "storeMessage"
        case .discardMessage(let reply): return "discardMessage " + reply.summary
        case .resetTransaction(let reply): return "resetTransaction " + reply.summary
        }
    }

    /// The reply the action sends, if any.
    var reply: SMTPReply? {
        switch self {
        case .reply(let reply), .replyAndClose(let reply), .startTLS(let reply), .receiveMessage(let reply, _),
             .discardMessage(let reply), .resetTransaction(let reply):
            return reply
        default:
            return nil
        }
    }
}

// MARK: - Scripts

/// A session and the actions it gave, driven one event at a time.
struct Script {
    var session: SMTPSession
    /// Every reply sent so far, in order.
    var replies: [SMTPReply] = []

    init(_ configuration: SMTPSessionConfiguration = SessionFixture.mx(), tls: Bool = false) {
        session = SMTPSession(configuration: configuration, connection: SessionFixture.connection(tls: tls))
    }

    /// A session that starts in `state` (style.md §13).
    init(_ configuration: SMTPSessionConfiguration = SessionFixture.mx(), tls: Bool = false, state: SMTPSession.State) {
        session = SMTPSession(configuration: configuration, connection: SessionFixture.connection(tls: tls), state: state)
    }

    /// Runs an event and returns its action.
    @discardableResult
    mutating func run(_ event: (inout SMTPSession) -> SMTPSession.Action) -> SMTPSession.Action {
        let action = event(&session)
        if let reply = action.reply { replies.append(reply) }
        return action
    }

    /// Sends a command line.
    @discardableResult
    mutating func send(_ line: String) -> SMTPSession.Action {
        run { $0.lineReceived(bytes(line)) }
    }

    /// Sends a line and checks the action's summary.
    mutating func expect(_ line: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let action = send(line)
        #expect(action.summary == expected, "\(line)", sourceLocation: sourceLocation)
    }

    /// Sends a line and checks the whole action.
    mutating func expect(_ line: String, _ expected: SMTPSession.Action, sourceLocation: SourceLocation = #_sourceLocation) {
        let action = send(line)
        #expect(action == expected, "\(line)", sourceLocation: sourceLocation)
    }

    /// Runs an event and checks the action's summary.
    mutating func expect(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
                         after event: (inout SMTPSession) -> SMTPSession.Action) {
        let action = run(event)
        #expect(action.summary == expected, sourceLocation: sourceLocation)
    }

    /// Runs an event and checks the whole action.
    mutating func expect(_ expected: SMTPSession.Action, sourceLocation: SourceLocation = #_sourceLocation,
                         after event: (inout SMTPSession) -> SMTPSession.Action) {
        let action = run(event)
        #expect(action == expected, sourceLocation: sourceLocation)
    }

    // MARK: Common steps

    /// EHLO client.example.org → 250.
    mutating func ehlo(_ name: String = "client.example.org", sourceLocation: SourceLocation = #_sourceLocation) {
        expect("EHLO \(name)", "250", sourceLocation: sourceLocation)
    }

    /// MAIL FROM:<sender> [parameters], accepted by the policy.
    mutating func mail(_ sender: String, _ parameters: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        let line = "MAIL FROM:<\(sender)>" + (parameters.isEmpty ? "" : " " + parameters)
        expect(line, "checkSender <\(sender)>", sourceLocation: sourceLocation)
        expect("250 2.1.0", sourceLocation: sourceLocation) { $0.senderChecked(.accepted) }
    }

    /// RCPT TO:<recipient>, accepted by the policy with `route` and `limit`.
    mutating func rcpt(_ recipient: String, _ parameters: String = "", route: RecipientRoute = .local, limit: Int? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let line = "RCPT TO:<\(recipient)>" + (parameters.isEmpty ? "" : " " + parameters)
        expect(line, "checkRecipient <\(recipient)>", sourceLocation: sourceLocation)
        expect("250 2.1.5", sourceLocation: sourceLocation) { $0.recipientChecked(.accepted(route, maxMessageBytes: limit)) }
    }

    /// AUTH PLAIN with an initial response, accepted for `user`.
    mutating func authenticate(_ user: String = "user@example.com", sourceLocation: SourceLocation = #_sourceLocation) {
        expect("AUTH PLAIN AHVzZXIAcGFzcw==", "startAuthentication PLAIN \"\\0user\\0pass\"", sourceLocation: sourceLocation)
        expect("235 2.7.0", sourceLocation: sourceLocation) { $0.authCompleted(.success(username: user)) }
    }
}

/// A chunk end as the framer reports it.
func chunkEnd(last: Bool, total: Int, error: SMTPDataError? = nil) -> BDATReader.ChunkEnd {
    BDATReader.ChunkEnd(data: [], isLast: last, messageByteCount: total, error: error)
}
