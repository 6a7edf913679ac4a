// URLAUTH (RFC 4467) and CATENATE (RFC 4469) end to end over loopback with Python's imaplib
// against the real server in-process: the capabilities after login; alice GENURLAUTHs an
// "authuser" URL, bob (same domain, his own session) URLFETCHes it — the server looked bob's
// URL's owner up in the store and read alice's Maildir — while a user of another domain gets
// NIL; the key is a 0600 file in alice's Maildir, and RESETKEY removes it so the URL fails;
// CATENATE builds a message from alice's own message and from an authorized URL of hers in
// bob's session.

import Foundation
import MailroomCore
import MailroomMaildir
import Testing

@Suite(.serialized) struct IMAPURLAuthTests {
    static let message = Array("From: alice@example.com\r\nSubject: shared\r\n\r\nthe body\r\n".utf8)

    @Test func capabilitiesAfterLogin() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin("alice@example.com"), ["capability"]])
        for name in ["CATENATE", "URLAUTH", "URLAUTH=BINARY", "MULTIAPPEND", "BINARY"] {
            #expect(t[1].caps.contains(name), "\(t[1].caps)")
        }
    }

    @Test func authuserURLAcrossSessionsOfOneDomain() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        _ = try server.putMessages("alice@example.com", [Self.message])
        let rump = "imap://alice@example.com/INBOX/;uid=1;urlauth=authuser"
        let first = try await server.imap([ServerHarness.imapLogin("alice@example.com"), ["select", "INBOX"],
                                           ["cmd", "GENURLAUTH", "\"\(rump)\"", "INTERNAL"]])
        #expect(first[2].ok, "\(first)")
        let url = try #require(first[2].untagged("GENURLAUTH").first)
        #expect(url.hasPrefix(rump + ":internal:01") && url.count == rump.count + ":internal:".count + 66, "\(url)")

        // The key: a 0600 file of 64 hex digits in alice's INBOX directory.
        let keyFile = try server.folderDirectory("alice@example.com", "INBOX") + "/mailroom-urlauth-key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 65)

        let fetch = try await server.imap([ServerHarness.imapLogin("bob@example.com"), ["cmd", "URLFETCH", url],
                                           ["@1", "connect", server.imapPort, "none"],
                                           ["@1", "authenticate", "PLAIN", "用户@例子.中国", ServerHarness.password],
                                           ["@1", "cmd", "URLFETCH", url]])
        #expect(fetch[1].ok && fetch[1].literals("URLFETCH") == [Self.message], "\(fetch)")
        #expect(fetch[4].ok && fetch[4].untagged("URLFETCH") == ["\(url) NIL"], "another domain: \(fetch)")

        let reset = try await server.imap([ServerHarness.imapLogin("alice@example.com"), ["cmd", "RESETKEY", "INBOX"],
                                           ["@1", "connect", server.imapPort, "none"],
                                           ["@1", "login", "bob@example.com", ServerHarness.password],
                                           ["@1", "cmd", "URLFETCH", url]])
        #expect(reset[1].ok && reset[1].resp.contains("[URLMECH INTERNAL]"), "\(reset)")
        #expect(!FileManager.default.fileExists(atPath: keyFile))
        #expect(reset[4].ok && reset[4].untagged("URLFETCH") == ["\(url) NIL"], "\(reset)")
    }

    @Test func catenateFromOwnAndAuthorizedURLs() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        _ = try server.putMessages("alice@example.com", [Self.message])
        let own = try await server.imap([ServerHarness.imapLogin("alice@example.com"), ["select", "INBOX"],
                                         ["cmd", "APPEND", "Drafts", "CATENATE",
                                          "(URL \"/INBOX/;uid=1/;section=header\" URL \"/INBOX/;uid=1/;section=text\")"],
                                         ["cmd", "APPEND", "Drafts", "CATENATE", "(URL \"/INBOX;uidvalidity=1/;uid=1\")"],
                                         ["cmd", "GENURLAUTH", "\"imap://alice@example.com/INBOX/;uid=1/;section=TEXT;urlauth=user+bob@example.com\"",
                                          "INTERNAL"]])
        #expect(own[2].ok && own[2].resp.contains("[APPENDUID "), "\(own)")
        #expect(own[3].typ == "NO" && own[3].resp.contains("[BADURL /INBOX;uidvalidity=1/;uid=1]"), "\(own)")
        #expect(try server.folderMessages("alice@example.com", "Drafts") == [Self.message])
        let url = try #require(own[4].untagged("GENURLAUTH").first)

        let bob = try await server.imap([ServerHarness.imapLogin("bob@example.com"),
                                         ["cmd", "APPEND", "INBOX", "CATENATE", "(URL \"\(url)\")"],
                                         ["cmd", "APPEND", "INBOX", "CATENATE", "(URL \"imap://alice@example.com/INBOX/;uid=1\")"]])
        #expect(bob[1].ok, "\(bob)")
        #expect(try server.folderMessages("bob@example.com", "INBOX") == [Array("the body\r\n".utf8)])
        #expect(bob[2].typ == "NO" && bob[2].resp.contains("[BADURL "), "not without URLAUTH: \(bob)")
    }
}
