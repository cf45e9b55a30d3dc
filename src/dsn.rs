//! Reads RFC 3464 `message/delivery-status` (and RFC 6533 global) bodies into fields.
//! Tolerates what real servers send: missing blank lines between recipients, folded
//! values, odd case, and fields in the wrong block.

use crate::text;

/// The per-message fields of a delivery-status body.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DsnMessage {
    pub reporting_mta: Option<String>,
    pub arrival_date: Option<String>,
    pub received_from_mta: Option<String>,
    pub recipients: Vec<DsnRecipient>,
}

/// The per-recipient fields.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DsnRecipient {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub remote_mta: Option<String>,
    pub diagnostic: Option<String>,
    pub last_attempt_date: Option<String>,
    pub will_retry_until: Option<String>,
}

impl DsnRecipient {
    fn is_empty(&self) -> bool {
        *self == DsnRecipient::default()
    }
}

/// Splits `name: value` fields with folded continuation lines. Blank lines come back as
/// `None` so that callers can see block boundaries.
fn fields(body: &str) -> Vec<Option<(String, String)>> {
    let mut out: Vec<Option<(String, String)>> = Vec::new();
    for line in text::lines(body) {
        if line.trim().is_empty() {
            out.push(None);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(Some((_, value))) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        let is_name =
            |n: &str| !n.is_empty() && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
        match line.split_once(':') {
            Some((name, value)) if is_name(name) => {
                out.push(Some((name.to_ascii_lowercase(), value.trim().to_string())));
            }
            _ => {
                // A line that is no field continues a diagnostic, or a value that a
                // re-wrapping mail program cut off ("Final-Recipient: rfc822;" and the
                // address on the next line).
                if let Some(Some((name, value))) = out.last_mut()
                    && (name == "diagnostic-code" || value.is_empty() || value.ends_with(';'))
                {
                    if !value.is_empty() && !value.ends_with(';') {
                        value.push(' ');
                    }
                    value.push_str(line.trim());
                }
            }
        }
    }
    out
}

/// Strips the type prefix of a typed value: `rfc822; a@b` gives `a@b`.
pub fn untyped(value: &str) -> String {
    let v = match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && !kind.contains('@') && kind.len() < 20 => rest,
        _ => value,
    };
    unescape_utf8_address(v.trim().trim_matches(['<', '>', '"']).trim())
}

