// SMTPReply+StandardReplies — the replies an SMTP server sends, as data: code, enhanced
// status code and text. Which one to send, and when, is the session's decision.
//
// Standards: RFC 5321 §4.2.2 (reply codes by function), §4.2.3 (in numeric order), §3.5.3
// (252 for VRFY), §4.5.3.1.10 (452 Too many recipients); RFC 3463 (enhanced codes, through
// EnhancedStatusCode's constants); RFC 2034 §3 (no enhanced code in the greeting and EHLO
// reply); RFC 3207 §4 (STARTTLS replies); RFC 4954 §4 and §6 (AUTH replies); RFC 6531 §3.5
// (553 5.6.7); RFC 1870 §6 (552 5.3.4); RFC 3030 §2 and §3 (BDAT replies, BINARYMIME only
// with BDAT); RFC 7504 (521, for clients that are not SMTP clients at all).
//
// Texts follow Postfix's where it has one, so administrators recognize them in logs. Text
// passed in by a caller (server name, queue ID) is the caller's to keep short and clean; the
// encoder still breaks long lines and neutralizes line breaks.

import MailroomCore

extension SMTPReply {
    // MARK: - Connection

    /// 220 greeting (RFC 5321 §4.2: Greeting = "220 " Domain [ SP textstring ]); no enhanced code.
    public static func ready(serverName: String, text: String = "ESMTP") -> SMTPReply {
        SMTPReply(code: 220, serverName + (text.isEmpty ? "" : " " + text))
    }

    /// 250 reply to EHLO: the server's name, then one line per extension (RFC 5321
    /// §4.1.1.1 ehlo-ok-rsp); no enhanced code (RFC 2034 §3), since keywords start each line.
    public static func ehlo(serverName: String, greeting: String? = nil, extensions: ServiceExtensions) -> SMTPReply {
        SMTPReply(code: 250, lines: [serverName + (greeting.map { " " + $0 } ?? "")] + extensions.ehloLines)
    }

    /// 250 reply to HELO: the server's name alone (RFC 5321 §4.1.1.1).
    public static func helo(serverName: String) -> SMTPReply {
        SMTPReply(code: 250, serverName)
    }

    /// 221 2.0.0 reply to QUIT, just before the server closes the connection.
    public static let closing = SMTPReply(code: 221, .success, "Bye")

    /// 421: the server closes the connection (shutting down, timeout, too many errors).
    public static func serviceNotAvailable(serverName: String, _ enhancedStatusCode: EnhancedStatusCode = .mailSystemTemporaryFailure,
                                           _ text: String = "Service not available, closing transmission channel") -> SMTPReply {
        SMTPReply(code: 421, enhancedStatusCode, serverName + " " + text)
    }

    /// 421 4.4.2 after a command or data timeout.
    public static func timeout(serverName: String) -> SMTPReply {
        serviceNotAvailable(serverName: serverName, .badConnection, "Error: timeout exceeded")
    }

    /// 421 4.7.0: too many connections (from this client, or in all) — a policy refusal, as
    /// Postfix's anvil answers it.
    public static func tooManyConnections(serverName: String) -> SMTPReply {
        serviceNotAvailable(serverName: serverName, .securityTemporaryFailure, "Error: too many connections")
    }

    /// 421 4.3.2: the server is shutting down and closes the connection.
    public static func shuttingDown(serverName: String) -> SMTPReply {
        serviceNotAvailable(serverName: serverName, .systemNotAcceptingMessages, "Service shutting down, closing transmission channel")
    }

    /// 421 4.7.0: the client made too many errors (Postfix's smtpd_hard_error_limit).
    public static func tooManyErrors(serverName: String) -> SMTPReply {
        serviceNotAvailable(serverName: serverName, .securityTemporaryFailure, "Error: too many errors")
    }

    /// 421 4.7.0: the client sent too many lines that are not SMTP commands.
    public static func tooManyUnrecognizedCommands(serverName: String) -> SMTPReply {
        serviceNotAvailable(serverName: serverName, .securityTemporaryFailure, "Error: too many unrecognized commands")
    }

    /// 521 5.7.0 (RFC 7504: "does not accept mail"): the client speaks HTTP or asks for a
    /// proxy (Postfix's smtpd_forbidden_commands); the connection is closed at once.
    public static func forbiddenCommand(serverName: String) -> SMTPReply {
        SMTPReply(code: 521, .securityPolicy, serverName + " Error: this is an SMTP server, not a web server or proxy")
    }

    // MARK: - Commands

    /// 250 2.0.0: success with nothing more to say (RSET, NOOP).
    public static func ok(_ text: String = "Ok") -> SMTPReply {
        SMTPReply(code: 250, .success, text)
    }

