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
    // A bounce the list passes on to its owner is read as the bounce it is.
    let returned_bounce = (n.original.as_ref())
        .and_then(|o| o.from.as_deref())
        .and_then(text::first_address)
        .is_some_and(|a| text::is_system_address(&a));
    if returned_bounce || !n.attached_notices.is_empty() || crate::formats::has_body_sign(&n.lower)
    {
        return None;
    }
    // Administrative mail counts only with a list manager's own headers; a post's fate
    // also from a manager's address, or in a paste without headers.
    let headers = ["x-mailman-version", "x-list-administrivia"]
        .iter()
        .any(|h| n.header(h).is_some());
    let from_manager = n
        .headers
        .from
        .as_deref()
        .and_then(text::first_address)
        .is_some_and(|a| is_manager(&a));
    if !(headers || from_manager || !n.has_headers) {
        return None;
    }
    // (Sentences wrap: "forwarded to the list / moderator(s)".)
    let own = text::squash(n.own_words());
    let said = |list: &str| signs(list).find(|w| own.contains(w));
    let outcome = if let Some(w) = said("list_notice.held") {
        (Outcome::Held, w)
    } else if let Some(w) = said("list_notice.refused")
        && said(match n.has_headers {
            true => "list_notice.list_words",
            false => "list_notice.list_names",
        })
        .is_some()
    {
        let reason = if said("list_notice.size_rules").is_some() {
            Reason::EmailTooLarge
        } else if said("list_notice.content_rules").is_some() {
            Reason::ContentError
        } else {
            Reason::Rejected
        };
        (Outcome::Refused(reason), w)
    } else {
        (Outcome::Other, "")
    };
    (outcome.0 != Outcome::Other || headers).then_some(outcome)
}

/// True if `address` is a list manager's own (`sympa@…`, `team-owner@…`).
fn is_manager(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("").to_ascii_lowercase();
    signs("list_notice.managers").any(|m| local == m)
        || signs("kind.list_managers").any(|m| local.contains(m))
}

/// The list's address: named in the list headers or the subject, by its name at the
/// manager's domain (`the ARCHIV-L list`, `list "rundbrief"`), or in the notice's words,
/// also as a manager address of the list (`rundbrief-request@…` for `rundbrief@…`).
fn list_address(n: &Notice) -> Option<String> {
    let header = ["x-beenthere", "list-post", "subject"]
        .iter()
        .find_map(|h| n.header(h).and_then(text::first_address))
        .or_else(|| named_list(n));
    let user = n.headers.to.as_deref().and_then(text::first_address);
    let is_user = |a: &str| user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(a));
    let body = text::find_addresses(n.own_words())
        .into_iter()
        .map(|a| a.value)
        .filter(|a| !is_user(a));
    header
        .into_iter()
        .chain(body)
        .map(|a| without_manager_suffix(&a))
        .find(|a| !is_user(a) && !is_manager(a))
}

/// The list a notice names (`the ARCHIV-L list`, `list "rundbrief"`), at the domain of
/// the manager that wrote it.
fn named_list(n: &Notice) -> Option<String> {
    let domain = n.headers.from.as_deref().and_then(text::domain_of)?;
    let text = text::squash(&n.text[..n.text.floor_char_boundary(4096)]);
    let quoted = text.match_indices("list \"").find_map(|(at, _)| {
        let rest = &text[at + 6..];
        rest.split_once('"').map(|(name, _)| name)
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
    let base = signs("kind.list_managers")
        .find_map(|m| match m.strip_prefix('-') {
            Some(_) => lower.strip_suffix(m).map(|b| &local[..b.len()]),
            None => lower
                .strip_prefix(m)
                .map(|b| &local[local.len() - b.len()..]),
        })
        .unwrap_or(local);
    format!("{base}@{domain}")
}

/// The notice's sentence that tells the outcome, and the reason lines below it.
fn statement(n: &Notice, matched: &str) -> String {
    let lines: Vec<&str> = text::lines(&n.text).collect();
    let Some(at) = text::lines(&n.lower).position(|l| !matched.is_empty() && l.contains(matched))
    else {
        return String::new();
    };
    let start = at.saturating_sub(1);
    let words: Vec<&str> = lines[start..]
        .iter()
        .map(|l| l.trim())
        .take_while(|l| !l.contains("://"))
        .take(8)
        .collect();
    text::squash(&words.join(" "))
}
