// ResponseCode — the bracketed code of a status response ("[UIDVALIDITY 3857529045]").
//
// Standards: RFC 3501 §7.1 and RFC 9051 §7.1 (ALERT, BADCHARSET, CAPABILITY, PARSE,
// PERMANENTFLAGS, READ-ONLY, READ-WRITE, TRYCREATE, UIDNEXT, UIDVALIDITY, UNSEEN; CLOSED and
// the RFC 5530 codes in RFC 9051), RFC 4315 §3 (APPENDUID, COPYUID, UIDNOTSTICKY), RFC 7162
// §3.1 and §3.2 (HIGHESTMODSEQ, NOMODSEQ, MODIFIED, CLOSED), RFC 5530 §3 (UNAVAILABLE,
// AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, EXPIRED, PRIVACYREQUIRED, CONTACTADMIN, NOPERM,
// INUSE, EXPUNGEISSUED, CORRUPTION, SERVERBUG, CLIENTBUG, CANNOT, LIMIT, OVERQUOTA,
// ALREADYEXISTS, NONEXISTENT), RFC 4469 §5 (TOOBIG), RFC 6154 §6 (USEATTR), RFC 3516 §4.3
// (UNKNOWN-CTE), RFC 9051 (HASCHILDREN), RFC 5267 §4.3 (NOUPDATE SP quoted), RFC 4469 §5
// (BADURL SP url-resp-text), RFC 4467 §8 (URLMECH SP "INTERNAL" *(SP mechanism)), RFC 5464 §5
// ("METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number / "TOOMANY" / "NOPRIVATE")):
//   resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")"] / capability-data /
//                    "PARSE" / "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" / "READ-ONLY" /
//                    "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
//                    "UNSEEN" SP nz-number / resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" / ... /
//                    atom [SP 1*<any TEXT-CHAR except "]">]
//   resp-code-apnd = "APPENDUID" SP nz-number SP append-uid       ; append-uid = uniqueid / uid-set
//   resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
//
// Security: `other`'s text has "]", CR, LF and NUL removed, so it cannot end the code early.

/// A response code.
public enum ResponseCode: Hashable, Sendable {
    case alert
    case badCharset([String])
    case capability([String])
    case parse
    case permanentFlags([Flag])
    case readOnly, readWrite, tryCreate
    case uidNext(UInt32), uidValidity(UInt32), unseen(UInt32)
    case appendUID(uidValidity: UInt32, uids: SequenceSet)
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    case uidNotSticky
    case highestModSeq(UInt64)
    case noModSeq
    case modified(SequenceSet)
    case closed
    /// NOUPDATE "tag" (RFC 5267 §4.3): the search of that tag is not (or no longer) kept up to
    /// date.
    case noUpdate(String)
    /// BADURL url (RFC 4469 §5): the CATENATE URL that failed, as the client sent it.
    case badURL(String)
    /// URLMECH mechanisms (RFC 4467 §8): the URLAUTH mechanisms of a mailbox.
    case urlMech([String])
    /// MAILBOXID (objectid) (RFC 8474 §4: "MAILBOXID" SP "(" objectid ")").
    case mailboxID(String)
    /// METADATA LONGENTRIES / MAXSIZE / TOOMANY / NOPRIVATE (RFC 5464 §4.2.1, §4.3).
    case metadata(MetadataResponseCode)
    case alreadyExists, nonExistent, cannot, limit, overQuota, inUse, serverBug, clientBug
    case authenticationFailed, authorizationFailed, expired, unavailable, privacyRequired, contactAdmin
    case noPerm, expungeIssued, corruption, tooBig, useAttr, unknownCTE, hasChildren
    /// Any other code: an atom and optional text.
    case other(String, String?)

