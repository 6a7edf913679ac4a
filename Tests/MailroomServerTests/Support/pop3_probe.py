#!/usr/bin/env python3
"""Drives a Mailroom POP3 listener with Python's poplib for the Swift tests.

Reads one JSON request on stdin and prints one JSON answer:
  {"port": n, "tls": "none"|"implicit", "steps": [step, ...]}
      -> {"welcome": text, "results": [result, ...]}
A step is a list: [command, args...], run on connection 0, or ["@k", command, args...] on
connection k (open it first with ["@k", "connect", port, tls]). Commands:
  connect port tls        open another connection ("none" or "implicit")
  capa                    -> lines: the capabilities
  stls                    poplib's stls() (it checks CAPA for STLS first)
  user name password      USER then PASS
  auth mech name password AUTH with PLAIN, LOGIN, CRAM-MD5 or SCRAM-SHA-256 (the SCRAM client is
                          here: poplib has none)
  stat | list [n] | uidl [n] | noop | rset | quit | dele n
  retr n | top n lines    -> data: the message as sent, un-stuffed, line ends kept (base64)
  retr_all count          RETR 1..count -> datas: [base64, ...]
  pipeline [[line, multiline], ...]  every line in one write, then each response in order
  drop                    close the socket without QUIT
  eof                     -> eof: true when the server closed the connection (reads one line)
  sleep seconds
Every result has "ok" (false for -ERR or a broken connection), "resp" (the status line or
the error) and "elapsed" (seconds). Only ever connects to 127.0.0.1.
"""
import base64, hashlib, hmac, json, os, poplib, sys, time

from smtp_probe import HOST, context  # the same loopback host and certificate-blind TLS context


def connect(port, tls):
    if tls == "implicit":
        return poplib.POP3_SSL(HOST, port, context=context(), timeout=30)
    return poplib.POP3(HOST, port, timeout=30)


def text(b):
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b)


def multiline_raw(c):
    """A multi-line response body as sent, without the terminator, dot-stuffing removed."""
    parts = []
    while True:
        line = c.file.readline()
        if not line:
            raise EOFError("connection closed inside a multi-line response")
        if line == b".\r\n":
            return b"".join(parts)
        if line.startswith(b"."):
            line = line[1:]
        parts.append(line)


def b64(s):
    return base64.b64encode(s).decode("ascii")


