// IMAPCommand+Encode — writes a command as a client would send it: the tag, the command and
// its arguments, strings as atoms, quoted strings or literals.
//
// Standards: the ABNF in IMAPCommand.swift's parsers (RFC 3501 §9, RFC 9051 §9 and the
// extensions listed there). The output parses back to the same command (the round-trip tests
// hold it to that).
//
// Literals: with `IMAPEncodingOptions.nonSynchronizingLiterals` they are "{n+}" (RFC 7888), so a
// test client can send the whole frame at once; otherwise "{n}", and a real client would have
// to wait for the server's "+" after each. `frame` is the octets without the final CRLF (what
// the framer hands the parser); `wireBytes` adds it.

import MailroomCore

extension TaggedCommand {
    // command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.write(tag)
        buffer.writeSpace()
        command.write(to: &buffer)
    }

    /// The command without its final CRLF.
    public func frame(options: IMAPEncodingOptions = IMAPEncodingOptions(nonSynchronizingLiterals: true)) -> [UInt8] {
        var buffer = IMAPEncodeBuffer(options: options)
        write(to: &buffer)
        return buffer.bytes
    }

    /// The command with its final CRLF, ready to send.
    public func wireBytes(options: IMAPEncodingOptions = IMAPEncodingOptions(nonSynchronizingLiterals: true)) -> [UInt8] {
        frame(options: options) + [IMAPGrammar.cr, IMAPGrammar.lf]
    }
}

