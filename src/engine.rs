//! The engine's entry point: raw bytes in, a [`Report`] out. Splits the input into
//! messages (mbox, mail log lines, a single notice) and reads each one.

use crate::classify::{self, Facts};
use crate::dsn::DsnRecipient;
use crate::formats::{self, TextReading};
use crate::notice::{self, Notice};
use crate::report::*;
use crate::{logs, phishing, text};
use std::ops::Range;

/// Inputs larger than this are cut, with a note.
pub const MAX_INPUT: usize = 64 * 1024 * 1024;
/// At most this many messages are read from one input.
pub const MAX_MESSAGES: usize = 200_000;
/// Recipients beyond this in one message are dropped, with a warning.
pub const MAX_RECIPIENTS: usize = 500;

/// Reads whatever the user gave: a whole .eml, an mbox, text pasted from a mail client,
/// or mail log lines.
pub fn analyze(input: &[u8]) -> Report {
    let mut report = Report::default();
    let input = if input.len() > MAX_INPUT {
        report.notes.push(Note::InputTruncated);
        &input[..MAX_INPUT]
    } else {
        input
    };
    if input.iter().all(u8::is_ascii_whitespace) {
        report.notes.push(Note::EmptyInput);
        return report;
    }
    if looks_binary(input) {
        report.notes.push(Note::BinaryInput);
        return report;
    }
    let input = text::normalize_cr(input);
    // Queue listings, log excerpts and exports start with their lines; a mail starts with
    // its headers. Quoted-printable leftovers (`=20`, soft line breaks) and `>` quoting
    // go first.
    if let Ok(raw) = std::str::from_utf8(&input)
        && !notice::starts_with_headers(raw)
        && let s = text::strip_qp_debris(raw)
        && let s = text::strip_quoting(&s)
        && let Some((mut messages, cut)) = crate::queue_listing::read(&s)
            .or_else(|| logs::read(&s).map(|m| (m, false)))
            .or_else(|| crate::trace_export::read(&s))
    {
        // Offsets into cleaned text do not fit the input: each message then spans it
        // all, without marks.
        if s != raw {
            for m in &mut messages {
                m.span = 0..input.len();
                m.evidence.clear();
            }
        }
        report.messages = messages;
        if cut {
            report.notes.push(Note::TooManyMessages);
        }
        return report;
    }
    let spans: Vec<Range<usize>> = split_mbox(&input)
        .into_iter()
        .flat_map(|span| split_paste(&input, span))
        .collect();
    if spans.len() > MAX_MESSAGES {
        report.notes.push(Note::TooManyMessages);
    }
    report.messages = spans
        .into_iter()
        .take(MAX_MESSAGES)
        .flat_map(|span| read_with_attached(&input, span))
        .take(MAX_MESSAGES)
        .collect();
    mark_superseded(&mut report.messages);
    report
}

/// Marks each delay notice that later messages of the input end: each of its recipients
/// failed for good or was delivered in the last notice about it, with the same message
/// (its ID, else its subject, where both notices name one).
fn mark_superseded(messages: &mut [Message]) {
    let mut last_outcome: std::collections::HashMap<String, usize> = Default::default();
    for (i, m) in messages.iter().enumerate() {
        if matches!(m.kind, Kind::Bounce | Kind::DeliveryReport) {
            for r in m
                .recipients
                .iter()
                .filter(|r| r.action != Some(Action::Delayed))
            {
                if !r.address.is_empty() {
                    last_outcome.insert(r.address.to_ascii_lowercase(), i);
                }
            }
        }
    }
    for i in 0..messages.len() {
        let m = &messages[i];
        messages[i].superseded = m.kind == Kind::DelayNotice
            && !m.recipients.is_empty()
            && m.recipients.iter().all(|r| {
                last_outcome
                    .get(&r.address.to_ascii_lowercase())
                    .is_some_and(|&j| j > i && same_message(m, &messages[j]))
            });
    }
}

/// True unless two notices name different returned messages (by ID, else by subject).
fn same_message(a: &Message, b: &Message) -> bool {
    let (Some(a), Some(b)) = (&a.original, &b.original) else {
        return true;
    };
    match (&a.message_id, &b.message_id, &a.subject, &b.subject) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        _ => true,
    }
}

/// Reads one message of the input, then the further bounces attached to it (a mail that
/// forwards several notices as attachments) as messages of their own.
fn read_with_attached(input: &[u8], span: Range<usize>) -> Vec<Message> {
    let (msg, attached) = read_message(input, span.clone());
    std::iter::once(msg)
        .chain(attached.into_iter().map(|a| {
            let at = span.start + a.at.start..span.start + a.at.end;
            match a.decoded {
                None => read_message(input, at).0,
                Some(bytes) => {
                    // Read from its decoded bytes; its evidence points into those, not
                    // into the input.
                    let mut m = read_message(&bytes, 0..bytes.len()).0;
                    m.span = at;
                    m.evidence.clear();
                    m
                }
            }
        }))
        .collect()
}

/// NUL bytes or many control characters near the start: not text.
fn looks_binary(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    let nul = memchr::memchr_iter(0, head).count();
    // Bytes below 0x20 other than the text controls \t \n \f \r and ESC.
    let ctrl = head
        .iter()
        .filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | 0x1b))
        .count();
    nul > 0 && nul * 100 > head.len() || ctrl * 10 > head.len()
}

/// Splits an mbox at its `From ` postmark lines; anything else is one message.
fn split_mbox(b: &[u8]) -> Vec<Range<usize>> {
    let is_postmark = |at: usize| {
        let line_end = b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| at + p);
        let line = &b[at..line_end];
        line.starts_with(b"From ")
            && line.len() > 10
            && line.iter().any(u8::is_ascii_digit)
            && !line.contains(&b':')
            || line.starts_with(b"From ")
                && line
                    .windows(3)
                    .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit())
    };
    if !b.starts_with(b"From ") || !is_postmark(0) {
        return std::iter::once(0..b.len()).collect();
    }
    let mut starts = vec![0];
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&b[i..], b"\nFrom ") {
        let at = i + p + 1;
        let blank_before = at >= 2
            && (b[at - 2] == b'\n' || (at >= 3 && b[at - 2] == b'\r' && b[at - 3] == b'\n'));
        if blank_before && is_postmark(at) {
            starts.push(at);
        }
        i = at;
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| s..starts.get(k + 1).copied().unwrap_or(b.len()))
        .collect()
}

