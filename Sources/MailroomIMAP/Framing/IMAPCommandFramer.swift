// IMAPCommandFramer — splits the client's input into complete commands, each with its
// literals, with bounded memory. The first of the three input layers (style.md §3):
// framing → grammar (IMAPCommandParser) → semantics (IMAPSession).
//
// Standards: RFC 3501 §2.2 and RFC 9051 §2.2 (commands are lines ending in CRLF, except that a
// literal's octets follow its "{n}" CRLF and the command goes on after them), §4.3 (literal =
// "{" number "}" CRLF *CHAR8; RFC 9051 adds literal8 "~{" number "}" for APPEND/BINARY),
// §7.5 (the server sends a continuation request "+" before it reads a synchronizing literal;
// if it will not accept the command it sends a tagged BAD/NO instead, and the client sends
// nothing more of that command), RFC 7888 (LITERAL+: "{n+}" is sent without waiting).
//
// What a frame is: the command's bytes from the tag to the end of its last line, literals
// kept in wire form ("{5}" CRLF and the 5 octets) so the grammar sees exactly what the client
// sent, without the final CRLF. In line mode (AUTHENTICATE responses, IDLE's DONE) a frame is
// one line and "{n}" means nothing.
//
// Line ends: CRLF; a bare LF is accepted too (Dovecot does the same), its line ending without
// a CR. Inside a literal every octet is data.
//
// Limits (IMAPLimits, imap.* keys): a command's lines and literals together may hold
// `commandBytes` octets (`preAuthCommandBytes` before login); an APPEND's (and a [UID] REPLACE's,
// RFC 8508, whose literal is a message too) literals may each
// hold `appendLiteralBytes` (the adapter lowers it to the user's message size), and count
// against `commandBytes + appendLiteralBytes`; at most `literalsPerCommand` literals. A command
// over a limit is dropped, not executed: `.refused` takes its place in the input so a
// pipelining client gets its replies in order. A synchronizing literal that is too large is
// refused before the client sends it; a non-synchronizing one (or a line that is too long) is
// skipped as it streams past without being stored.
//
// Security: memory held is bounded by the limits above whatever a client sends; an over-long
// line costs no more than a legal one. Bytes after a returned frame are not looked at, so the
// adapter can stop at the exact end of STARTTLS and throw the rest away (RFC 3501 §6.2.1, the
// plaintext injection of CVE-2011-0411).

