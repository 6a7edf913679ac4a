// DER — the small subset of ASN.1 Distinguished Encoding Rules needed to write one X.509
// certificate (SelfSignedCertificate) and to read the fields of one back (CertificateSummary).
//
// Standards:
// - ITU-T X.690 (08/2015) §8 (BER) as restricted by §10–11 (DER): definite lengths only, in
//   the fewest octets (§10.1); INTEGER in the fewest octets, two's complement (§8.3.2);
//   BOOLEAN TRUE as 0xFF (§11.1); BIT STRING with a leading unused-bits octet (§8.6.2);
//   OBJECT IDENTIFIER as base-128 arcs with the first two arcs combined (§8.19).
// - RFC 5280 §4.1.2.5: UTCTime (YYMMDDHHMMSSZ) for dates through 2049, GeneralizedTime
//   (YYYYMMDDHHMMSSZ, no fractional seconds) from 2050; both always in UTC ("Z").
// - RFC 5280 §4.1.2.4 / X.680 §41: PrintableString's character set.
//
// Security: the encoder only ever sees our own values. Nothing here reads attacker data except
// DERElement (DERReader.swift), which has its own notes.

import Foundation  // Date only

/// DER encoding functions: each returns one complete TLV (tag, length, contents).
enum DER {
    // X.680 §8.4 universal tags (and the constructed bit, X.690 §8.1.2.5).
    static let booleanTag: UInt8 = 0x01
    static let integerTag: UInt8 = 0x02
    static let bitStringTag: UInt8 = 0x03
    static let octetStringTag: UInt8 = 0x04
    static let nullTag: UInt8 = 0x05
    static let objectIdentifierTag: UInt8 = 0x06
    static let utf8StringTag: UInt8 = 0x0C
    static let printableStringTag: UInt8 = 0x13
    static let ia5StringTag: UInt8 = 0x16
    static let utcTimeTag: UInt8 = 0x17
    static let generalizedTimeTag: UInt8 = 0x18
    static let sequenceTag: UInt8 = 0x30
    static let setTag: UInt8 = 0x31

    /// Tag octet of a context-specific tag [number] (X.690 §8.1.2.2, class bits 10).
    static func contextTag(_ number: UInt8, constructed: Bool) -> UInt8 {
        precondition(number < 31, "high tag numbers are not needed here")
        return 0x80 | (constructed ? 0x20 : 0) | number
    }

