// Log output through swift-log: human-readable lines by default, one JSON object per line with
// log.format = "json" (or --log-format json). Written to standard error.

import Foundation
import Logging

public struct MailroomLogHandler: LogHandler {
    public enum Format: String, Sendable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: Format

    public init(label: String, format: Format, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { _, new in new }
        var line: [UInt8] = []
        line.reserveCapacity(320)
        switch format {
        case .text:
            Self.appendTimestamp(to: &line)
            line.append(0x20)
            line += event.level.rawValue.utf8
            line.append(0x20)
            line += label.utf8
            line += ": ".utf8
            line += event.message.description.utf8
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line.append(0x20)
                line += key.utf8
                line.append(UInt8(ascii: "="))
                Self.appendQuotedIfNeeded(Self.text(value), to: &line)
            }
        case .json:
            var time: [UInt8] = []
            Self.appendTimestamp(to: &time)
            var object: [String: String] = ["time": String(decoding: time, as: UTF8.self), "level": event.level.rawValue,
                                            "logger": label, "message": event.message.description]
            for (key, value) in merged where object[key] == nil { object[key] = Self.text(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line += data
        }
        line.append(0x0A)
        // One write(2) per line, unbuffered: a line is in the log before the next one starts,
        // and lines from concurrent threads do not interleave (one write each, under PIPE_BUF
        // for pipes; appends for files).
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        default: value.description
        }
    }

    /// 2026-11-29T19:10:09.017Z, UTC, from one clock_gettime and gmtime_r.
    static func appendTimestamp(to out: inout [UInt8]) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tm = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &tm)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(0x30 + (v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(Int(tm.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(tm.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(tm.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(tm.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(tm.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(tm.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(Int(ts.tv_nsec / 1_000_000), 3); out.append(UInt8(ascii: "Z"))
    }

    /// The value as it is, or in double quotes (with '"' escaped) when it holds a space, '"' or '='.
    static func appendQuotedIfNeeded(_ s: String, to out: inout [UInt8]) {
        let needsQuotes = s.utf8.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D }
        guard needsQuotes else {
            out += s.utf8
            return
        }
        out.append(0x22)
        for byte in s.utf8 {
            if byte == 0x22 { out.append(0x5C) }
            out.append(byte)
        }
        out.append(0x22)
    }
}

enum LogSetup {
    /// Bootstraps swift-log once per process.
    static func bootstrap(format: String, level: String) {
        let fmt = MailroomLogHandler.Format(rawValue: format) ?? .text
        let lvl = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in MailroomLogHandler(label: label, format: fmt, level: lvl) }
    }
}