/// Decodes the `\x{HHHH}` escapes of RFC 6533 `utf-8` address types
/// (`j\x{00F6}rg@example.org` → `jörg@example.org`).
fn unescape_utf8_address(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("\\x{") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 3..];
        // A code point has at most six hex digits.
        let window = &after[..after.floor_char_boundary(8)];
        let decoded = window.find('}').and_then(|close| {
            let c = u32::from_str_radix(&after[..close], 16)
                .ok()
                .and_then(char::from_u32)?;
            Some((c, &after[close + 1..]))
        });
        match decoded {
            Some((c, tail)) => {
                out.push(c);
                rest = tail;
            }
            None => {
                out.push_str("\\x{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads an RFC 8098 read receipt (`message/disposition-notification`): its final
/// recipient received the message, and the disposition says what they did with it
/// ("displayed", "deleted").
pub fn read_receipt(body: &str) -> Option<DsnMessage> {
    let fields: Vec<(String, String)> = fields(body).into_iter().flatten().collect();
    let value = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let recipient = DsnRecipient {
        final_recipient: Some(untyped(value("final-recipient")?)),
        action: Some("delivered".into()),
        diagnostic: value("disposition").map(|d| format!("Disposition: {}", text::squash(d))),
        ..DsnRecipient::default()
    };
    Some(DsnMessage {
        recipients: vec![recipient],
        ..DsnMessage::default()
    })
}

/// Parses a delivery-status body. Returns `None` when it holds no recipient fields.
pub fn parse(body: &str) -> Option<DsnMessage> {
    let mut msg = DsnMessage::default();
    let mut cur = DsnRecipient::default();
    for field in fields(body) {
        let Some((name, value)) = field else {
            if !cur.is_empty() {
                msg.recipients.push(std::mem::take(&mut cur));
            }
            continue;
        };
        let starts_new = match name.as_str() {
            "final-recipient" => cur.final_recipient.is_some(),
            "original-recipient" => {
                cur.original_recipient.is_some()
                    || (cur.final_recipient.is_some() && cur.status.is_some())
            }
            _ => false,
        };
        if starts_new {
            msg.recipients.push(std::mem::take(&mut cur));
        }
        let v = Some(text::squash(&value));
        match name.as_str() {
            "reporting-mta" => msg.reporting_mta = Some(untyped(&value)),
            "arrival-date" => msg.arrival_date = v,
            "received-from-mta" => msg.received_from_mta = Some(untyped(&value)),
            "final-recipient" | "x-actual-recipient" if cur.final_recipient.is_none() => {
                cur.final_recipient = Some(untyped(&value))
            }
            "original-recipient" => cur.original_recipient = Some(untyped(&value)),
            "action" => cur.action = v,
            "status" => cur.status = v,
            "remote-mta" => cur.remote_mta = Some(untyped(&value)),
            "diagnostic-code" => cur.diagnostic = Some(untyped_diagnostic(&value)),
            "last-attempt-date" => cur.last_attempt_date = v,
            "will-retry-until" => cur.will_retry_until = v,
            _ => {}
        }
    }
    if !cur.is_empty() {
        msg.recipients.push(cur);
    }
    msg.recipients.retain(|r| {
        r.final_recipient.is_some() || r.original_recipient.is_some() || r.status.is_some()
    });
    (!msg.recipients.is_empty()).then_some(msg)
}

/// `smtp; 550 5.1.1 ...` gives `550 5.1.1 ...`, squashed. Keeps the text when there is
/// no type.
pub fn untyped_diagnostic(value: &str) -> String {
    match value.split_once(';') {
        Some((kind, rest)) if kind.trim().len() < 16 && !kind.trim().contains(' ') => {
            text::squash(rest)
        }
        _ => text::squash(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_address_escapes_are_decoded() {
        assert_eq!(
            untyped("utf-8; j\\x{00F6}rg@m\\x{00FC}ller.example"),
            "jörg@müller.example"
        );
        assert_eq!(
            untyped("utf-8; a\\x{zz}b@example.org"),
            "a\\x{zz}b@example.org"
        );
    }

    #[test]
    fn values_cut_by_rewrapping_are_joined() {
        let body = "Final-Recipient: rfc822;\nlena@example.org\nOriginal-Recipient:\nrfc822;lena@example.org\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2\n<lena@example.org>: Quota exceeded\n";
        let r = &parse(body).unwrap().recipients[0];
        assert_eq!(r.final_recipient.as_deref(), Some("lena@example.org"));
        assert_eq!(r.original_recipient.as_deref(), Some("lena@example.org"));
        assert_eq!(
            r.diagnostic.as_deref(),
            Some("552 5.2.2 <lena@example.org>: Quota exceeded")
        );
    }

    #[test]
    fn reads_two_recipients_and_message_fields() {
        let body = "Reporting-MTA: dns; mx.example.jp\nArrival-Date: Thu, 29 Apr 2013 23:45:41 +0900\n\n\
            Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n\
            Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>... User\n    unknown\n\n\
            Final-Recipient: RFC822; <b@example.org>\nAction: delayed\nStatus: 4.2.2\n";
        let dsn = parse(body).unwrap();
        assert_eq!(dsn.reporting_mta.as_deref(), Some("mx.example.jp"));
        assert_eq!(dsn.recipients.len(), 2);
        assert_eq!(
            dsn.recipients[0].diagnostic.as_deref(),
            Some("550 5.1.1 <a@example.org>... User unknown")
        );
        assert_eq!(
            dsn.recipients[1].final_recipient.as_deref(),
            Some("b@example.org")
        );
    }

    #[test]
    fn splits_recipients_without_blank_lines() {
        let body = "Final-Recipient: rfc822; a@x.org\nStatus: 5.0.0\nFinal-Recipient: rfc822; b@x.org\nStatus: 5.1.1\n";
        let dsn = parse(body).unwrap();
        assert_eq!(dsn.recipients.len(), 2);
        assert_eq!(dsn.recipients[1].status.as_deref(), Some("5.1.1"));
    }

    #[test]
    fn original_recipient_after_final_recipient_is_the_same_recipient() {
        let body = "Final-Recipient: rfc822; a@x.org\nOriginal-Recipient: rfc822;a@x.org\nAction: failed\nStatus: 5.2.2\n";
        let dsn = parse(body).unwrap();
        assert_eq!(dsn.recipients.len(), 1);
        assert_eq!(dsn.recipients[0].action.as_deref(), Some("failed"));
    }

    #[test]
    fn action_before_the_recipient_fields_stays_with_them() {
        let body = "Action: failed\nFinal-Recipient: rfc822; a@x.org\nOriginal-Recipient: rfc822; a@x.org\nStatus: 5.2.2\n";
        assert_eq!(parse(body).unwrap().recipients.len(), 1);
    }

    #[test]
    fn no_recipient_fields_means_none() {
        assert!(parse("Reporting-MTA: dns; x\n\nhello world\n").is_none());
        assert!(parse("").is_none());
    }
}
