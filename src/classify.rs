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
    /// The remote server that wrote the diagnostic, when known.
    pub hosts: &'a [&'a str],
    /// The server that wrote the notice, when no remote server is known: its own
    /// provider-specific codes (Exchange Online's 5.7.133) count for it.
    pub reporter: Option<&'a str>,
    /// The rest of the notice's words about this recipient (its outcome: "giving up").
    pub context: &'a str,
}

/// The provider rule that decides, if any. A provider's codes count where that provider
/// wrote the diagnostic: its host is the remote server or is named in the diagnostic, or
/// it wrote the notice and the code is its own (not one of the standard codes any
/// server may quote). A rule that is a bare status code is compared with the status
/// code itself.
pub fn provider_rule(
    lower: &str,
    status: Option<&str>,
    hosts: &[&str],
    reporter: Option<&str>,
) -> Option<&'static ProviderRule> {
    let (matcher, rules) = knowledge::provider_index();
    let found = matcher.matches(lower);
    let present = |r: &ProviderRule| {
        let Some(p) = knowledge::providers().iter().find(|p| p.id == r.provider) else {
            return false;
        };
        let named = |host: &str| p.runs(&host.to_ascii_lowercase());
        // A code of the provider's own numbering names the provider itself (a pasted
        // Microsoft 365 notice without its server names).
        r.is_status && providers_own(r.pattern) && !quotes_a_server(lower, r)
            || p.named_in(lower)
            || hosts.iter().any(|x| named(x))
            || reporter.is_some_and(named)
                && (!r.is_status || providers_own(r.pattern) || !quotes_a_server(lower, r))
    };
    rules.iter().enumerate().find_map(|(i, r)| {
        let hit = if r.is_status {
            status == Some(r.pattern)
        } else {
            found.binary_search(&i).is_ok()
        };
        (hit && (r.anywhere || present(r))).then_some(*r)
    })
}

/// True if the code of a status rule stands in a reply that names an address the way
/// mail servers quote one (`550 5.1.8 <a@example.org>: Sender address rejected`): another
/// server's reply the notice passes on, not the provider's own.
fn quotes_a_server(lower: &str, r: &ProviderRule) -> bool {
    lower.contains(&format!("{} <", r.pattern))
}

/// A status code of a provider's own numbering (`5.7.133`, `4.4.316`): its detail
/// number lies beyond the standard ones (RFC 3463 and its registry stay below 40).
fn providers_own(status: &str) -> bool {
    status
        .rsplit('.')
        .next()
        .and_then(|d| d.parse::<u32>().ok())
        .is_some_and(|d| d >= 40)
}

/// The phrase rule that decides, if any: `(reason, phrase, weak)`. Beside a `permanent`
/// code, words of a refusal for now do not count.
pub fn phrase_rule(lower: &str, permanent: bool) -> Option<(Reason, &'static str, bool)> {
    let (matcher, flat) = knowledge::phrase_index();
    let rules = knowledge::phrase_rules();
    let first = |hay: &str| {
        matcher
            .matches(hay)
            .into_iter()
            .find(|&i| !(permanent && rules[flat[i].0].temporary))
    };
    // The words of a link's path ("help_spam_16.htm") count only when the server's own
    // words name no reason; a block list's lookup link ("dnsbl-lookup") then does.
    let masked = text::mask_names(lower);
    let found = match text::mask_link_paths(&masked) {
        std::borrow::Cow::Owned(without_paths) => first(&without_paths).or_else(|| first(&masked)),
        std::borrow::Cow::Borrowed(_) => first(&masked),
    }?;
    let (rule, phrase) = flat[found];
    let rule = &rules[rule];
    Some((rule.reason, phrase, rule.weak))
}

/// True if the recipient's codes say the failure is for good: the server's reply code,
/// else the status, starts with 5 (a notice's general 5.0.0 for giving up on a server
/// that kept answering 451 is no permanent refusal).
fn permanent(f: &Facts<'_>) -> bool {
    f.reply_code
        .or(f.status)
        .is_some_and(|c| c.starts_with('5'))
}

/// True if a line (in ASCII lower case) speaks of a failure (used to keep stray error
/// lines).
pub fn mentions_failure(lower: &str) -> bool {
    knowledge::phrase_index().0.any(lower)
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
    let squashed = text::squash(&f.diagnostic.to_lowercase());
    let (reason, decision) = decide_remote_first(f, &squashed);
    let reason = if decision.source == "text" {
        adjust_for_stage(reason, f)
    } else {
        reason
    };
    let reason = refused_before_recipient(reason, f);
    (adjust_for_outcome(reason, f, &decision), decision)
}

/// Exchange wraps a remote server's reply in its own words ("Remote server returned
/// message detected as spam -> 550 5.7.30 … DKIM …"): the remote server's words after the
/// arrow, with their own status code, decide before the wrapper's.
/// `squashed` is the diagnostic in lower case with white space squashed.
fn decide_remote_first(f: &Facts<'_>, squashed: &str) -> (Reason, Decision) {
    if let Some(at) = squashed.rfind(" -> ") {
        let remote = &squashed[at + 4..];
        let status = text::find_status(remote);
        let inner = Facts {
            status: status.as_ref().map(|c| c.value.as_str()).or(f.status),
            ..*f
        };
        let decided = decide(&inner, &text::without_continuation_codes(remote));
        // Only the remote server's words or a provider's code outrank the wrapper's
        // words; a bare status code does not.
        if matches!(decided.1.source, "text" | "provider") {
            return decided;
        }
    }
    decide(f, &text::without_continuation_codes(squashed))
}

