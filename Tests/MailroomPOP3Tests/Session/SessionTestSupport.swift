// SessionTestSupport.swift — helpers of the Session*Tests: a configuration, a one-line summary
// of each action ("+OK 2 320", "close +OK Logging out", "verifyPassword mrose tanstaaf"), and
// `Script`, which feeds a session events and checks the action each one gives (style.md §13:
// state machines are tested as event → expected action scripts, without sockets).

import MailroomCore
@testable import MailroomPOP3
import MailroomSASL
import Testing

enum SessionFixture {
    static let host = "pop.example.com"

    /// STLS available, TLS required for plaintext logins, every SASL mechanism, small limits.
    static func configuration(authRequiresTLS: Bool = true, startTLSAvailable: Bool = true, allowsUserPass: Bool = true,
                              maxErrors: Int = 5, maxFailedLogins: Int = 3,
                              mechanisms: [SASLMechanismKind] = SASLMechanismKind.allCases) -> POP3SessionConfiguration {
        POP3SessionConfiguration(hostName: host, limits: POP3Limits(commandLineBytes: 255, saslLineBytes: 1024),
                                 maxErrors: maxErrors, maxFailedLogins: maxFailedLogins, saslMechanisms: mechanisms,
                                 allowsUserPass: allowsUserPass, startTLSAvailable: startTLSAvailable,
                                 authRequiresTLS: authRequiresTLS, expire: .never, loginDelaySeconds: 0)
    }

    /// RFC 1939 §10's maildrop: two messages of 120 and 200 octets.
    static let rfc1939Messages = [POP3MaildropMessage(size: 120, uniqueID: "whqtswO00WBw418f9t5JxYwZ"),
                                  POP3MaildropMessage(size: 200, uniqueID: "QhdPYR:00WBw1Ph7x7")]

    static func messages(_ sizes: Int...) -> [POP3MaildropMessage] {
        sizes.enumerated().map { POP3MaildropMessage(size: $1, uniqueID: "uid\($0 + 1)") }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
func base64(_ text: String) -> String { Base64.encode(Array(text.utf8)) }

extension POP3Session.Action {
    /// The action in one line, for scripts.
    var summary: String {
        switch self {
        case .none: "none"
        case .reply(let reply): reply.statusLine
        case .replyAndClose(let reply): "close " + reply.statusLine
        case .failedLogin(let reply, let count, let close): "failedLogin \(count)\(close ? " close" : "") " + reply.statusLine
        case .startTLS(let reply): "startTLS " + reply.statusLine
        case .verifyPassword(let user, let password): "verifyPassword \(user) \(password)"
        case .lookupCredentials(let user): "lookupCredentials \(user)"
        case .openMaildrop(let user): "openMaildrop \(user)"
        case .sendMessage(let reply, let number, let lines): "sendMessage \(number)" + (lines.map { " top \($0)" } ?? "") + " " + reply.statusLine
        case .commitDeletions(let numbers): "commitDeletions " + numbers.map(String.init).joined(separator: ",")
        }
    }

    /// The reply the action sends, if any.
    var reply: POP3Reply? {
        switch self {
        case .reply(let r), .replyAndClose(let r), .failedLogin(let r, _, _), .startTLS(let r), .sendMessage(let r, _, _): r
        default: nil
        }
    }
}

/// A session driven one event at a time.
struct Script {
    var session: POP3Session

    init(_ configuration: POP3SessionConfiguration = SessionFixture.configuration(), tls: Bool = false, nonce: String = "NONCE") {
        session = POP3Session(configuration: configuration, tls: tls, nonces: POP3NonceSource { nonce })
    }

    @discardableResult
    mutating func run(_ event: (inout POP3Session) -> POP3Session.Action) -> POP3Session.Action {
        event(&session)
    }

    @discardableResult
    mutating func send(_ line: String) -> POP3Session.Action {
        run { $0.lineReceived(bytes(line)) }
    }

    /// Sends a line and checks the action's summary.
    mutating func expect(_ line: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let action = send(line)
        #expect(action.summary == expected, "\(line)", sourceLocation: sourceLocation)
    }

    /// Runs an event and checks the action's summary.
    mutating func expect(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
                         after event: (inout POP3Session) -> POP3Session.Action) {
        let action = run(event)
        #expect(action.summary == expected, sourceLocation: sourceLocation)
    }

    /// USER and PASS, up to the password check.
    mutating func userPass(_ user: String, _ password: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expect("USER \(user)", "+OK Send PASS", sourceLocation: sourceLocation)
        expect("PASS \(password)", "verifyPassword \(user) \(password)", sourceLocation: sourceLocation)
    }

    /// USER/PASS accepted for `user`, the maildrop opened with `messages`.
    mutating func login(_ user: String = "mrose@example.com", messages: [POP3MaildropMessage] = SessionFixture.rfc1939Messages,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        userPass(user, "secret", sourceLocation: sourceLocation)
        expect("openMaildrop \(user)", sourceLocation: sourceLocation) { $0.passwordChecked(.success(user: user)) }
        let summary = POP3Reply.maildropSummary(messages: messages.count, octets: messages.reduce(0) { $0 + $1.size }).statusLine
        expect(summary, sourceLocation: sourceLocation) { $0.maildropOpened(.opened(messages)) }
    }
}
