// FetchContentTests.swift — tests for Fetch/FetchContent.swift: every section kind of a nested
// message (multipart/mixed holding a multipart/alternative and a message/rfc822 with its own
// multipart) with exact expected octets; the same message stored with LF and with CRLF gives
// the same CRLF output whose sizes agree with RFC822.SIZE and BODYSTRUCTURE; partials at every
// edge; sections that do not exist; NUL in body data; response items on the wire; \Seen; and
// every mime-torture message answered for every part without a size disagreement.

import Foundation
import MailroomIMAP
import MailroomMIME
import MailroomTestSupport
import Testing

/// The nested fixture and small helpers, shared by the Fetch tests.
enum FetchFixtures {
    /// Stored with bare LF, as Maildir files usually are.
    static let nestedLF = Array("""
    From: Alice <alice@example.org>
    To: bob@example.org
    Subject: nested
    X-Note: first
     folded
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="outer"

    preamble
    --outer
    Content-Type: multipart/alternative; boundary="alt"

    --alt
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: quoted-printable

    caf=C3=A9 =
    ok
    --alt
    Content-Type: text/html

    <p>hi</p>
    --alt--
    --outer
    Content-Type: message/rfc822

    From: inner@example.org
    Subject: inner
    X-Folded: one
     two
    Content-Type: multipart/mixed; boundary="in"

    --in
    Content-Type: text/plain

    inner text
    --in
    Content-Type: application/octet-stream
    Content-Transfer-Encoding: base64

    AAEC/w==
    --in--
    --outer--
    epilogue

    """.utf8)

    /// The same message with CRLF line ends.
    static var nestedCRLF: [UInt8] { crlf(nestedLF) }

    static func crlf(_ lf: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in lf {
            if b == 0x0A { out.append(0x0D) }
            out.append(b)
        }
        return out
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func spec(_ part: [UInt32], _ kind: SectionSpecifier.Kind = .complete) -> SectionSpecifier {
        SectionSpecifier(part: part, kind: kind)
    }

    /// The IMAP part number of every part of `message` (RFC 3501 §6.4.5), in order, found
    /// without recursion: a message's multipart body gives parts 1..n, any other body is part 1;
    /// a message/rfc822 part's message is numbered under the part.
    static func partPaths(_ message: MIMEMessage) -> [[UInt32]] {
        enum Item { case message(Int, [UInt32]), bodyPart(Int, [UInt32]) }
        var out: [[UInt32]] = []
        var stack: [Item] = [.message(0, [])]
        func pushChildren(_ children: [Int], _ prefix: [UInt32]) {
            for (i, c) in children.enumerated().reversed() { stack.append(.bodyPart(c, prefix + [UInt32(i + 1)])) }
        }
        while let item = stack.popLast() {
            switch item {
            case .message(let index, let prefix):
                if case .multipart(let children) = message.parts[index].structure {
                    pushChildren(children, prefix)
                } else {
                    stack.append(.bodyPart(index, prefix + [1]))
                }
            case .bodyPart(let index, let path):
                out.append(path)
                switch message.parts[index].structure {
                case .multipart(let children): pushChildren(children, path)
                case .message(let inner): stack.append(.message(inner, path))
                case .single: break
                }
            }
        }
        return out
    }
}

@Suite("Fetch: BODY[section] content")
struct FetchContentTests {
    typealias F = FetchFixtures

    static let header = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: nested\r\nX-Note: first\r\n folded\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    static let part1 = "--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nok\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--alt--"
    static let innerHeader = "From: inner@example.org\r\nSubject: inner\r\nX-Folded: one\r\n two\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n"
    static let innerText = "--in\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--in\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--in--"
    static let text = "preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" + part1
        + "\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n" + innerHeader + innerText + "\r\n--outer--\r\nepilogue\r\n"

