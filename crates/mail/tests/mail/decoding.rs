//! The shapes real mail was misread in, one hand-made message each (tests/data, written by
//! tests/data/make.py with Python's codecs): what the sender's client sent is what the desk
//! reads — subject, text and the names of the files.

use frontline_mail::{Inbound, parse};

use crate::support::{MAX_BYTES, data};

fn read(name: &str) -> Inbound {
    parse(&data(name), MAX_BYTES).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn names(m: &Inbound) -> Vec<&str> {
    m.attachments.iter().map(|a| a.filename.as_str()).collect()
}

#[test]
fn east_asian_charsets_are_decoded() {
    // (file, subject, text, file name): RFC 2047 subjects, 8-bit bodies, names in RFC 2231
    // and RFC 2047 form.
    let cases = [
        (
            "big5.eml",
            "申請會議室預約",
            "請幫我預約三樓會議室，謝謝。",
            "會議紀錄.pdf",
        ),
        (
            "big5_hkscs.eml",
            "維修申請",
            "打印機壞咗，唔該幫手。",
            "報價單.pdf",
        ),
        (
            "iso2022jp.eml",
            "日本語の件について",
            "プリンターが動きません。至急お願いします。",
            "見積書.xlsx",
        ),
        (
            "gbk.eml",
            "打印机卡纸",
            "打印机又卡纸了，请陶喆帮忙处理。",
            "𠮷野家报表.xlsx",
        ),
        (
            "gb18030.eml",
            "报销单𠮷",
            "请审批附件中的报销单。",
            "报销单.pdf",
        ),
        (
            "ks_c_5601.eml",
            "프린터 문제 똠방각하",
            "안녕하세요, 프린터가 안 됩니다. 똠",
            "견적서.hwp",
        ),
    ];
    for (file, subject, text, name) in cases {
        let m = read(file);
        assert_eq!(m.subject, subject, "{file}");
        assert_eq!(m.text.trim(), text, "{file}");
        assert_eq!(names(&m), [name], "{file}");
        assert_eq!(m.attachments[0].data, b"hello", "{file}");
    }
}

#[test]
fn a_missing_closing_boundary_keeps_the_text() {
    let m = read("no_closing_boundary.eml");
    assert_eq!(
        m.text.trim(),
        "The VPN drops every hour on the hour. Café wifi or home, the same.\r\nAna"
    );
    assert!(m.attachments.is_empty(), "{:?}", m.attachments);
}

#[test]
fn a_body_right_after_the_headers_is_read() {
    let m = read("no_blank_line.eml");
    assert_eq!(m.subject, "printer on floor 2");
    assert_eq!(
        m.text,
        "the printer on floor 2 shows error 49\r\nsince this morning.\r\n"
    );
    let m = read("no_blank_line_part.eml");
    assert_eq!(m.text.trim(), "the printer on floor 3 jams");
    // The HTML part is not the plain body's alternative: it is kept as a file.
    assert_eq!(m.attachments.len(), 1, "{:?}", m.attachments);
    assert_eq!(m.attachments[0].content_type, "text/html");
}

#[test]
fn a_second_inline_text_part_with_a_name_is_a_file() {
    let m = read("second_inline_text.eml");
    assert_eq!(m.text.trim(), "The kiosk log is below.");
    assert_eq!(names(&m), ["kiosk.log"]);
    assert_eq!(m.attachments[0].data, b"12:00 boot\r\n12:01 crash\r\n");
}

#[test]
fn unnamed_inline_text_parts_join_the_text() {
    let raw = "From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
        --m\r\nContent-Type: text/plain\r\n\r\nabove the picture\r\n\
        --m\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"p.png\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n\
        --m\r\nContent-Type: text/plain\r\n\r\nbelow the picture\r\n--m--\r\n";
    let m = parse(raw.as_bytes(), MAX_BYTES).expect("a message");
    assert_eq!(m.text, "above the picture\n\nbelow the picture");
    assert_eq!(names(&m), ["p.png"]);
}

#[test]
fn file_names_are_made_safe() {
    let m = read("bad_names.eml");
    assert_eq!(m.text.trim(), "see the files");
    assert_eq!(
        names(&m),
        ["x", "passwd", "a.doc", "invoicefdp.exe", "attachment-5"]
    );
}