    /// 250 2.1.0 reply to MAIL FROM.
    public static let senderOK = SMTPReply(code: 250, .senderAccepted, "Ok")
    /// 250 2.1.5 reply to RCPT TO.
    public static let recipientOK = SMTPReply(code: 250, .destinationAddressValid, "Ok")
    /// 354 reply to DATA (RFC 5321 §4.3.2); 3xx replies take no enhanced code.
    public static let startData = SMTPReply(code: 354, "End data with <CR><LF>.<CR><LF>")
    /// 250 2.6.0 after the message is safely queued (after the fsyncs, never before).
    public static func messageAccepted(queueID: String) -> SMTPReply {
        SMTPReply(code: 250, .messageAccepted, "Ok: queued as \(queueID)")
    }

    /// 214 2.0.0 reply to HELP.
    public static func help(_ text: String = "See RFC 5321") -> SMTPReply {
        SMTPReply(code: 214, .success, text)
    }

    /// 252 2.0.0 reply to VRFY (RFC 5321 §3.5.3): addresses are not disclosed.
    public static let cannotVerify = SMTPReply(code: 252, .success, "Cannot VRFY user, but will accept message and attempt delivery")
    /// 502 5.5.1: a command this server does not implement or has disabled (EXPN).
    public static let commandNotImplemented = SMTPReply(code: 502, .invalidCommand, "Command not implemented")
    /// 503 5.5.1: a command out of sequence (RCPT before MAIL, DATA before RCPT).
    public static func badSequence(_ text: String = "Bad sequence of commands") -> SMTPReply {
        SMTPReply(code: 503, .invalidCommand, text)
    }

    /// 500 5.5.2: a command line longer than SMTPLimits.commandLineBytes (RFC 5321
    /// §4.5.3.1.9: "500 Line too long").
    public static let commandLineTooLong = SMTPReply(code: 500, .syntaxError, "Error: line too long")
    /// 500 5.5.2: a command line the framer refused (a bare CR, a bare LF, a NUL), with the
    /// problem named.
    public static func invalidCommandLine(_ text: String) -> SMTPReply {
        SMTPReply(code: 500, .syntaxError, text)
    }
    /// 555 5.5.4: MAIL or RCPT parameters after HELO, where no extension was offered (RFC 5321
    /// §4.1.1.11).
    public static let parametersNeedEHLO = SMTPReply(code: 555, .invalidCommandArguments, "Error: ESMTP parameters need EHLO")
    /// 250 2.0.0 after a BDAT chunk that is not the last (RFC 3030 §2).
    public static func chunkReceived(octets: Int) -> SMTPReply {
        SMTPReply(code: 250, .success, "\(octets) octets received")
    }

    // MARK: - Sequence (RFC 5321 §4.3.1: 503 "Bad sequence of commands")

    /// 503 5.5.1: MAIL (or STARTTLS) before HELO/EHLO.
    public static let helloRequired = badSequence("Error: send HELO/EHLO first")
    /// 503 5.5.1: AUTH or BDAT without EHLO (after HELO they are not offered).
    public static let ehloRequired = badSequence("Error: send EHLO first")
    /// 503 5.5.1: MAIL inside a transaction.
    public static let nestedMail = badSequence("Error: nested MAIL command")
    /// 503 5.5.1: RCPT without MAIL.
    public static let mailRequired = badSequence("Error: need MAIL command")
    /// 503 5.5.1: DATA or BDAT without MAIL and RCPT.
    public static let recipientRequired = badSequence("Error: need RCPT command")
    /// 554 5.5.1: DATA or BDAT when every recipient was refused (Postfix's wording).
    public static let noValidRecipients = SMTPReply(code: 554, .invalidCommand, "Error: no valid recipients")
    /// 503 5.5.1: AUTH or STARTTLS inside a transaction.
    public static let transactionInProgress = badSequence("Error: MAIL transaction in progress")
    /// 503 5.5.1: DATA after BODY=BINARYMIME (RFC 3030 §3: binary content only with BDAT).
    public static let binaryMIMERequiresBDAT = badSequence("Error: BODY=BINARYMIME requires BDAT")
    /// 503 5.5.1: DATA, or RCPT, after BDAT in the same transaction (RFC 3030 §2).
    public static let commandAfterBDAT = badSequence("Error: command not allowed after BDAT in this transaction")

    // MARK: - TLS and authentication

