//! Mail queue listings an admin pastes instead of a bounce: Postfix `mailq` (or
//! `postqueue -p`), Sendmail `mailq` and Exim `exim -bp`. Each queued message is still
//! being tried: it becomes a delay notice whose recipients carry the reason the listing
//! shows above them. Exim shows none, but marks recipients already delivered; the
//! message log an admin adds (`exim -Mvl ID`) gives the reason of its last deferral.

use crate::engine::{MAX_RECIPIENTS, RawRecipient, finish_recipient};
use crate::formats;
use crate::logs::empty_message;
use crate::report::{
    Action, Decision, Evidence, EvidenceKind, Kind, Message, Reason, Recipient, Warning,
};
use crate::text;
use std::collections::HashMap;

/// The column header must come within this many lines (a shell prompt may stand above it).
const HEADER_WITHIN: usize = 20;
/// Queued messages read from one listing, at most.
const MAX_QUEUED: usize = 10_000;

/// Reads a queue listing, or `None` when the input holds none; and whether it held more
/// messages than are read.
pub fn read(s: &str) -> Option<(Vec<Message>, bool)> {
    let mut offset = 0;
    let mut lines = s.split_inclusive('\n').map(|raw| {
        let at = offset;
        offset += raw.len();
        (at, raw.trim_end())
    });
    // Postfix and Sendmail start with a column header; Exim with its first message.
    let head: Vec<(usize, &str)> = lines.by_ref().take(HEADER_WITHIN).collect();
    let (format, first) = head.iter().enumerate().find_map(|(i, (_, l))| {
        listing_format(l)
            .map(|f| (f, i + 1))
            .or_else(|| exim_entry(l).map(|_| ("exim-queue", i)))
    })?;
    let lines = head[first..].iter().copied().chain(lines);
    let exim = format == "exim-queue";
    let entry = if exim { exim_entry } else { entry_line };
    let mut messages: Vec<Message> = Vec::new();
    // Whether each message is on hold (Postfix `!`) or frozen (Exim).
    let mut held: Vec<bool> = Vec::new();
    let mut cut = false;
    // Exim: the message of each ID, the message whose log (`exim -Mvl ID`) follows, and
    // the last deferral each address of a message had there (where its reason starts).
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut log_of: Option<usize> = None;
    // (Per message: the lower-case address's last deferral in `deferred`.)
    let mut deferrals: Vec<HashMap<String, usize>> = Vec::new();
    let mut deferred: Vec<(usize, &str)> = Vec::new();
    // The reason shown last in the current message, and where it stands.
    let mut reason: Option<(usize, &str)> = None;
    for (at, line) in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || line.starts_with("--") || trimmed.starts_with("Total requests") {
            continue;
        }
        if exim {
            if let Some(rest) = line.split(" -Mvl ").nth(1) {
                log_of = rest
                    .split_whitespace()
                    .next()
                    .and_then(|id| by_id.get(id).copied());
                continue;
            }
            // Every dated line of a message log is about that message, not a new one.
            if let Some(i) = log_of
                && crate::logs::starts_with_iso_date(trimmed)
            {
                if let Some((address, start, diagnostic)) = msglog_deferral(line) {
                    deferrals[i].insert(address.to_ascii_lowercase(), deferred.len());
                    deferred.push((at + start, diagnostic));
                }
                continue;
            }
        }
        let starts_entry = entry(line);
        let Some(m) = messages
            .last_mut()
            .filter(|_| starts_entry.is_none() && line.starts_with([' ', '\t', '(']))
        else {
            let Some(on_hold) = starts_entry else {
                continue;
            };
            if messages.len() == MAX_QUEUED {
                cut = true;
                break;
            }
            if exim && let Some(id) = line.split_whitespace().nth(2) {
                by_id.insert(id.to_string(), messages.len());
            }
            let mut m = empty_message(format, at..at + line.len());
            m.kind = Kind::DelayNotice;
            messages.push(m);
            held.push(on_hold);
            deferrals.push(HashMap::new());
            (reason, log_of) = (None, None);
            continue;
        };
        m.span.end = at + line.len();
        if let Some(inner) = trimmed.strip_prefix('(') {
            let start = at + (line.len() - trimmed.len()) + 1;
            reason = Some((start, inner.strip_suffix(')').unwrap_or(inner)));
            continue;
        }
        // Exim marks recipients already delivered with `D`.
        let delivered = exim && trimmed.starts_with("D ");
        for address in text::find_addresses(trimmed) {
            if m.recipients.len() == MAX_RECIPIENTS {
                if m.warnings.is_empty() {
                    m.warnings.push(Warning::Truncated {
                        limit: "recipients".into(),
                    });
                }
                break;
            }
            add_recipient(m, address.value, reason, held[held.len() - 1], delivered);
        }
    }
    for (i, last) in deferrals.iter().enumerate() {
        for (address, &k) in last {
            let (start, diagnostic) = deferred[k];
            set_deferral(&mut messages[i], held[i], address, start, diagnostic);
        }
    }
    for m in &mut messages {
        crate::order::by_rank(&mut m.evidence, |e| e.start);
    }
    (!messages.is_empty()).then_some((messages, cut))
}

