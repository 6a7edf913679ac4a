#!/usr/bin/env python3
"""Drives a Mailroom IMAP listener with Python's imaplib for the Swift tests (IMAP*Tests).

(Tests/MailroomMaildirTests/Support/imap_probe.py is another target's probe; this one is the
server tests'.)

Reads one JSON request on stdin and prints one JSON answer:
  {"port": n, "tls": "none"|"implicit", "steps": [step, ...]}
      -> {"welcome": text, "results": [result, ...]}
A step is a list: [command, args...], run on connection 0, or ["@k", command, args...] on
connection k (open it first with ["@k", "connect", port, tls]). Commands:
  connect port tls              open another connection ("none" or "implicit")
  capability                    -> caps: the capabilities, as imaplib saw them
  starttls                      imaplib's starttls() with a certificate-blind context
  login user password           imaplib's login()
  authenticate mech user pass   PLAIN, LOGIN and SCRAM-SHA-256 through imaplib's authenticate()
                                (the SCRAM client is here: imaplib has none); CRAM-MD5 through
                                login_cram_md5()
  select mailbox | examine mailbox   imaplib's select() (readonly for examine)
  cmd NAME arg...               any command through imaplib (_command/_command_complete); args
                                are sent as they are (quote them yourself). A last argument
                                {"literal": text} or {"literal64": base64} is sent as a
                                synchronizing literal, the way imaplib sends one.
  append mailbox flags date data64   APPEND with imaplib's literal (flags "(\\Seen)" or null,
                                date a quoted date-time or null), sending the octets as they
                                are: imaplib's own append() would rewrite every line end to CRLF
  append_all mailbox [data64...]  one APPEND per message; a message with NUL goes as a literal8
                                ("~{n}", RFC 3516) -> results: [{typ, resp}]
  fetch_all set                 UID FETCH set (UID RFC822.SIZE FLAGS BODY.PEEK[]) ->
                                messages: [{seq, uid, size, flags, body (base64)}]
  idle_start                    sends IDLE and waits for the continuation
  idle_wait seconds regex       reads untagged lines for up to `seconds`, stopping at the
                                first line that matches regex -> lines, matched
  idle_done                     sends DONE and reads to the tagged reply
  smtp port from to data64      delivers a message with smtplib (the server's MX listener)
  logout                        imaplib's logout()
  sleep seconds
Every result has "ok" (tagged OK), "typ", "resp" (the text of the tagged reply or the
error), "untagged" ({name: [item, ...]} of what imaplib collected during the step: a bytes
item as text, a literal item as [text, base64 of the literal]), "wire" (every line the server
sent during the step, literals left out) and "elapsed" (seconds). Only ever connects to
127.0.0.1.
"""
import base64, hashlib, hmac, imaplib, json, os, re, select, smtplib, socket, ssl, sys, time

from smtp_probe import HOST, context  # the same loopback host and certificate-blind TLS context

# Let the server, not imaplib, decide what may be sent in which state, and know the commands
# imaplib 3.11 lacks.
_ALL_STATES = ("NONAUTH", "AUTH", "SELECTED", "LOGOUT")
for _name in list(imaplib.Commands) + ["ID", "ENABLE", "IDLE", "NAMESPACE", "MOVE", "UNSELECT",
                                       "GETQUOTAROOT", "GETQUOTA", "ESEARCH", "GENURLAUTH", "URLFETCH", "RESETKEY"]:
    imaplib.Commands[_name] = _ALL_STATES


class Recording:
    """Records every line the server sends (imaplib reads them through _get_line)."""

    def _get_line(self):
        line = super()._get_line()
        self.wire.append(line.decode("utf-8", "replace"))
        return line


class IMAP(Recording, imaplib.IMAP4):
    def __init__(self, port):
        self.wire = []
        super().__init__(HOST, port, timeout=30)


class IMAPS(Recording, imaplib.IMAP4_SSL):
    def __init__(self, port):
        self.wire = []
        super().__init__(HOST, port, ssl_context=context(), timeout=30)


def connect(port, tls):
    return IMAPS(port) if tls == "implicit" else IMAP(port)


def text(b):
    return b.decode("utf-8", "replace") if isinstance(b, (bytes, bytearray)) else str(b)


def b64(s):
    return base64.b64encode(s).decode("ascii")


def item(x):
    if isinstance(x, tuple):
        return [text(x[0]), b64(x[1])]
    return text(x) if x is not None else None