    /// 220 2.0.0 reply to STARTTLS (RFC 3207 §4); the handshake starts after it.
    public static let readyToStartTLS = SMTPReply(code: 220, .success, "Ready to start TLS")
    /// 454 4.7.0: TLS cannot be started now (RFC 3207 §4).
    public static let tlsNotAvailable = SMTPReply(code: 454, .securityTemporaryFailure, "TLS not available due to temporary reason")
    /// 530 5.7.0: STARTTLS must come first (RFC 3207 §4).
    public static let startTLSRequired = SMTPReply(code: 530, .securityPolicy, "Must issue a STARTTLS command first")
    /// 530 5.7.0: authentication is required for this command (RFC 4954 §6).
    public static let authenticationRequired = SMTPReply(code: 530, .securityPolicy, "Authentication required")
    /// 334 SASL challenge (RFC 4954 §4): base64, possibly empty.
    public static func authenticationChallenge(_ challenge: [UInt8]) -> SMTPReply {
        SMTPReply(code: 334, Base64.encode(challenge))
    }
    /// 235 2.7.0: authentication succeeded (RFC 4954 §6).
    public static let authenticationSucceeded = SMTPReply(code: 235, .authenticationSucceeded, "Authentication successful")
    /// 535 5.7.8: wrong credentials (RFC 4954 §6).
    public static let authenticationFailed = SMTPReply(code: 535, .authenticationCredentialsInvalid, "Authentication credentials invalid")
    /// 534 5.7.9: the mechanism is too weak for this account or connection (RFC 4954 §6).
    public static let authenticationMechanismTooWeak = SMTPReply(code: 534, .authenticationMechanismTooWeak, "Authentication mechanism is too weak")
    /// 538 5.7.11: this mechanism needs TLS first (RFC 4954 §6).
    public static let encryptionRequiredForAuthentication = SMTPReply(code: 538, .encryptionRequiredForAuthentication,
                                                                      "Encryption required for requested authentication mechanism")
    /// 500 5.5.6: a SASL response longer than the AUTH line limit (RFC 4954 §4).
    public static let authenticationLineTooLong = SMTPReply(code: 500, .authenticationLineTooLong, "Authentication Exchange line is too long")
    /// 501 5.7.0: the client cancelled the exchange with "*" (RFC 4954 §4).
    public static let authenticationCancelled = SMTPReply(code: 501, .securityPolicy, "Authentication aborted")
    /// 501 5.5.2: a SASL response that is not base64 (RFC 4954 §4: "501").
    public static let authenticationResponseNotBase64 = SMTPReply(code: 501, .syntaxError, "Cannot decode response (base64)")
    /// 504 5.5.4: a mechanism this server does not offer (RFC 4954 §4: "504").
    public static let unsupportedAuthenticationMechanism = SMTPReply(code: 504, .invalidCommandArguments,
                                                                     "Unrecognized authentication type")
    /// 503 5.5.1: AUTH after a successful AUTH (RFC 4954 §4).
    public static let alreadyAuthenticated = badSequence("Error: already authenticated")
    /// 503 5.5.1: AUTH on a service without SASL mechanisms.
    public static let authenticationNotEnabled = badSequence("Error: authentication not enabled")
    /// 503 5.5.1: STARTTLS on a connection that is already TLS (RFC 3207 §4.2).
    public static let tlsAlreadyActive = badSequence("Error: TLS already active")

    // MARK: - Envelope and message

    /// 550 5.1.1: no such user here.
    public static let unknownUser = SMTPReply(code: 550, .badDestinationMailbox, "Recipient address rejected: User unknown")
    /// 550 5.7.1: the recipient's domain is not ours and the client may not relay. RFC 5321
    /// §4.3.2 lists 550 (not 554) among RCPT's replies.
    public static let relayDenied = SMTPReply(code: 550, .deliveryNotAuthorized, "Relay access denied")
    /// 553 5.6.7: a UTF-8 address without the SMTPUTF8 parameter (RFC 6531 §3.5).
    public static let nonASCIIAddressNeedsSMTPUTF8 = SMTPReply(code: 553, .nonASCIIAddressNotPermitted, "Must declare SMTPUTF8 to send a non-ASCII address")
    /// 452 4.5.3: more recipients than one transaction takes (RFC 5321 §4.5.3.1.10).
    public static let tooManyRecipients = SMTPReply(code: 452, .tooManyRecipients, "Error: too many recipients")
    /// 552 5.3.4: the message (or declared SIZE) is over the limit (RFC 1870 §6).
    public static let messageTooBig = SMTPReply(code: 552, .messageTooBig, "Message size exceeds fixed limit")
    /// 552 5.2.2: the mailbox is over quota, permanently.
    public static let mailboxFull = SMTPReply(code: 552, .mailboxFull, "Mailbox full")
    /// 452 4.2.2: the mailbox is over quota; try later.
    public static let mailboxFullTemporary = SMTPReply(code: 452, .mailboxFullTemporary, "Mailbox full, try again later")
    /// 451 4.3.0: a local error (store or queue failure); the client tries again.
    public static let localError = SMTPReply(code: 451, .mailSystemTemporaryFailure, "Error: local error in processing")
    /// 452 4.3.1: the queue's disk is full; nothing was lost, the client tries again.
    public static let insufficientStorage = SMTPReply(code: 452, .mailSystemFull, "Error: insufficient system storage")
    /// 554 5.4.6: a mail loop (too many Received: headers).
    public static let routingLoop = SMTPReply(code: 554, .routingLoop, "Error: too many hops")
    /// 550 5.6.0: the message content is refused (bare LF, malformed headers).
    public static func contentRejected(_ text: String) -> SMTPReply {
        SMTPReply(code: 550, .mediaError, text)
    }
}
