//! Splits pasted text that holds several delivery notices, one after the other, into
//! one span per notice. The caller decides which text is a paste: a whole message with
//! its own header block is one notice.

use crate::knowledge::{self, signs};
use std::ops::Range;

/// Notices shorter than this are not split off (a repeated line is no new notice).
const MIN_NOTICE: usize = 120;
/// Forward header lines above a notice that still belong to it.
const MAX_FORWARD_LINES: usize = 12;
/// Opening lines and forwarded notice headers looked at, at most.
const MAX_MARKS: usize = 1000;

/// The spans of the notices in `b`, a paste; a single notice gives one span.
pub fn split(b: &[u8]) -> Vec<Range<usize>> {
    let lower = b.to_ascii_lowercase();
    let lines = Lines::new(&lower);
    let openers = openers(&lower);
    let senders = forwarded_notice_headers(&lower, &lines);
    let mut starts: Vec<usize> = new_notice_openers(&lower, &openers)
        .into_iter()
        .map(|at| lines.start_of(at))
        .map(|at| start_of_forward_block(&lower, &lines, at, false))
        .chain(
            senders
                .iter()
                .map(|&at| start_of_forward_block(&lower, &lines, at, true)),
        )
        .collect();
    // A paste may begin with a bare server reply (`<a@example.org>: host … said: 550 …`)
    // before the first notice with an opening line.
    let reply_first = openers.first().and_then(|o| {
        let at = start_of_forward_block(&lower, &lines, lines.start_of(o.at), false);
        reports_a_failure(&lower[..at]).then_some(at)
    });
    starts.extend(reply_first);
    crate::order::sort(&mut starts);
    starts.dedup();
    // A start counts only when the text before it is a notice of its own: it has an
    // opening line, or a notice's "From:" line and an error code. The customer's words
    // above the first notice, or a forward's header lines alone, are none.
    let opener_at: Vec<usize> = openers.iter().map(|o| o.at).collect();
    let any_in = |marks: &[usize], from: usize, to: usize| {
        marks.partition_point(|&m| m < from) < marks.partition_point(|&m| m < to)
    };
    let mut cuts = vec![0];
    // Whether the current piece has shown a code, read up to `scanned` (each byte once).
    let (mut coded, mut scanned) = (false, 0);
    for at in starts {
        let prev = *cuts.last().unwrap_or(&0);
        if at < prev + MIN_NOTICE || b.len() < at + MIN_NOTICE {
            continue;
        }
        let notice = any_in(&opener_at, prev, at)
            || Some(at) == reply_first && prev == 0
            || any_in(&senders, prev, at) && {
                coded |= has_code(&lower[scanned.max(prev)..at]);
                scanned = at;
                coded
            };
        if notice {
            cuts.push(at);
            coded = false;
        }
    }
    cuts.iter()
        .enumerate()
        .map(|(k, &s)| s..cuts.get(k + 1).copied().unwrap_or(b.len()))
        .collect()
}

/// The line starts of a text, for finding the line of a position without rescanning.
struct Lines(Vec<usize>);

impl Lines {
    fn new(b: &[u8]) -> Lines {
        Lines(
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', b).map(|nl| nl + 1))
                .collect(),
        )
    }

    /// The start of the line that holds byte `at`.
    fn start_of(&self, at: usize) -> usize {
        self.0[self.0.partition_point(|&s| s <= at).saturating_sub(1)]
    }

    /// The text of the line that starts at `start`, without its newline.
    fn text<'a>(&self, b: &'a [u8], start: usize) -> &'a [u8] {
        let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |p| start + p);
        &b[start..end]
    }

    /// The start of the line before the one starting at `at`, if any.
    fn before(&self, at: usize) -> Option<usize> {
        let i = self.0.partition_point(|&s| s < at);
        i.checked_sub(1).map(|k| self.0[k])
    }
}

/// An opening line found in the text.
#[derive(Clone, Copy, PartialEq)]
struct Opener {
    at: usize,
    /// The software that writes it.
    family: usize,
    phrase: &'static str,
}

/// Opening lines in the text, in text order (at most [`MAX_MARKS`]).
fn openers(lower: &[u8]) -> Vec<Opener> {
    let mut found: Vec<Opener> = knowledge::sign_groups("paste.openers")
        .into_iter()
        .enumerate()
        .flat_map(|(family, (_, phrases))| {
            phrases.into_iter().flat_map(move |phrase| {
                memchr::memmem::find_iter(lower, phrase.as_bytes())
                    .take(MAX_MARKS)
                    .map(move |at| Opener { at, family, phrase })
            })
        })
        .collect();
    crate::order::by_rank(&mut found, |o| o.at);
    found.truncate(MAX_MARKS);
    found
}

