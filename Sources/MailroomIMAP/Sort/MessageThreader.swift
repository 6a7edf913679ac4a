// MessageThreader — the THREAD algorithms: ORDEREDSUBJECT and REFERENCES over the messages a
// THREAD command's search matched, producing the ThreadForest of the response.
//
// Standards: RFC 5256 §2.2 (base subject from §2.1; sent date from the Date: field adjusted by
// its zone, else the internal date) and §3:
// ORDEREDSUBJECT: "sorts the searched messages by subject and then by the sent date. The
//   messages are then split into separate threads, with each thread containing messages with
//   the same extracted subject text. Each thread is sorted by the sent date of the first
//   message in the thread. The first message of each thread is the root; subsequent messages
//   in the thread are children of the root."
// REFERENCES: (1) link messages by Message-ID, References (else the first id of In-Reply-To):
//   (A) link each pair of the References ids in order, without changing an existing parent and
//   without making a loop; (B) make the message a child of its last reference (or of nothing),
//   breaking an existing link, unless that makes a loop; (2) the roots are the nodes without a
//   parent; (3) dummies (ids no message has) are removed, their children promoted, but not to
//   the root unless only one; (4) siblings are sorted by sent date (a dummy by its first child);
//   (5) root threads with the same base subject are merged: (A)–(C) of §3's step 5 — a subject
//   table keyed by base subject, preferring a dummy, then a message that is not a reply or
//   forward; two dummies share their children; a reply becomes a child of the original; else
//   both go under a new dummy; (6) the whole is sorted again as in (4).
// "the messages are sorted by sent date ... If the sent dates are the same, the messages are
// sorted by the order in which they appear in the mailbox".
//
// Dovecot compatibility (index-thread-links.c, index-thread-finish.c, imap-thread.c), which the
// imaptest thread* scripts encode:
//   - A second message with the Message-ID of an earlier one, or one without a valid
//     Message-ID, is a node of its own that no reference can reach.
//   - Step (1)(B) breaks the existing parent link first and then leaves the message without a
//     parent when the new link would make a loop (so "(3 2)(1)" for a→c, c←b, b←c).
//   - Dummies below the root are skipped (their children go to the nearest message above, or
//     to the root dummy); a root dummy with one child is replaced by it when the roots are
//     sorted, before the subjects are gathered.
//   - Sorting compares the sent date, then the UID (the same order as sequence numbers); a
//     Date: that parses to 0 counts as missing.
//   - ORDEREDSUBJECT threads are ordered by the sent date of their first message, then by its
//     number.
//
// Security: the trees are arrays with parent indexes and are built and walked without
// recursion, so a chain of replies as long as the mailbox cannot exhaust the stack. Each
// message contributes at most MessageID.maximumIdentifiers references. The loop check walks up
// from the new parent only when the child already has children, and all walks of one command
// share `Links.ancestorWalkBudget` steps: References crafted to make every link walk a long
// chain cannot make THREAD quadratic; once the budget is spent, a node with children is not
// linked any more (which never makes a loop), so the result stays a forest. Finding where a
// message hangs below a chain of dummies is memoised, linear in all.

import MailroomMIME

/// What THREAD reads of one message.
struct ThreadMessage: Equatable {
    /// The number the response shows: the sequence number, or the UID for UID THREAD.
    var number: UInt32
    /// The UID, for the order of messages with the same sent date.
    var uid: UInt32
    /// The sent date in seconds since 1970 (the internal date when the Date: field has none).
    var sentDate: Int64
    var messageID: String?
    /// The References ids, else the first id of In-Reply-To.
    var references: [String]
    var baseSubject: [UInt8]
    var isReplyOrForward: Bool

    init(number: UInt32, uid: UInt32, sentDate: Int64, messageID: String? = nil, references: [String] = [],
         baseSubject: [UInt8] = [], isReplyOrForward: Bool = false) {
        self.number = number
        self.uid = uid
        self.sentDate = sentDate
        self.messageID = messageID
        self.references = references
        self.baseSubject = baseSubject
        self.isReplyOrForward = isReplyOrForward
    }

    /// The facts of a message from its top-level header.
    init(number: UInt32, uid: UInt32, internalDate: Int64, header: MIMEHeader) {
        var references = header.first("References").map { MessageID.all(in: $0.unfoldedValue) } ?? []
        if references.isEmpty, let id = header.first("In-Reply-To").flatMap({ MessageID.first(in: $0.unfoldedValue) }) {
            references = [id]
        }
        let subject = SortFields.baseSubject(header)
        self.init(number: number, uid: uid, sentDate: SortFields.sentDate(header, internalDate: internalDate),
                  messageID: header.first("Message-ID").flatMap { MessageID.first(in: $0.unfoldedValue) },
                  references: references, baseSubject: subject.subject, isReplyOrForward: subject.isReplyOrForward)
    }

