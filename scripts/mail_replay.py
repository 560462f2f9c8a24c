#!/usr/bin/env python3
"""Replays a folder of real mail through a running desk's SMTP listener and compares what the
desk made of each message with what CPython's email package reads from the same bytes.

A check outside the test suite (the suite has its own corpus tests): it starts
`frontline serve --smtp-listen` on free loopback ports with a temporary SQLite desk, sends
every file under the given folders with smtplib, waits for ingest, then reads the tickets
over the REST API and prints one line per message whose ticket is missing, whose subject
differs, or whose text was lost, and a summary. Usage:

    scripts/mail_replay.py --frontline target/release/frontline DIR [DIR ...]

Only loopback is used. The server is stopped (by its PID) when the script ends.
"""

import argparse
import email
import email.policy
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request

DESK = "help@desk.test"
SKIP = ("SOURCE", "LICENSE", "README", ".")
NO_TEXT = ("(the email had no text)", "(no text; see the attached files)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def messages(dirs):
    for root in dirs:
        for base, _, files in os.walk(root):
            for name in sorted(files):
                if name.startswith(SKIP) or name.endswith("_reply_text"):
                    continue
                yield os.path.join(base, name)


def norm(text):
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def expected(raw):
    """What CPython reads: the subject, the sender, and whether there is body text."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        subject = str(msg.get("subject", "") or "")
    except Exception:  # a header CPython cannot decode either
        subject = ""
    body = None
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is not None:
            body = part.get_content()
    except Exception:
        body = None
    return norm(subject), bool(norm(body))


def api(base, token, path):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def all_tickets(base, token):
    items, cursor = [], None
    while True:
        path = "/api/v1/tickets?limit=200&sort=created"
        if cursor:
            path += "&cursor=" + urllib.request.quote(cursor)
        page = api(base, token, path)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def run(binary, data, *args, stdin=None):
    env = dict(os.environ, FRONTLINE_DATA_DIR=data)
    out = subprocess.run([binary, *args], env=env, input=stdin, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--frontline", required=True)
    p.add_argument("--wait", type=float, default=60, help="seconds to wait for ingest")
    p.add_argument("dirs", nargs="+")
    a = p.parse_args()

    data = tempfile.mkdtemp(prefix="frontline-replay-")
    run(a.frontline, data, "mailbox", "add", "--address", DESK)
    run(a.frontline, data, "user", "add", "--email", "admin@desk.test", "--name", "Admin",
        "--role", "admin")
    token = run(a.frontline, data, "token", "create", "--email", "admin@desk.test")
    http, smtp = free_port(), free_port()
    env = dict(os.environ, FRONTLINE_DATA_DIR=data)
    server = subprocess.Popen([a.frontline, "serve", "--listen", f"127.0.0.1:{http}",
                               "--smtp-listen", f"127.0.0.1:{smtp}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(data + "/serve.log", "w"))
    base = f"http://127.0.0.1:{http}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        sent, refused = [], []
        for path in messages(a.dirs):
            raw = open(path, "rb").read()
            try:
                with smtplib.SMTP("127.0.0.1", smtp, timeout=30) as s:
                    s.sendmail("replay@client.test", [DESK], raw)
                sent.append((path, raw))
            except smtplib.SMTPException as e:
                refused.append((path, str(e)))
        deadline = time.time() + a.wait
        tickets = all_tickets(base, token)
        while time.time() < deadline:
            time.sleep(2)
            again = all_tickets(base, token)
            if len(again) == len(tickets):
                break
            tickets = again
        by_subject = {}
        for t in tickets:
            by_subject.setdefault(norm(t["subject"]), []).append(t)
        problems = 0
        for path, raw in sent:
            subject, has_text = expected(raw)
            found = by_subject.get(subject or "(no subject)") or []
            if not found:
                problems += 1
                print(f"NO TICKET WITH THE SUBJECT  {path}: {subject[:80]!r}")
                continue
            ticket = found.pop(0)
            if has_text and ticket["description"].strip() in NO_TEXT:
                problems += 1
                print(f"TEXT LOST                   {path}: {ticket['description']!r}")
        for path, why in refused:
            print(f"REFUSED AT SMTP             {path}: {why[:120]}")
        print(f"{len(sent)} accepted, {len(refused)} refused, {len(tickets)} tickets, "
              f"{problems} accepted messages differ from CPython's reading")
        return 1 if problems else 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
