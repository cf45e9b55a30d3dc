//! Events of sending platforms (SendGrid, Mailgun, Postmark, Mandrill, Brevo, SparkPost)
//! that admins paste from webhooks, logs or API answers: JSON objects naming an address
//! and what happened to it. Each becomes a delivery-status recipient, and a complaint an
//! ARF-style field, as Amazon SES's notifications do.

use crate::dsn::{DsnMessage, DsnRecipient};
use crate::knowledge::signs;
use crate::ses_notification::{SesReading, complaint_fields, parse_json};
use crate::text;
use serde_json::{Map, Value};

/// At most this many objects are looked at, and this deep.
const MAX_OBJECTS: usize = 2000;
const MAX_DEPTH: usize = 8;

/// What happened to an address, by the event's name.
#[derive(Clone, Copy, PartialEq)]
enum Happened {
    Failed,
    Delayed,
    Delivered,
    Complained,
}

/// Reads the platform events in `text` (also quoted, or with quoted-printable debris).
pub fn read(text: &str) -> Vec<SesReading> {
    let keys = signs("platform_events.address_keys")
        .any(|k| memchr::memmem::find(text.as_bytes(), format!("\"{k}\"").as_bytes()).is_some());
    if !keys {
        return Vec::new();
    }
    let text = text::strip_qp_debris(text);
    let text = text::strip_quoting(&text);
    let mut events = Vec::new();
    let mut seen = 0;
    for json in parse_json(&text) {
        walk(&json, 0, &mut seen, &mut events);
    }
    // An address's latest event tells where it stands (deferred, then delivered): by
    // the events' times where they have them (Mailgun lists the newest first), else by
    // their order. (Events are few: each is compared with the others.)
    let same = |a: &DsnRecipient, b: &DsnRecipient| {
        let (a, b) = (a.final_recipient.as_deref(), b.final_recipient.as_deref());
        a.zip(b).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let latest: Vec<bool> = (events.iter().enumerate())
        .map(|(i, (_, r, t))| {
            !(events.iter().enumerate())
                .any(|(j, (_, o, u))| j != i && same(r, o) && (u > t || u == t && j > i))
        })
        .collect();
    let events = (events.into_iter().zip(latest))
        .filter(|(_, last)| *last)
        .map(|((happened, r, _), _)| (happened, r));
    let (complaints, statuses): (Vec<_>, Vec<_>) = events
        .into_iter()
        .partition(|(happened, _)| *happened == Happened::Complained);
    let mut out = Vec::new();
    if !statuses.is_empty() {
        out.push(SesReading::Status(DsnMessage {
            recipients: statuses.into_iter().map(|(_, r)| r).collect(),
            ..DsnMessage::default()
        }));
    }
    if !complaints.is_empty() {
        let addresses = complaints
            .iter()
            .filter_map(|(_, r)| r.final_recipient.as_deref());
        out.push(complaint_fields("abuse", addresses));
    }
    out
}

/// Collects the events among `v` and the values inside it.
fn walk(v: &Value, depth: usize, seen: &mut usize, out: &mut Vec<Event>) {
    if depth > MAX_DEPTH || *seen >= MAX_OBJECTS {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk(i, depth + 1, seen, out)),
        Value::Object(o) => {
            *seen += 1;
            if let Some(event) = event(o) {
                out.push(event);
                return;
            }
            o.values().for_each(|i| walk(i, depth + 1, seen, out));
        }
        _ => {}
    }
}

/// What happened, to whom with the platform's words, and when (seconds, or 0).
type Event = (Happened, DsnRecipient, f64);

