// MailroomConformanceTests — runners for outside conformance scripts (Dovecot imaptest, Apache James MPT).
