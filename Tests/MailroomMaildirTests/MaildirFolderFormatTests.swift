// Maildir++ folder-level formats: IMAP modified UTF-7 (RFC 3501 §5.1.3), folder directory names
// (".Archive.2024"), Dovecot's dovecot-keywords file and the Maildir++ quota file maildirsize.
// Known vectors (checked against glibc's UTF-7-IMAP converter), round trips over random Unicode,
// every rejection with its reason, damaged files.

import MailroomCore
import Testing
@testable import MailroomMaildir
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Helpers


/// Random Unicode text mixing printable ASCII ('&' and '-' included), controls, Latin, CJK,
/// and astral characters (emoji, musical symbols: surrogate pairs in UTF-16).
func randomUnicodeString(maxLength: Int, using rng: inout SplitMix64,
                         allowed: (Unicode.Scalar) -> Bool = { _ in true }) -> String {
    var scalars = String.UnicodeScalarView()
    let length = Int.random(in: 0...maxLength, using: &rng)
    while scalars.count < length {
        let value: UInt32
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<35: value = UInt32.random(in: 0x20...0x7E, using: &rng)
        case 35..<42: value = ["&", "-", ",", "+", "/", "."].randomElement(using: &rng)!.unicodeScalars.first!.value
        case 42..<47: value = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x7F, 0x85, 0x9F].randomElement(using: &rng)!
        case 47..<65: value = UInt32.random(in: 0xA0...0x24F, using: &rng)
        case 65..<80: value = UInt32.random(in: 0x4E00...0x9FFF, using: &rng)
        case 80..<85: value = UInt32.random(in: 0xE000...0xFFFD, using: &rng)
        case 85..<95: value = UInt32.random(in: 0x1F300...0x1FAFF, using: &rng)
        default: value = UInt32.random(in: 0x10000...0x10FFFD, using: &rng)
        }
        guard let scalar = Unicode.Scalar(value), allowed(scalar) else { continue }
        scalars.append(scalar)
    }
    return String(scalars)
}

/// glibc's own UTF-7-IMAP converter, as an independent implementation to compare with.
func glibcUTF7IMAP(_ s: String) -> String? {
    #if canImport(Glibc)
    guard let cd = iconv_open("UTF-7-IMAP", "UTF-8"), cd != iconv_t(bitPattern: -1) else { return nil }
    defer { iconv_close(cd) }
    var input = Array(s.utf8).map { CChar(bitPattern: $0) }
    var output = [CChar](repeating: 0, count: input.count * 8 + 16)
    let outputCount = output.count
    let result: Int = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
            var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
            var inLeft = inBuf.count
            var outLeft = outBuf.count
            if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { return -1 }
            // Flush the shift state (closes an open '&…' run).
            if iconv(cd, nil, nil, &outPtr, &outLeft) == -1 { return -1 }
            return outputCount - outLeft
        }
    }
    guard result >= 0 else { return nil }
    return String(decoding: output[..<result].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    #else
    return nil
    #endif
}

func decodeError(_ s: String) -> ModifiedUTF7.DecodeError? {
    do {
        _ = try ModifiedUTF7.decode(s)
        return nil
    } catch {
        return error
    }
}

func folderNameError(_ components: [String]) -> MaildirFolderName.NameError.Reason? {
    do {
        _ = try MaildirFolderName.directoryName(for: components)
        return nil
    } catch {
        return error.reason
    }
}

func directoryNameError(_ bytes: [UInt8]) -> MaildirFolderName.NameError.Reason? {
    do {
        _ = try MaildirFolderName.components(fromDirectoryName: bytes)
        return nil
    } catch {
        return error.reason
    }
}

// MARK: - Modified UTF-7

