//! Splits pasted text that holds several delivery notices, one after the other, into
//! one span per notice. Only text without a header block is split: a whole message is
//! one notice.

use crate::knowledge::{self, signs};
use std::ops::Range;

/// Notices shorter than this are not split off (a repeated line is no new notice).
const MIN_NOTICE: usize = 120;
/// Forward header lines above a notice that still belong to it.
const MAX_FORWARD_LINES: usize = 12;

/// The spans of the notices in `b`, a paste; a single notice gives one span.
pub fn split(b: &[u8]) -> Vec<Range<usize>> {
    let lower = b.to_ascii_lowercase();
    let openers = openers(&lower);
    let mut starts: Vec<usize> = new_notice_openers(&openers)
        .chain(forwarded_notice_headers(&lower))
        .map(|at| start_of_forward_block(&lower, line_start(&lower, at)))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    // A start counts only when the text before it reads as a notice of its own, not as
    // the customer's words above the first notice.
    let mut cuts = vec![0];
    for at in starts {
        let prev = *cuts.last().unwrap_or(&0);
        if at >= prev + MIN_NOTICE && b.len() >= at + MIN_NOTICE && is_notice(&lower[prev..at]) {
            cuts.push(at);
        }
    }
    cuts.iter()
        .enumerate()
        .map(|(k, &s)| s..cuts.get(k + 1).copied().unwrap_or(b.len()))
        .collect()
}

/// An opening line found in the text.
#[derive(Clone, Copy, PartialEq)]
struct Opener {
    at: usize,
    /// The software that writes it.
    family: usize,
    phrase: &'static str,
}

/// Every opening line in the text, in text order.
fn openers(lower: &[u8]) -> Vec<Opener> {
    let mut found: Vec<Opener> = knowledge::sign_groups("paste.openers")
        .into_iter()
        .enumerate()
        .flat_map(|(family, (_, phrases))| {
            phrases.into_iter().flat_map(move |phrase| {
                memchr::memmem::find_iter(lower, phrase.as_bytes()).map(move |at| Opener {
                    at,
                    family,
                    phrase,
                })
            })
        })
        .collect();
    found.sort_unstable_by_key(|o| o.at);
    found
}

/// Positions of the openers that begin a new notice: a line that comes again (software
/// writes it once per notice), or a line of other software after a notice.
fn new_notice_openers(openers: &[Opener]) -> impl Iterator<Item = usize> + '_ {
    let mut current: Vec<Opener> = Vec::new();
    openers.iter().filter_map(move |&o| {
        let new = current
            .iter()
            .any(|c| c.phrase == o.phrase || c.family != o.family);
        if new {
            current.clear();
        }
        current.push(o);
        new.then_some(o.at)
    })
}

/// Line starts of "From: Mail Delivery System <…>" lines after the first line.
fn forwarded_notice_headers(lower: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    for nl in memchr::memchr_iter(b'\n', lower) {
        let line = line_at(lower, nl + 1).trim_ascii_start();
        let from = [b"from:".as_slice(), b"von:", b"de :"]
            .iter()
            .any(|l| line.starts_with(l));
        if from
            && signs("paste.notice_senders")
                .any(|s| memchr::memmem::find(line, s.as_bytes()).is_some())
        {
            found.push(nl + 1);
        }
    }
    found
}

/// Moves a notice's start up over the forward header lines, separators and blank lines
/// a mail program wrote above it.
fn start_of_forward_block(lower: &[u8], mut at: usize) -> usize {
    for _ in 0..MAX_FORWARD_LINES {
        if at == 0 {
            break;
        }
        let prev = line_start(lower, at - 1);
        let line = lower[prev..at].trim_ascii();
        let forward = line.is_empty()
            || line.starts_with(b"---")
            || line.starts_with(b"___")
            || line.starts_with(b">")
            || signs("paste.forward_labels").any(|l| line.starts_with(l.as_bytes()));
        if !forward {
            break;
        }
        at = prev;
    }
    // Blank lines above the block stay with the notice before.
    while lower.get(at).is_some_and(|&c| c == b'\n' || c == b'\r') {
        at += 1;
    }
    at
}

/// Text that reads as a delivery notice: an opener, or a reply or status code.
fn is_notice(lower: &[u8]) -> bool {
    !openers(lower).is_empty()
        || crate::text::find_codes(&String::from_utf8_lossy(lower))
            .0
            .is_some()
}

fn line_start(b: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', &b[..at]).map_or(0, |p| p + 1)
}

fn line_at(b: &[u8], at: usize) -> &[u8] {
    let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |p| at + p);
    &b[at..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTFIX: &str = "This is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<anna@example.org>: host mx.example.org said: 550 5.1.1 User unknown\n";

    #[test]
    fn one_notice_is_one_span() {
        assert_eq!(split(POSTFIX.as_bytes()).len(), 1);
    }

    #[test]
    fn the_same_notice_twice_is_two_spans() {
        let paste = format!("Hallo, was heißt das?\n\n{POSTFIX}\n\n{POSTFIX}");
        let spans = split(paste.as_bytes());
        assert_eq!(spans.len(), 2);
        assert!(paste[spans[1].clone()].starts_with("This is the mail system"));
        assert!(paste[spans[0].clone()].starts_with("Hallo"));
    }

    #[test]
    fn a_notice_of_other_software_after_one_is_a_second_notice() {
        let exchange = "Delivery has failed to these recipients or groups:\n\nanna@example.org\nThe email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\nRemote Server returned '550 5.1.1 User unknown'\n";
        let paste = format!("{exchange}\nand the second one:\n\n{POSTFIX}");
        let spans = split(paste.as_bytes());
        assert_eq!(spans.len(), 2);
        assert!(paste[spans[1].clone()].starts_with("This is the mail system"));
        // Its two openers are one notice.
        assert_eq!(split(exchange.as_bytes()).len(), 1);
    }

    #[test]
    fn a_forwarded_notice_starts_at_its_header_lines() {
        let paste = format!(
            "{POSTFIX}\n-------- Weitergeleitete Nachricht --------\nVon: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nBetreff: Undelivered Mail Returned to Sender\n\nThe mail system\n\n<bernd@example.com>: host mx.example.com said: 552 5.2.2 Mailbox full\n"
        );
        let spans = split(paste.as_bytes());
        assert_eq!(spans.len(), 2);
        assert!(paste[spans[1].clone()].starts_with("-------- Weitergeleitete"));
    }
}
