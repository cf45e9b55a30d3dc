//! Mail log lines pasted instead of a bounce: Postfix (`status=bounced (...)`), Sendmail
//! (`stat=...`, `dsn=...`) and Exim (`**`, `==`, `=>`). Lines of one queue ID become one
//! message with a recipient per delivery line.

use crate::engine::{RawRecipient, finish_recipient};
use crate::formats;
use crate::report::{
    Action, Evidence, EvidenceKind, HeaderSummary, Kind, Message, Reason, Submission,
};
use crate::text;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// One delivery line, read.
#[derive(Clone)]
struct LogLine {
    format: &'static str,
    queue_id: String,
    address: String,
    /// The address before aliasing or forwarding (Postfix `orig_to=`).
    original_address: Option<String>,
    action: Action,
    status: Option<String>,
    diagnostic: String,
    relay: Option<String>,
    span: std::ops::Range<usize>,
    /// A refusal while the message came in (no queued message of this server's own).
    arrival: bool,
    /// The envelope sender a refusal names (`from=<…>`, `F=<…>`), lower case.
    sender: Option<String>,
}

/// Lines of a person's words a log excerpt may have around it.
const MAX_PROSE: usize = 12;

/// Reads log lines. Returns `None` unless the input is mainly mail log lines with at
/// least one delivery result.
pub fn read(s: &str) -> Option<Vec<Message>> {
    let mut parsed = Vec::new();
    // Queue IDs whose message the server gave up on and returned.
    let mut expired: Vec<String> = Vec::new();
    // Each queued message's envelope sender ("" for a notice the server sent back).
    let mut senders: HashMap<String, String> = HashMap::new();
    // The login each queued message was handed in with, and its number of recipients.
    let mut logins: HashMap<String, String> = HashMap::new();
    let mut recipient_counts: HashMap<String, usize> = HashMap::new();
    // qmail's deliveries by number: (message, recipient).
    let mut qmail_deliveries: HashMap<String, (String, String)> = HashMap::new();
    let (mut total, mut loglike) = (0, 0);
    // Time-stamped log lines, and the other lines between them and after the last: a
    // log excerpt with a person's question above and their greeting below has none
    // between, and no server reply after (a notice pasted below the log). A line that
    // only names a mail program (a header naming amavisd) is no log line here.
    let mut dated = 0;
    let (mut prose_inside, mut prose_after, mut coded_after) = (0, 0, false);
    // Within the header lines of an Exim reject log entry.
    let mut reject_entry = false;
    for (span, line) in records(s) {
        let line = line.trim_end();
        if line.trim().is_empty() {
            reject_entry = false;
            continue;
        }
        // Chat lines around a log excerpt ("[09:31] Dave: here is the log") are neither.
        if is_chat_line(line) && !is_log_line(line) {
            continue;
        }
        // Exim's reject log follows a refusal after DATA with the message's headers,
        // among them `Envelope-to:`, the recipients.
        if reject_entry && !starts_with_date(line) {
            total += 1;
            loglike += 1;
            if let Some(to) = line.strip_prefix("Envelope-to:") {
                add_envelope_recipients(&mut parsed, to);
            }
            continue;
        }
        total += 1;
        // Log pastes look like logs from the first lines on (after a short question).
        if (total > 50 && loglike * 2 < total) || (total > MAX_PROSE && loglike == 0) {
            return None;
        }
        let log_line = is_log_line(line);
        loglike += usize::from(log_line);
        if log_line && has_timestamp(line) {
            dated += 1;
            prose_inside += prose_after;
            prose_after = 0;
            coded_after = false;
        } else if dated > 0 {
            prose_after += 1;
            coded_after |= text::has_code(line);
        }
        if let Some((number, delivery)) = qmail_start(line) {
            qmail_deliveries.insert(number, delivery);
        } else if let Some(l) = postfix(line)
            .or_else(|| postfix_reject(line))
            .or_else(|| sendmail(line))
            .or_else(|| exim(line))
            .or_else(|| exim_reject(line))
            .or_else(|| qmail(line, &qmail_deliveries))
            .or_else(|| opensmtpd(line))
        {
            // A refusal during the SMTP dialogue has no queue ID: it is a message of its own.
            let queue_id = match l.queue_id.as_str() {
                "" | "NOQUEUE" => format!("NOQUEUE@{}", span.start),
                _ => l.queue_id.clone(),
            };
            reject_entry = l.format == "exim-log" && l.address.is_empty();
            // Sendmail names all recipients of one result on one line (`to=<a>,<b>`).
            let further = match l.format {
                "sendmail-log" => field(line, "to").map_or_else(Vec::new, text::find_addresses),
                _ => Vec::new(),
            };
            let first = LogLine {
                span,
                queue_id,
                ..l
            };
            let others: Vec<LogLine> = (further.into_iter().skip(1))
                .map(|a| LogLine {
                    address: a.value,
                    ..first.clone()
                })
                .collect();
            parsed.push(first);
            parsed.extend(others);
        } else if let Some(id) = returned_queue(line) {
            expired.push(id);
        } else if let Some((id, sender)) = queued_sender(line) {
            let count = field(line, "nrcpt").and_then(|n| n.split(' ').next()?.parse().ok());
            if let Some(count) = count {
                recipient_counts.insert(id.clone(), count);
            }
            // Exim's authenticator and login (`A=dovecot_login:anna@example.org`).
            if let Some(auth) = line.split(' ').find_map(|w| w.strip_prefix("A=")) {
                let login = auth.split_once(':').map_or(auth, |(_, user)| user);
                logins.insert(id.clone(), login.to_ascii_lowercase());
            }
            // (A notice marked before keeps its mark: the postmaster's copy of one comes
            // from `double-bounce@`.)
            senders.entry(id).or_insert(sender);
        } else if let Some(login) = field(line, "sasl_username") {
            logins.insert(syslog_queue_id(line), login.to_ascii_lowercase());
        } else if let Some(id) = returned_notice(line) {
            senders.insert(id, String::new());
        }
    }
    keep_own_mail(&mut parsed, &senders);
    let excerpt = !parsed.is_empty()
        && dated > 0
        && prose_inside == 0
        && !coded_after
        && total - dated <= MAX_PROSE;
    if loglike * 10 < total * 7 && !excerpt {
        return None;
    }
    if parsed.is_empty() {
        // Rejections in a form not read here go to the free-text reader; lines without
        // any (logins, connections) tell of no message.
        let rejects = s.lines().any(|l| {
            let l = &l[..l.floor_char_boundary(4096)];
            let (reply, status) = text::find_codes(l);
            text::contains_ci(l, "reject")
                || reply.is_some_and(|c| !c.value.starts_with('2'))
                || status.is_some_and(|c| !c.value.starts_with('2'))
        });
        if rejects {
            return None;
        }
        let mut m = empty_message("mail-log", 0..s.len());
        m.kind = Kind::NotABounce;
        return Some(vec![m]);
    }
    let mut messages: Vec<Message> = Vec::new();
    // Each queue ID's message.
    let mut index: HashMap<String, usize> = HashMap::new();
    // Each message's recipients' places, by lower-case address.
    let mut slots: Vec<HashMap<String, usize>> = Vec::new();
    for line in parsed {
        let idx = *index.entry(line.queue_id.clone()).or_insert_with(|| {
            messages.push(empty_message(line.format, line.span.clone()));
            slots.push(HashMap::new());
            messages.len() - 1
        });
        let msg = &mut messages[idx];
        msg.span.end = line.span.end;
        let (start, end) = (line.span.start, line.span.end);
        let raw = RawRecipient {
            address: line.address,
            original_address: line.original_address,
            action: Some(line.action),
            status: line.status,
            command: formats::smtp_command(&line.diagnostic),
            diagnostic: line.diagnostic,
            remote_mta: line.relay,
            ..RawRecipient::default()
        };
        let mut r = finish_recipient(raw);
        if line.action == Action::Delivered {
            r.reason = Reason::Delivered;
        }
        // A recipient tried again (deferred, then sent or expired) ends in its last line,
        // which its evidence then points at. (Looked up by address: one queue ID may
        // have many recipients.)
        let slot = *slots[idx]
            .entry(r.address.to_ascii_lowercase())
            .or_insert(msg.recipients.len());
        let evidence = Evidence {
            start,
            end,
            what: EvidenceKind::Diagnostic,
            recipient: Some(slot),
        };
        if slot == msg.recipients.len() {
            msg.recipients.push(r);
            msg.evidence.push(evidence);
        } else {
            // Each recipient has one mark, pushed with it: the same place.
            msg.recipients[slot] = r;
            msg.evidence[slot] = evidence;
        }
    }
    for (id, login) in logins {
        if let Some(&i) = index.get(&id) {
            let named = messages[i].recipients.len();
            messages[i].submission = Some(Submission {
                login,
                recipients: recipient_counts.get(&id).copied().unwrap_or(named),
            });
        }
    }
    // Recipients still waiting when their message was returned have failed: it expired.
    for id in &expired {
        let Some(&i) = index.get(id) else {
            continue;
        };
        for r in &mut messages[i].recipients {
            if r.action == Some(Action::Delayed) {
                r.action = Some(Action::Failed);
                r.reason = Reason::Expired;
                r.hard_bounce = true;
            }
        }
    }
    for m in &mut messages {
        m.kind = if m
            .recipients
            .iter()
            .all(|r| r.action == Some(Action::Delivered))
        {
            Kind::DeliveryReport
        } else if m
            .recipients
            .iter()
            .all(|r| r.action == Some(Action::Delayed))
        {
            Kind::DelayNotice
        } else {
            Kind::Bounce
        };
    }
    Some(messages)
}

