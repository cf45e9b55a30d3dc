//! Receipts written as text: delivery receipts ("Zugestellt: …", "Your message has been
//! delivered to the following recipients") and the addresses they confirm, and read
//! receipts ("Gelesen: …").

use crate::dsn::{DsnMessage, DsnRecipient};
use crate::knowledge::signs;
use crate::notice::Notice;
use crate::text;

/// Lines after the receipt's sentence that may still list recipients.
const MAX_LINES: usize = 12;

/// The addresses a text receipt says were delivered to; empty when the notice is no
/// such receipt (or also reports a failure).
pub fn delivered_to(n: &Notice) -> Vec<String> {
    if !n.dsn.is_empty() {
        return Vec::new();
    }
    let Some(at) = signs("kind.delivered_words")
        .find_map(|w| memchr::memmem::find(n.lower.as_bytes(), w.as_bytes()).map(|p| p + w.len()))
    else {
        return Vec::new();
    };
    if text::find_codes(&n.text)
        .0
        .is_some_and(|c| !c.value.starts_with('2'))
    {
        return Vec::new();
    }
    let mut found = Vec::new();
    // The rest of the sentence's own line, then the lines below it.
    for line in text::lines(&n.text[at..]).take(MAX_LINES) {
        let lower = line.trim().to_ascii_lowercase();
        if signs("kind.forward_subject").any(|l| lower.starts_with(l)) {
            break;
        }
        // "From:" or "To:" lines name the sender and the reader.
        if signs("paste.forward_labels").any(|l| lower.starts_with(l)) {
            continue;
        }
        for a in text::find_addresses(line) {
            if !found.contains(&a.value) {
                found.push(a.value);
            }
        }
    }
    found
}

/// How far after its opening words a text read receipt may say what the reader did.
const READ_RECEIPT_SPAN: usize = 1500;

/// How many bytes a read receipt's date may take between its words ("wurde am … gelesen").
const DATE_SPAN: usize = 200;

/// A read receipt written as text, as Exchange sends it and mail programs show it ("Your
/// message / To: … / Subject: … / Sent: … / was read on …", "… wurde am … gelesen."), also
/// flattened onto one line: read as an RFC 8098 receipt from the reader its "To:" line
/// names.
pub fn read_in_text(n: &Notice) -> Option<DsnMessage> {
    let lower = n.lower.as_str();
    let opener = signs("receipt.openers").find_map(|o| {
        lower
            .match_indices(o)
            .find(|&(at, _)| lower[..at].trim_end().is_empty() || lower[..at].ends_with('\n'))
            .map(|(at, _)| at + o.len())
    })?;
    let span = &lower[opener..lower.floor_char_boundary(opener + READ_RECEIPT_SPAN)];
    let label_after = |list: &str, from: usize| {
        signs(list)
            .filter_map(|l| {
                span[from..]
                    .find(l)
                    .map(|at| (from + at, from + at + l.len()))
            })
            .min()
    };
    let (_, reader_start) = label_after("receipt.reader_labels", 0)?;
    let (reader_end, next_end) = label_after("receipt.next_labels", reader_start)?;
    let tail = &span[next_end..];
    let disposition = if says(tail, "receipt.deleted") {
        "deleted"
    } else if says(tail, "receipt.displayed") {
        "displayed"
    } else {
        return None;
    };
    if text::find_codes(&n.text).0.is_some() {
        return None;
    }
    // The reader as the original text spells it (the span's offsets are the lower
    // text's, which is the same length).
    let named = n.text.get(opener + reader_start..opener + reader_end)?;
    let reader = reader_of(named, n.headers.from.as_deref());
    let recipient = DsnRecipient {
        final_recipient: Some(reader),
        action: Some("delivered".into()),
        diagnostic: Some(format!("Disposition: {disposition}")),
        ..DsnRecipient::default()
    };
    Some(DsnMessage {
        recipients: vec![recipient],
        ..DsnMessage::default()
    })
}

/// The reader a receipt's "To:" line names: the one named there, or of several (a
/// message to a group), the receipt's sender among them.
fn reader_of(named: &str, from: Option<&str>) -> String {
    let names: Vec<&str> = named
        .split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let sender = from.map(|f| {
        let address = text::first_address(f).unwrap_or_default();
        let name = f
            .split('<')
            .next()
            .unwrap_or_default()
            .trim()
            .trim_matches('"');
        (address, name.to_string())
    });
    let is_sender = |part: &&&str| {
        sender.as_ref().is_some_and(|(address, name)| {
            !address.is_empty() && text::contains_ci(part, address)
                || !name.is_empty() && text::contains_ci(part, name)
        })
    };
    let part = match names.as_slice() {
        [_, _, ..] => names.iter().find(is_sender).or(names.first()),
        _ => names.first(),
    }
    .copied()
    .unwrap_or(named);
    text::first_address(part).unwrap_or_else(|| text::squash(part))
}

/// True if `tail` holds words of the list, `*` standing for a date between them: the
/// last words end the sentence, and the date holds none of its own ("wurde am 3. März
/// erfasst. Sobald sie gelesen wurde …" is none; a time zone in brackets may hold any).
fn says(tail: &str, list: &str) -> bool {
    signs(list).any(|phrase| match phrase.split_once(" * ") {
        None => tail.contains(phrase),
        Some((head, end)) => tail.match_indices(head).any(|(at, _)| {
            let from = at + head.len();
            let window = &tail[from..tail.floor_char_boundary(from + DATE_SPAN + end.len())];
            window.find(end).is_some_and(|e| {
                let ends_sentence = window[e + end.len()..]
                    .trim_start_matches([' ', '\t'])
                    .starts_with(['.', '\n', '\r'])
                    || e + end.len() == window.len();
                let outside_brackets: String = window[..e]
                    .split('(')
                    .map(|part| part.rsplit(')').next().unwrap_or(part))
                    .collect();
                ends_sentence
                    && !signs("receipt.not_in_dates").any(|w| outside_brackets.contains(w))
            })
        }),
    })
}
