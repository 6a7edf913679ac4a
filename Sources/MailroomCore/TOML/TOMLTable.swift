// TOMLTable.swift — a TOML table: keys in document order, their values, and the line on
// which each key was defined, so that configuration errors found after parsing (a port out
// of range, an unknown key) can still name a line.
//
// Standard: TOML 1.0.0 (https://toml.io/en/v1.0.0), §Table: "tables … are collections of
// key/value pairs"; key order carries no meaning, so equality ignores it, but `keys` keeps the
// order of the document for printing and for `mailroom config check` output.

/// A TOML table (the document itself, a `[table]`, an inline table, or one element of an
/// array of tables).
public struct TOMLTable: Sendable, Equatable {
    private var order: [String] = []
    private var values: [String: TOMLValue] = [:]
    private var definitionLines: [String: Int] = [:]

    public init() {}

    /// The keys, in the order they were first defined.
    public var keys: [String] { order }

    /// The value for `key`, or nil. Setting a new key appends it to `keys` (with no line);
    /// setting nil removes the key.
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { order.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                order.removeAll { $0 == key }
                definitionLines[key] = nil
            }
        }
    }

    /// 1-based line where `key` was defined: the line of its key/value pair, of its `[table]`
    /// or first `[[array of tables]]` header, or, for a table that was only implied by a
    /// longer header or dotted key, the line that implied it. Nil for unknown keys and for
    /// keys that were set in code rather than parsed.
    public func line(of key: String) -> Int? { definitionLines[key] }

    /// Used by the parser: appends a key it has already checked is new.
    mutating func insertParsed(_ key: String, _ value: TOMLValue, line: Int) {
        if values.updateValue(value, forKey: key) == nil { order.append(key) }
        definitionLines[key] = line
    }

    /// Every leaf (non-table) value with its dotted path, in document order; path segments
    /// that are not bare keys are quoted ("a.\"b.c\""). Arrays of tables ([[x]]) are leaves of
    /// type .array whose elements are .table. Values set in code report line 0.
    ///
    /// Document order is line order: a table reopened below a later table (`[a.b]`, `[c]`,
    /// `[a]`) yields its leaves where they stand in the file, not where the tree puts them.
    public func flattened() -> [(path: String, value: TOMLValue, line: Int)] {
        var leaves: [(path: String, value: TOMLValue, line: Int)] = []
        collectLeaves(prefix: "", into: &leaves)
        return leaves.enumerated()
            .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            .map(\.element)
    }

    private func collectLeaves(prefix: String, into leaves: inout [(path: String, value: TOMLValue, line: Int)]) {
        for key in order {
            guard let value = values[key] else { continue }
            let path = prefix + TOMLSyntax.key(key)
            if case .table(let sub) = value {
                sub.collectLeaves(prefix: path + ".", into: &leaves)
            } else {
                leaves.append((path: path, value: value, line: definitionLines[key] ?? 0))
            }
        }
    }

    /// Same keys with equal values; key order and line numbers do not matter.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.values == rhs.values
    }
}
