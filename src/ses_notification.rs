//! Amazon SES notifications: JSON bodies (bare, or wrapped in an SNS envelope) that report
//! a bounce, a complaint or a delivery. They are read into the same delivery-status fields
//! as an RFC 3464 report, and a complaint into ARF-style fields.

use crate::dsn::{DsnMessage, DsnRecipient};
use serde_json::Value;

/// What a notification says.
pub enum SesReading {
    Status(DsnMessage),
    /// ARF-style `Feedback-Type:` and `Original-Rcpt-To:` lines.
    Complaint(String),
}

/// Reads the notifications in `text`: one, or several pasted one after another.
pub fn read(text: &str) -> Vec<SesReading> {
    if !text.contains("notificationType") && !text.contains("\"eventType\"") {
        return Vec::new();
    }
    // (A list of notifications is read one by one.)
    parse_json(text)
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items,
            v => vec![v],
        })
        .filter_map(reading)
        .collect()
}

/// What one notification (bare, or the `Message` of an SNS envelope) says.
fn reading(json: Value) -> Option<SesReading> {
    let json = match json.get("Message").and_then(Value::as_str) {
        Some(inner) => parse_json(inner).into_iter().next()?,
        None => json,
    };
    // (Notifications name their type `notificationType`, published events `eventType`.)
    let kind = json
        .get("notificationType")
        .or_else(|| json.get("eventType"));
    match kind?.as_str()? {
        "Bounce" => {
            let bounce = json.get("bounce")?;
            let recipients = reported(bounce, "bouncedRecipients", "failed")?;
            Some(status_report(bounce, recipients))
        }
        "DeliveryDelay" => {
            let delay = json.get("deliveryDelay")?;
            let recipients = reported(delay, "delayedRecipients", "delayed")?;
            Some(status_report(delay, recipients))
        }
        "Delivery" => {
            let delivery = json.get("delivery")?;
            let response = str_of(delivery, "smtpResponse");
            let recipients = delivery
                .get("recipients")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(|address| DsnRecipient {
                    final_recipient: Some(address.to_string()),
                    action: Some("delivered".into()),
                    diagnostic: response.clone(),
                    ..DsnRecipient::default()
                })
                .collect();
            Some(status_report(delivery, recipients))
        }
        "Complaint" => {
            let complaint = json.get("complaint")?;
            let kind = str_of(complaint, "complaintFeedbackType").unwrap_or("abuse".into());
            let recipients = complaint.get("complainedRecipients")?.as_array()?;
            let addresses = recipients.iter().filter_map(|r| r["emailAddress"].as_str());
            Some(complaint_fields(&kind, addresses))
        }
        _ => None,
    }
}

/// The recipients a bounce or delay object lists under `key`, with `action` unless
/// they name their own.
fn reported(part: &Value, key: &str, action: &str) -> Option<Vec<DsnRecipient>> {
    let list = part.get(key)?.as_array()?;
    Some(
        list.iter()
            .map(|r| DsnRecipient {
                final_recipient: str_of(r, "emailAddress"),
                action: str_of(r, "action").or_else(|| Some(action.into())),
                status: str_of(r, "status"),
                diagnostic: str_of(r, "diagnosticCode").map(|d| crate::dsn::untyped_diagnostic(&d)),
                ..DsnRecipient::default()
            })
            .collect(),
    )
}

/// A complaint of `kind` by `addresses`, as ARF-style fields.
pub fn complaint_fields<'a>(kind: &str, addresses: impl Iterator<Item = &'a str>) -> SesReading {
    let mut fields = format!("Feedback-Type: {kind}\n");
    for address in addresses {
        fields.push_str(&format!("Original-Rcpt-To: {address}\n"));
    }
    SesReading::Complaint(fields)
}

/// A string field of a JSON object.
fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Delivery-status fields for the recipients of a bounce or delivery object.
fn status_report(part: &Value, recipients: Vec<DsnRecipient>) -> SesReading {
    SesReading::Status(DsnMessage {
        reporting_mta: str_of(part, "reportingMTA"),
        recipients,
        ..DsnMessage::default()
    })
}

