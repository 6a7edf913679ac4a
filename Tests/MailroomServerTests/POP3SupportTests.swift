// The POP3 server's pieces without sockets: the UIDL value of a Maildir file name, the
// per-address login throttle, and the maildrop lock (an flock that a second open of the same
// Maildir cannot take until the first is released).

import Foundation
import MailroomMaildir
@testable import MailroomServer
import NIOCore
import Testing

@Suite struct POP3SupportTests {
    @Test func uniqueIDIsTheNameWithoutInfo() {
        #expect(POP3UniqueID.of(file: "/m/new/1700000000.M1P2.host") == "1700000000.M1P2.host")
        #expect(POP3UniqueID.of(file: "/m/cur/1700000000.M1P2.host:2,S") == "1700000000.M1P2.host")
        // Size fields stay, as in qmail-pop3d, Courier and Dovecot's %f.
        #expect(POP3UniqueID.of(file: "/m/cur/1700000000.M1P2.host,S=1234,W=1260:2,RS") == "1700000000.M1P2.host,S=1234,W=1260")
        #expect(POP3UniqueID.of(file: "/m/new/1700000000.12345.host,S=1234") == "1700000000.12345.host,S=1234")   // vpopmail
        #expect(POP3UniqueID.of(file: "1700000000.M1P2.host:2,") == "1700000000.M1P2.host")
    }

    @Test func invalidBaseNamesGetAStableDigest() {
        let long = "1700000000.M1P2." + String(repeating: "h", count: 80) + ":2,S"
        let id = POP3UniqueID.of(file: long)
        #expect(id.count == 33 && id.hasPrefix("X"), "\(id)")
        #expect(POP3UniqueID.of(file: long.replacingOccurrences(of: ":2,S", with: ":2,RS")) == id, "flags do not change it")
        let utf8 = POP3UniqueID.of(file: "1700000000.M1P2.höst")
        #expect(utf8.count == 33 && utf8 != id)
    }

    @Test func throttleCountsWithinTheWindow() {
        let throttle = LoginThrottle(limit: 2, windowSeconds: 10)
        let t0 = NIODeadline.now()
        throttle.recordFailure("192.0.2.1", now: t0)
        #expect(!throttle.isBlocked("192.0.2.1", now: t0))
        throttle.recordFailure("192.0.2.1", now: t0 + .seconds(1))
        #expect(throttle.isBlocked("192.0.2.1", now: t0 + .seconds(2)))
        #expect(!throttle.isBlocked("192.0.2.2", now: t0 + .seconds(2)), "other addresses are not affected")
        #expect(!throttle.isBlocked("192.0.2.1", now: t0 + .seconds(10) + .milliseconds(1)), "the first failure left the window")
    }

    @Test func maildropLockIsExclusiveUntilReleased() throws {
        let root = NSTemporaryDirectory() + "mailroom-pop3-lock-\(UUID().uuidString)"
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = MaildirStorage(root: root, options: MaildirOptions(hostName: "test"))
        let b = MaildirStorage(root: root, options: MaildirOptions(hostName: "test"))
        let first = try a.lockMaildrop()
        #expect(first != nil)
        #expect(try b.lockMaildrop() == nil, "held by another session")
        first?.release()
        let second = try b.lockMaildrop()
        #expect(second != nil, "free after release")
        second?.release()
    }
}
