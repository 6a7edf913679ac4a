// ContinuationTests.swift — the AUTHENTICATE response line and IDLE's DONE.

import MailroomIMAP
import Testing

@Suite("Parser: continuation lines")
struct ContinuationTests {
    let parser = IMAPCommandParser()

    func response(_ line: String) -> Result<AuthenticateResponse, IMAPParseError> {
        Result { () throws(IMAPParseError) in try parser.parseAuthenticateResponse(Array(line.utf8)) }
    }

    @Test("AUTHENTICATE responses: base64, empty, '=' and the '*' that cancels")
    func authenticate() {
        #expect(response("AGZyZWQAdGVzdA==") == .success(.data(Array("\0fred\0test".utf8))))
        #expect(response("") == .success(.data([])))
        #expect(response("=") == .success(.data([])))
        #expect(response("*") == .success(.cancel))
        #expect(response("not base64!") == .failure(IMAPParseError("invalid base64 in the AUTHENTICATE response")))
        #expect(response("AGZy ZWQ=") == .failure(IMAPParseError("invalid base64 in the AUTHENTICATE response")))
        #expect(response("**") == .failure(IMAPParseError("invalid base64 in the AUTHENTICATE response")))
    }

    @Test("DONE in any case ends IDLE; anything else is refused")
    func done() {
        for line in ["DONE", "done", "Done"] {
            #expect(throws: Never.self) { try parser.parseIdleDone(Array(line.utf8)) }
        }
        for line in ["", "DONE ", " DONE", "DON", "DONE\r", "a NOOP"] {
            #expect(throws: IMAPParseError("expected DONE to end IDLE")) { try parser.parseIdleDone(Array(line.utf8)) }
        }
    }
}
