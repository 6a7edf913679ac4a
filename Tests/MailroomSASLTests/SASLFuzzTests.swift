// Fuzz targets (style rule 14), run with a fixed seed so failures repeat: random octets into
// every mechanism at every step, and single-octet mutations of valid messages. Properties: no
// crash or trap, nothing authenticates, and a final step ends the exchange for good.
//
// MAILROOM_FUZZ_ITERATIONS raises the number of rounds for a longer local run.

import Foundation
import MailroomCore
import Testing
@testable import MailroomSASL

@Suite("SASL fuzz")
struct SASLFuzzTests {
    static var rounds: Int {
        ProcessInfo.processInfo.environment["MAILROOM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 2000
    }

    static func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
        let alphabet = Array("n,y=pa rcsiv0123456789+/=\0".utf8) + [0xff, 0xc3, 0x80]
        let count = Int.random(in: 0...64, using: &rng)
        return (0..<count).map { _ in
            Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
        }
    }

    @Test("random input never authenticates and never traps", arguments: SASLMechanismKind.allCases)
    func randomInput(_ mechanism: SASLMechanismKind) {
        var rng = SplitMix64(seed: 0x5a51 &+ UInt64(mechanism.rawValue.utf8.count))
        let credentials = SASLCredentials(scram: Vectors.pencil, cramMD5: CRAMMD5Secret(hex: Vectors.timSecret))
        for _ in 0..<Self.rounds {
            var e = exchange(mechanism, nonce: "N", initialResponse: Bool.random(using: &rng) ? Self.randomBytes(&rng) : nil)
            var step = e.start()
            var ended = step.isFinal
            for _ in 0..<4 where !ended {
                switch step {
                case .verifyPassword: step = e.passwordVerified(false)
                case .lookupCredentials: step = e.credentialsFound(Bool.random(using: &rng) ? credentials : nil)
                default: step = e.receive(Self.randomBytes(&rng))
                }
                if case .success = step { Issue.record("random input authenticated: \(mechanism)") }
                ended = step.isFinal
            }
            if ended {
                #expect(e.isFinished)
                #expect(e.receive([]).isMalformed)
            }
        }
    }

    @Test("mutated SCRAM final messages and CRAM-MD5 responses never authenticate")
    func mutations() {
        var rng = SplitMix64(seed: 7677)
        let scramFinal = bytes(Vectors.rfc7677ClientFinal)
        let cram = bytes(Vectors.rfc2195Response)
        for _ in 0..<Self.rounds {
            var mutated = scramFinal
            mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            if mutated != scramFinal {
                var e = exchange(.scramSHA256, nonce: Vectors.rfc7677ServerNonce, initialResponse: bytes(Vectors.rfc7677ClientFirst))
                _ = e.start()
                _ = e.credentialsFound(SASLCredentials(scram: Vectors.pencil))
                let step = e.receive(mutated)
                #expect(step.isFinal && step != .success(username: "user"), "\(String(decoding: mutated, as: UTF8.self))")
            }
            var mutatedCRAM = cram
            mutatedCRAM[Int.random(in: 4..<cram.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            // Hex digits compare case-insensitively: only a different value counts as a mutation.
            if Hex.decode(Array(mutatedCRAM[4...])) != Hex.decode(Array(cram[4...])) {
                var c = exchange(.cramMD5, nonce: "1896.697170952", serverName: "postoffice.reston.mci.net")
                _ = c.start()
                if case .lookupCredentials = c.receive(mutatedCRAM) {
                    #expect(c.credentialsFound(SASLCredentials(cramMD5: CRAMMD5Secret(hex: Vectors.timSecret))) == .failure(.invalidCredentials))
                }
            }
        }
    }
}