/// The event one object tells: its address, what happened and the platform's words.
fn event(o: &Map<String, Value>) -> Option<Event> {
    // The event's name; the everyday keys `type` and `status` only beside fields of a
    // platform's event (SparkPost's `rcpt_to`, Mandrill's `reject_reason`).
    let has = |key: &str| o.contains_key(key);
    let name = ["event", "RecordType"]
        .iter()
        .find_map(|k| str_at(o, k))
        .or_else(|| str_at(o, "type").filter(|_| has("rcpt_to") || has("bounce_class")))
        .or_else(|| str_at(o, "status").filter(|_| has("reject_reason")))
        .map(str::to_ascii_lowercase)?;
    let mut happened = happened(&name)?;
    // Postmark files auto-replies (the message was delivered) and subscription changes
    // under its bounces.
    let postmark_type = str_at(o, "Type").map(str::to_ascii_lowercase);
    let postmark = |list: &str| {
        postmark_type
            .as_deref()
            .is_some_and(|t| signs(list).any(|w| w == t))
    };
    if postmark("platform_events.postmark_no_failure") {
        return None;
    }
    if postmark("platform_events.postmark_auto_replies") {
        happened = Happened::Delivered;
    }
    // (Mandrill keeps the message's fields, its address among them, in `msg`.)
    let inner = ["msg", "message"]
        .iter()
        .filter_map(|k| o.get(*k).and_then(Value::as_object));
    let objects: Vec<&Map<String, Value>> = std::iter::once(o).chain(inner).collect();
    let address = objects.iter().find_map(|m| {
        signs("platform_events.address_keys")
            .filter_map(|k| m.get(k).and_then(Value::as_str))
            .find_map(text::first_address)
    })?;
    // Mailgun's temporary failures and Postmark's transient bounces are still tried.
    let severity = str_at(o, "severity").map(str::to_ascii_lowercase);
    if happened == Happened::Failed
        && (severity.as_deref() == Some("temporary")
            || postmark_type.is_some_and(|t| t == "transient" || t == "softbounce"))
    {
        happened = Happened::Delayed;
    }
    let status = ["status", "enhanced-code"]
        .iter()
        .filter_map(|k| str_at(o, k))
        .find(|s| text::is_status_code(s))
        .map(str::to_string);
    let action = match happened {
        Happened::Delivered => "delivered",
        Happened::Delayed => "delayed",
        _ => "failed",
    };
    let time = ["timestamp", "ts"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_f64))
        .unwrap_or(0.0);
    Some((
        happened,
        DsnRecipient {
            final_recipient: Some(address),
            action: Some(action.into()),
            status,
            diagnostic: Some(words(&objects)).filter(|d| !d.is_empty()),
            ..DsnRecipient::default()
        },
        time,
    ))
}

/// What an event's name says happened, if it is one of delivery (not an open or click).
fn happened(name: &str) -> Option<Happened> {
    let is = |list: &str| signs(list).any(|w| w == name);
    if is("platform_events.complaints") {
        Some(Happened::Complained)
    } else if is("platform_events.delays") {
        Some(Happened::Delayed)
    } else if is("platform_events.deliveries") {
        Some(Happened::Delivered)
    } else if is("platform_events.failures") {
        Some(Happened::Failed)
    } else {
        None
    }
}

/// The platform's words about the event: the server's reply it passes on, its own
/// description, and its short reason codes of up to three words, named by their field
/// (`reject_reason: hard-bounce`, `reason: Bounced Address`; Mandrill's `reject.reason`
/// as `reject_reason`).
fn words(objects: &[&Map<String, Value>]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for m in objects {
        let status = m.get("delivery-status").and_then(Value::as_object);
        let code = status
            .and_then(|s| s.get("code"))
            .and_then(Value::as_u64)
            .map(|c| c.to_string());
        for key in signs("platform_events.reason_keys") {
            let value = match key.split_once('.') {
                Some((outer, inner)) => m
                    .get(outer)
                    .and_then(Value::as_object)
                    .and_then(|o| o.get(inner)),
                None => m.get(key),
            };
            let Some(value) = value.and_then(Value::as_str).map(str::trim) else {
                continue;
            };
            if value.is_empty() || parts.iter().any(|p| p.contains(value)) {
                continue;
            }
            let value = text::squash(&crate::dsn::untyped_diagnostic(value));
            parts.push(match (key, &code) {
                // Mailgun gives the reply code apart from the reply's words.
                ("delivery-status.message", Some(c)) if !value.starts_with(c.as_str()) => {
                    format!("{c} {value}")
                }
                _ if value.split(' ').count() <= 3 => format!("{}: {value}", key.replace('.', "_")),
                _ => value,
            });
        }
    }
    parts.join("; ")
}

/// A string field of an object.
fn str_at<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}
