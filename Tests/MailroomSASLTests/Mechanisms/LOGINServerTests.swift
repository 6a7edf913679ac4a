// LOGIN (draft-murchison-sasl-login) as event → step scripts.

import Testing
@testable import MailroomSASL

@Suite("LOGIN server")
struct LOGINServerTests {
    @Test("Username:, Password:, then the store's verdict")
    func exchangeWithoutInitialResponse() {
        var e = exchange(.login)
        run(&e, [
            (.start, .challenge("Username:")),
            (.receive("tim"), .challenge("Password:")),
            (.receive("tanstaaftanstaaf"), .verifyPassword(username: "tim", password: "tanstaaftanstaaf")),
            (.passwordVerified(true), .success(username: "tim")),
            (.receive("x"), nil),
        ])
    }

    @Test("the user name as initial response skips the first challenge")
    func initialResponse() {
        var e = exchange(.login, initialResponse: bytes("用户@例子.中国"))
        run(&e, [
            (.start, .challenge("Password:")),
            (.receive("pässwörd"), .verifyPassword(username: "用户@例子.中国", password: "pässwörd")),
            (.passwordVerified(false), .failure(.invalidCredentials)),
        ])
    }

    @Test("empty, non-UTF-8, NUL-holding or oversized user names and passwords are malformed")
    func malformed() {
        let bad: [[UInt8]] = [[], [0xff], [0x61, 0x00], [UInt8](repeating: 0x61, count: SASLLimits.defaultFieldBytes + 1)]
        for value in bad {
            var asUser = exchange(.login)
            run(&asUser, [(.start, .challenge("Username:")), (.receive(value), nil), (.receive("pw"), nil)])
            var asPassword = exchange(.login)
            run(&asPassword, [(.start, .challenge("Username:")), (.receive("tim"), .challenge("Password:")),
                              (.receive(value), nil), (.passwordVerified(true), nil)])
        }
        var empty = exchange(.login, initialResponse: [])
        run(&empty, [(.start, nil)])
    }

    @Test("out-of-order events end the exchange")
    func outOfOrder() {
        var e = exchange(.login)
        run(&e, [(.start, .challenge("Username:")), (.passwordVerified(true), nil), (.receive("tim"), nil)])
        var f = exchange(.login)
        run(&f, [(.start, .challenge("Username:")), (.receive("tim"), .challenge("Password:")),
                 (.credentialsFound(nil), nil)])
    }
}