/// A paste (text without a header block) may hold several notices one after another.
fn split_paste(input: &[u8], span: Range<usize>) -> Vec<Range<usize>> {
    let bytes = &input[span.clone()];
    // The header check reads the first lines only.
    if notice::has_transport_headers(&text::decode(&bytes[..bytes.len().min(16 * 1024)])) {
        return vec![span];
    }
    crate::pastes::split(bytes)
        .into_iter()
        .map(|r| span.start + r.start..span.start + r.end)
        .collect()
}

/// Reads one message of the input; also returns where further attached notices lie in it.
fn read_message(input: &[u8], span: Range<usize>) -> (Message, Vec<notice::Attached>) {
    let bytes = &input[span.clone()];
    let notice = notice::read(bytes);
    let mut msg = Message {
        kind: Kind::Bounce,
        format: "rfc3464",
        span: span.clone(),
        reporting_mta: None,
        arrival_date: None,
        last_attempt_date: None,
        notice: notice.headers.clone(),
        recipients: Vec::new(),
        original: notice.original.clone(),
        submission: None,
        superseded: false,
        evidence: Vec::new(),
        warnings: Vec::new(),
    };
    if let Some(limit) = notice.truncated {
        msg.warnings.push(Warning::Truncated {
            limit: limit.to_string(),
        });
    }
    if let Some(charset) = &notice.undecodable {
        msg.warnings.push(Warning::UndecodableText {
            charset: charset.clone(),
        });
    }
    if crate::list_notice::fill(&mut msg, &notice) {
        // A mailing list's word about a post: held, refused, or administrative.
    } else if let Some(kind) = special_kind(&notice) {
        fill_special(&mut msg, &notice, kind);
    } else {
        fill_bounce(&mut msg, &notice);
    }
    if let Some(signs) = phishing::signs(&notice, &msg) {
        msg.warnings.push(Warning::Phishing { signs });
        if phishing::only_the_lure(&notice, &msg) {
            msg.kind = Kind::NotABounce;
            msg.format = "none";
            msg.recipients.clear();
        }
    }
    add_evidence(&mut msg, bytes, span.start);
    (msg, notice.attached_notices)
}

/// Complaint reports and auto-replies, which have their own structure.
fn special_kind(n: &Notice) -> Option<Kind> {
    if n.feedback.is_some() || is_informal_complaint(n) {
        return Some(Kind::ComplaintReport);
    }
    if !n.dsn.is_empty() {
        return None;
    }
    let subject = n.subject_lower();
    let auto = n
        .header("auto-submitted")
        .is_some_and(|v| v.to_ascii_lowercase().contains("auto-replied"))
        || n.header("x-autoreply").is_some()
        || n.header("x-autorespond").is_some()
        || n.header("x-ms-exchange-organization-autoreply").is_some()
        || n.header("precedence")
            .is_some_and(|v| v.eq_ignore_ascii_case("auto_reply"));
    if forwarded_auto_reply(n).is_some() {
        return Some(Kind::AutoReply);
    }
    let vacation_subject = notice::is_vacation_subject(&subject);
    let from_system = n.from_mail_system();
    // A filter's own notice may come marked as an automatic reply; its subject says
    // that the message failed. (An automatic reply's subject quotes the message it
    // answers: "Re: Lieferung nicht zugestellt", "[Ticket #884213] Order not delivered".)
    let (own_subject, replied) = notice::without_prefixes(&subject);
    let failed = !replied
        && !vacation_subject
        && !own_subject.starts_with('[')
        && (own_subject.contains("failure") || says_failed(own_subject));
    ((auto && !from_system && !failed) || (vacation_subject && !from_system))
        .then_some(Kind::AutoReply)
}

/// Complaints outside ARF: Microsoft's junk-mail reports ("complaint about message from"
/// with the original attached), Apple Mail's unsubscribe requests and X-ARF abuse reports.
fn is_informal_complaint(n: &Notice) -> bool {
    let subject = n.header("subject").unwrap_or("");
    (text::contains_ci(subject, "complaint about message from") && n.original.is_some())
        || n.header("x-apple-unsubscribe")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        // An abuse report in the X-ARF format German providers pass on.
        || n.header("x-xarf").is_some()
        || n.header("x-arf").is_some()
        // A hosting provider's abuse desk passing on a complaint about the customer's IP
        // (its subject, not a reply's or a notice's about it).
        || n.dsn.is_empty()
            && crate::knowledge::signs("kind.abuse_subjects")
                .any(|w| text::strip_prefix_ci(subject.trim_start(), w).is_some())
}

/// Who complained: the ARF fields, else the original's recipient header of a report.
fn complainants(n: &Notice) -> Vec<String> {
    let feedback = n.feedback.as_deref().unwrap_or("");
    let fields = text::lines(feedback).filter(|l| {
        text::contains_ci(l, "original-rcpt-to:") || text::contains_ci(l, "removal-recipient:")
    });
    let original = text::lines(&n.original_headers)
        .filter(|l| text::contains_ci(l, "x-hmxmroriginalrecipient:"));
    let unsubscriber = n
        .header("x-apple-unsubscribe")
        .and(n.headers.from.as_deref());
    fields
        .chain(original)
        .chain(unsubscriber)
        .filter_map(text::first_address)
        .collect()
}

