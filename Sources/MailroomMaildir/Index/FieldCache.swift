// FieldCache — per-folder cache of values that are costly to compute from a message and never
// change for a UID: IMAP ENVELOPE and BODYSTRUCTURE, decoded header fields. File
// `mailroom-cache` beside the index: append-only records, loaded on first use.
//
// Record: u32 uid, u8 field-name length, name, u32 value length, value, u64 FNV-1a of the
// record. A torn or damaged tail (a crash mid-append) ends the read there; everything before it
// stays usable. The file is compacted (rewritten with live records only) when more than half
// of it is dead. The cache may be deleted at any time; values are computed again.
// Limits: one value at most `maxValueBytes` (1 MiB); larger values are not cached.

#if canImport(Glibc)
import Glibc
#endif

struct FieldCache {
    static let maxValueBytes = 1 << 20

    let path: String
    private var values: [UInt32: [String: [UInt8]]] = [:]
    private var fileBytes = 0
    private var liveBytes = 0

    init(path: String) {
        self.path = path
        guard let bytes = try? FileSystem.read(path) else { return }
        var reader = ByteReader(bytes[...])
        var consumed = 0
        while true {
            let start = consumed
            guard let uid = reader.u32(), let nameLength = reader.u8(), let name = reader.string(Int(nameLength)),
                  let valueLength = reader.u32(), Int(valueLength) <= Self.maxValueBytes,
                  let value = reader.bytes(Int(valueLength)), let sum = reader.u64() else { break }
            let length = 4 + 1 + Int(nameLength) + 4 + Int(valueLength)
            guard sum == fnv1a(bytes[start..<(start + length)]) else { break }
            consumed = start + length + 8
            values[uid, default: [:]][name] = value
        }
        fileBytes = consumed
        liveBytes = consumed
    }

    func value(uid: UInt32, field: String) -> [UInt8]? { values[uid]?[field] }

    /// `liveUIDs` is asked only when the file is compacted.
    mutating func set(uid: UInt32, field: String, value: [UInt8], liveUIDs: () -> Set<UInt32>) {
        guard value.count <= Self.maxValueBytes, field.utf8.count <= 255, values[uid]?[field] != value else { return }
        values[uid, default: [:]][field] = value
        let record = Self.record(uid: uid, field: field, value: value)
        liveBytes += record.count
        if fileBytes > 4096, liveBytes * 2 < fileBytes {
            let live = liveUIDs()
            values = values.filter { live.contains($0.key) }
            compact()
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if (try? FileSystem.writeAll(fd, record, path: path)) != nil { fileBytes += record.count }
    }

    mutating func remove(uids: Set<UInt32>) {
        for uid in uids {
            if let fields = values.removeValue(forKey: uid) {
                for (name, value) in fields { liveBytes -= 4 + 1 + name.utf8.count + 4 + value.count + 8 }
            }
        }
    }

    private mutating func compact() {
        var out: [UInt8] = []
        for (uid, fields) in values.sorted(by: { $0.key < $1.key }) {
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) { out += Self.record(uid: uid, field: name, value: value) }
        }
        if (try? FileSystem.replace(path, with: out, durable: false)) != nil {
            fileBytes = out.count
            liveBytes = out.count
        }
    }

    static func record(uid: UInt32, field: String, value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendLE(uid)
        let name = Array(field.utf8)
        out.append(UInt8(name.count))
        out += name
        out.appendLE(UInt32(value.count))
        out += value
        out.appendLE(fnv1a(out[...]))
        return out
    }
}
