//! Decides the reason of a failure from the strongest evidence: provider-specific codes
//! and texts first, then the server's own words, then the enhanced status code, then the
//! reply code. Records which evidence decided.

use crate::knowledge::{self, ProviderRule};
use crate::report::{Action, Decision, Reason};
use crate::text;

/// What is known about one recipient's failure.
#[derive(Debug, Default, Clone, Copy)]
pub struct Facts<'a> {
    /// Everything the notice says about this recipient.
    pub diagnostic: &'a str,
    pub status: Option<&'a str>,
    pub reply_code: Option<&'a str>,
    /// The SMTP command the failure answered (`MAIL`, `RCPT`, `DATA`, ...).
    pub command: Option<&'a str>,
    pub action: Option<Action>,
    /// Host names involved: remote server, reporting server, notice sender's domain.
    pub hosts: &'a [&'a str],
}

/// Matches a lower-case phrase against lower-case text. `*` stands for any text; the
/// phrase must start at a word boundary.
pub fn phrase_matches(hay: &str, phrase: &str) -> bool {
    let mut parts = phrase.split('*').map(str::trim).filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return false;
    };
    let mut from = 0;
    let mut found = None;
    while let Some(rel) = hay[from..].find(first) {
        let at = from + rel;
        let starts_word = !first.as_bytes()[0].is_ascii_alphanumeric()
            || at == 0
            || !hay.as_bytes()[at - 1].is_ascii_alphanumeric();
        if starts_word {
            found = Some(at + first.len());
            break;
        }
        from = at + 1;
    }
    let Some(mut pos) = found else { return false };
    for part in parts {
        match hay[pos..].find(part) {
            Some(rel) => pos += rel + part.len(),
            None => return false,
        }
    }
    true
}

/// The provider rule that decides, if any.
pub fn provider_rule(lower: &str, hosts: &[&str]) -> Option<&'static ProviderRule> {
    knowledge::providers().iter().find_map(|p| {
        let present = p
            .hosts
            .iter()
            .any(|h| hosts.iter().any(|x| text::contains_ci(x, h)) || lower.contains(h));
        p.rules
            .iter()
            .find(|r| (r.anywhere || present) && phrase_matches(lower, r.pattern))
    })
}

/// The phrase rule that decides, if any: `(reason, phrase)`.
pub fn phrase_rule(lower: &str) -> Option<(Reason, &'static str)> {
    knowledge::phrase_rules().iter().find_map(|rule| {
        rule.phrases
            .iter()
            .find(|p| phrase_matches(lower, p))
            .map(|p| (rule.reason, *p))
    })
}

/// True if a line speaks of a failure (used to keep stray error lines).
pub fn mentions_failure(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    phrase_rule(&lower).is_some()
}

/// Decides the reason for one recipient.
pub fn classify(f: &Facts<'_>) -> (Reason, Decision) {
    if f.action == Some(Action::Delivered)
        || f.action == Some(Action::Relayed)
        || f.action == Some(Action::Expanded)
    {
        return (
            Reason::Delivered,
            Decision {
                source: "action",
                matched: "delivered".into(),
            },
        );
    }
    let lower = text::squash(&f.diagnostic.to_lowercase());
    let (reason, decision) = decide(f, &lower);
    (adjust_for_command(reason, f.command), decision)
}

fn decide(f: &Facts<'_>, lower: &str) -> (Reason, Decision) {
    if let Some(rule) = provider_rule(lower, f.hosts) {
        return (
            rule.reason,
            Decision {
                source: "provider",
                matched: format!("{}: {}", rule.provider, rule.pattern),
            },
        );
    }
    if let Some((reason, phrase)) = phrase_rule(lower) {
        return (
            reason,
            Decision {
                source: "text",
                matched: phrase.to_string(),
            },
        );
    }
    if let Some(status) = f.status
        && let Some(info) = knowledge::status_info(status)
        && let Some(reason) = info.reason
    {
        return (
            reason,
            Decision {
                source: "status",
                matched: status.to_string(),
            },
        );
    }
    if let Some(code) = f.reply_code
        && let Some(info) = knowledge::reply_info(code)
        && let Some(reason) = info.reason
    {
        return (
            reason,
            Decision {
                source: "reply_code",
                matched: code.to_string(),
            },
        );
    }
    if f.action == Some(Action::Delayed) {
        return (
            Reason::Expired,
            Decision {
                source: "action",
                matched: "delayed".into(),
            },
        );
    }
    let class_known = f.status.is_some() || f.reply_code.is_some();
    let reason = if class_known {
        Reason::OnHold
    } else {
        Reason::Undefined
    };
    (
        reason,
        Decision {
            source: "none",
            matched: String::new(),
        },
    )
}

/// A failure at MAIL FROM is about the sender; a "no such user" after DATA comes from a
/// filter, not from the address book.
fn adjust_for_command(reason: Reason, command: Option<&str>) -> Reason {
    match (command, reason) {
        (
            Some("MAIL"),
            Reason::UserUnknown
            | Reason::HostUnknown
            | Reason::Undefined
            | Reason::OnHold
            | Reason::Filtered,
        ) => Reason::Rejected,
        (Some("DATA"), Reason::UserUnknown) => Reason::Filtered,
        _ => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(diag: &str, status: Option<&str>) -> Reason {
        classify(&Facts {
            diagnostic: diag,
            status,
            ..Facts::default()
        })
        .0
    }

    #[test]
    fn phrases_match_at_word_starts_only() {
        assert!(phrase_matches("550 user unknown here", "user unknown"));
        assert!(!phrase_matches("superbly", "rbl"));
        assert!(phrase_matches(
            "mailbox is over the quota",
            "mailbox * quota"
        ));
    }

    #[test]
    fn words_beat_codes_and_codes_beat_nothing() {
        assert_eq!(
            reason("552 5.2.2 Mailbox full", Some("5.2.2")),
            Reason::MailboxFull
        );
        assert_eq!(
            reason(
                "Client host [192.0.2.1] blocked using zen.spamhaus.org",
                Some("5.7.1")
            ),
            Reason::Blocked
        );
        assert_eq!(reason("", Some("5.1.1")), Reason::UserUnknown);
        assert_eq!(reason("", None), Reason::Undefined);
    }

    #[test]
    fn provider_codes_come_first() {
        let f = Facts {
            diagnostic: "550 5.7.1 ... part of their network is on our block list (S3150)",
            ..Facts::default()
        };
        let (r, d) = classify(&f);
        assert_eq!((r, d.source), (Reason::Blocked, "provider"));
    }

    #[test]
    fn the_smtp_command_shifts_the_reason() {
        let f = Facts {
            diagnostic: "550 5.1.1 user unknown",
            command: Some("MAIL"),
            ..Facts::default()
        };
        assert_eq!(classify(&f).0, Reason::Rejected);
    }
}
