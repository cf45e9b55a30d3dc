//! Turns a read message into what people act on: a one-sentence headline, who has to act,
//! the steps, whether the server retries, and how long it tried. Texts come from the
//! knowledge base in the chosen language.

use crate::knowledge::{Data, Lang};
use crate::report::{Action, Kind, Message, Reason, Recipient};
use crate::situations::Situation;
use serde::Serialize;

/// The explanation of one message.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    pub headline: String,
    pub explanation: String,
    /// Who has to act: `sender`, `sender_provider`, `recipient`, `recipient_provider`, `nobody`.
    pub who: &'static str,
    pub who_label: String,
    /// True when the sending server keeps retrying by itself.
    pub retry: bool,
    pub steps: Vec<String>,
    pub admin_steps: Vec<String>,
    /// The knowledge-base entry used, e.g. `reason.mailboxfull`.
    pub topic: String,
    /// False when only a generic text fits.
    pub specific: bool,
    /// "Delivery attempts over 2 days", when the dates say so.
    pub timeline: Option<String>,
    /// What the provider's own documentation says about its code, when one decided.
    pub provider: Option<ProviderNote>,
    /// When the reading is uncertain: the second most likely reading, in words.
    pub doubt: Option<String>,
    /// For "I never sent this": what the returned message's headers suggest.
    pub origin: Option<Origin>,
    /// A delay's cause, then a line for each recipient the headline does not speak for
    /// (in a bounce also those still being retried, delivered or relayed); failures
    /// first.
    pub others: Vec<String>,
}

/// The signs about who really sent the returned message, in words.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Origin {
    /// `account_misuse`, `script_misuse`, `forged_sender` or `unclear`.
    pub likely: &'static str,
    pub verdict: String,
    pub signs: Vec<String>,
    pub steps: Vec<String>,
}

/// A provider's own word on a code, with the page that documents it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProviderNote {
    pub provider: &'static str,
    pub text: &'static str,
    pub url: &'static str,
}

/// The recipient whose failure the headline is about: the first that failed.
pub fn main_recipient(msg: &Message) -> Option<&Recipient> {
    msg.recipients
        .iter()
        .find(|r| r.reason != Reason::Delivered && r.hard_bounce)
        .or_else(|| {
            msg.recipients
                .iter()
                .find(|r| r.reason != Reason::Delivered)
        })
        .or(msg.recipients.first())
}