@Suite("IMAP modified UTF-7 (RFC 3501 §5.1.3)")
struct ModifiedUTF7Tests {
    static let vectors: [(String, String)] = [
        ("", ""),
        ("INBOX", "INBOX"),
        ("&", "&-"),
        ("a&b", "a&-b"),
        ("Entwürfe", "Entw&APw-rfe"),
        ("已发送", "&XfJT0ZAB-"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("送信済みメール", "&kAFP4W4IMH8w4TD8MOs-"),
        ("📧 Mail", "&2D3c5w- Mail"),
        ("😀😀", "&2D3eANg93gA-"),
        ("𝄞", "&2DTdHg-"),
        ("á&", "&AOE-&-"),
        ("Ünïcødé & 日本", "&ANw-n&AO8-c&APg-d&AOk- &- &ZeVnLA-"),
        ("tab\tx", "tab&AAk-x"),
        ("€", "&IKw-"),
        ("\u{FEFF}", "&,v8-"),
        ("\u{0}", "&AAA-"),
    ]

    @Test("known vectors encode and decode", arguments: vectors)
    func knownVectors(_ text: String, _ encoded: String) throws {
        #expect(ModifiedUTF7.encode(text) == encoded)
        let decoded = try ModifiedUTF7.decode(encoded)
        #expect(Array(decoded.unicodeScalars) == Array(text.unicodeScalars))
        #expect(ModifiedUTF7.isValid(encoded))
    }

    @Test("the known vectors agree with glibc's UTF-7-IMAP converter", arguments: vectors)
    func vectorsMatchGlibc(_ text: String, _ encoded: String) throws {
        let glibc = try #require(glibcUTF7IMAP(text), "glibc has no UTF-7-IMAP converter")
        #expect(glibc == encoded)
    }

    @Test("printable ASCII other than '&' is written as itself")
    func printableASCII() {
        let all = String(String.UnicodeScalarView((0x20...0x7E).compactMap(Unicode.Scalar.init).filter { $0 != "&" }))
        #expect(ModifiedUTF7.encode(all) == all)
        #expect(ModifiedUTF7.encode("a-b,c+d/e") == "a-b,c+d/e")
    }

    @Test("random Unicode round-trips, and the encoding is pure printable ASCII")
    func randomRoundTrips() throws {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<3000 {
            let text = randomUnicodeString(maxLength: 24, using: &rng)
            let encoded = ModifiedUTF7.encode(text)
            #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "\(encoded)")
            let decoded = try ModifiedUTF7.decode(encoded)
            #expect(Array(decoded.unicodeScalars) == Array(text.unicodeScalars), "\(encoded)")
            // Canonical: the encoding of what we decoded is the same spelling.
            #expect(ModifiedUTF7.encode(decoded) == encoded)
        }
    }

    @Test("random Unicode encodes exactly as glibc's UTF-7-IMAP does")
    func randomAgainstGlibc() throws {
        var rng = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<1000 {
            let text = randomUnicodeString(maxLength: 16, using: &rng)
            let glibc = try #require(glibcUTF7IMAP(text))
            #expect(ModifiedUTF7.encode(text) == glibc, "\(Array(text.unicodeScalars))")
        }
    }

    @Test("random byte strings: whatever decodes is canonical, nothing traps")
    func randomBytesAreCanonicalOrRefused() {
        var rng = SplitMix64(seed: 0x5EED_0003)
        let alphabet = Array("&-AaBgDE0123456789+,/=2zZ3dX .\u{7F}".utf8) + [0x00, 0x09, 0xC3, 0xFF]
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            if let text = try? ModifiedUTF7.decode(utf8: bytes) {
                accepted += 1
                #expect(Array(ModifiedUTF7.encode(text).utf8) == bytes)
            }
        }
        #expect(accepted > 100)  // the alphabet is rich enough to hit valid names
    }

    typealias Reason = ModifiedUTF7.DecodeError.Reason
    static let rejections: [(String, Int, Reason)] = [
        ("Entw&APw", 4, .unterminatedShift),
        ("&", 0, .unterminatedShift),
        ("abc&", 3, .unterminatedShift),
        ("&AO=-", 3, .invalidBase64Character(UInt8(ascii: "="))),
        ("&A/E-", 2, .invalidBase64Character(UInt8(ascii: "/"))),
        ("&AO E-", 3, .invalidBase64Character(UInt8(ascii: " "))),
        ("&AO&-", 3, .invalidBase64Character(UInt8(ascii: "&"))),
        ("&AOF-", 3, .nonZeroPaddingBits),
        ("&AOEA-", 5, .incompleteUnit),
        ("&AA-", 3, .incompleteUnit),
        ("&A-", 2, .incompleteUnit),
        ("&AGE-", 3, .encodedPrintableASCII(0x61)),
        ("&ACY-", 3, .encodedPrintableASCII(0x26)),
        ("&ACA-", 3, .encodedPrintableASCII(0x20)),
        ("&AC8-", 3, .encodedPrintableASCII(0x2F)),
        ("&AOEAYQ-", 6, .encodedPrintableASCII(0x61)),
        ("&AOE-&AOE-", 5, .adjacentShifts),
        ("x&IKw-&AOE-y", 6, .adjacentShifts),
        ("Entwürfe", 4, .nonASCIIByte(0xC3)),
        ("a\tb", 1, .controlCharacter(0x09)),
        ("a\u{7F}", 1, .controlCharacter(0x7F)),
        ("\u{0}", 0, .controlCharacter(0x00)),
        ("&2D0-", 3, .unpairedSurrogate(0xD83D)),
        ("&3gA-", 3, .unpairedSurrogate(0xDE00)),
        ("&2D0A4Q-", 3, .unpairedSurrogate(0xD83D)),
        ("&2D3YPQ-", 3, .unpairedSurrogate(0xD83D)),
        ("&2D0-&3gA-", 3, .unpairedSurrogate(0xD83D)),
        ("&2D0-x&3gA-", 3, .unpairedSurrogate(0xD83D)),
    ]