/// A forward of an automatic reply with no server codes, pasted ("Betreff: Automatische
/// Antwort: …") or mailed ("WG: Automatische Antwort: …", with the reply attached or
/// below): the address that replied, or "" when the forward does not name it.
fn forwarded_auto_reply(n: &Notice) -> Option<String> {
    let subject = n.subject_lower();
    let mailed = notice::is_forward_subject(&subject) && notice::is_vacation_subject(&subject);
    if n.has_headers && !mailed || text::find_codes(&n.text).0.is_some() {
        return None;
    }
    let attached = n.original.as_ref().filter(|o| {
        o.subject
            .as_deref()
            .is_some_and(|s| notice::is_vacation_subject(&s.to_ascii_lowercase()))
    });
    if mailed && let Some(o) = attached {
        return Some(
            o.from
                .as_deref()
                .and_then(text::first_address)
                .unwrap_or_default(),
        );
    }
    fn labelled<'a>(line: &'a str, signs: &str) -> Option<&'a str> {
        crate::knowledge::signs(signs).find_map(|l| line.strip_prefix(l).map(str::trim))
    }
    // The sender labelled above the reply's subject, or below it in the same block; or,
    // as mail apps show a message in the notice's own words, the subject alone on its
    // line and the sender's name and address alone on the next.
    let (mut replier, mut replied, mut shown) = (None, false, false);
    for line in text::lines(&n.text) {
        let lower = line.trim().to_ascii_lowercase();
        if shown && !lower.is_empty() {
            if let Some(address) = sender_line(line) {
                return Some(address);
            }
            shown = false;
        }
        if let Some(from) = labelled(&lower, "kind.forward_from") {
            replier = text::find_addresses(from)
                .into_iter()
                .next()
                .map(|a| a.value);
            if replied {
                break;
            }
        } else if labelled(&lower, "kind.forward_subject")
            .is_some_and(|s| notice::is_vacation_subject(s) && !notice::is_forward_subject(s))
        {
            // (A forward's own subject is not the reply's: its sender forwarded it.)
            replied = true;
            if replier.is_some() {
                break;
            }
        } else if replied && lower.is_empty() {
            break;
        } else if !replied
            && notice::is_shown_vacation_subject(&lower)
            && n.own_words().contains(lower.as_str())
        {
            shown = true;
        }
    }
    replied.then(|| replier.unwrap_or_default())
}

/// The address of a line that is only a sender's name and address ("Robyn Fox
/// <robyn@example.org>"), as mail apps show who wrote a message.
fn sender_line(line: &str) -> Option<String> {
    let line = line.trim();
    let [a] = &text::find_addresses(line)[..] else {
        return None;
    };
    let after = line[a.end..].trim_start_matches('>').trim();
    let name = line[..a.start].trim_end_matches('<').trim();
    let only_a_name = name.split_whitespace().count() <= 5 && !name.contains([':', '.', ',']);
    (after.is_empty() && only_a_name).then(|| a.value.clone())
}

fn fill_special(msg: &mut Message, n: &Notice, kind: Kind) {
    msg.kind = kind;
    // An automatic reply that says the person has left: the message reached no one.
    // (Words wrapped onto the next line count: "no longer" / "monitored".)
    let own = text::squash(n.own_words());
    let says = |list: &str| crate::knowledge::signs(list).any(|w| own.contains(w));
    let left = kind == Kind::AutoReply && says("kind.left_words");
    // A challenge-response filter holds the message until the sender confirms it.
    let challenge = kind == Kind::AutoReply && says("kind.challenge_words");
    let (reason, format) = match kind {
        Kind::ComplaintReport => (Reason::Feedback, "arf"),
        _ if challenge => (Reason::OnHold, "rfc3834"),
        _ if left => (Reason::HasMoved, "rfc3834"),
        _ => (Reason::Vacation, "rfc3834"),
    };
    msg.format = format;
    let feedback = n.feedback.as_deref().unwrap_or("");
    let mut addresses: Vec<String> = match kind {
        Kind::ComplaintReport => complainants(n),
        _ => forwarded_auto_reply(n)
            .filter(|a| !a.is_empty())
            .or_else(|| n.headers.from.as_deref().and_then(text::first_address))
            .into_iter()
            .collect(),
    };
    if addresses.is_empty() {
        addresses.push(original_to(n).unwrap_or_default());
    }
    let diagnostic = text::lines(feedback)
        .find(|l| text::contains_ci(l, "feedback-type:"))
        .map(text::squash);
    for address in addresses.into_iter().take(MAX_RECIPIENTS) {
        msg.recipients.push(Recipient {
            address,
            reason,
            diagnostic: diagnostic.clone(),
            decided_by: Decision {
                source: "kind",
                matched: kind.as_str().into(),
            },
            ..Recipient::default()
        });
    }
}

fn original_to(n: &Notice) -> Option<String> {
    n.original
        .as_ref()?
        .to
        .as_deref()
        .and_then(text::first_address)
}

/// The addressee a notice's summary of the held or refused message names ("To:
/// a@example.org" under "From: <the reader>"), when it is not the notice's own reader.
/// (Only below the notice's own header lines, which name the reader; not in a summary of
/// a message someone else sent the reader.)
fn summarised_to(n: &Notice) -> Option<String> {
    let reader = text::first_address(n.headers.to.as_deref()?).unwrap_or_default();
    let own = n.own_range();
    let field = |line: &str, list: &str| {
        let line = line.trim_start();
        crate::knowledge::signs(list)
            .find_map(|label| text::strip_prefix_ci(line, label))
            .and_then(text::first_address)
    };
    let summary: Vec<&str> = text::lines(&n.text[own]).take(SUMMARY_LINES).collect();
    // (A colleague's or a shared mailbox of the reader's domain is the reader's side.)
    let reader_domain = text::domain_part(&reader).unwrap_or_default();
    let from_another = summary.iter().any(|l| {
        field(l, "phishing.pasted_from").is_some_and(|a| {
            text::domain_part(&a).is_none_or(|d| !d.eq_ignore_ascii_case(reader_domain))
        })
    });
    if from_another {
        return None;
    }
    summary
        .iter()
        .find_map(|l| field(l, "phishing.pasted_to").filter(|a| !a.eq_ignore_ascii_case(&reader)))
}

/// How far down a notice its summary of the message may stand.
const SUMMARY_LINES: usize = 40;

/// What every recipient of one notice shares.
struct Context<'a> {
    format: &'static formats::Format,
    reading: &'a TextReading,
    delay_notice: bool,
    /// The notice names more than one recipient: its shared text belongs to none of them.
    several: bool,
    /// The server that wrote the notice.
    reporter: Option<&'a str>,
    /// The notice's text.
    text: &'a str,
}

