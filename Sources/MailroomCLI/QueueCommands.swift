// `mailroom queue list|show|retry|delete|hold|release` — the administrator's view of the mail
// queue (storage.spool_dir), like Postfix's mailq/postqueue/postsuper and qmail's qmail-qread.
// They work on the spool files directly, beside a running server:
//   list             every queued and held message: ID, size, arrival, sender, recipients
//                    still to do, state (queued, deferred, held), next attempt, last reason;
//   show ID          the envelope, each recipient's result, the notifications sent, and the
//                    message's header section;
//   retry ID…|--all  makes messages due now: their next attempt (the queue file's mtime) is
//                    set to now and a flush request is left in the spool (<spool>/flush), which
//                    a running server's queue runner notices within a second and then re-reads
//                    the due times; without a server, the next `queue run` or start does it;
//   delete ID…       removes messages (no notification is sent);
//   hold ID…         moves messages to hold/: not delivered until released;
//   release ID…      moves them back and makes them due now (as retry).
// Hidden, for tests and scripts:
//   run --once       resumes and delivers everything due (what a server's start-up does), then
//                    exits; refused while a server runs this spool. The crash tests kill it with
//                    MAILROOM_CRASH_AT at the queue crash points (queue.maildir-tmp-synced,
//                    queue.maildir-renamed, queue.delivered, queue.recorded,
//                    queue.report-queued, queue.forward-queued) and run it again.
//   add --from S --to R…   queues standard input as a message (bare LF becomes CRLF, as the
//                    spool keeps SMTP's line ends), prints its ID; a running server picks it
//                    up within a second (flush request).
// Configuration: storage.spool_dir; `run` also the [store] and the delivery keys (DeliverySettings).
// Security: run as the mail owner. Queue IDs from the command line are validated before they
// become paths (QueueID); `show` prints message headers, which may be private: it is for
// administrators only, like postcat.

