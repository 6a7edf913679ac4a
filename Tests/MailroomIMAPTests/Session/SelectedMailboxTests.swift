// SelectedMailboxTests.swift — tests for Session/SelectedMailbox.swift: new mail announced
// with EXISTS and RECENT, expunges held back while they may not be sent (RFC 3501 §7.4.1) and
// then numbered as the client counts, flag changes from elsewhere reported once, this
// session's own changes not repeated, and UID ranges mapped to sequence numbers.

import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Session: selected mailbox")
struct SelectedMailboxTests {
    func info(_ uid: UInt32, _ flags: SystemFlags = [], modSeq: UInt64 = 1) -> MessageInfo {
        MessageInfo(uid: uid, flags: flags, keywords: [], size: 100, internalDate: 0, modSeq: modSeq)
    }

    func snapshot(_ messages: [MessageInfo], recent: Set<UInt32> = [], next: UInt32 = 100) -> FolderSnapshot {
        FolderSnapshot(uidValidity: 7, uidNext: next, highestModSeq: messages.map(\.modSeq).max() ?? 1,
                       messages: messages, recent: recent)
    }

    @Test("the view starts as SELECT found it")
    func initial() {
        let box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(3), info(5), info(9)], recent: [9]), readOnly: false)
        #expect(box.count == 3)
        #expect(box.recentCount == 1)
        #expect(box.message(at: 2)?.uid == 5)
        #expect(box.message(at: 0) == nil && box.message(at: 4) == nil)
        #expect(box.sequence(of: 9) == 3 && box.sequence(of: 4) == nil)
        #expect(box.lastUID == 9)
        var same = box
        #expect(same.announce(allowExpunge: true) == [])
    }

    @Test("new mail is announced with EXISTS and RECENT, even while expunges are held back")
    func newMail() {
        var box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(1)]), readOnly: false)
        let pending = box.apply(snapshot([info(1), info(2), info(3)], recent: [2, 3]))
        #expect(pending)
        #expect(box.announce(allowExpunge: false) == [.exists(3), .recent(2)])
        #expect(box.announce(allowExpunge: true) == [])
    }

    @Test("an expunge is held back during FETCH/STORE/SEARCH and counted in EXISTS until sent")
    func heldBackExpunge() {
        var box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(1), info(2), info(3), info(4)]), readOnly: false)
        box.apply(snapshot([info(2), info(4), info(5)]))
        #expect(box.announce(allowExpunge: false) == [.exists(5), .recent(0)])
        #expect(box.isExpunged(at: 1) && box.isExpunged(at: 3))
        #expect(box.message(at: 1)?.uid == 1)
        // Ascending, each number as the client counts at that moment: 1 goes, then 3 (now 2).
        #expect(box.announce(allowExpunge: true) == [.expunge(1), .expunge(2)])
        #expect(box.count == 3)
        #expect(box.message(at: 1)?.uid == 2 && box.message(at: 3)?.uid == 5)
        #expect(box.announce(allowExpunge: true) == [])
    }

    @Test("a flag change from elsewhere is reported once; an expunged message's is not")
    func flagChanges() {
        var box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(1), info(2), info(3)]), readOnly: false)
        box.apply(snapshot([info(1, .seen, modSeq: 4), info(3, .flagged, modSeq: 5)]))
        #expect(box.announce(allowExpunge: false) == [.flags(sequence: 1, info(1, .seen, modSeq: 4)),
                                                      .flags(sequence: 3, info(3, .flagged, modSeq: 5))])
        #expect(box.announce(allowExpunge: true) == [.expunge(2)])
        #expect(box.highestModSeq == 5)
        box.apply(snapshot([info(1, .seen, modSeq: 4), info(3, .flagged, modSeq: 5)]))
        #expect(box.announce(allowExpunge: true) == [])
    }

    @Test("this session's own STORE is not reported again")
    func ownChanges() {
        var box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(1), info(2)]), readOnly: false)
        box.noteReported(info(2, .deleted, modSeq: 9))
        box.apply(snapshot([info(1), info(2, .deleted, modSeq: 9)]))
        #expect(box.announce(allowExpunge: true) == [])
        #expect(box.highestModSeq == 9)
    }

    @Test("a message expunged and a new one delivered in the same sync")
    func expungeAndDeliver() {
        var box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(1), info(2)]), readOnly: false)
        box.apply(snapshot([info(2), info(3)], recent: [3]))
        #expect(box.announce(allowExpunge: true) == [.expunge(1), .exists(2), .recent(1)])
    }

    @Test("UID ranges map to the sequence numbers of the messages in them")
    func uidRanges() {
        let box = SelectedMailbox(path: .inbox, snapshot: snapshot([info(3), info(5), info(9), info(12)]), readOnly: false)
        #expect(box.sequences(ofUIDs: 4...9) == 2..<4)
        #expect(box.sequences(ofUIDs: 1...2) == 1..<1)
        #expect(box.sequences(ofUIDs: 13...20).isEmpty)
        #expect(box.sequences(ofUIDs: 1...UInt32.max) == 1..<5)
    }
}