def scram(user, password):
    """A SCRAM-SHA-256 client (RFC 5802, RFC 7677) as an imaplib authobject."""
    state = {"step": 0}
    nonce = b64(os.urandom(18))
    name = user.replace("=", "=3D").replace(",", "=2C")
    first_bare = "n=%s,r=%s" % (name, nonce)

    def answer(challenge):
        step = state["step"]
        state["step"] += 1
        if step == 0:
            return ("n,," + first_bare).encode("utf-8")
        if step == 1:
            server_first = challenge.decode()
            fields = dict(f.split("=", 1) for f in server_first.split(","))
            if not fields["r"].startswith(nonce):
                raise imaplib.IMAP4.error("server nonce does not extend ours")
            salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(fields["s"]), int(fields["i"]))
            client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
            final_bare = "c=biws,r=" + fields["r"]
            auth_message = ",".join([first_bare, server_first, final_bare]).encode("utf-8")
            signature = hmac.new(hashlib.sha256(client_key).digest(), auth_message, hashlib.sha256).digest()
            proof = bytes(a ^ b for a, b in zip(client_key, signature))
            server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
            state["expected"] = "v=" + b64(hmac.new(server_key, auth_message, hashlib.sha256).digest())
            return (final_bare + ",p=" + b64(proof)).encode("utf-8")
        if challenge.decode() != state["expected"]:
            raise imaplib.IMAP4.error("server signature does not match")
        return b""
    return answer


def authenticate(c, mech, user, password):
    if mech == "CRAM-MD5":
        return c.login_cram_md5(user, password)
    if mech == "PLAIN":
        return c.authenticate("PLAIN", lambda _: b"\0" + user.encode() + b"\0" + password.encode())
    if mech == "LOGIN":
        answers = iter([user.encode(), password.encode()])
        return c.authenticate("LOGIN", lambda _: next(answers))
    if mech == "SCRAM-SHA-256":
        return c.authenticate("SCRAM-SHA-256", scram(user, password))
    raise ValueError("unknown mechanism " + mech)


def command(c, name, args):
    """Any command through imaplib's own sending and reading; returns (typ, tagged data)."""
    plain = []
    for arg in args:
        if isinstance(arg, dict):
            c.literal = base64.b64decode(arg["literal64"]) if "literal64" in arg else arg["literal"].encode("utf-8")
        else:
            plain.append(arg)
    tag = c._command(name, *plain)
    return c._command_complete(name, tag)


class RawReader:
    """Lines read straight from the socket with a deadline (IDLE): imaplib's file object
    cannot be read again once a read on it has timed out."""

    def __init__(self, c):
        self.c, self.buffer = c, b""

    def line(self, deadline):
        while b"\r\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            sock = self.c.sock
            ready = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
            if not ready:
                if remaining <= 0:
                    return None
                ready = bool(select.select([sock], [], [], remaining)[0])
                if not ready:
                    return None
            piece = sock.recv(65536)
            if not piece:
                raise EOFError("connection closed")
            self.buffer += piece
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        self.c.wire.append(text(line))
        return line


