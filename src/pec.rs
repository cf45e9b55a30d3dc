//! Italian certified mail (PEC, posta elettronica certificata): the providers' receipts
//! and notices, which the `X-Ricevuta` header names (or, pasted without headers, the
//! words that open them), read as delivery-status reports.

use crate::dsn::{DsnMessage, DsnRecipient};
use crate::knowledge::{sign_groups, signs};
use crate::notice::Notice;
use crate::text;

/// How much of a notice's sentence is kept as the diagnostic.
const MAX_DIAGNOSTIC: usize = 600;

/// The report a PEC receipt or notice gives, if the notice is one.
pub fn read(n: &Notice) -> Option<DsnMessage> {
    let lower = n.own_words();
    // The notice's opening words, the earliest (the warning after 12 hours opens with
    // "preavviso", which holds the final notice's words).
    let opening = sign_groups("pec.kinds")
        .into_iter()
        .filter_map(|(kind, words)| Some((words.iter().filter_map(|w| lower.find(w)).min()?, kind)))
        .min();
    let kind = match n.header("x-ricevuta") {
        Some(kind) => kind.trim().to_ascii_lowercase(),
        None => opening?.1.to_string(),
    };
    let action = match kind.as_str() {
        "accettazione" | "presa-in-carico" => "relayed",
        "avvenuta-consegna" => "delivered",
        "preavviso-errore-consegna" => "delayed",
        "errore-consegna" | "non-accettazione" | "rilevazione-virus" => "failed",
        _ => return None,
    };
    // The sentence from the notice's opening words to the message's identifier.
    let start = opening.map_or(0, |(at, _)| at);
    let end = signs("pec.ends")
        .filter_map(|w| lower[start..].find(w))
        .min()
        .map_or(lower.len(), |at| start + at);
    let sentence =
        text::squash(&lower[start..lower.floor_char_boundary(end.min(start + MAX_DIAGNOSTIC))]);
    let addressed = signs("pec.addressed").find_map(|w| sentence.find(w).map(|at| at + w.len()))?;
    let recipient = text::find_addresses(&sentence[addressed..])
        .into_iter()
        .next()?;
    // A notice that gave up after the longest wait says so, with no server's code.
    let timed_out = action == "failed" && signs("pec.timeouts").any(|w| sentence.contains(w));
    Some(DsnMessage {
        recipients: vec![DsnRecipient {
            final_recipient: Some(recipient.value),
            action: Some(action.into()),
            status: timed_out.then(|| "4.4.7".into()),
            diagnostic: Some(sentence),
            ..DsnRecipient::default()
        }],
        ..DsnMessage::default()
    })
}