fn fill_bounce(msg: &mut Message, n: &Notice) {
    let format = formats::detect(n);
    let reading = formats::read(format, n);
    msg.format = if !n.dsn.is_empty() && format.id == "generic" {
        "rfc3464"
    } else {
        format.id
    };
    if let Some(d) = n.dsn.first() {
        msg.reporting_mta = d.reporting_mta.as_deref().and_then(text::host_name);
        msg.arrival_date = d.arrival_date.clone();
    }
    if msg.reporting_mta.is_none() {
        msg.reporting_mta =
            generating_server(&n.lower[..n.marker_from(0).unwrap_or(n.lower.len())]);
    }
    let dsn_recipients: Vec<&DsnRecipient> = n
        .dsn
        .iter()
        .flat_map(|d| &d.recipients)
        .take(MAX_RECIPIENTS + 1)
        .collect();
    let reporter = msg.reporting_mta.clone();
    let ctx = Context {
        format,
        reading: &reading,
        delay_notice: is_delay_text(n),
        several: dsn_recipients.len().max(reading.recipients.len()) > 1,
        reporter: reporter.as_deref(),
        text: &n.text,
    };
    for d in &dsn_recipients {
        // A local Final-Recipient (`LOCAL;<nils>`) names less than the original address.
        let has_domain = |a: &&String| a.contains('@');
        let address = d
            .final_recipient
            .as_ref()
            .filter(has_domain)
            .or(d.original_recipient.as_ref().filter(has_domain))
            .or(d.final_recipient.as_ref())
            .or(d.original_recipient.as_ref())
            .cloned()
            .unwrap_or_default();
        let address = text::find_addresses(&address)
            .into_iter()
            .next()
            .map_or_else(|| text::squash(&address), |a| a.value);
        let single = if reading.recipients.len() == 1 && dsn_recipients.len() == 1 {
            reading.recipients.first()
        } else {
            None
        };
        // A field cut by re-wrapping (`…@example.d` / `e`) yields to the text's whole copy.
        let lower = address.to_ascii_lowercase();
        let exact = reading
            .recipients
            .iter()
            .find(|t| t.address.eq_ignore_ascii_case(&address));
        let whole = reading.recipients.iter().find(|t| {
            address.contains('@')
                && t.address.len() > address.len()
                && t.address.to_ascii_lowercase().starts_with(&lower)
        });
        let t = exact.or(whole).or(single);
        let address = whole.map_or(address, |w| w.address.clone());
        msg.recipients
            .push(build_recipient(&address, Some(d), t, &ctx));
    }
    let receipt = if dsn_recipients.is_empty() {
        crate::receipts::delivered_to(n)
    } else {
        Vec::new()
    };
    for address in &receipt {
        let delivered = DsnRecipient {
            final_recipient: Some(address.clone()),
            action: Some("delivered".into()),
            ..DsnRecipient::default()
        };
        msg.recipients
            .push(build_recipient(address, Some(&delivered), None, &ctx));
    }
    if dsn_recipients.is_empty() && receipt.is_empty() {
        for t in &reading.recipients {
            msg.recipients
                .push(build_recipient(&t.address, None, Some(t), &ctx));
        }
        replace_greeted_sender(msg, n);
        drop_returned_sender(msg, n);
    }
    if msg.recipients.is_empty()
        && let Some(r) = fallback_recipient(n, &ctx)
    {
        msg.recipients.push(r);
    }
    if msg.recipients.len() > MAX_RECIPIENTS {
        msg.recipients.truncate(MAX_RECIPIENTS);
        msg.warnings.push(Warning::Truncated {
            limit: "recipients".into(),
        });
    }
    msg.last_attempt_date = msg
        .recipients
        .iter()
        .find_map(|r| r.last_attempt_date.clone());
    expire_after_retries(msg);
    end_finished_holds(msg, n);
    msg.kind = kind_of(msg, n);
    if msg.kind == Kind::NotABounce {
        msg.recipients.clear();
        msg.format = "none";
    }
}

/// A final failure after a day or more of failing connections or DNS lookups (Postfix's
/// final 4.4.1 and 4.4.3 at the end of the queue's lifetime): the message expired.
fn expire_after_retries(msg: &mut Message) {
    if msg.attempts_span().is_none_or(|secs| secs < RETRIED_FOR) {
        return;
    }
    for r in &mut msg.recipients {
        let gave_up = r.action == Some(Action::Failed)
            && r.status.as_deref().is_some_and(|s| {
                s.starts_with('4') && (s.ends_with(".4.1") || s.ends_with(".4.3"))
            });
        if r.reason == Reason::NetworkError && gave_up {
            r.reason = Reason::Expired;
        }
    }
}

/// A held message the notice says was deleted, refused or expired is no longer waiting.
fn end_finished_holds(msg: &mut Message, n: &Notice) {
    // The held message's subject, quoted in the summary, is no word of the filter's.
    let ended = n
        .own_words()
        .lines()
        // (Only the words before a "Subject:" label, on a flattened line too.)
        .map(|l| {
            let label = ["subject", "betreff"]
                .iter()
                .flat_map(|w| l.match_indices(w))
                .filter(|&(at, w)| l[at + w.len()..].trim_start().starts_with(':'))
                .map(|(at, _)| at)
                .min();
            &l[..label.unwrap_or(l.len())]
        })
        .any(|l| crate::knowledge::signs("outcome.hold_ended").any(|w| l.contains(w)));
    if !ended {
        return;
    }
    for r in &mut msg.recipients {
        if r.reason == Reason::OnHold && r.action == Some(Action::Delayed) && !r.coded() {
            r.action = None;
            r.hard_bounce = true;
        }
    }
}

/// How long the attempts must have gone on for a failure to count as given up.
const RETRIED_FOR: i64 = 86_400;

/// The returned message's own sender, named in a notice's text ("your mailbox
/// a@example.org has reached its limit") without a failure of its own, is no failed
/// recipient when the notice names others and the message did not go to the sender.
fn drop_returned_sender(msg: &mut Message, n: &Notice) {
    let Some(original) = n.original.as_ref() else {
        return;
    };
    let Some(sender) = original.from.as_deref().and_then(text::first_address) else {
        return;
    };
    let addressed = original
        .to
        .as_deref()
        .is_some_and(|v| text::contains_ci(v, &sender));
    // Only a mention without a failure of its own: the sender may be a recipient too
    // (in Cc, through a list or alias), or the victim of a loop. (A reason the notice's
    // shared words gave it is none of its own.)
    let is_sender = |r: &Recipient| {
        r.address.eq_ignore_ascii_case(&sender)
            && (r.reason == Reason::Undefined
                || !r
                    .diagnostic
                    .as_deref()
                    .is_some_and(|d| crate::classify::mentions_failure(&d.to_ascii_lowercase())))
            && r.status.is_none()
            && r.reply_code.is_none()
    };
    if !addressed && msg.recipients.iter().any(|r| !is_sender(r)) {
        msg.recipients.retain(|r| !is_sender(r));
    }
}