    /// One TLV with the contents as given. X.690 §10.1: the length in the fewest octets, the
    /// short form below 128.
    static func element(tag: UInt8, _ contents: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let length = contents.count
        if length < 0x80 {
            out.append(UInt8(length))
        } else {
            var lengthBytes: [UInt8] = []
            var rest = length
            while rest > 0 {
                lengthBytes.insert(UInt8(rest & 0xFF), at: 0)
                rest >>= 8
            }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        return out + contents
    }

    static func sequence(_ elements: [[UInt8]]) -> [UInt8] {
        element(tag: sequenceTag, elements.flatMap { $0 })
    }

    /// SET OF: X.690 §11.6 sorts the encodings; every SET we write has one member, but sorting
    /// keeps the function honest.
    static func set(_ elements: [[UInt8]]) -> [UInt8] {
        element(tag: setTag, elements.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
    }

    /// [number] EXPLICIT: the whole inner TLV wrapped in a constructed context tag.
    static func explicit(_ number: UInt8, _ inner: [UInt8]) -> [UInt8] {
        element(tag: contextTag(number, constructed: true), inner)
    }

    /// [number] IMPLICIT on a primitive type: the contents under a context tag.
    static func implicit(_ number: UInt8, contents: [UInt8]) -> [UInt8] {
        element(tag: contextTag(number, constructed: false), contents)
    }

    static func boolean(_ value: Bool) -> [UInt8] {
        element(tag: booleanTag, [value ? 0xFF : 0x00])  // X.690 §11.1
    }

    static func null() -> [UInt8] { [nullTag, 0x00] }

    /// INTEGER from a (two's complement) Int.
    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: rest), at: 0)
            rest >>= 8
        } while rest != 0 && rest != -1
        // Keep the sign: a positive value whose top bit is set needs a 0x00 in front, a negative
        // one whose top bit is clear needs 0xFF.
        if value >= 0 && bytes[0] & 0x80 != 0 { bytes.insert(0x00, at: 0) }
        if value < 0 && bytes[0] & 0x80 == 0 { bytes.insert(0xFF, at: 0) }
        return element(tag: integerTag, bytes)
    }

    /// INTEGER from big-endian magnitude bytes of a non-negative number (serial numbers, RSA
    /// moduli). X.690 §8.3.2: no redundant leading 0x00, one added when the top bit is set.
    static func integer(unsignedBytes: [UInt8]) -> [UInt8] {
        var bytes = Array(unsignedBytes.drop { $0 == 0 })
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0x00, at: 0) }
        return element(tag: integerTag, bytes)
    }

    /// OBJECT IDENTIFIER from its dotted form, e.g. "1.2.840.10045.4.3.2" (X.690 §8.19).
    static func objectIdentifier(_ dotted: String) -> [UInt8] {
        element(tag: objectIdentifierTag, objectIdentifierContents(dotted))
    }

    static func objectIdentifierContents(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { part -> UInt64 in
            guard let arc = UInt64(part) else { preconditionFailure("bad OID \(dotted)") }
            return arc
        }
        precondition(arcs.count >= 2 && arcs[0] <= 2 && (arcs[0] == 2 || arcs[1] < 40), "bad OID \(dotted)")
        var out: [UInt8] = []
        for arc in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var rest = arc >> 7
            while rest > 0 {
                chunk.insert(0x80 | UInt8(rest & 0x7F), at: 0)
                rest >>= 7
            }
            out += chunk
        }
        return out
    }

    static func utf8String(_ text: String) -> [UInt8] {
        element(tag: utf8StringTag, Array(text.utf8))
    }

    /// X.680 §41.4 Table 10: A–Z a–z 0–9 space ' ( ) + , - . / : = ?
    static func isPrintableString(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return Array(" '()+,-./:=?".utf8).contains(byte)
            }
        }
    }

    static func printableString(_ text: String) -> [UInt8] {
        precondition(isPrintableString(text), "not a PrintableString: \(text)")
        return element(tag: printableStringTag, Array(text.utf8))
    }

    /// IA5String contents are ASCII; used for dNSName (RFC 5280 §4.2.1.6).
    static func isIA5String(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    static func octetString(_ bytes: [UInt8]) -> [UInt8] {
        element(tag: octetStringTag, bytes)
    }

    /// BIT STRING of whole octets (public keys, signatures): unused-bits octet 0.
    static func bitString(_ bytes: [UInt8]) -> [UInt8] {
        element(tag: bitStringTag, [0x00] + bytes)
    }

    /// BIT STRING of a NamedBitList such as KeyUsage, given as bit numbers (bit 0 is the most
    /// significant bit of the first octet). X.690 §11.2.2: trailing zero bits are removed, so
    /// the unused-bits count is whatever is left over in the last octet.
    static func namedBits(_ bits: [Int]) -> [UInt8] {
        guard let highest = bits.max() else { return element(tag: bitStringTag, [0x00]) }
        var octets = [UInt8](repeating: 0, count: highest / 8 + 1)
        for bit in bits { octets[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        let unused = UInt8(7 - highest % 8)
        return element(tag: bitStringTag, [unused] + octets)
    }

    // MARK: - Time (RFC 5280 §4.1.2.5)

    /// Validity dates from 2050 on are GeneralizedTime; earlier ones UTCTime
    /// (RFC 5280 §4.1.2.5). Fractions of a second are dropped (rounded down), as both forms
    /// must be whole seconds (§4.1.2.5.1, §4.1.2.5.2).
    static let firstGeneralizedTimeYear = 2050

    static func time(_ date: Date) -> [UInt8] {
        let civil = CivilTime(epochSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
        precondition((1950...9999).contains(civil.year), "certificate date out of range: \(civil.year)")
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let tail = two(civil.month) + two(civil.day) + two(civil.hour) + two(civil.minute) + two(civil.second) + "Z"
        if civil.year < firstGeneralizedTimeYear {
            return element(tag: utcTimeTag, Array((two(civil.year % 100) + tail).utf8))
        }
        return element(tag: generalizedTimeTag, Array((String(civil.year) + tail).utf8))
    }
}

/// A UTC calendar date and time of day, converted to and from seconds since 1970 with the
/// proleptic Gregorian calendar (no Foundation Calendar: no locale or time zone can leak in).
struct CivilTime: Equatable {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    /// Howard Hinnant's civil_from_days.
    init(epochSeconds: Int64) {
        let days = Int(epochSeconds.floorDivided(by: 86_400))
        let secondOfDay = Int(epochSeconds - Int64(days) * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    /// Howard Hinnant's days_from_civil.
    var epochSeconds: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// "2026-05-01 12:00:00 UTC", for logs.
    var text: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second)) UTC"
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