    @Test("strict decoding refuses each malformed name with its position and reason", arguments: rejections)
    func rejected(_ input: String, _ position: Int, _ reason: Reason) {
        #expect(decodeError(input) == ModifiedUTF7.DecodeError(position: position, reason: reason))
        #expect(!ModifiedUTF7.isValid(input))
    }

    @Test("two shifts that each spell printable ASCII are refused (\"&AGE-&AGE-\")")
    func adjacentPrintableShifts() throws {
        #expect(decodeError("&AGE-&AGE-") != nil)
        // "&-" after a shift is a literal '&', not a second shift.
        #expect(try ModifiedUTF7.decode("&AOE-&-") == "á&")
        #expect(try ModifiedUTF7.decode("&-&AOE-") == "&á")
    }

    @Test("raw bytes that are not UTF-8 are refused at their position")
    func nonUTF8Bytes() {
        #expect(throws: ModifiedUTF7.DecodeError(position: 2, reason: .nonASCIIByte(0xFF))) {
            try ModifiedUTF7.decode(utf8: [0x41, 0x42, 0xFF, 0x43])
        }
    }

    @Test("errors name the byte position and the reason")
    func errorDescription() throws {
        let error = try #require(decodeError("Entw&APw"))
        #expect(error.description == "modified UTF-7 at byte 4: '&' shift has no closing '-'")
        #expect(String(describing: try #require(decodeError("&2D0-"))).contains("unpaired UTF-16 surrogate 0xD83D"))
    }
}

// MARK: - Folder directory names

@Suite("Maildir++ folder directory names")
struct MaildirFolderNameTests {
    static let vectors: [([String], String)] = [
        (["Sent"], ".Sent"),
        (["Archive", "2024"], ".Archive.2024"),
        (["Entwürfe"], ".Entw&APw-rfe"),
        (["已发送"], ".&XfJT0ZAB-"),
        (["台北", "日本語"], ".&U,BTFw-.&ZeVnLIqe-"),
        (["送信済みメール"], ".&kAFP4W4IMH8w4TD8MOs-"),
        (["📧 Mail", "2024"], ".&2D3c5w- Mail.2024"),
        (["A&B"], ".A&-B"),
        (["Archive", "INBOX"], ".Archive.INBOX"),
        (["Inboxes"], ".Inboxes"),
        (["~peter", "a,b-c+d"], ".~peter.a,b-c+d"),
    ]

    @Test("folder paths map to Dovecot/Courier directory names and back", arguments: vectors)
    func knownNames(_ components: [String], _ directory: String) throws {
        #expect(try MaildirFolderName.directoryName(for: components) == directory)
        #expect(try MaildirFolderName.components(fromDirectoryName: directory) == components)
        #expect(MaildirFolderName.isMaildirPlusPlusFolder(directoryName: directory))
    }

    typealias Reason = MaildirFolderName.NameError.Reason
    static let badPaths: [([String], Reason)] = [
        ([], .inboxIsRoot),
        ([""], .emptyComponent(0)),
        (["a", ""], .emptyComponent(1)),
        (["."], .dotComponent(0)),
        (["a", ".."], .dotComponent(1)),
        (["a.b"], .forbiddenCharacter(0, ".")),
        (["a", "b/c"], .forbiddenCharacter(1, "/")),
        (["a\u{1}b"], .forbiddenCharacter(0, "\u{1}")),
        (["a\nb"], .forbiddenCharacter(0, "\n")),
        (["a\u{7F}"], .forbiddenCharacter(0, "\u{7F}")),
        (["a\u{85}"], .forbiddenCharacter(0, "\u{85}")),
        (["INBOX"], .reservedInbox),
        (["inbox"], .reservedInbox),
        (["InBoX", "Sub"], .reservedInbox),
        ([String(repeating: "a", count: 255)], .tooLong(256)),
        ([String(repeating: "a", count: 100), String(repeating: "b", count: 100), String(repeating: "c", count: 60)], .tooLong(263)),
    ]

    @Test("bad folder paths are refused with the reason", arguments: badPaths)
    func badPath(_ components: [String], _ reason: Reason) {
        #expect(folderNameError(components) == reason)
    }

    @Test("the longest name that fits NAME_MAX is accepted")
    func longestName() throws {
        let component = String(repeating: "a", count: 254)
        #expect(try MaildirFolderName.directoryName(for: [component]).utf8.count == 255)
        // The limit is on the encoded name: 100 × "日" is 1600 bits of UTF-16, 267 BASE64
        // characters, plus '&', '-' and the leading '.'.
        #expect(folderNameError([String(repeating: "日", count: 100)]) == .tooLong(270))
        #expect(folderNameError([String(repeating: "日", count: 94)]) == nil)
    }

