// Test support for POP3: running Support/pop3_probe.py against the harness's POP3 listeners
// and reading its answer, and putting messages into a user's Maildir directly on disk (fast
// enough for 10,000 messages), as another delivery agent would.

import Foundation
import MailroomCore
import MailroomMaildir

/// The answer of one pop3_probe.py run.
struct POP3Transcript: CustomStringConvertible {
    let welcome: String
    let results: [[String: Any]]

    subscript(_ index: Int) -> POP3Step { POP3Step(fields: results[index]) }
    var description: String { "\(welcome) \(results)" }
}

/// The result of one step.
struct POP3Step {
    let fields: [String: Any]
    var ok: Bool { fields["ok"] as? Bool == true }
    var resp: String { fields["resp"] as? String ?? "" }
    var lines: [String] { fields["lines"] as? [String] ?? [] }
    var elapsed: Double { fields["elapsed"] as? Double ?? 0 }
    var eof: Bool { fields["eof"] as? Bool == true }
    var data: [UInt8] { Self.decode(fields["data"]) }
    var datas: [[UInt8]] { (fields["datas"] as? [String] ?? []).map { Self.decode($0) } }
    var responses: [(status: String, data: [UInt8])] {
        (fields["responses"] as? [[String: Any]] ?? []).map { ($0["status"] as? String ?? "", Self.decode($0["data"])) }
    }

    static func decode(_ value: Any?) -> [UInt8] {
        guard let text = value as? String, let data = Data(base64Encoded: text) else { return [] }
        return [UInt8](data)
    }
}

extension ServerHarness {
    /// Runs `steps` (see pop3_probe.py) over one connection to the POP3 listener (`tls`
    /// "implicit": the POP3S one).
    func pop3(_ steps: [[Any]], tls: String = "none") async throws -> POP3Transcript {
        let port = tls == "implicit" ? pop3sPort : pop3Port
        let answer = try await probe(["port": port, "tls": tls, "steps": steps], script: "pop3_probe.py")
        return POP3Transcript(welcome: answer["welcome"] as? String ?? "", results: answer["results"] as? [[String: Any]] ?? [])
    }

    /// The steps that log in `user` with USER/PASS.
    static func login(_ user: String = "user@example.com", password: String = ServerHarness.password) -> [Any] {
        ["user", user, password]
    }

    /// The Maildir of `address`, created when missing.
    func maildir(_ address: String) throws -> String {
        try MaildirLayout.createMailbox(volume: configuration.storage.mailRoot, address: try EmailAddress(address))
    }

    /// Writes `messages` into new/ of `address`'s Maildir as files with unique names (no
    /// fsync: tests only); returns the base names, in the order given (which is also the order
    /// the Maildir engine numbers them in, by name).
    @discardableResult
    func putMessages(_ address: String, _ messages: [[UInt8]], start: Int = 1_700_000_000) throws -> [String] {
        let new = try maildir(address) + "/new"
        var names: [String] = []
        names.reserveCapacity(messages.count)
        for (i, message) in messages.enumerated() {
            let name = "\(start + i).M\(100_000 + i)P4242.mx.example.com"
            let fd = open("\(new)/\(name)", O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw HarnessError("cannot create \(new)/\(name)") }
            let written = message.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == message.count else { throw HarnessError("short write to \(new)/\(name)") }
            names.append(name)
        }
        return names
    }

    /// The file names in `address`'s INBOX (new/ and cur/), sorted.
    func inboxFileNames(_ address: String) throws -> [String] {
        let root = try maildir(address)
        return try ["new", "cur"].flatMap { try FileManager.default.contentsOfDirectory(atPath: "\(root)/\($0)") }.sorted()
    }
}
