// ConfigMapping — where configuration keys become the settings of the reusable modules, which
// do not import MailroomConfig themselves (style rule 6): storage.* → MaildirOptions, smtp.* →
// SMTPLimits and the session configuration, pop3.* → the POP3 mechanisms and EXPIRE policy, and
// the host name every service announces (SMTP, POP3, the TLS certificate).

#if canImport(Glibc)
import Glibc
#endif
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomMaildir
import MailroomPOP3
import MailroomSASL
import MailroomSMTP

extension MaildirOptions {
    /// Engine settings from the storage.* keys, with a user's quota (from the account store).
    public init(configuration: MailroomConfig, quota: QuotaLimits) {
        let storage = configuration.storage
        self.init(hostName: storage.hostName.isEmpty ? MaildirOptions.localHostName : storage.hostName,
                  quota: quota,
                  uidListLockStaleSeconds: storage.uidListLockStaleSeconds,
                  tmpCleanupAgeSeconds: Int64(storage.tmpCleanupHours) * 3600)
    }
}

extension MailroomConfig {
    /// The name SMTP announces: smtp.host_name, else storage.host_name, else the machine's.
    public var smtpHostName: String {
        if !smtp.hostName.isEmpty { return smtp.hostName }
        if !storage.hostName.isEmpty { return storage.hostName }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer)
        return name.isEmpty ? "localhost" : name
    }

    /// The SMTP size and count limits from the smtp.* keys.
    public var smtpLimits: SMTPLimits {
        SMTPLimits(commandLineBytes: smtp.maxCommandLineBytes, textLineBytes: smtp.maxTextLineBytes,
                   authLineBytes: smtp.maxAuthLineBytes, messageBytes: smtp.maxMessageBytes,
                   recipients: smtp.maxRecipients)
    }

    /// The SASL mechanisms of smtp.auth_mechanisms, in the configured order.
    public var smtpAuthMechanisms: [SASLMechanism] {
        smtp.authMechanisms.split(separator: " ").compactMap { SASLMechanism(String($0).uppercased()) }
    }
}

extension DeliveryOptions {
    /// Delivery and queue settings from the storage.*, smtp.* and queue.* keys.
    public init(configuration: MailroomConfig) {
        let queue = configuration.queue
        self.init(maildir: MaildirOptions(configuration: configuration, quota: .unlimited),
                  reportingMTA: configuration.smtpHostName,
                  quotaFullTempfail: configuration.storage.quotaFullTempfail,
                  maxMessageBytes: max(configuration.storage.maxMessageBytes, configuration.smtp.maxMessageBytes),
                  maxReceivedHeaders: queue.maxReceivedHeaders,
                  maxAliasNesting: queue.maxAliasNesting,
                  deliveryConcurrency: queue.deliveryConcurrency,
                  minimalBackoffSeconds: Int64(queue.minimalBackoffSeconds),
                  maximalBackoffSeconds: Int64(queue.maximalBackoffSeconds),
                  maximalLifetimeSeconds: Int64(queue.maximalLifetimeSeconds),
                  delayWarningSeconds: Int64(queue.delayWarningSeconds),
                  scanIntervalSeconds: Int64(queue.scanIntervalSeconds))
        syncMethod = SyncMethod(rawValue: queue.syncMethod) ?? .file
    }
}

extension MailroomConfig {
    /// The SASL mechanisms of pop3.auth_mechanisms, in the configured order.
    /// imap.auth_mechanisms as SASL mechanisms, in the configured order.
    public var imapAuthMechanisms: [SASLMechanismKind] {
        imap.authMechanisms.split(separator: " ").compactMap { SASLMechanismKind(name: String($0)) }
    }

    public var pop3AuthMechanisms: [SASLMechanismKind] {
        pop3.authMechanisms.split(separator: " ").compactMap { SASLMechanismKind(name: String($0)) }
    }

    /// pop3.expire_policy as the EXPIRE capability (nil: not advertised).
    public var pop3ExpirePolicy: POP3ExpirePolicy? {
        if pop3.expirePolicy.isEmpty { return nil }
        if pop3.expirePolicy == "NEVER" { return .never }
        return Int(pop3.expirePolicy).map { .days($0) }
    }
}