    /// Every section kind of the nested message, with the octets it must give.
    static let expected: [(SectionSpecifier, String)] = [
        (F.spec([]), header + text),
        (F.spec([], .header), header),
        (F.spec([], .text), text),
        (F.spec([], .headerFields(["SUBJECT", "FROM"])), "From: Alice <alice@example.org>\r\nSubject: nested\r\n\r\n"),
        (F.spec([], .headerFields(["X-NOTE"])), "X-Note: first\r\n folded\r\n\r\n"),
        (F.spec([], .headerFieldsNot(["X-NOTE", "CONTENT-TYPE", "MIME-VERSION"])),
         "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: nested\r\n\r\n"),
        (F.spec([1]), part1),
        (F.spec([1], .mime), "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"),
        (F.spec([1, 1]), "caf=C3=A9 =\r\nok"),
        (F.spec([1, 1], .mime), "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"),
        (F.spec([1, 2]), "<p>hi</p>"),
        (F.spec([1, 2], .mime), "Content-Type: text/html\r\n\r\n"),
        (F.spec([2]), innerHeader + innerText),
        (F.spec([2], .mime), "Content-Type: message/rfc822\r\n\r\n"),
        (F.spec([2], .header), innerHeader),
        (F.spec([2], .text), innerText),
        (F.spec([2], .headerFields(["X-FOLDED", "SUBJECT"])), "Subject: inner\r\nX-Folded: one\r\n two\r\n\r\n"),
        (F.spec([2], .headerFieldsNot(["FROM", "CONTENT-TYPE"])), "Subject: inner\r\nX-Folded: one\r\n two\r\n\r\n"),
        (F.spec([2, 1]), "inner text"),
        (F.spec([2, 1], .mime), "Content-Type: text/plain\r\n\r\n"),
        (F.spec([2, 2]), "AAEC/w=="),
        (F.spec([2, 2], .mime), "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
        // Sections that do not exist: empty, as Dovecot answers.
        (F.spec([3]), ""),
        (F.spec([2, 3]), ""),
        (F.spec([1, 1, 1]), ""),
        (F.spec([0]), ""),
        (F.spec([1], .header), ""),          // part 1 is not message/rfc822
        (F.spec([1], .text), ""),
        (F.spec([1, 2], .headerFields(["FROM"])), ""),
        (F.spec([3], .mime), ""),
    ]

    @Test("every section kind of the nested message (stored with LF) gives the exact CRLF octets")
    func nestedSectionsLF() {
        let message = MIMEMessage.parse(F.nestedLF)
        for (spec, want) in Self.expected {
            #expect(FetchContent.section(message, spec) == F.bytes(want), "\(spec)")
            #expect(FetchContent.sectionSize(message, spec) == F.bytes(want).count, "\(spec)")
        }
    }

    @Test("the same message stored with CRLF gives the same octets")
    func nestedSectionsCRLF() {
        let message = MIMEMessage.parse(F.nestedCRLF)
        for (spec, want) in Self.expected {
            #expect(FetchContent.section(message, spec) == F.bytes(want), "\(spec)")
        }
    }

    @Test("sizes agree with RFC822.SIZE and BODYSTRUCTURE for LF and CRLF storage")
    func sizesAgree() {
        for stored in [F.nestedLF, F.nestedCRLF] {
            let message = MIMEMessage.parse(stored)
            let whole = FetchContent.section(message, .complete)!
            #expect(whole == F.nestedCRLF)
            #expect(whole.count == message.crlfOctets(in: 0..<stored.count))
            #expect(FetchContent.section(message, .header)!.count == message.root.headerOctets)
            #expect(FetchContent.section(message, .text)!.count == message.root.bodyOctets)
            for path in F.partPaths(message) {
                let part = message.part(at: path.map { Int($0) })!
                #expect(FetchContent.section(message, F.spec(path))!.count == part.bodyOctets, "\(path)")
                #expect(FetchContent.section(message, F.spec(path, .mime))!.count == part.headerOctets, "\(path)")
            }
        }
    }

    @Test("the part numbers of the nested message are the ones IMAP gives")
    func partNumbers() {
        let paths = F.partPaths(MIMEMessage.parse(F.nestedLF))
        #expect(paths == [[1], [1, 1], [1, 2], [2], [2, 1], [2, 2]])
    }

    @Test("MIME without a part number is the only nil")
    func mimeWithoutPart() {
        let message = MIMEMessage.parse(F.nestedLF)
        #expect(FetchContent.section(message, F.spec([], .mime)) == nil)
        #expect(FetchContent.sectionSize(message, F.spec([], .mime)) == nil)
    }

    @Test("a non-multipart message: part 1 is its body, 1.MIME its header; a message/rfc822 message nests")
    func singlePartMessage() {
        let message = MIMEMessage.parse(F.bytes("Subject: one\nContent-Type: text/plain\n\nbody\nline\n"))
        #expect(FetchContent.section(message, F.spec([1])) == F.bytes("body\r\nline\r\n"))
        #expect(FetchContent.section(message, F.spec([1], .mime)) == F.bytes("Subject: one\r\nContent-Type: text/plain\r\n\r\n"))
        #expect(FetchContent.section(message, F.spec([2])) == [])
        #expect(FetchContent.section(message, F.spec([1, 1])) == [])
        #expect(FetchContent.section(message, F.spec([1], .header)) == [])

        let wrapped = MIMEMessage.parse(F.bytes("Content-Type: message/rfc822\n\nSubject: in\n\nhello\n"))
        #expect(FetchContent.section(wrapped, F.spec([1])) == F.bytes("Subject: in\r\n\r\nhello\r\n"))
        #expect(FetchContent.section(wrapped, F.spec([1], .header)) == F.bytes("Subject: in\r\n\r\n"))
        #expect(FetchContent.section(wrapped, F.spec([1], .text)) == F.bytes("hello\r\n"))
        #expect(FetchContent.section(wrapped, F.spec([1, 1])) == F.bytes("hello\r\n"))
        #expect(FetchContent.section(wrapped, F.spec([1], .headerFields(["SUBJECT"]))) == F.bytes("Subject: in\r\n\r\n"))
    }

    @Test("a message that is all header: HEADER is all of it, TEXT is empty")
    func headerOnly() {
        let message = MIMEMessage.parse(F.bytes("Subject: x\nFrom: a@b"))
        #expect(FetchContent.section(message, .header) == F.bytes("Subject: x\r\nFrom: a@b"))
        #expect(FetchContent.section(message, .text) == [])
        #expect(FetchContent.section(message, F.spec([], .headerFields(["FROM"]))) == F.bytes("From: a@b\r\n\r\n"))
    }

    // MARK: partial

    @Test("partials at the edges of BODY[TEXT]")
    func partialEdges() {
        let message = MIMEMessage.parse(F.nestedLF)
        let text = F.bytes(Self.text)
        let n = UInt32(text.count)
        func fetch(_ origin: UInt32, _ length: UInt32) -> [UInt8]? {
            FetchContent.section(message, .text, partial: Partial(origin: origin, length: length))
        }
        #expect(fetch(0, 1) == Array(text[0..<1]))
        #expect(fetch(0, n) == text)
        #expect(fetch(0, n + 10) == text)
        #expect(fetch(n - 1, 1) == [0x0A])
        #expect(fetch(n - 2, 5) == [0x0D, 0x0A])
        #expect(fetch(n, 1) == [])
        #expect(fetch(n + 100, 10) == [])
        #expect(fetch(0, .max) == text)
        #expect(fetch(.max, .max) == [])
        // "preamble\r\n": a window starting between the CR and LF made from a bare LF.
        #expect(fetch(9, 3) == F.bytes("\n--"))
        #expect(fetch(8, 1) == F.bytes("\r"))
    }

    @Test("every partial of every section equals the slice of the whole section")
    func partialExhaustive() {
        let message = MIMEMessage.parse(F.bytes("A: 1\nB: 2\n\nx\ny\r\nz\n"))
        let specs: [SectionSpecifier] = [.complete, .header, .text, F.spec([1]), F.spec([1], .mime),
                                         F.spec([], .headerFields(["B"]))]
        for spec in specs {
            let whole = FetchContent.section(message, spec)!
            for origin in 0...(whole.count + 1) {
                for length in 1...(whole.count + 1) {
                    let partial = Partial(origin: UInt32(origin), length: UInt32(length))
                    let want = FetchContent.slice(whole, partial)
                    let lo = min(origin, whole.count), hi = min(origin + length, whole.count)
                    #expect(want == Array(whole[lo..<hi]))
                    #expect(FetchContent.section(message, spec, partial: partial) == want, "\(spec) <\(origin).\(length)>")
                }
            }
        }
    }

    // MARK: NUL

    @Test("NUL in body data becomes 0x80; the size does not change")
    func nulInBody() {
        let message = MIMEMessage.parse([0x53, 0x3A, 0x20, 0x78, 0x0A, 0x0A, 0x61, 0x00, 0x62, 0x0A])   // "S: x\n\na\0b\n"
        #expect(FetchContent.section(message, .text) == [0x61, 0x80, 0x62, 0x0D, 0x0A])
        #expect(FetchContent.section(message, .complete)?.contains(0) == false)
        #expect(FetchContent.sectionSize(message, .complete) == 13)   // 10 stored + 3 CRs
    }

    // MARK: response items

    static func wire(_ item: FetchResponseItem) -> String {
        var buffer = IMAPEncodeBuffer()
        item.write(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test("response items name the section as requested and a partial by its origin")
    func responseItems() throws {
        let message = MIMEMessage.parse(F.nestedLF)
        let fields = FetchAttribute.bodySection(F.spec([2], .headerFields(["SUBJECT"])), partial: nil, peek: true)
        #expect(Self.wire(try #require(try FetchContent.responseItem(for: fields, of: message)))
                == "BODY[2.HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: inner\r\n\r\n")
        let partial = FetchAttribute.bodySection(.text, partial: Partial(origin: 3, length: 5), peek: false)
        #expect(Self.wire(try #require(try FetchContent.responseItem(for: partial, of: message))) == "BODY[TEXT]<3> {5}\r\namble")
        #expect(Self.wire(try #require(try FetchContent.responseItem(for: .rfc822Header, of: message)))
                == "RFC822.HEADER {\(Self.header.utf8.count)}\r\n" + Self.header)
        #expect(Self.wire(try #require(try FetchContent.responseItem(for: .rfc822Text, of: message)))
                == "RFC822.TEXT {\(Self.text.utf8.count)}\r\n" + Self.text)
        #expect(try FetchContent.responseItem(for: .rfc822, of: message) == .rfc822(F.nestedCRLF))
        #expect(try FetchContent.responseItem(for: .flags, of: message) == nil)
        #expect(try FetchContent.responseItem(for: .rfc822Size, of: message) == nil)
        let mime = FetchAttribute.bodySection(F.spec([], .mime), partial: nil, peek: true)
        #expect(Self.wire(try #require(try FetchContent.responseItem(for: mime, of: message))) == "BODY[MIME] NIL")
    }