/// The format of a listing's column header line, if `line` is one.
fn listing_format(line: &str) -> Option<&'static str> {
    if !line.contains("Sender/Recipient") {
        return None;
    }
    if line.contains("Queue ID") {
        Some("postfix-queue")
    } else if line.contains("Q-ID") {
        Some("sendmail-queue")
    } else {
        None
    }
}

/// A queued message's first line (`4F1A22C0E3*  2914 Sun Nov 29 09:12:44  a@example.org`):
/// whether the message is on hold (Postfix marks it `!`), or `None` if it is no such line.
/// Postfix marks a message being delivered `*`; Sendmail marks one being processed `*`,
/// one too young to be tried again `-`, and one put off because the load is too high `X`.
fn entry_line(line: &str) -> Option<bool> {
    let mut words = line.split_whitespace();
    let id = words.next()?;
    let size = words.next()?;
    let bare = id.trim_end_matches(['*', '!', 'X', '-']);
    let is_id = bare.len() >= 6 && bare.bytes().all(|c| c.is_ascii_alphanumeric());
    (is_id && size.bytes().all(|c| c.is_ascii_digit())).then_some(id.ends_with('!'))
}

/// An Exim queue entry's first line (` 25m  2.9K 1tl7Qa-0005Rt-2B <a@example.org>`):
/// whether the message is frozen (it waits for the admin), or `None` if it is no such
/// line.
fn exim_entry(line: &str) -> Option<bool> {
    let mut words = line.split_whitespace();
    let age = words.next()?;
    let size = words.next()?;
    let id = words.next()?;
    let sender = words.next()?;
    let age_ok = match age.as_bytes() {
        [digits @ .., unit] => {
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) && b"smhdw".contains(unit)
        }
        [] => false,
    };
    let number = size.trim_end_matches(['K', 'M']);
    let size_ok = number.starts_with(|c: char| c.is_ascii_digit())
        && number.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    let parts: Vec<&str> = id.split('-').collect();
    let id_ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| p.len() >= 2 && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    (age_ok && size_ok && id_ok && sender.starts_with('<')).then(|| line.contains("*** frozen ***"))
}

/// A deferral in an Exim message log (`2025-03-10 09:12:46 a@example.org R=dnslookup
/// T=remote_smtp defer (-46) H=…: SMTP error …: 451 …`): the address, and the reason
/// with where it starts in the line. A later note that the retry time has not come yet
/// names no reason.
fn msglog_deferral(line: &str) -> Option<(&str, usize, &str)> {
    let mut words = line.split_whitespace();
    words.next()?;
    words.next()?;
    let address = words
        .next()
        .filter(|w| *w != "==")
        .or_else(|| words.next())?;
    let defer = line.find(" defer (")?;
    let after = defer + line[defer..].find(')')? + 1;
    let start = line[after..].find(": ").map_or(after, |p| after + p + 2);
    let start = start + (line[start..].len() - line[start..].trim_start().len());
    let diagnostic = line[start..].trim_end();
    (address.contains('@') && !diagnostic.contains("retry time not reached"))
        .then_some((address, start, diagnostic))
}

