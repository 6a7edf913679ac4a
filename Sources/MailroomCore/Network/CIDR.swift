// CIDR — an IPv4 or IPv6 network in address/prefix-length form, for relay rules and access lists.
//
// Standards: RFC 4632 §3.1 (IPv4 prefix notation), RFC 4291 §2.3 (IPv6 prefix notation),
// RFC 4291 §2.5.5.2 (IPv4-mapped IPv6 addresses).
//
// Security: a network with host bits set ("10.0.0.1/8") is refused rather than silently
// widened or narrowed — the administrator probably meant something else, and the message names
// the network the prefix actually covers. Matching across families is deliberately narrow: an
// IPv4-mapped IPv6 client (a dual-stack socket) matches IPv4 networks, and an IPv4 client
// matches only IPv6 networks inside ::ffff:0:0/96 — never "::/0" — so an IPv6-only rule
// cannot open the server to all of IPv4.

public struct CIDRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. "'10.0.0.1/8' has host bits set; the network is 10.0.0.0/8".
    public let message: String

    public init(message: String) { self.message = message }

    /// "invalid network: …".
    public var description: String { "invalid network: \(message)" }
}

public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    /// "10.0.0.0/8", "192.0.2.5" (= /32), "2001:db8::/32", "::1" (= /128). Host bits set ("10.0.0.1/8") are an error naming the network it should be.
    public init(_ text: String) throws(CIDRError) {
        let quoted = AddressError.quote(text)
        let addressText: Substring
        var prefixText: Substring?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            prefixText = text[text.index(after: slash)...]
        } else {
            addressText = text[...]
        }
        guard let address = IPAddress(String(addressText)) else {
            throw CIDRError(message: "\(AddressError.quote(addressText)) is not an IP address")
        }
        let maximum = address.bytes.count * 8
        var length = maximum
        if let prefixText {
            guard !prefixText.isEmpty else { throw CIDRError(message: "\(quoted) has no prefix length after '/'") }
            guard prefixText.utf8.count <= 3, prefixText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let value = Int(prefixText), value <= maximum else {
                throw CIDRError(message: "\(quoted): the prefix length must be a number from 0 to \(maximum)")
            }
            if prefixText.count > 1 && prefixText.first == "0" {
                throw CIDRError(message: "\(quoted): the prefix length must not have leading zeros")
            }
            length = value
        }

        let masked = Self.mask(address.bytes, to: length)
        guard masked == address.bytes else {
            let network = IPAddress(bytes: masked)!
            throw CIDRError(message: "\(quoted) has host bits set; the network is \(network)/\(length)")
        }
        self.network = address
        self.prefixLength = length
    }

    /// Whether `address` is inside this network. An IPv4-mapped IPv6 address matches IPv4
    /// networks; an IPv4 address matches IPv6 networks only inside ::ffff:0:0/96.
    public func contains(_ address: IPAddress) -> Bool {
        var candidate = address.bytes
        if network.isIPv4 && !address.isIPv4 {
            guard let v4 = address.ipv4Mapped else { return false }
            candidate = v4.bytes
        } else if !network.isIPv4 && address.isIPv4 {
            guard prefixLength >= 96, Self.isMappedPrefix(network.bytes) else {
                return false
            }
            candidate = Self.mappedPrefix + address.bytes
        }
        return Self.mask(candidate, to: prefixLength) == network.bytes
    }

    /// Canonical "10.0.0.0/8", "2001:db8::/32", "192.0.2.5/32".
    public var description: String { "\(network)/\(prefixLength)" }

    // MARK: - Bits

    /// ::ffff:0:0/96, the IPv4-mapped prefix.
    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    private static func isMappedPrefix(_ bytes: [UInt8]) -> Bool {
        bytes.count == 16 && Array(bytes[0..<12]) == mappedPrefix
    }

    /// `bytes` with every bit after the first `length` cleared.
    private static func mask(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsHere = min(max(length - index * 8, 0), 8)
            result[index] &= bitsHere == 0 ? 0 : ~UInt8(0) << (8 - bitsHere)
        }
        return result
    }
}
