// SMTPMessageSink — where the text of one SMTP message goes while it arrives: memory while it
// fits in queue.direct_delivery_max_bytes (for a delivery at reception, ReceptionDelivery), then
// a spool writer (MailroomQueue), with the Received: trace field written first (RFC 5321 §4.4)
// and, on the submission ports, the Message-ID: and Date: fields added when the client left
// them out (RFC 6409 §8.2, §8.3; RFC 5322 §3.6.1, §3.6.4).
//
// The header block is held back until its end (the first empty line) or until
// `headerScanLimit` bytes, so the added fields can be decided from the whole header; the body
// is written straight through. Write errors are kept and reported at commit time, so the
// session stays in step with the client (the message is then refused with 451 4.3.0).
// Memory: at most the direct-delivery limit plus one read per session, or `headerScanLimit`.
// Security: the added fields are built only from our host name, the clock and random bytes.

import MailroomCore
import MailroomQueue
import MailroomSMTP

final class SMTPMessageSink {
    /// Header bytes examined for Message-ID:/Date: before giving up and passing data through.
    static let headerScanLimit = 256 * 1024

    let id: QueueID
    let envelope: Envelope
    private let spool: Spool
    /// The whole message so far while it fits in `memoryLimit`; nil once it went to the spool.
    private(set) var memory: [UInt8]?
    private let memoryLimit: Int
    private(set) var writer: SpoolWriter?
    private(set) var failure: QueueError?
    private var completeHeaders: Bool
    private var header: [UInt8] = []
    private let hostName: String
    private let now: Int64

    /// `completeHeaders`: add Message-ID:/Date: when missing (submission). `memoryLimit`: keep
    /// the message in memory up to this many bytes (0: spool from the start).
    init(spool: Spool, envelope: Envelope, received: ReceivedHeader, id: QueueID, memoryLimit: Int,
         completeHeaders: Bool, hostName: String, now: Int64) {
        self.spool = spool
        self.envelope = envelope
        self.id = id
        self.memoryLimit = memoryLimit
        self.completeHeaders = completeHeaders
        self.hostName = hostName
        self.now = now
        memory = []
        write(Array(received.encoded.utf8))
    }

    /// Moves what is in memory to a spool writer (at the limit, or when the message must be queued).
    @discardableResult
    func spill() -> SpoolWriter? {
        guard let held = memory, failure == nil else { return writer }
        memory = nil
        do {
            let writer = try spool.receive(envelope, id: id)
            self.writer = writer
            try writer.append(held)
        } catch {
            failure = error
            writer?.abort()
        }
        return writer
    }

    func append(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        guard completeHeaders else { return write(bytes) }
        header += bytes
        if let end = Self.endOfHeader(header) {
            flushHeader(upTo: end)
        } else if header.count > Self.headerScanLimit {
            flushHeader(upTo: header.count)
        }
    }

    /// Writes what is held back; the message ended (a message of headers only).
    func finish() {
        if completeHeaders, failure == nil { flushHeader(upTo: header.count) }
    }

    private func flushHeader(upTo end: Int) {
        completeHeaders = false
        let block = header[..<end]
        var added = ""
        if !Self.hasField("message-id", in: block) {
            added += "Message-ID: <\(QueueID.make()).\(Self.randomToken())@\(hostName)>\r\n"
        }
        if !Self.hasField("date", in: block) {
            added += "Date: \(RFC5322Date.format(now))\r\n"
        }
        let held = header
        header = []
        write(Array(added.utf8) + held)
    }

    private func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        if memory != nil {
            if memory!.count + bytes.count <= memoryLimit {
                memory! += bytes
                return
            }
            spill()
        }
        guard let writer, failure == nil else { return }
        do {
            try writer.append(bytes)
        } catch {
            failure = error
            writer.abort()
        }
    }

    func abort() {
        writer?.abort()
        memory = nil
    }

    // MARK: Header scanning

    /// Index just past the header block: the CRLF (or LF) ending the empty line, or nil.
    static func endOfHeader(_ bytes: [UInt8]) -> Int? {
        if bytes.first == 0x0A { return 0 }
        if bytes.count >= 2, bytes[0] == 0x0D, bytes[1] == 0x0A { return 0 }
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { return i + 1 }
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    /// Whether a field `name` (lower case) starts a line of `block`.
    static func hasField(_ name: String, in block: ArraySlice<UInt8>) -> Bool {
        let target = Array(name.utf8)
        var lineStart = block.startIndex
        while lineStart < block.endIndex {
            var matched = true
            var j = lineStart
            for byte in target {
                guard j < block.endIndex else { matched = false; break }
                let b = block[j]
                if (b >= 0x41 && b <= 0x5A ? b + 0x20 : b) != byte { matched = false; break }
                j += 1
            }
            if matched {
                while j < block.endIndex, block[j] == 0x20 || block[j] == 0x09 { j += 1 }
                if j < block.endIndex, block[j] == UInt8(ascii: ":") { return true }
            }
            guard let next = block[lineStart...].firstIndex(of: 0x0A) else { return false }
            lineStart = next + 1
        }
        return false
    }

    static func randomToken() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return String(decoding: (0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] }, as: UTF8.self)
    }
}
