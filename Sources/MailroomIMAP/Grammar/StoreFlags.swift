// StoreFlags — what STORE does to the flags: add, remove or replace, silently or not, and
// the STORE modifiers.
//
// Standards: RFC 3501 §6.4.6 and §9, RFC 9051 §6.4.6 and §9:
//   store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
// RFC 7162 §3.1.3 (CONDSTORE):
//   store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
//   store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer

/// +FLAGS, -FLAGS or FLAGS, with or without .SILENT.
public struct StoreFlags: Hashable, Sendable {
    public enum Operation: Hashable, Sendable { case add, remove, replace }

    public var operation: Operation
    public var silent: Bool
    public var flags: [Flag]

    public init(_ operation: Operation, silent: Bool = false, flags: [Flag]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch operation {
        case .add: buffer.write("+")
        case .remove: buffer.write("-")
        case .replace: break
        }
        buffer.write(silent ? "FLAGS.SILENT " : "FLAGS ")
        Flag.writeList(flags, to: &buffer)
    }
}