    static let badDirectories: [(String, Reason)] = [
        ("", .missingLeadingDot),
        ("Sent", .missingLeadingDot),
        ("cur", .missingLeadingDot),
        (".", .emptyComponent(0)),
        ("..", .emptyComponent(0)),
        ("..Sent", .emptyComponent(0)),
        (".a..b", .emptyComponent(1)),
        (".a.", .emptyComponent(1)),
        (".INBOX", .reservedInbox),
        (".inbox.Sub", .reservedInbox),
        (".Entw&APw", .undecodable(0, .init(position: 4, reason: .unterminatedShift))),
        (".a.b&AOE-&AOE-", .undecodable(1, .init(position: 6, reason: .adjacentShifts))),
        (".a&AC8-b", .undecodable(0, .init(position: 4, reason: .encodedPrintableASCII(0x2F)))),
        (".a&AC4-b", .undecodable(0, .init(position: 4, reason: .encodedPrintableASCII(0x2E)))),
        (".Entwürfe", .undecodable(0, .init(position: 4, reason: .nonASCIIByte(0xC3)))),
        (".&AAE-", .forbiddenCharacter(0, "\u{1}")),
        (".x.&AIU-", .forbiddenCharacter(1, "\u{85}")),
        ("." + String(repeating: "a", count: 255), .tooLong(256)),
    ]

    @Test("bad directory names on disk are reported, never trusted", arguments: badDirectories)
    func badDirectory(_ name: String, _ reason: Reason) {
        #expect(directoryNameError(Array(name.utf8)) == reason)
        #expect(throws: MaildirFolderName.NameError.self) {
            try MaildirFolderName.components(fromDirectoryName: name)
        }
    }

    @Test("a directory name that is not UTF-8 is reported")
    func notUTF8() throws {
        #expect(directoryNameError([0x2E, 0x41, 0xFF, 0x42]) == .undecodable(0, .init(position: 1, reason: .nonASCIIByte(0xFF))))
        #expect(directoryNameError([0x2E, 0x41, 0x2E, 0x80]) == .undecodable(1, .init(position: 0, reason: .nonASCIIByte(0x80))))
        let error = try #require(throws: MaildirFolderName.NameError.self) {
            try MaildirFolderName.components(fromDirectoryName: [0x2E, 0xC3, 0x28])
        }
        #expect(error.description.hasPrefix("bad Maildir++ folder name"))
    }

    @Test("folder directories are told apart from cur/new/tmp and control files")
    func folderOrNot() {
        for name in [".Sent", ".Archive.2024", ".Entw&APw-rfe", ".Trash", ".INBOX", ".Entw&APw"] {
            #expect(MaildirFolderName.isMaildirPlusPlusFolder(directoryName: name), "\(name)")
        }
        for name in ["", ".", "..", "cur", "new", "tmp", "maildirsize", "maildirfolder", "dovecot-uidlist",
                     "dovecot-uidlist.lock", "dovecot-keywords", "dovecot-uidvalidity", "dovecot-uidvalidity.5f3a21b0",
                     "dovecot.index", "dovecot.index.log", "dovecot.index.cache", "dovecot.list.index",
                     "dovecot.list.index.log", "dovecot.mailbox.log", "dovecot-acl-list", "subscriptions",
                     "courierimapuiddb", "courierimapkeywords", "courierimapsubscribed", "courierimaphieracl",
                     "courierpop3dsizelist", "shared-folders"] {
            #expect(!MaildirFolderName.isMaildirPlusPlusFolder(directoryName: name), "\(name)")
        }
    }

    @Test("random folder paths round-trip through their directory names")
    func randomRoundTrips() throws {
        var rng = SplitMix64(seed: 0x5EED_0010)
        var tested = 0
        for _ in 0..<2000 {
            let depth = Int.random(in: 1...4, using: &rng)
            let components = (0..<depth).map { _ in
                randomUnicodeString(maxLength: 10, using: &rng) { scalar in
                    scalar != "." && scalar != "/" && scalar.properties.generalCategory != .control
                }
            }
            guard MaildirFolderName.problem(with: components[0], at: 0) == nil,
                  components.allSatisfy({ !$0.isEmpty }) else { continue }
            let directory = try MaildirFolderName.directoryName(for: components)
            #expect(directory.hasPrefix("."))
            #expect(!directory.contains("/"))
            let back = try MaildirFolderName.components(fromDirectoryName: directory)
            #expect(back.map { Array($0.unicodeScalars) } == components.map { Array($0.unicodeScalars) })
            tested += 1
        }
        #expect(tested > 1000)
    }

    @Test("random directory names: whatever is accepted maps back to the same name")
    func randomDirectoriesAreCanonical() {
        var rng = SplitMix64(seed: 0x5EED_0011)
        let alphabet = Array(".&-AOEaIUgZ0+,/ \u{7F}".utf8) + [0x01, 0xFF]
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = [UInt8(ascii: ".")] + (0..<Int.random(in: 0...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            guard let components = try? MaildirFolderName.components(fromDirectoryName: bytes) else { continue }
            accepted += 1
            #expect((try? MaildirFolderName.directoryName(for: components)).map { Array($0.utf8) } == bytes)
        }
        #expect(accepted > 100)
    }
}

