// SearchTextTests.swift — Search/SearchText.swift: the folding both sides of a string search
// go through (case, full-width and compatibility forms, decomposition, white space) and the
// substring search itself.

@testable import MailroomIMAP
import Testing

@Suite("Search: text folding")
struct SearchTextTests {
    func folded(_ s: String) -> String { String(decoding: FoldedText(s).utf8, as: UTF8.self) }
    func has(_ haystack: String, _ needle: String) -> Bool { FoldedText(haystack).contains(FoldedText(needle)) }

    @Test("ASCII and Unicode case folding")
    func caseFolding() {
        #expect(folded("Hello WORLD") == "hello world")
        #expect(has("ΣΟΦΙΑ", "σοφια"))
        #expect(has("σοφιας", "ΣΟΦΙΑΣ"), "final sigma compares as sigma")
        #expect(has("ПРИВЕТ мир", "привет МИР"))
        #expect(has("Straße", "STRAßE"))
    }

    @Test("full-width and half-width forms fold to their ordinary forms")
    func widths() {
        #expect(folded("Ｈｅｌｌｏ　Ｗｏｒｌｄ１２３") == "hello world123")
        #expect(has("お問い合わせ番号：ＡＢＣ－１２３", "abc-123"))
        #expect(has("ｶﾀｶﾅ", "カタカナ"))
        #expect(has("ﬁnancial report", "FINANCIAL"), "ligature ﬁ is f i")
    }

    @Test("precomposed and decomposed accents compare equal; a base letter finds the accented one")
    func decomposition() {
        #expect(has("cafe\u{301}", "café"))
        #expect(has("café", "cafe\u{301}"))
        #expect(has("CAFÉ", "café"))
        #expect(has("Café", "cafe"), "as Dovecot: marks are kept after the base letter")
        #expect(!has("cafe", "café"))
        #expect(has("Tiếng Việt", "TIẾNG VIỆT"))
    }

    @Test("runs of white space of any kind compare as one space")
    func whiteSpace() {
        #expect(folded("a \t\r\n b\u{3000}c") == "a b c")
        #expect(has("hello\r\n\tbeautiful   world", "hello beautiful world"))
        #expect(has("hello beautiful world", "hello  \t beautiful"))
        #expect(!has("hellobeautiful", "hello beautiful"))
    }

    @Test("CJK text is compared scalar for scalar")
    func cjk() {
        #expect(has("请查收本月的发票，谢谢", "发票"))
        #expect(!has("请查收本月的发票", "發票"))
        #expect(has("会議の議事録", "議事録"))
    }

    @Test("substring search: empty needle, longer needle, repetitive needles (linear KMP)")
    func substring() {
        #expect(SearchText.contains([1, 2, 3], []))
        #expect(!SearchText.contains([1, 2], [1, 2, 3]))
        #expect(SearchText.contains(Array("aaaaaaab".utf8), Array("aaab".utf8)))
        #expect(!SearchText.contains(Array("aaaaaaaa".utf8), Array("aaab".utf8)))
        #expect(SearchText.contains(Array("abababc".utf8), Array("ababc".utf8)))
        #expect(SearchText.contains(Array("xyz".utf8), Array("z".utf8)))
        // A hostile pair that is quadratic for the naive search stays fast.
        let haystack = [UInt8](repeating: 0x61, count: 200_000)
        let needle = [UInt8](repeating: 0x61, count: 20_000) + [0x62]
        #expect(!SearchText.contains(haystack, needle))
    }