/// The lengths of a line that a mail program broke at its width (72 to 78 characters,
/// one word less): log lines themselves are longer.
const WRAPPED_WIDTH: std::ops::RangeInclusive<usize> = 55..=80;
/// The width at which a terminal cuts a long line, wherever it is.
const TERMINAL_WIDTH: usize = 80;

/// The input's lines, with a log line that a mail client or forum re-wrapped joined
/// again: a time-stamped log line goes on while it ends in `:` or `,`, leaves a
/// parenthesis open (`status=bounced (host …`) or broke at a mail program's width, up
/// to the next blank or time-stamped line.
fn records(s: &str) -> impl Iterator<Item = (std::ops::Range<usize>, Cow<'_, str>)> {
    const MAX_CONTINUATIONS: usize = 12;
    let mut lines = s
        .split_inclusive('\n')
        .scan(0, |offset, raw| {
            let start = *offset;
            *offset += raw.len();
            Some((start..*offset, raw))
        })
        .peekable();
    std::iter::from_fn(move || {
        let (mut span, first) = lines.next()?;
        let in_parens = |l: &str| l.matches('(').count() > l.matches(')').count();
        let open = |l: &str| {
            let l = l.trim_end();
            l.ends_with(':') || l.ends_with(',') || in_parens(l)
        };
        // A line that a mail program re-wrapped at its width goes on, wherever it broke.
        let wrapped = |l: &str| WRAPPED_WIDTH.contains(&l.trim_end().chars().count());
        if !(has_timestamp(first) && is_log_line(first) && (open(first) || wrapped(first))) {
            return Some((span, Cow::Borrowed(first)));
        }
        let mut joined = first.trim_end().to_string();
        let mut last = first;
        for _ in 0..MAX_CONTINUATIONS {
            if !open(&joined) && !wrapped(last) {
                break;
            }
            // (A server's reply pasted below the log is a line of its own, unless the log
            // line's parenthesis is still open: "status=bounced (host … said:" / "554 …".)
            let inside = in_parens(&joined);
            let Some((next_span, next)) = lines.next_if(|(_, l)| {
                !l.trim().is_empty()
                    && !has_timestamp(l)
                    && (inside || !text::starts_with_reply_code(l))
            }) else {
                break;
            };
            // (A terminal cuts at its width of 80 inside a word: "Me" / "ssage".)
            if last.trim_end_matches(['\r', '\n']).chars().count() != TERMINAL_WIDTH {
                joined.push(' ');
            }
            joined.push_str(next.trim());
            span.end = next_span.end;
            last = next;
        }
        Some((span, Cow::Owned(joined)))
    })
}

