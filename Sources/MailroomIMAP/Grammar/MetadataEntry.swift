// MetadataEntry — the entry names, values and GETMETADATA options of the METADATA extension,
// with their encoders.
//
// Standards: RFC 5464 §3.2 (entry names: "/" separated, starting with "/private" or "/shared";
// "MUST NOT contain asterisk ("*") or percent ("%") characters and MUST be valid UTF-8 strings
// that do not contain the NUL octet. Invalid entry names result in a BAD response"; names are
// case-insensitive), §3.2.1 (the vendor subtree "/shared/vendor/<vendor-token>/…"), §4.2 and §5:
//   entry         = astring          ; slash-separated path to entry; MUST NOT contain "*" or "%"
//   entry-value   = entry SP value
//   value         = nstring / literal8
//   getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
//   maxsize-opt   = "MAXSIZE" SP number
//   scope-opt     = "DEPTH" SP ("0" / "1" / "infinity")
//
// Names are checked here, once, when parsed (MetadataEntryName.init(validating:)), and kept
// lower-cased (ASCII), as Dovecot keeps them, so "/Private/Comment" and "/private/comment" are
// one entry and responses show the lower-case form.
//
// Beyond the RFC's "*", "%", NUL and UTF-8 rules, refused as BAD, as Dovecot does: a name not
// starting with "/", two "/" in a row, a trailing "/", control characters. Refused as BAD, as
// Apache James does: "/private" and "/shared" alone (namespace roots, not entries), and
// "/…/vendor" and "/…/vendor/<vendor-token>" alone (RFC 5464 §3.2.1 makes them the top of a
// vendor's subtree, whose entries lie below). XXX: Dovecot accepts the last two as entries.
//
// Security: a name is at most MetadataLimits.maxEntryNameBytes octets and never holds a
// control character, so it is safe in a log line and in the store's file.

/// A valid entry name, lower-cased (RFC 5464 §3.2).
public struct MetadataEntryName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let name: String

    /// Why a name is not an entry name (the text of the BAD reply).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(validating octets: some Collection<UInt8>) throws(Invalid) {
        let bytes = Array(octets)
        guard bytes.count <= MetadataLimits.maxEntryNameBytes else {
            throw Invalid(description: "entry name longer than \(MetadataLimits.maxEntryNameBytes) octets")
        }
        guard bytes.first == UInt8(ascii: "/") else { throw Invalid(description: "entry name must begin with '/'") }
        guard IMAPGrammar.isValidUTF8(bytes) else { throw Invalid(description: "entry name is not valid UTF-8") }
        for (i, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "/"):
                if i > 0 && bytes[i - 1] == byte { throw Invalid(description: "entry name has two '/' in a row") }
                if i == bytes.count - 1 { throw Invalid(description: "entry name ends with '/'") }
            case UInt8(ascii: "*"), UInt8(ascii: "%"):
                throw Invalid(description: "entry name contains '*' or '%'")
            case 0..<0x20, 0x7F:
                throw Invalid(description: "entry name contains a control character")
            default:
                break
            }
        }
        let lower = String(decoding: bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        let components = lower.split(separator: "/").map(String.init)
        guard components[0] == "private" || components[0] == "shared" else {
            throw Invalid(description: "entry name must begin with /private or /shared")
        }
        guard components.count > 1 else { throw Invalid(description: "/\(components[0]) alone is not an entry") }
        if components[1] == "vendor" && components.count < 4 {
            throw Invalid(description: "vendor entries are /\(components[0])/vendor/<vendor-token>/<name>")
        }
        name = lower
    }

    /// A name known to be valid (from the store, already checked when it was set).
    init(trusted name: String) { self.name = name }

    /// "private" or "shared".
    public var namespace: Substring { name.dropFirst().prefix { $0 != "/" } }

    /// Whether `other` lies below this entry, and how many levels down (nil: not below).
    public func depth(of other: MetadataEntryName) -> Int? {
        guard other.name.count > name.count, other.name.hasPrefix(name),
              other.name.utf8[other.name.utf8.index(other.name.utf8.startIndex, offsetBy: name.utf8.count)] == UInt8(ascii: "/")
        else { return nil }
        return other.name.utf8.dropFirst(name.utf8.count).filter { $0 == UInt8(ascii: "/") }.count
    }

    public var description: String { name }

    public static func < (a: MetadataEntryName, b: MetadataEntryName) -> Bool { a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }

    // entry = astring
    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.writeAString(Array(name.utf8)) }
}

/// An entry and its value: nil removes the entry (SETMETADATA) or says it has none
/// (GETMETADATA); `binary` when it came, or must go, as a literal8 (it holds NUL).
public struct MetadataEntryValue: Hashable, Sendable {
    public var entry: MetadataEntryName
    public var value: [UInt8]?
    public var binary: Bool

    public init(entry: MetadataEntryName, value: [UInt8]?, binary: Bool = false) {
        self.entry = entry
        self.value = value
        self.binary = binary
    }

    // entry-value = entry SP value ; value = nstring / literal8
    public func write(to buffer: inout IMAPEncodeBuffer) {
        entry.write(to: &buffer)
        buffer.writeSpace()
        guard let value else { return buffer.writeNil() }
        if binary || value.contains(0) { buffer.writeLiteral(value, binary: true) } else { buffer.writeString(value) }
    }
}

/// GETMETADATA's options (RFC 5464 §4.2.1, §4.2.2).
public struct MetadataOptions: Hashable, Sendable {
    public enum Depth: Hashable, Sendable {
        case zero, one, infinity
    }

    /// MAXSIZE: values longer than this are left out (and counted for LONGENTRIES).
    public var maxSize: UInt32?
    /// DEPTH: the entries below each requested one that are returned too (0 without DEPTH).
    public var depth: Depth?

    public init(maxSize: UInt32? = nil, depth: Depth? = nil) {
        self.maxSize = maxSize
        self.depth = depth
    }

    public var isEmpty: Bool { maxSize == nil && depth == nil }

    // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
    public func write(to buffer: inout IMAPEncodeBuffer) {
        var items: [String] = []
        if let maxSize { items.append("MAXSIZE \(maxSize)") }
        switch depth {
        case .zero: items.append("DEPTH 0")
        case .one: items.append("DEPTH 1")
        case .infinity: items.append("DEPTH infinity")
        case nil: break
        }
        buffer.writeList(items) { buffer, item in buffer.write(item) }
    }
}
