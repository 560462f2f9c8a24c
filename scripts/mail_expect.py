#!/usr/bin/env python3
"""What CPython's email package reads from every message of the shared mail corpora.

Writes the JSON fixture that crates/mail/tests/mail/cpython.rs compares Frontline's reading
with: per message the subject, the sender's address, whether there is body text (and how it
starts when it is plain text) and the names of the attached files. Only the standard library
(email with policy=default), so anyone can regenerate it:

    python3 scripts/mail_expect.py ../shared/data/email > crates/mail/tests/data/cpython_expect.json

The walk and the file filter match the Rust tests' (notes, licences, talon's *_reply_text
and dotfiles are not messages).
"""

import email
import email.policy
import html.parser
import json
import os
import re
import sys

# How much of a plain-text body is compared (after whitespace is collapsed).
BODY_CHARS = 80


def messages(root):
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith((".", "SOURCE", "LICENSE", "README")) or name.endswith("_reply_text"):
                continue
            out.append(os.path.join(folder, name))
    return sorted(out)


def clean(text):
    """Surrogate-escaped bytes back to U+FFFD, whitespace runs to one space."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"\s+", " ", text).strip()


def header(msg, name):
    try:
        value = msg[name]
    except Exception:  # a header the default policy cannot parse
        return None
    return None if value is None else value


def sender(msg):
    for name in ("from", "sender"):
        value = header(msg, name)
        try:
            addresses = value.addresses if value is not None else ()
        except Exception:
            addresses = ()
        for a in addresses:
            if "@" in a.addr_spec:
                return a.addr_spec.strip().lower()
    return None


def text_of(part):
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        # An unknown charset: CPython gives up on the part; so do we, for comparing.
        return None
    except Exception:
        return None


class Visible(html.parser.HTMLParser):
    """The text an HTML body shows (not its scripts and styles)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style", "head", "title")

    def handle_endtag(self, tag):
        self.hidden -= self.hidden > 0 and tag in ("script", "style", "head", "title")

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


def visible(markup):
    parser = Visible()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        return markup
    return clean(" ".join(parser.text))


def body(msg):
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None, None, None
    content = text_of(part)
    if not isinstance(content, str):
        return part, part.get_content_subtype(), None
    return part, part.get_content_subtype(), clean(content)


def leaves(part):
    """Every leaf of the MIME tree; an attached message is one leaf, as a file."""
    if part.is_multipart() and part.get_content_type() != "message/rfc822":
        for sub in part.iter_parts():
            yield from leaves(sub)
    else:
        yield part


def attachment_names(msg, body_part):
    """Names of every named leaf that is not the body (nor the body's HTML alternative)."""
    skip = {id(body_part)} if body_part is not None else set()
    if body_part is not None:
        # The other rendering of the same text is not a file.
        alt = msg.get_body(preferencelist=("html",) if body_part.get_content_subtype() == "plain" else ("plain",))
        if alt is not None:
            skip.add(id(alt))
    names = []
    for leaf in leaves(msg):
        if id(leaf) in skip:
            continue
        try:
            name = leaf.get_filename()
        except Exception:
            name = None
        if name:
            names.append(clean(str(name)))
    return sorted(names)


def expect(path, root):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    subject = header(msg, "subject")
    body_part, kind, text = body(msg)
    return {
        "file": os.path.relpath(path, root),
        "subject": None if subject is None else clean(str(subject)),
        "from": sender(msg),
        "body": kind,
        "text": None if text is None or kind != "plain" else text[:BODY_CHARS],
        # An HTML body counts as text when it shows some (not one that is only an image).
        "has_text": bool(text if kind != "html" else visible(text or "")),
        "attachments": attachment_names(msg, body_part),
    }


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/email"
    out = []
    for path in messages(root):
        try:
            out.append(expect(path, root))
        except Exception as e:  # CPython could not read it at all: nothing to compare
            out.append({"file": os.path.relpath(path, root), "error": type(e).__name__})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