/// A message of a log or an export with no recipients yet, for its reader to fill.
pub fn empty_message(format: &'static str, span: std::ops::Range<usize>) -> Message {
    Message {
        kind: Kind::Bounce,
        format,
        span,
        reporting_mta: None,
        arrival_date: None,
        last_attempt_date: None,
        notice: HeaderSummary::default(),
        recipients: Vec::new(),
        original: None,
        evidence: Vec::new(),
        warnings: Vec::new(),
        submission: None,
        superseded: false,
    }
}

/// A line of a chat an admin copied along with the log: `[09:31] Dave: …`.
fn is_chat_line(line: &str) -> bool {
    let b = line.trim_start().as_bytes();
    let time = |s: &[u8]| {
        let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
        (1..=2).contains(&digits)
            && s.get(digits) == Some(&b':')
            && s[digits + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
                == 2
    };
    b.first() == Some(&b'[') && time(&b[1..])
}

/// A syslog line of a mail program, or an Exim main log line.
fn is_log_line(line: &str) -> bool {
    let syslog = [
        "postfix/",
        "sendmail[",
        "sm-mta[",
        "exim[",
        "dovecot",
        "amavis",
        "opendkim",
        "postfix[",
        "qmail",
        "smtpd[",
    ]
    .iter()
    .any(|p| line.contains(p));
    let exim = line.len() > 20
        && line.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && line.as_bytes()[4] == b'-'
        && (exim_event_line(line)
            || [
                " <= ",
                " => ",
                " -> ",
                " ** ",
                " == ",
                " Completed",
                " *> ",
                " rejected RCPT ",
                " rejected after DATA",
                " H=",
            ]
            .iter()
            .any(|m| line.contains(m)));
    syslog || exim || qmail_stamped(line)
}

/// An Exim connection or queue-run line: `2025-03-19 14:02:18 ` followed by a message ID
/// (`1ttH1q-000Gx2-3n`) or one of Exim's own openings.
fn exim_event_line(line: &str) -> bool {
    let b = line.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let stamped = starts_with_iso_date(line)
        && b.get(10) == Some(&b' ')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19)
        && b.get(19) == Some(&b' ');
    let Some(rest) = line.get(20..).filter(|_| stamped) else {
        return false;
    };
    let id = rest.split(' ').next().unwrap_or("").as_bytes();
    let exim_id = id.len() == 16 && id[6] == b'-' && id[13] == b'-';
    exim_id || crate::knowledge::signs("logs.exim_openings").any(|w| rest.starts_with(w))
}

