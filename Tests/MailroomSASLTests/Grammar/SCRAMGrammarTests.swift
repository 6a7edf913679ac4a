// The SCRAM message grammar (RFC 5802 §7): fixtures that parse and that fail, encode ↔ parse
// round trips, saslname escaping, and hostile input. (The strict base64 codec the messages use
// is MailroomCore's; its tests are Tests/MailroomCoreTests/Base64Tests.swift.)

import Testing
@testable import MailroomSASL

@Suite("SCRAM grammar")
struct SCRAMGrammarTests {
    @Test("client-first fixtures")
    func clientFirst() throws {
        let rfc = try SCRAMClientFirstMessage(parsing: bytes(Vectors.rfc7677ClientFirst))
        #expect(rfc.channelBinding == .notSupported && rfc.authorizationIdentity == nil)
        #expect(rfc.username == "user" && rfc.clientNonce == Vectors.rfc7677ClientNonce)
        #expect(rfc.gs2Header == bytes("n,,") && rfc.bare == bytes("n=user,r=rOprNGfwEbeRWgbNEkqO"))

        let y = try SCRAMClientFirstMessage(parsing: bytes("y,a=b=2Cc,n=b=2Cc,r=x,e=1"))
        #expect(y.channelBinding == .notAdvertised && y.authorizationIdentity == "b,c" && y.username == "b,c")
        #expect(y.gs2Header == bytes("y,a=b=2Cc,") && y.bare == bytes("n=b=2Cc,r=x,e=1"))
    }

    @Test("client-first: round trips through encode and parse",
          arguments: ["user", "a,b", "=2C", "x=y,z", "用户@例子.中国", "🙂"])
    func clientFirstRoundTrip(_ name: String) throws {
        for authzid in [nil, name] {
            for flag in [SCRAMClientFirstMessage.ChannelBindingFlag.notSupported, .notAdvertised] {
                let message = SCRAMClientFirstMessage(channelBinding: flag, authorizationIdentity: authzid,
                                                      username: name, clientNonce: "abc!~")
                #expect(try SCRAMClientFirstMessage(parsing: message.encoded) == message)
            }
        }
    }

    @Test("saslname escaping (RFC 5802 §5.1)")
    func saslname() {
        #expect(SCRAMGrammar.encodeSASLName("a,b=c") == "a=2Cb=3Dc")
        #expect(SCRAMGrammar.decodeSASLName(bytes("a=2Cb=3Dc")[...]) == "a,b=c")
        for bad in ["", "a=", "a=2", "a=2c", "a=3d", "a=41", "a,b", "=", "==2C"] {
            #expect(SCRAMGrammar.decodeSASLName(bytes(bad)[...]) == nil, "\(bad)")
        }
        #expect(SCRAMGrammar.decodeSASLName([0x61, 0x00][...]) == nil)
        #expect(SCRAMGrammar.decodeSASLName([0xc0, 0xaf][...]) == nil)   // overlong "/"
    }

    @Test("server-first and server-final: encode, then parse back")
    func serverMessages() throws {
        let first = SCRAMServerFirstMessage(nonce: Vectors.rfc7677ClientNonce + Vectors.rfc7677ServerNonce,
                                            salt: base64(Vectors.rfc7677Salt), iterations: 4096)
        #expect(first.encoded == bytes(Vectors.rfc7677ServerFirst))
        #expect(try SCRAMServerFirstMessage(parsing: first.encoded) == first)
        for bad in ["r=a,s=AA==,i=0", "r=a,s=AA==,i=01", "r=a,s=AA=,i=1", "r=,s=AA==,i=1", "s=AA==,r=a,i=1", "m=x,r=a,s=AA==,i=1"] {
            #expect(throws: SASLFailure.self, "\(bad)") { try SCRAMServerFirstMessage(parsing: bytes(bad)) }
        }
        let final = SCRAMServerFinalMessage.verifier(base64("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        #expect(final.encoded == bytes(Vectors.rfc7677ServerFinal))
        #expect(try SCRAMServerFinalMessage(parsing: final.encoded) == final)
        #expect(try SCRAMServerFinalMessage(parsing: bytes("e=invalid-proof")) == .error("invalid-proof"))
        #expect(throws: SASLFailure.self) { try SCRAMServerFinalMessage(parsing: bytes("x=1")) }
    }

    @Test("client-final: the RFC's message, and a round trip")
    func clientFinal() throws {
        let rfc = try SCRAMClientFinalMessage(parsing: bytes(Vectors.rfc7677ClientFinal))
        #expect(rfc.channelBinding == bytes("n,,"))
        #expect(rfc.nonce == Vectors.rfc7677ClientNonce + Vectors.rfc7677ServerNonce)
        #expect(rfc.proof == base64("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        #expect(rfc.withoutProof == bytes("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"))
        #expect(rfc.encoded == bytes(Vectors.rfc7677ClientFinal))
        let withExtension = try SCRAMClientFinalMessage(parsing: bytes("c=biws,r=ab,x=y,p=AAAA"))
        #expect(withExtension.withoutProof == bytes("c=biws,r=ab,x=y") && withExtension.proof == [0, 0, 0])
    }

    @Test("hostile input: huge, escape-heavy and comma-heavy messages are refused quickly")
    func hostile() {
        /// Whether parsing fails (without printing a huge value when it does not).
        func refused<T>(_ parse: () throws -> T) -> Bool {
            do { _ = try parse(); return false } catch { return true }
        }
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        #expect(refused { try SCRAMClientFirstMessage(parsing: bytes("n,,n=") + huge + bytes(",r=x")) })
        #expect(refused { try SCRAMClientFirstMessage(parsing: bytes("n,,n=u,r=") + huge) })
        let escapes = Array(String(repeating: "=2C", count: 100_000).utf8)
        #expect(refused { try SCRAMClientFirstMessage(parsing: bytes("n,,n=") + escapes + bytes(",r=x")) })
        let commas = [UInt8](repeating: UInt8(ascii: ","), count: 200_000)
        #expect(refused { try SCRAMClientFirstMessage(parsing: commas) })
        #expect(refused { try SCRAMClientFinalMessage(parsing: commas) })
        #expect(refused { try PLAINMessage(parsing: [UInt8](repeating: 0, count: 200_000)) })
        #expect(refused { try CRAMMD5Response(parsing: [UInt8](repeating: 0x20, count: 200_000)) })
        // A 150,000-octet proof is valid base64, so the grammar takes it; the exchange refuses it.
        var e = exchange(.scramSHA256, nonce: Vectors.rfc7677ServerNonce, initialResponse: bytes(Vectors.rfc7677ClientFirst))
        _ = e.start()
        _ = e.credentialsFound(SASLCredentials(scram: Vectors.pencil))
        let step = e.receive(bytes("c=biws,r=\(Vectors.rfc7677ClientNonce)\(Vectors.rfc7677ServerNonce),p=") + huge)
        #expect(step.isMalformed)
    }
}
