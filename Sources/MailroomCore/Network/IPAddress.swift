// IPAddress — an IPv4 or IPv6 address as bytes, parsed strictly and printed canonically.
//
// Standards:
// - IPv4 dotted quad as in RFC 3986 §3.2.2 (dec-octet): exactly four decimal parts 0–255,
//   no leading zeros (so "010" cannot mean octal 8 to one program and ten to another).
// - IPv6 text forms of RFC 4291 §2.2 (including "::" and a trailing dotted quad);
//   output per RFC 5952 §4 (lower case, no leading zeros, longest run of two or more zero
//   groups as "::", the first such run on a tie) and §5 (IPv4-mapped as "::ffff:192.0.2.1").
// - IPv4-mapped addresses: RFC 4291 §2.5.5.2. Loopback: RFC 1122 §3.2.1.3 (127/8),
//   RFC 4291 §2.5.3 (::1).
//
// Security: no zone identifiers ("%eth0"), brackets, ports, hex or octal IPv4 forms, or
// shortened IPv4 ("127.1") are accepted: one address has one spelling in access lists.
// Input longer than the longest valid form is refused before parsing.

public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let bytes: [UInt8]

    /// "192.0.2.1", "::1", "2001:db8::1", "::ffff:192.0.2.1"; no zone ids; strict dotted quad (no leading zeros like 010).
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        if utf8.contains(UInt8(ascii: ":")) {
            guard let parsed = Self.parseIPv6(utf8) else { return nil }
            bytes = parsed
        } else {
            guard let parsed = Self.parseIPv4(utf8[...]) else { return nil }
            bytes = parsed
        }
    }

    /// 4 or 16 bytes; any other count gives nil.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// For ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) the IPv4 address a.b.c.d, else nil.
    public var ipv4Mapped: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return nil
        }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104.
    public var isLoopback: Bool {
        if isIPv4 { return bytes[0] == 127 }
        if let v4 = ipv4Mapped { return v4.isLoopback }
        return bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
    }

    /// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6.
    public var description: String {
        if isIPv4 { return bytes.map { String($0) }.joined(separator: ".") }
        if let v4 = ipv4Mapped { return "::ffff:" + v4.description }  // RFC 5952 §5

        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // RFC 5952 §4.2: the longest run of at least two zero groups; the first on a tie.
        var bestStart = -1, bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")  // §4.1, §4.3
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    // MARK: - Parsing

    /// dec-octet "." dec-octet "." dec-octet "." dec-octet, without leading zeros.
    private static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count <= 15 else { return nil }
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 255 else { return nil }
            result.append(UInt8(value))
        }
        return result
    }

    /// RFC 4291 §2.2: eight groups of 1–4 hex digits; one "::" for one or more zero groups;
    /// the last 32 bits may be a dotted quad.
    private static func parseIPv6(_ text: [UInt8]) -> [UInt8]? {
        guard text.count <= 45 else { return nil }  // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
        let colon = UInt8(ascii: ":")

        // Find the single "::", if any.
        var doubleColon: Int?
        var i = 0
        while i + 1 < text.count {
            if text[i] == colon && text[i + 1] == colon {
                guard doubleColon == nil else { return nil }
                doubleColon = i
                i += 2
            } else {
                i += 1
            }
        }

        func groups(_ part: ArraySlice<UInt8>, mayEndWithIPv4: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            let pieces = part.split(separator: colon, omittingEmptySubsequences: false)
            var out: [UInt8] = []
            for (n, piece) in pieces.enumerated() {
                if n == pieces.count - 1 && mayEndWithIPv4 && piece.contains(UInt8(ascii: ".")) {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count) else { return nil }
                var value = 0
                for byte in piece {
                    guard let digit = hexValue(byte) else { return nil }
                    value = value << 4 | digit
                }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }

        if let dc = doubleColon {
            guard let head = groups(text[..<dc], mayEndWithIPv4: false),
                  let tail = groups(text[(dc + 2)...], mayEndWithIPv4: true),
                  head.count + tail.count <= 14 else { return nil }  // "::" stands for ≥ 1 group
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        }
        guard let all = groups(text[...], mayEndWithIPv4: true), all.count == 16 else { return nil }
        return all
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }
}
