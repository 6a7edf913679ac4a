#!/usr/bin/env python3
"""IMAP probe for Mailroom's interoperability tests: one IMAP session per run, JSON on stdout.

Used by DovecotServer.swift (IMAPProbe) to look at a mail store through a real IMAP server.
Python's standard library only (imaplib), so Debian's python3 is enough.

    imap_probe.py --host H --port P --user U --password W COMMAND [ARGS]

Commands (folder names are given and returned decoded, as Unicode text with the server's
hierarchy separator; the raw modified UTF-7 names of RFC 3501 section 5.1.3 are returned too):
    capabilities                         capabilities after login
    list                                 every folder: name, raw, delimiter, attributes, subscribed
    select FOLDER [--read-write]         EXAMINE (default) or SELECT, then every message:
                                         uid, flags (without \\Recent), recent, size
                                         (RFC822.SIZE), internalDate (Unix seconds),
                                         sha256 (hex, of BODY.PEEK[])
    body FOLDER UID                      the message's BODY.PEEK[] as base64
    append FOLDER --file PATH [--flag F ...] [--date UNIX_SECONDS]
                                         APPEND (CREATE first if the folder is missing);
                                         returns the APPENDUID uid and uidValidity
    store FOLDER UIDS --mode=MODE --flag=F ...
                                         UID STORE UIDS MODE (FLAGS / +FLAGS / -FLAGS);
                                         returns the flags of the stored messages afterwards
    expunge FOLDER [--uids UIDS]         EXPUNGE, or UID EXPUNGE UIDS; returns expunged UIDs
    create FOLDER                        CREATE
    delete FOLDER                        DELETE
    subscribe FOLDER                     SUBSCRIBE

Flags and keywords are sent as given. A keyword with 8-bit characters is sent as raw UTF-8
(the connection's encoding is UTF-8), so a test can see what the server does with it.

On success the JSON is the result and the exit status is 0. When the server answers NO or BAD,
or the session fails, the JSON is {"error": "..."} on stdout and the exit status is 2.
"""

import argparse
import base64
import hashlib
import imaplib
import json
import re
import socket
import sys
from datetime import datetime, timezone


class ProbeError(Exception):
    pass


# --- modified UTF-7 (RFC 3501 section 5.1.3) -------------------------------------------------

def mutf7_encode(text):
    out = []
    pending = []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in text:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(raw):
    out = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "&":
            out.append(ch)
            i += 1
            continue
        end = raw.find("-", i)
        if end < 0:
            raise ProbeError("bad modified UTF-7 name: %r" % raw)
        chunk = raw[i + 1:end]
        if chunk == "":
            out.append("&")
        else:
            b64 = chunk.replace(",", "/")
            b64 += "=" * (-len(b64) % 4)
            out.append(base64.b64decode(b64).decode("utf-16-be"))
        i = end + 1
    return "".join(out)


# --- response parsing ----------------------------------------------------------------------

def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_arg(name):
    return quote(mutf7_encode(name))


def check(typ, data, what):
    if typ != "OK":
        text = b" ".join(d if isinstance(d, bytes) else repr(d).encode() for d in (data or []) if d is not None)
        raise ProbeError("%s: %s %s" % (what, typ, text.decode("utf-8", "replace")))
    return data


LIST_RE = re.compile(rb'^\((?P<attrs>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$')


def parse_astring(b):
    b = b.strip()
    if b.startswith(b'"') and b.endswith(b'"'):
        return re.sub(rb'\\(.)', rb'\1', b[1:-1]).decode("utf-8")
    return b.decode("utf-8")


def parse_list_lines(data):
    folders = []
    i = 0
    items = list(data or [])
    while i < len(items):
        item = items[i]
        i += 1
        if item is None:
            continue
        if isinstance(item, tuple):
            # name sent as a literal: (b'(attrs) "." {n}', b'name')
            head, literal = item
            m = LIST_RE.match(head.rstrip())
            if not m:
                raise ProbeError("cannot parse LIST line %r" % (item,))
            raw = literal.decode("utf-8")
        else:
            m = LIST_RE.match(item)
            if not m:
                raise ProbeError("cannot parse LIST line %r" % item)
            raw = parse_astring(m.group("name"))
        delim = m.group("delim")
        folders.append({
            "raw": raw,
            "name": mutf7_decode(raw),
            "delimiter": None if delim == b"NIL" else parse_astring(delim),
            "attributes": [a.decode() for a in m.group("attrs").split()],
        })
    return folders


FLAGS_RE = re.compile(rb'FLAGS \(([^)]*)\)')
UID_RE = re.compile(rb'UID (\d+)')
SIZE_RE = re.compile(rb'RFC822\.SIZE (\d+)')
DATE_RE = re.compile(rb'INTERNALDATE "([^"]+)"')


