//! Notices a mailing list manager (Mailman, Sympa, LISTSERV, Majordomo) sends about a
//! post to its list: held until a moderator approves it, refused by the list's rules, or
//! neither (a monthly reminder, a welcome). None of them is a server's bounce.

use crate::engine::{RawRecipient, finish_recipient};
use crate::knowledge::signs;
use crate::notice::Notice;
use crate::report::{Action, Decision, Kind, Message, Reason};
use crate::text;

/// What the list manager says about the post.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Waiting for a moderator.
    Held,
    /// Refused, for this reason (not a member: `Rejected`; a content rule: `ContentError`;
    /// the size limit: `EmailTooLarge`).
    Refused(Reason),
    /// No word of a post: administrative mail.
    Other,
}

/// Fills `msg` from a list manager's notice and returns true, or returns false if `n`
/// is none (a server's notice, or a notice a list relays with a bounce inside).
pub fn fill(msg: &mut Message, n: &Notice) -> bool {
    let Some((outcome, matched)) = read(n) else {
        return false;
    };
    msg.format = "mailing-list";
    let (kind, action, reason) = match outcome {
        Outcome::Held => (Kind::DelayNotice, Action::Delayed, Reason::OnHold),
        Outcome::Refused(reason) => (Kind::Bounce, Action::Failed, reason),
        Outcome::Other => {
            msg.kind = Kind::NotABounce;
            return true;
        }
    };
    msg.kind = kind;
    let mut r = finish_recipient(RawRecipient {
        address: list_address(n).unwrap_or_default(),
        action: Some(action),
        diagnostic: statement(n, matched),
        ..RawRecipient::default()
    });
    r.reason = reason;
    r.hard_bounce = action == Action::Failed;
    r.decided_by = Decision {
        source: "format",
        matched: format!("mailing-list: {matched}"),
    };
    msg.recipients.push(r);
    true
}

/// The outcome and the words that tell it, if `n` is a list manager's notice.
fn read(n: &Notice) -> Option<(Outcome, &'static str)> {
    if !n.dsn.is_empty() || n.is_dsn_report || n.feedback.is_some() {
        return None;
    }
    // A list's administrative mail carries its own header; a list post carries the list
    // headers too, but comes from a person, not from a manager address.
    let headers = n.header("x-list-administrivia").is_some();
    let from_manager = n
        .headers
        .from
        .as_deref()
        .and_then(text::first_address)
        .is_some_and(|a| is_manager(&a));
    if !(headers || from_manager || !n.has_headers) {
        return None;
    }
    // A paste names the list software or a list in so many words.
    let names_a_list = || signs("list_notice.list_names").any(|w| n.lower.contains(w));
    if !n.has_headers && !names_a_list() {
        return None;
    }
    // A bounce the list passes on to its owner (inside, or as the notice itself) is
    // read as the bounce it is: list managers quote no server replies.
    let returned_bounce = (n.original.as_ref())
        .and_then(|o| o.from.as_deref())
        .and_then(text::first_address)
        .is_some_and(|a| text::is_system_address(&a));
    // (A server's reply: its code with an enhanced status code, not a date "5.3.25" or
    // "550 Exemplare" in a quoted post.)
    let (reply, status) = text::find_codes(&n.text[..n.text.floor_char_boundary(64 * 1024)]);
    let failure_code = reply.is_some_and(|c| !c.value.starts_with('2'))
        && status.is_some_and(|c| !c.value.starts_with('2'));
    if returned_bounce
        || failure_code
        || n.from_mail_system()
        || !n.attached_notices.is_empty()
        || crate::formats::has_body_sign(n)
    {
        return None;
    }
    // (Sentences wrap: "forwarded to the list / moderator(s)".)
    let own = text::squash(n.own_words());
    let said = |list: &str| signs(list).find(|w| own.contains(w));
    let about_a_list = said(match n.has_headers {
        true => "list_notice.list_words",
        false => "list_notice.list_names",
    })
    .is_some();
    let outcome = if said("list_notice.moderator_requests").is_some() {
        // The moderator is asked to decide about someone else's post.
        (Outcome::Other, "")
    } else if let Some(w) = said("list_notice.held")
        && (n.has_headers || about_a_list)
    {
        (Outcome::Held, w)
    } else if let Some(w) = said("list_notice.refused")
        && about_a_list
    {
        let reason = if said("list_notice.size_rules").is_some() {
            Reason::EmailTooLarge
        } else {
            // Members only, or no such attachments: the list's rule.
            Reason::PolicyViolation
        };
        (Outcome::Refused(reason), w)
    } else {
        (Outcome::Other, "")
    };
    (outcome.0 != Outcome::Other || headers).then_some(outcome)
}

