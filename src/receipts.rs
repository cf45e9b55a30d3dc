//! Delivery receipts written as text ("Zugestellt: …", "Your message has been delivered to
//! the following recipients"): the addresses they confirm.

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