/// A notice that greets its reader by address ("a@example.org 様") names the sender, not
/// the failed recipient: when that is all the text gave, the original's recipient is meant.
fn replace_greeted_sender(msg: &mut Message, n: &Notice) {
    let sender = n.headers.to.as_deref().and_then(text::first_address);
    if let [only] = msg.recipients.as_mut_slice()
        && let Some(sender) = sender
        && only.address.eq_ignore_ascii_case(&sender)
        && let Some(to) = original_to(n)
        && !to.eq_ignore_ascii_case(&sender)
    {
        only.address = to;
    }
}

/// When no recipient was named: the failed-recipients header, or the original's `To:`.
fn fallback_recipient(n: &Notice, ctx: &Context<'_>) -> Option<Recipient> {
    let named = n
        .header("x-failed-recipients")
        .and_then(text::first_address)
        .or_else(|| original_to(n))
        .or_else(|| summarised_to(n))
        .or_else(|| named_in_rewrapped_text(&n.text, &n.lower));
    if named.is_none() && ctx.reading.general.is_empty() {
        return None;
    }
    Some(build_recipient(&named.unwrap_or_default(), None, None, ctx))
}

/// The failed address of a notice whose lines a mail program re-wrapped, so that no
/// line starts with it: the first address after a `Final-Recipient:` field, else one
/// written as Postfix and Exim name a failure (`<a@example.org>:`).
/// `lower` is `text` in ASCII lower case.
fn named_in_rewrapped_text(text: &str, lower: &str) -> Option<String> {
    let field = lower.find("final-recipient:").and_then(|at| {
        let end = text.floor_char_boundary(at + 120);
        text::find_addresses(&text[at..end]).into_iter().next()
    });
    field
        .or_else(|| {
            text::find_addresses(text).into_iter().find(|a| {
                text[a.end..].starts_with(">:")
                    && !text::is_system_address(&a.value)
                    && !formats::about_the_sender(text, a)
            })
        })
        .map(|a| a.value)
}

/// When the Diagnostic-Code `dsn` says no more than "delayed", the real reply the
/// notice's text `t` quotes: the text after its last such placeholder, if it holds a code;
/// only the reply itself where Exchange quotes it ("… returned '451 4.7.500 …'", "… hat
/// '451 4.7.500 …' zurückgegeben").
fn real_reply(dsn: &str, t: &str) -> Option<String> {
    let placeholder = |s: &str| {
        let lower = s.to_ascii_lowercase();
        crate::knowledge::signs("dsn.placeholder_diagnostics")
            .filter_map(|p| lower.rfind(p).map(|at| at + p.len()))
            .max()
    };
    placeholder(dsn)?;
    let rest = t[placeholder(t).unwrap_or(0)..].trim_start_matches(['\'', ' ']);
    // The last quote that opens a reply code, up to the last quote after it.
    let quoted = rest
        .rmatch_indices('\'')
        .map(|(at, _)| at)
        .find(|&at| text::starts_with_reply_code(&rest[at + 1..]))
        .and_then(|open| {
            let close = rest.rfind('\'').filter(|&c| c > open)?;
            Some(&rest[open + 1..close])
        });
    let reply = quoted.unwrap_or(rest).trim();
    text::has_code(reply).then(|| reply.to_string())
}

fn build_recipient(
    address: &str,
    dsn: Option<&DsnRecipient>,
    text_part: Option<&formats::TextRecipient>,
    ctx: &Context<'_>,
) -> Recipient {
    let dsn_diag = dsn
        .and_then(|d| d.diagnostic.clone())
        .filter(|d| !d.trim().is_empty());
    // A recipient the report says was delivered, relayed or expanded takes nothing from
    // the notice's text, which is about the ones that failed.
    let settled = dsn
        .and_then(|d| d.action.as_deref())
        .and_then(Action::parse)
        .is_some_and(|a| matches!(a, Action::Delivered | Action::Relayed | Action::Expanded));
    let text_part = text_part.filter(|_| !settled);
    let text_diag = text_part
        .map(|t| t.diagnostic.clone())
        .filter(|d| !d.trim().is_empty());
    let general = if settled {
        ""
    } else {
        ctx.reading.general.as_str()
    };
    // The words shown are the server's own: the Diagnostic-Code, else the text block, or
    // the coded lines beside it when the block is only the notice's own help text
    // ("Your message couldn't be delivered." above "Remote Server returned '550 …'"), or
    // the failure words beside a block that has none ("See the technical details below.").
    // A placeholder's status ("4.4.7 Message delayed") gives way to the real reply's.
    let mut status = dsn.and_then(|d| d.status.clone());
    let (diagnostic, mut context) = match (dsn_diag, text_diag) {
        (Some(d), Some(t)) if let Some(real) = real_reply(&d, &t) => {
            status = None;
            (real, d)
        }
        (Some(d), Some(t)) => (text::complete_reply(&d, ctx.text).unwrap_or(d), t),
        (Some(d), None) => (
            text::complete_reply(&d, ctx.text).unwrap_or(d),
            String::new(),
        ),
        // (A pasted notice quotes both in its text.)
        (None, Some(t)) if let Some(real) = real_reply(&t, &t) => (real, t),
        (None, Some(t))
            if !ctx.several
                && !text::has_code(&t)
                && (text::has_code(general)
                    || !classify::mentions_failure(&t.to_ascii_lowercase())
                        && classify::mentions_failure(&general.to_ascii_lowercase())) =>
        {
            (general.to_string(), t)
        }
        (None, Some(t)) => (t, String::new()),
        (None, None) => (general.to_string(), String::new()),
    };
    // Lines with codes or failure words outside every recipient's block belong to the
    // recipient when it is the only one, or when its own words name no failure.
    if !text::has_code(&diagnostic)
        && (!ctx.several || !classify::mentions_failure(&diagnostic.to_ascii_lowercase()))
        && !context.contains(general)
    {
        context = format!("{context} {general}");
    }
    let all = format!("{diagnostic} {context}");
    let raw = RawRecipient {
        address: address.to_string(),
        original_address: dsn.and_then(|d| d.original_recipient.clone()),
        action: dsn
            .and_then(|d| d.action.as_deref())
            .and_then(Action::parse),
        status,
        command: formats::smtp_command(&all)
            .or(text_part.and_then(|t| t.command))
            .or(ctx.reading.command.filter(|_| !settled)),
        diagnostic,
        context,
        remote_mta: dsn.and_then(|d| d.remote_mta.clone()),
        last_attempt_date: dsn.and_then(|d| d.last_attempt_date.clone()),
        will_retry_until: dsn.and_then(|d| d.will_retry_until.clone()),
        format_reason: ctx.format.reason.map(|r| (r, ctx.format.id)),
        delay_notice: ctx.delay_notice,
        reporter: ctx.reporter.map(str::to_string),
    };
    finish_recipient(raw)
}