/// True if `address` is a list manager's own (`sympa@…`, `team-owner@…`,
/// `owner-team@…`), not a mail admin's (`mail-admin@…`).
fn is_manager(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("").to_ascii_lowercase();
    signs("list_notice.managers").any(|m| local == m)
        || signs("list_notice.manager_suffixes").any(|m| local.ends_with(m))
        || local.starts_with("owner-")
}

/// The list's address: named in the list headers or the subject, by its name at the
/// manager's domain (`the ARCHIV-L list`, `list "rundbrief"`), as a manager address of
/// the list in the notice's words or its sender (`rundbrief-request@…` for
/// `rundbrief@…`), or else another address in its words (not the user's, and no message
/// ID).
fn list_address(n: &Notice) -> Option<String> {
    let header = ["x-beenthere", "list-post", "subject"]
        .iter()
        .find_map(|h| n.header(h).and_then(text::first_address))
        .or_else(|| named_list(n));
    let user = n.headers.to.as_deref().and_then(text::first_address);
    let is_user = |a: &str| user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(a));
    let own = n.own_words();
    let body: Vec<String> = text::lines(own)
        .filter(|l| !l.contains("message-id") && !l.contains("message id"))
        .flat_map(text::find_addresses)
        .map(|a| a.value)
        .filter(|a| !is_user(a))
        .collect();
    // The manager addresses in the notice's words, then the one that sent it.
    let sender = n.headers.from.as_deref().and_then(text::first_address);
    let managers = body
        .iter()
        .chain(&sender)
        .filter(|a| is_manager(a))
        .map(|a| without_manager_suffix(a));
    header
        .into_iter()
        .chain(managers)
        .chain(body.iter().cloned())
        .find(|a| !is_user(a) && !is_manager(a))
}

/// The list a notice names (`the ARCHIV-L list`, `list "rundbrief"`, `list 'alumni'`),
/// at the domain of the manager that wrote it.
fn named_list(n: &Notice) -> Option<String> {
    let domain = n.headers.from.as_deref().and_then(text::domain_of)?;
    let text = text::squash(&n.text[..n.text.floor_char_boundary(4096)]);
    let quoted = text.match_indices("list").find_map(|(at, _)| {
        // (`list "x"`, or French `liste « x »`.)
        let rest = text[at + 4..].trim_start_matches('e').strip_prefix(' ')?;
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '«'))?;
        let rest = &rest[quote.len_utf8()..];
        rest.split_once(['"', '\'', '»'])
            .map(|(name, _)| name.trim_matches(|c: char| c.is_whitespace()))
    });
    let words: Vec<&str> = text.split(' ').collect();
    let before_list = words.windows(3).find_map(|w| {
        let list = w[2].trim_end_matches([':', ',', '.']);
        let name = w[1];
        (w[0].eq_ignore_ascii_case("the")
            && list.eq_ignore_ascii_case("list")
            && !name.eq_ignore_ascii_case("mailing"))
        .then_some(name)
    });
    quoted
        .or(before_list)
        .filter(|name| !name.is_empty() && !name.contains([' ', '@', '\'']))
        .map(|name| format!("{name}@{domain}"))
}

/// `rundbrief@…` for `rundbrief-request@…` or `owner-rundbrief@…`.
fn without_manager_suffix(address: &str) -> String {
    let Some((local, domain)) = address.split_once('@') else {
        return address.to_string();
    };
    let lower = local.to_ascii_lowercase();
    let base = signs("list_notice.manager_suffixes")
        .find_map(|m| lower.strip_suffix(m).map(|b| &local[..b.len()]))
        .or_else(|| {
            lower
                .strip_prefix("owner-")
                .map(|b| &local[local.len() - b.len()..])
        })
        .unwrap_or(local);
    format!("{base}@{domain}")
}

/// The notice's sentence that tells the outcome (also when it wraps), and the reason
/// words after it, up to a link: at most a few hundred bytes.
fn statement(n: &Notice, matched: &str) -> String {
    let squashed = text::squash(&n.text[..n.text.floor_char_boundary(16 * 1024)]);
    let lower = squashed.to_ascii_lowercase();
    let Some(at) = lower.find(matched).filter(|_| !matched.is_empty()) else {
        return String::new();
    };
    let earliest = lower.floor_char_boundary(at.saturating_sub(200));
    let start = lower[earliest..at]
        .rfind(". ")
        .map_or(earliest, |p| earliest + p + 2);
    let rest = &squashed[start..];
    let end = rest.find("http").unwrap_or(rest.len());
    rest[..rest.floor_char_boundary(end.min(400))]
        .trim()
        .to_string()
}
