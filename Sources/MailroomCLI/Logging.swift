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
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let time = Self.timestamp()
        let line: String
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoteIfNeeded("\($0.value)"))" }
            line = ([time, "\(event.level)", "\(label):", "\(event.message)"] + fields).joined(separator: " ")
        case .json:
            var object: [String: String] = ["time": time, "level": "\(event.level)", "logger": label, "message": "\(event.message)"]
            for (key, value) in merged where object[key] == nil { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tm = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, Int(ts.tv_nsec / 1_000_000))
    }

    static func quoteIfNeeded(_ s: String) -> String {
        s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"\(s.replacingOccurrences(of: "\"", with: "\\\""))\"" : s
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
