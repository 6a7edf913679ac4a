// ThreadForest — the threads of a THREAD response: trees whose nodes are message numbers (or
// UIDs for UID THREAD), or dummies standing for a missing parent, and their encoding.
//
// Standards: RFC 5256 §4 (THREAD response):
//   thread-data = "THREAD" [SP 1*thread-list]
//   thread-list = "(" (thread-members / thread-nested) ")"
//   thread-members = nz-number *(SP nz-number) [SP thread-nested]
//   thread-nested = 2*thread-list
// So a message with one child is followed by that child's number ("(3 2)"), one with several
// by a nested list per child ("(2 (7)(12))"), and a dummy root is a list of its children's
// lists ("((1)(2))"), as Dovecot writes them.
//
// The forest is flat (nodes in an array, children as indexes) and written without recursion:
// a chain of replies is as deep as the mailbox is large, and a hostile mailbox must not be
// able to exhaust the stack of the thread that writes the response.

/// Threads as a forest of numbered nodes.
public struct ThreadForest: Hashable, Sendable, CustomStringConvertible {
    public struct Node: Hashable, Sendable {
        /// The message's sequence number or UID; nil for a dummy (a message that is not there).
        public var number: UInt32?
        /// Indexes into `nodes`, in thread order.
        public var children: [Int]

        public init(number: UInt32?, children: [Int] = []) {
            self.number = number
            self.children = children
        }
    }

    public var nodes: [Node]
    /// Indexes into `nodes` of the thread roots, in thread order.
    public var roots: [Int]

    public init(nodes: [Node] = [], roots: [Int] = []) {
        self.nodes = nodes
        self.roots = roots
    }

    /// Adds a node and returns its index.
    @discardableResult
    public mutating func add(_ number: UInt32?, children: [Int] = []) -> Int {
        nodes.append(Node(number: number, children: children))
        return nodes.count - 1
    }

    /// The thread lists, e.g. "(3 2)(1)" (empty when there are no threads).
    public var description: String {
        var buffer = IMAPEncodeBuffer()
        writeLists(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    // thread-data = "THREAD" [SP 1*thread-list]
    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.write("THREAD")
        guard !roots.isEmpty else { return }
        buffer.writeSpace()
        writeLists(to: &buffer)
    }

    private enum Step {
        case open, close, space
        case members(Int)
    }

    /// 1*thread-list, with an explicit stack.
    func writeLists(to buffer: inout IMAPEncodeBuffer) {
        var stack: [Step] = []
        for root in roots.reversed() { stack += [.close, .members(root), .open] }
        while let step = stack.popLast() {
            switch step {
            case .open: buffer.writeByte(IMAPGrammar.openParen)
            case .close: buffer.writeByte(IMAPGrammar.closeParen)
            case .space: buffer.writeSpace()
            case .members(let index):
                let node = nodes[index]
                var next: [Step] = []
                if let number = node.number {
                    buffer.writeNumber(number)
                    if !node.children.isEmpty { next.append(.space) }
                }
                if node.children.count == 1 {
                    // thread-members: the only child continues the list.
                    next.append(.members(node.children[0]))
                } else {
                    // thread-nested: one list per child.
                    for child in node.children { next += [.open, .members(child), .close] }
                }
                stack += next.reversed()
            }
        }
    }
}
