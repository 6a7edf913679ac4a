// FolderIndex — Mailroom's own per-folder index file, `mailroom-index`: what IMAP needs fast
// and the files cannot say quickly. For each UID: the current file name (so no directory scan
// is needed to open a message), flags and keyword letters as last seen, the MODSEQ of the last
// change (RFC 7162), RFC822.SIZE and the internal date. For the folder: UIDVALIDITY, the next
// UID and highest MODSEQ, and the stamps (inode, size, mtime in ns) of dovecot-uidlist, cur/,
// new/ and dovecot-keywords when the index was written, so an open can skip reading them
// when nothing changed.
//
// The index is a cache: dovecot-uidlist and the file names are the truth. It is rewritten
// atomically (temporary + rename) without fsync; a missing, truncated or corrupt index (bad
// magic, version or checksum) is rebuilt from the files, keeping every UID. Only MODSEQ values
// restart after a rebuild (the highest MODSEQ never goes down while the index exists).
//
// It also holds the one thing the files cannot rebuild: which messages are still IMAP \Recent
// (RFC 3501 §2.3.2). Like Dovecot's `first_recent_uid` (dovecot.index header), the first
// recent UID says every message with a UID at or above it has not been claimed by a read-write
// session yet; the session that claims them sets it past the highest UID present (see
// MaildirFolder.snapshot). It changes only under the index lock.
//
// Format (little endian): "MRIX" u32 version, u32 uidvalidity, u32 next uid, u64 highest
// modseq, [version 2: u32 first recent uid], 4 stamps of (u64 dev, u64 inode, i64 size,
// i64 mtime ns), [version 3: i64 time of the last listing of cur/ (ns)], i64 last tmp
// cleanup (s), u32 count, then per record: u32 uid, u8 flags,
// u32 keyword letter bits, u8 location (0 new/, 1 cur/), u64 modseq, i64 size, i64 internal
// date, [version 4: i64 save date (s, 0 unknown)], u16 name length, name bytes, [version 4:
// u16 GUID length, GUID bytes (empty: the GUID is the base name)]; finally a u64 FNV-1a
// checksum of everything before it.
// Versions: 1 had no first recent uid; it is read as "everything with a UID is claimed" (first
// recent uid = next uid), so upgrading does not make old mail recent. Version 2 is written from
// then on. Version 3 adds when cur/ was last listed (see MaildirFolder's sync: whether the
// recorded stamp of cur/ still owes a verifying listing; a version-2 index is read with 0
// there, so one listing of cur/ once the directory has settled), and comes with the change log
// `mailroom-index.log` (FolderIndexLog): the index is this file plus the log's transactions.
// Version 4 adds two per-message values (see IndexRecord): the save date (RFC 8514 SAVEDATE:
// when the message got its UID in this folder) and the message GUID (RFC 8474 EMAILID, as
// Dovecot's maildir GUID: the `G` extension of the message's dovecot-uidlist record, else its
// base name). Records read from a version-3 file have save date 0 (unknown: FETCH SAVEDATE is
// NIL, as RFC 8514 §4 allows) and the base name as GUID, which is what they had.
// A file of an older version is rewritten as version 4 at the next write. Any other version
// is damage (rebuilt). XXX: a Mailroom older than the version written reads the index as
// damaged and rebuilds it (MODSEQ values restart, nothing else is lost), so do not run old and
// new binaries on one tree at once.

struct IndexRecord: Sendable, Equatable {
    var uid: UInt32
    var flags: SystemFlags
    /// Bit n set: keyword letter 'a'+n.
    var keywordBits: UInt32
    var inCur: Bool
    var modSeq: UInt64
    var size: Int64
    var internalDate: Int64
    /// The full current file name, info part included.
    var fileName: String
    /// RFC 8514 save date: when the message got its UID in this folder (APPEND, COPY, MOVE, or
    /// the sync that found a delivered file), seconds since 1970; 0 when unknown (a record from
    /// an index before version 4, or one rebuilt from the files).
    var saveDate: Int64 = 0
    /// The message GUID when it is not the base name (a copy keeps its source's GUID, written
    /// as the `G` extension of its dovecot-uidlist record, as Dovecot does); empty otherwise.
    var storedGUID: String = ""

    /// The message GUID (Dovecot's maildir GUID): stable for the message and kept by COPY/MOVE.
    var guid: String { storedGUID.isEmpty ? String(baseName) : storedGUID }

