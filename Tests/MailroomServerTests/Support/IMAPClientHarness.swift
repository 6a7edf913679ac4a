// Test support for IMAP end to end: running Support/imap_probe_client.py (Python's imaplib)
// against the harness's IMAP listeners and reading its answer, and finding a user's folders
// on disk (Maildir++: INBOX is the Maildir itself, "A.B" is its subdirectory ".A.B") to check
// what the server stored.

import Foundation
import MailroomCore
import MailroomMaildir

/// The answer of one imap_probe_client.py run.
struct IMAPProbeTranscript: CustomStringConvertible {
    let welcome: String
    let results: [[String: Any]]

    subscript(_ index: Int) -> IMAPProbeStep { IMAPProbeStep(fields: results[index]) }
    /// The greeting, then each step's reply type and the lines the server sent (literals left out).
    var description: String {
        let steps = results.enumerated().map { i, r in
            let step = IMAPProbeStep(fields: r)
            var text = "[\(i)] \(step.typ) \(step.resp)"
            if !step.wire.isEmpty { text += "\n      " + step.wire.joined(separator: "\n      ") }
            return text
        }
        return ([welcome] + steps).joined(separator: "\n")
    }
}

/// The result of one step (see imap_probe_client.py).
struct IMAPProbeStep {
    let fields: [String: Any]
    /// The tagged reply was OK.
    var ok: Bool { fields["ok"] as? Bool == true }
    /// "OK", "NO", "BAD", "BYE", "ABORT" or "ERROR" (the client broke).
    var typ: String { fields["typ"] as? String ?? "" }
    /// The text of the tagged reply (response code included), or the error.
    var resp: String { fields["resp"] as? String ?? "" }
    /// Every line the server sent during the step (literal contents left out).
    var wire: [String] { fields["wire"] as? [String] ?? [] }
    var caps: [String] { fields["caps"] as? [String] ?? [] }
    var lines: [String] { fields["lines"] as? [String] ?? [] }
    var matched: Bool { fields["matched"] as? Bool == true }
    var elapsed: Double { (fields["elapsed"] as? NSNumber)?.doubleValue ?? 0 }
    /// fetch_all's messages.
    var messages: [IMAPProbeMessage] {
        (fields["messages"] as? [[String: Any]] ?? []).map {
            IMAPProbeMessage(seq: Self.int($0["seq"]), uid: Self.int($0["uid"]), size: Self.int($0["size"]),
                             flags: $0["flags"] as? [String] ?? [], body: Self.decode($0["body"]))
        }
    }
    /// append_all's replies: (typ, text).
    var appends: [(typ: String, resp: String)] {
        (fields["results"] as? [[String: Any]] ?? []).map { ($0["typ"] as? String ?? "", $0["resp"] as? String ?? "") }
    }

    /// What imaplib collected under `name` ("EXISTS", "FETCH", "SEARCH", "LIST", …): each item's
    /// text (a literal item: the text before the literal).
    func untagged(_ name: String) -> [String] {
        ((fields["untagged"] as? [String: Any])?[name] as? [Any] ?? []).compactMap {
            if let text = $0 as? String { return text }
            return ($0 as? [Any])?.first as? String
        }
    }

    /// The literals imaplib collected under `name`, in order.
    func literals(_ name: String) -> [[UInt8]] {
        ((fields["untagged"] as? [String: Any])?[name] as? [Any] ?? []).compactMap {
            guard let pair = $0 as? [Any], pair.count == 2 else { return nil }
            return Self.decode(pair[1])
        }
    }

    /// The untagged lines of the wire ("* 3 EXISTS" → "3 EXISTS").
    var untaggedLines: [String] { wire.filter { $0.hasPrefix("* ") }.map { String($0.dropFirst(2)) } }

    static func int(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? -1 }
    static func decode(_ value: Any?) -> [UInt8] {
        guard let text = value as? String, let data = Data(base64Encoded: text) else { return [] }
        return [UInt8](data)
    }
}

struct IMAPProbeMessage {
    let seq: Int, uid: Int, size: Int
    let flags: [String]
    let body: [UInt8]
}

extension ServerHarness {
    /// Runs `steps` (see imap_probe_client.py) over one connection to the IMAP listener (`tls`
    /// "implicit": the IMAPS one).
    func imap(_ steps: [[Any]], tls: String = "none") async throws -> IMAPProbeTranscript {
        let port = tls == "implicit" ? imapsPort : imapPort
        let answer = try await probe(["port": port, "tls": tls, "steps": steps], script: "imap_probe_client.py")
        return IMAPProbeTranscript(welcome: answer["welcome"] as? String ?? "", results: answer["results"] as? [[String: Any]] ?? [])
    }

    /// The step that logs in `user` with LOGIN.
    static func imapLogin(_ user: String = "user@example.com", password: String = ServerHarness.password) -> [Any] {
        ["login", user, password]
    }

    /// The directory of `folder` ("INBOX", "Trash", "Work.Projects") of `address`'s Maildir.
    func folderDirectory(_ address: String, _ folder: String) throws -> String {
        let root = try maildir(address)
        return folder == "INBOX" ? root : "\(root)/.\(folder)"
    }

    /// The file names in new/ and cur/ of a folder, sorted ([] when it does not exist).
    func folderFileNames(_ address: String, _ folder: String) throws -> [String] {
        let dir = try folderDirectory(address, folder)
        return ["new", "cur"].flatMap { ((try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/\($0)")) ?? []) }.sorted()
    }

    /// The bytes of every message file in a folder.
    func folderMessages(_ address: String, _ folder: String) throws -> [[UInt8]] {
        let dir = try folderDirectory(address, folder)
        return try ["new", "cur"].flatMap { sub in
            try ((try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(sub)")) ?? []).sorted().map { name in
                guard let data = FileManager.default.contents(atPath: "\(dir)/\(sub)/\(name)") else {
                    throw HarnessError("cannot read \(dir)/\(sub)/\(name)")
                }
                return [UInt8](data)
            }
        }
    }
}

/// The Maildir flag letters of a file name ("…:2,FS" → "FS"; "" without an info part).
func maildirFlagLetters(_ name: String) -> String {
    guard let range = name.range(of: ":2,") else { return "" }
    return String(name[range.upperBound...])
}

/// A FETCH response's text without the session flag \\Recent (RFC 3501 §2.3.2), whose owner
/// depends on which session saw a message first.
func withoutRecent(_ text: String) -> String {
    text.replacingOccurrences(of: " \\Recent", with: "").replacingOccurrences(of: "\\Recent ", with: "")
        .replacingOccurrences(of: "(\\Recent)", with: "()")
}

/// Base64 of `bytes`, for the probe's message arguments.
func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