extension IMAPCommand {
    /// The command and arguments as text, for logs (literals shown as written).
    func encodedArguments() -> [UInt8] {
        var buffer = IMAPEncodeBuffer(options: IMAPEncodingOptions(nonSynchronizingLiterals: true))
        write(to: &buffer)
        return buffer.bytes
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.write(name)
        switch self {
        case .capability, .noop, .logout, .startTLS, .namespace, .idle, .check, .close, .unselect, .expunge:
            break
        case .authenticate(let mechanism, let response):
            buffer.write(" " + mechanism)
            if let response { buffer.write(response.isEmpty ? " =" : " " + Base64.encode(response)) }
        case .login(let user, let password):
            buffer.writeSpace()
            buffer.writeAString(user)
            buffer.writeSpace()
            buffer.writeAString(password)
        case .enable(let capabilities):
            for capability in capabilities { buffer.write(" " + capability) }
        case .id(let parameters):
            buffer.writeSpace()
            IDParameter.writeList(parameters, to: &buffer)
        case .select(let mailbox, let parameters), .examine(let mailbox, let parameters):
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            if !parameters.isEmpty {
                buffer.writeSpace()
                buffer.writeList(parameters) { buffer, parameter in parameter.write(to: &buffer) }
            }
        case .create(let mailbox, let specialUse):
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            if !specialUse.isEmpty {
                buffer.write(" (USE ")
                buffer.writeList(specialUse) { buffer, attribute in attribute.write(to: &buffer) }
                buffer.write(")")
            }
        case .delete(let mailbox), .subscribe(let mailbox), .unsubscribe(let mailbox), .getQuotaRoot(let mailbox):
            buffer.writeSpace()
            mailbox.write(to: &buffer)
        case .rename(let from, let to):
            buffer.writeSpace()
            from.write(to: &buffer)
            buffer.writeSpace()
            to.write(to: &buffer)
        case .list(let selectOptions, let reference, let patterns, let returnOptions):
            if !selectOptions.isEmpty {
                buffer.writeSpace()
                buffer.writeList(selectOptions) { buffer, option in option.write(to: &buffer) }
            }
            buffer.writeSpace()
            reference.write(to: &buffer)
            buffer.writeSpace()
            if patterns.count == 1 {
                Self.writeListMailbox(patterns[0], to: &buffer)
            } else {
                buffer.writeList(patterns) { buffer, pattern in Self.writeListMailbox(pattern, to: &buffer) }
            }
            if !returnOptions.isEmpty {
                buffer.write(" RETURN ")
                buffer.writeList(returnOptions) { buffer, option in option.write(to: &buffer) }
            }
        case .lsub(let reference, let pattern):
            buffer.writeSpace()
            reference.write(to: &buffer)
            buffer.writeSpace()
            Self.writeListMailbox(pattern, to: &buffer)
        case .status(let mailbox, let items):
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            buffer.writeSpace()
            buffer.writeList(items) { buffer, item in item.write(to: &buffer) }
        case .append(let mailbox, let messages):
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            for message in messages { message.write(to: &buffer) }
        case .uidExpunge(let set):
            buffer.writeSpace()
            set.write(to: &buffer)
        case .search(_, let returnOptions, let charset, let criteria):
            if let returnOptions {
                buffer.write(" RETURN ")
                buffer.writeList(returnOptions) { buffer, option in option.write(to: &buffer) }
            }
            if let charset {
                buffer.write(" CHARSET ")
                buffer.writeAString(Array(charset.utf8))
            }
            for key in criteria {
                buffer.writeSpace()
                key.write(to: &buffer)
            }
        case .sort(_, let returnOptions, let criteria, let charset, let search):
            if let returnOptions {
                buffer.write(" RETURN ")
                buffer.writeList(returnOptions) { buffer, option in option.write(to: &buffer) }
            }
            buffer.writeSpace()
            buffer.writeList(criteria) { buffer, criterion in criterion.write(to: &buffer) }
            buffer.writeSpace()
            buffer.writeAString(Array(charset.utf8))
            for key in search {
                buffer.writeSpace()
                key.write(to: &buffer)
            }
        case .thread(_, let algorithm, let charset, let search):
            buffer.write(" " + algorithm.rawValue + " ")
            buffer.writeAString(Array(charset.utf8))
            for key in search {
                buffer.writeSpace()
                key.write(to: &buffer)
            }
        case .fetch(_, let set, let items, let modifiers):
            buffer.writeSpace()
            set.write(to: &buffer)
            buffer.writeSpace()
            if items.count == 1 {
                items[0].write(to: &buffer)
            } else {
                buffer.writeList(items) { buffer, item in item.write(to: &buffer) }
            }
            if !modifiers.isEmpty {
                buffer.writeSpace()
                buffer.writeList(modifiers) { buffer, modifier in modifier.write(to: &buffer) }
            }
        case .store(_, let set, let modifiers, let flags):
            buffer.writeSpace()
            set.write(to: &buffer)
            if !modifiers.isEmpty {
                buffer.writeSpace()
                buffer.writeList(modifiers) { buffer, modifier in modifier.write(to: &buffer) }
            }
            buffer.writeSpace()
            flags.write(to: &buffer)
        case .copy(_, let set, let mailbox), .move(_, let set, let mailbox):
            buffer.writeSpace()
            set.write(to: &buffer)
            buffer.writeSpace()
            mailbox.write(to: &buffer)
        case .replace(_, let set, let mailbox, let message):   // RFC 8508
            buffer.writeSpace()
            set.write(to: &buffer)
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            message.write(to: &buffer)
        case .cancelUpdate(let tags):
            for tag in tags {
                buffer.writeSpace()
                buffer.writeQuoted(Array(tag.utf8))
            }
        case .getQuota(let root):
            buffer.writeSpace()
            buffer.writeAString(root)
        case .setQuota(let root, let limits):
            buffer.writeSpace()
            buffer.writeAString(root)
            buffer.writeSpace()
            buffer.writeList(limits) { buffer, limit in limit.write(to: &buffer) }
        case .genURLAuth(let requests):
            for request in requests {
                buffer.writeSpace()
                request.write(to: &buffer)
            }
        case .resetKey(let mailbox, let mechanisms):
            if let mailbox {
                buffer.writeSpace()
                mailbox.write(to: &buffer)
                for mechanism in mechanisms { buffer.write(" " + mechanism) }
            }
        case .urlFetch(let requests):
            for request in requests {
                buffer.writeSpace()
                request.write(to: &buffer)
            }
        case .getMetadata(let mailbox, let options, let entries):
            // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
            if !options.isEmpty {
                buffer.writeSpace()
                options.write(to: &buffer)
            }
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            buffer.writeSpace()
            buffer.writeList(entries) { buffer, entry in entry.write(to: &buffer) }
        case .setMetadata(let mailbox, let values):
            buffer.writeSpace()
            mailbox.write(to: &buffer)
            buffer.writeSpace()
            buffer.writeList(values) { buffer, value in value.write(to: &buffer) }
        }
    }

    // list-mailbox = 1*list-char / string
    static func writeListMailbox(_ pattern: [UInt8], to buffer: inout IMAPEncodeBuffer) {
        if !pattern.isEmpty, pattern.allSatisfy(IMAPGrammar.isListChar),
           !(pattern.count == 3 && IMAPGrammar.upperString(pattern) == "NIL") {
            buffer.writeBytes(pattern)
        } else {
            buffer.writeString(pattern)
        }
    }
}