/// Splits IMAP input into commands with their literals.
public struct IMAPCommandFramer: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Commands with literals.
        case command
        /// Single lines (AUTHENTICATE responses, IDLE's DONE), at most IMAPLimits.saslLineBytes.
        case line
    }

    /// Why a command was dropped.
    public enum Refusal: Sendable, Equatable {
        /// A line (or the whole command) went over the limit.
        case commandTooLong(limit: Int)
        /// A literal announced more octets than allowed; `isAppend`: an APPEND message
        /// (answered NO [TOOBIG], RFC 7889), else BAD.
        case literalTooLarge(size: Int, limit: Int, isAppend: Bool)
        /// More literals than IMAPLimits.literalsPerCommand.
        case tooManyLiterals(limit: Int)
    }

    public enum Event: Sendable, Equatable {
        /// A complete command (mode .command), without its final CRLF.
        case command([UInt8])
        /// A complete line (mode .line), without its CRLF.
        case line([UInt8])
        /// A synchronizing literal was announced and accepted: the adapter sends a continuation
        /// request ("+ ..."), then the client sends the literal.
        case continuationRequest
        /// The command was dropped. `tag`: the tag it started with, when it had one that can be
        /// echoed safely.
        case refused(tag: [UInt8]?, Refusal)
    }

    /// One call's result: input bytes used, and the event they completed (nil: all input used,
    /// nothing complete yet).
    public struct Step: Sendable, Equatable {
        public var consumed: Int
        public var event: Event?
    }

    public var limits: IMAPLimits
    public var mode: Mode = .command
    /// After login the larger limits apply.
    public var isAuthenticated = false

    /// The command so far.
    private var frame: [UInt8] = []
    /// Where the current line starts in `frame`.
    private var lineStart = 0
    /// Literal octets still to copy into `frame`.
    private var literalRemaining = 0
    private var literalCount = 0
    private var isAppend: Bool?
    /// Dropping input: octets of a literal still to skip, then up to the end of the line.
    private var discarding: Discard?

    private struct Discard: Sendable {
        var literalRemaining: Int
        /// The last octets of the discarded line, to see a "{n+}" at its end.
        var tail: [UInt8]
    }

    public init(limits: IMAPLimits = .default) {
        self.limits = limits
    }

    /// Octets held for an unfinished command.
    public var bufferedByteCount: Int { frame.count }
    /// True while a literal's octets are being read or skipped.
    public var isInLiteral: Bool { literalRemaining > 0 || (discarding?.literalRemaining ?? 0) > 0 }
    /// Nothing of a command has arrived yet.
    public var isIdle: Bool { frame.isEmpty && discarding == nil && literalRemaining == 0 }

    /// The limit on a whole command (lines and literals).
    private var commandLimit: Int {
        if mode == .line { return limits.saslLineBytes }
        if !isAuthenticated { return limits.preAuthCommandBytes }
        return isAppend == true ? limits.commandBytes + limits.appendLiteralBytes : limits.commandBytes
    }

    /// Reads from the front of `input` up to the end of the next event, or all of it.
    public mutating func next(in input: some Collection<UInt8>) -> Step {
        if let step = input.withContiguousStorageIfAvailable({ scan($0) }) { return step }
        return Array(input).withUnsafeBufferPointer { scan($0) }
    }

    /// All the events in `input`, for callers that hold a whole read (tests, tools).
    public mutating func events(in input: some Collection<UInt8>) -> [Event] {
        var rest = Array(input)[...]
        var events: [Event] = []
        while !rest.isEmpty {
            let step = next(in: rest)
            rest = rest.dropFirst(step.consumed)
            guard let event = step.event else { break }
            events.append(event)
        }
        return events
    }

    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>) -> Step {
        var index = 0
        while index < input.count {
            if var discard = discarding {
                if discard.literalRemaining > 0 {
                    let take = min(discard.literalRemaining, input.count - index)
                    discard.literalRemaining -= take
                    index += take
                    discarding = discard
                    continue
                }
                let rest = UnsafeBufferPointer(rebasing: input[index...])
                let lf = rest.firstIndex(of: Octet.lf)
                let end = lf ?? rest.count
                discard.tail = Self.lastOctets(discard.tail, UnsafeBufferPointer(rebasing: rest[0..<end]))
                index += end
                guard lf != nil else {
                    discarding = discard
                    continue
                }
                index += 1
                if discard.tail.last == Octet.cr { discard.tail.removeLast() }
                if let (size, _) = Self.literalAnnouncement(discard.tail, allowSynchronizing: false) {
                    discarding = Discard(literalRemaining: size, tail: [])
                } else {
                    discarding = nil
                }
                continue
            }
            if literalRemaining > 0 {
                let take = min(literalRemaining, input.count - index)
                frame.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<(index + take)]))
                literalRemaining -= take
                index += take
                if literalRemaining == 0 { lineStart = frame.count }
                continue
            }
            // Line bytes up to the next LF, or the end of the input.
            let rest = UnsafeBufferPointer(rebasing: input[index...])
            let lf = rest.firstIndex(of: Octet.lf)
            let end = lf ?? rest.count
            // The command without its final CRLF must stay under the limit.
            let room = commandLimit - frame.count
            let length = lf != nil && end > 0 && rest[end - 1] == Octet.cr ? end - 1 : end
            if lf != nil ? length >= room : length > room {
                // Over the limit before the line is even complete: drop it all.
                let tag = tagOfFrame(appending: UnsafeBufferPointer(rebasing: rest[0..<min(end, 256)]))
                // The LF, if it came, is left for the discard state: it ends the line there.
                discarding = Discard(literalRemaining: 0, tail: Self.lastOctets([], UnsafeBufferPointer(rebasing: rest[0..<end])))
                index += end
                resetFrame()
                return Step(consumed: index, event: .refused(tag: tag, .commandTooLong(limit: commandLimit)))
            }
            frame.append(contentsOf: UnsafeBufferPointer(rebasing: rest[0..<end]))
            index += end
            guard lf != nil else { continue }
            index += 1   // the LF
            // A CR right before the LF ends the line, unless it is a literal's last octet (a
            // bare LF after the literal ends the line then: RFC 3501 §4.3, the octets counted
            // are all data).
            if frame.count > lineStart, frame.last == Octet.cr { frame.removeLast() }
            if mode == .line {
                let line = frame
                resetFrame()
                return Step(consumed: index, event: .line(line))
            }
            if isAppend == nil { isAppend = Self.isAppendCommand(frame) }
            let line = frame[min(lineStart, frame.count)...]
            guard let (size, synchronizing) = Self.literalAnnouncement(line, allowSynchronizing: true) else {
                let command = frame
                resetFrame()
                return Step(consumed: index, event: .command(command))
            }
            literalCount += 1
            let literalLimit = isAppend == true && isAuthenticated ? limits.appendLiteralBytes : commandLimit
            let refusal: Refusal? =
                literalCount > limits.literalsPerCommand ? .tooManyLiterals(limit: limits.literalsPerCommand)
                : size > literalLimit ? .literalTooLarge(size: size, limit: literalLimit, isAppend: isAppend == true && isAuthenticated)
                : size > commandLimit - frame.count - 2 ? .commandTooLong(limit: commandLimit)
                : nil
            if let refusal {
                let tag = Self.tag(of: frame)
                resetFrame()
                // A client that sent "{n}" waits for "+": it sends nothing more of this command.
                if !synchronizing { discarding = Discard(literalRemaining: size, tail: []) }
                return Step(consumed: index, event: .refused(tag: tag, refusal))
            }
            frame.append(Octet.cr)
            frame.append(Octet.lf)
            literalRemaining = size
            lineStart = frame.count
            if synchronizing { return Step(consumed: index, event: .continuationRequest) }
        }
        return Step(consumed: index, event: nil)
    }

    /// The last 32 octets of `tail` followed by `more`: enough to see "{n+}" at a line's end.
    static func lastOctets(_ tail: [UInt8], _ more: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let keep = 32
        if more.count >= keep { return Array(more[(more.count - keep)...]) }
        return Array((tail + more).suffix(keep))
    }

    private mutating func resetFrame() {
        frame.removeAll(keepingCapacity: frame.capacity <= 64 * 1024)
        lineStart = 0
        literalRemaining = 0
        literalCount = 0
        isAppend = nil
    }

    private func tagOfFrame(appending more: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        Self.tag(of: frame.isEmpty ? Array(more) : frame)
    }

    /// The tag at the start of a command, when it is a valid IMAP tag (RFC 3501 §9: tag =
    /// 1*<any ASTRING-CHAR except "+">) short enough to echo.
    static func tag(of bytes: some Collection<UInt8>) -> [UInt8]? {
        var tag: [UInt8] = []
        for byte in bytes {
            if byte == Octet.space { break }
            guard isTagChar(byte), tag.count < 128 else { return nil }
            tag.append(byte)
        }
        return tag.isEmpty ? nil : tag
    }

    /// ASTRING-CHAR except "+": ATOM-CHAR or "]" (RFC 3501 §9).
    static func isTagChar(_ b: UInt8) -> Bool {
        guard b > 0x20, b < 0x7F else { return false }
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
             UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "+"):
            return false
        default:
            return true
        }
    }

    /// "tag APPEND ...", "tag REPLACE ..." or "tag UID REPLACE ..." (case-insensitive): a
    /// command whose literals are messages.
    static func isAppendCommand(_ frame: [UInt8]) -> Bool {
        guard let space = frame.firstIndex(of: Octet.space) else { return false }
        func isWord(_ word: ArraySlice<UInt8>, _ expected: String) -> Bool {
            word.count == expected.utf8.count && zip(word, expected.utf8).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
        }
        let name = frame[(space + 1)...].prefix { $0 != Octet.space }
        if isWord(name, "APPEND") || isWord(name, "REPLACE") { return true }
        guard isWord(name, "UID"), name.endIndex < frame.endIndex else { return false }
        return isWord(frame[(name.endIndex + 1)...].prefix { $0 != Octet.space }, "REPLACE")
    }

    /// "{n}", "{n+}" or "~{n}" at the end of a line: the literal's size, and whether the client
    /// waits for a continuation request. Sizes beyond Int32 read as too large, not as a wrap.
    static func literalAnnouncement(_ line: some BidirectionalCollection<UInt8>, allowSynchronizing: Bool) -> (Int, Bool)? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var digits: [UInt8] = []
        var synchronizing = true
        var sawOpen = false
        for byte in line.reversed().dropFirst() {
            if byte == UInt8(ascii: "+") && digits.isEmpty && synchronizing {
                synchronizing = false
                continue
            }
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte)
                if digits.count > 10 { return nil }
                continue
            }
            if byte == UInt8(ascii: "{") { sawOpen = true }
            break
        }
        guard sawOpen, !digits.isEmpty else { return nil }
        var size = 0
        for digit in digits.reversed() { size = size * 10 + Int(digit - UInt8(ascii: "0")) }
        if synchronizing && !allowSynchronizing { return nil }
        return (min(size, Int(Int32.max)), synchronizing)
    }

    enum Octet {
        static let cr: UInt8 = 0x0D
        static let lf: UInt8 = 0x0A
        static let space: UInt8 = 0x20
    }
}
