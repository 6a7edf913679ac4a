// BaseSubject — the "base subject" of a message (its Subject: without "Re:", "Fwd:",
// "[list]" tags and "(fwd)" trailers), which SORT SUBJECT compares and THREAD groups by, and
// whether the subject said it was a reply or forward.
//
// Standards: RFC 5256 §2.1:
//   (1) Convert any RFC 2047 encoded-words in the subject to [UTF-8] ... Convert all tabs and
//       continuations to space. Convert all multiple spaces to a single space.
//   (2) Remove all trailing text of the subject that matches the subj-trailer ABNF; repeat
//       until no more matches are possible.
//   (3) Remove all prefix text of the subject that matches the subj-leader ABNF.
//   (4) If there is prefix text of the subject that matches the subj-blob ABNF, and removing
//       that prefix leaves a non-empty subj-base, then remove the prefix text.
//   (5) Repeat (3) and (4) until no matches remain.
//   (6) If the resulting text begins with the subj-fwd-hdr ABNF and ends with the subj-fwd-trl
//       ABNF, remove the subj-fwd-hdr and subj-fwd-trl and repeat from step (2).
//   (7) The resulting text is the "base subject" used in the SORT.
// and §5:
//   subj-trailer = "(fwd)" / WSP
//   subj-fwd-hdr = "[fwd:"  ;  subj-fwd-trl = "]"
//   subj-leader = (*subj-blob subj-refwd) / WSP
//   subj-blob = "[" *BLOBCHAR "]" *WSP  ;  BLOBCHAR = %x01-5a / %x5c / %x5e-7f
//   subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
// RFC 5256 §2.2 (REFERENCES step 5: a subject is a reply or forward when steps 2–6 removed a
// subj-refwd, a "(fwd)" trailer or a subj-fwd).
//
// The subject is RFC 2047-decoded (EncodedWord), turned into its collation key (SortCollation:
// titlecase and decomposition), white space packed, and then stripped, all as Dovecot's
// imap_get_base_subject_cased does, so the keywords are matched in upper case ("RE", "FWD")
// and the result compares as octets. As in Dovecot, a blob takes one space after its "]"
// (spaces are already packed to one), and step (3)'s WSP is removed even when no subj-refwd
// follows.
//
// Security: every step only moves the two ends inwards, so the whole is linear in the subject.

import MailroomMIME

enum BaseSubject {
    /// The base subject of an unfolded Subject: value (as octets of its collation key) and
    /// whether it was a reply or forward.
    static func extract(_ value: some Collection<UInt8>) -> (subject: [UInt8], isReplyOrForward: Bool) {
        extract(decoded: EncodedWord.decode(value))
    }

    /// The same for a subject already decoded from RFC 2047.
    static func extract(decoded text: String) -> (subject: [UInt8], isReplyOrForward: Bool) {
        var stripper = Stripper(packed(SortCollation.key(text)))
        stripper.run()
        return (Array(stripper.bytes[stripper.start..<stripper.end]), stripper.isReplyOrForward)
    }

    /// Step (1)'s white space: every run of SP, HTAB, CR and LF becomes one SP.
    static func packed(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var lastWasSpace = false
        for byte in bytes {
            if byte == space || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                if !lastWasSpace { out.append(space) }
                lastWasSpace = true
            } else {
                out.append(byte)
                lastWasSpace = false
            }
        }
        return out
    }

    static let space = UInt8(ascii: " ")
    static let open = UInt8(ascii: "[")
    static let close = UInt8(ascii: "]")
    static let colon = UInt8(ascii: ":")

    /// Steps (2) to (6) over `bytes[start..<end]`.
    struct Stripper {
        let bytes: [UInt8]
        var start = 0
        var end: Int
        var isReplyOrForward = false

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            end = bytes.count
        }

        mutating func run() {
            repeat {
                removeTrailers()
                var found: Bool
                repeat {
                    found = removeLeader()
                    found = removeBlobWhenNonEmpty() || found
                } while found
            } while removeForwardWrapper()
        }

        func has(_ text: StaticString, at index: Int) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= end else { return false }
            return text.withUTF8Buffer { pattern in pattern.elementsEqual(bytes[index..<(index + count)]) }
        }

        /// (2) subj-trailer = "(fwd)" / WSP, repeatedly.
        mutating func removeTrailers() {
            while end > start {
                if bytes[end - 1] == BaseSubject.space {
                    end -= 1
                } else if end - start >= 5, has("(FWD)", at: end - 5) {
                    isReplyOrForward = true
                    end -= 5
                } else {
                    break
                }
            }
        }

        /// The index after the subj-blob at `index` ("[" *BLOBCHAR "]" and one SP), if one is there.
        func blobEnd(at index: Int) -> Int? {
            guard index < end, bytes[index] == BaseSubject.open else { return nil }
            var i = index + 1
            while i < end, bytes[i] != BaseSubject.open, bytes[i] != BaseSubject.close { i += 1 }
            guard i < end, bytes[i] == BaseSubject.close else { return nil }
            i += 1
            if i < end, bytes[i] == BaseSubject.space { i += 1 }
            return i
        }

        /// (3) subj-leader = (*subj-blob subj-refwd) / WSP. Whether something was removed.
        mutating func removeLeader() -> Bool {
            var removed = false
            if start < end, bytes[start] == BaseSubject.space {
                start += 1
                removed = true
            }
            var i = start
            while i < end, bytes[i] == BaseSubject.open {
                guard let next = blobEnd(at: i) else { return removed }
                i = next
            }
            // subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
            if has("RE", at: i) {
                i += 2
            } else if has("FWD", at: i) {
                i += 3
            } else if has("FW", at: i) {
                i += 2
            } else {
                return removed
            }
            if i < end, bytes[i] == BaseSubject.space { i += 1 }
            if i < end, bytes[i] == BaseSubject.open {
                guard let next = blobEnd(at: i) else { return removed }
                i = next
            }
            guard i < end, bytes[i] == BaseSubject.colon else { return removed }
            start = i + 1
            isReplyOrForward = true
            return true
        }

        /// (4) a leading subj-blob, when text remains after it.
        mutating func removeBlobWhenNonEmpty() -> Bool {
            guard let next = blobEnd(at: start), next < end else { return false }
            start = next
            return true
        }

        /// (6) "[fwd:" subject "]".
        mutating func removeForwardWrapper() -> Bool {
            guard end - start >= 6, has("[FWD:", at: start), bytes[end - 1] == BaseSubject.close else { return false }
            isReplyOrForward = true
            start += 5
            end -= 1
            return true
        }
    }
}