/// Explains one message.
pub fn explain(msg: &Message, lang: Lang) -> Explanation {
    let situation = crate::situations::of(msg);
    let topic = topic_of(msg, situation);
    let entry = lang.texts().path(&topic).unwrap_or_else(|| {
        lang.texts()
            .path("reason.undefined")
            .expect("reason.undefined exists")
    });
    let list = |key: &str| {
        entry
            .get(key)
            .map(Data::strs)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let origin = origin(msg, lang);
    let forged = origin.as_ref().is_some_and(|o| o.likely == "forged_sender");
    let text = |path: &str| {
        lang.texts()
            .path(path)
            .and_then(Data::str)
            .unwrap_or_default()
    };
    let (mut headline, mut explanation) = (
        entry.field("headline").to_string(),
        entry.field("explanation").to_string(),
    );
    let mut steps: Vec<String> = list("steps");
    let mut who = entry.field("who");
    // A provider's code may name who acts more exactly than its reason does.
    if topic.starts_with("reason.")
        && let Some(w) = main_recipient(msg)
            .filter(|r| r.decided_by.source == "provider")
            .and_then(|r| crate::knowledge::provider_rule_named(&r.decided_by.matched))
            .and_then(|(_, rule)| rule.who)
    {
        who = w;
    }
    // A group or mailbox that takes mail only from certain senders: its owner, on the
    // recipient's side, has to allow the sender.
    if topic == "reason.policyviolation" && restricted_to_senders(msg) {
        who = "recipient";
    }
    let mut who_label = lang
        .texts()
        .path(&format!("who.{who}"))
        .and_then(Data::str)
        .unwrap_or(who);
    // The signs point to a forged sender: the page leads with that, and keeps what the
    // bounce says for a reader who did send the message after all.
    if forged {
        explanation = format!("{} {headline} {explanation}", text("origin.if_sent_anyway"));
        headline = text("origin.headline_forged").to_string();
        (who, who_label) = ("nobody", text("origin.who_if_forged"));
        if let Some(first) = steps.first_mut() {
            *first = format!("{} {first}", text("origin.step_if_sent"));
        }
        steps.insert(0, text("origin.step_if_forged").to_string());
    }
    if msg.superseded {
        explanation = format!("{} {explanation}", lang.ui("superseded"));
    }
    Explanation {
        headline,
        explanation,
        who,
        who_label: who_label.to_string(),
        // A delay notice explained by its cause is still being retried.
        retry: msg.kind == Kind::DelayNotice
            || entry.get("retry").and_then(Data::bool).unwrap_or(false),
        steps,
        admin_steps: list("admin_steps"),
        specific: !matches!(
            topic.as_str(),
            "reason.undefined" | "reason.onhold" | "kind.bounce"
        ),
        timeline: timeline(msg, lang),
        provider: provider_note(msg, lang),
        doubt: doubt(msg, lang),
        origin,
        others: others(msg, situation, lang),
        topic,
    }
}

/// The cause of a delay ("Cause: The recipient's mailbox is full."), then "For
/// b@example.org: …" for each recipient the headline or its situation does not speak
/// for, failures first (at most five).
fn others(msg: &Message, situation: Option<Situation>, lang: Lang) -> Vec<String> {
    let Some(main) = main_recipient(msg) else {
        return Vec::new();
    };
    let headline = |reason: Reason| {
        lang.texts()
            .path(&format!("reason.{}.headline", reason.as_str()))
            .and_then(Data::str)
    };
    // A delay notice's headline says only "still trying": the cause comes first. A
    // cause that waiting does not cure is the headline itself, and the line says so.
    let delay = msg.kind == Kind::DelayNotice && situation.is_none();
    let cause = if delay && delay_persists(main.reason) {
        Some(lang.ui("delay_persists").to_string())
    } else {
        (delay
            && delay_topic(main.reason).is_none()
            && !matches!(
                main.reason,
                Reason::Expired | Reason::OnHold | Reason::Undefined
            ))
        .then(|| headline(main.reason))
        .flatten()
        .map(|h| lang.ui("delay_cause").replace("{headline}", h))
    };
    // The headline tells the main recipient's reason, or a situation that speaks for
    // some recipients; every other recipient gets a line of its own. In a bounce, a
    // recipient still being retried or delivered says so (a log names all of them).
    let told = |r: &Recipient| match situation {
        Some(s) => crate::situations::speaks_for(s, main, r),
        None => r.reason == main.reason,
    };
    // Failures first, then recipients still waiting, then delivered ones, so that the
    // few lines shown name every failure they can.
    let in_bounce = msg.kind == Kind::Bounce;
    let line = |r: &Recipient| {
        let (key, rank) = match (r.reason, r.action) {
            (Reason::Delivered, Some(Action::Relayed)) if in_bounce => {
                ("other_recipient_relayed", 2)
            }
            (Reason::Delivered, _) if in_bounce => ("other_recipient_delivered", 2),
            (Reason::Delivered, _) => return None,
            // Still queued with no cause named: it has not expired.
            (Reason::Expired | Reason::Undefined | Reason::OnHold, Some(Action::Delayed))
                if in_bounce =>
            {
                ("other_recipient_waiting", 1)
            }
            (_, Some(Action::Delayed)) if in_bounce => ("other_recipient_delayed", 1),
            _ => ("other_recipient", 0),
        };
        let text = lang.ui(key).replace("{address}", &r.address);
        if !text.contains("{headline}") {
            return Some((rank, text));
        }
        Some((rank, text.replace("{headline}", headline(r.reason)?)))
    };
    let mut lines: Vec<(u8, String)> = msg
        .recipients
        .iter()
        .filter(|r| !told(r))
        .filter_map(line)
        .collect();
    // The recipients keep their order within each rank.
    crate::order::by_rank(&mut lines, |(rank, _)| usize::from(*rank));
    cause
        .into_iter()
        .chain(lines.into_iter().map(|(_, text)| text).take(5))
        .collect()
}

/// The verdict's text: an account-misuse verdict with the marks of fraud, or a mailbox
/// the receiver barred for spam, is stated more firmly.
fn verdict_key(o: &crate::situations::OriginSigns) -> &'static str {
    if o.fraud_marked() {
        "account_misuse_marked"
    } else if o.signs.contains(&"account_blocked") {
        "account_misuse_barred"
    } else if o.signs.contains(&"many_recipients") {
        "account_misuse_mass"
    } else {
        o.likely
    }
}

fn provider_note(msg: &Message, lang: Lang) -> Option<ProviderNote> {
    let r = main_recipient(msg).filter(|r| r.decided_by.source == "provider")?;
    let (p, rule) = crate::knowledge::provider_rule_named(&r.decided_by.matched)?;
    let text = if lang == Lang::De { rule.de } else { rule.en };
    (!text.is_empty()).then_some(ProviderNote {
        provider: p.name,
        text,
        url: rule.url,
    })
}

fn doubt(msg: &Message, lang: Lang) -> Option<String> {
    let alt = main_recipient(msg)?.alternative?;
    let headline = lang
        .texts()
        .path(&format!("reason.{}.headline", alt.as_str()))
        .and_then(Data::str)?;
    Some(lang.ui("doubt").replace("{alternative}", headline))
}