/// Gives the waiting recipient `address` of `m` the reason of its latest deferral; one
/// delivered since stays delivered.
fn set_deferral(m: &mut Message, held: bool, address: &str, start: usize, diagnostic: &str) {
    let Some(slot) = m.recipients.iter().position(|r| {
        r.address.eq_ignore_ascii_case(address) && r.action != Some(Action::Delivered)
    }) else {
        return;
    };
    let address = m.recipients[slot].address.clone();
    m.recipients[slot] = waiting(address, Some(diagnostic), held, false);
    m.evidence.retain(|e| e.recipient != Some(slot));
    m.evidence.push(Evidence {
        start,
        end: start + diagnostic.len(),
        what: EvidenceKind::Diagnostic,
        recipient: Some(slot),
    });
    // The message log may stand below later messages; the message reaches down to it.
    m.span.end = m.span.end.max(start + diagnostic.len());
}

/// Adds a recipient still waiting (or delivered), with the reason shown above it.
fn add_recipient(
    m: &mut Message,
    address: String,
    reason: Option<(usize, &str)>,
    held: bool,
    delivered: bool,
) {
    if let Some((start, text)) = reason {
        m.evidence.push(Evidence {
            start,
            end: start + text.len(),
            what: EvidenceKind::Diagnostic,
            recipient: Some(m.recipients.len()),
        });
    }
    let r = waiting(address, reason.map(|(_, r)| r), held, delivered);
    m.recipients.push(r);
}