/// What a reader found about one recipient, before classification.
#[derive(Debug, Default)]
pub struct RawRecipient {
    pub address: String,
    pub original_address: Option<String>,
    pub action: Option<Action>,
    /// The Status field (or `dsn=` of a log line), if any.
    pub status: Option<String>,
    /// The server's own words about this recipient.
    pub diagnostic: String,
    /// More text of the notice about this recipient, used for classifying only.
    pub context: String,
    pub command: Option<&'static str>,
    pub remote_mta: Option<String>,
    pub last_attempt_date: Option<String>,
    pub will_retry_until: Option<String>,
    /// The reason the notice's format stands for, if it has one.
    pub format_reason: Option<(Reason, &'static str)>,
    /// The notice says it is only a warning: delivery is still being tried.
    pub delay_notice: bool,
    /// The server that wrote the notice: when no remote server answered, the codes are
    /// its own (Exchange Online's 5.7.133 about its own group).
    pub reporter: Option<String>,
}

/// Derives codes, reason and severity for one recipient.
pub fn finish_recipient(raw: RawRecipient) -> Recipient {
    let diagnostic = raw.diagnostic;
    let everything = format!("{diagnostic} {}", raw.context);
    let field_status = raw
        .status
        .as_deref()
        .and_then(text::find_status)
        .map(|c| c.value);
    let (own_reply, own_status) = text::find_codes(&diagnostic);
    let (ctx_reply, ctx_status) = text::find_codes(&raw.context);
    let diag_status = own_status.or(ctx_status).map(|c| c.value);
    let status = match (field_status, diag_status) {
        (Some(d), Some(t)) if d.ends_with(".0.0") && !t.ends_with(".0.0") => Some(t),
        (Some(d), _) => Some(d),
        (None, t) => t,
    };
    let reply_code = own_reply.or(ctx_reply).map(|c| c.value);
    // A warning-only notice without its own Action field: still being tried, unless a
    // code says the failure is permanent.
    let permanent = [&status, &reply_code]
        .iter()
        .any(|c| c.as_deref().is_some_and(|c| c.starts_with('5')));
    let action = raw
        .action
        .or((raw.delay_notice && !permanent).then_some(Action::Delayed));
    let remote_mta = raw
        .remote_mta
        .as_deref()
        .and_then(text::host_name)
        .or_else(|| remote_host(&everything));
    let remote: Vec<&str> = remote_mta.as_deref().into_iter().collect();
    let facts = Facts {
        diagnostic: &diagnostic,
        status: status.as_deref(),
        reply_code: reply_code.as_deref(),
        command: raw.command,
        action,
        hosts: &remote,
        reporter: raw.reporter.as_deref().filter(|_| remote_mta.is_none()),
        context: &raw.context,
    };
    // The server's own words first (an SMTP reply, where a format stands for one reason
    // such as a group's rejection notice), then that format's reason, then the rest of
    // the notice.
    let own = classify::classify(&facts);
    let server_said = facts.status.is_some() || facts.reply_code.is_some();
    let decisive = matches!(own.1.source, "provider" | "text" | "action");
    let (reason, decided_by) = if decisive && (server_said || raw.format_reason.is_none()) {
        own
    } else if let Some((reason, format)) = raw.format_reason {
        let matched = format.to_string();
        (
            reason,
            Decision {
                source: "format",
                matched,
            },
        )
    } else if raw.context.is_empty() {
        own
    } else {
        let wider = classify::classify(&Facts {
            diagnostic: &everything,
            ..facts
        });
        if matches!(wider.1.source, "provider" | "text") {
            wider
        } else {
            own
        }
    };
    let alternative = classify::alternative(&facts, reason, &decided_by);
    // A message a filter holds for review, in the notice's words, is not delivered yet
    // (unless the notice says the hold ended: `fill_bounce`).
    let action = match action {
        None if reason == Reason::OnHold && decided_by.source == "text" && !permanent => {
            Some(Action::Delayed)
        }
        action => action,
    };
    let hard_bounce = is_permanent(status.as_deref(), reply_code.as_deref(), action, reason);
    let address = raw.address;
    Recipient {
        original_address: raw
            .original_address
            .filter(|o| !o.eq_ignore_ascii_case(&address)),
        action,
        status,
        reply_code,
        reason,
        hard_bounce,
        remote_mta,
        blocklist: crate::dnsbl::detect::find_hit(&everything),
        // A receiver's Spamhaus DQS key in a zone name is never shown.
        diagnostic: Some(crate::dnsbl::detect::mask_dqs_key(&text::squash(
            &diagnostic,
        )))
        .filter(|d| !d.is_empty()),
        smtp_command: raw.command.map(str::to_string),
        last_attempt_date: raw.last_attempt_date,
        will_retry_until: raw.will_retry_until,
        decided_by,
        alternative,
        address,
    }
}

/// A permanent failure: the code says class 5, or the notice failed with no code.
fn is_permanent(
    status: Option<&str>,
    reply: Option<&str>,
    action: Option<Action>,
    reason: Reason,
) -> bool {
    match (status.or(reply).and_then(|s| s.chars().next()), action) {
        (_, Some(Action::Delayed | Action::Delivered | Action::Relayed | Action::Expanded)) => {
            false
        }
        (Some('5'), _) => true,
        (Some(_), _) => false,
        (None, _) => !matches!(
            reason,
            Reason::Delivered | Reason::Vacation | Reason::Feedback | Reason::Expired
        ),
    }
}

/// The server a notice names as the one that wrote it: Exchange's "Generating server:",
/// Postfix's "This is the mail system at host …".
fn generating_server(lower: &str) -> Option<String> {
    [
        "generating server:",
        "generierender server:",
        "this is the mail system at host ",
    ]
    .iter()
    .find_map(|label| {
        let at = lower.find(label)? + label.len();
        let line = lower[at..].lines().next()?;
        text::host_name(line.split_whitespace().next()?.trim_end_matches('.'))
    })
}

/// `host mx.example.jp [192.0.2.1]` or `remote host 192.0.2.1 said` in a diagnostic.
fn remote_host(diag: &str) -> Option<String> {
    let lower = diag.to_ascii_lowercase();
    for marker in [
        "remote host ",
        "host ",
        "remote server at ",
        "remote server ",
        "by ",
    ] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(marker) {
            let at = from + p + marker.len();
            from = at;
            let word: String = diag[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
                .collect();
            let word = word.trim_end_matches(['.', ':']);
            if word.contains('.') && word.len() > 3 && !word.starts_with("or") {
                return Some(word.to_ascii_lowercase());
            }
        }
    }
    // Exchange names the remote server on the line above its reply:
    // `smtp.example.net` / `Remote Server returned '550 …'` (German "Remoteserver hat").
    let at = ["remote server returned", "remoteserver hat"]
        .iter()
        .find_map(|marker| lower.find(marker))?;
    let word = lower[..at].split_whitespace().last()?;
    (word.contains('.') && !word.ends_with('.') && !word.contains(['\'', '@', '(']))
        .then(|| word.to_string())
}

/// The message kind from the recipients' actions and the notice.
fn kind_of(msg: &Message, n: &Notice) -> Kind {
    if msg.recipients.is_empty() {
        return if headers_only_failure(n) {
            Kind::Bounce
        } else {
            Kind::NotABounce
        };
    }
    let all = |f: &dyn Fn(&Recipient) -> bool| msg.recipients.iter().all(f);
    // A server's reply about a named address outweighs the signs of ordinary mail below.
    let names_a_failure = msg
        .recipients
        .iter()
        .any(|r| !r.address.is_empty() && r.coded());
    let from_system = n.from_mail_system();
    // A newsletter (it has an unsubscribe link) that quotes notices' words is none. A
    // notice a mailing list relays keeps its mail system's sender.
    if n.header("list-unsubscribe").is_some()
        && !from_system
        && n.dsn.is_empty()
        && !n.is_dsn_report
        && !n.forwarded
        && !names_a_failure
    {
        return Kind::NotABounce;
    }
    let says = |list: &str| crate::knowledge::signs(list).any(|w| n.lower.contains(w));
    // A mail server's daily statistics (pflogsumm) quote failures, and an Exchange
    // journal report is an archive's copy of a message sent: neither is a notice.
    if n.dsn.is_empty()
        && !n.is_dsn_report
        && !formats::has_body_sign(n)
        && (own_words_say(n, "kind.log_statistics") || n.header("x-ms-journal-report").is_some())
    {
        return Kind::NotABounce;
    }
    // Without an address, a reason's words ("spam") are evidence only in a text that
    // says a message failed: a person's question about mail trouble names reasons too.
    let no_evidence = n.dsn.is_empty()
        && msg.recipients.iter().all(|r| {
            r.status.is_none()
                && r.reply_code.is_none()
                && (r.reason == Reason::Undefined
                    || r.address.is_empty() && !states_failure(&n.lower))
        });
    // The words of a known mail server's notice ("This message was created
    // automatically by mail delivery software") make a bounce even without a code.
    let known_notice = n.is_dsn_report || !n.dsn.is_empty() || formats::has_body_sign(n);
    if no_evidence && !from_system && !known_notice {
        return Kind::NotABounce;
    }
    // Outlook's error while fetching mail ("… - Empfangen": "Die Verbindung …") names the
    // account, and no message failed.
    if n.dsn.is_empty()
        && !known_notice
        && says("kind.receive_tasks")
        && !says("kind.send_failures")
        && !names_a_failure
    {
        return Kind::NotABounce;
    }
    // A person's mail (its return path is their address) that only talks about failures
    // is no notice: mail systems send notices with an empty return path, or from an
    // address that takes no replies under a subject that says a message failed.
    let failure_subject = says_failed(&n.subject_lower());
    let person_sent = n.header("return-path").is_some_and(|r| {
        text::find_addresses(r).first().is_some_and(|a| {
            let local = a.value.split('@').next().unwrap_or("").to_ascii_lowercase();
            let automatic = |list| crate::knowledge::signs(list).any(|m| local.contains(m));
            !(text::is_system_address(&a.value)
                || automatic("kind.list_managers")
                || failure_subject && automatic("kind.no_reply_senders"))
        })
    });
    if person_sent && !from_system && !known_notice && !n.forwarded && !names_a_failure {
        return Kind::NotABounce;
    }
    if all(&|r| r.reason == Reason::Delivered) {
        return Kind::DeliveryReport;
    }
    if all(&|r| r.action == Some(Action::Delayed)) {
        // (A filter's word that mail for the reader is held: nothing of theirs waits.)
        let held_for_reader =
            n.dsn.is_empty() && !n.is_dsn_report && own_words_say(n, "kind.digest_words");
        return if held_for_reader {
            Kind::NotABounce
        } else {
            Kind::DelayNotice
        };
    }
    // A person's reply that only talks about a failure ("my old address no longer
    // exists") names no failed recipient and carries no report.
    let reply_subject = n.header("subject").is_some_and(|s| {
        let s = s.trim_start().to_ascii_lowercase();
        crate::knowledge::signs("kind.reply_prefixes").any(|p| s.starts_with(p))
    });
    let personal_reply = (n.header("in-reply-to").is_some() || reply_subject) && !from_system;
    let coded = msg.recipients.iter().any(Recipient::coded);
    if personal_reply
        && n.dsn.is_empty()
        && !n.is_dsn_report
        && !coded
        && msg.recipients.iter().all(|r| r.address.is_empty())
    {
        return Kind::NotABounce;
    }
    // A quarantine digest lists mail held for the reader, a rule's notice that only
    // reports a sent message tells it was delivered, and a warning that the reader's
    // mailbox fills up tells of none yet; nothing of theirs failed.
    // (Not a notice that such a mail could not be delivered, "Undeliverable: Hold Summary";
    // a warning names no other address than the reader's.)
    let subject = n.subject_lower();
    let informs = |list: &str| {
        crate::knowledge::signs(list).any(|w| subject.contains(w) || n.own_words().contains(w))
    };
    let reader = n.headers.to.as_deref().and_then(text::first_address);
    let only_the_reader = msg
        .recipients
        .iter()
        .all(|r| r.address.is_empty() || Some(&r.address) == reader.as_ref());
    if !coded
        && n.dsn.is_empty()
        && !n.is_dsn_report
        && !states_failure(&subject)
        && (informs("kind.digest_words")
            || informs("kind.policy_notices")
            || only_the_reader && informs("kind.mailbox_warnings"))
    {
        return Kind::NotABounce;
    }
    Kind::Bounce
}

/// True if `lower` says that a message failed, not merely that none did ("nothing
/// bounced so far", "none of them bounced", "keine Mail abgelehnt"): a denial among the
/// three words before the statement takes it back.
fn states_failure(lower: &str) -> bool {
    let mut statements = crate::knowledge::signs("kind.failure_statements")
        .chain(crate::knowledge::signs("kind.send_failures"));
    statements.any(|w| {
        text::occurrences(lower, w).any(|at| {
            let before = &lower[lower.floor_char_boundary(at.saturating_sub(40))..at];
            !before
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty())
                .rev()
                .take(3)
                .any(|word| crate::knowledge::signs("kind.negations").any(|x| x == word))
        })
    })
}