def run(c, cmd, args):
    result = {}
    if cmd == "capability":
        typ, data = c.capability()
        result["caps"] = text(data[0]).split()
    elif cmd == "starttls":
        typ, data = c.starttls(ssl_context=context())
    elif cmd == "login":
        typ, data = c.login(args[0], args[1])
    elif cmd == "authenticate":
        typ, data = authenticate(c, args[0], args[1], args[2])
    elif cmd in ("select", "examine"):
        typ, data = c.select(args[0], readonly=(cmd == "examine"))
    elif cmd == "cmd":
        typ, data = command(c, args[0], args[1:])
    elif cmd == "append":
        mailbox, flags, date, message = args
        c.literal = base64.b64decode(message)
        typ, data = command(c, "APPEND", [mailbox, flags, date])
    elif cmd == "append_all":
        results = []
        for message in args[1]:
            data = base64.b64decode(message)
            if b"\0" in data:
                tag = c._new_tag()
                c.send(tag + b" APPEND " + args[0].encode() + b" ~{%d}\r\n" % len(data))
                line = c._get_line()
                if line.startswith(b"+"):
                    c.send(data + b"\r\n")
                    while not line.startswith(tag):
                        line = c._get_line()
                status = line[len(tag) + 1:].split(b" ", 1)
                results.append({"typ": text(status[0]), "resp": text(line)})
            else:
                try:
                    t, d = command(c, "APPEND", [args[0], {"literal64": message}])
                    results.append({"typ": t, "resp": item(d[0])})
                except imaplib.IMAP4.error as e:
                    results.append({"typ": "BAD", "resp": str(e)})
        result["results"] = results
        typ = "OK" if all(r["typ"] == "OK" for r in results) else "NO"
        data = [b"%d appended" % len(results)]
    elif cmd == "fetch_all":
        typ, data = c.uid("FETCH", args[0], "(UID RFC822.SIZE FLAGS BODY.PEEK[])")
        messages = []
        for entry in data:
            if not isinstance(entry, tuple):
                continue
            head = text(entry[0])
            m = re.match(r"(\d+) \(", head)
            uid, size = re.search(r"UID (\d+)", head), re.search(r"RFC822\.SIZE (\d+)", head)
            flags = re.search(r"FLAGS \(([^)]*)\)", head)
            messages.append({"seq": int(m.group(1)) if m else 0, "uid": int(uid.group(1)) if uid else 0,
                             "size": int(size.group(1)) if size else -1,
                             "flags": flags.group(1).split() if flags else None, "body": b64(entry[1])})
        result["messages"] = messages
        data = [b"fetched"]
    elif cmd == "idle_start":
        tag = c._new_tag()
        c.idle_tag = tag
        c.raw = RawReader(c)
        c.send(tag + b" IDLE\r\n")
        line = c.raw.line(time.monotonic() + 10)
        typ = "OK" if line is not None and line.startswith(b"+") else "NO"
        data = [line or b"no continuation"]
    elif cmd == "idle_wait":
        deadline = time.monotonic() + args[0]
        pattern = re.compile(args[1])
        lines, matched = [], False
        while True:
            line = c.raw.line(deadline)
            if line is None:
                break
            lines.append(text(line))
            if pattern.search(text(line)):
                matched = True
                break
        result["lines"], result["matched"] = lines, matched
        typ, data = "OK", [b"waited"]
    elif cmd == "idle_done":
        c.send(b"DONE\r\n")
        deadline = time.monotonic() + 10
        lines = []
        while True:
            line = c.raw.line(deadline)
            if line is None:
                raise EOFError("no tagged reply to DONE")
            lines.append(text(line))
            if line.startswith(c.idle_tag + b" "):
                break
        result["lines"] = lines
        if c.raw.buffer:
            raise ValueError("data after the IDLE's tagged reply: %r" % c.raw.buffer)
        status = line[len(c.idle_tag) + 1:].split(b" ", 1)
        typ, data = text(status[0]), [status[1] if len(status) > 1 else b""]
    elif cmd == "smtp":
        client = smtplib.SMTP(HOST, args[0], timeout=20)
        try:
            client.ehlo("client.example.net")
            client.sendmail(args[1], [args[2]], base64.b64decode(args[3]))
        finally:
            client.quit()
        typ, data = "OK", [b"delivered"]
    elif cmd == "logout":
        typ, data = c.logout()
    elif cmd == "sleep":
        time.sleep(args[0])
        typ, data = "OK", [b"slept"]
    else:
        raise ValueError("unknown command " + cmd)
    result["typ"] = typ
    result["ok"] = typ == "OK"
    result["resp"] = " ".join(text(d) for d in data if d is not None and not isinstance(d, tuple))
    return result


def main():
    req = json.load(sys.stdin)
    conns = {0: connect(req["port"], req.get("tls", "none"))}
    answer = {"welcome": text(conns[0].welcome), "results": []}
    for step in req["steps"]:
        index = 0
        if isinstance(step[0], str) and step[0].startswith("@"):
            index, step = int(step[0][1:]), step[1:]
        cmd, args = step[0], step[1:]
        start = time.monotonic()
        c = conns.get(index)
        if c is not None:
            c.wire = []
        try:
            if cmd == "connect":
                conns[index] = c = connect(args[0], args[1])
                result = {"ok": True, "typ": "OK", "resp": text(c.welcome)}
            else:
                result = run(c, cmd, args)
        except imaplib.IMAP4.abort as e:
            result = {"ok": False, "typ": "ABORT", "resp": str(e), "broken": True}
        except imaplib.IMAP4.error as e:
            # imaplib raises for BAD and for NO after LOGIN, AUTHENTICATE and STARTTLS.
            result = {"ok": False, "typ": "BAD" if "BAD" in str(e) else "NO", "resp": str(e)}
        except (OSError, EOFError, KeyError, ValueError, StopIteration) as e:
            result = {"ok": False, "typ": "ERROR", "resp": "error: %s: %s" % (type(e).__name__, e), "broken": True}
        if c is not None:
            result["wire"] = c.wire
            result["untagged"] = {k: [item(x) for x in v] for k, v in c.untagged_responses.items()}
            c.untagged_responses.clear()
        result["elapsed"] = time.monotonic() - start
        answer["results"].append(result)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