/// Positions of the openers that begin a new notice: a line that comes again (software
/// writes it once per notice; not one written once per recipient, one after the other),
/// or a line of other software after a notice that already named an address or an error
/// code.
fn new_notice_openers(lower: &[u8], openers: &[Opener]) -> Vec<usize> {
    let mut current: Vec<Opener> = Vec::new();
    // Whether the current notice has shown a code or an address, read up to `scanned`
    // (each byte once).
    let (mut coded, mut scanned) = (false, 0);
    let mut starts = Vec::new();
    for &o in openers {
        if let Some(first) = current.first() {
            let from = scanned.max(first.at);
            coded |= from < o.at
                && (memchr::memchr(b'@', &lower[from..o.at]).is_some()
                    || has_code(&lower[from..o.at]));
            scanned = scanned.max(o.at);
        }
        // (A sentence said once per recipient, one after the other with no server reply
        // between, below the notice's own opening line is no new notice: Exchange's
        // older reports.)
        let per_recipient = current
            .last()
            .is_some_and(|l| l.phrase == o.phrase && !has_code(&lower[l.at..o.at]))
            && current.first().is_some_and(|f| f.phrase != o.phrase);
        let again = !per_recipient && current.iter().any(|c| c.phrase == o.phrase);
        let other = coded && current.iter().any(|c| c.family != o.family);
        if again || other {
            current.clear();
            coded = false;
            starts.push(o.at);
        }
        current.push(o);
    }
    starts
}

/// A server's reply about a recipient: a line that starts with `<address>:` and an error
/// code on it or on the next two lines.
fn reports_a_failure(lower: &[u8]) -> bool {
    let text = String::from_utf8_lossy(lower);
    let lines: Vec<&str> = crate::text::lines(&text).collect();
    lines.iter().enumerate().any(|(i, l)| {
        let l = l.trim_start_matches(['>', ' ', '\t']);
        l.starts_with('<')
            && l.split_once(">:").is_some_and(|(a, _)| a.contains('@'))
            && lines[i..lines.len().min(i + 3)].iter().any(|n| {
                crate::text::find_codes(n)
                    .0
                    .is_some_and(|c| c.value.starts_with(['4', '5']))
            })
    })
}

fn has_code(lower: &[u8]) -> bool {
    crate::text::find_codes(&String::from_utf8_lossy(lower))
        .0
        .is_some()
}

/// Line starts of "From: Mail Delivery System <…>" lines after the first line (at most
/// [`MAX_MARKS`]).
fn forwarded_notice_headers(lower: &[u8], lines: &Lines) -> Vec<usize> {
    lines
        .0
        .iter()
        .skip(1)
        .filter(|&&at| is_notice_from_line(lines.text(lower, at).trim_ascii_start()))
        .copied()
        .take(MAX_MARKS)
        .collect()
}

/// A forwarded notice's "From: Mail Delivery System <…>" line (trimmed, in ASCII lower
/// case): a "From:" label and a notice's sender.
pub fn is_notice_from_line(line: &[u8]) -> bool {
    signs("kind.forward_from").any(|l| line.starts_with(l.as_bytes()))
        && signs("paste.notice_senders").any(|s| memchr::memmem::find(line, s.as_bytes()).is_some())
}

/// A separator line a mail program puts above a forwarded message ("-------- Forwarded
/// Message --------", "-----Original Message-----", "_____"), trimmed.
pub fn is_forward_separator(line: &[u8]) -> bool {
    line.starts_with(b"---") || line.starts_with(b"___")
}

/// Moves a notice's start (a line start) up over the forward block a mail program wrote
/// above it: up to a separator line ("-------- Forwarded Message --------") over blank
/// lines and header labels, or, when `labels_are_ours` (the start is a forwarded "From:"
/// line), over the labels right above it ("Subject:", "Date:").
fn start_of_forward_block(lower: &[u8], lines: &Lines, at: usize, labels_are_ours: bool) -> usize {
    let is_label = |l: &[u8]| {
        l.starts_with(b">") || signs("paste.forward_labels").any(|f| l.starts_with(f.as_bytes()))
    };
    let mut start = at;
    let mut cur = at;
    for _ in 0..MAX_FORWARD_LINES {
        let Some(prev) = lines.before(cur) else {
            break;
        };
        let line = lines.text(lower, prev).trim_ascii();
        if is_forward_separator(line) {
            start = prev;
            break;
        }
        // A forward block's labels stand together; a blank line above them ends it.
        if line.is_empty() && labels_are_ours || !(line.is_empty() || is_label(line)) {
            break;
        }
        cur = prev;
        if labels_are_ours {
            start = prev;
        }
    }
    // Blank lines above the block stay with the notice before.
    while lower.get(start).is_some_and(|&c| c == b'\n' || c == b'\r') {
        start += 1;
    }
    start
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
    fn a_bare_server_reply_before_a_notice_is_a_notice_of_its_own() {
        let paste = format!(
            "Two problems today:\n\n<anna@example.org>: host mx.example.org[192.0.2.9] refused to talk to\n    me: 554 IP address is block listed\n\nand this one:\n\n{POSTFIX}"
        );
        let spans = split(paste.as_bytes());
        assert_eq!(spans.len(), 2);
        assert!(paste[spans[1].clone()].starts_with("This is the mail system"));
        // A customer's note that only names a code is no notice.
        let note = format!("I always get error 550 5.7.1 when I send, see below:\n\n{POSTFIX}");
        assert_eq!(split(note.as_bytes()).len(), 1);
    }

    #[test]
    fn a_notice_without_a_code_before_another_programs_notice_is_split_off() {
        let exchange = "Delivery has failed to these recipients or groups:\n\nanna@example.org\nThe email address you entered couldn't be found. Please check the address and try again.\n";
        let paste = format!("{exchange}\n{POSTFIX}");
        assert_eq!(split(paste.as_bytes()).len(), 2);
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