/// A queued recipient: delivered already (Exim's `D`), or still waiting with the reason
/// shown for it, if any. A message on hold waits for the admin whatever its last
/// reason. A waiting one has not expired: where the notice-reading rules would say so
/// for a delay, a named cause is a failing connection, an unnamed one is unknown.
fn waiting(address: String, reason: Option<&str>, held: bool, delivered: bool) -> Recipient {
    let diagnostic = reason.unwrap_or("");
    let mut r = finish_recipient(RawRecipient {
        address,
        action: Some(if delivered {
            Action::Delivered
        } else {
            Action::Delayed
        }),
        command: formats::smtp_command(diagnostic),
        diagnostic: diagnostic.to_string(),
        delay_notice: true,
        ..RawRecipient::default()
    });
    let unnamed = reason.is_none() || matches!(r.decided_by.source, "none" | "action");
    let (reason, decided_by) = if delivered {
        (Reason::Delivered, Some(("action", "delivered")))
    } else if held {
        (Reason::OnHold, Some(("kind", "held in the queue")))
    } else if unnamed {
        (Reason::Undefined, Some(("none", "")))
    } else if r.reason == Reason::Expired {
        (Reason::NetworkError, None)
    } else {
        (r.reason, None)
    };
    r.reason = reason;
    if let Some((source, matched)) = decided_by {
        r.decided_by = Decision {
            source,
            matched: matched.to_string(),
        };
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(s: &str) -> Vec<(String, Reason, usize)> {
        read(s)
            .unwrap()
            .0
            .into_iter()
            .enumerate()
            .flat_map(|(i, m)| {
                assert_eq!(m.kind, Kind::DelayNotice);
                m.recipients
                    .into_iter()
                    .map(move |r| (r.address, r.reason, i))
            })
            .collect()
    }

    #[test]
    fn a_postfix_queue_listing_gives_each_message_its_recipients_and_reasons() {
        let mailq = "root@mail:~# mailq\n-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n4F1A22C0E3      2914 Sun Nov 29 09:12:44  info@firma.example\n(host mx.example.org[192.0.2.10] said: 452 4.2.2 <kunde@example.org>: Mailbox full (in reply to RCPT TO command))\n                                         kunde@example.org\n\n91E0A3B7F2      5120 Sat Nov 28 22:01:13  news@firma.example\n(connect to mx.example.com[203.0.113.5]:25: Connection timed out)\n                                         a@example.com\n                                         b@example.com\n\nB2C0E1F3A4!     1830 Sun Nov 29 11:40:02  info@firma.example\n                                         held@example.net\n\nC3D1E2F4A5*     1830 Sun Nov 29 11:41:02  info@firma.example\n                                         now@example.net\n\n-- 12 Kbytes in 4 Requests.\n";
        assert_eq!(
            outcomes(mailq),
            [
                ("kunde@example.org".into(), Reason::MailboxFull, 0),
                ("a@example.com".into(), Reason::NetworkError, 1),
                ("b@example.com".into(), Reason::NetworkError, 1),
                ("held@example.net".into(), Reason::OnHold, 2),
                ("now@example.net".into(), Reason::Undefined, 3),
            ]
        );
        // The reason is marked where it stands in the listing.
        let m = &read(mailq).unwrap().0[0];
        let e = &m.evidence[0];
        assert!(mailq[e.start..e.end].starts_with("host mx.example.org"));
        assert!(mailq[e.start..e.end].ends_with("RCPT TO command)"));
    }

    #[test]
    fn a_sendmail_queue_listing_is_read() {
        let mailq = "\t\t/var/spool/mqueue (1 request)\n-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n4AUA1b2C012345     1234 Mon Nov 30 10:00 <info@firma.example>\n                 (Deferred: Connection refused by mx.example.org.)\n\t\t\t\t\t <kunde@example.org>\n\t\tTotal requests: 1\n";
        assert_eq!(
            outcomes(mailq),
            [("kunde@example.org".into(), Reason::NetworkError, 0)]
        );
    }

    #[test]
    fn an_exim_queue_listing_is_read() {
        let bp = "# exim -bp\n 25m  2.9K 1tl7Qa-0005Rt-2B <info@firma.example>\n          kunde@example.org\n        D chef@firma.example\n\n 3d   12K 1tk2Ab-0001Xy-7Q <> *** frozen ***\n          nobody@invalid.example\n";
        let (m, _) = read(bp).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].format, "exim-queue");
        let got: Vec<_> = m
            .iter()
            .flat_map(|m| m.recipients.iter().map(|r| (r.address.as_str(), r.reason)))
            .collect();
        assert_eq!(
            got,
            [
                ("kunde@example.org", Reason::Undefined),
                ("chef@firma.example", Reason::Delivered),
                ("nobody@invalid.example", Reason::OnHold),
            ]
        );
    }

    /// The message log added below the listing gives the waiting recipient its reason.
    #[test]
    fn an_exim_message_log_gives_the_reason_of_the_deferral() {
        let paste = "# exim -bp\n 2d   12K 1trXyz-0009Q1-7K <shop@example.com>\n          kunde@firma.example\n\n# exim -Mvl 1trXyz-0009Q1-7K\n2025-03-10 09:12:44 Received from shop@example.com U=www-data P=local S=12345\n2025-03-10 09:12:46 kunde@firma.example R=dnslookup T=remote_smtp defer (-46) H=mx.firma.example [198.51.100.30] X=TLS1.2 CV=yes: SMTP error from remote mail server after RCPT TO:<kunde@firma.example>: 452 4.2.2 Mailbox full\n";
        let m = &read(paste).unwrap().0[0];
        assert_eq!(m.recipients[0].reason, Reason::MailboxFull);
        let e = &m.evidence[0];
        assert!(paste[e.start..e.end].starts_with("SMTP error"));
        assert!(e.end <= m.span.end);
    }

    /// Sendmail's `-` (too young to retry) starts a message; Postfix's "reason
    /// unavailable" is no expiry; a message on hold waits for the admin whatever its
    /// last reason.
    #[test]
    fn markers_and_unknown_reasons_are_read_as_they_are_meant() {
        let sendmail = "-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n4AUA1b2C012345     1234 Mon Nov 30 10:00 <info@firma.example>\n                 (Deferred: Connection refused by mx.example.org.)\n\t\t\t\t\t <kunde@example.org>\n4AUA1b2C012399-    5678 Mon Nov 30 10:05 <chef@firma.example>\n                 (Deferred: 452 4.2.2 Mailbox full)\n\t\t\t\t\t <voll@example.org>\n";
        assert_eq!(
            outcomes(sendmail),
            [
                ("kunde@example.org".into(), Reason::NetworkError, 0),
                ("voll@example.org".into(), Reason::MailboxFull, 1),
            ]
        );
        let postfix = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n4F1A22C0E3      2914 Sun Nov 29 09:12:44  info@firma.example\n(reason unavailable)\n                                         a@example.org\n\nB2C0E1F3A4!     1830 Sun Nov 29 11:40:02  info@firma.example\n(connect to mx.example.net[192.0.2.3]:25: Connection timed out)\n                                         b@example.net\n";
        assert_eq!(
            outcomes(postfix),
            [
                ("a@example.org".into(), Reason::Undefined, 0),
                ("b@example.net".into(), Reason::OnHold, 1),
            ]
        );
    }

    /// A recipient delivered since an earlier deferral stays delivered; a note that the
    /// retry time has not come yet keeps the real reason.
    #[test]
    fn an_exim_message_log_keeps_deliveries_and_real_reasons() {
        let paste = "# exim -bp\n 2d   12K 1trXyz-0009Q1-7K <shop@example.com>\n        D chef@example.com\n          kunde@firma.example\n\n# exim -Mvl 1trXyz-0009Q1-7K\n2025-03-10 09:12:40 chef@example.com R=dnslookup T=remote_smtp defer (-44): SMTP error from remote mail server after RCPT TO:<chef@example.com>: 451 4.7.1 Greylisted\n2025-03-10 09:12:46 kunde@firma.example R=dnslookup T=remote_smtp defer (-46): SMTP error from remote mail server after RCPT TO:<kunde@firma.example>: 452 4.2.2 Mailbox full\n2025-03-10 09:40:00 kunde@firma.example R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host\n";
        assert_eq!(
            outcomes(paste),
            [
                ("chef@example.com".into(), Reason::Delivered, 0),
                ("kunde@firma.example".into(), Reason::MailboxFull, 0),
            ]
        );
    }

    /// Quoted in a ticket (indented), the message log still belongs to its message; a
    /// named cause of a deferral is kept, an unknown one is no expiry.
    #[test]
    fn an_indented_message_log_and_named_causes_are_read() {
        let paste = "# exim -bp\n 2d   12K 1trXyz-0009Q1-7K <shop@example.com>\n          kunde@firma.example\n# exim -Mvl 1trXyz-0009Q1-7K | tail\n2025-03-10 09:12:44 Received from shop@example.com U=www-data P=local S=12345\n2025-03-10 09:12:46 kunde@firma.example R=dnslookup T=remote_smtp defer (-46): SMTP error from remote mail server after RCPT TO:<kunde@firma.example>: 452 4.2.2 Mailbox full\n2025-03-10 09:40:00 kunde@firma.example R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host\n";
        let indented: String = paste.lines().map(|l| format!("    {l}\n")).collect();
        assert_eq!(
            outcomes(&indented),
            [("kunde@firma.example".into(), Reason::MailboxFull, 0)]
        );
        let postfix = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n4F1A22C0E3      2914 Sun Nov 29 09:12:44  info@firma.example\n(host mx.example.org[192.0.2.1] said: 421 4.4.2 xyz)\n                                         a@example.org\n";
        assert_eq!(
            outcomes(postfix),
            [("a@example.org".into(), Reason::NetworkError, 0)]
        );
    }

    /// Recipients beyond the limit are dropped, with a warning.
    #[test]
    fn recipients_beyond_the_limit_are_dropped_with_a_warning() {
        let mut mailq = String::from(
            "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n4F1A22C0E3      2914 Sun Nov 29 09:12:44  info@firma.example\n",
        );
        for i in 0..=MAX_RECIPIENTS {
            mailq.push_str(&format!(
                "                                         r{i}@example.org\n"
            ));
        }
        let (m, _) = read(&mailq).unwrap();
        assert_eq!(m[0].recipients.len(), MAX_RECIPIENTS);
        assert_eq!(m[0].warnings.len(), 1);
    }

    #[test]
    fn other_text_is_no_listing() {
        assert!(read("Sender/Recipient lists are shown below.\nhello\n").is_none());
        assert!(read("Envoyé : lundi 3 mars 2025\n").is_none());
        assert!(
            read("-Queue ID- --Size-- ----Arrival Time---- -Sender/Recipient-------\n").is_none()
        );
    }
}
