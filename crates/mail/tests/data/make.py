#!/usr/bin/env python3
"""Writes the hand-made test messages beside this file (run it from here: python3 make.py).

Each message has one shape real mail was misread in (see crates/mail/tests/mail/decoding.rs);
the bytes come from Python's codecs, so every charset is encoded as a real client would.
"""

import base64
import urllib.parse


# Labels mail uses that Python's codecs do not know by that name, or know otherwise: Outlook's
# ks_c_5601-1987 is Windows code page 949 (Python reads it as strict EUC-KR).
CODEC = {"x-gbk": "gbk", "ks_c_5601-1987": "cp949"}


def word(text, charset):
    """An RFC 2047 encoded word (B encoding)."""
    data = text.encode(CODEC.get(charset, charset))
    return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode())


def rfc2231(text, charset):
    return "%s''%s" % (charset, urllib.parse.quote(text.encode(charset), safe=""))


def write(name, head, body):
    with open(name, "wb") as f:
        f.write(head.replace("\n", "\r\n").encode("ascii") + body)


def crlf(text, charset):
    return text.replace("\n", "\r\n").encode(CODEC.get(charset, charset))


COMMON = "From: {who} <{addr}>\nTo: desk@example.org\nDate: Tue, 01 Dec 2026 09:00:00 +0000\nMessage-ID: <{id}@example.net>\nMIME-Version: 1.0\n"


def cjk(name, who, addr, subject, subject_cs, text, body_cs, file_param):
    head = COMMON.format(who=who, addr=addr, id=name) + (
        "Subject: %s\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\n"
        "Content-Type: text/plain; charset=%s\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    ) % (word(subject, subject_cs), body_cs)
    body = crlf(text, body_cs)
    tail = (
        "\n--b1\n"
        "Content-Type: application/octet-stream\n"
        "Content-Disposition: attachment; %s\n"
        "Content-Transfer-Encoding: base64\n\n"
        "aGVsbG8=\n"
        "--b1--\n"
    ) % file_param
    write(name, head, body + crlf(tail, "ascii"))


cjk("big5.eml", "Chen", "chen@example.tw", "申請會議室預約", "big5",
    "請幫我預約三樓會議室，謝謝。\n", "big5",
    "filename*=" + rfc2231("會議紀錄.pdf", "big5"))
cjk("big5_hkscs.eml", "Wong", "wong@example.hk", "維修申請", "big5-hkscs",
    "打印機壞咗，唔該幫手。\n", "big5-hkscs",
    'filename="%s"' % word("報價單.pdf", "big5-hkscs"))
cjk("iso2022jp.eml", "Tanaka", "tanaka@example.jp", "日本語の件について", "iso-2022-jp",
    "プリンターが動きません。至急お願いします。\n", "iso-2022-jp",
    'filename="%s"' % word("見積書.xlsx", "iso-2022-jp"))
cjk("gbk.eml", "Li", "li@example.cn", "打印机卡纸", "gb2312",
    "打印机又卡纸了，请陶喆帮忙处理。\n", "x-gbk",
    "filename*=" + rfc2231("𠮷野家报表.xlsx", "gb18030"))
cjk("gb18030.eml", "Zhang", "zhang@example.cn", "报销单𠮷", "gb18030",
    "请审批附件中的报销单。\n", "gb18030",
    'filename="%s"' % word("报销单.pdf", "gbk"))
cjk("ks_c_5601.eml", "Kim", "kim@example.kr", "프린터 문제 똠방각하", "ks_c_5601-1987",
    "안녕하세요, 프린터가 안 됩니다. 똠\n", "cp949",
    "filename*0*=cp949''%B0%DF; filename*1*=%C0%FB%BC%AD.hwp")

# The closing boundary is missing: the one text part must still be the body.
write("no_closing_boundary.eml", COMMON.format(who="Ana", addr="ana@example.org", id="ncb") + (
    "Subject: VPN drops every hour\n"
    'Content-Type: multipart/mixed; boundary="xyz"\n\n'
    "This is a multi-part message in MIME format.\n\n"
    "--xyz\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "The VPN drops every hour on the hour. Caf=C3=A9 wifi or home, the same.\n"
    "Ana\n"), b"")

# No blank line between the headers and the body, at the top and inside a part.
write("no_blank_line.eml", COMMON.format(who="Ben", addr="ben@example.org", id="nbl") + (
    "Subject: printer on floor 2\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "the printer on floor 2 shows error 49\n"
    "since this morning.\n"), b"")
write("no_blank_line_part.eml", COMMON.format(who="Ben", addr="ben@example.org", id="nblp") + (
    "Subject: printer on floor 3\n"
    "Content-Type: multipart/mixed; boundary=foo\n\n"
    "--foo\n"
    "Content-Type: text/plain\n"
    "the printer on floor 3 jams\n\n"
    "--foo\n"
    "Content-Type: text/html\n"
    "<html><body><p>jam log attached</p></body></html>\n\n"
    "--foo--\n"), b"")

# A second inline text part with a file name: the body is the first, the second a file.
write("second_inline_text.eml", COMMON.format(who="Cleo", addr="cleo@example.org", id="sit") + (
    "Subject: logs from the kiosk\n"
    'Content-Type: multipart/mixed; boundary="k"\n\n'
    "--k\n"
    "Content-Type: text/plain; charset=us-ascii\n\n"
    "The kiosk log is below.\n\n"
    "--k\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    'Content-Disposition: inline; filename="kiosk.log"\n\n'
    "12:00 boot\n12:01 crash\n\n"
    "--k--\n"), b"")

# File names that are paths, hidden or carry bidirectional overrides.
names = [
    'filename="../../x"',
    'filename="/etc/passwd"',
    'filename="C:\\\\Users\\\\x\\\\a.doc"',
    "filename*=" + rfc2231("invoice\u202efdp.exe", "utf-8"),
    'filename=".."',
]
parts = "".join(
    "--n\nContent-Type: application/octet-stream\nContent-Disposition: attachment; %s\n"
    "Content-Transfer-Encoding: base64\n\naGVsbG8=\n" % n for n in names)
write("bad_names.eml", COMMON.format(who="Dan", addr="dan@example.org", id="bn") + (
    "Subject: files\n"
    'Content-Type: multipart/mixed; boundary="n"\n\n'
    "--n\nContent-Type: text/plain\n\nsee the files\n" + parts + "--n--\n"), b"")