def auth(c, mech, user, password):
    u, p = user.encode("utf-8"), password.encode("utf-8")
    if mech == "PLAIN":
        return c._shortcmd("AUTH PLAIN " + b64(b"\0" + u + b"\0" + p))
    if mech == "LOGIN":
        c._shortcmd("AUTH LOGIN")
        c._shortcmd(b64(u))
        return c._shortcmd(b64(p))
    if mech == "CRAM-MD5":
        challenge = base64.b64decode(c._shortcmd("AUTH CRAM-MD5")[2:])
        digest = hmac.new(p, challenge, hashlib.md5).hexdigest()
        return c._shortcmd(b64(u + b" " + digest.encode("ascii")))
    if mech == "SCRAM-SHA-256":
        nonce = b64(os.urandom(18))
        name = user.replace("=", "=3D").replace(",", "=2C")
        first_bare = "n=%s,r=%s" % (name, nonce)
        server_first = base64.b64decode(c._shortcmd("AUTH SCRAM-SHA-256 " + b64(("n,," + first_bare).encode("utf-8")))[2:]).decode()
        fields = dict(item.split("=", 1) for item in server_first.split(","))
        if not fields["r"].startswith(nonce):
            raise poplib.error_proto("server nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac("sha256", p, base64.b64decode(fields["s"]), int(fields["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = "c=biws,r=" + fields["r"]
        auth_message = ",".join([first_bare, server_first, final_bare]).encode("utf-8")
        signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_final = c._shortcmd(b64((final_bare + ",p=" + b64(proof)).encode("utf-8")))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        expected = "v=" + b64(hmac.new(server_key, auth_message, hashlib.sha256).digest())
        if base64.b64decode(server_final[2:]).decode() != expected:
            raise poplib.error_proto("server signature does not match")
        return c._shortcmd("")
    raise ValueError("unknown mechanism " + mech)


def run(c, cmd, args):
    result = {}
    if cmd == "capa":
        resp = c._shortcmd("CAPA")
        result["lines"] = [text(l) for l in multiline_raw(c).split(b"\r\n") if l]
        result["resp"] = text(resp)
    elif cmd == "stls":
        result["resp"] = text(c.stls(context()))
    elif cmd == "user":
        c.user(args[0])
        result["resp"] = text(c.pass_(args[1]))
    elif cmd == "auth":
        result["resp"] = text(auth(c, args[0], args[1], args[2]))
    elif cmd in ("stat", "noop", "rset", "quit"):
        if cmd == "stat":
            resp = c._shortcmd("STAT")
        else:
            resp = getattr(c, cmd)()
        result["resp"] = text(resp)
    elif cmd in ("list", "uidl") and args:
        result["resp"] = text(getattr(c, cmd)(args[0]))
    elif cmd in ("list", "uidl"):
        resp, lines, _ = getattr(c, cmd)()
        result["resp"], result["lines"] = text(resp), [text(l) for l in lines]
    elif cmd == "dele":
        result["resp"] = text(c.dele(args[0]))
    elif cmd in ("retr", "top"):
        line = "RETR %d" % args[0] if cmd == "retr" else "TOP %d %d" % (args[0], args[1])
        result["resp"] = text(c._shortcmd(line))
        result["data"] = b64(multiline_raw(c))
    elif cmd == "retr_all":
        datas = []
        for n in range(1, args[0] + 1):
            c._shortcmd("RETR %d" % n)
            datas.append(b64(multiline_raw(c)))
        result["datas"], result["resp"] = datas, "+OK"
    elif cmd == "pipeline":
        c.sock.sendall(b"".join(line.encode("utf-8") + b"\r\n" for line, _ in args[0]))
        responses = []
        for line, multi in args[0]:
            status, _ = c._getline()
            entry = {"status": text(status)}
            if multi and status.startswith(b"+OK"):
                entry["data"] = b64(multiline_raw(c))
            responses.append(entry)
        result["responses"], result["resp"] = responses, "+OK"
    elif cmd == "drop":
        c.close()
        result["resp"] = "dropped"
    elif cmd == "eof":
        try:
            line = c.file.readline()
            result["eof"] = line == b""
            result["resp"] = text(line)
        except (OSError, EOFError) as e:
            result["eof"], result["resp"] = True, str(e)
    elif cmd == "sleep":
        time.sleep(args[0])
        result["resp"] = "slept"
    else:
        raise ValueError("unknown command " + cmd)
    result["ok"] = not result["resp"].startswith("-ERR")
    return result


def main():
    req = json.load(sys.stdin)
    conns = {0: connect(req["port"], req.get("tls", "none"))}
    answer = {"welcome": text(conns[0].getwelcome()), "results": []}
    for step in req["steps"]:
        index = 0
        if isinstance(step[0], str) and step[0].startswith("@"):
            index, step = int(step[0][1:]), step[1:]
        cmd, args = step[0], step[1:]
        start = time.monotonic()
        try:
            if cmd == "connect":
                conns[index] = connect(args[0], args[1])
                result = {"ok": True, "resp": text(conns[index].getwelcome())}
            else:
                result = run(conns[index], cmd, args)
        except poplib.error_proto as e:
            result = {"ok": False, "resp": text(e.args[0]) if e.args else "error"}
        except (OSError, EOFError, KeyError, ValueError) as e:
            result = {"ok": False, "resp": "error: %s: %s" % (type(e).__name__, e), "broken": True}
        result["elapsed"] = time.monotonic() - start
        answer["results"].append(result)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