fn origin(msg: &Message, lang: Lang) -> Option<Origin> {
    if !matches!(msg.kind, Kind::Bounce | Kind::DelayNotice) {
        return None;
    }
    let o = crate::situations::origin_signs(msg)?;
    let t = lang.texts();
    let text = |path: String| t.path(&path).and_then(Data::str).unwrap_or("").to_string();
    let steps_key = match o.likely {
        "account_misuse" => "origin.steps_account_misuse",
        "forged_sender" => "origin.steps_forged",
        "script_misuse" => "origin.steps_script",
        _ => "origin.steps_unclear",
    };
    Some(Origin {
        likely: o.likely,
        verdict: text(format!("origin.{}", verdict_key(&o))),
        signs: o
            .signs
            .iter()
            .map(|s| text(format!("origin_sign.{s}")))
            .collect(),
        steps: t
            .path(steps_key)
            .map(Data::strs)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect(),
    })
}

/// The knowledge-base entry that explains the message best: its situation first.
fn topic_of(msg: &Message, situation: Option<Situation>) -> String {
    if let Some(s) = situation {
        return format!("situation.{}", s.key());
    }
    match msg.kind {
        Kind::Bounce => match main_recipient(msg) {
            Some(r) => format!("reason.{}", r.reason.as_str()),
            // A bounce names no recipient only when its text is missing (header lines).
            None => "kind.bounce".to_string(),
        },
        Kind::AutoReply if main_recipient(msg).is_some_and(|r| r.reason == Reason::HasMoved) => {
            "kind.auto_reply_left".to_string()
        }
        Kind::AutoReply if main_recipient(msg).is_some_and(|r| r.reason == Reason::OnHold) => {
            "kind.auto_reply_challenge".to_string()
        }
        Kind::DelayNotice => match main_recipient(msg) {
            Some(r) if delay_persists(r.reason) => format!("reason.{}", r.reason.as_str()),
            Some(r) if let Some(topic) = delay_topic(r.reason) => topic,
            _ => "kind.delay_notice".to_string(),
        },
        Kind::ComplaintReport => feedback_topic(msg)
            .unwrap_or("kind.complaint_report")
            .to_string(),
        Kind::DeliveryReport => read_receipt_topic(msg)
            .unwrap_or("kind.delivery_report")
            .to_string(),
        other => format!("kind.{}", other.as_str()),
    }
}

/// The entry of a delay whose cause someone can remove while the server retries (a full
/// mailbox), if the texts have one.
fn delay_topic(reason: Reason) -> Option<String> {
    let topic = format!("delay.{}", reason.as_str());
    Lang::En.texts().path(&topic).is_some().then_some(topic)
}

/// A delay whose cause does not go away by waiting (a missing PTR, a failed SPF check):
/// the message will fail in the end unless someone acts.
fn delay_persists(reason: Reason) -> bool {
    crate::knowledge::signs("kind.delay_persisting_reasons").any(|r| r == reason.as_str())
}

/// The entry for a read receipt (its disposition, as `dsn::read_receipt` wrote it).
fn read_receipt_topic(msg: &Message) -> Option<&'static str> {
    let disposition = main_recipient(msg)?
        .diagnostic
        .as_deref()?
        .strip_prefix("Disposition:")?
        .to_ascii_lowercase();
    // RFC 8098: "displayed" was shown to the recipient, "deleted" was deleted (read or
    // not); "processed" and "dispatched" say nothing about reading.
    if disposition.contains("deleted") {
        Some("kind.read_receipt_deleted")
    } else if disposition.contains("displayed") {
        Some("kind.read_receipt")
    } else {
        None
    }
}

/// True if the main recipient is a group or mailbox that accepts only certain senders.
fn restricted_to_senders(msg: &Message) -> bool {
    main_recipient(msg)
        .is_some_and(|r| crate::situations::diagnostic_says(r, "situation.recipient_restrictions"))
}

/// The entry for a complaint report whose Feedback-Type is not a plain spam complaint.
fn feedback_topic(msg: &Message) -> Option<&'static str> {
    let diagnostic = main_recipient(msg)?
        .diagnostic
        .as_deref()?
        .to_ascii_lowercase();
    let kind = diagnostic.strip_prefix("feedback-type:")?.trim();
    match kind {
        "not-spam" => Some("feedback.not_spam"),
        "opt-out" | "unsubscribe" => Some("feedback.opt_out"),
        "fraud" | "virus" => Some("feedback.fraud"),
        "auth-failure" => Some("feedback.auth_failure"),
        _ => None,
    }
}

/// How long the server tried, from Arrival-Date to the last attempt, in words.
pub fn timeline(msg: &Message, lang: Lang) -> Option<String> {
    let secs = msg.attempts_span()?;
    if secs < 3600 {
        return None;
    }
    let (n, unit) = if secs >= 2 * 86400 {
        (secs / 86400, "days")
    } else if secs >= 86400 {
        (1, "day")
    } else if secs >= 2 * 3600 {
        (secs / 3600, "hours")
    } else {
        (1, "hour")
    };
    let unit = lang
        .texts()
        .path(&format!("time.{unit}"))
        .and_then(Data::str)
        .unwrap_or(unit);
    Some(
        lang.ui("tried_for")
            .replace("{duration}", &format!("{n} {unit}")),
    )
}
