// WildcardPattern — an access-list pattern such as "*@example.com", "spam*" or "192.0.2.*".
//
// Standards: none; the syntax is ours. "*" matches any run of characters, including none; every
// other character matches itself. Matching is case-insensitive by Unicode lower-case mapping
// and works on Unicode scalars after NFC, so "ZOË", "zoë" and "zoe\u{308}" are one string and
// "*" never depends on how a terminal groups characters. There is no escape for a literal "*".
//
// Callers compare like with like: a pattern in U-labels ("*.中国") does not match an A-label
// value ("xn--fiqs8s"); normalize values through DomainName/EmailAddress first.
//
// Security: matching is iterative — the prefix and suffix are anchored and each literal piece
// between stars is found leftmost in turn (greedy-leftmost is exact for "*"-only patterns) —
// so time is at most O(value length × pattern length), never exponential in the number of
// stars ("*a*a*a*a*b" against 10,000 characters is a few thousand steps).

import Foundation  // String.precomposedStringWithCanonicalMapping (NFC) only

/// An access-list pattern: exact, or with '*' matching any run of characters (including none). Case-insensitive (Unicode lowercasing); no other metacharacters.
public struct WildcardPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern, lowercased (and in NFC).
    public let pattern: String
    /// The literal pieces between stars; one piece means no star.
    private let pieces: [[Unicode.Scalar]]

    public init(_ pattern: String) {
        let normalized = Self.normalize(pattern)
        self.pattern = normalized
        self.pieces = normalized.unicodeScalars
            .split(separator: "*", omittingEmptySubsequences: false)
            .map { Array($0) }
    }

    public var hasWildcard: Bool { pieces.count > 1 }

    public func matches(_ value: String) -> Bool {
        let value = Array(Self.normalize(value).unicodeScalars)
        guard pieces.count > 1, let prefix = pieces.first, let suffix = pieces.last else {
            return value == pieces[0]
        }
        // Anchored ends: the text before the first star and after the last.
        guard value.count >= prefix.count + suffix.count,
              value.starts(with: prefix),
              value[(value.count - suffix.count)...].elementsEqual(suffix) else { return false }
        // Pieces between stars, each at its leftmost place after the previous one.
        var position = prefix.count
        let limit = value.count - suffix.count
        for piece in pieces[1..<(pieces.count - 1)] where !piece.isEmpty {
            guard let found = Self.firstIndex(of: piece, in: value, from: position, to: limit) else { return false }
            position = found + piece.count
        }
        return true
    }

    public var description: String { pattern }

    public static func == (lhs: WildcardPattern, rhs: WildcardPattern) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    // MARK: - Helpers

    private static func normalize(_ text: String) -> String {
        text.lowercased().precomposedStringWithCanonicalMapping
    }

    /// Start of the first occurrence of `needle` within `haystack[start..<end]`, if any.
    private static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int, to end: Int) -> Int? {
        guard end - start >= needle.count else { return nil }
        let first = needle[0]
        var candidate = start
        while candidate <= end - needle.count {
            if haystack[candidate] == first {
                var k = 1
                while k < needle.count && haystack[candidate + k] == needle[k] { k += 1 }
                if k == needle.count { return candidate }
            }
            candidate += 1
        }
        return nil
    }
}
