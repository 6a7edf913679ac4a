// MPTCorpusTests.swift — the client lines of Apache James's MPT IMAP scripts (an outside
// corpus: shared/corpora/james-mpt-scripts, Apache-2.0) fed to Parser/. Every single-line
// command of a kind this server parses, which the reference server answered OK or NO, must
// parse; every line must give a command or a typed error. Commands carrying literals are
// skipped (the scripts spread them over lines whose exact octets the format does not keep).

import Foundation
import MailroomIMAP
import MailroomTestSupport
import Testing

@Suite("Parser: James MPT client lines")
struct MPTCorpusTests {
    static let known: Set<String> = [
        "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "ENABLE", "ID", "SELECT", "EXAMINE", "CREATE",
        "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "NAMESPACE", "STATUS", "APPEND", "IDLE", "CHECK",
        "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "GETQUOTA", "GETQUOTAROOT", "SETQUOTA",
        "UID COPY", "UID MOVE", "UID FETCH", "UID SEARCH", "UID STORE", "UID EXPUNGE",
    ]

    /// Lines James accepts and this parser refuses on purpose, by the text that marks them.
    static let deliberateDeviations: [(String, String)] = [
        ("SAVEDATE", "RFC 8514 SAVEDATE is not supported"),
        ("SAVEDBEFORE", "RFC 8514 SAVEDATE is not supported"),
        ("SAVEDON", "RFC 8514 SAVEDATE is not supported"),
        ("SAVEDSINCE", "RFC 8514 SAVEDATE is not supported"),
        ("PARTIAL", "RFC 9394 PARTIAL is not supported"),
        ("MYRIGHTS", "RFC 4314 ACL is not supported"),
        ("emailid", "RFC 8474 OBJECTID is not supported"),
        ("(MAILBOXID)", "RFC 8474 OBJECTID is not supported"),
        ("DELETED-STORAGE", "RFC 9208 QUOTA=RES-STORAGE STATUS item is not supported"),
        ("(ALL)", "fetch macros stand alone (RFC 3501 §9: not inside parentheses)"),
        ("(FAST)", "fetch macros stand alone"),
        ("(FULL)", "fetch macros stand alone"),
        ("FETCH 1:* ()", "a fetch list holds at least one item (RFC 3501 §9)"),
        ("\"version\" 102", "ID values are nstrings, not atoms (RFC 2971 §4)"),
        ("\"vendor\",", "ID lists have no commas (RFC 2971 §4)"),
        ("\"*\"RETURN", "RETURN needs a space before it (RFC 5258 §6)"),
        ("(MESSAGE 4096) (STORAGE", "SETQUOTA takes one list (RFC 9208 §4.1.3)"),
        ("KERBEROS_V4 extra", "not base64: BAD where James says NO to the mechanism"),
    ]

    /// (file, command line, the reference server's status word) for each single-line command.
    static func commands() throws -> [(String, String, String)] {
        let root = Corpora.path("james-mpt-scripts/imap")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var result: [(String, String, String)] = []
        for case let url as URL in walker where url.pathExtension == "test" {
            let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
            var skippingTag: String?
            for (index, line) in lines.enumerated() {
                if let tag = skippingTag {
                    if line.hasPrefix("S: \(tag) ") { skippingTag = nil }
                    continue
                }
                guard line.hasPrefix("C: ") else { continue }
                let command = String(line.dropFirst(3))
                let tag = String(command.prefix { $0 != " " })
                if command.hasSuffix("}") && command.contains("{") {
                    skippingTag = tag
                    continue
                }
                guard let answer = lines[(index + 1)...].first(where: { $0.hasPrefix("S: \(tag) ") }) else { continue }
                let status = answer.dropFirst(3 + tag.count + 1).prefix { $0 != " " }
                result.append((url.lastPathComponent, command, String(status)))
            }
        }
        return result
    }

    static func name(_ command: String) -> String {
        let words = command.split(separator: " ").dropFirst().prefix(2).map { $0.uppercased() }
        guard let first = words.first else { return "" }
        return first == "UID" && words.count > 1 ? "UID " + words[1] : first
    }

    @Test("commands the reference server accepted parse; nothing crashes")
    func corpus() throws {
        let commands = try Self.commands()
        #expect(commands.count > 1000, "the corpus is at \(Corpora.path("james-mpt-scripts").path)")
        let parser = IMAPCommandParser()
        var checked = 0
        for (file, line, status) in commands {
            let result = Result { () throws(IMAPParseError) in try parser.parse(Array(line.utf8)) }
            guard Self.known.contains(Self.name(line)), status == "OK" || status == "NO" else { continue }
            checked += 1
            if case .failure(let error) = result, !Self.deliberateDeviations.contains(where: { line.contains($0.0) }) {
                Issue.record("\(file): \(line.debugDescription) → \(error) (reference server: \(status))")
            }
        }
        #expect(checked > 500)
    }
}