    public func write(to buffer: inout IMAPEncodeBuffer) {
        func atoms(_ list: [String]) { for item in list where IMAPGrammar.isAtom(item.utf8) { buffer.write(" " + item) } }
        switch self {
        case .alert: buffer.write("ALERT")
        case .badCharset(let charsets):
            buffer.write("BADCHARSET")
            if !charsets.isEmpty {
                buffer.writeSpace()
                buffer.writeList(charsets) { buffer, charset in buffer.writeAString(Array(charset.utf8)) }
            }
        case .capability(let capabilities):
            buffer.write("CAPABILITY")
            atoms(capabilities)
        case .parse: buffer.write("PARSE")
        case .permanentFlags(let flags):
            buffer.write("PERMANENTFLAGS ")
            Flag.writeList(flags, to: &buffer)
        case .readOnly: buffer.write("READ-ONLY")
        case .readWrite: buffer.write("READ-WRITE")
        case .tryCreate: buffer.write("TRYCREATE")
        case .uidNext(let value): buffer.write("UIDNEXT \(value)")
        case .uidValidity(let value): buffer.write("UIDVALIDITY \(value)")
        case .unseen(let value): buffer.write("UNSEEN \(value)")
        case .appendUID(let validity, let uids):
            buffer.write("APPENDUID \(validity) ")
            uids.write(to: &buffer)
        case .copyUID(let validity, let source, let destination):
            buffer.write("COPYUID \(validity) ")
            source.write(to: &buffer)
            buffer.writeSpace()
            destination.write(to: &buffer)
        case .uidNotSticky: buffer.write("UIDNOTSTICKY")
        case .highestModSeq(let value): buffer.write("HIGHESTMODSEQ \(value)")
        case .noModSeq: buffer.write("NOMODSEQ")
        case .modified(let set):
            buffer.write("MODIFIED ")
            set.write(to: &buffer)
        case .closed: buffer.write("CLOSED")
        case .noUpdate(let tag):
            buffer.write("NOUPDATE ")
            buffer.writeString(tag)
        case .badURL(let url):
            // url-resp-text = 1*(%x01-09 / %x0B-0C / %x0E-5C / %x5E-FE): no "]", CR or LF.
            buffer.write("BADURL ")
            buffer.writeText(String(url.filter { $0 != "]" }))
        case .mailboxID(let id):
            buffer.write("MAILBOXID ")
            ObjectID.write(id, to: &buffer)
        case .urlMech(let mechanisms):
            buffer.write("URLMECH")
            atoms(mechanisms)
        case .metadata(let code):
            buffer.write("METADATA ")
            code.write(to: &buffer)
        case .alreadyExists: buffer.write("ALREADYEXISTS")
        case .nonExistent: buffer.write("NONEXISTENT")
        case .cannot: buffer.write("CANNOT")
        case .limit: buffer.write("LIMIT")
        case .overQuota: buffer.write("OVERQUOTA")
        case .inUse: buffer.write("INUSE")
        case .serverBug: buffer.write("SERVERBUG")
        case .clientBug: buffer.write("CLIENTBUG")
        case .authenticationFailed: buffer.write("AUTHENTICATIONFAILED")
        case .authorizationFailed: buffer.write("AUTHORIZATIONFAILED")
        case .expired: buffer.write("EXPIRED")
        case .unavailable: buffer.write("UNAVAILABLE")
        case .privacyRequired: buffer.write("PRIVACYREQUIRED")
        case .contactAdmin: buffer.write("CONTACTADMIN")
        case .noPerm: buffer.write("NOPERM")
        case .expungeIssued: buffer.write("EXPUNGEISSUED")
        case .corruption: buffer.write("CORRUPTION")
        case .tooBig: buffer.write("TOOBIG")
        case .useAttr: buffer.write("USEATTR")
        case .unknownCTE: buffer.write("UNKNOWN-CTE")
        case .hasChildren: buffer.write("HASCHILDREN")
        case .other(let name, let text):
            buffer.write(IMAPGrammar.isAtom(name.utf8) ? name : "X-INVALID")
            if let text, !text.isEmpty {
                buffer.writeSpace()
                buffer.writeText(String(text.filter { $0 != "]" }))
            }
        }
    }
}

/// The argument of a METADATA response code (RFC 5464 §5).
public enum MetadataResponseCode: Hashable, Sendable {
    /// GETMETADATA left out values longer than its MAXSIZE; the longest of them.
    case longEntries(UInt32)
    /// SETMETADATA: a value is larger than the server takes; the largest it takes.
    case maxSize(UInt32)
    /// SETMETADATA: the mailbox (or the server) would hold too many entries.
    case tooMany
    /// SETMETADATA: the server keeps no /private entries.
    case noPrivate

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .longEntries(let size): buffer.write("LONGENTRIES \(size)")
        case .maxSize(let size): buffer.write("MAXSIZE \(size)")
        case .tooMany: buffer.write("TOOMANY")
        case .noPrivate: buffer.write("NOPRIVATE")
        }
    }
}
