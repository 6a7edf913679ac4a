// MIMECorpusTests — every message of the shared mime-torture corpus
// (../shared/corpora/mime-torture, see its README and index.tsv) parses within the limits and
// gives a consistent part tree; selected messages have the structure their origin documents.

import Foundation
@testable import MailroomMIME
import Testing

@Suite("mime-torture corpus")
struct MIMECorpusTests {
    @Test("every corpus message parses, ranges nest and sizes add up")
    func everyMessage() throws {
        let names = try MIMECorpus.messages()
        #expect(names.count > 250)
        for name in names {
            let data = try MIMECorpus.load(name)
            let message = MIMEMessage.parse(data)
            let problems = message.consistencyProblems()
            #expect(problems.isEmpty, "\(name): \(problems.prefix(5))")
            // Every text part decodes without trapping, every header decodes.
            for part in message.parts {
                _ = message.decodedText(of: part)
                for field in part.header.fields { _ = EncodedWord.displayText(of: field) }
            }
            for field in message.root.header.fields where ["from", "to", "cc", "reply-to", "sender"].contains(field.name.lowercased()) {
                _ = AddressList.parse(field.unfoldedValue)
            }
        }
    }

    @Test("crymap/torture-test.eml: Mark Crispin's MIME torture test has its known 12-part tree")
    func tortureTest() throws {
        let m = MIMEMessage.parse(try MIMECorpus.load("crymap/torture-test.eml"))
        #expect(m.consistencyProblems().isEmpty)
        #expect(m.root.contentType.mediaType == "multipart/mixed")
        // The top-level types, as Python's email package also reads them.
        #expect(m.children(of: m.root).map(\.contentType.mediaType) == [
            "text/plain", "message/rfc822", "message/rfc822", "audio/basic", "image/pbm", "message/rfc822",
            "message/rfc822", "message/rfc822", "message/rfc822", "image/gif", "message/rfc822", "message/rfc822"])
        #expect(m.root.header.first("Subject").map { EncodedWord.displayText(of: $0) } == "Multi-media mail demonstration")
        let first = try #require(m.part(at: [1]))
        #expect(m.decodedText(of: first)?.hasPrefix("This is a demonstration of multi-part mail with encapsulated messages.") == true)
        #expect(m.part(at: [2])?.embeddedMessage != nil)
        #expect(m.part(at: [2, 2])?.contentType.mediaType == "multipart/mixed")
        #expect(m.part(at: [2, 2, 1])?.contentType.mediaType == "text/richtext")
        #expect(m.part(at: [2, 3])?.contentType.mediaType == "application/andrew-inset")
        #expect(m.part(at: [12, 3, 2])?.contentType.mediaType == "multipart/parallel")
        #expect(m.part(at: [12, 3, 4, 1])?.contentType.mediaType == "audio/x-sun")
        #expect(m.part(at: [13]) == nil)
        // The file is CRLF throughout: CRLF-form sizes are the raw sizes.
        for part in m.parts {
            #expect(part.bodyOctets == part.bodyRange.count)
            #expect(part.headerOctets == part.headerRange.count)
        }
    }

    @Test("mime4j multi-digest.msg: body parts without Content-Type in multipart/digest are messages")
    func digest() throws {
        let m = MIMEMessage.parse(try MIMECorpus.load("mime4j-mimetools-testmsgs/multi-digest.msg"))
        #expect(m.outline() == [" multipart/digest(2)", "1 message/rfc822", "1/ text/plain", "2 message/rfc822", "2/ text/plain"])
        #expect(m.part(at: [1])?.declaredContentType == nil)
        #expect(m.message(at: [1])?.header.first("Subject") != nil)
    }

    @Test("mime4j missing-inner-boundary.msg and multipartnopart.msg: multiparts whose parts never start")
    func missingBoundaries() throws {
        let inner = MIMEMessage.parse(try MIMECorpus.load("mime4j-testmsgs/missing-inner-boundary.msg"))
        #expect(inner.outline() == [" multipart/mixed(2)", "1 text/plain", "2 multipart/alternative(0)"])
        #expect(inner.part(at: [1]).map { text(inner.body(of: $0)) } == "Foo\r\n")
        #expect(inner.part(at: [2]).map { text(inner.body(of: $0)) } == "AAA\r\n")
        let none = MIMEMessage.parse(try MIMECorpus.load("mime4j-testmsgs/multipartnopart.msg"))
        #expect(none.root.isMultipart)
        #expect(none.root.children.isEmpty)
        #expect(none.consistencyProblems().isEmpty)
    }

    @Test("crymap/multi-part-base64.eml: base64 bodies (one with NULs), line ends before delimiters excluded")
    func base64Parts() throws {
        let m = MIMEMessage.parse(try MIMECorpus.load("crymap/multi-part-base64.eml"))
        #expect(m.root.children.count == 2)
        let a = try #require(m.part(at: [1]))
        #expect(text(m.body(of: a)) == "aGVsbG8gd29ybGQ=\r\n")
        #expect(a.bodyLines == 1)
        #expect(a.bodyOctets == 18)
        #expect(text(m.decodedBody(of: a)) == "hello world")
        #expect(m.decodedBody(of: try #require(m.part(at: [2]))) == Array("hell\0 w\0rld".utf8))
    }

    @Test("crymap/with-obsolete-routing.eml: obs-route in From and To")
    func obsoleteRouting() throws {
        let m = MIMEMessage.parse(try MIMECorpus.load("crymap/with-obsolete-routing.eml"))
        let from = AddressList.parse(try #require(m.root.header.first("From")).unfoldedValue)
        #expect(from == [.mailbox(.init(route: Array("@route1.tld".utf8), localPart: Array("foo".utf8), domain: Array("bar.com".utf8)))])
        let to = AddressList.parse(try #require(m.root.header.first("To")).unfoldedValue)
        #expect(to == [.mailbox(.init(route: Array("@route2.tld,@route3".utf8), localPart: Array("baz".utf8), domain: Array("quux.com".utf8)))])
    }

    @Test("spamscope mail_test_9 and mail_test_12: folded GB2312 subjects (with GBK octets), a GB2312 label over UTF-8")
    func chineseSpam() throws {
        let nine = MIMEMessage.parse(try MIMECorpus.load("spamscope-mail-parser/mail_test_9"))
        #expect(nine.root.header.first("Subject").map { EncodedWord.displayText(of: $0) } == "我把镜头拉近些，你们看看这个是什么屄，这种场合自然少不了内射")
        let twelve = MIMEMessage.parse(try MIMECorpus.load("spamscope-mail-parser/mail_test_12"))
        #expect(twelve.root.header.first("Subject").map { EncodedWord.displayText(of: $0) } == "代开各地增值税发票")
        #expect(twelve.root.contentType.charset == "GB2312")
        let body = try #require(twelve.decodedText(of: twelve.root))
        #expect(body.hasPrefix("你好！我公司可代开各类增值税发票"))
    }

    @Test("ruby-mail japanese_iso_2022.eml: UTF-8 words in Subject and To, an ISO-2022-JP body")
    func japanese() throws {
        let m = MIMEMessage.parse(try MIMECorpus.load("ruby-mail/multi_charset/japanese_iso_2022.eml"))
        #expect(m.root.header.first("Subject").map { EncodedWord.displayText(of: $0) } == "まみむめも")
        let to = AddressList.parse(try #require(m.root.header.first("To")).unfoldedValue)
        guard case .mailbox(let mailbox) = try #require(to.first) else { Issue.record("no mailbox"); return }
        #expect(EncodedWord.decode(mailbox.name ?? []) == "みける")
        #expect(mailbox.address == "raasdnil@gmail.com")
        #expect(m.root.contentType.charset == "iso-2022-jp")
        #expect(m.decodedText(of: m.root) == "すみません。\r\n\r\n")
    }
}
