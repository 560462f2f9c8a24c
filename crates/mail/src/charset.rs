//! Charsets by the labels real mail carries. mail-parser (with `full_encoding`) maps the
//! WHATWG labels and many more through encoding_rs; this module knows the ones it misses
//! that clients still send (`cp949`, `cp932`, `euc-cn`, `iso-2022-jp-2`, …), so a Korean or
//! Japanese message is not read as UTF-8 and shown as U+FFFD.

use encoding_rs::WINDOWS_874;
use encoding_rs::{BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, ISO_2022_JP, SHIFT_JIS, UTF_8};
use mail_parser::decoders::charsets::map::charset_decoder;

/// Names mail clients use for an encoding that neither mail-parser nor the WHATWG list
/// knows (Python's codecs know them all).
const ALIASES: &[(&str, &Encoding)] = &[
    ("cp949", EUC_KR),
    ("ms949", EUC_KR),
    ("uhc", EUC_KR),
    ("x-windows-949", EUC_KR),
    ("euckr", EUC_KR),
    ("ks_c_5601", EUC_KR),
    ("cp932", SHIFT_JIS),
    ("x-ms-cp932", SHIFT_JIS),
    ("windows-932", SHIFT_JIS),
    ("shiftjis", SHIFT_JIS),
    ("eucjp", EUC_JP),
    ("ujis", EUC_JP),
    ("iso-2022-jp-1", ISO_2022_JP),
    ("iso-2022-jp-2", ISO_2022_JP),
    ("iso-2022-jp-3", ISO_2022_JP),
    ("iso-2022-jp-ext", ISO_2022_JP),
    ("csiso2022jp2", ISO_2022_JP),
    ("euc-cn", GBK),
    ("euccn", GBK),
    ("x-euc-cn", GBK),
    ("gb2312-80", GBK),
    ("gb18030-2000", GB18030),
    ("gb18030-2005", GB18030),
    ("cp950", BIG5),
    ("ms950", BIG5),
    ("x-windows-950", BIG5),
    ("big5hkscs", BIG5),
    ("cp874", WINDOWS_874),
    ("x-windows-874", WINDOWS_874),
    ("tis620", WINDOWS_874),
];

/// The encoding for a label mail-parser has no decoder for, when there is one worth
/// decoding with (UTF-8 mail-parser reads already).
pub(crate) fn unmapped(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(['"', '\'']).trim();
    if label.is_empty() || charset_decoder(label.as_bytes()).is_some() {
        return None;
    }
    let lower = label.to_ascii_lowercase();
    ALIASES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, e)| *e)
        .or_else(|| Encoding::for_label(lower.as_bytes()))
        .filter(|e| *e != UTF_8)
}

/// `bytes` read as `label`: through mail-parser's decoders, this module's aliases, else as
/// UTF-8 with U+FFFD for what is not (as mail-parser reads a part without a label).
pub(crate) fn decode(label: Option<&str>, bytes: &[u8]) -> String {
    let label = label.map(|l| l.trim().trim_matches(['"', '\'']).trim());
    if let Some(encoding) = label.and_then(unmapped) {
        return encoding.decode_without_bom_handling(bytes).0.into_owned();
    }
    match label.and_then(|l| charset_decoder(l.as_bytes())) {
        Some(decoder) => decoder(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each label real mail uses, with "printer" (or a greeting) as that client encodes it
    /// (bytes from Python's codecs).
    #[test]
    fn every_label_mail_uses_decodes() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("gb2312", b"\xb4\xf2\xd3\xa1\xbb\xfa", "打印机"),
            ("GB2312", b"\xb4\xf2\xd3\xa1\xbb\xfa", "打印机"),
            ("gbk", b"\xb4\xf2\xd3\xa1\xbb\xfa", "打印机"),
            ("x-gbk", b"\xb4\xf2\xd3\xa1\xbb\xfa", "打印机"),
            ("cp936", b"\xb4\xf2\xd3\xa1\xbb\xfa", "打印机"),
            ("euc-cn", b"\xb4\xf2\xd3\xa1\xbb\xfa", "打印机"),
            ("gb18030", b"\x954\xb25", "𠮷"),
            ("big5", b"\xa6L\xaa\xed\xbe\xf7", "印表機"),
            ("big5-hkscs", b"\x9d\xf7", "咗"),
            ("cp950", b"\xa6L\xaa\xed\xbe\xf7", "印表機"),
            ("iso-2022-jp", b"\x1b$B%W%j%s%?!<\x1b(B", "プリンター"),
            ("ISO-2022-JP-2", b"\x1b$B%W%j%s%?!<\x1b(B", "プリンター"),
            (
                "euc-jp",
                b"\xa5\xd7\xa5\xea\xa5\xf3\xa5\xbf\xa1\xbc",
                "プリンター",
            ),
            (
                "shift_jis",
                b"\x83v\x83\x8a\x83\x93\x83^\x81[",
                "プリンター",
            ),
            ("cp932", b"\x83v\x83\x8a\x83\x93\x83^\x81[", "プリンター"),
            (
                "windows-31j",
                b"\x83v\x83\x8a\x83\x93\x83^\x81[",
                "プリンター",
            ),
            ("euc-kr", b"\xc7\xc1\xb8\xb0\xc5\xcd", "프린터"),
            ("ks_c_5601-1987", b"\xc7\xc1\xb8\xb0\xc5\xcd", "프린터"),
            ("cp949", b"\x8cc", "똠"),
            ("windows-874", b"\xca\xc7\xd1\xca\xb4\xd5", "สวัสดี"),
            ("tis-620", b"\xca\xc7\xd1\xca\xb4\xd5", "สวัสดี"),
            ("koi8-r", b"\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
            ("utf-8", "ok ✓".as_bytes(), "ok ✓"),
            ("\"iso-8859-1\"", b"caf\xe9", "café"),
        ];
        for (label, bytes, text) in cases {
            assert_eq!(decode(Some(label), bytes), *text, "{label}");
        }
    }

    #[test]
    fn labels_mail_parser_knows_are_left_to_it() {
        for label in [
            "gbk",
            "big5",
            "iso-2022-jp",
            "utf-8",
            "us-ascii",
            "x-unknown",
        ] {
            assert!(unmapped(label).is_none(), "{label}");
        }
        for label in ["cp949", "CP932", "euc-cn", "iso-2022-jp-2"] {
            assert!(unmapped(label).is_some(), "{label}");
        }
    }
}
