// FetchOctets — the data of one FETCH body item before it is copied out: a list of pieces,
// each either a range of the stored message (sent with every bare LF made CRLF) or octets made
// here (a decoded body, a rewritten header, the empty line after HEADER.FIELDS). Sizes are
// counted without copying; the octets are copied once, clipped to a partial window.
//
// Standards: RFC 3501 §6.4.5 and RFC 9051 §6.4.5 (message data is sent with CRLF line ends:
// "<origin.length>" counts octets of the section as sent; an origin past the end gives an
// empty string), RFC 3501 §4.3 / RFC 9051 §4.3 (a literal is CHAR8: no NUL), RFC 5322 §2.1.
//
// Line ends: a LF is bare when the octet before it *in the same piece* is not CR, the rule
// MIMEMessage.crlfOctets and MIMEPart.bodyOctets count by, so BODY[...] sizes agree with
// RFC822.SIZE and BODYSTRUCTURE. A bare CR stays as it is.
//
// Security: one pass over each piece (memchr finds the line ends); nothing before the window
// is copied, and copying stops at the window's end. Window arithmetic is done in Int from
// UInt32 values, so it cannot overflow.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data of a FETCH body item as pieces of the stored message and made octets.
struct FetchOctets: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        /// Octets of the stored message, sent with bare LF made CRLF.
        case stored(Range<Int>)
        /// Octets sent as they are.
        case octets([UInt8])
    }

    var pieces: [Piece] = []

    static let empty = FetchOctets()

    init(_ pieces: [Piece] = []) { self.pieces = pieces }

    /// Adds a stored range, merged with the stored range before it when they touch.
    mutating func appendStored(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if case .stored(let last)? = pieces.last, last.upperBound == range.lowerBound {
            pieces[pieces.count - 1] = .stored(last.lowerBound..<range.upperBound)
        } else {
            pieces.append(.stored(range))
        }
    }

    mutating func append(_ octets: [UInt8]) {
        guard !octets.isEmpty else { return }
        pieces.append(.octets(octets))
    }

    /// Octets as sent (CRLF form).
    func count(in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buf in
            var total = 0
            for piece in pieces {
                switch piece {
                case .stored(let range):
                    let r = range.clamped(to: 0..<buf.count)
                    total += r.count + Self.bareLFCount(buf, r)
                case .octets(let octets):
                    total += octets.count
                }
            }
            return total
        }
    }

    /// The octets as sent, only those in `window` (output positions; nil: all). When
    /// `replacingNUL` is set, each NUL becomes that octet (a literal may not hold NUL).
    func bytes(in bytes: [UInt8], window: Range<Int>? = nil, replacingNUL: UInt8? = nil) -> [UInt8] {
        var sink = WindowSink(window: window ?? 0..<Int.max)
        bytes.withUnsafeBufferPointer { buf in
            for piece in pieces {
                if sink.isFull { break }
                switch piece {
                case .stored(let range):
                    Self.copyCRLF(buf, range.clamped(to: 0..<buf.count), into: &sink)
                case .octets(let octets):
                    octets.withUnsafeBufferPointer { sink.append($0) }
                }
            }
        }
        var out = sink.out
        if let replacement = replacingNUL {
            for i in out.indices where out[i] == 0 { out[i] = replacement }
        }
        return out
    }

    /// Bare LFs in `range`: a LF at the start of the range counts as bare.
    static func bareLFCount(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var bare = 0
        var pos = range.lowerBound
        while let lf = firstLF(buf, from: pos, to: range.upperBound) {
            if lf == range.lowerBound || buf[lf - 1] != 0x0D { bare += 1 }
            pos = lf + 1
        }
        return bare
    }

    /// Copies `range` with bare LF made CRLF, clipped to the sink's window.
    static func copyCRLF(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into sink: inout WindowSink) {
        var pos = range.lowerBound
        let crlf: [UInt8] = [0x0D, 0x0A]
        while pos < range.upperBound, !sink.isFull {
            guard let lf = firstLF(buf, from: pos, to: range.upperBound) else {
                sink.append(UnsafeBufferPointer(rebasing: buf[pos..<range.upperBound]))
                return
            }
            if lf == range.lowerBound || buf[lf - 1] != 0x0D {
                sink.append(UnsafeBufferPointer(rebasing: buf[pos..<lf]))
                crlf.withUnsafeBufferPointer { sink.append($0) }
            } else {
                sink.append(UnsafeBufferPointer(rebasing: buf[pos..<(lf + 1)]))
            }
            pos = lf + 1
        }
    }

    @inline(__always) static func firstLF(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = buf.baseAddress else { return nil }
        guard let p = memchr(base + from, 0x0A, to - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }
}

/// Collects output octets, keeping only those whose output position is in `window`.
struct WindowSink {
    let window: Range<Int>
    var out: [UInt8] = []
    /// Output position of the next octet.
    var position = 0

    init(window: Range<Int>) { self.window = window }

    var isFull: Bool { position >= window.upperBound }

    mutating func append(_ chunk: UnsafeBufferPointer<UInt8>) {
        let start = position
        position += chunk.count
        let lower = max(start, window.lowerBound)
        let upper = min(position, window.upperBound)
        guard lower < upper else { return }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[(lower - start)..<(upper - start)]))
    }
}

extension Partial {
    /// The output positions "<origin.length>" selects (RFC 3501 §6.4.5; an origin past the end
    /// selects nothing).
    var window: Range<Int> { Int(origin)..<(Int(origin) + Int(length)) }
}