/// True if the notice's own words hold a word of the `signs.toml` list at `list`.
fn own_words_say(n: &Notice, list: &str) -> bool {
    crate::knowledge::signs(list).any(|w| n.own_words().contains(w))
}

/// True if a subject (lower case) says that a message failed.
fn says_failed(subject: &str) -> bool {
    crate::knowledge::signs("kind.failure_subjects").any(|w| subject.contains(w))
}

/// Only the header lines of a notice that a message failed (its body was not copied): a
/// bounce whose details are missing.
fn headers_only_failure(n: &Notice) -> bool {
    let headers_only = n.text.trim().is_empty() && n.original.is_none();
    let subject = n.subject_lower();
    let failed = says_failed(&subject) && !is_delay_text(n);
    headers_only && n.has_headers && failed && (n.is_dsn_report || n.from_mail_system())
}

/// True if the notice says the server is still trying, and its own text does not say it
/// stopped.
fn is_delay_text(n: &Notice) -> bool {
    static WORDS: std::sync::OnceLock<crate::matcher::Matcher> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let list: Vec<&str> = crate::knowledge::signs("kind.delay_words").collect();
        crate::matcher::Matcher::new(&list)
    });
    let subject = n.subject_lower();
    // Only the notice's own words count, not a forwarding person's or the returned
    // message's. "After repeated transient errors … it will not be retried": a final
    // notice.
    let own = n.own_words();
    let own = &own[..own.floor_char_boundary(4096)];
    let final_words = || crate::knowledge::signs("kind.final_words").any(|w| own.contains(w));
    (words.any(&subject) || words.any(own)) && !final_words()
}