/// The JSON values (objects or arrays) that open lines of `text` (one per line, as a
/// log of events has them), or the one at its first `{`, with text between them left
/// alone; also when a mail client folded their long lines.
pub fn parse_json(text: &str) -> Vec<Value> {
    const MAX_VALUES: usize = 1000;
    const MAX_FAILED_TRIES: usize = 16;
    let b = text.as_bytes();
    let line_starts = memchr::memchr2_iter(b'{', b'[', b).filter(|&at| {
        b[..at]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|&c| c == b' ' || c == b'\t')
    });
    // (Also a value after a label on its line: `Mandrill response: [{…}, {…}]`.)
    let first = [text.find('['), text.find('{')];
    // A value and the length of text it took.
    let value_at = |s: &str| {
        let len = json_extent(s)?;
        Some((serde_json::from_str::<Value>(&s[..len]).ok()?, len))
    };
    let (mut out, mut failed, mut done_until) = (Vec::new(), 0, 0);
    for at in line_starts.chain(first.into_iter().flatten()) {
        if at < done_until {
            continue;
        }
        let rest = &text[at..];
        let parsed = value_at(rest).or_else(|| {
            // A mail client folded its lines inside strings: unfolded, up to its bracket.
            let len = json_extent(rest)?;
            let unfolded = rest[..len]
                .replace("\r\n", "\n")
                .replace("\n ", "")
                .replace('\n', "");
            Some((serde_json::from_str::<Value>(&unfolded).ok()?, len))
        });
        match parsed {
            Some((v, len)) if v.is_object() || v.is_array() => {
                out.push(v);
                done_until = at + len;
            }
            _ => failed += 1,
        }
        if out.len() >= MAX_VALUES || failed >= MAX_FAILED_TRIES {
            break;
        }
    }
    out
}

/// The length of the JSON object or array `s` starts with: up to its closing bracket,
/// brackets inside strings left aside.
fn json_extent(s: &str) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &c) in s.as_bytes().iter().enumerate() {
        match c {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            _ if in_string => {}
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bounce_inside_sns_envelope_with_folded_lines() {
        let text = "{\n \"Type\" : \"Notification\",\n \"Message\" : \"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":{\\\"bouncedRecipients\\\":[{\\\"emailAddress\\\":\\\"a@example.org\\\",\\\"status\\\":\\\"5.1.1\\\",\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 user un\n known\\\"}]}}\"\n}";
        let Some(SesReading::Status(d)) = read(text).pop() else {
            panic!("no reading")
        };
        assert_eq!(
            d.recipients[0].final_recipient.as_deref(),
            Some("a@example.org")
        );
        assert_eq!(d.recipients[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(d.recipients[0].action.as_deref(), Some("failed"));
    }

    #[test]
    fn json_values_end_at_their_own_closing_bracket() {
        let text =
            "log:\n{\"a\": \"} ] \\\" {\", \"b\": [1, {\"c\": 2}]} trailing words\n[3]\n{broken\n";
        let values = parse_json(text);
        assert_eq!(values.len(), 2, "{values:?}");
        assert_eq!(values[0]["a"], "} ] \" {");
        assert_eq!(values[1][0], 3);
        assert_eq!(json_extent("{\"x\": 1"), None);
    }

    #[test]
    fn reads_complaint_and_rejects_other_json() {
        let text = r#"{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"b@example.org"}]}}"#;
        let Some(SesReading::Complaint(f)) = read(text).pop() else {
            panic!("no reading")
        };
        assert!(f.contains("Original-Rcpt-To: b@example.org"));
        assert!(read(r#"{"notificationType": 3}"#).is_empty());
        assert!(read("notificationType {").is_empty());
    }

    #[test]
    fn reads_notifications_pasted_one_after_another() {
        let one = |address: &str, diagnostic: &str| {
            format!(
                r#"{{"notificationType":"Bounce","bounce":{{"bounceType":"Permanent","bouncedRecipients":[{{"emailAddress":"{address}","status":"5.1.1","diagnosticCode":"{diagnostic}"}}]}}}}"#
            )
        };
        let text = format!(
            "{}\n\n{}\n",
            one("a@example.org", "smtp; 550 5.1.1 user unknown"),
            one(
                "b@example.org",
                "Amazon SES did not send the message to this address because it is on the suppression list for your account."
            )
        );
        let addresses: Vec<String> = read(&text)
            .into_iter()
            .filter_map(|r| match r {
                SesReading::Status(d) => d.recipients[0].final_recipient.clone(),
                SesReading::Complaint(_) => None,
            })
            .collect();
        assert_eq!(addresses, ["a@example.org", "b@example.org"]);
    }
}
