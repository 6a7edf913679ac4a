// PLAIN (RFC 4616) as event → step scripts: with and without an authorization identity, with
// and without an initial response, and the malformed messages of §2's grammar.

import Testing
@testable import MailroomSASL

@Suite("PLAIN server")
struct PLAINServerTests {
    @Test("RFC 4616 §4's first example: no authzid, initial response")
    func withoutAuthzid() {
        var e = exchange(.plain, initialResponse: bytes("\0tim\0tanstaaftanstaaf"))
        run(&e, [
            (.start, .verifyPassword(username: "tim", password: "tanstaaftanstaaf")),
            (.passwordVerified(true), .success(username: "tim")),
            (.passwordVerified(true), nil),
        ])
    }

    @Test("an authzid equal to the authcid is accepted")
    func sameAuthzid() {
        var e = exchange(.plain, initialResponse: bytes("Ursel\0Ursel\0kurt"))
        run(&e, [(.start, .verifyPassword(username: "Ursel", password: "kurt")),
                 (.passwordVerified(true), .success(username: "Ursel"))])
    }

    @Test("RFC 4616 §4: Kurt acting as Ursel (authzid ≠ authcid) is authorizationDenied")
    func otherAuthzid() {
        var e = exchange(.plain, initialResponse: bytes("Ursel\0Kurt\0xipj3plmq"))
        run(&e, [(.start, .failure(.authorizationDenied)), (.passwordVerified(true), nil)])
    }

    @Test("no initial response: an empty challenge first")
    func noInitialResponse() {
        var e = exchange(.plain)
        run(&e, [(.start, .challenge([])),
                 (.receive("\0alice@example.com\0pässwörd 密码"),
                  .verifyPassword(username: "alice@example.com", password: "pässwörd 密码")),
                 (.passwordVerified(false), .failure(.invalidCredentials)),
                 (.receive("\0alice@example.com\0x"), nil)])
    }

    @Test("an empty initial response (\"=\") is an empty message, hence malformed")
    func emptyInitialResponse() {
        var e = exchange(.plain, initialResponse: [])
        run(&e, [(.start, nil)])
    }

    @Test("malformed messages", arguments: [
        bytes("tim\0tanstaaf"),                 // one NUL
        bytes("timtanstaaf"),                   // no NUL
        bytes("\0tim\0tan\0staaf"),             // three NULs
        bytes("\0\0tanstaaf"),                  // empty authcid
        bytes("\0tim\0"),                       // empty password
        bytes("\0\0"),
        [0, 0x74, 0xff, 0, 0x70],               // authcid not UTF-8
        [0, 0x74, 0, 0xc3, 0x28],               // password not UTF-8
        [0xed, 0xa0, 0x80, 0, 0x74, 0, 0x70],   // authzid is a UTF-16 surrogate in UTF-8
    ])
    func malformed(_ message: [UInt8]) {
        var e = exchange(.plain, initialResponse: message)
        run(&e, [(.start, nil), (.passwordVerified(true), nil)])
    }

    @Test("fields up to SASLLimits.fieldBytes are accepted, longer ones refused")
    func limits() {
        let limit = SASLLimits.defaultFieldBytes
        let ok = String(repeating: "p", count: limit)
        var e = exchange(.plain, initialResponse: bytes("\0u\0\(ok)"))
        run(&e, [(.start, .verifyPassword(username: "u", password: ok))])
        var f = exchange(.plain, initialResponse: bytes("\0u\0\(ok)p"))
        run(&f, [(.start, nil)])
        #expect(SASLLimits(fieldBytes: 10).fieldBytes == SASLLimits.minimumFieldBytes)   // RFC 4616 §2: 255
    }

    @Test("malformed texts never contain the client's data")
    func noEcho() {
        var e = exchange(.plain, initialResponse: bytes("\0tim\0hunter2"))
        run(&e, [(.start, .verifyPassword(username: "tim", password: "hunter2"))])
        let step = e.receive(bytes("\0tim\0hunter2"))
        guard case .failure(.malformed(let text)) = step else { Issue.record("\(step)"); return }
        #expect(!text.contains("hunter2"))
    }
}
