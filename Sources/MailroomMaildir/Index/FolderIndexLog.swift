// FolderIndexLog — `mailroom-index.log`, the append-only log of changes to `mailroom-index`, so
// a flag change in a 100,000-message folder writes one record instead of the whole index (what
// Dovecot's dovecot.index.log does for dovecot.index).
//
// The index on disk is the base file plus every whole transaction of the log, in order. Each
// write under the index lock appends one transaction: what changed since the last write
// (records added or changed, UIDs removed — MaildirFolder notes them as it changes them — and
// the whole header: UIDVALIDITY, next UID, highest MODSEQ, first recent UID, stamps). A change
// that touched records without noting them (a directory listing, a rebuild) rewrites the base
// instead, as does a log grown past `compactionBytes` and a quarter of the base; a base rewrite
// removes the log.
//
// Format (little endian): "MRIL" u32 version, u64 the checksum the base file ends with (a log
// written for another base is ignored: a crash between a base rewrite and the log's removal
// leaves one); then transactions: u32 payload length, payload, u64 FNV-1a of the payload.
// Payload: the index header as the base encodes it, u32 count of removed UIDs, the UIDs, u32
// count of records, the records as the base encodes them (UID order). Log version 2 goes with
// index version 4 (records with save date and GUID); a version-1 log (index version 3, from an
// older Mailroom) is still read, its records in the version-3 layout, until the base is
// rewritten (an index read in an older version is rewritten at the next write, which removes
// the log).
// Crash safety: the log is a cache like the base (not fsynced); a torn or damaged transaction
// ends the reading there, and the next writer cuts the file back to the last whole one before
// appending. Limits: a transaction is at most `maxTransactionBytes` (64 MiB); a bigger change
// rewrites the base instead.

#if canImport(Glibc)
import Glibc
#endif

enum FolderIndexLog {
    static let fileName = "mailroom-index.log"
    static let magic: [UInt8] = Array("MRIL".utf8)
    static let version: UInt32 = 2
    /// The index format version whose record layout a log version uses.
    static func recordLayout(logVersion: UInt32) -> UInt32? {
        switch logVersion {
        case 1: 3
        case 2: FolderIndexFile.version
        default: nil
        }
    }
    static let headerBytes = 16
    /// The log is folded into the base once it is larger than this and a quarter of the base.
    static let compactionBytes = 64 * 1024
    static let maxTransactionBytes = 64 << 20

    static func header(baseChecksum: UInt64, version: UInt32 = version) -> [UInt8] {
        var out = magic
        out.appendLE(version)
        out.appendLE(baseChecksum)
        return out
    }

    /// The log version its header says, when the header belongs to the base with
    /// `baseChecksum` and the version is one this code reads; nil otherwise (the log is ignored).
    static func version(ofHeader bytes: ArraySlice<UInt8>, baseChecksum: UInt64) -> UInt32? {
        guard bytes.count >= headerBytes else { return nil }
        var reader = ByteReader(bytes.prefix(headerBytes).dropFirst(4))
        guard Array(bytes.prefix(4)) == magic, let logVersion = reader.u32(), recordLayout(logVersion: logVersion) != nil,
              reader.u64() == baseChecksum else { return nil }
        return logVersion
    }

    /// The transaction that brings a reader to `index`: its header, the UIDs `removed` and the
    /// records of the UIDs `changed` (added or changed); nil when it would exceed
    /// `maxTransactionBytes` (the caller rewrites the base instead).
    static func transaction(_ index: FolderIndexFile, removed: Set<UInt32>, changed: Set<UInt32>) -> [UInt8]? {
        guard (removed.count + changed.count) * 40 <= maxTransactionBytes else { return nil }
        var records: [IndexRecord] = []
        for uid in changed.sorted() {
            var low = 0, high = index.records.count
            while low < high {
                let mid = (low + high) / 2
                if index.records[mid].uid < uid { low = mid + 1 } else { high = mid }
            }
            if low < index.records.count, index.records[low].uid == uid { records.append(index.records[low]) }
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(200 + removed.count * 4 + records.reduce(0) { $0 + 38 + $1.fileName.utf8.count })
        index.encodeHeader(into: &payload)
        payload.appendLE(UInt32(removed.count))
        for uid in removed.sorted() { payload.appendLE(uid) }
        payload.appendLE(UInt32(records.count))
        for record in records { record.encode(into: &payload, version: FolderIndexFile.version) }
        guard payload.count <= maxTransactionBytes else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 12)
        out.appendLE(UInt32(payload.count))
        out += payload
        out.appendLE(fnv1a(payload[...]))
        return out
    }

    /// Applies the whole transactions at the start of `bytes` to `index`; returns how many
    /// octets they took (a torn or damaged transaction, and everything after it, is left).
    static func apply(_ bytes: ArraySlice<UInt8>, to index: inout FolderIndexFile, logVersion: UInt32 = version) -> Int {
        guard let layout = recordLayout(logVersion: logVersion) else { return 0 }
        var offset = bytes.startIndex
        while true {
            var lengthReader = ByteReader(bytes[offset...])
            guard let length = lengthReader.u32(), Int(length) <= maxTransactionBytes,
                  bytes.endIndex - offset >= 4 + Int(length) + 8 else { break }
            let payload = bytes[(offset + 4)..<(offset + 4 + Int(length))]
            var sumReader = ByteReader(bytes[payload.endIndex...])
            guard let sum = sumReader.u64(), sum == fnv1a(payload), let change = Change(payload, recordLayout: layout),
                  change.header.uidValidity == index.uidValidity else { break }
            change.apply(to: &index)
            offset = payload.endIndex + 8
        }
        return offset - bytes.startIndex
    }

    /// One decoded transaction.
    private struct Change {
        var header = FolderIndexFile()
        var removed = Set<UInt32>()
        var changed: [IndexRecord] = []

        init?(_ payload: ArraySlice<UInt8>, recordLayout: UInt32) {
            var reader = ByteReader(payload)
            guard header.decodeHeader(&reader), let removedCount = reader.u32() else { return nil }
            for _ in 0..<removedCount {
                guard let uid = reader.u32() else { return nil }
                removed.insert(uid)
            }
            guard let changedCount = reader.u32() else { return nil }
            var lastUID: UInt32 = 0
            for _ in 0..<changedCount {
                guard let record = IndexRecord.decode(&reader, version: recordLayout), record.uid > lastUID else { return nil }
                changed.append(record)
                lastUID = record.uid
            }
            guard reader.isAtEnd else { return nil }
        }

        /// In place: a changed record replaces its UID's (binary search) or is inserted (at the
        /// end, for a new UID, in the usual case).
        func apply(to index: inout FolderIndexFile) {
            var records = index.records
            index.records = []
            if !removed.isEmpty { records.removeAll { removed.contains($0.uid) } }
            for record in changed {
                var low = 0, high = records.count
                while low < high {
                    let mid = (low + high) / 2
                    if records[mid].uid < record.uid { low = mid + 1 } else { high = mid }
                }
                if low < records.count, records[low].uid == record.uid {
                    records[low] = record
                } else {
                    records.insert(record, at: low)
                }
            }
            index = header
            index.records = records
        }
    }
}