// MARK: - dovecot-keywords

@Suite("dovecot-keywords")
struct DovecotKeywordsTests {
    @Test("Dovecot's file parses, looks up by name and letter, and is written back byte for byte")
    func roundTrip() throws {
        let text = "0 $Forwarded\n1 Junk\n2 NonJunk\n4 $label1\n"
        let parsed = DovecotKeywords.parse(text)
        #expect(parsed.problems.isEmpty)
        let keywords = parsed.keywords
        #expect(keywords.count == 4)
        #expect(keywords.letter(for: "$Forwarded") == "a")
        #expect(keywords.letter(for: "$label1") == "e")
        #expect(keywords.name(for: "b") == "Junk")
        #expect(keywords.name(for: "d") == nil)
        #expect(keywords.serialized == text)
    }

    @Test("lines are written in index order whatever order they were read in")
    func sorted() {
        let parsed = DovecotKeywords.parse("25 Last\n3 c\n0 a\n")
        #expect(parsed.problems.isEmpty)
        #expect(parsed.keywords.serialized == "0 a\n3 c\n25 Last\n")
        #expect(parsed.keywords.letter(for: "last") == "z")
    }

    @Test("damaged lines are skipped and reported with their line numbers; the rest is kept")
    func damaged() {
        let lines = [
            "0 $Forwarded",  // 1
            "garbage",  // 2: no space
            "26 TooHigh",  // 3: index out of range
            "-1 Negative",  // 4
            "x Name",  // 5
            "1 ",  // 6: empty name
            "2 Junk",  // 7
            "3 junk",  // 8: same name, other case
            "2 Other",  // 9: same index
            "4 bad name",  // 10: not an atom
            "5 a(b",  // 11
            "6 \\Seen",  // 12
            "7 ok]",  // 13
            "8 tab\there",  // 14
            "9 Ünï",  // 15
            "10 NonJunk",  // 16
            "0001 Padded",  // 17: leading zeros are still index 1
            "123456789012345678901234567890 Huge",  // 18
        ]
        let text = lines.joined(separator: "\n") + "\n"
        let parsed = DovecotKeywords.parse(text)
        #expect(parsed.problems.map(\.line) == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 18])
        #expect(parsed.keywords.serialized == "0 $Forwarded\n1 Padded\n2 Junk\n10 NonJunk\n")
        #expect(parsed.problems[0].description == "dovecot-keywords line 2: no space between index and name")
        #expect(parsed.problems[1].reason.contains("'26'"))
        #expect(parsed.problems[4].reason == "empty name")
        #expect(parsed.problems[5].reason.contains("already index 2"))
        #expect(parsed.problems[6].reason.contains("already 'Junk'"))
    }

    @Test("an empty file is an empty table")
    func empty() {
        let parsed = DovecotKeywords.parse("")
        #expect(parsed.problems.isEmpty && parsed.keywords.count == 0 && parsed.keywords.serialized == "")
    }

    @Test("lookups ignore ASCII case; the first spelling is kept")
    func caseInsensitive() throws {
        var keywords = DovecotKeywords()
        #expect(try keywords.assign("$Forwarded") == "a")
        #expect(keywords.letter(for: "$FORWARDED") == "a")
        #expect(keywords.letter(for: "$forwarded") == "a")
        #expect(try keywords.assign("$fOrWaRdEd") == "a")
        #expect(keywords.count == 1)
        #expect(keywords.name(for: "a") == "$Forwarded")
        #expect(keywords.letter(for: "$Forwarde") == nil)
    }

    @Test("assign takes the lowest free letter and gives nil when all 26 are used")
    func assign() throws {
        var keywords = DovecotKeywords.parse("0 a0\n2 a2\n").keywords
        #expect(try keywords.assign("New") == "b")
        #expect(try keywords.assign("Newer") == "d")
        for i in 4..<26 {
            #expect(try keywords.assign("k\(i)") == DovecotKeywords.letter(forIndex: i))
        }
        #expect(keywords.count == 26)
        #expect(try keywords.assign("OneTooMany") == nil)
        #expect(try keywords.assign("new") == "b")  // existing names still resolve when full
        #expect(keywords.letter(for: "OneTooMany") == nil)
    }

    @Test("assign refuses names that are not IMAP atoms")
    func assignInvalid() {
        var keywords = DovecotKeywords()
        #expect(throws: DovecotKeywords.InvalidKeyword.self) { try keywords.assign("two words") }
        #expect(throws: DovecotKeywords.InvalidKeyword.self) { try keywords.assign("\\Seen") }
        #expect(keywords.count == 0)
    }

    static let valid = ["$Forwarded", "Junk", "$label1", "a.b", "x+y", "[tag", "}", "a-b_c", "~", "!#&'+,-./:;<=>?@^`|"]
    static let invalid = ["", "a b", "(", "a)", "{x", "%", "*", "\"", "\\Seen", "x\\", "]", "a\u{1}", "\u{7F}", "é",
                          "a\tb", "a\r", "日本"]

