// DERElement — reading DER: one TLV at a time, children of a constructed element on request.
// Used to read back the certificates we load (CertificateSummary) and the private keys handed
// to us (key/certificate match in TLSCredentials).
//
// Standards: ITU-T X.690 §8.1 (identifier and length octets) with the DER restrictions of
// §10.1 (definite, minimal lengths); RFC 5280 §4.1.2.5.1–2 (UTCTime and GeneralizedTime in
// certificates: "Z", whole seconds, UTCTime years 50–99 are 19xx).
//
// Security: certificates and keys come from files the administrator names, but are still
// treated as untrusted input: indefinite lengths, high tag numbers, non-minimal lengths and
// lengths beyond the input are refused, lengths are capped at 4 octets, and nothing recurses
// on its own — callers walk the fixed certificate structure, so nesting cannot blow the stack.

import Foundation  // Date only

struct DERError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct DERElement {
    let tag: UInt8
    /// The contents octets only.
    let contents: ArraySlice<UInt8>
    /// Tag, length and contents: what a signature or fingerprint covers.
    let encoded: ArraySlice<UInt8>

    var isConstructed: Bool { tag & 0x20 != 0 }

    /// Reads exactly one element that fills `bytes`.
    static func single(_ bytes: ArraySlice<UInt8>) throws(DERError) -> DERElement {
        let (element, rest) = try first(of: bytes)
        guard rest.isEmpty else { throw DERError("\(rest.count) trailing bytes after the DER element") }
        return element
    }

    static func single(_ bytes: [UInt8]) throws(DERError) -> DERElement { try single(bytes[...]) }

