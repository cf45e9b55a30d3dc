//! Message-trace exports an admin pastes instead of a bounce: Microsoft 365's
//! `Get-MessageTrace | Export-Csv` (columns `RecipientAddress`, `Status`, …). Each row
//! becomes a message with one recipient; the export names no server reply, so no cause
//! is invented.

use crate::engine::{RawRecipient, finish_recipient};
use crate::logs::empty_message;
use crate::report::{Action, Kind, Message, Reason};

/// Rows read from one export, at most.
const MAX_ROWS: usize = 100_000;
/// The header row must come within this many lines (a shell prompt may stand above it).
const HEADER_WITHIN: usize = 20;

/// Reads a message-trace CSV export, or `None` when the input holds none.
pub fn read(s: &str) -> Option<Vec<Message>> {
    let mut offset = 0;
    let mut columns: Option<(usize, usize, Option<usize>)> = None;
    let mut messages = Vec::new();
    for (n, raw) in s.split_inclusive('\n').take(MAX_ROWS).enumerate() {
        let span = offset..offset + raw.len();
        offset += raw.len();
        if columns.is_none() && (n >= HEADER_WITHIN || !raw.contains("RecipientAddress")) {
            if n >= HEADER_WITHIN {
                return None;
            }
            continue;
        }
        let fields = csv_fields(raw.trim_end());
        let Some((recipient, status, subject)) = columns else {
            let at = |name: &str| fields.iter().position(|f| f.eq_ignore_ascii_case(name));
            if let (Some(r), Some(st)) = (at("RecipientAddress"), at("Status")) {
                columns = Some((r, st, at("Subject")));
            }
            continue;
        };
        let (Some(address), Some(state)) = (fields.get(recipient), fields.get(status)) else {
            continue;
        };
        let action = match state.to_ascii_lowercase().as_str() {
            "delivered" | "expanded" => Action::Delivered,
            "pending" | "gettingstatus" | "deferred" => Action::Delayed,
            "failed" | "filteredasspam" | "quarantined" => Action::Failed,
            _ => continue,
        };
        let mut r = finish_recipient(RawRecipient {
            address: address.clone(),
            action: Some(action),
            diagnostic: format!("Message trace status: {state}"),
            ..RawRecipient::default()
        });
        r.reason = match action {
            Action::Delivered => Reason::Delivered,
            _ if state.eq_ignore_ascii_case("filteredasspam") => Reason::SpamDetected,
            _ => Reason::Undefined,
        };
        let mut m = empty_message("message-trace", span);
        m.kind = match action {
            Action::Delivered => Kind::DeliveryReport,
            Action::Delayed => Kind::DelayNotice,
            _ => Kind::Bounce,
        };
        m.notice.subject = subject.and_then(|i| fields.get(i)).cloned();
        m.recipients.push(r);
        messages.push(m);
    }
    (!messages.is_empty()).then_some(messages)
}

/// The fields of one CSV line: comma-separated, optionally in double quotes with `""`
/// for a quote inside.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_trace_export_gives_one_message_per_row() {
        let csv = "PS C:\\> Get-Content .\\trace.csv\n\"MessageId\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\"\n\"<1@x>\",\"a@example.com\",\"b@example.net\",\"Offer, \"\"final\"\"\",\"Delivered\"\n\"<2@x>\",\"a@example.com\",\"c@example.org\",\"Invoice\",\"Failed\"\n\"<3@x>\",\"a@example.com\",\"d@example.de\",\"Order\",\"Pending\"\n";
        let m = read(csv).unwrap();
        let got: Vec<(&str, Kind)> = m
            .iter()
            .map(|m| (m.recipients[0].address.as_str(), m.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("b@example.net", Kind::DeliveryReport),
                ("c@example.org", Kind::Bounce),
                ("d@example.de", Kind::DelayNotice)
            ]
        );
        assert_eq!(m[0].notice.subject.as_deref(), Some("Offer, \"final\""));
        assert_eq!(m[1].recipients[0].reason, Reason::Undefined);
    }
}
