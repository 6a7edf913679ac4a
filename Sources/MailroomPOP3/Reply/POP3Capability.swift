// POP3Capability — one line of the CAPA response, with its wire form.
//
// Standards: RFC 2449 §5 (CAPA; a multi-line response with one capability per line), §6.1
// TOP, §6.2 USER, §6.3 SASL (with the mechanisms), §6.4 RESP-CODES, §6.5 LOGIN-DELAY, §6.6
// PIPELINING, §6.7 EXPIRE, §6.8 UIDL, §6.9 IMPLEMENTATION; RFC 3206 §6 (AUTH-RESP-CODE);
// RFC 2595 §4 (STLS). LOGIN-DELAY and EXPIRE take the argument "USER" in the AUTHORIZATION
// state when the value differs between users; in TRANSACTION the user's value is given.
//
// Which lines are shown when is the session's decision (POP3Session.capabilities).

import MailroomSASL

/// How long messages stay on the server after a client has seen them (RFC 2449 §6.7).
public enum POP3ExpirePolicy: Hashable, Sendable {
    /// "EXPIRE NEVER": the server never deletes a message by itself.
    case never
    /// "EXPIRE n": messages may go n days after retrieval ("EXPIRE 0": clients must not keep
    /// mail on the server).
    case days(Int)
}

/// A capability advertised by CAPA.
public enum POP3Capability: Hashable, Sendable, CustomStringConvertible {
    case top
    case uidl
    case user
    case sasl([SASLMechanismKind])
    case responseCodes
    case authResponseCode
    case pipelining
    case stls
    /// EXPIRE policy; `perUser`: "USER" follows (AUTHORIZATION state, the value varies).
    case expire(POP3ExpirePolicy, perUser: Bool)
    /// LOGIN-DELAY seconds; `perUser` as for EXPIRE.
    case loginDelay(seconds: Int, perUser: Bool)
    case implementation(String)

    public var description: String {
        switch self {
        case .top: "TOP"
        case .uidl: "UIDL"
        case .user: "USER"
        case .sasl(let mechanisms): (["SASL"] + mechanisms.map(\.rawValue)).joined(separator: " ")
        case .responseCodes: "RESP-CODES"
        case .authResponseCode: "AUTH-RESP-CODE"
        case .pipelining: "PIPELINING"
        case .stls: "STLS"
        case .expire(let policy, let perUser):
            "EXPIRE " + (policy == .never ? "NEVER" : policy.daysText) + (perUser ? " USER" : "")
        case .loginDelay(let seconds, let perUser): "LOGIN-DELAY \(seconds)" + (perUser ? " USER" : "")
        case .implementation(let name): "IMPLEMENTATION \(name)"
        }
    }
}

extension POP3ExpirePolicy {
    var daysText: String {
        if case .days(let days) = self { return String(max(0, days)) }
        return "NEVER"
    }
}
