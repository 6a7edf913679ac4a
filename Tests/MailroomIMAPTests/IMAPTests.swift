// MailroomIMAPTests — tests of the pure IMAP module (see Sources/MailroomIMAP).
