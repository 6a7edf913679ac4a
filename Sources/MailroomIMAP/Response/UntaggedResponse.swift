// UntaggedResponse — the "*" responses: status conditions and the data a command returns.
//
// Standards: RFC 3501 §7.1-§7.4 and RFC 9051 §7.1-§7.5:
//   mailbox-data = "FLAGS" SP flag-list / "LIST" SP mailbox-list / "LSUB" SP mailbox-list /
//                  "SEARCH" *(SP nz-number) / "STATUS" SP mailbox SP "(" [status-att-list] ")" /
//                  number SP "EXISTS" / number SP "RECENT" / esearch-response
//   message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
//   capability-data = "CAPABILITY" *(SP capability)
//   enable-data = "ENABLED" *(SP capability)                        ; RFC 5161
//   id-response = "ID" SP id-params-list                             ; RFC 2971
//   namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace   ; RFC 2342, RFC 9051
//   search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"     ; RFC 7162 §3.1.5
//   quota-response = "QUOTA" SP quota-root-name SP quota-list        ; RFC 9208
//   quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
//   expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids        ; RFC 7162 §3.2.10
//   sort-data = "SORT" *(SP nz-number) [SP search-sort-mod-seq]       ; RFC 5256 §4, RFC 7162
//   thread-data = "THREAD" [SP 1*thread-list]                        ; RFC 5256 §4 (ThreadForest)
//   genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full)            ; RFC 4467 §9
//   urlfetch-data = "*" SP "URLFETCH" ...                            ; RFC 4467, RFC 5524 (URLFetchResult)
//   metadata-resp = "METADATA" SP mailbox SP entry-values             ; RFC 5464 §5
//   entry-values = "(" entry-value *(SP entry-value) ")"
//
// Security: capabilities and enabled names that are not atoms are left out; strings go
// through IMAPEncodeBuffer's quoted-or-literal rule.

/// An untagged response.
public enum UntaggedResponse: Hashable, Sendable {
    /// OK, NO, BAD, BYE or PREAUTH with an optional code and text.
    case condition(UntaggedStatus, code: ResponseCode?, text: String)
    case capability([String])
    case enabled([String])
    case id([IDParameter]?)
    case list(MailboxListItem)
    case lsub(MailboxListItem)
    /// NAMESPACE personal other-users shared (an empty list is NIL).
    case namespace(personal: [NamespaceDescription], otherUsers: [NamespaceDescription], shared: [NamespaceDescription])
    case status(MailboxName, [MailboxStatusValue])
    /// SEARCH numbers [(MODSEQ n)].
    case search([UInt32], modSeq: UInt64?)
    case esearch(ESearchResponse)
    /// SORT numbers [(MODSEQ n)], in sort order (RFC 5256 §4).
    case sort([UInt32], modSeq: UInt64?)
    /// THREAD thread-lists (RFC 5256 §4).
    case thread(ThreadForest)
    case flags([Flag])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    /// n FETCH (items): for a response with a streamed literal see FetchResponseWriter.
    case fetch(UInt32, [FetchResponseItem])
    case quota(root: [UInt8], [QuotaResource])
    case quotaRoot(MailboxName, roots: [[UInt8]])
    case vanished(earlier: Bool, SequenceSet)
    /// GENURLAUTH url-full ... (RFC 4467 §8).
    case genURLAuth([[UInt8]])
    /// URLFETCH for one URL (RFC 4467 §8, RFC 5524).
    case urlFetch(URLFetchResult)
    /// METADATA mailbox (entry value ...) (RFC 5464 §4.4.1): "" for the server's entries.
    case metadata(MailboxName, [MetadataEntryValue])

    /// The response after "* ", without CRLF.
    public func write(to buffer: inout IMAPEncodeBuffer) {
        func atoms(_ list: [String]) { for item in list where IMAPGrammar.isAtom(item.utf8) { buffer.write(" " + item) } }
        switch self {
        case .condition(let status, let code, let text):
            buffer.write(status.rawValue + " ")
            IMAPResponse.writeResponseText(code: code, text: text, to: &buffer)
        case .capability(let capabilities):
            buffer.write("CAPABILITY")
            atoms(capabilities)
        case .enabled(let capabilities):
            buffer.write("ENABLED")
            atoms(capabilities)
        case .id(let parameters):
            buffer.write("ID ")
            IDParameter.writeList(parameters, to: &buffer)
        case .list(let item):
            buffer.write("LIST ")
            item.write(to: &buffer)
        case .lsub(let item):
            buffer.write("LSUB ")
            item.write(to: &buffer)
        case .namespace(let personal, let otherUsers, let shared):
            buffer.write("NAMESPACE")
            for namespaces in [personal, otherUsers, shared] {
                buffer.writeSpace()
                NamespaceDescription.writeList(namespaces, to: &buffer)
            }
        case .status(let mailbox, let values):
            buffer.write("STATUS ")
            mailbox.write(to: &buffer)
            buffer.writeSpace()
            buffer.writeList(values) { buffer, value in value.write(to: &buffer) }
        case .search(let numbers, let modSeq):
            buffer.write("SEARCH")
            for number in numbers { buffer.write(" \(number)") }
            if let modSeq { buffer.write(" (MODSEQ \(modSeq))") }
        case .esearch(let response):
            response.write(to: &buffer)
        case .sort(let numbers, let modSeq):
            buffer.write("SORT")
            for number in numbers { buffer.write(" \(number)") }
            if let modSeq { buffer.write(" (MODSEQ \(modSeq))") }
        case .thread(let threads):
            threads.write(to: &buffer)
        case .flags(let flags):
            buffer.write("FLAGS ")
            Flag.writeList(flags, to: &buffer)
        case .exists(let count): buffer.write("\(count) EXISTS")
        case .recent(let count): buffer.write("\(count) RECENT")
        case .expunge(let number): buffer.write("\(number) EXPUNGE")
        case .fetch(let number, let items):
            buffer.writeNumber(number)
            buffer.write(" FETCH ")
            buffer.writeList(items) { buffer, item in item.write(to: &buffer) }
        case .quota(let root, let resources):
            buffer.write("QUOTA ")
            buffer.writeAString(root)
            buffer.writeSpace()
            buffer.writeList(resources) { buffer, resource in resource.write(to: &buffer) }
        case .quotaRoot(let mailbox, let roots):
            buffer.write("QUOTAROOT ")
            mailbox.write(to: &buffer)
            for root in roots {
                buffer.writeSpace()
                buffer.writeAString(root)
            }
        case .vanished(let earlier, let uids):
            buffer.write(earlier ? "VANISHED (EARLIER) " : "VANISHED ")
            uids.write(to: &buffer)
        case .genURLAuth(let urls):
            buffer.write("GENURLAUTH")
            for url in urls {
                buffer.writeSpace()
                buffer.writeAString(url)
            }
        case .urlFetch(let result):
            result.write(to: &buffer)
        case .metadata(let mailbox, let values):
            // Always a string, never an atom: "" must be one anyway, and so INBOX looks the same.
            buffer.write("METADATA ")
            buffer.writeString(mailbox.bytes)
            buffer.writeSpace()
            buffer.writeList(values) { buffer, value in value.write(to: &buffer) }
        }
    }
}
