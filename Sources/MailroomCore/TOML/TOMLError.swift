// TOMLError.swift — the one error TOMLParser throws.
//
// Standard: TOML 1.0.0 (https://toml.io/en/v1.0.0). The spec says only that an invalid
// document "must" produce an error; this type adds where: a 1-based line and a 1-based
// column counted in Unicode scalars (so a Chinese character is one column, and a tab is one
// column), because `mailroom config check` prints it for administrators.
//
// Security: messages quote at most one offending token from the input, never whole lines.

/// A syntax or redefinition error in a TOML document, with its position.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the offending text (lines are separated by LF or CRLF).
    public let line: Int
    /// 1-based column of the offending text, counted in Unicode scalars.
    public let column: Int
    /// What is wrong, e.g. "duplicate key 'port'", "unterminated string", "expected '=' after key".
    public let message: String

    /// Also for callers that validate a parsed document and want to report a position the
    /// same way (for example with `TOMLTable.line(of:)` and column 1).
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
