// Helpers shared by the grammar tests: parse a line given as a String, get the typed error,
// build the values the fixtures expect, and a deterministic random source for the fuzz tests.

import MailroomCore
@testable import MailroomSMTP
import Testing

/// Parses `line` (no CRLF) as a command.
func command(_ line: String) throws(SMTPSyntaxError) -> SMTPCommand {
    try SMTPCommand.parse(line: Array(line.utf8))
}

/// The error `line` is refused with, or nil when it parses.
func refusal(_ line: String) -> SMTPSyntaxError? {
    refusal(bytes: Array(line.utf8))
}

func refusal(bytes: [UInt8]) -> SMTPSyntaxError? {
    do {
        _ = try SMTPCommand.parse(line: bytes)
        return nil
    } catch {
        return error
    }
}

/// The reply code and enhanced status code of the refusal, "501 5.1.3"; "accepted" when it parses.
func refusalCode(_ line: String) -> String {
    refusal(line).map { "\($0.replyCode) \($0.enhancedStatusCode)" } ?? "accepted"
}

/// The mailbox of "RCPT TO:<path>".
func recipient(_ path: String) throws -> Mailbox {
    guard case .rcpt(.mailbox(let mailbox), _) = try command("RCPT TO:<\(path)>") else {
        throw TestFailure("RCPT TO:<\(path)> is not a mailbox")
    }
    return mailbox
}

/// The reverse-path of "MAIL FROM:<path>".
func sender(_ path: String) throws -> ReversePath {
    guard case .mail(let reversePath, _) = try command("MAIL FROM:<\(path)>") else {
        throw TestFailure("not a MAIL command")
    }
    return reversePath
}

func mailbox(_ local: String, _ domain: String) throws -> Mailbox {
    Mailbox(localPart: try #require(Mailbox.LocalPart(local)), domain: .domain(try DomainName(domain)))
}

func literal(_ text: String) throws -> AddressLiteral {
    AddressLiteral(try #require(IPAddress(text)))
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

