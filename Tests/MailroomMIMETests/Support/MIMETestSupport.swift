// MIMETestSupport — helpers for the MailroomMIMETests: octets from strings, corpus files, a
// one-line-per-part dump of a part tree, and the consistency check every parsed tree must pass.

import Foundation
@testable import MailroomMIME
import MailroomTestSupport
import Testing

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// `s` with every LF made CRLF (fixtures are written with "\n").
func crlf(_ s: String) -> [UInt8] { Array(s.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

func text(_ b: some Collection<UInt8>) -> String { String(decoding: Array(b), as: UTF8.self) }

enum MIMECorpus {
    static var root: URL { Corpora.path("mime-torture") }

    /// The message files listed in index.tsv.
    static func messages() throws -> [String] {
        let index = try String(contentsOf: root.appendingPathComponent("index.tsv"), encoding: .utf8)
        return index.split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: "\t").first.map(String.init)
        }
    }

    static func load(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(relative)))
    }
}

extension MIMEMessage {
    /// One line per part: section-ish path, media type and the part's body octets, e.g.
    /// "1 text/plain" — used to compare trees in tests.
    func outline() -> [String] {
        var lines: [String] = []
        func walk(_ index: Int, _ label: String) {
            // Iterative enough for tests: trees here are shallow.
            let part = parts[index]
            lines.append("\(label) \(part.contentType.mediaType)\(part.isMultipart ? "(\(part.children.count))" : "")")
            switch part.structure {
            case .multipart(let children):
                for (i, c) in children.enumerated() { walk(c, label == "" ? "\(i + 1)" : "\(label).\(i + 1)") }
            case .message(let m):
                walk(m, label + "/")
            case .single:
                break
            }
        }
        walk(0, "")
        return lines
    }

    /// Checks that ranges nest: each part's header is followed by its body, children lie in
    /// the parent's body in order without overlap, sizes match the octets. Returns problems.
    func consistencyProblems() -> [String] {
        var problems: [String] = []
        let all = 0..<bytes.count
        for part in parts {
            let h = part.headerRange, b = part.bodyRange
            if h.lowerBound < 0 || h.upperBound > bytes.count || b.upperBound > bytes.count {
                problems.append("part \(part.index): out of bounds \(h) \(b)")
            }
            if h.upperBound != b.lowerBound { problems.append("part \(part.index): header \(h) does not meet body \(b)") }
            if part.headerOctets != crlfOctets(in: h) { problems.append("part \(part.index): header octets") }
            if part.bodyOctets != crlfOctets(in: b) { problems.append("part \(part.index): body octets") }
            var previousEnd = b.lowerBound
            for c in part.children {
                let child = parts[c]
                if child.parent != part.index { problems.append("part \(c): wrong parent") }
                if child.range.lowerBound < previousEnd || child.range.upperBound > b.upperBound {
                    problems.append("part \(c): \(child.range) not inside parent body \(b) after \(previousEnd)")
                }
                previousEnd = child.range.upperBound
            }
            if let m = part.embeddedMessage {
                if parts[m].range != b { problems.append("part \(m): embedded message \(parts[m].range) != body \(b)") }
            }
            if part.index == 0, part.range != all { problems.append("root does not cover the message") }
            if part.depth > limits.maxNestingDepth { problems.append("part \(part.index): too deep") }
        }
        if parts.count > limits.maxParts { problems.append("too many parts") }
        return problems
    }
}