    /// The name up to ':' — the key in dovecot-uidlist.
    var baseName: Substring {
        if let colon = fileName.utf8.firstIndex(of: 0x3A) { return fileName[..<colon] }
        return Substring(fileName)
    }
}

struct FolderIndexFile: Sendable, Equatable {
    static let magic: [UInt8] = Array("MRIX".utf8)
    /// The version written; `decode` also reads `oldestReadableVersion` and up.
    static let version: UInt32 = 4
    static let oldestReadableVersion: UInt32 = 1
    static let fileName = "mailroom-index"

    var uidValidity: UInt32 = 0
    var nextUID: UInt32 = 1
    var highestModSeq: UInt64 = 1
    /// IMAP \Recent: messages with a UID at or above this one are not claimed by a session yet.
    var firstRecentUID: UInt32 = 1
    var uidListStamp = FileStamp.absent
    var curStamp = FileStamp.absent
    var newStamp = FileStamp.absent
    var keywordsStamp = FileStamp.absent
    /// When cur/ was last listed (ns since the epoch; the sync's start, taken before the stat).
    var curListedAt: Int64 = 0
    var lastTmpCleanup: Int64 = 0
    var records: [IndexRecord] = []

    /// The file's bytes. `version` 3 (the same header, records without save date and GUID) is
    /// for tests of reading older files; Mailroom writes `Self.version`.
    func encoded(version: UInt32 = version) -> [UInt8] {
        precondition(version == Self.version || version == 3, "only versions 3 and \(Self.version) are written")
        var out: [UInt8] = []
        out.reserveCapacity(200 + records.reduce(0) { $0 + 48 + $1.fileName.utf8.count + $1.storedGUID.utf8.count })
        out += Self.magic
        out.appendLE(version)
        encodeHeader(into: &out)
        out.appendLE(UInt32(records.count))
        for r in records { r.encode(into: &out, version: version) }
        out.appendLE(fnv1a(out[...]))
        return out
    }

    /// Everything but the records, in file order (also a log transaction's first part).
    func encodeHeader(into out: inout [UInt8]) {
        out.appendLE(uidValidity)
        out.appendLE(nextUID)
        out.appendLE(highestModSeq)
        out.appendLE(firstRecentUID)
        for stamp in [uidListStamp, curStamp, newStamp, keywordsStamp] {
            out.appendLE(stamp.device)
            out.appendLE(stamp.inode)
            out.appendLE(UInt64(bitPattern: stamp.size))
            out.appendLE(UInt64(bitPattern: stamp.mtimeNanoseconds))
        }
        out.appendLE(UInt64(bitPattern: curListedAt))
        out.appendLE(UInt64(bitPattern: lastTmpCleanup))
    }

    /// Reads what `encodeHeader` wrote (for a file of `fileVersion`); false when cut short.
    mutating func decodeHeader(_ reader: inout ByteReader, fileVersion: UInt32 = version) -> Bool {
        guard let v = reader.u32(), let n = reader.u32(), let m = reader.u64() else { return false }
        uidValidity = v
        nextUID = n
        highestModSeq = m
        if fileVersion >= 2 {
            guard let recent = reader.u32() else { return false }
            firstRecentUID = recent
        } else {
            // Version 1 kept no \Recent state: every message it knew is taken as claimed.
            firstRecentUID = n
        }
        var stamps: [FileStamp] = []
        for _ in 0..<4 {
            guard let dev = reader.u64(), let ino = reader.u64(), let size = reader.u64(), let mtime = reader.u64() else { return false }
            stamps.append(FileStamp(device: dev, inode: ino, size: Int64(bitPattern: size), mtimeNanoseconds: Int64(bitPattern: mtime)))
        }
        (uidListStamp, curStamp, newStamp, keywordsStamp) = (stamps[0], stamps[1], stamps[2], stamps[3])
        if fileVersion >= 3 {
            guard let listed = reader.u64() else { return false }
            curListedAt = Int64(bitPattern: listed)
        }
        guard let cleanup = reader.u64() else { return false }
        lastTmpCleanup = Int64(bitPattern: cleanup)
        return true
    }

