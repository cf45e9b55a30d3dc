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
    let own = n.own_range();
    let lower = &n.lower[own.clone()];
    // Every PEC notice names the addressee: a quick test for all other mail.
    if !signs("pec.addressed").any(|w| lower.contains(w)) {
        return None;
    }
    // The lines that open a notice, and the notice each opens; a failure before a receipt
    // pasted with it.
    let opening = sign_groups("pec.kinds")
        .into_iter()
        .filter_map(|(kind, words)| {
            let at = words.iter().find_map(|w| {
                text::occurrences(lower, w).find(|&at| {
                    let line = lower[..at].rsplit('\n').next().unwrap_or_default();
                    line.trim_start_matches([' ', '\t', '>']).is_empty()
                })
            })?;
            Some((at, kind, action_of(kind)?))
        })
        .min_by_key(|&(at, _, action)| (severity(action), at));
    // Pasted or forwarded without its header, the words that open a line tell; but not
    // in an automatic reply, nor with a link (a PEC notice has none; a fake one leads
    // to a log-in page).
    let auto_reply = n
        .header("auto-submitted")
        .is_some_and(|v| text::contains_ci(v, "auto-replied"));
    let kind = match n.header("x-ricevuta") {
        Some(kind) => kind.trim().to_ascii_lowercase(),
        None if !auto_reply && n.links.is_empty() && !lower.contains("http") => {
            opening?.1.to_string()
        }
        None => return None,
    };
    let action = action_of(&kind)?;
    // The sentence from the notice's opening words to the message's identifier.
    let start = opening.map_or(0, |(at, _, _)| at);
    let end = signs("pec.ends")
        .filter_map(|w| lower[start..].find(w))
        .min()
        .map_or(lower.len(), |at| start + at);
    let end = lower.floor_char_boundary(end.min(start + MAX_DIAGNOSTIC));
    let sentence = text::squash(&n.text[own.start + start..own.start + end]);
    let addressed =
        signs("pec.addressed").find_map(|w| text::find_ci(&sentence, w).map(|at| at + w.len()))?;
    let recipient = text::find_addresses(&sentence[addressed..])
        .into_iter()
        .next()?;
    // A notice that gave up after the longest wait says so, with no server's code.
    let timed_out =
        action == "failed" && signs("pec.timeouts").any(|w| text::contains_ci(&sentence, w));
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

/// The delivery-status action a PEC notice's kind (`X-Ricevuta`) stands for.
fn action_of(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "accettazione" | "presa-in-carico" => "relayed",
        "avvenuta-consegna" => "delivered",
        "preavviso-errore-consegna" => "delayed",
        "errore-consegna" | "non-accettazione" | "rilevazione-virus" => "failed",
        _ => return None,
    })
}

/// Failures first, then warnings, then receipts.
fn severity(action: &str) -> u8 {
    match action {
        "failed" => 0,
        "delayed" => 1,
        _ => 2,
    }
}