    // MARK: \Seen

    @Test("\\Seen: BODY[], BINARY[], RFC822 and RFC822.TEXT set it; PEEK, HEADER, SIZE and read-only do not")
    func seen() {
        let body = FetchAttribute.bodySection(.complete, partial: nil, peek: false)
        let peek = FetchAttribute.bodySection(.complete, partial: nil, peek: true)
        let binary = FetchAttribute.binary(part: [1], partial: nil, peek: false)
        let binaryPeek = FetchAttribute.binary(part: [1], partial: nil, peek: true)
        for attribute in [body, binary, .rfc822, .rfc822Text] {
            #expect(FetchContent.setsSeen([.flags, attribute], readOnly: false), "\(attribute)")
            #expect(!FetchContent.setsSeen([attribute], readOnly: true), "\(attribute)")
        }
        for attribute in [peek, binaryPeek, .rfc822Header, .rfc822Size, .binarySize(part: [1]), .bodyStructure, .body, .envelope] {
            #expect(!FetchContent.setsSeen([.flags, attribute], readOnly: false), "\(attribute)")
        }
        #expect(!FetchContent.setsSeen([], readOnly: false))
    }

    // MARK: corpus and hostile input

    @Test("every mime-torture message: every part and section answered, sizes agreeing with MailroomMIME")
    func tortureCorpus() throws {
        let root = Corpora.path("mime-torture")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }
            .filter { !$0.hasDirectoryPath && !["README.md", "index.tsv"].contains($0.lastPathComponent) }
        #expect(files.count > 250)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            let message = MIMEMessage.parse(bytes)
            let name = file.lastPathComponent
            #expect(FetchContent.sectionSize(message, .complete) == message.crlfOctets(in: 0..<bytes.count), "\(name)")
            #expect(FetchContent.sectionSize(message, .header) == message.root.headerOctets, "\(name)")
            for path in FetchFixtures.partPaths(message).prefix(200) {
                let part = try #require(message.part(at: path.map { Int($0) }), "\(name) \(path)")
                #expect(FetchContent.sectionSize(message, F.spec(path)) == part.bodyOctets, "\(name) \(path)")
                #expect(FetchContent.sectionSize(message, F.spec(path, .mime)) == part.headerOctets, "\(name) \(path)")
                _ = FetchContent.section(message, F.spec(path, .headerFieldsNot(["RECEIVED"])))
                if let content = try? FetchContent.binary(message, part: path) {
                    #expect(UInt64(content.data.count) == (try? FetchContent.binarySize(message, part: path)), "\(name) \(path)")
                }
            }
        }
    }

    @Test("message/rfc822 nested 300 deep: sections inside the depth limit and past it, no recursion")
    func deepNesting() throws {
        let level = "Content-Type: message/rfc822\n\n"
        let tail = "Subject: bottom\n\nbottom\n"
        let text = String(repeating: level, count: 300) + tail
        let message = MIMEMessage.parse(F.bytes(text))
        #expect(FetchContent.section(message, .complete) == F.crlf(F.bytes(text)))
        // BODY[1.1…1] (k ones) is the body of the k-th message: the levels below it and the tail.
        let fifty = [UInt32](repeating: 1, count: 50)
        let below = F.crlf(F.bytes(String(repeating: level, count: 250) + tail))
        #expect(FetchContent.section(message, F.spec(fifty)) == below)
        #expect(try FetchContent.binary(message, part: fifty).data == below)
        // Past MIMELimits.maxNestingDepth a message/rfc822 part is a leaf: no deeper parts.
        #expect(FetchContent.section(message, F.spec([UInt32](repeating: 1, count: 150))) == [])
        #expect(try FetchContent.binary(message, part: []).data == F.crlf(F.bytes(text)))
    }

    @Test("4 MB of bare LFs: a partial at the end is right and the size counts every CR added")
    func largeBareLF() {
        let body = [UInt8](repeating: 0x0A, count: 4 << 20)
        let message = MIMEMessage.parse(F.bytes("S: x\n\n") + body)
        #expect(FetchContent.sectionSize(message, .text) == 8 << 20)
        let tail = FetchContent.section(message, .text, partial: Partial(origin: UInt32((8 << 20) - 3), length: 10))
        #expect(tail == [0x0A, 0x0D, 0x0A])
    }
}
