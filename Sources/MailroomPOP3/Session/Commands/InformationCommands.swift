// InformationCommands — CAPA and NOOP, which change nothing.
//
// Standards: RFC 2449 §5 (CAPA in both states; "+OK" and one capability per line; the list
// may differ between states), §6 (the capabilities), RFC 3206 §6 (AUTH-RESP-CODE), RFC 2595
// §4 (STLS), RFC 1939 §5 (NOOP: "+OK").
//
// What CAPA lists: TOP, UIDL, RESP-CODES, AUTH-RESP-CODE, PIPELINING and IMPLEMENTATION
// always; in AUTHORIZATION also USER (when USER/PASS may be used now), SASL with the
// mechanisms allowed now, and STLS (when available and TLS is not active); EXPIRE and
// LOGIN-DELAY when configured, with "USER" in AUTHORIZATION when the value varies per user.
//
// Security: nothing is advertised that would be refused now, so a client never sends a
// password in clear because CAPA suggested it could.

extension POP3Session {
    /// The capabilities to list now.
    public var capabilities: [POP3Capability] {
        let authorization = protocolState == .authorization
        var list: [POP3Capability] = [.top, .uidl]
        if authorization {
            if configuration.allowsUserPass && !plaintextRefused { list.append(.user) }
            let mechanisms = offeredMechanisms
            if !mechanisms.isEmpty { list.append(.sasl(mechanisms)) }
        }
        list += [.responseCodes, .authResponseCode, .pipelining]
        if authorization && configuration.startTLSAvailable && !isTLS { list.append(.stls) }
        if let expire = configuration.expire {
            list.append(.expire(expire, perUser: authorization && configuration.expireVariesByUser))
        }
        if let seconds = configuration.loginDelaySeconds {
            list.append(.loginDelay(seconds: seconds, perUser: authorization && configuration.loginDelayVariesByUser))
        }
        list.append(.implementation(configuration.implementation))
        return list
    }

    // capa = "CAPA"
    mutating func capa(_ command: POP3Command) -> Action {
        .reply(.ok("Capability list follows", lines: capabilities.map(\.description)))
    }

    // noop = "NOOP"
    mutating func noop(_ command: POP3Command) -> Action {
        .reply(.ok)
    }
}