/// True if `line` starts with a date as Exim writes it (`2025-03-10`).
pub fn starts_with_iso_date(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// The value of `key=` up to the next `, ` (or a parenthesised value).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let b = line.as_bytes();
    let start = line.match_indices(key).map(|(p, _)| p).find(|&p| {
        p > 0 && matches!(b[p - 1], b' ' | b',') && b.get(p + key.len()) == Some(&b'=')
    })? + key.len()
        + 1;
    let rest = &line[start..];
    let end = rest.find(", ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// The queue ID that syslog lines carry as `program[pid]: ID: ...`.
fn syslog_queue_id(line: &str) -> String {
    line.split("]: ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A queued message's envelope sender: Postfix's and Sendmail's `ID: from=<a@x>, size=`
/// and Exim's `ID <= a@x`. A returned notice has the empty sender (`<>`).
fn queued_sender(line: &str) -> Option<(String, String)> {
    if starts_with_date(line) {
        let mut words = line.split_whitespace().skip(2);
        let (id, arrow, from) = (words.next()?, words.next()?, words.next()?);
        return (arrow == "<=").then(|| (id.to_string(), envelope_sender(from)));
    }
    let syslog =
        line.contains("postfix/") || line.contains("sendmail[") || line.contains("sm-mta[");
    let from = field(line, "from")?;
    (syslog && field(line, "size").is_some() && field(line, "to").is_none())
        .then(|| (syslog_queue_id(line), envelope_sender(from)))
}

/// An envelope sender as a log writes it (`<a@example.org>`, `<>` for a notice, or bare),
/// in lower case; what follows its closing bracket is not part of it.
fn envelope_sender(value: &str) -> String {
    value
        .strip_prefix('<')
        .map_or(value, |v| v.split('>').next().unwrap_or(v))
        .to_ascii_lowercase()
}

/// The queue ID of a notice the server sent back about a message: Postfix's `sender
/// non-delivery notification: ID`, Sendmail's `ID: NOTICE-ID: DSN: …`.
fn returned_notice(line: &str) -> Option<String> {
    if let Some((_, id)) = line.split_once(" notification: ") {
        return Some(id.trim().to_string());
    }
    let (before, _) = line.split_once(": DSN: ")?;
    before.rsplit(": ").next().map(|id| id.trim().to_string())
}

/// Keeps the lines about the mail the paste is about. When a paste holds queued
/// messages, the notices the server sent back about them are no outcome of their own.
/// When it is a whole log excerpt (it shows where messages were queued), a refusal that
/// shares no address with those messages (a bot trying to relay) is someone else's
/// connection; hand-picked lines are all kept. A sender of the same domain is no sign of
/// a colleague: bots forge the server's own domains.
fn keep_own_mail(parsed: &mut Vec<LogLine>, senders: &HashMap<String, String>) {
    let is_notice = |id: &str| senders.get(id).is_some_and(String::is_empty);
    if !parsed.iter().any(|l| !l.arrival && !is_notice(&l.queue_id)) {
        return;
    }
    let mut known: HashSet<String> = senders
        .values()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect();
    let excerpt = !known.is_empty();
    known.extend(
        parsed
            .iter()
            .filter(|l| !l.arrival)
            .map(|l| l.address.to_ascii_lowercase()),
    );
    parsed.retain(|l| {
        if l.arrival {
            let shares = |a: &str| known.contains(&a.to_ascii_lowercase());
            !excerpt || shares(&l.address) || l.sender.as_deref().is_some_and(shares)
        } else {
            !is_notice(&l.queue_id)
        }
    });
}

/// The queue ID of a line that says the whole message went back to its sender after
/// the retry time ran out: Postfix `status=expired, returned to sender`, Sendmail
/// `return to sender: Cannot send message for 5 days` (or `sender notify:`).
fn returned_queue(line: &str) -> Option<String> {
    let postfix =
        line.contains("postfix") && line.contains(" status=expired") && !line.contains(" to=");
    let sendmail = (line.contains("sendmail[") || line.contains("sm-mta["))
        && line.find(": Cannot send message for").is_some_and(|at| {
            ["return to sender", "sender notify", "DSN"]
                .iter()
                .any(|w| line[..at].ends_with(w))
        });
    (postfix || sendmail).then(|| syslog_queue_id(line))
}

fn postfix(line: &str) -> Option<LogLine> {
    if !line.contains("postfix") {
        return None;
    }
    // `status=` is the last field; its server reply in brackets may hold commas.
    let status = line[line.find(" status=")? + 8..].trim();
    let address = text::first_address(field(line, "to")?)?;
    let word = status.split([' ', ',', '(']).next().unwrap_or("");
    let action = match word {
        "sent" => Action::Delivered,
        "deferred" => Action::Delayed,
        "bounced" | "expired" | "undeliverable" => Action::Failed,
        _ => return None,
    };
    let diagnostic = status
        .find('(')
        .map_or("", |p| {
            let inner = &status[p + 1..];
            inner.strip_suffix(')').unwrap_or(inner)
        })
        .trim()
        .to_string();
    Some(LogLine {
        format: "postfix-log",
        queue_id: syslog_queue_id(line),
        address,
        original_address: field(line, "orig_to").and_then(text::first_address),
        action,
        status: field(line, "dsn").map(str::to_string),
        diagnostic,
        relay: field(line, "relay")
            .map(|r| r.split('[').next().unwrap_or(r).to_string())
            .filter(|r| r != "none"),
        span: 0..0,
        arrival: false,
        sender: None,
    })
}

/// A refusal Postfix gave while the message came in: `NOQUEUE: reject: RCPT from
/// host[ip]: 554 5.7.1 <a@example.org>: Relay access denied; from=<…> to=<…>`, or a
/// milter's `milter-reject: END-OF-MESSAGE from host[ip]: 5.7.1 Spam message rejected; …`.
fn postfix_reject(line: &str) -> Option<LogLine> {
    if !line.contains("postfix") {
        return None;
    }
    let at = line
        .find(" reject: ")
        .or_else(|| line.find(" milter-reject: "))?;
    let rest = &line[at..];
    let diagnostic = if rest.starts_with(" reject: header ") || rest.starts_with(" reject: body ") {
        // cleanup quotes the refused line first; its reply comes after `helo=<…>: `.
        rest.rsplit_once(">: ")
            .map_or("", |(_, r)| r)
            .trim()
            .to_string()
    } else {
        // The reply follows the client's `host[ip]` (postscreen adds `:port`).
        let from = rest.find(" from ").unwrap_or(0);
        let close = from + rest[from..].find(']')?;
        let reply = rest[close + 1..].trim_start_matches(|c: char| c == ':' || c.is_ascii_digit());
        let reply = reply.trim_start();
        reply
            .split("; from=")
            .next()
            .unwrap_or(reply)
            .trim()
            .to_string()
    };
    let address = text::first_address(field(line, "to")?)?;
    Some(LogLine {
        // `from=<a@x> to=<b@y> proto=…`: the sender is what stands in the brackets.
        sender: field(line, "from").map(envelope_sender),
        ..refusal(
            "postfix-log",
            syslog_queue_id(line),
            address,
            diagnostic,
            false,
        )
    })
}

/// A refusal while the message came in: delayed when its code (or `temporary`) says so.
fn refusal(
    format: &'static str,
    queue_id: String,
    address: String,
    diagnostic: String,
    temporary: bool,
) -> LogLine {
    let (code, status) = text::find_codes(&diagnostic);
    let temporary = temporary
        || code
            .as_ref()
            .or(status.as_ref())
            .is_some_and(|c| c.value.starts_with('4'));
    LogLine {
        format,
        queue_id,
        address,
        original_address: None,
        action: if temporary {
            Action::Delayed
        } else {
            Action::Failed
        },
        status: status.map(|s| s.value),
        diagnostic,
        relay: None,
        span: 0..0,
        arrival: true,
        sender: None,
    }
}

fn sendmail(line: &str) -> Option<LogLine> {
    if !(line.contains("sendmail[") || line.contains("sm-mta[")) {
        return None;
    }
    let stat = line.find(" stat=").map(|p| line[p + 6..].trim())?;
    let address = text::first_address(field(line, "to")?)?;
    let dsn = field(line, "dsn").map(str::to_string);
    let action = if stat.starts_with("Sent") {
        Action::Delivered
    } else if stat.starts_with("Deferred") || dsn.as_deref().is_some_and(|d| d.starts_with('4')) {
        Action::Delayed
    } else {
        Action::Failed
    };
    Some(LogLine {
        format: "sendmail-log",
        original_address: None,
        queue_id: syslog_queue_id(line),
        address,
        action,
        status: dsn,
        diagnostic: stat.to_string(),
        relay: field(line, "relay").map(|r| {
            r.split(' ')
                .next()
                .unwrap_or(r)
                .trim_end_matches('.')
                .to_string()
        }),
        span: 0..0,
        arrival: false,
        sender: None,
    })
}

/// A refusal Exim gave while the message came in: `H=(helo) [ip] F=<a@example.org>
/// rejected RCPT <b@example.net>: relay not permitted`.
fn exim_reject(line: &str) -> Option<LogLine> {
    if !starts_with_date(line) {
        return None;
    }
    // After DATA the line names no recipient; the reject log's `Envelope-to:` does.
    let (address, rest) = match line.find(" rejected RCPT ") {
        Some(at) => {
            let rest = &line[at + 15..];
            (text::first_address(rest.split_whitespace().next()?)?, rest)
        }
        None => (
            String::new(),
            &line[line.find(" rejected after DATA")? + 1..],
        ),
    };
    let diagnostic = rest
        .split_once(": ")
        .map_or("", |(_, d)| d)
        .trim()
        .to_string();
    let temporary = line.contains(" temporarily rejected ");
    let sender = line.find(" F=<").map(|at| envelope_sender(&line[at + 3..]));
    Some(LogLine {
        sender,
        ..refusal("exim-log", String::new(), address, diagnostic, temporary)
    })
}

/// The recipients of an Exim reject log's `Envelope-to:` line: the refusal before it,
/// once per recipient.
fn add_envelope_recipients(parsed: &mut Vec<LogLine>, value: &str) {
    let addresses = text::find_addresses(value);
    if addresses.is_empty() {
        return;
    }
    let Some(refusal) = parsed.pop_if(|l| l.address.is_empty()) else {
        return;
    };
    for a in addresses {
        parsed.push(LogLine {
            address: a.value,
            ..refusal.clone()
        });
    }
}

/// qmail-send's `starting delivery 12: msg 345 to remote a@example.org`: the delivery's
/// number, and its message and recipient.
fn qmail_start(line: &str) -> Option<(String, (String, String))> {
    let rest = &line[line.find("starting delivery ")? + 18..];
    let (number, rest) = rest.split_once(": msg ")?;
    let (msg, rest) = rest.split_once(" to ")?;
    let address = text::first_address(rest.split_whitespace().last()?)?;
    Some((number.to_string(), (format!("msg {msg}"), address)))
}

/// qmail-send's result of a delivery started before: `delivery 12: failure:
/// Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/` (qmail writes `_` for spaces and `/`
/// between reply lines).
fn qmail(line: &str, deliveries: &HashMap<String, (String, String)>) -> Option<LogLine> {
    let rest = &line[line.find(" delivery ")? + 10..];
    let (number, rest) = rest.split_once(": ")?;
    let (result, text) = rest.split_once(": ").unwrap_or((rest, ""));
    let action = match result {
        "success" => Action::Delivered,
        "deferral" => Action::Delayed,
        "failure" => Action::Failed,
        _ => return None,
    };
    let (queue_id, address) = deliveries.get(number)?.clone();
    let diagnostic = text
        .trim_end_matches('/')
        .split('/')
        .map(|part| part.replace('_', " "))
        .collect::<Vec<_>>()
        .join(" ");
    Some(LogLine {
        format: "qmail-log",
        queue_id,
        address,
        original_address: None,
        action,
        status: None,
        diagnostic,
        relay: None,
        span: 0..0,
        arrival: false,
        sender: None,
    })
}

/// OpenSMTPD's result of a delivery to the next server: `mta delivery evpid=… to=<a@x>
/// … relay="ip (host)" … result="PermFail" stat="550 …"`.
fn opensmtpd(line: &str) -> Option<LogLine> {
    if !line.contains("smtpd[") || !line.contains(" mta delivery ") {
        return None;
    }
    let quoted = |key: &str| {
        let rest = &line[line.find(&format!(" {key}=\""))? + key.len() + 3..];
        rest.split('"').next()
    };
    let action = match quoted("result")? {
        "Ok" => Action::Delivered,
        "TempFail" => Action::Delayed,
        "PermFail" | "Loop" => Action::Failed,
        _ => return None,
    };
    Some(LogLine {
        format: "opensmtpd-log",
        queue_id: field(line, "evpid")
            .and_then(|v| v.split_whitespace().next())
            .unwrap_or("")
            .to_string(),
        address: text::first_address(field(line, "to")?.split_whitespace().next()?)?,
        original_address: None,
        action,
        status: None,
        diagnostic: quoted("stat").unwrap_or("").to_string(),
        relay: quoted("relay").and_then(|r| {
            let host = r.split_once('(')?.1.trim_end_matches(')');
            Some(host.to_string())
        }),
        span: 0..0,
        arrival: false,
        sender: None,
    })
}

/// A qmail-send line with its TAI64N time stamp (`@4000000067483a1b2c3d4e5f`), or with
/// that stamp made readable by `tai64nlocal` (`2025-03-20 09:12:44.512338500 new msg 1`).
fn qmail_stamped(line: &str) -> bool {
    let b = line.as_bytes();
    let tai =
        b.len() > 26 && b[0] == b'@' && b[1..25].iter().all(u8::is_ascii_hexdigit) && b[25] == b' ';
    let readable = starts_with_date(line)
        && line.get(19..20) == Some(".")
        && line
            .split_once(' ')
            .and_then(|(_, rest)| rest.split_once(' '))
            .is_some_and(|(_, event)| {
                crate::knowledge::signs("logs.qmail_events").any(|w| event.starts_with(w))
            });
    tai || readable
}

/// A time stamp starts the line, or its first word after a file name or container
/// (`/var/log/mail.log:Nov 16 …`, `postfix-1  | 2025-11-16T…`); qmail's stamps count.
fn has_timestamp(line: &str) -> bool {
    let head = &line[..line.floor_char_boundary(64)];
    starts_with_timestamp(head)
        || qmail_stamped(line)
        || head
            .match_indices([':', '|'])
            .any(|(at, _)| starts_with_timestamp(&head[at + 1..]))
}

/// A syslog (`Nov 16 11:48:02`), Exim or ISO 8601 time stamp starts the line.
fn starts_with_timestamp(line: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let line = line.trim_start();
    let syslog = MONTHS.iter().any(|m| {
        line.strip_prefix(m)
            .and_then(|rest| rest.strip_prefix(' '))
            .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    });
    syslog || starts_with_date(line)
}

/// A line that starts with a date (`2024-02-27 13:01:55`), as Exim's main log lines and
/// readable qmail stamps do.
fn starts_with_date(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 24 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

fn exim(line: &str) -> Option<LogLine> {
    if !starts_with_date(line) {
        return None;
    }
    let (marker, action) = [
        (" ** ", Action::Failed),
        (" == ", Action::Delayed),
        (" => ", Action::Delivered),
        (" -> ", Action::Delivered),
    ]
    .into_iter()
    .find(|(m, _)| line.contains(m))?;
    let at = line.find(marker)?;
    let queue_id = line[..at]
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_string();
    let rest = &line[at + marker.len()..];
    let address = text::first_address(rest.split_whitespace().next()?)?;
    // A delivery quotes the server's confirmation as `C="250 OK ..."`.
    let confirmation = rest
        .split_once(" C=\"")
        .map(|(_, c)| c.split('"').next().unwrap_or(c));
    let diagnostic = match action {
        Action::Delivered => confirmation.unwrap_or(""),
        _ => rest.split_once(": ").map_or("", |(_, d)| d),
    }
    .to_string();
    let relay = rest.find(" H=").map(|p| {
        rest[p + 3..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    });
    Some(LogLine {
        format: "exim-log",
        original_address: None,
        queue_id,
        address,
        action,
        status: None,
        diagnostic,
        relay,
        span: 0..0,
        arrival: false,
        sender: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_rewrapped_by_a_mail_program_or_a_terminal_are_joined() {
        // A mail program broke the line at spaces near 72 columns, the address alone on
        // a line of its own.
        let mail = "Nov  3 16:47:29 web02 postfix/smtp[9912]: 5F2C83A0B1:\nto=<vorstand@ruderclub.example>, relay=club-de01c.mail.protection.outlook.com[52.101.73.6]:25,\ndelay=1.4, delays=0.05/0/0.61/0.74, dsn=5.7.23, status=bounced (host\nclub-de01c.mail.protection.outlook.com[52.101.73.6] said: 550 5.7.23 The\nmessage was rejected because of Sender Policy Framework violation (in\nreply to end of DATA command))\n";
        let r = &read(mail).unwrap()[0].recipients[0];
        assert_eq!(r.address, "vorstand@ruderclub.example");
        assert_eq!(r.reason, Reason::AuthFailure);
        // A terminal cut it at 80 columns, inside words.
        let terminal = "Dec  2 13:40:21 mail postfix/smtp[30773]: 4XKq1F3sCkz6Wm1: to=<presse@example.or\ng>, relay=mail.example.org[203.0.113.15]:25, delay=3.4, delays=0.05/0.01/1.1/2.2\n, dsn=5.1.1, status=bounced (host mail.example.org[203.0.113.15] said: 550 5.1.1\n User unknown (in reply to RCPT TO command))\n";
        let r = &read(terminal).unwrap()[0].recipients[0];
        assert_eq!(r.address, "presse@example.org");
        assert_eq!(r.reason, Reason::UserUnknown);
    }

    #[test]
    fn postfix_bounce_line_becomes_a_recipient() {
        let log = "Jan  1 10:00:00 mx postfix/smtp[123]: 4AB12C3D: to=<neko@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <neko@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))\n";
        let msgs = read(log).unwrap();
        let r = &msgs[0].recipients[0];
        assert_eq!(r.address, "neko@example.org");
        assert_eq!(r.status.as_deref(), Some("5.1.1"));
        assert_eq!(r.reply_code.as_deref(), Some("550"));
        assert_eq!(r.reason, Reason::UserUnknown);
        assert_eq!(msgs[0].kind, Kind::Bounce);
    }

    #[test]
    fn a_postfix_reply_with_commas_is_kept_whole() {
        let log = "Jan  1 10:00:00 mx postfix/smtp[123]: 4AB12C3D: to=<neko@example.org>, relay=none, delay=432000, dsn=4.4.1, status=expired, returned to sender (connect to mx.example.org[192.0.2.1]:25: Connection timed out)\nJan  1 10:00:01 mx postfix/smtp[124]: 5BC23D4E: to=<tora@example.net>, relay=mx.example.net[192.0.2.2]:25, dsn=5.2.2, status=bounced (host mx.example.net[192.0.2.2] said: 550 Sorry, mailbox tora is over quota (in reply to RCPT TO command))\n";
        let messages = read(log).unwrap();
        let expired = &messages[0].recipients[0];
        assert_eq!(expired.reason, Reason::Expired);
        assert_eq!(
            expired.diagnostic.as_deref(),
            Some("connect to mx.example.org[192.0.2.1]:25: Connection timed out")
        );
        let full = &messages[1].recipients[0];
        assert_eq!(full.reason, Reason::MailboxFull);
        assert!(
            full.diagnostic
                .as_deref()
                .unwrap()
                .ends_with("(in reply to RCPT TO command)")
        );
    }

    #[test]
    fn sendmail_sent_is_a_delivery() {
        let log = "Jan  1 10:00:00 host sendmail[999]: x01AB: to=<a@example.org>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.org. [192.0.2.2], dsn=2.0.0, stat=Sent (ok 1234)\n";
        let msgs = read(log).unwrap();
        assert_eq!(msgs[0].kind, Kind::DeliveryReport);
        assert_eq!(msgs[0].recipients[0].reason, Reason::Delivered);
    }

    #[test]
    fn sendmail_names_all_recipients_of_one_result_on_one_line() {
        let log = "Jul 22 08:30:14 mx sendmail[22871]: 46M6UCaQ022869: to=<a@example.org>,<b@example.org>,<c@example.org>, delay=00:00:02, mailer=esmtp, relay=mx.example.org. [192.0.2.4], dsn=5.1.1, stat=User unknown\n";
        assert_eq!(
            recipients(log),
            ["a@example.org", "b@example.org", "c@example.org"]
                .map(|a| (a.to_string(), Reason::UserUnknown))
        );
    }

    #[test]
    fn a_re_wrapped_log_line_is_joined_again() {
        let log = "Our mails to the firm bounce. Log of the relay:\n\n\
            > Oct  2 08:15:44 out2 postfix/smtp[19033]: 3F1B8602A1:\n\
            > to=<office@example.org>,\n\
            > relay=mx.example.org[192.0.2.80]:25, delay=0.71,\n\
            > delays=0.05/0/0.66/0, dsn=5.7.1, status=bounced (host\n\
            > mx.example.org[192.0.2.80] refused to talk to me: 554 5.7.1\n\
            > Service unavailable; Client host [198.51.100.19] blocked using\n\
            > zen.spamhaus.org)\n\nThat is our outgoing IP.\n";
        let input = text::strip_quoting(log);
        assert_eq!(
            recipients(&input),
            [("office@example.org".to_string(), Reason::Blocked)]
        );
    }

    #[test]
    fn exim_lines_are_grouped_by_message_id() {
        let log = "2024-03-01 12:00:00 1rXyZa-000abc-1F ** bad@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3]: SMTP error from remote mail server after RCPT TO:<bad@example.org>: 550 5.1.1 No such user\n2024-03-01 12:00:00 1rXyZa-000abc-1F => good@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3] C=\"250 2.0.0 OK id=42\"\n";
        let msgs = read(log).unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].recipients.len(), 2);
        assert_eq!(msgs[0].recipients[0].reason, Reason::UserUnknown);
        let delivered = &msgs[0].recipients[1];
        assert_eq!(delivered.reason, Reason::Delivered);
        assert_eq!(delivered.diagnostic.as_deref(), Some("250 2.0.0 OK id=42"));
    }

    #[test]
    fn postfix_keeps_the_address_before_forwarding() {
        let log = "Jan  1 10:00:00 mx postfix/smtp[123]: 4AB12C3D: to=<neko@example.net>, orig_to=<info@example.org>, relay=mx.example.net[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\n";
        let r = &read(log).unwrap()[0].recipients[0];
        assert_eq!(r.original_address.as_deref(), Some("info@example.org"));
    }

    #[test]
    fn log_lines_without_a_delivery_are_no_bounce() {
        let log = "Jan  1 10:00:00 mx postfix/smtpd[99]: warning: unknown[192.0.2.66]: SASL LOGIN authentication failed: authentication failure\nJan  1 10:00:01 mx postfix/smtpd[99]: disconnect from unknown[192.0.2.66] ehlo=1 auth=0/1 quit=1 commands=2/3\n";
        let messages = read(log).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].kind, Kind::NotABounce);
        assert!(messages[0].recipients.is_empty());
    }

    #[test]
    fn a_log_failure_in_a_form_not_read_here_goes_to_the_text_reader() {
        let log = "Jan  1 10:00:00 mx qmail: 1712.1 delivery 1: failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/\n";
        assert!(read(log).is_none());
    }

    #[test]
    fn prose_is_not_a_log() {
        assert!(read("Hello, this is a normal mail.\nstatus=bounced is a word here\n").is_none());
    }

    fn recipients(log: &str) -> Vec<(String, Reason)> {
        read(log)
            .unwrap()
            .iter()
            .flat_map(|m| m.recipients.iter().map(|r| (r.address.clone(), r.reason)))
            .collect()
    }

    /// A bot's refused relay attempt and the notice the server sent back are not
    /// outcomes of the user's mail.
    #[test]
    fn other_senders_refusals_and_returned_notices_are_left_out() {
        let log = "Nov 28 10:00:03 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[185.220.101.33]: 554 5.7.1 <spam@victim.example>: Relay access denied; from=<x@y.example> to=<spam@victim.example> proto=ESMTP helo=<WIN>\nNov 28 10:00:12 mx1 postfix/qmgr[2]: 4Y0lB8: from=<info@agentur.example>, size=18422, nrcpt=1 (queue active)\nNov 28 10:00:13 mx1 postfix/smtp[3]: 4Y0lB8: to=<bob@kunde.example>, relay=mx.kunde.example[198.51.100.12]:25, dsn=5.1.1, status=bounced (host mx.kunde.example[198.51.100.12] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\nNov 28 10:00:13 mx1 postfix/bounce[4]: 4Y0lB8: sender non-delivery notification: 4Y0lBh\nNov 28 10:00:14 mx1 postfix/local[5]: 4Y0lBh: to=<info@agentur.example>, relay=local, dsn=2.0.0, status=sent (delivered to mailbox)\n";
        assert_eq!(
            recipients(log),
            [("bob@kunde.example".to_string(), Reason::UserUnknown)]
        );
        let alone = log.lines().next().unwrap();
        assert_eq!(recipients(alone).len(), 1, "a refusal pasted alone is read");
    }

    /// Exim's connection lines carry no mark but its timestamp; they keep the excerpt a log.
    #[test]
    fn exim_refusals_between_connection_lines_are_read() {
        let log = "2025-03-19 14:02:17 H=(pc) [203.0.113.150]:55312 I=[198.51.100.10]:587 F=<info@firma.example> A=dovecot_plain:info@firma.example rejected RCPT <kunde@example.org>: Sender rate overlimit - 412.0 / 1h / per_rcpt\n2025-03-19 14:02:18 SMTP connection from (pc) [203.0.113.150]:55312 I=[198.51.100.10]:587 closed by QUIT\n";
        assert_eq!(
            recipients(log),
            [("kunde@example.org".to_string(), Reason::RateLimited)]
        );
        // Dated lines of a ticket are prose, not a log.
        let ticket = "2025-03-19 14:02:11 Delivery to bob@kunde.example failed: mailbox full\n2025-03-19 14:05:40 Customer called about it\n";
        assert!(read(ticket).is_none());
    }

    /// A refusal that shares an address with the pasted mail is what the admin asks about.
    #[test]
    fn refusals_about_the_pasted_mail_are_kept() {
        let log = "Nov 28 10:00:01 mx postfix/submission/smtpd[1]: NOQUEUE: reject: RCPT from pc.example[198.51.100.9]: 554 5.7.1 <bob@kunde.example>: Relay access denied; from=<info@agentur.example> to=<bob@kunde.example> proto=ESMTP helo=<pc>\nNov 28 10:05:00 mx postfix/qmgr[2]: ABC123: from=<info@agentur.example>, size=1000, nrcpt=1 (queue active)\nNov 28 10:05:01 mx postfix/smtp[3]: ABC123: to=<anna@other.example>, relay=mx.other.example[192.0.2.5]:25, dsn=2.0.0, status=sent (250 ok)\n";
        assert_eq!(
            recipients(log),
            [
                ("bob@kunde.example".to_string(), Reason::NoRelaying),
                ("anna@other.example".to_string(), Reason::Delivered)
            ]
        );
    }

    /// Sendmail gives up after days and says so on a line of its own: the recipient
    /// still deferred has expired.
    #[test]
    fn sendmail_giving_up_expires_the_deferred_recipient() {
        let log = "Mar 12 11:14:00 gw sm-mta[30281]: 52759Lq2004012: to=<kontakt@partner.example>, delay=5+00:01:10, xdelay=00:00:00, mailer=esmtp, pri=15120431, relay=mx.partner.example., dsn=4.4.7, stat=Deferred: Connection refused by mx.partner.example.\nMar 12 11:14:00 gw sm-mta[30281]: 52759Lq2004012: 52CAE0aB030281: sender notify: Cannot send message for 5 days\n";
        assert_eq!(
            recipients(log),
            [("kontakt@partner.example".to_string(), Reason::Expired)]
        );
        let older = log.replace("sender notify:", "return to sender:");
        assert_eq!(recipients(&older)[0].1, Reason::Expired);
        let pending = log.lines().next().unwrap();
        assert_eq!(recipients(pending)[0].1, Reason::NetworkError);
    }

    /// qmail-send names the recipient when a delivery starts and the result later.
    #[test]
    fn qmail_deliveries_are_linked_to_their_recipients() {
        let log = "@400000006748363a1b2c55ff starting delivery 512: msg 7340 to remote hans@gmail.com\n@400000006748363a1b2c6a11 starting delivery 513: msg 7340 to remote info@nichtda.example\n@400000006748363b0a1b2c3d delivery 512: failure: 550-5.1.1_The_email_account_that_you_tried_to_reach_does_not_exist./\n@400000006748363b0b000001 delivery 513: failure: Sorry,_I_couldn't_find_any_host_named_nichtda.example._(#5.1.2)/\n";
        assert_eq!(
            recipients(log),
            [
                ("hans@gmail.com".to_string(), Reason::UserUnknown),
                ("info@nichtda.example".to_string(), Reason::HostUnknown)
            ]
        );
    }

    #[test]
    fn opensmtpd_delivery_results_are_read() {
        let log = "Nov 28 11:02:34 relay smtpd[4411]: 7a3c mta delivery evpid=c0ffee01 from=<a@ops.example> to=<noc@partner.example> rcpt=<-> source=\"203.0.113.14\" relay=\"198.51.100.61 (mx.partner.example)\" delay=3s result=\"PermFail\" stat=\"550 5.7.1 <noc@partner.example>... Relaying denied.\"\n";
        let m = read(log).unwrap();
        let r = &m[0].recipients[0];
        assert_eq!(r.address, "noc@partner.example");
        assert_eq!(r.reason, Reason::NoRelaying);
        assert_eq!(r.remote_mta.as_deref(), Some("mx.partner.example"));
    }
}
