//! Text in the character sets that mail-parser is built without (Japanese, Chinese,
//! Korean and a few rare ones: their tables would double the page's size). The platform
//! decodes them: encoding_rs natively, the browser's own `TextDecoder` on the page.

use std::sync::OnceLock;

/// Decodes `bytes` in the character set labelled `charset` (a WHATWG encoding label), or
/// `None` if it does not know the label.
pub type Decoder = fn(charset: &str, bytes: &[u8]) -> Option<String>;

static DECODER: OnceLock<Decoder> = OnceLock::new();

/// Sets the decoder the page uses (natively encoding_rs is built in). Only the first
/// call counts.
pub fn set_decoder(decoder: Decoder) {
    let _ = DECODER.set(decoder);
}

/// Character sets mail-parser cannot decode, as lower-case labels with `-` for `_`.
const FOREIGN: &[&str] = &[
    "shift-jis",
    "sjis",
    "x-sjis",
    "windows-31j",
    "cp932",
    "ms932",
    "ms-kanji",
    "euc-jp",
    "iso-2022-jp",
    "csiso2022jp",
    "x-euc-jp",
    "big5",
    "cn-big5",
    "csgb2312",
    "iso-2022-cn",
    "hz-gb-2312",
    "windows-949",
    "big5-hkscs",
    "gb2312",
    "gbk",
    "gb18030",
    "euc-cn",
    "cp936",
    "euc-kr",
    "ks-c-5601-1987",
    "cp949",
    "iso-2022-kr",
    "windows-874",
    "ibm866",
    "x-mac-cyrillic",
];

/// Names that are no WHATWG label, with the label that means the same set.
const ALIASES: &[(&str, &str)] = &[
    ("cp932", "windows-31j"),
    ("cp936", "gbk"),
    ("cp949", "euc-kr"),
    ("ks-c-5601-1987", "ks_c_5601-1987"),
];

/// The normalised name of `charset` if mail-parser cannot decode it.
pub fn foreign(charset: &str) -> Option<String> {
    let name = charset.trim().to_ascii_lowercase().replace('_', "-");
    FOREIGN.contains(&name.as_str()).then_some(name)
}

/// `bytes` decoded from `charset`, one of the [`foreign`] sets, if a decoder knows it.
pub fn decode(charset: &str, bytes: &[u8]) -> Option<String> {
    let name = foreign(charset)?;
    let label = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name.as_str(), |(_, label)| label);
    decoder()?(label, bytes)
}

#[cfg(not(target_arch = "wasm32"))]
fn decoder() -> Option<Decoder> {
    Some(*DECODER.get().unwrap_or(&(encoding_rs_decode as Decoder)))
}

#[cfg(target_arch = "wasm32")]
fn decoder() -> Option<Decoder> {
    DECODER.get().copied()
}

#[cfg(not(target_arch = "wasm32"))]
fn encoding_rs_decode(label: &str, bytes: &[u8]) -> Option<String> {
    // Labels such as ISO-2022-KR map to the "replacement" encoding, which decodes
    // nothing (the browser's TextDecoder refuses them).
    let encoding = encoding_rs::Encoding::for_label_no_replacement(label.as_bytes())?;
    Some(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_east_asian_sets() {
        let jis = b"\x1b$B%a!<%k%\\%C%/%9$,0lGU$G$9\x1b(B";
        assert_eq!(
            decode("ISO-2022-JP", jis).as_deref(),
            Some("メールボックスが一杯です")
        );
        assert_eq!(
            decode("Shift_JIS", b"\x83n\x83\x8D\x81[").as_deref(),
            Some("ハロー")
        );
        assert_eq!(
            decode("cp936", b"\xc4\xe3\xba\xc3").as_deref(),
            Some("你好")
        );
        assert_eq!(
            decode("ks_c_5601-1987", b"\xbe\xc8\xb3\xe7").as_deref(),
            Some("안녕")
        );
    }

    #[test]
    fn refuses_sets_that_decode_to_nothing() {
        assert_eq!(decode("ISO-2022-KR", b"\x1b$)Cabc"), None);
    }

    #[test]
    fn leaves_sets_mail_parser_reads() {
        assert_eq!(foreign("utf-8"), None);
        assert_eq!(decode("iso-8859-1", b"abc"), None);
    }
}