/// Points the report's statements at the bytes of the input they came from.
fn add_evidence(msg: &mut Message, bytes: &[u8], base: usize) {
    let mut ev = Vec::new();
    let mut mark = |needle: &str, what: EvidenceKind, recipient: Option<usize>| {
        if needle.len() < 3 {
            return;
        }
        if let Some(p) = memchr::memmem::find(bytes, needle.as_bytes()) {
            ev.push(Evidence {
                start: base + p,
                end: base + p + needle.len(),
                what,
                recipient,
            });
        }
    };
    for (i, r) in msg.recipients.iter().enumerate() {
        mark(&r.address, EvidenceKind::Recipient, Some(i));
        if let Some(s) = &r.status {
            mark(&format!("Status: {s}"), EvidenceKind::Status, Some(i));
        }
        if let Some(d) = &r.diagnostic {
            let head: String = d.chars().take(48).collect();
            mark(head.trim(), EvidenceKind::Diagnostic, Some(i));
        }
        if let Some(m) = &r.remote_mta {
            mark(m, EvidenceKind::RemoteMta, Some(i));
        }
    }
    if let Some(m) = &msg.reporting_mta {
        mark(m, EvidenceKind::ReportingMta, None);
    }
    if let Some(d) = &msg.arrival_date {
        mark(d, EvidenceKind::ArrivalDate, None);
    }
    if let Some(d) = &msg.last_attempt_date {
        mark(d, EvidenceKind::LastAttemptDate, None);
    }
    // By start, and by end where two start at the same byte.
    crate::order::by_rank(&mut ev, |e| e.end);
    crate::order::by_rank(&mut ev, |e| e.start);
    ev.dedup_by_key(|e| (e.start, e.end));
    msg.evidence = ev;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_binary_inputs_get_notes() {
        assert_eq!(analyze(b"").notes, [Note::EmptyInput]);
        assert_eq!(analyze(b"  \n\t ").notes, [Note::EmptyInput]);
        let bin: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        assert_eq!(analyze(&bin).notes, [Note::BinaryInput]);
    }

    #[test]
    fn an_mbox_is_split_at_postmarks() {
        let mbox = b"From MAILER-DAEMON Thu Apr 29 23:45:32 2013\nFrom: a@b.c\nSubject: one\n\nx\n\nFrom MAILER-DAEMON Thu Apr 29 23:45:33 2013\nFrom: a@b.c\nSubject: two\n\ny\n";
        assert_eq!(split_mbox(mbox).len(), 2);
        assert_eq!(split_mbox(b"From: a@b.c\n\nFrom here on\n").len(), 1);
    }
}
