// DeliveryOptions — every setting of local delivery and of the queue runner, with its default.
// This module does not read the configuration (style rule 6): MailroomServer's ConfigMapping
// (`DeliveryOptions(configuration:)`) builds it from the keys each field names, and the CLI
// uses that mapping too.
//
// The retry schedule (QueuePolicy): after a failed attempt the message waits as long as it has
// already been queued, at least `minimalBackoffSeconds` and at most `maximalBackoffSeconds`
// (Postfix's rule), so attempts fall at about 0, 5 min, 10 min, 20 min, 40 min, 1 h 20, 2 h 40,
// 5 h 20 and then every 4 hours after arrival; after `maximalLifetimeSeconds` (5 days, Postfix's
// maximal_queue_lifetime) what is still deferred bounces.

import MailroomMaildir
import MailroomQueue

public struct DeliveryOptions: Sendable, Equatable {
    /// How a queue delivery is made durable before it is recorded (queue.sync_method); see
    /// MailroomQueue's SyncMethod and MaildirDeposit.
    public typealias SyncMethod = MailroomQueue.SyncMethod

    /// The Maildir engine settings (storage.host_name, storage.uidlist_lock_stale_seconds,
    /// storage.tmp_cleanup_hours); `quota` is replaced by each user's quota from the store.
    public var maildir: MaildirOptions
    /// The name in delivery status notifications (Reporting-MTA, MAILER-DAEMON@, Message-ID);
    /// smtp.host_name, else storage.host_name, else the machine's name.
    public var reportingMTA: String
    /// storage.quota_full_tempfail: a full mailbox is a temporary failure (4.2.2, retried until
    /// the lifetime ends) instead of a permanent one (5.2.2, bounced at once). Default false.
    public var quotaFullTempfail: Bool
    /// storage.max_message_bytes: the largest message `mailroom deliver` reads (64 MiB); the
    /// queue does not use it (the SMTP server enforces smtp.max_message_bytes at reception).
    public var maxMessageBytes: Int
    /// queue.max_received_headers: more Received: fields than this is a mail loop and bounces
    /// (RFC 5321 §6.3). 100 by default: Postfix's hopcount_limit is 50, but a message that
    /// passes a few filtering relays and list servers legitimately collects 20–30, and a real
    /// loop reaches any limit within seconds, so a higher limit costs nothing.
    public var maxReceivedHeaders: Int
    /// queue.max_alias_nesting: how deep aliases may point to aliases (10, sendmail's MAXRCRSN).
    /// Deeper is a loop (5.4.6).
    public var maxAliasNesting: Int
    /// queue.delivery_concurrency: messages delivered at the same time (16). Each holds one
    /// blocking thread while it writes and fsyncs; 16 keeps the disk's queue full and lets
    /// deliveries of 20 concurrent SMTP sessions share directory fsyncs, while a slow disk
    /// cannot pile up more than 16 blocked threads.
    public var deliveryConcurrency: Int
    /// queue.minimal_backoff_seconds: the shortest wait after a failed attempt (300).
    public var minimalBackoffSeconds: Int64
    /// queue.maximal_backoff_seconds: the longest wait between attempts (14400 = 4 h).
    public var maximalBackoffSeconds: Int64
    /// queue.maximal_lifetime_seconds: how long a deferred recipient is retried before it
    /// bounces (432000 = 5 days; Postfix's maximal_queue_lifetime).
    public var maximalLifetimeSeconds: Int64
    /// queue.delay_warning_seconds: a recipient still deferred this long after arrival
    /// gets one "delayed" notification, when its NOTIFY asks for DELAY or leaves it to us
    /// (RFC 3461 §4.1). 14400 = 4 h (sendmail's Timeout.queuewarn); 0 turns warnings off.
    public var delayWarningSeconds: Int64
    /// queue.scan_interval_seconds: how often the running runner re-reads the spool
    /// for messages it does not know (queued by another process) and changed due times (60).
    /// `mailroom queue retry` does not wait for it: it leaves a flush request, seen within 1 s.
    public var scanIntervalSeconds: Int64

    /// queue.sync_method.
    public var syncMethod: SyncMethod = .file

    public static let defaultMaxMessageBytes = 64 << 20
    public static let defaultMaxReceivedHeaders = 100
    public static let defaultMaxAliasNesting = 10
    public static let defaultDeliveryConcurrency = 16
    public static let defaultMinimalBackoffSeconds: Int64 = 300
    public static let defaultMaximalBackoffSeconds: Int64 = 4 * 3600
    public static let defaultMaximalLifetimeSeconds: Int64 = 5 * 86400
    public static let defaultDelayWarningSeconds: Int64 = 4 * 3600
    public static let defaultScanIntervalSeconds: Int64 = 60

    public init(maildir: MaildirOptions = MaildirOptions(hostName: MaildirOptions.localHostName),
                reportingMTA: String = MaildirOptions.localHostName,
                quotaFullTempfail: Bool = false,
                maxMessageBytes: Int = defaultMaxMessageBytes,
                maxReceivedHeaders: Int = defaultMaxReceivedHeaders,
                maxAliasNesting: Int = defaultMaxAliasNesting,
                deliveryConcurrency: Int = defaultDeliveryConcurrency,
                minimalBackoffSeconds: Int64 = defaultMinimalBackoffSeconds,
                maximalBackoffSeconds: Int64 = defaultMaximalBackoffSeconds,
                maximalLifetimeSeconds: Int64 = defaultMaximalLifetimeSeconds,
                delayWarningSeconds: Int64 = defaultDelayWarningSeconds,
                scanIntervalSeconds: Int64 = defaultScanIntervalSeconds) {
        self.maildir = maildir
        self.reportingMTA = reportingMTA
        self.quotaFullTempfail = quotaFullTempfail
        self.maxMessageBytes = maxMessageBytes
        self.maxReceivedHeaders = maxReceivedHeaders
        self.maxAliasNesting = maxAliasNesting
        self.deliveryConcurrency = max(1, deliveryConcurrency)
        self.minimalBackoffSeconds = minimalBackoffSeconds
        self.maximalBackoffSeconds = maximalBackoffSeconds
        self.maximalLifetimeSeconds = maximalLifetimeSeconds
        self.delayWarningSeconds = delayWarningSeconds
        self.scanIntervalSeconds = scanIntervalSeconds
    }

    /// The retry policy these options describe.
    public var policy: QueuePolicy {
        QueuePolicy(minimalBackoff: minimalBackoffSeconds, maximalBackoff: maximalBackoffSeconds,
                    maximalLifetime: maximalLifetimeSeconds, delayWarning: delayWarningSeconds)
    }
}