import ArgumentParser
import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomQueue

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Look at and manage the mail queue: list, show, retry, delete, hold, release.",
        subcommands: [List.self, Show.self, Retry.self, Delete.self, Hold.self, Release.self, Run.self, Add.self])

    // MARK: Shared

    static func spool(_ options: StoreOptionsGroup) throws -> Spool {
        let config = try StoreContext.loadConfig(options.config)
        do {
            return try Spool(directory: config.storage.spoolDir)
        } catch {
            throw CLIError("spool \(config.storage.spoolDir): \(error)")
        }
    }

    static func ids(_ texts: [String]) throws -> [QueueID] {
        try texts.map { text in
            guard let id = QueueID(text) else { throw CLIError("'\(text)' is not a queue ID (see `mailroom queue list`)") }
            return id
        }
    }

    /// Runs `body` for each ID; IDs that are not queued are named in one error at the end.
    static func each(_ ids: [QueueID], _ body: (QueueID) throws(QueueError) -> Void) throws {
        var missing: [String] = []
        for id in ids {
            do {
                try body(id)
            } catch {
                if case .notFound = error { missing.append(id.value) } else { throw CLIError("\(id): \(error)") }
            }
        }
        if !missing.isEmpty { throw CLIError("no such queued message: \(missing.joined(separator: ", "))") }
    }

    /// One message as `list` and `show` report it.
    struct MessageReport: Encodable {
        struct RecipientReport: Encodable {
            var address: String
            var notify: [String]?
            var originalRecipient: String?
            /// pending (never tried), deferred, delivered or bounced.
            var status: String
            var text: String?
        }
        struct Report: Encodable {
            var id: String
            var recipients: [String]
        }
        var id: String
        var size: Int
        var arrival: String
        var sender: String
        var state: String
        var nextAttempt: String
        var recipients: [RecipientReport]
        var notifications: [Report]
        var envelopeID: String?
        var returnContent: String?
        var smtpUTF8: Bool
        var client: String?
        var helo: String?
        var authenticatedUser: String?
        var protocolName: String?
        var listener: String?

        init(_ message: QueuedMessage) {
            let envelope = message.envelope
            id = message.id.value
            size = message.messageSize
            arrival = Output.date(envelope.arrival)
            sender = envelope.sender
            nextAttempt = Output.date(message.nextAttempt)
            recipients = envelope.recipients.enumerated().map { index, r in
                let last = message.finalResult(index) ?? message.lastResult(index)
                return RecipientReport(address: r.address, notify: r.notify?.map(\.rawValue), originalRecipient: r.originalRecipient,
                                       status: last?.status.rawValue ?? "pending", text: last?.text)
            }
            notifications = message.reports.map { report in
                Report(id: message.id.derived(.report, report.number).value,
                       recipients: report.entries.map { "\(envelope.recipients.indices.contains($0.recipient) ? envelope.recipients[$0.recipient].address : "#\($0.recipient)"): \($0.action)" })
            }
            if message.held {
                state = "held"
            } else if recipients.contains(where: { $0.status == "deferred" }) {
                state = "deferred"
            } else {
                state = "queued"
            }
            envelopeID = envelope.envelopeID
            returnContent = envelope.returnContent?.rawValue
            smtpUTF8 = envelope.smtpUTF8
            client = envelope.clientAddress
            helo = envelope.heloName
            authenticatedUser = envelope.authenticatedUser
            protocolName = envelope.protocolName
            listener = envelope.listener
        }

        var pending: [RecipientReport] { recipients.filter { $0.status == "pending" || $0.status == "deferred" } }
    }

    // MARK: list

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List queued and held messages.",
            discussion: "STATE is queued (not tried yet, or being delivered), deferred (waiting for its next attempt) or held.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let (queued, held) = spool.list()
            var reports: [MessageReport] = []
            var damaged: [String] = []
            for id in (queued + held).sorted() {
                do {
                    reports.append(MessageReport(try spool.message(id)))
                } catch {
                    if case .notFound = error { continue }   // delivered meanwhile
                    damaged.append("\(id): \(error)")
                }
            }
            for problem in damaged { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
            if options.json { return try Output.json(reports) }
            if reports.isEmpty {
                print("The queue is empty.")
                return
            }
            Output.table(["ID", "SIZE", "ARRIVAL", "SENDER", "TO DO", "STATE", "NEXT ATTEMPT", "REASON"], reports.map { r in
                let pending = r.pending
                let reason = pending.compactMap(\.text).first.map { String($0.prefix(70)) } ?? "-"
                return [r.id, String(r.size), r.arrival, r.sender.isEmpty ? "<>" : r.sender,
                        "\(pending.count)/\(r.recipients.count)", r.state, r.state == "held" ? "-" : r.nextAttempt, reason]
            })
            print("\(reports.count) message(s), \(reports.reduce(0) { $0 + $1.size }) bytes")
        }
    }

    // MARK: show

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a queued message: envelope, recipient results, notifications, headers.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Queue ID.") var id: String

        struct Shown: Encodable {
            var message: MessageReport
            var headers: String
        }

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let id = try QueueCommand.ids([id])[0]
            let message: QueuedMessage, bytes: [UInt8]
            do {
                (message, bytes) = try spool.load(id)
            } catch {
                throw CLIError("\(error)")
            }
            let report = MessageReport(message)
            let headers = Self.headerSection(bytes)
            if options.json { return try Output.json(Shown(message: report, headers: headers)) }
            print("ID:           \(report.id)")
            print("State:        \(report.state)" + (report.state == "held" ? "" : ", next attempt \(report.nextAttempt)"))
            print("Arrival:      \(report.arrival)")
            print("Size:         \(report.size) bytes")
            print("Sender:       <\(report.sender)>")
            if let v = report.envelopeID { print("ENVID:        \(v)") }
            if let v = report.returnContent { print("RET:          \(v)") }
            if report.smtpUTF8 { print("SMTPUTF8:     yes") }
            let origin = [report.listener.map { "listener \($0)" }, report.client.map { "client \($0)" },
                          report.helo.map { "helo \($0)" }, report.authenticatedUser.map { "user \($0)" },
                          report.protocolName.map { "protocol \($0)" }].compactMap { $0 }
            if !origin.isEmpty { print("Received by:  \(origin.joined(separator: ", "))") }
            print("Recipients:")
            Output.table(["", "RECIPIENT", "STATUS", "RESULT"], report.recipients.enumerated().map { i, r in
                ["  \(i)", r.address + (r.notify.map { " NOTIFY=\($0.joined(separator: ","))" } ?? ""), r.status, r.text ?? "-"]
            })
            if !report.notifications.isEmpty {
                print("Notifications:")
                for n in report.notifications { print("  \(n.id): \(n.recipients.joined(separator: ", "))") }
            }
            print("Headers:")
            print(headers, terminator: headers.hasSuffix("\n") ? "" : "\n")
        }

        /// The header section, with CRLF shown as LF.
        static func headerSection(_ bytes: [UInt8]) -> String {
            var end = bytes.count
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x0A, i + 1 < bytes.count, bytes[i + 1] == 0x0A { end = i + 1; break }
                if bytes[i] == 0x0A, i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { end = i + 1; break }
                i += 1
            }
            return String(decoding: bytes[..<end], as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        }
    }

    // MARK: retry, delete, hold, release

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry", abstract: "Make messages due now (a running server tries them within a second).",
            discussion: """
                Sets each message's next attempt to now and leaves a flush request in the spool, which a running \\
                server's queue runner picks up within a second. Held messages stay held: release them instead.
                """)
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Queue IDs.") var ids: [String] = []
        @Flag(name: .long, help: "Every queued message.") var all = false

        func validate() throws {
            if all == !ids.isEmpty { throw ValidationError("give queue IDs or --all (not both)") }
        }

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let now = Int64(Date().timeIntervalSince1970)
            let targets = all ? spool.list().queued : try QueueCommand.ids(ids)
            var heldOnes: [String] = []
            try QueueCommand.each(targets) { id throws(QueueError) in
                if try spool.message(id).held {
                    heldOnes.append(id.value)
                    return
                }
                try spool.setNextAttempt(id, at: now)
            }
            do { try spool.requestRun() } catch { throw CLIError("\(error)") }
            if !heldOnes.isEmpty { throw CLIError("held, not retried (release them first): \(heldOnes.joined(separator: ", "))") }
            print("\(targets.count) message(s) due now")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Remove messages from the queue (no notification is sent).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Queue IDs.") var ids: [String]

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let ids = try QueueCommand.ids(ids)
            try QueueCommand.each(ids) { id throws(QueueError) in try spool.remove(id, recycle: false) }
            print("deleted \(ids.count) message(s)")
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold", abstract: "Keep messages in the queue without delivering them, until released.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Queue IDs.") var ids: [String]

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let ids = try QueueCommand.ids(ids)
            try QueueCommand.each(ids) { id throws(QueueError) in try spool.setHeld(id, true) }
            print("held \(ids.count) message(s)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release", abstract: "Release held messages and make them due now.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Queue IDs.") var ids: [String]

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let ids = try QueueCommand.ids(ids)
            let now = Int64(Date().timeIntervalSince1970)
            try QueueCommand.each(ids) { id throws(QueueError) in
                try spool.setHeld(id, false)
                try spool.setNextAttempt(id, at: now)
            }
            do { try spool.requestRun() } catch { throw CLIError("\(error)") }
            print("released \(ids.count) message(s)")
        }
    }

    // MARK: run, add (hidden)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Deliver everything that is due, then exit (refused while a server runs the queue).",
            shouldDisplay: false)
        @OptionGroup var options: StoreOptionsGroup
        @Flag(name: .long, help: "Required: one pass over the queue.") var once = false

        func validate() throws {
            if !once { throw ValidationError("only --once is supported (a server runs the queue continuously)") }
        }

        func run() async throws {
            let logger = Logger(label: "mailroom.queue") { MailroomLogHandler(label: $0, format: .text, level: .info) }
            try await StoreContext.with(options) { context in
                let spool: Spool
                do {
                    spool = try Spool(directory: context.config.storage.spoolDir)
                } catch {
                    throw CLIError("spool \(context.config.storage.spoolDir): \(error)")
                }
                let runner = QueueRunner(spool: spool, store: context.store, options: DeliverySettings.options(context.config),
                                         logger: logger)
                let statistics: QueueRunner.Statistics
                do {
                    statistics = try await runner.runOnce()
                } catch {
                    throw CLIError("\(error)")
                }
                let remaining = spool.list()
                if options.json {
                    try Output.json(RunReport(attempts: statistics.attempts, sent: statistics.sent, deferred: statistics.deferred,
                                              bounced: statistics.bounced, queued: remaining.queued.count, held: remaining.held.count))
                } else {
                    print("\(statistics.attempts) attempt(s): \(statistics.sent) sent, \(statistics.deferred) deferred, "
                          + "\(statistics.bounced) bounced; \(remaining.queued.count) queued, \(remaining.held.count) held")
                }
            }
        }

        struct RunReport: Encodable {
            var attempts, sent, deferred, bounced, queued, held: Int
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Queue a message from standard input (for scripts and tests).", shouldDisplay: false)
        @OptionGroup var options: StoreOptionsGroup
        @Option(name: .long, help: "Envelope sender; \"\" for the null sender.") var from: String
        @Option(name: .long, help: "Recipient (repeat for more).") var to: [String]
        @Option(name: .long, help: "RFC 3461 NOTIFY for every recipient: NEVER or a list of SUCCESS, FAILURE, DELAY.")
        var notify: String?
        @Option(name: .long, help: "RFC 3461 RET: FULL or HDRS.") var ret: String?
        @Option(name: .long, help: "RFC 3461 ENVID.") var envid: String?

        func validate() throws {
            if to.isEmpty { throw ValidationError("give at least one --to") }
        }

        func run() async throws {
            let spool = try QueueCommand.spool(options)
            let sender: String
            do { sender = try MessageHeaders.reversePath(from) } catch { throw CLIError("\(error)") }
            var conditions: [Envelope.Recipient.Notify]? = nil
            if let notify {
                conditions = try notify.split(separator: ",").map { word in
                    guard let c = Envelope.Recipient.Notify(rawValue: word.uppercased()) else {
                        throw CLIError("--notify: '\(word)' is not NEVER, SUCCESS, FAILURE or DELAY")
                    }
                    return c
                }
            }
            var returnContent: Envelope.Return? = nil
            if let ret {
                guard let r = Envelope.Return(rawValue: ret.uppercased()) else { throw CLIError("--ret: FULL or HDRS") }
                returnContent = r
            }
            let recipients = try to.map { text -> Envelope.Recipient in
                let address = try Parse.address(MessageHeaders.stripAngleBrackets(text), field: "--to")
                return Envelope.Recipient(address: address.ascii, notify: conditions)
            }
            var input: [UInt8] = []
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 16), !chunk.isEmpty { input += chunk }
            let envelope = Envelope(sender: sender, recipients: recipients, returnContent: returnContent, envelopeID: envid,
                                    smtpUTF8: !DeliveryStatusNotification.isASCII(sender)
                                        || recipients.contains { !DeliveryStatusNotification.isASCII($0.address) },
                                    protocolName: "local", listener: "local", arrival: Int64(Date().timeIntervalSince1970))
            do {
                let writer = try spool.receive(envelope)
                try writer.append(CRLF.normalized(input))
                try writer.commit()
                try? spool.requestRun()
                print(writer.id)
            } catch {
                throw CLIError("\(error)")
            }
        }
    }
}
