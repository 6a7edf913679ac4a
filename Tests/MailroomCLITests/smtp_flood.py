#!/usr/bin/env python3
"""Sends numbered messages to a Mailroom MX listener until the connection fails or --count is
reached, printing the number of each message that got a 250 (one per line, flushed at once).
Used by SMTPCrashTests while the server is killed with SIGKILL. Only connects to 127.0.0.1."""
import smtplib, sys

port, start, count, recipients = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
n = start
try:
    client = smtplib.SMTP("127.0.0.1", port, timeout=10)
    client.ehlo("flood.example.net")
    while n < start + count:
        rcpt = recipients[n % len(recipients)]
        body = ("From: flood@example.net\r\nTo: %s\r\nSubject: crash %d\r\nMessage-ID: <crash-%d@example.net>\r\n\r\n"
                % (rcpt, n, n)) + ("line of body text %d\r\n" % n) * 50 + "END-OF-MESSAGE-%d\r\n" % n
        client.sendmail("flood@example.net", [rcpt], body.encode())
        print(n, flush=True)
        n += 1
    client.quit()
except Exception as e:
    print("stopped at %d: %s" % (n, e), file=sys.stderr)
