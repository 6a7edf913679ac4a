// Test support: SASL exchanges driven as event → expected step scripts (style rule 13), and
// the published values the tests check against.

import MailroomCore
import Testing
@testable import MailroomSASL

/// One event of a script, as the protocol layer would deliver it.
enum ScriptEvent: CustomStringConvertible {
    case start
    case receive([UInt8])
    case passwordVerified(Bool)
    case credentialsFound(SASLCredentials?)

    static func receive(_ text: String) -> ScriptEvent { .receive(Array(text.utf8)) }

    var description: String {
        switch self {
        case .start: "start"
        case .receive(let bytes): "receive(\(String(decoding: bytes, as: UTF8.self).debugDescription))"
        case .passwordVerified(let ok): "passwordVerified(\(ok))"
        case .credentialsFound(let c): "credentialsFound(\(c == nil ? "nil" : "…"))"
        }
    }
}

extension SASLStep {
    static func challenge(_ text: String) -> SASLStep { .challenge(Array(text.utf8)) }

    var isMalformed: Bool {
        if case .failure(.malformed) = self { return true }
        return false
    }
}

extension SASLServerExchange {
    mutating func apply(_ event: ScriptEvent) -> SASLStep {
        switch event {
        case .start: start()
        case .receive(let bytes): receive(bytes)
        case .passwordVerified(let ok): passwordVerified(ok)
        case .credentialsFound(let credentials): credentialsFound(credentials)
        }
    }
}

/// Runs `script` against `exchange`; each event must produce exactly the expected step.
/// `nil` as the expected step accepts any malformed failure (the wording is not the contract).
func run(_ exchange: inout SASLServerExchange, _ script: [(ScriptEvent, SASLStep?)],
         sourceLocation: SourceLocation = #_sourceLocation) {
    for (index, (event, expected)) in script.enumerated() {
        let step = exchange.apply(event)
        if let expected {
            #expect(step == expected, "step \(index): \(event)", sourceLocation: sourceLocation)
        } else {
            #expect(step.isMalformed, "step \(index): \(event) gave \(step)", sourceLocation: sourceLocation)
        }
    }
}

func exchange(_ mechanism: SASLMechanismKind, nonce: String = "NONCE", serverName: String = "mail.example",
              initialResponse: [UInt8]? = nil) -> SASLServerExchange {
    SASLServerExchange(mechanism: mechanism, serverName: serverName, nonce: nonce, initialResponse: initialResponse)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func base64(_ text: String) -> [UInt8] { Base64.decode(text.utf8)! }


/// Values published in the RFCs (and, where marked, computed with Python's hashlib/hmac).
enum Vectors {
    // RFC 7677 §3: user "user", password "pencil".
    static let rfc7677Salt = "W22ZaJ0SNY7soEsUEjb6gQ=="
    static let rfc7677ClientNonce = "rOprNGfwEbeRWgbNEkqO"
    static let rfc7677ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    static let rfc7677ClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    static let rfc7677ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    static let rfc7677ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    static let rfc7677ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    // StoredKey and ServerKey for "pencil" with the RFC's salt and 4096 rounds (Python:
    // hashlib.pbkdf2_hmac, hmac, hashlib.sha256).
    static let pencilStoredKey = "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
    static let pencilServerKey = "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="

    static var pencil: SCRAMVerifier {
        SCRAMVerifier(iterations: 4096, salt: base64(rfc7677Salt), storedKey: base64(pencilStoredKey),
                      serverKey: base64(pencilServerKey))
    }

    // RFC 2195 §2: user "tim", password "tanstaaftanstaaf"; the secret as `doveadm pw -s
    // CRAM-MD5 -p tanstaaftanstaaf` prints it.
    static let rfc2195Challenge = "<1896.697170952@postoffice.reston.mci.net>"
    static let rfc2195Response = "tim b913a602c7eda7a495b4e6e7334d3890"
    static let timSecret = "d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b"
}