    @Test("IMAP atoms are valid keywords", arguments: valid)
    func validAtoms(_ name: String) {
        #expect(DovecotKeywords.isValidKeyword(name))
    }

    @Test("non-atoms are not", arguments: invalid)
    func invalidAtoms(_ name: String) {
        #expect(!DovecotKeywords.isValidKeyword(name))
        #expect(DovecotKeywords.problem(with: name) != nil)
    }

    @Test("letters map to indexes a…z and nothing else")
    func letters() {
        #expect(DovecotKeywords.letter(forIndex: 0) == "a")
        #expect(DovecotKeywords.letter(forIndex: 25) == "z")
        #expect(DovecotKeywords.letter(forIndex: 26) == nil)
        #expect(DovecotKeywords.letter(forIndex: -1) == nil)
        #expect(DovecotKeywords.index(forLetter: "a") == 0)
        #expect(DovecotKeywords.index(forLetter: "z") == 25)
        for letter: Character in ["A", "Z", "0", "é", "{", "`"] {
            #expect(DovecotKeywords.index(forLetter: letter) == nil)
        }
        let keywords = DovecotKeywords.parse("0 Zero\n").keywords
        #expect(keywords.name(for: "A") == nil)
    }

    @Test("a table built from entries is validated")
    func fromEntries() throws {
        let keywords = try DovecotKeywords([(index: 3, name: "Junk"), (index: 0, name: "$Forwarded")])
        #expect(keywords.serialized == "0 $Forwarded\n3 Junk\n")
        #expect(throws: DovecotKeywords.InvalidKeyword.self) { try DovecotKeywords([(index: 26, name: "x")]) }
        #expect(throws: DovecotKeywords.InvalidKeyword.self) { try DovecotKeywords([(index: 1, name: "a b")]) }
        #expect(throws: DovecotKeywords.InvalidKeyword.self) {
            try DovecotKeywords([(index: 1, name: "Junk"), (index: 2, name: "JUNK")])
        }
        #expect(throws: DovecotKeywords.InvalidKeyword.self) {
            try DovecotKeywords([(index: 1, name: "a"), (index: 1, name: "b")])
        }
    }
}

// MARK: - maildirsize

@Suite("maildirsize (Maildir++ quota)")
struct MaildirSizeTests {
    typealias Limits = MaildirSize.Limits

    @Test("Courier's padded file sums up")
    func courierFile() throws {
        let text = "10000000S,1000C\n     1234567            3\n        2048            1\n       -1024           -1\n"
        let size = try MaildirSize.parse(text)
        #expect(size.limits == Limits(bytes: 10_000_000, messages: 1000))
        #expect(size.usedBytes == 1_234_567 + 2048 - 1024)
        #expect(size.usedMessages == 3)
        #expect(!size.needsRecalculation)
        #expect(size.deltaLineCount == 3)
        #expect(size.problems.isEmpty)
    }

    @Test("Dovecot's file with no limits")
    func dovecotUnlimited() throws {
        let size = try MaildirSize.parse("0S\n0 0\n")
        #expect(size.limits == .unlimited && size.limits.bytes == nil && size.limits.messages == nil)
        #expect(size.usedBytes == 0 && size.usedMessages == 0 && !size.needsRecalculation)
    }

    static let definitions: [(String, Int64?, Int64?)] = [
        ("1000000S,1000C", 1_000_000, 1000),
        ("1000C,2000S", 2000, 1000),
        ("1000S", 1000, nil),
        ("500C", nil, 500),
        ("0S", nil, nil),
        ("0S,0C", nil, nil),
        ("0C,5S", 5, nil),
        ("", nil, nil),
        ("9223372036854775807S", Int64.max, nil),
    ]

    @Test("quota definitions parse; 0 or missing is unlimited", arguments: definitions)
    func definition(_ text: String, _ bytes: Int64?, _ messages: Int64?) throws {
        let limits = try Limits.parse(text)
        #expect(limits.bytes == bytes && limits.messages == messages)
        let file = try MaildirSize.parse(text + "\n0 0\n")
        #expect(file.limits == limits)
    }

    static let badDefinitions = ["1000", "S", "1000X", "1000S,", ",1000S", "1000S,1000S", "1C,2C", "-5S", "1000 S",
                                 " 1000S", "1000S ", "99999999999999999999S", "1000s", "1000S\r", "1e3S", "+5S"]

    @Test("bad quota definitions throw at line 1", arguments: badDefinitions)
    func badDefinition(_ text: String) {
        #expect(throws: MaildirSize.ParseError.self) { try Limits.parse(text) }
        let error = #expect(throws: MaildirSize.ParseError.self) { try MaildirSize.parse(text + "\n0 0\n") }
        #expect(error?.line == 1)
    }

