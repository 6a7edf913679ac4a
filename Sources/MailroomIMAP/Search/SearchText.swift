// SearchText — the text comparison of SEARCH's string keys: both the search string and the
// message text are folded the same way, then the folded string is looked for as a substring.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4 ("In all search keys that use strings, a
// message matches the key if the string is a substring of the associated text. The matching
// SHOULD be case-insensitive for characters within ASCII"; RFC 9051: "the server MUST use
// i;unicode-casemap"), RFC 5051 (i;unicode-casemap: titlecase, then fully decompose, then
// compare), RFC 4790 §9.3.1 (substring matching of a collation).
//
// Folding (what Dovecot's uni_utf8_to_decomposed_titlecase does, within what the Swift standard
// library offers without Foundation):
//   1. compatibility decomposition (NFKD) of the scalars in `decompositionTable`: Latin-1,
//      Latin Extended-A/B and Additional, Greek and Greek Extended, Cyrillic, the Latin and
//      Armenian ligatures, and the half-width and full-width forms ("Ｈｅｌｌｏ" → "Hello",
//      "é" → "e" U+0301, "ﬁ" → "fi");
//   2. the Unicode lowercase mapping of every scalar (`Unicode.Scalar.Properties
//      .lowercaseMapping`), final sigma as sigma;
//   3. every run of white space (any Unicode White_Space scalar: SP, HTAB, CR, LF, U+3000, ...)
//      becomes one SP, so header folding and line breaks in a body do not hide a phrase.
// As in Dovecot, combining marks are kept: "cafe" finds "café", "café" does not find "cafe".
// Message text that is all ASCII (most mail) is not folded into a copy: the ASCII part of the
// fold (steps 2 and 3) is applied while the text is searched (`containsFoldingASCII`), with
// the same result.
//
// XXX: decomposition covers the ranges above only (the table was made with Python's
// unicodedata, Unicode 14): the standard library's normaliser is SPI (`String._nfd`), and
// Foundation is not a dependency of this module. Text in other scripts is compared after
// lowercasing only, which is exact for CJK, kana, Hangul syllables, Arabic, Hebrew and Thai
// as long as both sides use the same normalisation form (mail and search strings are NFC in
// practice).
//
// Security: folding is linear in the text and its output is at most 18 octets per input scalar
// (the longest decomposition); the substring search is Knuth–Morris–Pratt (linear in
// the text and the string), so a hostile search string cannot make matching quadratic. The
// rarest-octet search of short strings over ASCII text gives up for KMP after comparisons worth
// twice the text, so it stays linear too.

#if canImport(Glibc)
import Glibc
#endif

/// A search string or a stretch of message text, folded for comparison (UTF-8 octets).
public struct FoldedText: Sendable, Hashable {
    public let utf8: [UInt8]

    /// `text` folded (see the file header).
    public init(_ text: some StringProtocol) { utf8 = SearchText.fold(text) }

    /// Whether `needle` occurs in this text (the empty needle occurs everywhere).
    public func contains(_ needle: FoldedText) -> Bool { SearchText.contains(utf8, needle.utf8) }
}

/// A stretch of message text as a search compares it: folded already, or (text that is all
/// ASCII, most mail) its octets as they are, folded as they are compared.
enum SearchableText {
    case folded(FoldedText)
    case ascii(ArraySlice<UInt8>)

    func contains(_ needle: FoldedText) -> Bool {
        switch self {
        case .folded(let text): return text.contains(needle)
        case .ascii(let octets): return SearchText.containsFoldingASCII(octets, needle.utf8)
        }
    }
}

enum SearchText {
    static func fold(_ text: some StringProtocol) -> [UInt8] {
        if let folded = text.utf8.withContiguousStorageIfAvailable({ fold(utf8: $0) }) { return folded }
        var copy = String(text)
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { fold(utf8: $0) } ?? []
    }