def parse_internal_date(text):
    return int(datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z").timestamp())


def fetch_lines(data):
    """The FETCH response lines as bytes, literals left out (callers fetch literals apart)."""
    lines = []
    for item in data or []:
        if item is None:
            continue
        if isinstance(item, tuple):
            lines.append(item[0])
        elif item != b")":
            lines.append(item)
    return lines


def split_flags(raw):
    flags = [f.decode("utf-8") for f in raw.split()]
    recent = "\\Recent" in flags
    return [f for f in flags if f != "\\Recent"], recent


# --- commands ------------------------------------------------------------------------------

def cmd_list(c, args):
    folders = parse_list_lines(check(*c.list('""', "*"), what="LIST"))
    subscribed = {f["raw"] for f in parse_list_lines(check(*c.lsub('""', "*"), what="LSUB"))}
    for f in folders:
        f["subscribed"] = f["raw"] in subscribed
    return folders


def open_folder(c, name, read_write):
    typ, data = c.select(mailbox_arg(name), readonly=not read_write)
    check(typ, data, "%s %s" % ("SELECT" if read_write else "EXAMINE", name))


def response_number(c, code):
    typ, data = c.response(code)
    if not data or data[0] is None:
        return None
    return int(data[-1])


def response_flags(c, code):
    typ, data = c.response(code)
    if not data or data[0] is None:
        return None
    m = re.match(rb'\(([^)]*)\)', data[-1])
    return [f.decode("utf-8") for f in m.group(1).split()] if m else None


def cmd_select(c, args):
    open_folder(c, args.folder, args.read_write)
    result = {
        "name": args.folder,
        "readWrite": args.read_write,
        "exists": response_number(c, "EXISTS"),
        "uidValidity": response_number(c, "UIDVALIDITY"),
        "uidNext": response_number(c, "UIDNEXT"),
        "flags": response_flags(c, "FLAGS"),
        "permanentFlags": response_flags(c, "PERMANENTFLAGS"),
        "messages": [],
    }
    if result["exists"]:
        data = check(*c.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE)"), what="UID FETCH")
        for line in fetch_lines(data):
            uid, flags, size, date = UID_RE.search(line), FLAGS_RE.search(line), SIZE_RE.search(line), DATE_RE.search(line)
            if not (uid and flags and size and date):
                raise ProbeError("cannot parse FETCH line %r" % line)
            flag_list, recent = split_flags(flags.group(1))
            result["messages"].append({
                "uid": int(uid.group(1)),
                "flags": flag_list,
                "recent": recent,
                "size": int(size.group(1)),
                "internalDate": parse_internal_date(date.group(1).decode()),
            })
        result["messages"].sort(key=lambda m: m["uid"])
        for m in result["messages"]:
            m["sha256"] = hashlib.sha256(fetch_body(c, m["uid"])).hexdigest()
    return result


def fetch_body(c, uid):
    data = check(*c.uid("FETCH", str(uid), "(BODY.PEEK[])"), what="UID FETCH %d BODY.PEEK[]" % uid)
    for item in data or []:
        if isinstance(item, tuple) and b"BODY[]" in item[0]:
            return item[1]
    # A zero-length body has no literal: `BODY[] ""`.
    for item in data or []:
        if isinstance(item, bytes) and b'BODY[] ""' in item:
            return b""
    raise ProbeError("no BODY[] in FETCH response for UID %d: %r" % (uid, data))


def cmd_body(c, args):
    open_folder(c, args.folder, False)
    return {"uid": args.uid, "base64": base64.b64encode(fetch_body(c, args.uid)).decode("ascii")}


def folder_exists(c, name):
    return any(f["name"] == name for f in parse_list_lines(check(*c.list('""', mailbox_arg(name)), what="LIST")))


def parse_appenduid(c, data):
    text = b" ".join(d for d in (data or []) if isinstance(d, bytes))
    m = re.search(rb'\[APPENDUID (\d+) (\d+)\]', text)
    if not m:
        raise ProbeError("APPEND answered without APPENDUID: %r" % text)
    return int(m.group(1)), int(m.group(2))


def cmd_append(c, args):
    with open(args.file, "rb") as f:
        message = f.read()
    created = False
    if args.folder.upper() != "INBOX" and not folder_exists(c, args.folder):
        check(*c.create(mailbox_arg(args.folder)), what="CREATE %s" % args.folder)
        created = True
    flags = "(" + " ".join(args.flag) + ")"
    date = None
    if args.date is not None:
        date = '"' + datetime.fromtimestamp(args.date, timezone.utc).strftime("%d-%b-%Y %H:%M:%S +0000") + '"'
    typ, data = c.append(mailbox_arg(args.folder), flags, date, message)
    check(typ, data, "APPEND %s" % args.folder)
    uidvalidity, uid = parse_appenduid(c, data)
    return {"uid": uid, "uidValidity": uidvalidity, "createdFolder": created}


def current_flags(c, uids):
    data = check(*c.uid("FETCH", uids, "(UID FLAGS)"), what="UID FETCH FLAGS")
    out = []
    for line in fetch_lines(data):
        uid, flags = UID_RE.search(line), FLAGS_RE.search(line)
        if uid and flags:
            flag_list, recent = split_flags(flags.group(1))
            out.append({"uid": int(uid.group(1)), "flags": flag_list, "recent": recent})
    return sorted(out, key=lambda m: m["uid"])


def cmd_store(c, args):
    mode = args.mode.upper()
    if mode not in ("FLAGS", "+FLAGS", "-FLAGS"):
        raise ProbeError("store mode must be FLAGS, +FLAGS or -FLAGS, not %r" % args.mode)
    open_folder(c, args.folder, True)
    check(*c.uid("STORE", args.uids, mode + ".SILENT", "(" + " ".join(args.flag) + ")"), what="UID STORE")
    return current_flags(c, args.uids)


def all_uids(c):
    data = check(*c.uid("SEARCH", "ALL"), what="UID SEARCH")
    return sorted(int(u) for d in data if d for u in d.split())


def cmd_expunge(c, args):
    open_folder(c, args.folder, True)
    before = all_uids(c)
    if args.uids:
        check(*c.uid("EXPUNGE", args.uids), what="UID EXPUNGE")
    else:
        check(*c.expunge(), what="EXPUNGE")
    after = set(all_uids(c))
    return {"expunged": [u for u in before if u not in after], "remaining": sorted(after)}


def cmd_simple(verb):
    def run(c, args):
        check(*getattr(c, verb)(mailbox_arg(args.folder)), what="%s %s" % (verb.upper(), args.folder))
        return {"ok": True, "raw": mutf7_encode(args.folder)}
    return run


def cmd_capabilities(c, args):
    typ, data = c.capability()
    check(typ, data, "CAPABILITY")
    return {"capabilities": data[0].decode().split()}


def main(argv):
    p = argparse.ArgumentParser(description="IMAP probe for Mailroom tests")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--timeout", type=float, default=30)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("capabilities").set_defaults(run=cmd_capabilities)
    sub.add_parser("list").set_defaults(run=cmd_list)
    s = sub.add_parser("select")
    s.add_argument("folder")
    s.add_argument("--read-write", action="store_true")
    s.set_defaults(run=cmd_select)
    s = sub.add_parser("body")
    s.add_argument("folder")
    s.add_argument("uid", type=int)
    s.set_defaults(run=cmd_body)
    s = sub.add_parser("append")
    s.add_argument("folder")
    s.add_argument("--file", required=True)
    s.add_argument("--flag", action="append", default=[])
    s.add_argument("--date", type=int)
    s.set_defaults(run=cmd_append)
    s = sub.add_parser("store")
    s.add_argument("folder")
    s.add_argument("uids")
    s.add_argument("--mode", required=True, help="FLAGS, +FLAGS or -FLAGS (give it as --mode=-FLAGS)")
    s.add_argument("--flag", action="append", default=[])
    s.set_defaults(run=cmd_store)
    s = sub.add_parser("expunge")
    s.add_argument("folder")
    s.add_argument("--uids")
    s.set_defaults(run=cmd_expunge)
    for verb in ("create", "delete", "subscribe"):
        s = sub.add_parser(verb)
        s.add_argument("folder")
        s.set_defaults(run=cmd_simple(verb))
    args = p.parse_args(argv)

    try:
        c = imaplib.IMAP4(args.host, args.port, timeout=args.timeout)
    except (OSError, imaplib.IMAP4.error) as e:
        print(json.dumps({"error": "connect %s:%d: %s" % (args.host, args.port, e)}))
        return 2
    c._encoding = "utf-8"   # send 8-bit arguments (keywords) as they are
    try:
        check(*c.login(args.user, args.password), what="LOGIN")
        result = args.run(c, args)
    except (ProbeError, imaplib.IMAP4.error, OSError, socket.timeout) as e:
        print(json.dumps({"error": str(e)}, ensure_ascii=False))
        try:
            c.logout()
        except Exception:
            pass
        return 2
    try:
        c.logout()
    except Exception:
        pass
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
