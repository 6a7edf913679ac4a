// ThreadAlgorithm — the algorithm a THREAD command names.
//
// Standards: RFC 5256 §3 (THREAD):
//   thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
//   thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext
// The algorithms themselves are in Sort/MessageThreader.swift; an unknown name is refused by
// the parser (BAD), as Dovecot does.

/// A THREAD algorithm (RFC 5256 §3).
public enum ThreadAlgorithm: String, Hashable, Sendable, CaseIterable {
    case orderedSubject = "ORDEREDSUBJECT", references = "REFERENCES"
}