    /// Folds valid UTF-8 (a String's storage): ASCII octets are handled in place (most mail
    /// text is ASCII), other scalars are decoded and go through the table and the mappings.
    private static func fold(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        if high < 0x80 { return foldASCII(bytes) }
        var folder = Folder(capacity: bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                folder.ascii(b)
                i += 1
                continue
            }
            // A valid lead octet: its length, then the continuation octets' 6 bits each.
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            var value = UInt32(b) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
            var k = 1
            while k < length, i + k < n {
                value = value << 6 | UInt32(bytes[i + k] & 0x3F)
                k += 1
            }
            i += length
            guard let scalar = Unicode.Scalar(value) else { continue }
            if value >= 0xA0, let decomposed = decompositions[value] {
                for part in decomposed { folder.emit(part) }
            } else {
                folder.emit(scalar)
            }
        }
        return folder.finish()
    }

    /// The same fold for text that is all ASCII (most mail text), written straight into its
    /// result: lower case, white space runs as one SP; never longer than the input plus one.
    private static func foldASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count + 1) { out, count in
            var w = 0
            var pendingSpace = false
            for b in bytes {
                if b == 0x20 || b &- 0x09 < 5 { pendingSpace = true; continue }
                if pendingSpace {
                    out[w] = 0x20
                    w += 1
                    pendingSpace = false
                }
                out[w] = b &- 0x41 < 26 ? b | 0x20 : b
                w += 1
            }
            if pendingSpace {
                out[w] = 0x20
                w += 1
            }
            count = w
        }
    }

    private struct Folder {
        var out: [UInt8] = []
        var pendingSpace = false

        init(capacity: Int) { out.reserveCapacity(capacity) }

        mutating func ascii(_ b: UInt8) {
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { pendingSpace = true; return }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }

        mutating func emit(_ scalar: Unicode.Scalar) {
            let v = scalar.value
            if v < 0x80 { ascii(UInt8(v)); return }
            let properties = scalar.properties
            if properties.isWhitespace { pendingSpace = true; return }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            if v == 0x03C2 {   // final sigma compares as sigma
                out.append(contentsOf: "σ".utf8)
            } else if properties.changesWhenLowercased {
                out.append(contentsOf: properties.lowercaseMapping.utf8)
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
        }

        mutating func finish() -> [UInt8] {
            if pendingSpace { out.append(0x20) }
            return out
        }
    }

    /// Whether `needle` is a substring of `haystack` (octet-wise: both are folded UTF-8, so a
    /// match always starts and ends on scalar boundaries).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        if needle.count == 1 { return haystack.contains(needle[0]) }
        // Knuth–Morris–Pratt: linear in both, whatever the needle repeats.
        let failure = failureTable(needle)
        // With nothing matched so far, memchr jumps to the next octet that can start a match
        // (each octet is still looked at once: linear).
        return haystack.withUnsafeBufferPointer { text -> Bool in
            guard let base = text.baseAddress else { return false }
            let first = needle[0]
            var i = 0
            var k = 0
            while i < text.count {
                if k == 0 {
                    guard let hit = memchr(base + i, Int32(first), text.count - i) else { return false }
                    i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                }
                let byte = text[i]
                while k > 0, byte != needle[k] { k = failure[k - 1] }
                if byte == needle[k] {
                    k += 1
                    if k == needle.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// Whether `needle` (folded) occurs in `text` folded, for text that is all ASCII (most
    /// mail): the ASCII fold (lower case, each white space run one SP) is applied octet by
    /// octet while the text is compared, so no folded copy is made. Short needles are looked
    /// for from their rarest octet (`containsAnchored`), others (and texts where that octet is
    /// everywhere) with the same Knuth–Morris–Pratt search as `contains`, which, with nothing
    /// matched, jumps to the next octet that folds to the needle's first (for a letter, either
    /// case, eight octets at a time).
    static func containsFoldingASCII(_ text: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        // ASCII text folds to ASCII: a needle with any other octet cannot occur in it.
        var high: UInt8 = 0
        for b in needle { high |= b }
        if high >= 0x80 || needle.count > text.count { return false }
        if needle.count <= maximumAnchoredNeedle, let anchored = containsAnchored(text, needle) { return anchored }
        return containsStreaming(text, needle)
    }

    /// Search strings up to this long are looked for from their rarest octet first.
    static let maximumAnchoredNeedle = 64

    /// The needle's octet least likely in mail text (never a space), from English letter
    /// frequencies: the scan jumps between its occurrences, which are far fewer than those of
    /// the first octet ("ref 12z" is looked for at its digits and z, not at every r).
    private static func anchor(of needle: [UInt8]) -> Int? {
        var best: Int?
        for (i, b) in needle.enumerated() where b != 0x20 {
            if best == nil || rarity[Int(b)] > rarity[Int(needle[best!])] { best = i }
        }
        return best
    }

    /// How rare each ASCII octet is in mail text, higher rarer: letters by English frequency
    /// ("etaoinsrhldcumfpgwybvkxjqz", most frequent first), digits about as rare as k, the
    /// common punctuation . , - ' fairly common, other octets rare.
    private static let rarity: [UInt8] = {
        var table = [UInt8](repeating: 22, count: 256)
        for (rank, letter) in "etaoinsrhldcumfpgwybvkxjqz".utf8.enumerated() { table[Int(letter)] = UInt8(rank) }
        for digit in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(digit)] = 20 }
        for mark in ".,-'".utf8 { table[Int(mark)] = 12 }
        return table
    }()

    /// The search from the needle's rarest octet: at each occurrence of it (in either case),
    /// the folded text is compared forwards and backwards from there, white space runs read as
    /// one SP. nil when the text turns out to be full of that octet: after comparisons worth
    /// twice the text (and a little), the streaming search takes over, so the whole stays
    /// linear even for a hostile needle like "aaaa…b".
    private static func containsAnchored(_ text: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool? {
        guard let j = anchor(of: needle) else { return nil }
        let target = needle[j]
        let isLetter = target &- 0x61 < 26
        let m = needle.count
        return text.withUnsafeBufferPointer { buffer -> Bool? in
            guard let base = buffer.baseAddress else { return false }
            let n = buffer.count
            @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b &- 0x09 < 5 }
            @inline(__always) func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
            var budget = 2 * n + 1024
            var from = 0
            while from < n {
                let hit = isLetter ? nextLetter(target, base, from: from, count: n) : nextOctet(target, base, from: from, count: n)
                guard let p = hit else { return false }
                from = p + 1
                // Forwards from the anchor…
                var i = p + 1
                var k = j + 1
                var ok = true
                while k < m {
                    budget -= 1
                    if needle[k] == 0x20 {
                        guard i < n, isSpace(base[i]) else { ok = false; break }
                        while i < n, isSpace(base[i]) { i += 1 }
                    } else {
                        guard i < n, lower(base[i]) == needle[k] else { ok = false; break }
                        i += 1
                    }
                    k += 1
                }
                // … and backwards.
                if ok {
                    i = p - 1
                    k = j - 1
                    while k >= 0 {
                        budget -= 1
                        if needle[k] == 0x20 {
                            guard i >= 0, isSpace(base[i]) else { ok = false; break }
                            while i >= 0, isSpace(base[i]) { i -= 1 }
                        } else {
                            guard i >= 0, lower(base[i]) == needle[k] else { ok = false; break }
                            i -= 1
                        }
                        k -= 1
                    }
                }
                if ok { return true }
                budget -= 1
                if budget < 0 { return nil }
            }
            return false
        }
    }

    /// The Knuth–Morris–Pratt search over the text folded as it is read.
    private static func containsStreaming(_ text: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        let failure = failureTable(needle)
        let first = needle[0]
        let firstIsLetter = first &- 0x61 < 26
        return text.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            let n = buffer.count
            var i = 0
            var k = 0
            var inSpace = false   // the last octet read was white space (its SP is out)
            while i < n {
                if k == 0, first != 0x20 {
                    let hit = firstIsLetter ? nextLetter(first, base, from: i, count: n) : nextOctet(first, base, from: i, count: n)
                    guard let hit else { return false }
                    i = hit   // skipped octets fold to other octets or (white space) to SPs
                }
                let b = base[i]
                i += 1
                let folded: UInt8
                if b == 0x20 || b &- 0x09 < 5 {
                    if inSpace { continue }
                    inSpace = true
                    folded = 0x20
                } else {
                    inSpace = false
                    folded = b &- 0x41 < 26 ? b | 0x20 : b
                }
                while k > 0, folded != needle[k] { k = failure[k - 1] }
                if folded == needle[k] {
                    k += 1
                    if k == needle.count { return true }
                }
            }
            return false
        }
    }

    /// Knuth–Morris–Pratt's failure function of `needle`.
    private static func failureTable(_ needle: [UInt8]) -> [Int] {
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<max(1, needle.count) {
            while k > 0, needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        return failure
    }

    private static func nextOctet(_ octet: UInt8, _ base: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int? {
        guard start < n, let hit = memchr(base + start, Int32(octet), n - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The next octet from `start` that is `letter` (a lower-case ASCII letter) in either case:
    /// OR-ing 0x20 into each octet makes both cases the lower one (and no other octet becomes
    /// a letter), then a zero-octet test of the XOR finds it, eight octets at a time.
    private static func nextLetter(_ letter: UInt8, _ base: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern = ones &* UInt64(letter)
        var i = start
        while i + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let y = (word | ones &* 0x20) ^ pattern
            let zero = ~(((y & low7) &+ low7) | y | low7)
            if zero != 0 { return i + zero.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            if base[i] | 0x20 == letter { return i }
            i += 1
        }
        return nil
    }

    /// Scalar → its NFKD decomposition, for the ranges named in the file header.
    static let decompositions: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for entry in decompositionTable.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let fields = entry.split(whereSeparator: { $0 == ":" || $0 == " " })
            guard fields.count >= 2, let key = UInt32(fields[0], radix: 16) else { continue }
            let parts = fields.dropFirst().compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            table[key] = parts
        }
        return table
    }()

    /// "code:decomposition;" in hexadecimal (generated with Python's unicodedata.normalize("NFKD")).
    static let decompositionTable =
        """
        A0:20;A8:20 308;AA:61;AF:20 304;B2:32;B3:33;B4:20 301;B5:3BC;B8:20 327;B9:31;BA:6F;
        BC:31 2044 34;BD:31 2044 32;BE:33 2044 34;C0:41 300;C1:41 301;C2:41 302;C3:41 303;C4:41 308;
        C5:41 30A;C7:43 327;C8:45 300;C9:45 301;CA:45 302;CB:45 308;CC:49 300;CD:49 301;CE:49 302;
        CF:49 308;D1:4E 303;D2:4F 300;D3:4F 301;D4:4F 302;D5:4F 303;D6:4F 308;D9:55 300;DA:55 301;
        DB:55 302;DC:55 308;DD:59 301;E0:61 300;E1:61 301;E2:61 302;E3:61 303;E4:61 308;E5:61 30A;
        E7:63 327;E8:65 300;E9:65 301;EA:65 302;EB:65 308;EC:69 300;ED:69 301;EE:69 302;EF:69 308;
        F1:6E 303;F2:6F 300;F3:6F 301;F4:6F 302;F5:6F 303;F6:6F 308;F9:75 300;FA:75 301;FB:75 302;
        FC:75 308;FD:79 301;FF:79 308;100:41 304;101:61 304;102:41 306;103:61 306;104:41 328;105:61 328;
        106:43 301;107:63 301;108:43 302;109:63 302;10A:43 307;10B:63 307;10C:43 30C;10D:63 30C;
        10E:44 30C;10F:64 30C;112:45 304;113:65 304;114:45 306;115:65 306;116:45 307;117:65 307;
        118:45 328;119:65 328;11A:45 30C;11B:65 30C;11C:47 302;11D:67 302;11E:47 306;11F:67 306;
        120:47 307;121:67 307;122:47 327;123:67 327;124:48 302;125:68 302;128:49 303;129:69 303;
        12A:49 304;12B:69 304;12C:49 306;12D:69 306;12E:49 328;12F:69 328;130:49 307;132:49 4A;
        133:69 6A;134:4A 302;135:6A 302;136:4B 327;137:6B 327;139:4C 301;13A:6C 301;13B:4C 327;
        13C:6C 327;13D:4C 30C;13E:6C 30C;13F:4C B7;140:6C B7;143:4E 301;144:6E 301;145:4E 327;
        146:6E 327;147:4E 30C;148:6E 30C;149:2BC 6E;14C:4F 304;14D:6F 304;14E:4F 306;14F:6F 306;
        150:4F 30B;151:6F 30B;154:52 301;155:72 301;156:52 327;157:72 327;158:52 30C;159:72 30C;
        15A:53 301;15B:73 301;15C:53 302;15D:73 302;15E:53 327;15F:73 327;160:53 30C;161:73 30C;
        162:54 327;163:74 327;164:54 30C;165:74 30C;168:55 303;169:75 303;16A:55 304;16B:75 304;
        16C:55 306;16D:75 306;16E:55 30A;16F:75 30A;170:55 30B;171:75 30B;172:55 328;173:75 328;
        174:57 302;175:77 302;176:59 302;177:79 302;178:59 308;179:5A 301;17A:7A 301;17B:5A 307;
        17C:7A 307;17D:5A 30C;17E:7A 30C;17F:73;1A0:4F 31B;1A1:6F 31B;1AF:55 31B;1B0:75 31B;
        1C4:44 5A 30C;1C5:44 7A 30C;1C6:64 7A 30C;1C7:4C 4A;1C8:4C 6A;1C9:6C 6A;1CA:4E 4A;1CB:4E 6A;
        1CC:6E 6A;1CD:41 30C;1CE:61 30C;1CF:49 30C;1D0:69 30C;1D1:4F 30C;1D2:6F 30C;1D3:55 30C;
        1D4:75 30C;1D5:55 308 304;1D6:75 308 304;1D7:55 308 301;1D8:75 308 301;1D9:55 308 30C;
        1DA:75 308 30C;1DB:55 308 300;1DC:75 308 300;1DE:41 308 304;1DF:61 308 304;1E0:41 307 304;
        1E1:61 307 304;1E2:C6 304;1E3:E6 304;1E6:47 30C;1E7:67 30C;1E8:4B 30C;1E9:6B 30C;1EA:4F 328;
        1EB:6F 328;1EC:4F 328 304;1ED:6F 328 304;1EE:1B7 30C;1EF:292 30C;1F0:6A 30C;1F1:44 5A;1F2:44 7A;
        1F3:64 7A;1F4:47 301;1F5:67 301;1F8:4E 300;1F9:6E 300;1FA:41 30A 301;1FB:61 30A 301;1FC:C6 301;
        1FD:E6 301;1FE:D8 301;1FF:F8 301;200:41 30F;201:61 30F;202:41 311;203:61 311;204:45 30F;
        205:65 30F;206:45 311;207:65 311;208:49 30F;209:69 30F;20A:49 311;20B:69 311;20C:4F 30F;
        20D:6F 30F;20E:4F 311;20F:6F 311;210:52 30F;211:72 30F;212:52 311;213:72 311;214:55 30F;
        215:75 30F;216:55 311;217:75 311;218:53 326;219:73 326;21A:54 326;21B:74 326;21E:48 30C;
        21F:68 30C;226:41 307;227:61 307;228:45 327;229:65 327;22A:4F 308 304;22B:6F 308 304;
        22C:4F 303 304;22D:6F 303 304;22E:4F 307;22F:6F 307;230:4F 307 304;231:6F 307 304;232:59 304;
        233:79 304;374:2B9;37A:20 345;37E:3B;384:20 301;385:20 308 301;386:391 301;387:B7;388:395 301;
        389:397 301;38A:399 301;38C:39F 301;38E:3A5 301;38F:3A9 301;390:3B9 308 301;3AA:399 308;
        3AB:3A5 308;3AC:3B1 301;3AD:3B5 301;3AE:3B7 301;3AF:3B9 301;3B0:3C5 308 301;3CA:3B9 308;
        3CB:3C5 308;3CC:3BF 301;3CD:3C5 301;3CE:3C9 301;3D0:3B2;3D1:3B8;3D2:3A5;3D3:3A5 301;3D4:3A5 308;
        3D5:3C6;3D6:3C0;3F0:3BA;3F1:3C1;3F2:3C2;3F4:398;3F5:3B5;3F9:3A3;400:415 300;401:415 308;
        403:413 301;407:406 308;40C:41A 301;40D:418 300;40E:423 306;419:418 306;439:438 306;450:435 300;
        451:435 308;453:433 301;457:456 308;45C:43A 301;45D:438 300;45E:443 306;476:474 30F;477:475 30F;
        4C1:416 306;4C2:436 306;4D0:410 306;4D1:430 306;4D2:410 308;4D3:430 308;4D6:415 306;4D7:435 306;
        4DA:4D8 308;4DB:4D9 308;4DC:416 308;4DD:436 308;4DE:417 308;4DF:437 308;4E2:418 304;4E3:438 304;
        4E4:418 308;4E5:438 308;4E6:41E 308;4E7:43E 308;4EA:4E8 308;4EB:4E9 308;4EC:42D 308;4ED:44D 308;
        4EE:423 304;4EF:443 304;4F0:423 308;4F1:443 308;4F2:423 30B;4F3:443 30B;4F4:427 308;4F5:447 308;
        4F8:42B 308;4F9:44B 308;1E00:41 325;1E01:61 325;1E02:42 307;1E03:62 307;1E04:42 323;1E05:62 323;
        1E06:42 331;1E07:62 331;1E08:43 327 301;1E09:63 327 301;1E0A:44 307;1E0B:64 307;1E0C:44 323;
        1E0D:64 323;1E0E:44 331;1E0F:64 331;1E10:44 327;1E11:64 327;1E12:44 32D;1E13:64 32D;
        1E14:45 304 300;1E15:65 304 300;1E16:45 304 301;1E17:65 304 301;1E18:45 32D;1E19:65 32D;
        1E1A:45 330;1E1B:65 330;1E1C:45 327 306;1E1D:65 327 306;1E1E:46 307;1E1F:66 307;1E20:47 304;
        1E21:67 304;1E22:48 307;1E23:68 307;1E24:48 323;1E25:68 323;1E26:48 308;1E27:68 308;1E28:48 327;
        1E29:68 327;1E2A:48 32E;1E2B:68 32E;1E2C:49 330;1E2D:69 330;1E2E:49 308 301;1E2F:69 308 301;
        1E30:4B 301;1E31:6B 301;1E32:4B 323;1E33:6B 323;1E34:4B 331;1E35:6B 331;1E36:4C 323;1E37:6C 323;
        1E38:4C 323 304;1E39:6C 323 304;1E3A:4C 331;1E3B:6C 331;1E3C:4C 32D;1E3D:6C 32D;1E3E:4D 301;
        1E3F:6D 301;1E40:4D 307;1E41:6D 307;1E42:4D 323;1E43:6D 323;1E44:4E 307;1E45:6E 307;1E46:4E 323;
        1E47:6E 323;1E48:4E 331;1E49:6E 331;1E4A:4E 32D;1E4B:6E 32D;1E4C:4F 303 301;1E4D:6F 303 301;
        1E4E:4F 303 308;1E4F:6F 303 308;1E50:4F 304 300;1E51:6F 304 300;1E52:4F 304 301;1E53:6F 304 301;
        1E54:50 301;1E55:70 301;1E56:50 307;1E57:70 307;1E58:52 307;1E59:72 307;1E5A:52 323;1E5B:72 323;
        1E5C:52 323 304;1E5D:72 323 304;1E5E:52 331;1E5F:72 331;1E60:53 307;1E61:73 307;1E62:53 323;
        1E63:73 323;1E64:53 301 307;1E65:73 301 307;1E66:53 30C 307;1E67:73 30C 307;1E68:53 323 307;
        1E69:73 323 307;1E6A:54 307;1E6B:74 307;1E6C:54 323;1E6D:74 323;1E6E:54 331;1E6F:74 331;
        1E70:54 32D;1E71:74 32D;1E72:55 324;1E73:75 324;1E74:55 330;1E75:75 330;1E76:55 32D;1E77:75 32D;
        1E78:55 303 301;1E79:75 303 301;1E7A:55 304 308;1E7B:75 304 308;1E7C:56 303;1E7D:76 303;
        1E7E:56 323;1E7F:76 323;1E80:57 300;1E81:77 300;1E82:57 301;1E83:77 301;1E84:57 308;1E85:77 308;
        1E86:57 307;1E87:77 307;1E88:57 323;1E89:77 323;1E8A:58 307;1E8B:78 307;1E8C:58 308;1E8D:78 308;
        1E8E:59 307;1E8F:79 307;1E90:5A 302;1E91:7A 302;1E92:5A 323;1E93:7A 323;1E94:5A 331;1E95:7A 331;
        1E96:68 331;1E97:74 308;1E98:77 30A;1E99:79 30A;1E9A:61 2BE;1E9B:73 307;1EA0:41 323;1EA1:61 323;
        1EA2:41 309;1EA3:61 309;1EA4:41 302 301;1EA5:61 302 301;1EA6:41 302 300;1EA7:61 302 300;
        1EA8:41 302 309;1EA9:61 302 309;1EAA:41 302 303;1EAB:61 302 303;1EAC:41 323 302;1EAD:61 323 302;
        1EAE:41 306 301;1EAF:61 306 301;1EB0:41 306 300;1EB1:61 306 300;1EB2:41 306 309;1EB3:61 306 309;
        1EB4:41 306 303;1EB5:61 306 303;1EB6:41 323 306;1EB7:61 323 306;1EB8:45 323;1EB9:65 323;
        1EBA:45 309;1EBB:65 309;1EBC:45 303;1EBD:65 303;1EBE:45 302 301;1EBF:65 302 301;1EC0:45 302 300;
        1EC1:65 302 300;1EC2:45 302 309;1EC3:65 302 309;1EC4:45 302 303;1EC5:65 302 303;1EC6:45 323 302;
        1EC7:65 323 302;1EC8:49 309;1EC9:69 309;1ECA:49 323;1ECB:69 323;1ECC:4F 323;1ECD:6F 323;
        1ECE:4F 309;1ECF:6F 309;1ED0:4F 302 301;1ED1:6F 302 301;1ED2:4F 302 300;1ED3:6F 302 300;
        1ED4:4F 302 309;1ED5:6F 302 309;1ED6:4F 302 303;1ED7:6F 302 303;1ED8:4F 323 302;1ED9:6F 323 302;
        1EDA:4F 31B 301;1EDB:6F 31B 301;1EDC:4F 31B 300;1EDD:6F 31B 300;1EDE:4F 31B 309;1EDF:6F 31B 309;
        1EE0:4F 31B 303;1EE1:6F 31B 303;1EE2:4F 31B 323;1EE3:6F 31B 323;1EE4:55 323;1EE5:75 323;
        1EE6:55 309;1EE7:75 309;1EE8:55 31B 301;1EE9:75 31B 301;1EEA:55 31B 300;1EEB:75 31B 300;
        1EEC:55 31B 309;1EED:75 31B 309;1EEE:55 31B 303;1EEF:75 31B 303;1EF0:55 31B 323;1EF1:75 31B 323;
        1EF2:59 300;1EF3:79 300;1EF4:59 323;1EF5:79 323;1EF6:59 309;1EF7:79 309;1EF8:59 303;1EF9:79 303;
        1F00:3B1 313;1F01:3B1 314;1F02:3B1 313 300;1F03:3B1 314 300;1F04:3B1 313 301;1F05:3B1 314 301;
        1F06:3B1 313 342;1F07:3B1 314 342;1F08:391 313;1F09:391 314;1F0A:391 313 300;1F0B:391 314 300;
        1F0C:391 313 301;1F0D:391 314 301;1F0E:391 313 342;1F0F:391 314 342;1F10:3B5 313;1F11:3B5 314;
        1F12:3B5 313 300;1F13:3B5 314 300;1F14:3B5 313 301;1F15:3B5 314 301;1F18:395 313;1F19:395 314;
        1F1A:395 313 300;1F1B:395 314 300;1F1C:395 313 301;1F1D:395 314 301;1F20:3B7 313;1F21:3B7 314;
        1F22:3B7 313 300;1F23:3B7 314 300;1F24:3B7 313 301;1F25:3B7 314 301;1F26:3B7 313 342;
        1F27:3B7 314 342;1F28:397 313;1F29:397 314;1F2A:397 313 300;1F2B:397 314 300;1F2C:397 313 301;
        1F2D:397 314 301;1F2E:397 313 342;1F2F:397 314 342;1F30:3B9 313;1F31:3B9 314;1F32:3B9 313 300;
        1F33:3B9 314 300;1F34:3B9 313 301;1F35:3B9 314 301;1F36:3B9 313 342;1F37:3B9 314 342;
        1F38:399 313;1F39:399 314;1F3A:399 313 300;1F3B:399 314 300;1F3C:399 313 301;1F3D:399 314 301;
        1F3E:399 313 342;1F3F:399 314 342;1F40:3BF 313;1F41:3BF 314;1F42:3BF 313 300;1F43:3BF 314 300;
        1F44:3BF 313 301;1F45:3BF 314 301;1F48:39F 313;1F49:39F 314;1F4A:39F 313 300;1F4B:39F 314 300;
        1F4C:39F 313 301;1F4D:39F 314 301;1F50:3C5 313;1F51:3C5 314;1F52:3C5 313 300;1F53:3C5 314 300;
        1F54:3C5 313 301;1F55:3C5 314 301;1F56:3C5 313 342;1F57:3C5 314 342;1F59:3A5 314;
        1F5B:3A5 314 300;1F5D:3A5 314 301;1F5F:3A5 314 342;1F60:3C9 313;1F61:3C9 314;1F62:3C9 313 300;
        1F63:3C9 314 300;1F64:3C9 313 301;1F65:3C9 314 301;1F66:3C9 313 342;1F67:3C9 314 342;
        1F68:3A9 313;1F69:3A9 314;1F6A:3A9 313 300;1F6B:3A9 314 300;1F6C:3A9 313 301;1F6D:3A9 314 301;
        1F6E:3A9 313 342;1F6F:3A9 314 342;1F70:3B1 300;1F71:3B1 301;1F72:3B5 300;1F73:3B5 301;
        1F74:3B7 300;1F75:3B7 301;1F76:3B9 300;1F77:3B9 301;1F78:3BF 300;1F79:3BF 301;1F7A:3C5 300;
        1F7B:3C5 301;1F7C:3C9 300;1F7D:3C9 301;1F80:3B1 313 345;1F81:3B1 314 345;1F82:3B1 313 300 345;
        1F83:3B1 314 300 345;1F84:3B1 313 301 345;1F85:3B1 314 301 345;1F86:3B1 313 342 345;
        1F87:3B1 314 342 345;1F88:391 313 345;1F89:391 314 345;1F8A:391 313 300 345;
        1F8B:391 314 300 345;1F8C:391 313 301 345;1F8D:391 314 301 345;1F8E:391 313 342 345;
        1F8F:391 314 342 345;1F90:3B7 313 345;1F91:3B7 314 345;1F92:3B7 313 300 345;
        1F93:3B7 314 300 345;1F94:3B7 313 301 345;1F95:3B7 314 301 345;1F96:3B7 313 342 345;
        1F97:3B7 314 342 345;1F98:397 313 345;1F99:397 314 345;1F9A:397 313 300 345;
        1F9B:397 314 300 345;1F9C:397 313 301 345;1F9D:397 314 301 345;1F9E:397 313 342 345;
        1F9F:397 314 342 345;1FA0:3C9 313 345;1FA1:3C9 314 345;1FA2:3C9 313 300 345;
        1FA3:3C9 314 300 345;1FA4:3C9 313 301 345;1FA5:3C9 314 301 345;1FA6:3C9 313 342 345;
        1FA7:3C9 314 342 345;1FA8:3A9 313 345;1FA9:3A9 314 345;1FAA:3A9 313 300 345;
        1FAB:3A9 314 300 345;1FAC:3A9 313 301 345;1FAD:3A9 314 301 345;1FAE:3A9 313 342 345;
        1FAF:3A9 314 342 345;1FB0:3B1 306;1FB1:3B1 304;1FB2:3B1 300 345;1FB3:3B1 345;1FB4:3B1 301 345;
        1FB6:3B1 342;1FB7:3B1 342 345;1FB8:391 306;1FB9:391 304;1FBA:391 300;1FBB:391 301;1FBC:391 345;
        1FBD:20 313;1FBE:3B9;1FBF:20 313;1FC0:20 342;1FC1:20 308 342;1FC2:3B7 300 345;1FC3:3B7 345;
        1FC4:3B7 301 345;1FC6:3B7 342;1FC7:3B7 342 345;1FC8:395 300;1FC9:395 301;1FCA:397 300;
        1FCB:397 301;1FCC:397 345;1FCD:20 313 300;1FCE:20 313 301;1FCF:20 313 342;1FD0:3B9 306;
        1FD1:3B9 304;1FD2:3B9 308 300;1FD3:3B9 308 301;1FD6:3B9 342;1FD7:3B9 308 342;1FD8:399 306;
        1FD9:399 304;1FDA:399 300;1FDB:399 301;1FDD:20 314 300;1FDE:20 314 301;1FDF:20 314 342;
        1FE0:3C5 306;1FE1:3C5 304;1FE2:3C5 308 300;1FE3:3C5 308 301;1FE4:3C1 313;1FE5:3C1 314;
        1FE6:3C5 342;1FE7:3C5 308 342;1FE8:3A5 306;1FE9:3A5 304;1FEA:3A5 300;1FEB:3A5 301;1FEC:3A1 314;
        1FED:20 308 300;1FEE:20 308 301;1FEF:60;1FF2:3C9 300 345;1FF3:3C9 345;1FF4:3C9 301 345;
        1FF6:3C9 342;1FF7:3C9 342 345;1FF8:39F 300;1FF9:39F 301;1FFA:3A9 300;1FFB:3A9 301;1FFC:3A9 345;
        1FFD:20 301;1FFE:20 314;FB00:66 66;FB01:66 69;FB02:66 6C;FB03:66 66 69;FB04:66 66 6C;FB05:73 74;
        FB06:73 74;FB13:574 576;FB14:574 565;FB15:574 56B;FB16:57E 576;FB17:574 56D;FB1D:5D9 5B4;
        FB1F:5F2 5B7;FB20:5E2;FB21:5D0;FB22:5D3;FB23:5D4;FB24:5DB;FB25:5DC;FB26:5DD;FB27:5E8;FB28:5EA;
        FB29:2B;FB2A:5E9 5C1;FB2B:5E9 5C2;FB2C:5E9 5BC 5C1;FB2D:5E9 5BC 5C2;FB2E:5D0 5B7;FB2F:5D0 5B8;
        FB30:5D0 5BC;FB31:5D1 5BC;FB32:5D2 5BC;FB33:5D3 5BC;FB34:5D4 5BC;FB35:5D5 5BC;FB36:5D6 5BC;
        FB38:5D8 5BC;FB39:5D9 5BC;FB3A:5DA 5BC;FB3B:5DB 5BC;FB3C:5DC 5BC;FB3E:5DE 5BC;FB40:5E0 5BC;
        FB41:5E1 5BC;FB43:5E3 5BC;FB44:5E4 5BC;FB46:5E6 5BC;FB47:5E7 5BC;FB48:5E8 5BC;FB49:5E9 5BC;
        FB4A:5EA 5BC;FB4B:5D5 5B9;FB4C:5D1 5BF;FB4D:5DB 5BF;FB4E:5E4 5BF;FB4F:5D0 5DC;FF01:21;FF02:22;
        FF03:23;FF04:24;FF05:25;FF06:26;FF07:27;FF08:28;FF09:29;FF0A:2A;FF0B:2B;FF0C:2C;FF0D:2D;FF0E:2E;
        FF0F:2F;FF10:30;FF11:31;FF12:32;FF13:33;FF14:34;FF15:35;FF16:36;FF17:37;FF18:38;FF19:39;FF1A:3A;
        FF1B:3B;FF1C:3C;FF1D:3D;FF1E:3E;FF1F:3F;FF20:40;FF21:41;FF22:42;FF23:43;FF24:44;FF25:45;FF26:46;
        FF27:47;FF28:48;FF29:49;FF2A:4A;FF2B:4B;FF2C:4C;FF2D:4D;FF2E:4E;FF2F:4F;FF30:50;FF31:51;FF32:52;
        FF33:53;FF34:54;FF35:55;FF36:56;FF37:57;FF38:58;FF39:59;FF3A:5A;FF3B:5B;FF3C:5C;FF3D:5D;FF3E:5E;
        FF3F:5F;FF40:60;FF41:61;FF42:62;FF43:63;FF44:64;FF45:65;FF46:66;FF47:67;FF48:68;FF49:69;FF4A:6A;
        FF4B:6B;FF4C:6C;FF4D:6D;FF4E:6E;FF4F:6F;FF50:70;FF51:71;FF52:72;FF53:73;FF54:74;FF55:75;FF56:76;
        FF57:77;FF58:78;FF59:79;FF5A:7A;FF5B:7B;FF5C:7C;FF5D:7D;FF5E:7E;FF5F:2985;FF60:2986;FF61:3002;
        FF62:300C;FF63:300D;FF64:3001;FF65:30FB;FF66:30F2;FF67:30A1;FF68:30A3;FF69:30A5;FF6A:30A7;
        FF6B:30A9;FF6C:30E3;FF6D:30E5;FF6E:30E7;FF6F:30C3;FF70:30FC;FF71:30A2;FF72:30A4;FF73:30A6;
        FF74:30A8;FF75:30AA;FF76:30AB;FF77:30AD;FF78:30AF;FF79:30B1;FF7A:30B3;FF7B:30B5;FF7C:30B7;
        FF7D:30B9;FF7E:30BB;FF7F:30BD;FF80:30BF;FF81:30C1;FF82:30C4;FF83:30C6;FF84:30C8;FF85:30CA;
        FF86:30CB;FF87:30CC;FF88:30CD;FF89:30CE;FF8A:30CF;FF8B:30D2;FF8C:30D5;FF8D:30D8;FF8E:30DB;
        FF8F:30DE;FF90:30DF;FF91:30E0;FF92:30E1;FF93:30E2;FF94:30E4;FF95:30E6;FF96:30E8;FF97:30E9;
        FF98:30EA;FF99:30EB;FF9A:30EC;FF9B:30ED;FF9C:30EF;FF9D:30F3;FF9E:3099;FF9F:309A;FFA0:1160;
        FFA1:1100;FFA2:1101;FFA3:11AA;FFA4:1102;FFA5:11AC;FFA6:11AD;FFA7:1103;FFA8:1104;FFA9:1105;
        FFAA:11B0;FFAB:11B1;FFAC:11B2;FFAD:11B3;FFAE:11B4;FFAF:11B5;FFB0:111A;FFB1:1106;FFB2:1107;
        FFB3:1108;FFB4:1121;FFB5:1109;FFB6:110A;FFB7:110B;FFB8:110C;FFB9:110D;FFBA:110E;FFBB:110F;
        FFBC:1110;FFBD:1111;FFBE:1112;FFC2:1161;FFC3:1162;FFC4:1163;FFC5:1164;FFC6:1165;FFC7:1166;
        FFCA:1167;FFCB:1168;FFCC:1169;FFCD:116A;FFCE:116B;FFCF:116C;FFD2:116D;FFD3:116E;FFD4:116F;
        FFD5:1170;FFD6:1171;FFD7:1172;FFDA:1173;FFDB:1174;FFDC:1175;FFE0:A2;FFE1:A3;FFE2:AC;FFE3:20 304;
        FFE4:A6;FFE5:A5;FFE6:20A9;FFE8:2502;FFE9:2190;FFEA:2191;FFEB:2192;FFEC:2193;FFED:25A0;FFEE:25CB;
        """
}
