//! Free-text bounce formats. Each MTA or provider has a small module that declares, as
//! data, how to recognise its notices and where their error text starts and ends. One
//! generic extractor then reads recipients, codes and diagnostics out of that region, so
//! text from a server we have never seen is still read.

mod amazonses;
mod courier;
mod domino;
mod exchange;
mod exim;
mod german;
mod gmail;
mod googlegroups;
mod notes;
mod office365;
mod opensmtpd;
mod postfix;
mod qmail;
mod sendmail;
mod yahoo;

mod free_text;

pub use free_text::{
    TextReading, TextRecipient, about_the_sender, read, returned_headers, smtp_command,
};

use crate::matcher::Matcher;
use crate::notice::Notice;
use crate::report::Reason;
use crate::text;

/// How one format is recognised and where its error text sits. All matching ignores case.
pub struct Format {
    /// Stable id, shown in reports.
    pub id: &'static str,
    /// Any of these in the notice's `From:` header.
    pub from: &'static [&'static str],
    /// Any of these in the `Subject:` header.
    pub subject: &'static [&'static str],
    /// Any of these in the notice text (strongest signs: one is enough).
    pub body: &'static [&'static str],
    /// Any of these header names present.
    pub headers: &'static [&'static str],
    /// The error text starts after the first of these lines, when present.
    pub start: &'static [&'static str],
    /// The error text ends before the first of these.
    pub end: &'static [&'static str],
    /// The `X-Failed-Recipients` domain that marks the format, if any.
    pub failed_header_domain: Option<&'static str>,
    /// The reason every notice of this format stands for, when it has one.
    pub reason: Option<Reason>,
}

impl Format {
    const EMPTY: Format = Format {
        id: "",
        from: &[],
        subject: &[],
        body: &[],
        headers: &[],
        start: &[],
        end: &[],
        failed_header_domain: None,
        reason: None,
    };
}

/// Formats in the order they are tried: specific providers before the MTAs they run.
const FORMATS: &[&Format] = &[
    &googlegroups::FORMAT,
    &office365::FORMAT,
    &exchange::FORMAT,
    &gmail::FORMAT,
    &yahoo::FORMAT,
    &amazonses::FORMAT,
    &german::FORMAT,
    &domino::FORMAT,
    &notes::FORMAT,
    &qmail::FORMAT,
    &exim::FORMAT,
    &postfix::FORMAT,
    &opensmtpd::FORMAT,
    &courier::FORMAT,
    &sendmail::FORMAT,
];

/// The generic reader used when no format is recognised.
pub const GENERIC: Format = Format {
    id: "generic",
    ..Format::EMPTY
};

/// True if `lower` holds the words of a known mail server's notice.
pub fn has_body_sign(n: &Notice) -> bool {
    body_format(n).is_some()
}

/// The format whose body signs the notice's first 64 KiB show, if any: in the notice's
/// own words, as a returned or quoted message's words ("Ihre Sendung konnte nicht
/// zugestellt werden") are not the notice's. (When a marker stands above the notice, a
/// forward's separator, the own words are a few: then the whole text's signs count.)
fn body_format(n: &Notice) -> Option<&'static Format> {
    let first = n.body_format.get_or_init(|| {
        let own = n.own_range();
        let end = if own.len() < FEW_OWN_WORDS {
            n.lower.len()
        } else {
            own.end
        };
        body_sign(&n.lower[..n.lower.floor_char_boundary(end.min(64 * 1024))])
    });
    first.map(|i| FORMATS[i])
}

/// Fewer bytes of own words than this are what a marker above the notice leaves.
const FEW_OWN_WORDS: usize = 200;

/// The place of the first format (in order) whose body signs occur in `lower`, found in
/// one pass.
fn body_sign(lower: &str) -> Option<usize> {
    static INDEX: std::sync::OnceLock<(Matcher, Vec<usize>)> = std::sync::OnceLock::new();
    let (matcher, owner) = INDEX.get_or_init(|| {
        Matcher::with_owners(
            FORMATS
                .iter()
                .enumerate()
                .flat_map(|(i, f)| f.body.iter().map(move |&sign| (i, sign))),
        )
    });
    matcher.matches(lower).into_iter().map(|p| owner[p]).min()
}

/// Picks the format of a notice: a body sign wins, then headers, then From and Subject.
/// `lower` is the notice's text in ASCII lower case.
pub fn detect(n: &Notice) -> &'static Format {
    let from = n.header("from").unwrap_or("");
    let subject = n.header("subject").unwrap_or("");
    let any = |hay: &str, needles: &[&str]| needles.iter().any(|p| text::contains_ci(hay, p));
    let failed = n.header("x-failed-recipients").unwrap_or("");
    FORMATS
        .iter()
        .find(|f| {
            f.failed_header_domain
                .is_some_and(|d| text::contains_ci(failed, d))
        })
        .copied()
        .or_else(|| body_format(n))
        .or_else(|| {
            FORMATS
                .iter()
                .find(|f| f.headers.iter().any(|h| n.header(h).is_some()))
                .copied()
        })
        .or_else(|| {
            FORMATS
                .iter()
                .find(|f| any(from, f.from) && (f.subject.is_empty() || any(subject, f.subject)))
                .copied()
        })
        .unwrap_or(&GENERIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_formats_look_at_are_kept() {
        for f in FORMATS {
            for h in f.headers {
                assert!(crate::notice::READ_HEADERS.contains(h), "{h}");
            }
        }
    }
}