    @Test("an empty file has no definition and throws")
    func emptyFile() {
        #expect(throws: MaildirSize.ParseError(line: 1, reason: "empty file: no quota definition")) {
            try MaildirSize.parse("")
        }
        #expect(throws: MaildirSize.ParseError.self) { try MaildirSize.parse(bytes: [0x00, 0x0A, 0x30, 0x20, 0x30, 0x0A]) }
    }

    @Test("definition lines are written as Dovecot writes them and parse back")
    func definitionLines() throws {
        let cases: [(Limits, String)] = [
            (.unlimited, "0S"),
            (Limits(bytes: 1_000_000, messages: 1000), "1000000S,1000C"),
            (Limits(messages: 1000), "1000C"),
            (Limits(bytes: 1000), "1000S"),
            (Limits(bytes: 0, messages: 0), "0S"),
            (Limits(bytes: -1, messages: 7), "7C"),
        ]
        for (limits, line) in cases {
            #expect(MaildirSize.definitionLine(limits) == line)
            #expect(limits.description == line)
            #expect(try Limits.parse(line) == limits)
        }
        var changed = Limits(bytes: 10)
        changed.bytes = 0  // set directly: still means no limit
        #expect(MaildirSize.definitionLine(changed) == "0S")
    }

    @Test("a recalculated file is the definition and one line of totals")
    func freshFile() throws {
        let limits = Limits(bytes: 1_000_000, messages: 1000)
        let text = MaildirSize.fileContents(limits: limits, bytes: 5000, messages: 7)
        #expect(text == "1000000S,1000C\n5000 7\n")
        let size = try MaildirSize.parse(text)
        #expect(size == MaildirSize(limits: limits, usedBytes: 5000, usedMessages: 7))
        #expect(MaildirSize.fileContents(limits: .unlimited, bytes: 0, messages: 0) == "0S\n0 0\n")
    }

    @Test("appended delta lines are added to the totals")
    func deltas() throws {
        #expect(MaildirSize.deltaLine(bytes: 2048, messages: 1) == "2048 1\n")
        #expect(MaildirSize.deltaLine(bytes: -2048, messages: -1) == "-2048 -1\n")
        var text = MaildirSize.fileContents(limits: Limits(bytes: 100_000), bytes: 1000, messages: 2)
        text += MaildirSize.deltaLine(bytes: 2048, messages: 1)
        text += MaildirSize.deltaLine(bytes: -500, messages: -1)
        let size = try MaildirSize.parse(text)
        #expect(size.usedBytes == 2548 && size.usedMessages == 2 && size.deltaLineCount == 3)
        #expect(!size.needsRecalculation)
    }

    /// A valid file of exactly `total` bytes: "0S\n", then "1 1\n" lines, the last padded.
    static func file(ofSize total: Int) -> (text: String, lines: Int) {
        let remaining = total - 3
        let n = remaining / 4 - 1
        let pad = remaining - 4 * n - 4
        let text = "0S\n" + String(repeating: "1 1\n", count: n) + String(repeating: " ", count: pad) + "1 1\n"
        return (text, n + 1)
    }

    @Test("a file of 5120 bytes or more must be recalculated (README.maildirquota)")
    func sizeTrigger() throws {
        let below = Self.file(ofSize: MaildirSize.recalculationFileSize - 1)
        #expect(below.text.utf8.count == 5119)
        let small = try MaildirSize.parse(below.text)
        #expect(!small.needsRecalculation)
        #expect(small.usedBytes == Int64(below.lines) && small.usedMessages == Int64(below.lines))

        let at = Self.file(ofSize: MaildirSize.recalculationFileSize)
        #expect(at.text.utf8.count == 5120)
        let big = try MaildirSize.parse(at.text)
        #expect(big.needsRecalculation)
        #expect(big.limits == .unlimited)  // the limits are still read
        #expect(try MaildirSize.parse(Self.file(ofSize: 100_000).text).needsRecalculation)
    }

    static let malformedLines = ["foo", "10", "1 2 3", "+5 1", "1.5 1", "5 1x", "- 1", "1 --1", "0x10 1",
                                 "99999999999999999999 1", "5\u{0} 1", "５ 1"]

    @Test("a malformed line asks for recalculation and is reported with its line number", arguments: malformedLines)
    func malformedLine(_ line: String) throws {
        let size = try MaildirSize.parse("1000S\n10 1\n\(line)\n5 1\n")
        #expect(size.needsRecalculation)
        #expect(size.problems.map(\.line) == [3])
        #expect(size.usedBytes == 15 && size.usedMessages == 2)
        #expect(size.limits == Limits(bytes: 1000))
    }

    @Test("spaces and tabs around and between the numbers are fine")
    func padding() throws {
        let size = try MaildirSize.parse("0S\n\t  12\t\t 1  \n   -2 -1\r\n")
        #expect(!size.needsRecalculation && size.usedBytes == 10 && size.usedMessages == 0)
    }

    @Test("an empty line counts as malformed")
    func emptyLine() throws {
        let size = try MaildirSize.parse("0S\n10 1\n\n")
        #expect(size.needsRecalculation && size.problems.map(\.line) == [3])
    }

    @Test("negative totals ask for recalculation")
    func negativeTotals() throws {
        #expect(try MaildirSize.parse("1000S\n10 1\n-20 -1\n").needsRecalculation)
        #expect(try MaildirSize.parse("1000S\n10 1\n-5 -2\n").needsRecalculation)
        // Negative on the way but not at the end is fine: lines may come in any order.
        #expect(try !MaildirSize.parse("1000S\n-10 -1\n20 2\n").needsRecalculation)
    }

    @Test("totals that overflow ask for recalculation instead of trapping")
    func overflow() throws {
        let size = try MaildirSize.parse("0S\n9223372036854775807 1\n1 1\n-9223372036854775807 -1\n-9223372036854775807 -1\n")
        #expect(size.needsRecalculation)
        #expect(!size.problems.isEmpty)
    }

    @Test("a file with no totals line asks for recalculation")
    func noTotals() throws {
        let withNewline = try MaildirSize.parse("1000S\n")
        #expect(withNewline.needsRecalculation && withNewline.limits == Limits(bytes: 1000))
        let bare = try MaildirSize.parse("1000S,5C")
        #expect(bare.needsRecalculation && bare.limits == Limits(bytes: 1000, messages: 5))
    }

    @Test("an unterminated last line is an append in progress and is not counted")
    func unterminated() throws {
        let size = try MaildirSize.parse("1000S\n10 1\n20 1")
        #expect(size.usedBytes == 10 && size.usedMessages == 1 && size.deltaLineCount == 1)
        #expect(!size.needsRecalculation)
    }

    @Test("bytes that are not UTF-8 in a line ask for recalculation")
    func garbageBytes() throws {
        var bytes = Array("1000S\n10 1\n".utf8)
        bytes += [0xFF, 0xFE, 0x20, 0x31, 0x0A]
        let size = try MaildirSize.parse(bytes: bytes)
        #expect(size.needsRecalculation && size.problems.map(\.line) == [3])
    }

    @Test("delivery is refused only when a total would go over its limit (Courier)")
    func wouldExceed() {
        let limits = Limits(bytes: 1000, messages: 10)
        let size = MaildirSize(limits: limits, usedBytes: 900, usedMessages: 9)
        #expect(!size.wouldExceed(limits: limits, addingBytes: 100, addingMessages: 1))  // exactly at the limit
        #expect(size.wouldExceed(limits: limits, addingBytes: 101, addingMessages: 1))
        #expect(size.wouldExceed(limits: limits, addingBytes: 1, addingMessages: 2))
        #expect(!size.wouldExceed(limits: limits, addingBytes: -100, addingMessages: -1))
        #expect(!size.wouldExceed(limits: .unlimited, addingBytes: Int64.max, addingMessages: Int64.max))
        #expect(!size.wouldExceed(limits: Limits(bytes: 1000), addingBytes: 50, addingMessages: 1_000_000))
        #expect(size.wouldExceed(limits: Limits(messages: 9), addingBytes: 0, addingMessages: 1))
        #expect(size.wouldExceed(limits: limits, addingBytes: Int64.max, addingMessages: 1))  // overflow counts as over
        let over = MaildirSize(limits: limits, usedBytes: 1200, usedMessages: 3)
        #expect(over.wouldExceed(limits: limits, addingBytes: 0, addingMessages: 0))
        var zeroed = limits
        zeroed.bytes = 0
        #expect(!over.wouldExceed(limits: zeroed, addingBytes: 1, addingMessages: 1))
    }

    @Test("an over-quota reading is trusted only from one fresh totals line")
    func overQuotaTrust() throws {
        let fresh = try MaildirSize.parse("1000S\n2000 5\n")
        #expect(fresh.overQuotaReadingIsTrusted(fileAgeSeconds: 0))
        #expect(fresh.overQuotaReadingIsTrusted(fileAgeSeconds: MaildirSize.staleAfterSeconds - 1))
        #expect(!fresh.overQuotaReadingIsTrusted(fileAgeSeconds: MaildirSize.staleAfterSeconds))
        let appended = try MaildirSize.parse("1000S\n1000 4\n1000 1\n")
        #expect(!appended.overQuotaReadingIsTrusted(fileAgeSeconds: 0))
        let broken = try MaildirSize.parse("1000S\n2000 5\nfoo\n")
        #expect(!broken.overQuotaReadingIsTrusted(fileAgeSeconds: 0))
    }

    @Test("limits of 0 or below mean unlimited")
    func limitsNormalize() {
        #expect(Limits(bytes: 0, messages: -3) == .unlimited)
        #expect(Limits(bytes: 5).messages == nil)
    }
}
