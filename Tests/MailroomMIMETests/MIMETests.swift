// MailroomMIMETests — tests of the MIME module (see Sources/MailroomMIME).