    /// Decodes an index; nil for anything damaged (the caller rebuilds).
    static func decode(_ bytes: [UInt8]) -> FolderIndexFile? {
        guard bytes.count >= 16, Array(bytes[0..<4]) == magic else { return nil }
        let body = bytes[0..<(bytes.count - 8)]
        var check = ByteReader(bytes[(bytes.count - 8)...])
        guard let sum = check.u64(), sum == fnv1a(body) else { return nil }
        var reader = ByteReader(body.dropFirst(4))
        guard let fileVersion = reader.u32(), (oldestReadableVersion...version).contains(fileVersion) else { return nil }
        var index = FolderIndexFile()
        guard index.decodeHeader(&reader, fileVersion: fileVersion), let count = reader.u32() else { return nil }
        index.records.reserveCapacity(Int(count))
        var lastUID: UInt32 = 0
        for _ in 0..<count {
            guard let record = IndexRecord.decode(&reader, version: fileVersion), record.uid > lastUID else { return nil }
            index.records.append(record)
            lastUID = record.uid
        }
        guard reader.isAtEnd else { return nil }
        return index
    }

    /// The format version an encoded index says it has.
    static func fileVersion(of encoded: [UInt8]) -> UInt32? {
        guard encoded.count >= 8 else { return nil }
        var reader = ByteReader(encoded[4..<8])
        return reader.u32()
    }

    /// The checksum an encoded index ends with (the log names its base by it).
    static func checksum(of encoded: [UInt8]) -> UInt64? {
        guard encoded.count >= 8 else { return nil }
        var reader = ByteReader(encoded[(encoded.count - 8)...])
        return reader.u64()
    }
}

extension IndexRecord {
    /// In the layout of index `version` (3 or 4; the log's records use the base's layout).
    func encode(into out: inout [UInt8], version: UInt32) {
        out.appendLE(uid)
        out.append(flags.rawValue)
        out.appendLE(keywordBits)
        out.append(inCur ? 1 : 0)
        out.appendLE(modSeq)
        out.appendLE(UInt64(bitPattern: size))
        out.appendLE(UInt64(bitPattern: internalDate))
        if version >= 4 { out.appendLE(UInt64(bitPattern: saveDate)) }
        Self.encodeString(fileName, into: &out)
        if version >= 4 { Self.encodeString(storedGUID, into: &out) }
    }

    /// u16 length and the octets (a file name is at most 255 octets: NAME_MAX; a GUID from
    /// dovecot-uidlist is cut at 65,535).
    private static func encodeString(_ string: String, into out: inout [UInt8]) {
        let bytes = string.utf8
        if bytes.count <= Int(UInt16.max) {
            out.appendLE(UInt16(bytes.count))
            out.append(contentsOf: bytes)
        } else {
            out.appendLE(UInt16.max)
            out.append(contentsOf: Array(bytes.prefix(Int(UInt16.max))))
        }
    }

    static func decode(_ reader: inout ByteReader, version: UInt32) -> IndexRecord? {
        guard let uid = reader.u32(), let flags = reader.u8(), let kw = reader.u32(), let loc = reader.u8(),
              let modSeq = reader.u64(), let size = reader.u64(), let date = reader.u64() else { return nil }
        var saveDate: UInt64 = 0
        if version >= 4 {
            guard let saved = reader.u64() else { return nil }
            saveDate = saved
        }
        guard let length = reader.u16(), let name = reader.string(Int(length)) else { return nil }
        var guid = ""
        if version >= 4 {
            guard let guidLength = reader.u16(), let stored = reader.string(Int(guidLength)) else { return nil }
            guid = stored
        }
        return IndexRecord(uid: uid, flags: SystemFlags(rawValue: flags), keywordBits: kw, inCur: loc == 1, modSeq: modSeq,
                           size: Int64(bitPattern: size), internalDate: Int64(bitPattern: date), fileName: name,
                           saveDate: Int64(bitPattern: saveDate), storedGUID: guid)
    }
}

/// FNV-1a, 64 bit: enough to detect a torn or damaged index; not a security checksum.
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.withUnsafeBufferPointer { buffer in
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in buffer {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension [UInt8] {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}

struct ByteReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard bytes.count >= size else { return nil }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        bytes = bytes.dropFirst(size)
        return value
    }

    mutating func u8() -> UInt8? { integer(UInt8.self) }
    mutating func u16() -> UInt16? { integer(UInt16.self) }
    mutating func u32() -> UInt32? { integer(UInt32.self) }
    mutating func u64() -> UInt64? { integer(UInt64.self) }

    mutating func string(_ length: Int) -> String? {
        guard bytes.count >= length else { return nil }
        let s = String(decoding: bytes.prefix(length), as: UTF8.self)
        bytes = bytes.dropFirst(length)
        return s
    }

    mutating func bytes(_ length: Int) -> [UInt8]? {
        guard bytes.count >= length else { return nil }
        let out = Array(bytes.prefix(length))
        bytes = bytes.dropFirst(length)
        return out
    }
}
