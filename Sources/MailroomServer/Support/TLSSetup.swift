// TLSSetup — the TLS context of every listener from the tls.* keys: the configured PEM files,
// or the self-signed pair in tls.self_signed_dir, made on first start (MailroomTLS). The
// start-up log names the certificate (subject, names, expiry, fingerprint), never the key.
// Also the switch to TLS inside a connection (SMTP STARTTLS, POP3 STLS).

import Logging
import MailroomConfig
import MailroomTLS
import NIOCore
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

extension ChannelHandlerContext {
    /// STARTTLS / STLS after the reply went out in clear: puts a TLS server handler first in
    /// the pipeline, so everything read from now on is decrypted and nothing sent in clear
    /// after the command is used (the caller drops its buffered input: RFC 3207 §4.2, RFC 2595
    /// §4). False (and logged) when it cannot; the caller closes.
    func startServerTLS(_ tls: NIOSSLContext, logger: Logger) -> Bool {
        do {
            try pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            return true
        } catch {
            logger.warning("cannot start TLS", metadata: ["error": "\(error)"])
            return false
        }
    }
}
