#!/usr/bin/env python3
"""Drives a Mailroom SMTP listener with Python's smtplib for the Swift tests.

Reads one JSON request on stdin and prints one JSON answer. Requests:
  {"op": "send", "port", "tls": "none"|"starttls"|"implicit", "auth": [user, password, mech]?,
   "from", "to": [...], "message": text, "utf8": bool, "bdat": bool}
      -> {"ok": bool, "refused": {rcpt: [code, text]}, "error": [code, text]?}
  {"op": "relay", "port", "cases": [[id, from, to, client]], "auth": [user, password]}
      -> {"results": {id: code of RCPT}}
  {"op": "raw", "port", "lines": [bytes as latin-1 text]} -> {"transcript": text}
Only ever connects to 127.0.0.1.
"""
import base64, json, smtplib, socket, ssl, sys

HOST = "127.0.0.1"


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def connect(port, tls):
    if tls == "implicit":
        client = smtplib.SMTP_SSL(HOST, port, context=context(), timeout=20)
        client.ehlo("client.example.net")
    else:
        client = smtplib.SMTP(HOST, port, timeout=20)
        client.ehlo("client.example.net")
        if tls == "starttls":
            client.starttls(context=context())
            client.ehlo("client.example.net")
    return client


def login(client, auth):
    user, password = auth[0], auth[1]
    mech = auth[2] if len(auth) > 2 else None
    if mech:
        client.user, client.password = user, password
        method = {"PLAIN": client.auth_plain, "LOGIN": client.auth_login, "CRAM-MD5": client.auth_cram_md5}[mech]
        client.auth(mech, method, initial_response_ok=(mech != "CRAM-MD5"))
    else:
        client.login(user, password)


def send(req):
    client = connect(req["port"], req.get("tls", "none"))
    try:
        if req.get("auth"):
            login(client, req["auth"])
        options = ["SMTPUTF8"] if req.get("utf8") else []
        data = req["message"].encode("utf-8")
        if req.get("bdat"):
            code, text = client.docmd("MAIL", "FROM:<%s>%s" % (req["from"], " SMTPUTF8" if req.get("utf8") else ""))
            if code != 250:
                return {"ok": False, "error": [code, text.decode("utf-8", "replace")]}
            for rcpt in req["to"]:
                code, text = client.docmd("RCPT", "TO:<%s>" % rcpt)
                if code != 250:
                    return {"ok": False, "error": [code, text.decode("utf-8", "replace")]}
            half = len(data) // 2
            client.send(b"BDAT %d\r\n" % half + data[:half])
            code, text = client.getreply()
            if code != 250:
                return {"ok": False, "error": [code, text.decode("utf-8", "replace")]}
            client.send(b"BDAT %d LAST\r\n" % (len(data) - half) + data[half:])
            code, text = client.getreply()
            return {"ok": code == 250, "error": None if code == 250 else [code, text.decode("utf-8", "replace")],
                    "reply": text.decode("utf-8", "replace")}
        refused = client.sendmail(req["from"], req["to"], data, mail_options=options)
        return {"ok": True, "refused": {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in refused.items()}}
    except smtplib.SMTPRecipientsRefused as e:
        return {"ok": False, "refused": {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in e.recipients.items()}}
    except smtplib.SMTPResponseException as e:
        return {"ok": False, "error": [e.smtp_code, e.smtp_error.decode("utf-8", "replace")]}
    finally:
        try:
            client.quit()
        except Exception:
            pass


def relay(req):
    results = {}
    for case_id, sender, rcpt, client_kind in req["cases"]:
        authed = client_kind == "authenticated"
        port = req["submission_port"] if authed else req["port"]
        client = connect(port, "starttls" if authed else "none")
        try:
            if authed:
                login(client, req["auth"])
            code, _ = client.docmd("MAIL", "FROM:<%s>" % sender)
            if code != 250:
                results[case_id] = code
                continue
            code, _ = client.docmd("RCPT", "TO:<%s>" % rcpt)
            results[case_id] = code
        finally:
            try:
                client.quit()
            except Exception:
                pass
    return {"results": results}


def raw(req):
    sock = socket.create_connection((HOST, req["port"]), timeout=10)
    out = b""
    sock.settimeout(2)
    try:
        out += sock.recv(65536)
        for chunk in req["lines"]:
            sock.sendall(chunk.encode("latin-1"))
            try:
                while True:
                    piece = sock.recv(65536)
                    if not piece:
                        break
                    out += piece
                    if piece.endswith(b"\r\n"):
                        break
            except socket.timeout:
                pass
    finally:
        sock.close()
    return {"transcript": out.decode("latin-1")}


def smuggle(req):
    """One smuggling case: the payload file is sent right after the 354 reply to DATA."""
    with open(req["payload"], "rb") as f:
        payload = f.read()
    sock = socket.create_connection((HOST, req["port"]), timeout=10)
    reader = sock.makefile("rb")

    def reply():
        lines = []
        while True:
            line = reader.readline()
            if not line:
                return lines, None
            lines.append(line.decode("latin-1").rstrip("\r\n"))
            if len(line) >= 4 and line[3:4] == b" ":
                return lines, int(line[:3])

    replies = []
    try:
        replies.append(reply()[1])
        for command in (b"EHLO client.example.net\r\n", b"MAIL FROM:<sender@example.net>\r\n",
                        b"RCPT TO:<postmaster@example.com>\r\n", b"DATA\r\n"):
            sock.sendall(command)
            replies.append(reply()[1])
        sock.sendall(payload)
        lines, code = reply()
        replies.append(code)
        # Anything the server answers after the message (it must not run smuggled commands).
        sock.settimeout(0.7)
        try:
            while True:
                lines, code = reply()
                if code is None:
                    break
                replies.append(code)
        except socket.timeout:
            pass
        try:
            sock.sendall(b"QUIT\r\n")
        except OSError:
            pass
    finally:
        sock.close()
    return {"replies": replies}


def connections(req):
    """Opens `count` connections at once and returns the first reply line of each."""
    socks, greetings = [], []
    try:
        for _ in range(req["count"]):
            sock = socket.create_connection((HOST, req["port"]), timeout=10)
            socks.append(sock)
            greetings.append(sock.makefile("rb").readline().decode("latin-1").rstrip("\r\n"))
    finally:
        for sock in socks:
            sock.close()
    return {"greetings": greetings}


def idle(req):
    """Connects, reads the greeting, sends nothing and returns what the server says next."""
    sock = socket.create_connection((HOST, req["port"]), timeout=req["seconds"])
    reader = sock.makefile("rb")
    greeting = reader.readline().decode("latin-1").rstrip("\r\n")
    try:
        after = reader.readline().decode("latin-1").rstrip("\r\n")
    except socket.timeout:
        after = "(no reply)"
    closed = reader.readline() == b""
    sock.close()
    return {"greeting": greeting, "after": after, "closed": closed}


def main():
    req = json.loads(sys.stdin.read())
    op = req["op"]
    answer = {"send": send, "relay": relay, "raw": raw, "smuggle": smuggle, "connections": connections,
              "idle": idle}[op](req)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
