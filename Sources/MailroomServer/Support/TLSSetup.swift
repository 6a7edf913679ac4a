// TLSSetup — the TLS context of every listener from the tls.* keys: the configured PEM files,
// or the self-signed pair in tls.self_signed_dir, made on first start (MailroomTLS). The
// start-up log names the certificate (subject, names, expiry, fingerprint), never the key.

import Logging
import MailroomConfig
import MailroomTLS
import NIOSSL

enum TLSSetup {
    static func context(configuration: MailroomConfig, logger: Logger) throws -> NIOSSLContext {
        let context = try TLSServerContext.loadOrCreate(
            certificateFile: configuration.tls.certificateFile, keyFile: configuration.tls.keyFile,
            selfSignedDirectory: configuration.tls.selfSignedDir, hostName: configuration.smtpHostName)
        logger.info("TLS certificate", metadata: ["certificate": "\(context.startupDescription)"])
        for warning in context.warnings {
            logger.warning("TLS certificate", metadata: ["problem": "\(warning)"])
        }
        return context.sslContext
    }
}