    @Test("the octet-wise fold equals a fold scalar by scalar on mixed text, substrings included")
    func octetFoldMatchesScalarFold() {
        // The reference: the same three steps written over unicodeScalars, as the file header
        // states them.
        func reference(_ text: some StringProtocol) -> [UInt8] {
            var out: [UInt8] = []
            var pendingSpace = false
            func emit(_ scalar: Unicode.Scalar) {
                if scalar.properties.isWhitespace { pendingSpace = true; return }
                if pendingSpace { out.append(0x20); pendingSpace = false }
                let lower = scalar.value == 0x03C2 ? "σ" : scalar.properties.lowercaseMapping
                out.append(contentsOf: lower.utf8)
            }
            for scalar in text.unicodeScalars {
                if scalar.value >= 0xA0, let parts = SearchText.decompositions[scalar.value] { parts.forEach(emit) } else { emit(scalar) }
            }
            if pendingSpace { out.append(0x20) }
            return out
        }
        let pieces = ["A", "z", " ", "\t", "\r\n", "É", "é", "ß", "Σ", "ς", "Ω", "Ж", "ﬁ", "Ｈ", "ｶ", "\u{3000}", "发票",
                      "請求書", "한국어", "😀", "\u{85}", "\u{A0}", "Ǆ", "İ", "0", "=", "\u{10FFFF}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(SearchText.fold(text) == reference(text), "\(text.debugDescription)")
            let sub = text.dropFirst(Int.random(in: 0...3, using: &generator))
            #expect(SearchText.fold(sub) == reference(sub), "\(String(sub).debugDescription)")
        }
    }

    @Test("substring search agrees with a naive search on random texts over a small alphabet")
    func containsMatchesNaive() {
        func naive(_ h: [UInt8], _ n: [UInt8]) -> Bool {
            n.isEmpty || (n.count <= h.count && (0...(h.count - n.count)).contains { Array(h[$0..<($0 + n.count)]) == n })
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let h = (0..<Int.random(in: 0...30, using: &generator)).map { _ in UInt8.random(in: 0x61...0x63, using: &generator) }
            let n = (0..<Int.random(in: 0...5, using: &generator)).map { _ in UInt8.random(in: 0x61...0x63, using: &generator) }
            #expect(SearchText.contains(h, n) == naive(h, n), "\(h) \(n)")
        }
    }

    @Test("the search over unfolded ASCII text agrees with folding it first, on random mail-like texts")
    func foldingASCIISearchMatchesFoldedSearch() {
        // Letters of both cases, white space of every ASCII kind, and the octets next to the
        // letters ('@', '[', '`', '{'), which the letter scan must not take for letters.
        let alphabet: [UInt8] = Array("aAbBzZ@[`{ \t\r\n0".utf8)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4000 {
            let length = round < 2000 ? Int.random(in: 0...24, using: &generator) : Int.random(in: 0...200, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let folded = FoldedText(String(decoding: text, as: UTF8.self))
            // Needles: a random string, and a piece of the text itself (so matches occur).
            var needles = [(0..<Int.random(in: 1...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }]
            if !text.isEmpty {
                let start = Int.random(in: 0..<text.count, using: &generator)
                needles.append(Array(text[start..<min(text.count, start + Int.random(in: 1...12, using: &generator))]))
            }
            for raw in needles {
                let needle = FoldedText(String(decoding: raw, as: UTF8.self))
                // An offset slice too: the search must honour the slice's own indices.
                let padded = ([UInt8](repeating: 0x41, count: 3) + text)[3...]
                #expect(SearchText.containsFoldingASCII(padded, needle.utf8) == folded.contains(needle),
                        "\(String(decoding: text, as: UTF8.self).debugDescription) \(String(decoding: raw, as: UTF8.self).debugDescription)")
            }
        }
        #expect(!SearchText.containsFoldingASCII(ArraySlice("cafe".utf8), FoldedText("café").utf8), "a non-ASCII needle is not in ASCII text")
        // A text full of the needle's rarest octet: the anchored search gives up for KMP.
        // (z ranks rarest, so every octet of "zzz…" is a place to compare 60 octets from.)
        let many = ArraySlice([UInt8](repeating: 0x7A, count: 20_000) + Array("Zq".utf8))
        #expect(SearchText.containsFoldingASCII(many, Array(String(repeating: "z", count: 60).utf8) + [0x71]))
        #expect(!SearchText.containsFoldingASCII(many, Array(String(repeating: "z", count: 60).utf8) + [0x6A]))
        // Needles longer than the anchored limit, and all-space needles, take the streaming search.
        let long = String(repeating: "word ", count: 30)
        #expect(SearchText.containsFoldingASCII(ArraySlice(("x " + long.uppercased() + "y").utf8), FoldedText(long + "Y").utf8))
        #expect(SearchText.containsFoldingASCII(ArraySlice("a \t b".utf8), [0x20]))
        #expect(SearchText.containsFoldingASCII(ArraySlice("Ref\r\n  12Z".utf8), FoldedText("ref 12z").utf8))
    }
}