    /// Sent date, then UID.
    static func precedes(_ a: ThreadMessage, _ b: ThreadMessage) -> Bool {
        a.sentDate != b.sentDate ? a.sentDate < b.sentDate : a.uid < b.uid
    }
}

enum MessageThreader {
    static func thread(_ messages: [ThreadMessage], algorithm: ThreadAlgorithm) -> ThreadForest {
        switch algorithm {
        case .orderedSubject: orderedSubject(messages)
        case .references: references(messages)
        }
    }

    // MARK: ORDEREDSUBJECT

    static func orderedSubject(_ messages: [ThreadMessage]) -> ThreadForest {
        let sorted = messages.sorted { a, b in
            if a.baseSubject != b.baseSubject { return a.baseSubject.lexicographicallyPrecedes(b.baseSubject) }
            if a.sentDate != b.sentDate { return a.sentDate < b.sentDate }
            return a.number < b.number
        }
        var threads: [ArraySlice<ThreadMessage>] = []
        var start = sorted.startIndex
        for index in sorted.indices.dropFirst() where sorted[index].baseSubject != sorted[start].baseSubject {
            threads.append(sorted[start..<index])
            start = index
        }
        if !sorted.isEmpty { threads.append(sorted[start...]) }
        threads.sort { a, b in
            let x = a.first!, y = b.first!
            return x.sentDate != y.sentDate ? x.sentDate < y.sentDate : x.number < y.number
        }
        var forest = ThreadForest()
        for thread in threads {
            let children = thread.dropFirst().map { forest.add($0.number) }
            forest.roots.append(forest.add(thread.first!.number, children: children))
        }
        return forest
    }

    // MARK: REFERENCES

    static func references(_ messages: [ThreadMessage]) -> ThreadForest {
        var links = Links()
        for index in messages.indices { links.add(message: index, messages[index]) }
        var finish = Finish(messages: messages, links: links)
        return finish.run()
    }

    /// Step (1): the id table and the parent links.
    struct Links {
        struct Node {
            /// Index into the messages; nil for a dummy.
            var message: Int?
            var parent: Int?
            var childCount = 0
        }

        /// Steps of the loop checks of one command (a mailbox of ordinary threads uses a few per
        /// message).
        static let ancestorWalkBudget = 10_000_000

        var nodes: [Node] = []
        var byID: [String: Int] = [:]
        var walkBudget = ancestorWalkBudget

        mutating func newNode(message: Int?) -> Int {
            nodes.append(Node(message: message))
            return nodes.count - 1
        }

        /// The node of a referenced id, a dummy when no message has it yet.
        mutating func node(for id: String) -> Int {
            if let existing = byID[id] { return existing }
            let created = newNode(message: nil)
            byID[id] = created
            return created
        }

        mutating func add(message index: Int, _ message: ThreadMessage) {
            let own: Int
            if let id = message.messageID {
                if let existing = byID[id], nodes[existing].message == nil {
                    nodes[existing].message = index
                    own = existing
                } else if byID[id] != nil {
                    own = newNode(message: index)   // a duplicate Message-ID: a node of its own
                } else {
                    own = newNode(message: index)
                    byID[id] = own
                }
            } else {
                own = newNode(message: index)
            }
            // (A) each pair of references, in order.
            var last: Int?
            for id in message.references {
                let reference = node(for: id)
                if let previous = last { link(parent: previous, child: reference) }
                last = reference
            }
            // (B) the message under its last reference: an other parent is dropped first.
            if let current = nodes[own].parent, current != last { unlink(own) }
            if let last { link(parent: last, child: own) }
        }

        /// Makes `child` a child of `parent` unless it has a parent already or that would
        /// make a loop.
        mutating func link(parent: Int, child: Int) {
            guard nodes[child].parent == nil, parent != child else { return }
            if nodes[child].childCount > 0 {
                // A loop when `child` is an ancestor of `parent`.
                var node = parent
                while let up = nodes[node].parent {
                    walkBudget -= 1
                    if up == child || walkBudget < 0 { return }
                    node = up
                }
            }
            nodes[child].parent = parent
            nodes[parent].childCount += 1
        }

        mutating func unlink(_ child: Int) {
            guard let parent = nodes[child].parent else { return }
            nodes[parent].childCount -= 1
            nodes[child].parent = nil
        }
    }

    /// Steps (2) to (6).
    struct Finish {
        struct Root {
            /// The node whose children (in `children`) the thread has.
            var node: Int
            var dummy: Bool
            /// A childless dummy, or a root merged into another.
            var ignore = false
            /// The root of the subject table this one goes under (step 5).
            var parentRoot: Int?
            var isReplyOrForward = false
            /// The sort key: sent date and UID of the message (of the first child for a dummy).
            var sentDate: Int64 = 0
            var uid: UInt32 = 0
        }

        let messages: [ThreadMessage]
        /// Messages of the nodes; nil for dummies (merging adds dummies of its own).
        var nodeMessages: [Int?]
        /// The children each node shows (dummies below the root left out).
        var children: [[Int]]
        var roots: [Root] = []