    /// Reads the first element of `bytes` and returns it with what follows.
    static func first(of bytes: ArraySlice<UInt8>) throws(DERError) -> (DERElement, rest: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        guard index < bytes.endIndex else { throw DERError("DER input ends where an element should start") }
        let tag = bytes[index]
        guard tag & 0x1F != 0x1F else { throw DERError("high tag numbers are not supported") }
        index += 1
        guard index < bytes.endIndex else { throw DERError("DER element has no length") }
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count != 0 else { throw DERError("indefinite length is not DER") }  // X.690 §10.1
            guard count <= 4 else { throw DERError("DER length of \(count) octets is too long") }
            guard bytes.endIndex - index >= count else { throw DERError("DER length is truncated") }
            for byte in bytes[index..<(index + count)] { length = length << 8 | Int(byte) }
            // X.690 §10.1: the fewest octets, and the long form only from 128.
            guard bytes[index] != 0, length >= 0x80 else { throw DERError("DER length is not minimal") }
            index += count
        }
        guard bytes.endIndex - index >= length else {
            throw DERError("DER element claims \(length) bytes, only \(bytes.endIndex - index) remain")
        }
        let end = index + length
        let element = DERElement(tag: tag, contents: bytes[index..<end], encoded: bytes[bytes.startIndex..<end])
        return (element, bytes[end...])
    }

    /// The elements inside a constructed element, in order.
    func children() throws(DERError) -> [DERElement] {
        guard isConstructed else { throw DERError("expected a constructed element, got tag 0x\(hex(tag))") }
        var result: [DERElement] = []
        var rest = contents
        while !rest.isEmpty {
            let (child, after) = try DERElement.first(of: rest)
            result.append(child)
            rest = after
        }
        return result
    }

    /// Throws unless the tag is `expected`; returns self for chaining.
    @discardableResult
    func expecting(_ expected: UInt8, _ what: String) throws(DERError) -> DERElement {
        guard tag == expected else { throw DERError("\(what): expected tag 0x\(hex(expected)), got 0x\(hex(tag))") }
        return self
    }

    /// BIT STRING contents without the unused-bits octet; only whole octets are accepted.
    func bitStringOctets() throws(DERError) -> ArraySlice<UInt8> {
        try expecting(DER.bitStringTag, "BIT STRING")
        guard let unused = contents.first, unused == 0 else { throw DERError("BIT STRING is not whole octets") }
        return contents.dropFirst()
    }

    /// Dotted text of an OBJECT IDENTIFIER.
    func objectIdentifier() throws(DERError) -> String {
        try expecting(DER.objectIdentifierTag, "OBJECT IDENTIFIER")
        guard !contents.isEmpty, contents.last! & 0x80 == 0 else { throw DERError("malformed OBJECT IDENTIFIER") }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        var started = false
        for byte in contents {
            if !started && byte == 0x80 { throw DERError("OBJECT IDENTIFIER arc is not minimal") }
            guard value >> 57 == 0 else { throw DERError("OBJECT IDENTIFIER arc is too large") }
            value = value << 7 | UInt64(byte & 0x7F)
            started = byte & 0x80 != 0
            if !started {
                arcs.append(value)
                value = 0
            }
        }
        let head = arcs[0] < 80 ? [arcs[0] / 40, arcs[0] % 40] : [2, arcs[0] - 80]
        return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }

    /// A small non-negative INTEGER (versions).
    func smallInteger() throws(DERError) -> Int {
        try expecting(DER.integerTag, "INTEGER")
        guard !contents.isEmpty, contents.count <= 4, contents.first! & 0x80 == 0 else {
            throw DERError("INTEGER is empty, negative or too large")
        }
        return contents.reduce(0) { $0 << 8 | Int($1) }
    }

    /// Text of a string type (UTF8String, PrintableString, IA5String, …) for display.
    func string() throws(DERError) -> String {
        switch tag {
        case DER.utf8StringTag, DER.printableStringTag, DER.ia5StringTag, 0x14 /* T61String */, 0x1A /* VisibleString */:
            guard let text = String(validating: contents, as: UTF8.self) else { throw DERError("string is not valid UTF-8") }
            return text
        case 0x1E:  // BMPString: UTF-16BE
            guard contents.count % 2 == 0 else { throw DERError("BMPString has an odd length") }
            let units = stride(from: contents.startIndex, to: contents.endIndex, by: 2).map {
                UInt16(contents[$0]) << 8 | UInt16(contents[$0 + 1])
            }
            return String(decoding: units, as: UTF16.self)
        default:
            throw DERError("unsupported string tag 0x\(hex(tag))")
        }
    }

    /// UTCTime or GeneralizedTime in the RFC 5280 §4.1.2.5 profile.
    func time() throws(DERError) -> Date {
        let text = Array(contents)
        let digitCount: Int
        switch tag {
        case DER.utcTimeTag: digitCount = 12
        case DER.generalizedTimeTag: digitCount = 14
        default: throw DERError("expected UTCTime or GeneralizedTime, got tag 0x\(hex(tag))")
        }
        guard text.count == digitCount + 1, text.last == UInt8(ascii: "Z"),
              text.dropLast().allSatisfy({ (0x30...0x39).contains($0) })
        else { throw DERError("time is not YY(YY)MMDDHHMMSSZ") }
        func number(_ at: Int, _ count: Int) -> Int { text[at..<(at + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        var year: Int
        var at: Int
        if tag == DER.utcTimeTag {
            year = number(0, 2)
            year += year >= 50 ? 1900 : 2000  // RFC 5280 §4.1.2.5.1
            at = 2
        } else {
            year = number(0, 4)
            at = 4
        }
        let civil = CivilTime(year: year, month: number(at, 2), day: number(at + 2, 2),
                              hour: number(at + 4, 2), minute: number(at + 6, 2), second: number(at + 8, 2))
        guard (1...12).contains(civil.month), (1...31).contains(civil.day), civil.hour < 24, civil.minute < 60,
              civil.second < 60 else { throw DERError("time has a field out of range") }
        return Date(timeIntervalSince1970: TimeInterval(civil.epochSeconds))
    }
}

func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

func hex(_ byte: UInt8) -> String { hex([byte]) }
