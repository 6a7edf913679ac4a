// SearchResultTests.swift — Search/SearchResult.swift: SEARCH numbers, ESEARCH MIN/MAX/ALL/
// COUNT (RFC 4731), SAVE (RFC 5182) and MODSEQ (RFC 7162), with the expectations of Dovecot's
// imaptest esearch and esearch-condstore scripts written out as cases.

@testable import MailroomIMAP
import Testing

@Suite("Search: results")
struct SearchResultTests {
    /// Matches at sequence numbers 2, 3, 4, 6 with UIDs 20, 30, 41, 60.
    let matches = [
        SearchMatch(sequence: 2, uid: 20, modSeq: 8),
        SearchMatch(sequence: 3, uid: 30, modSeq: 5),
        SearchMatch(sequence: 4, uid: 41, modSeq: 12),
        SearchMatch(sequence: 6, uid: 60, modSeq: 9),
    ]

    func encoded(_ response: ESearchResponse?) -> String? {
        guard let response else { return nil }
        var buffer = IMAPEncodeBuffer()
        response.write(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test("SEARCH numbers: sequence numbers, or UIDs for UID SEARCH")
    func numbers() {
        #expect(SearchResult.numbers(matches, uid: false) == [2, 3, 4, 6])
        #expect(SearchResult.numbers(matches, uid: true) == [20, 30, 41, 60])
    }

    @Test("ESEARCH data for each RETURN option; () is ALL; ALL is compact")
    func eSearch() {
        func e(_ options: [SearchReturnOption], uid: Bool = false) -> String? {
            encoded(SearchResult.eSearch(matches, options: options, uid: uid, tag: "A1"))
        }
        #expect(e([]) == "ESEARCH (TAG \"A1\") ALL 2:4,6")
        #expect(e([.all]) == "ESEARCH (TAG \"A1\") ALL 2:4,6")
        #expect(e([.min]) == "ESEARCH (TAG \"A1\") MIN 2")
        #expect(e([.max]) == "ESEARCH (TAG \"A1\") MAX 6")
        #expect(e([.count]) == "ESEARCH (TAG \"A1\") COUNT 4")
        #expect(e([.min, .max, .count, .all]) == "ESEARCH (TAG \"A1\") MIN 2 MAX 6 ALL 2:4,6 COUNT 4")
        #expect(e([.all], uid: true) == "ESEARCH (TAG \"A1\") UID ALL 20,30,41,60")
        #expect(e([.min, .max], uid: true) == "ESEARCH (TAG \"A1\") UID MIN 20 MAX 60")
        #expect(e([.save]) == nil, "SAVE alone sends no ESEARCH (RFC 5182 §2.4)")
        #expect(e([.save, .count]) == "ESEARCH (TAG \"A1\") COUNT 4")
    }

    @Test("nothing matched: MIN, MAX, ALL left out, COUNT 0, no MODSEQ")
    func empty() {
        let response = SearchResult.eSearch([], options: [.min, .max, .all, .count], uid: false, tag: "t", includeModSeq: true)
        #expect(encoded(response) == "ESEARCH (TAG \"t\") COUNT 0")
        #expect(encoded(SearchResult.eSearch([], options: [], uid: true, tag: "t")) == "ESEARCH (TAG \"t\") UID")
        #expect(SearchResult.highestModSeq([]) == nil)
    }

    @Test("MODSEQ: the highest of the messages returned (RFC 7162 §3.1.5, imaptest esearch-condstore)")
    func modSeq() {
        func m(_ options: [SearchReturnOption]) -> UInt64? {
            SearchResult.eSearch(matches, options: options, uid: false, tag: nil, includeModSeq: true)?.modSeq
        }
        #expect(SearchResult.highestModSeq(matches) == 12)
        #expect(m([.min]) == 8, "MIN alone: the minimum's MODSEQ")
        #expect(m([.max]) == 9, "MAX alone: the maximum's MODSEQ")
        #expect(m([.min, .max]) == 9)
        #expect(m([]) == 12)
        #expect(m([.count]) == 12)
        #expect(SearchResult.eSearch(matches, options: [.all], uid: false, tag: nil)?.modSeq == nil, "no MODSEQ key, no MODSEQ")
    }

    @Test("SAVE keeps UIDs: all of them, or only MIN and/or MAX (RFC 5182 §2.1)")
    func save() {
        #expect(SearchResult.saved(matches, options: [.save])?.description == "20,30,41,60")
        #expect(SearchResult.saved(matches, options: [.save, .all])?.description == "20,30,41,60")
        #expect(SearchResult.saved(matches, options: [.save, .count])?.description == "20,30,41,60")
        #expect(SearchResult.saved(matches, options: [.save, .min])?.description == "20")
        #expect(SearchResult.saved(matches, options: [.save, .max])?.description == "60")
        #expect(SearchResult.saved(matches, options: [.save, .min, .max])?.description == "20,60")
        #expect(SearchResult.saved([], options: [.save]) == nil)
    }

    @Test("a saved result feeds the next search's $")
    func saveThenUse() throws {
        var box = SearchMailbox()
        for uid: UInt32 in [20, 30, 41, 60] { box.add("Subject: x\n\nx\n", uid: uid) }
        let saved = SearchResult.saved(matches, options: [.save, .min, .max])
        #expect(try box.search("UID SEARCH $", saved: saved) == [20, 60])
        #expect(try box.search("SEARCH $ NOT 1", saved: saved) == [4])
    }
}