        init(messages: [ThreadMessage], links: Links) {
            self.messages = messages
            nodeMessages = links.nodes.map(\.message)
            children = Array(repeating: [], count: links.nodes.count)
            // For a dummy inside a thread: where its children go (memoised).
            var target = [Int?](repeating: nil, count: links.nodes.count)
            for (index, node) in links.nodes.enumerated() {
                guard let start = node.parent else {
                    roots.append(Root(node: index, dummy: node.message == nil))
                    continue
                }
                guard node.message != nil else { continue }   // a dummy inside a thread
                // The nearest ancestor that is a message, else the top dummy.
                var parent = start
                var dummies: [Int] = []
                while links.nodes[parent].message == nil {
                    if let known = target[parent] {
                        parent = known
                        break
                    }
                    guard let up = links.nodes[parent].parent else { break }
                    dummies.append(parent)
                    parent = up
                }
                for dummy in dummies { target[dummy] = parent }
                children[parent].append(index)
            }
        }

        func message(of node: Int) -> ThreadMessage { messages[nodeMessages[node]!] }

        func sortedChildren(of node: Int) -> [Int] {
            children[node].sorted { ThreadMessage.precedes(message(of: $0), message(of: $1)) }
        }

        mutating func run() -> ThreadForest {
            sortRoots()
            gatherSubjects()
            if mergeSubjects() { sortRoots() }
            return forest()
        }

        /// Steps (3) and (4) at the root: childless dummies dropped, a dummy with one child
        /// replaced by it, and the roots ordered.
        mutating func sortRoots() {
            for index in roots.indices where !roots[index].ignore {
                if roots[index].dummy {
                    let sorted = sortedChildren(of: roots[index].node)
                    guard let first = sorted.first else {
                        roots[index].ignore = true
                        continue
                    }
                    if sorted.count == 1 {
                        roots[index].node = first
                        roots[index].dummy = false
                    }
                    roots[index].sentDate = message(of: first).sentDate
                    roots[index].uid = message(of: first).uid
                } else {
                    let own = message(of: roots[index].node)
                    roots[index].sentDate = own.sentDate
                    roots[index].uid = own.uid
                }
            }
            roots.sort { a, b in a.sentDate != b.sentDate ? a.sentDate < b.sentDate : a.uid < b.uid }
        }

        /// Step (5)(A)–(B): the subject table.
        mutating func gatherSubjects() {
            var table: [[UInt8]: Int] = [:]
            for index in roots.indices where !roots[index].ignore {
                let node = roots[index].dummy ? sortedChildren(of: roots[index].node)[0] : roots[index].node
                let subject = message(of: node)
                guard !subject.baseSubject.isEmpty else { continue }
                if let held = table[subject.baseSubject] {
                    if !roots[held].dummy && (roots[index].dummy || (roots[held].isReplyOrForward && !subject.isReplyOrForward)) {
                        roots[held].parentRoot = index
                        table[subject.baseSubject] = index
                    } else {
                        roots[index].parentRoot = held
                    }
                } else {
                    table[subject.baseSubject] = index
                }
                roots[index].isReplyOrForward = subject.isReplyOrForward
            }
        }

        /// Step (5)(C): threads with the same subject merged. Whether anything changed.
        mutating func mergeSubjects() -> Bool {
            var changed = false
            for index in roots.indices where roots[index].parentRoot != nil && !roots[index].ignore {
                var top = roots[index].parentRoot!
                while let up = roots[top].parentRoot { top = up }
                changed = true
                let current = roots[index]
                if current.dummy {
                    // Both dummies: the children become siblings.
                    children[roots[top].node] += children[current.node]
                    children[current.node] = []
                    roots[index].ignore = true
                } else if roots[top].dummy || (current.isReplyOrForward && !roots[top].isReplyOrForward) {
                    // Under the dummy, or a reply under the original.
                    children[roots[top].node].append(current.node)
                    roots[index].ignore = true
                } else {
                    // Both under a new dummy, which takes the subject's place.
                    nodeMessages.append(nil)
                    children.append([roots[top].node, current.node])
                    roots[top].parentRoot = roots.count
                    roots[top].ignore = true
                    roots[index].ignore = true
                    roots.append(Root(node: children.count - 1, dummy: true))
                }
            }
            return changed
        }

        /// The response's forest: roots in order, children sorted at every level.
        func forest() -> ThreadForest {
            var forest = ThreadForest()
            // (node, forest index) pairs whose children are still to be added.
            var pending: [(node: Int, at: Int)] = []
            for root in roots where !root.ignore {
                let at = forest.add(root.dummy ? nil : message(of: root.node).number)
                forest.roots.append(at)
                pending.append((root.node, at))
            }
            while let (node, at) = pending.popLast() {
                for child in sortedChildren(of: node) {
                    let added = forest.add(message(of: child).number)
                    forest.nodes[at].children.append(added)
                    pending.append((child, added))
                }
            }
            return forest
        }
    }
}