/// The socket error a diagnostic consists of, with no server reply (`smtp; Connection
/// refused`).
fn socket_error_only(lower: &str) -> Option<&'static str> {
    let bare = (lower.split_once(';'))
        .filter(|(kind, _)| !kind.contains(' '))
        .map_or(lower, |(_, rest)| rest);
    // (Exim's delay warning: "host mx.example.org [192.0.2.1] Delay reason: Connection
    // refused".)
    let bare = bare
        .rsplit_once("delay reason:")
        .map_or(bare, |(_, rest)| rest);
    let bare = bare.trim().trim_end_matches('.');
    knowledge::signs("outcome.socket_errors").find(|e| bare == *e)
}

fn decide(f: &Facts<'_>, lower: &str) -> (Reason, Decision) {
    let provider = provider_rule(lower, f.status, f.hosts, f.reporter).map(|rule| {
        let decision = Decision {
            source: "provider",
            matched: format!("{}: {}", rule.provider, rule.pattern),
        };
        (rule.weak, (rule.reason, decision))
    });
    let provider = match provider {
        Some((false, decided)) => return decided,
        Some((true, decided)) => Some(decided),
        None => None,
    };
    if let Some(error) = socket_error_only(lower) {
        return (
            Reason::NetworkError,
            Decision {
                source: "text",
                matched: error.to_string(),
            },
        );
    }
    let status_says = |reason: Reason, status: &str| {
        (
            reason,
            Decision {
                source: "status",
                matched: status.to_string(),
            },
        )
    };
    if let Some(status) = f.status
        && let Some(info) = knowledge::status_info(status)
        && let Some(reason) = info.reason
        && info.outranks_words
    {
        return status_says(reason, status);
    }
    let words = phrase_rule(lower, permanent(f));
    if let Some((reason, phrase, false)) = words {
        return (
            reason,
            Decision {
                source: "text",
                matched: phrase.to_string(),
            },
        );
    }
    // "Delivery time expired" outranks general words and codes of the last attempt, but
    // not a cause the server named, and not in a notice that says it is still trying
    // (Exchange warns with 4.4.7 while it retries).
    if let Some(status) = f.status
        && status.get(1..) == Some(".4.7")
        && f.action != Some(Action::Delayed)
    {
        return status_says(Reason::Expired, status);
    }
    if let Some(status) = f.status
        && let Some(info) = knowledge::status_info(status)
        && let Some(reason) = info.reason
    {
        return status_says(reason, status);
    }
    if let Some(decided) = provider {
        return decided;
    }
    if let Some((reason, phrase, true)) = words {
        return (
            reason,
            Decision {
                source: "text",
                matched: phrase.to_string(),
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

/// The second most likely reason when the evidence is weak or points two ways: the
/// status code's reason where the words decided weakly, or the words' reason where only a
/// code decided.
pub fn alternative(f: &Facts<'_>, decided: Reason, decision: &Decision) -> Option<Reason> {
    if !matches!(decision.source, "text" | "status" | "reply_code" | "none") {
        return None;
    }
    let from_status = f
        .status
        .and_then(knowledge::status_info)
        .and_then(|i| i.reason);
    let from_words = || phrase_rule(&text::squash(&f.diagnostic.to_lowercase()), permanent(f));
    let candidate = match decision.source {
        "text" if from_words().is_some_and(|(_, _, weak)| weak) => from_status,
        "status" | "reply_code" => from_words().map(|(r, _, _)| r),
        "none" => from_status.or(f
            .reply_code
            .and_then(knowledge::reply_info)
            .and_then(|i| i.reason)),
        _ => None,
    };
    candidate.filter(|r| *r != decided && !matches!(r, Reason::Undefined | Reason::OnHold))
}

/// Temporary trouble changes meaning with the notice's outcome: a delay notice with no
/// named cause, or a final failure after connections kept timing out, means the message
/// expired; a temporary "domain not found" is a DNS failure, not a domain known not to
/// exist, unless its status names a bad domain (4.1.2).
fn adjust_for_outcome(reason: Reason, f: &Facts<'_>, decision: &Decision) -> Reason {
    let temporary = match f.status {
        Some(s) => s.starts_with('4'),
        None => f.reply_code.is_some_and(|c| c.starts_with('4')),
    };
    let timed_out = decision.source == "text"
        && (decision.matched.contains("timed out") || decision.matched.contains("timeout"));
    match reason {
        // (A message a gateway holds for review is on hold, as its words say.)
        Reason::Undefined | Reason::OnHold
            if f.action == Some(Action::Delayed)
                && !(reason == Reason::OnHold && decision.source == "text") =>
        {
            Reason::Expired
        }
        Reason::NetworkError
            if f.action == Some(Action::Delayed)
                && !matches!(decision.source, "text" | "provider") =>
        {
            Reason::Expired
        }
        // A notice that is still retrying has not expired: a failing connection is a
        // network error.
        Reason::Expired
            if f.action == Some(Action::Delayed)
                && knowledge::signs("outcome.connection_failing")
                    .any(|w| text::contains_ci(f.diagnostic, w)) =>
        {
            Reason::NetworkError
        }
        // (Postfix answers 450 4.1.2 by default for a domain without DNS records.)
        Reason::HostUnknown if temporary && !f.status.is_some_and(|s| s.ends_with(".1.2")) => {
            Reason::NetworkError
        }
        // A final notice that failed to connect, then timed out or stopped retrying
        // ("giving up after 2 days"): the message expired.
        // (A mail program that could not reach its own outgoing server never retried.)
        Reason::NetworkError
            if (timed_out
                || f.status.is_some_and(|s| s.ends_with(".4.7"))
                || gave_up(f.diagnostic)
                || gave_up(f.context))
                && f.action != Some(Action::Delayed)
                && !knowledge::signs("situation.outgoing_server_unreachable")
                    .any(|w| text::contains_ci(f.diagnostic, w)) =>
        {
            Reason::Expired
        }
        // So did one the receiver kept turning away for now (greylisting that never
        // passed) until the sender stopped retrying.
        Reason::RateLimited
            if !permanent(f)
                && f.action != Some(Action::Delayed)
                && decision.source == "text"
                && temporary_words(&decision.matched)
                && (gave_up(f.diagnostic) || gave_up(f.context)) =>
        {
            Reason::Expired
        }
        _ => reason,
    }
}

/// True if `phrase` is a word of a rule for refusals for now (greylisting).
fn temporary_words(phrase: &str) -> bool {
    knowledge::phrase_rules()
        .iter()
        .any(|r| r.temporary && r.phrases.contains(&phrase))
}

fn gave_up(text: &str) -> bool {
    knowledge::signs("outcome.gave_up").any(|w| text::contains_ci(text, w))
}

/// A refusal without a named cause before the sender even said who it is: the
/// receiving server does not want connections from this server. Without a cause in answer
/// to MAIL FROM: the sender was refused.
fn refused_before_recipient(reason: Reason, f: &Facts<'_>) -> Reason {
    let greeting = matches!(f.command, Some("CONN" | "HELO" | "EHLO"));
    let unnamed = matches!(
        reason,
        Reason::Rejected | Reason::OnHold | Reason::Undefined
    );
    let failed = f
        .status
        .or(f.reply_code)
        .is_some_and(|c| c.starts_with('5'));
    if greeting && unnamed && failed {
        Reason::Blocked
    } else if f.command == Some("MAIL")
        && matches!(reason, Reason::OnHold | Reason::Undefined)
        && failed
        && f.action != Some(Action::Delayed)
    {
        // Refused in answer to MAIL FROM, with no cause named: the sender was refused.
        Reason::Rejected
    } else {
        reason
    }
}

/// "No such user" words in answer to MAIL FROM (or with a sender-address status) are about
/// the sender; after DATA they are
/// a filter's way to refuse the message, unless an address-class status (X.1.x) says
/// the address itself is unknown.
fn adjust_for_stage(reason: Reason, f: &Facts<'_>) -> Reason {
    if !matches!(reason, Reason::UserUnknown | Reason::HostUnknown) {
        return reason;
    }
    // X.1.7 and X.1.8 are about the sender's address, the other X.1.x about the recipient's.
    let address_status = f.status.is_some_and(|s| {
        s.get(1..4) == Some(".1.") && !s.ends_with(".1.7") && !s.ends_with(".1.8")
    });
    match f.command {
        Some("MAIL") => Reason::Rejected,
        _ if f
            .status
            .is_some_and(|s| s.ends_with(".1.7") || s.ends_with(".1.8")) =>
        {
            Reason::Rejected
        }
        Some("DATA") if !address_status && reason == Reason::UserUnknown => Reason::Filtered,
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
    fn a_bare_socket_error_is_the_network_not_a_block() {
        assert_eq!(
            reason("smtp; Connection refused", Some("4.0.0")),
            Reason::NetworkError
        );
        assert_eq!(
            reason("554 5.7.1 Connection refused", Some("5.7.1")),
            Reason::Blocked
        );
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
    fn the_smtp_stage_shifts_the_reason() {
        let at = |diag, status, command| {
            classify(&Facts {
                diagnostic: diag,
                status,
                command,
                ..Facts::default()
            })
            .0
        };
        assert_eq!(at("550 user unknown", None, Some("MAIL")), Reason::Rejected);
        assert_eq!(
            at("550 user unknown", None, Some("RCPT")),
            Reason::UserUnknown
        );
        assert_eq!(at("550 user unknown", None, Some("DATA")), Reason::Filtered);
        assert_eq!(
            at("550 5.1.1 user unknown", Some("5.1.1"), Some("DATA")),
            Reason::UserUnknown
        );
    }
}
