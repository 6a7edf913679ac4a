// IMAPResponse — a server response: tagged completion, untagged data or status, or a
// continuation request; and its encoder.
//
// Standards: RFC 3501 §7 and RFC 9051 §7:
//   response-tagged = tag SP resp-cond-state CRLF
//   resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
//   resp-text = ["[" resp-text-code "]" SP] text          ; text optional in RFC 9051
//   continue-req = "+" SP (resp-text / base64) CRLF
//   response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
//                   capability-data / enable-data) CRLF
//   greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
//   resp-cond-auth = ("OK" / "PREAUTH") SP resp-text
//   resp-cond-bye = "BYE" SP resp-text
// The untagged data are in UntaggedResponse.swift; FETCH in pieces in FetchResponseWriter.swift.
//
// Security: the tag is written only when it is a valid tag (the parser's tags always are);
// text has CR, LF and NUL replaced, and a text that starts with "[" while there is no code
// gets a leading space so no client reads it as one.

import MailroomCore

/// OK, NO or BAD.
public enum TaggedStatus: String, Hashable, Sendable { case ok = "OK", no = "NO", bad = "BAD" }

/// The untagged status words.
public enum UntaggedStatus: String, Hashable, Sendable {
    case ok = "OK", no = "NO", bad = "BAD", bye = "BYE", preauth = "PREAUTH"
}

/// "+" SP (resp-text / base64)
public enum ContinuationRequest: Hashable, Sendable {
    /// Human-readable text ("Ready for literal data").
    case text(String)
    /// A SASL challenge, base64-encoded on the wire.
    case data([UInt8])
}

/// A server response.
public enum IMAPResponse: Hashable, Sendable {
    case tagged(tag: String, status: TaggedStatus, code: ResponseCode?, text: String)
    case untagged(UntaggedResponse)
    case continuation(ContinuationRequest)

    /// The response's octets, CRLF included.
    public func encoded(options: IMAPEncodingOptions = IMAPEncodingOptions()) -> [UInt8] {
        var buffer = IMAPEncodeBuffer(options: options)
        write(to: &buffer)
        return buffer.bytes
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .tagged(let tag, let status, let code, let text):
            buffer.write(IMAPGrammar.isTag(tag.utf8) ? tag : "*")
            buffer.write(" " + status.rawValue + " ")
            Self.writeResponseText(code: code, text: text, to: &buffer)
            buffer.writeCRLF()
        case .untagged(let response):
            buffer.write("* ")
            response.write(to: &buffer)
            buffer.writeCRLF()
        case .continuation(.text(let text)):
            buffer.write("+ ")
            Self.writeResponseText(code: nil, text: text, to: &buffer)
            buffer.writeCRLF()
        case .continuation(.data(let data)):
            buffer.write("+ " + Base64.encode(data))
            buffer.writeCRLF()
        }
    }

    // resp-text = ["[" resp-text-code "]" SP] text
    static func writeResponseText(code: ResponseCode?, text: String, to buffer: inout IMAPEncodeBuffer) {
        if let code {
            buffer.writeByte(IMAPGrammar.openBracket)
            code.write(to: &buffer)
            buffer.write("] ")
        } else if text.hasPrefix("[") {
            buffer.writeSpace()
        }
        buffer.writeText(text)
    }
}
