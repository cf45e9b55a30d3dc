//! Turns one message's bytes into a [`Notice`]: the notice's own headers, its readable
//! text, its delivery-status parts and the returned original. MIME goes through
//! mail-parser; text without headers (a paste out of a mail client) is taken as body.

use crate::charsets;
use crate::dsn::{self, DsnMessage};
use crate::report::HeaderSummary;
use crate::ses_notification::SesReading;
use crate::text;
use mail_parser::{HeaderName, Message, MessageParser, MimeHeaders, PartType};
use std::sync::LazyLock;

/// Nested messages deeper than this are not opened.
pub const MAX_DEPTH: usize = 8;
/// Text parts longer than this are cut for the free-text readers.
pub const MAX_TEXT: usize = 512 * 1024;

/// Everything the readers need from one message.
#[derive(Debug, Default)]
pub struct Notice {
    /// True when the input started with a real header block.
    pub has_headers: bool,
    pub headers: HeaderSummary,
    /// Raw values of the headers in [`READ_HEADERS`], lower-case names.
    pub raw_headers: Vec<(String, String)>,
    /// Human-readable text of the notice (plain parts, flattened HTML).
    pub text: String,
    /// `text` in ASCII lower case, for the phrase readers.
    pub lower: String,
    pub dsn: Vec<DsnMessage>,
    /// Body of a `message/feedback-report` part (ARF).
    pub feedback: Option<String>,
    /// The returned original message.
    pub original: Option<HeaderSummary>,
    /// The original's raw header block, for readers that need more than the summary.
    pub original_headers: String,
    /// `multipart/report` with `report-type=delivery-status` (or global).
    pub is_dsn_report: bool,
    /// Names of attachments that are neither reports nor returned messages.
    pub attachments: Vec<String>,
    /// The links of the notice's HTML, with the text each shows.
    pub links: Vec<text::Link>,
    /// A limit cut something off.
    pub truncated: Option<&'static str>,
    /// A text part's character set that cannot be decoded (its text comes out garbled).
    pub undecodable: Option<String>,
    /// Further bounces attached to this message, when it forwards several (the first
    /// one is read as this notice).
    pub attached_notices: Vec<Attached>,
    /// The text is that of a bounce forwarded inside this message (as an attachment, or
    /// quoted below a person's words).
    pub forwarded: bool,
    /// A person's own words above a bounce they forwarded as an attachment, in ASCII
    /// lower case: part of `lower`, but not the notice's words.
    pub forward_note: String,
    /// Where [`Notice::own_words`] lie in `lower`, found on first use (after reading).
    own_span: std::cell::OnceCell<(usize, usize)>,
    /// [`original_marker`] of the whole of `lower`, found on first use (after reading).
    marker: std::cell::OnceCell<Option<usize>>,
    /// The format (its place in the formats' order) whose body signs `lower` shows,
    /// found on first use (after reading).
    pub body_format: std::cell::OnceCell<Option<usize>>,
}

/// The notice headers the readers look at (lower case); only these are kept.
pub const READ_HEADERS: &[&str] = &[
    "from",
    "subject",
    "in-reply-to",
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-ms-exchange-organization-autoreply",
    "x-apple-unsubscribe",
    "x-xarf",
    "x-arf",
    "x-failed-recipients",
    "x-failed-recipients-google",
    "x-gm-message-state",
    "x-ms-embedded-report",
    "x-ms-exchange-message-is-ndr",
    "x-mimeole",
    "x-amz-sns-message-id",
    "x-ses-outgoing",
    "return-path",
    "list-unsubscribe",
    "x-mailman-version",
    "x-list-administrivia",
    "x-beenthere",
    "list-post",
    "x-ricevuta",
    "x-ms-journal-report",
];

impl Notice {
    /// The text of an HTML part; its links before any returned original are kept.
    fn flatten(&mut self, html: &str) -> String {
        if self.links.len() < 100 {
            let own = original_marker(&html.to_ascii_lowercase()).unwrap_or(html.len());
            let room = 100 - self.links.len();
            self.links
                .extend(text::html_links(&html[..own]).into_iter().take(room));
        }
        text::flatten_html(html)
    }

    /// [`original_marker`] of `lower[from..]`, from the marker of the whole text when it
    /// lies at or after `from`: a marker can only start earlier in the part if it starts
    /// right at `from` (inside a word of the whole text, or where a scan of the whole
    /// text stepped over).
    pub fn marker_from(&self, from: usize) -> Option<usize> {
        let whole = *self.marker.get_or_init(|| original_marker(&self.lower));
        let rest = &self.lower[from..];
        match whole {
            _ if from == 0 => whole,
            Some(at) if at < from => original_marker(rest),
            _ if marker_at_start(rest) => Some(0),
            _ => whole.map(|at| at - from),
        }
    }

    /// True if the notice's sender is a mail system (Mailer-Daemon, postmaster, "Mail
    /// Delivery System", Exchange's "Microsoft Outlook"), not a person.
    pub fn from_mail_system(&self) -> bool {
        let Some(from) = self.header("from") else {
            return false;
        };
        let lower = from.to_ascii_lowercase();
        crate::knowledge::signs("paste.notice_senders").any(|w| lower.contains(w))
            || text::find_addresses(from)
                .first()
                .is_some_and(|a| text::is_system_address(&a.value))
    }

    /// The notice's own words in `lower`: after a forwarding person's note and before a
    /// returned original's marker.
    pub fn own_words(&self) -> &str {
        &self.lower[self.own_range()]
    }

    /// Where [`Notice::own_words`] lie, in `lower` and in `text` alike.
    pub fn own_range(&self) -> std::ops::Range<usize> {
        let (start, end) = *self.own_span.get_or_init(|| {
            let note = self
                .forward_note
                .lines()
                .map(str::trim)
                .rfind(|l| l.len() >= 8)
                .unwrap_or_default();
            let start = match note {
                "" => 0,
                last => self.lower.find(last).map_or(0, |at| at + last.len()),
            };
            let end = self
                .marker_from(start)
                .map_or(self.lower.len(), |at| start + at);
            (start, end)
        });
        start..end
    }

    /// The decoded subject in full lower case ("Задержка", "Réponse automatique").
    pub fn subject_lower(&self) -> String {
        self.headers
            .subject
            .as_deref()
            .or(self.header("subject"))
            .unwrap_or("")
            .to_lowercase()
    }

    /// The first raw value of header `name`, one of [`READ_HEADERS`].
    pub fn header(&self, name: &str) -> Option<&str> {
        debug_assert!(READ_HEADERS.contains(&name), "{name} is not kept");
        self.raw_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The one parser for every message. It parses only the headers the readers use and
/// skips all others (their raw text stays readable), so that a long Received chain is
/// never tokenised.
pub fn parser() -> &'static MessageParser {
    static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
        MessageParser::new()
            .default_header_ignore()
            .with_mime_headers()
            .header_text(HeaderName::Subject)
            .header_address(HeaderName::From)
            .header_address(HeaderName::To)
            .header_id(HeaderName::MessageId)
            .header_address(HeaderName::ReplyTo)
    });
    &PARSER
}

/// Reads one message.
pub fn read(bytes: &[u8]) -> Notice {
    let decoded = text::decode(bytes);
    let has_headers = starts_with_headers(&decoded);
    // mail-parser nests messages without a limit, and so deep a tree overflows the
    // stack when it is freed: the parser sees the bytes before the part that would
    // nest too many.
    let nested_cut = nested_message_cut(bytes);
    let mime = &bytes[..nested_cut.unwrap_or(bytes.len())];
    let parsed = has_headers.then(|| parser().parse(mime)).flatten();
    let mut notice = match parsed {
        Some(msg) => from_mime(&msg, &decoded),
        None => from_pasted_text(&decoded),
    };
    if has_headers && !notice.has_headers {
        notice.truncated = Some("mime");
    }
    if nested_cut.is_some() {
        notice.truncated = Some("depth");
    }
    read_platform_reports(&mut notice);
    // (In a whole message, such fields are a returned or quoted copy.)
    if notice.dsn.is_empty()
        && notice.feedback.is_none()
        && (!notice.has_headers || notice.forwarded)
    {
        notice.feedback = pasted_feedback(&notice.text[notice.own_range()]);
    }
    if notice.dsn.is_empty()
        && notice.feedback.is_none()
        && let Some(report) = crate::pec::read(&notice)
    {
        notice.dsn.push(report);
    }
    if notice.dsn.is_empty()
        && notice.feedback.is_none()
        && let Some(receipt) = crate::receipts::read_in_text(&notice)
    {
        notice.dsn.push(receipt);
    }
    notice
}

/// A subject (lower case) of an out-of-office or other automatic reply.
pub fn is_vacation_subject(subject: &str) -> bool {
    let words = || crate::knowledge::signs("kind.vacation_subjects");
    // A person's reply to an automatic reply ("Re: Automatic reply: …", also "AW: WG:
    // Automatische Antwort: …") is none.
    let (rest, replied) = without_prefixes(subject);
    // The words mark the subject: they open it, end in a colon ("Autosvar: …"), or stand
    // in brackets ("(Abwesenheitsnotiz)"); a person's subject that only mentions them
    // names them in its sentence.
    // (A single word opens it only alone or in a first word before a colon,
    // "Abwesenheitsnotiz: …"; "Vacation photos?" is a person's subject.)
    let first_word = rest.split_whitespace().next().unwrap_or_default();
    let marks = |w: &str| {
        rest.starts_with(w)
            && (w.contains(' ') || first_word.ends_with(':') || rest.trim_end() == w)
            || text::occurrences(subject, w).any(|at| {
                let after = subject[at + w.len()..].trim_start();
                let before = subject[..at].trim_end();
                after.starts_with(':') || before.ends_with(['(', '[']) || w.ends_with(':')
            })
    };
    !(replied && words().any(|w| rest.starts_with(w))) && words().any(marks)
}

/// A line (lower case) that is an automatic reply's subject as a mail app shows it, on
/// its own: it opens with the reply's words and a colon ("automatic reply: offer"), and
/// it is no sentence (it does not end with a full stop).
pub fn is_shown_vacation_subject(line: &str) -> bool {
    !line.ends_with('.')
        && crate::knowledge::signs("kind.vacation_subjects").any(|w| {
            line.strip_prefix(w)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
}

/// A subject (lower case) without its reply and forward prefixes, and whether a reply
/// prefix was among them.
pub fn without_prefixes(subject: &str) -> (&str, bool) {
    fn strip<'a>(rest: &'a str, signs: &str) -> Option<&'a str> {
        crate::knowledge::signs(signs).find_map(|p| rest.strip_prefix(p).map(str::trim_start))
    }
    let (mut rest, mut replied) = (subject.trim_start(), false);
    loop {
        if let Some(r) = strip(rest, "kind.reply_prefixes") {
            (rest, replied) = (r, true);
        } else if let Some(r) = strip(rest, "kind.forward_prefixes") {
            rest = r;
        } else {
            return (rest, replied);
        }
    }
}

/// True if a subject (lower case) is that of a forward.
pub fn is_forward_subject(subject: &str) -> bool {
    crate::knowledge::signs("kind.forward_prefixes").any(|p| subject.trim_start().starts_with(p))
}

/// Messages inside a message (`message/…` parts) read at most, at any depth.
const MAX_NESTED_PARTS: usize = 1000;

/// Where the part starts that would hold more than [`MAX_NESTED_PARTS`] messages.
fn nested_message_cut(bytes: &[u8]) -> Option<usize> {
    let mut starts: Vec<usize> = [&b"essage/"[..], b"ESSAGE/"]
        .iter()
        .flat_map(|word| memchr::memmem::find_iter(bytes, word))
        .filter(|&at| at > 0 && bytes[at - 1].eq_ignore_ascii_case(&b'm'))
        .collect();
    if starts.len() <= MAX_NESTED_PARTS {
        return None;
    }
    crate::order::sort(&mut starts);
    let at = starts[MAX_NESTED_PARTS];
    Some(bytes[..at].iter().rposition(|&b| b == b'\n').unwrap_or(0))
}

/// The fields of a complaint report (ARF) pasted or forwarded as text: a line
/// `Feedback-Type:` with `User-Agent:` or `Version:` among the next lines, up to the first
/// empty line.
fn pasted_feedback(text: &str) -> Option<String> {
    let lines: Vec<&str> = text::lines(text).collect();
    let start = lines.iter().position(|l| {
        text::strip_prefix_ci(l.trim_start_matches(['>', ' ']), "feedback-type:").is_some()
    })?;
    let block: Vec<&str> = lines[start..]
        .iter()
        .map(|l| l.trim_start_matches(['>', ' ']))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    let field = |name: &str| {
        block
            .iter()
            .take(FEEDBACK_FIELDS)
            .any(|l| text::strip_prefix_ci(l, name).is_some())
    };
    (field("user-agent:") || field("version:")).then(|| block.join("\n"))
}

/// How many fields below `Feedback-Type:` a pasted report's agent or version may stand.
const FEEDBACK_FIELDS: usize = 6;

/// An Amazon SES JSON notification, or another sending platform's events, fill the
/// report fields they carry.
fn read_platform_reports(notice: &mut Notice) {
    if !notice.dsn.is_empty() || notice.feedback.is_some() {
        return;
    }
    // Bounces pasted together with complaints are read as bounces; complaints alone as
    // a complaint.
    let (mut complaints, mut bounces) = (Vec::new(), false);
    let mut readings = crate::ses_notification::read(&notice.text);
    // Other platforms' events are read where an admin pasted them, not in every mail that
    // quotes some (a bug tracker's notification).
    if readings.is_empty() && (!notice.has_headers || notice.forwarded) {
        readings = crate::platform_events::read(&notice.text);
    }
    for reading in readings {
        match reading {
            SesReading::Status(d) => {
                notice.dsn.push(d);
                bounces = true;
            }
            SesReading::Complaint(f) => complaints.push(f),
        }
    }
    if !bounces && !complaints.is_empty() {
        notice.feedback = Some(complaints.concat());
    }
}

/// A header block: the first lines are `Name: value` fields, and at least one of them
/// is a header that mail really carries.
pub fn starts_with_headers(s: &str) -> bool {
    let mut known = 0;
    let mut fields = 0;
    for line in text::lines(s.trim_start_matches(['\n', '\r'])).take(60) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) && fields > 0 {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if !is_field_name(name) {
            // An mbox "From " line may precede the headers.
            if fields == 0 && line.starts_with("From ") {
                continue;
            }
            return false;
        }
        fields += 1;
        const KNOWN: &[&str] = &[
            "from",
            "to",
            "subject",
            "date",
            "received",
            "return-path",
            "message-id",
            "content-type",
            "mime-version",
            "delivered-to",
            "x-failed-recipients",
        ];
        if known == 0 && KNOWN.iter().any(|k| name.eq_ignore_ascii_case(k)) {
            known += 1;
        }
    }
    known > 0
}

/// A header field's name: letters, digits, `-` and `_`.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// A header block that a mail server wrote (`Received:`, `Message-ID:`, MIME fields), not
/// the "From: / Sent: / To: / Subject:" lines a mail program puts above a forwarded
/// message.
pub fn has_transport_headers(s: &str) -> bool {
    const TRANSPORT: &[&str] = &[
        "received:",
        "return-path:",
        "message-id:",
        "mime-version:",
        "content-type:",
        "delivered-to:",
        "x-failed-recipients:",
        "dkim-signature:",
        "authentication-results:",
    ];
    starts_with_headers(s)
        && text::lines(s.trim_start_matches(['\n', '\r']))
            .take(200)
            .take_while(|l| !l.is_empty())
            .any(|l| {
                TRANSPORT
                    .iter()
                    .any(|t| text::strip_prefix_ci(l, t).is_some())
            })
}

fn from_pasted_text(s: &str) -> Notice {
    let cleaned = text::strip_quoting(s);
    let cleaned = text::single_spaced(&cleaned);
    let cleaned = text::strip_qp_debris(&cleaned);
    let cleaned = text::join_broken_expansions(&cleaned);
    let mut notice = Notice::default();
    let body = if text::looks_like_html(&cleaned) {
        notice.flatten(&cleaned)
    } else {
        text::decode_escaped_brackets(&cleaned).into_owned()
    };
    let body = text::unflatten_recipient_lists(&body).into_owned();
    match forwarded_notice(&body) {
        Some(forward) => read_text(notice, body, Some(forward), true),
        // A pasted mail's own header labels are its headers.
        None => {
            let labels = leading_labels(&body);
            read_text(notice, body, labels, false)
        }
    }
}

/// Reads a notice's text; with header labels (`labels`: the labels and where the text
/// below them starts) it is read from there down, the labels giving its headers. They are
/// a forwarded notice's when `forwarded`, else the pasted mail's own.
fn read_text(
    mut notice: Notice,
    mut body: String,
    labels: Option<Forward>,
    forwarded: bool,
) -> Notice {
    if let Some((labels, start)) = labels {
        notice.forwarded = forwarded;
        for (name, value) in &labels {
            let field = match name.as_str() {
                "from" => &mut notice.headers.from,
                "subject" => &mut notice.headers.subject,
                "to" => &mut notice.headers.to,
                _ => &mut notice.headers.date,
            };
            field.get_or_insert_with(|| value.clone());
        }
        notice.raw_headers = labels;
        body.drain(..start);
    }
    take_inline_parts(&mut notice, body);
    find_inline_original(&mut notice);
    notice
}

/// Separator lines looked at for a forwarded notice, at most.
const MAX_SEPARATORS: usize = 20;
/// A notice pasted below the customer's words starts its paragraph within these lines.
const LEADING_LINES: usize = 12;

/// A forwarded notice's header labels (`from` | `subject` | `to` | `date`, value) and
/// where its text starts.
type Forward = (Vec<(String, String)>, usize);

/// A delivery notice forwarded or pasted inside a text: header labels whose "From:" names
/// a notice's sender, below a separator line ("-----Original Message-----", "Begin
/// forwarded message:") or opening a paragraph near the top. Returns the labels as
/// (`from` | `subject` | `to` | `date`, value) and where the notice's text starts.
fn forwarded_notice(body: &str) -> Option<Forward> {
    let lines = numbered_lines(body);
    let is_separator = |line: &str| {
        let t = line.trim().to_ascii_lowercase();
        crate::pastes::is_forward_separator(t.as_bytes())
            || crate::knowledge::signs("paste.forward_openers").any(|o| t.starts_with(o))
    };
    // Header labels below a separator ("-----Original Message-----"; a signature's
    // dashes above it are passed over), or at the start of a paragraph near the top (a
    // notice pasted below a line of the customer's), whose "From:" line (Thunderbird puts
    // "Subject:" and "Date:" first) names a notice's sender.
    let after_separators = (0..lines.len())
        .filter(|&i| is_separator(lines[i].1))
        .take(MAX_SEPARATORS)
        .filter_map(|sep| {
            (sep + 1..lines.len().min(sep + 4))
                .find(|&i| !lines[i].1.trim().is_empty())
                .map(|first| (first, 1, Some(lines[sep].0)))
        });
    let paragraphs = (0..lines.len().min(LEADING_LINES))
        .filter(|&i| i == 0 || lines[i - 1].1.trim().is_empty())
        .map(|first| (first, 2, None));
    // A notice's sender decides first; a report below a person's words only if none
    // names one.
    let candidates: Vec<_> = after_separators.chain(paragraphs).collect();
    let (first, count) = [false, true]
        .iter()
        .flat_map(|&reports| candidates.iter().map(move |&c| (reports, c)))
        .find_map(|(reports, (first, least, separator))| {
            let count = label_lines(&lines, first);
            let from_notice = lines[first..first + count].iter().any(|(_, l)| {
                crate::pastes::is_notice_from_line(l.trim().to_ascii_lowercase().as_bytes())
            });
            // A device's or mail program's error report (its sender names no mail
            // system: a server's reply with its status code, a program's error number
            // such as Outlook's "(0x800CCC0F)", or its send error) forwarded below a
            // person's words that tell of no failure.
            let report_below = || {
                let below = lines.get(first + count).map_or(body.len(), |(at, _)| *at);
                let below = &body[below..body.floor_char_boundary(below + 4096)];
                let coded = || {
                    let (reply, status) = text::find_codes(below);
                    reply.is_some() && status.is_some()
                };
                separator.is_some_and(|sep| {
                    count >= 2
                        && !says_failure(
                            &body[..sep],
                            &["kind.failure_statements", "kind.send_failures"],
                        )
                        && (coded()
                            || below.contains("(0x8")
                            || says_failure(below, &["kind.send_failures"]))
                })
            };
            ((from_notice || reports && report_below()) && count >= least).then_some((first, count))
        })?;
    Some(labels_of(body, &lines, first, count))
}

/// True if the start of `s` has words of the `signs.toml` lists `statements` ("could not
/// be delivered"), lower-cased once.
fn says_failure(s: &str, statements: &[&str]) -> bool {
    let lower = s[..s.floor_char_boundary(4096)].to_lowercase();
    statements
        .iter()
        .any(|list| crate::knowledge::signs(list).any(|w| lower.contains(w)))
}

/// The header labels a mail program put on the first lines of a pasted mail (a person's
/// "Von: / An: / Betreff:"), and where its text starts.
fn leading_labels(body: &str) -> Option<Forward> {
    let lines = numbered_lines(body);
    let first = (0..lines.len().min(3)).find(|&i| !lines[i].1.trim().is_empty())?;
    let count = label_lines(&lines, first);
    (count >= 2).then(|| labels_of(body, &lines, first, count))
}

/// The lines of a text (at most 2,000) with their byte offsets.
fn numbered_lines(body: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in body.split_inclusive('\n').take(2000) {
        lines.push((at, line));
        at += line.len();
    }
    lines
}

/// How many header label lines follow from line `first` (at most 10), with the
/// indented lines that continue a folded value.
fn label_lines(lines: &[(usize, &str)], first: usize) -> usize {
    (first..lines.len().min(first + 10))
        .take_while(|&i| is_label(lines[i].1) || continues_value(lines, first, i))
        .count()
}

/// A line with a header label of a forwarded or pasted mail ("Von:", "Subject:").
fn is_label(line: &str) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    crate::knowledge::signs("paste.forward_labels").any(|l| lower.starts_with(l))
}

/// True if line `i` continues the folded value of the label above it (from line
/// `first` on): indented deeper than the label, after a line that ends a list item
/// (`,`) or after a sender or recipient label that named no address yet. (An indented
/// text right below the labels is no value.)
fn continues_value(lines: &[(usize, &str)], first: usize, i: usize) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(label) = (first..i).rev().map(|j| lines[j].1).find(|l| is_label(l)) else {
        return false;
    };
    let (above, line) = (lines[i - 1].1, lines[i].1);
    let open_address = is_label(above)
        && !above.contains('@')
        && ["from:", "von:", "to:", "an:", "cc:"]
            .iter()
            .any(|l| above.trim().to_ascii_lowercase().starts_with(l));
    !is_label(line)
        && !line.trim().is_empty()
        && indent(line) > indent(label)
        && (above.trim_end().ends_with(',') || open_address)
}

/// The labels of `count` lines from `first` as (`from` | `subject` | `to` | `date`,
/// value), and where the text below them starts.
fn labels_of(body: &str, lines: &[(usize, &str)], first: usize, count: usize) -> Forward {
    let mut labels: Vec<(String, String)> = Vec::new();
    // Whether the line above was a label kept here (its folded rest belongs to it).
    let mut kept = false;
    for (i, (_, line)) in lines.iter().enumerate().take(first + count).skip(first) {
        if continues_value(lines, first, i) {
            if let (true, Some((_, value))) = (kept, labels.last_mut()) {
                value.push(' ');
                value.push_str(&text::squash(line));
            }
            continue;
        }
        kept = false;
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = match name.trim().to_lowercase().as_str() {
            "from" | "von" | "de" => "from",
            "subject" | "betreff" | "objet" => "subject",
            "to" | "an" | "à" => "to",
            "date" | "datum" | "sent" | "gesendet" | "envoyé" => "date",
            _ => continue,
        };
        labels.push((name.to_string(), text::squash(value)));
        kept = true;
    }
    let end = first + count;
    (labels, lines.get(end).map_or(body.len(), |(at, _)| *at))
}

/// Free text may still hold a delivery-status block and the returned headers inline,
/// as mail clients show them. Reads both out of the text.
fn take_inline_parts(notice: &mut Notice, mut body: String) {
    if body.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        notice.truncated = Some("text");
    }
    if notice.dsn.is_empty()
        && let Some(start) = inline_dsn_start(&body)
        && let Some(dsn) = inline_report(&body[start..])
    {
        notice.dsn.push(dsn);
    }
    notice.lower = body.to_ascii_lowercase();
    notice.own_span = Default::default();
    notice.marker = Default::default();
    notice.body_format = Default::default();
    notice.text = body;
}

/// An inline block of report fields: a read receipt's (RFC 8098) names a disposition and
/// no action.
fn inline_report(block: &str) -> Option<dsn::DsnMessage> {
    let head = block[..block.floor_char_boundary(4096)].to_ascii_lowercase();
    if head.contains("\ndisposition:") && !head.contains("\naction:") {
        dsn::read_receipt(block)
    } else {
        dsn::parse(block)
    }
}

/// Where an inline delivery-status block starts in free text.
fn inline_dsn_start(body: &str) -> Option<usize> {
    const FIELDS: &[&[u8]] = &[
        b"final-recipient:",
        b"original-recipient:",
        b"reporting-mta:",
        b"reporting-ua:",
    ];
    let b = body.as_bytes();
    memchr::memchr_iter(b'\n', b).map(|nl| nl + 1).find(|&at| {
        FIELDS.iter().any(|f| {
            b.get(at..at + f.len())
                .is_some_and(|l| l.eq_ignore_ascii_case(f))
        })
    })
}

fn summary(msg: &Message<'_>) -> HeaderSummary {
    let addr = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .map(|a| match (a.name(), a.address()) {
                (Some(n), Some(ad)) => text::squash(&format!("{n} <{ad}>")),
                (None, Some(ad)) => text::squash(ad),
                (Some(n), None) => text::squash(n),
                (None, None) => String::new(),
            })
    };
    HeaderSummary {
        subject: latin1_if_broken(msg, HeaderName::Subject, msg.subject()),
        from: addr(msg.from()),
        // A group with no members ("undisclosed-recipients:;") is shown as written.
        to: addr(msg.to()).or_else(|| {
            msg.header_raw("To")
                .map(text::squash)
                .filter(|v| !v.is_empty())
        }),
        date: msg.header_raw("Date").map(text::squash),
        message_id: msg.message_id().map(text::squash),
        received: msg
            .headers_raw()
            .filter(|(n, _)| n.eq_ignore_ascii_case("received"))
            .map(|(_, v)| text::squash(v))
            .take(30)
            .collect(),
        script: ["X-PHP-Originating-Script", "X-PHP-Script"]
            .into_iter()
            .find_map(|h| msg.header_raw(h))
            .map(text::squash),
        auth_results: msg
            .headers_raw()
            .find(|(n, _)| n.eq_ignore_ascii_case("authentication-results"))
            .map(|(_, v)| text::squash(v))
            .or_else(|| received_spf(msg)),
        reply_to: msg
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(text::squash),
        logged_in: msg
            .header_raw("X-MS-Exchange-Organization-AuthAs")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("internal")),
    }
}

/// A header value that was raw 8-bit text, not UTF-8 (Latin-1 in a German or French
/// subject, say), read again from its bytes instead of with replacement characters.
fn latin1_if_broken(msg: &Message<'_>, name: HeaderName, parsed: Option<&str>) -> Option<String> {
    match parsed {
        Some(v) if v.contains('\u{fffd}') => {
            let h = msg.headers().iter().find(|h| h.name == name)?;
            let raw = msg
                .raw_message()
                .get(h.offset_start as usize..h.offset_end as usize)?;
            if std::str::from_utf8(raw).is_ok() {
                return Some(text::squash(v));
            }
            Some(text::squash(&text::decode(raw)))
        }
        other => other.map(text::squash),
    }
}

fn from_mime(msg: &Message<'_>, raw: &str) -> Notice {
    let mut notice = Notice {
        has_headers: true,
        headers: summary(msg),
        raw_headers: msg
            .headers_raw()
            .take(200)
            .filter(|(n, _)| READ_HEADERS.iter().any(|h| n.eq_ignore_ascii_case(h)))
            .map(|(n, v)| (n.to_ascii_lowercase(), text::squash(v)))
            .collect(),
        ..Notice::default()
    };
    if let Some(ct) = msg.content_type() {
        let kind = ct
            .attribute("report-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        notice.is_dsn_report = is_report(msg) && kind.contains("delivery-status");
    }
    let mut body = String::new();
    walk(msg, msg.raw_message(), &mut notice, &mut body);
    if notice.forwarded {
        let (more, cut) = attached_notices(msg);
        notice.attached_notices = more;
        if cut {
            notice.truncated = Some("attachments");
        }
    }
    // Broken MIME (a missing boundary, say) can hide the parts: fall back to the raw body.
    let raw_body = body_start(raw).map_or("", |p| &raw[p..]);
    if body.trim().is_empty() {
        body = raw_body.to_string();
    }
    // A bounce forwarded with `>` quoting reads like the bounce itself.
    let body = text::strip_quoting(&text::strip_qp_debris(&body)).into_owned();
    // A person's mail that forwards a notice below their own words ("WG: Undeliverable")
    // is read as that notice, as if pasted.
    // (An automatic reply that quotes the mail it answers is no such forward.)
    let subject = notice.subject_lower();
    let automatic = notice.header("auto-submitted").is_some_and(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("auto-replied") || v.contains("auto-generated")
    }) && is_vacation_subject(&subject)
        && !is_forward_subject(&subject);
    // (A paste may keep its subject line alone: no sender at all.)
    let from_person = notice
        .header("from")
        .is_none_or(|f| !text::find_addresses(f).is_empty())
        && !notice.from_mail_system()
        && !automatic;
    if notice.dsn.is_empty()
        && from_person
        && let Some(forward) = forwarded_notice(&body)
    {
        let forwarded = Notice {
            has_headers: true,
            links: notice.links,
            attachments: notice.attachments,
            ..Notice::default()
        };
        return read_text(forwarded, body, Some(forward), true);
    }
    take_inline_parts(&mut notice, body);
    if notice.dsn.is_empty() {
        let raw_body = text::strip_qp_debris(raw_body);
        if let Some(start) = inline_dsn_start(&raw_body)
            && let Some(dsn) = dsn::parse(&raw_body[start..])
        {
            notice.dsn.push(dsn);
        }
    }
    if notice.original.is_none() {
        find_inline_original(&mut notice);
    }
    notice
}

/// Where the first empty line ends the header block (the offset of its newline).
fn body_start(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    memchr::memchr_iter(b'\n', b).find(|&nl| match b.get(nl + 1) {
        Some(b'\n') => true,
        Some(b'\r') => b.get(nl + 2) == Some(&b'\n'),
        _ => false,
    })
}

fn content_type_of(part: &mail_parser::MessagePart<'_>) -> (String, String) {
    part.content_type()
        .map_or((String::new(), String::new()), |ct| {
            (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase(),
            )
        })
}

/// How deep messages nest inside `msg` (counting from `depth`), looked at no deeper than
/// one past [`MAX_DEPTH`].
fn nesting(msg: &Message<'_>, depth: usize) -> usize {
    if depth > MAX_DEPTH {
        return depth;
    }
    msg.parts
        .iter()
        .filter_map(|p| match &p.body {
            PartType::Message(inner) => Some(nesting(inner, depth + 1)),
            _ => None,
        })
        .max()
        .unwrap_or(depth)
}

/// The length of the plain text that `msg` offers as its text body.
fn plain_body_len(msg: &Message<'_>) -> usize {
    msg.text_body
        .iter()
        .filter_map(|&i| match &msg.parts.get(i as usize)?.body {
            PartType::Text(t) => Some(t.trim().len()),
            _ => None,
        })
        .sum()
}

/// Reads the parts of `msg`; `base` holds the bytes its parts' offsets count in.
fn walk(msg: &Message<'_>, base: &[u8], notice: &mut Notice, body: &mut String) {
    let plain_len = plain_body_len(msg);
    for (id, part) in msg.parts.iter().enumerate() {
        let (ctype, subtype) = content_type_of(part);
        let foreign = match (ctype == "text")
            .then(|| foreign_text(base, part))
            .flatten()
        {
            Some(Ok(text)) => Some(text),
            Some(Err(charset)) => {
                notice.undecodable.get_or_insert(charset);
                None
            }
            None => None,
        };
        match &part.body {
            PartType::Text(t) if ctype == "text" && subtype == "rfc822-headers" => {
                set_original_from_headers(notice, foreign.as_deref().unwrap_or(t));
            }
            // A plain part may be an HTML notice pasted as source.
            PartType::Text(t) if body.len() < MAX_TEXT => {
                let t = foreign
                    .as_deref()
                    .or_else(|| utf8_if_mislabelled(base, part))
                    .unwrap_or(t);
                if text::opens_as_html(t) {
                    push_text(body, &notice.flatten(t))
                } else {
                    push_text(body, t)
                }
            }
            // An HTML file attached to a "notice" is something to open, not its text.
            PartType::Html(_) | PartType::Text(_)
                if part
                    .attachment_name()
                    .is_some_and(|n| n.to_ascii_lowercase().contains(".htm")) =>
            {
                if let Some(n) = part.attachment_name() {
                    notice.attachments.push(n.to_string());
                }
            }
            PartType::Html(h) if body.len() < MAX_TEXT => {
                let text = notice.flatten(foreign.as_deref().unwrap_or(h));
                // The HTML alternative of a plain part says the same again; it counts
                // only when the plain part is a stub ("view this mail in HTML").
                let alternative = !msg.text_body.contains(&(id as u32));
                if !alternative || plain_len * 2 < text.trim().len() {
                    push_text(body, &text)
                }
            }
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                let name = format!("{ctype}/{subtype}");
                match name.as_str() {
                    "message/delivery-status" | "message/global-delivery-status" => {
                        if let Some(d) = dsn::parse(&text::decode(b)) {
                            notice.dsn.push(d);
                        }
                    }
                    "message/disposition-notification" => {
                        if let Some(d) = dsn::read_receipt(&text::decode(b)) {
                            notice.dsn.push(d);
                        }
                    }
                    "message/feedback-report" => {
                        notice.feedback = Some(text::decode(b).into_owned())
                    }
                    "message/rfc822-headers" | "message/global-headers" | "text/rfc822-headers" => {
                        set_original_from_headers(notice, &text::decode(b));
                    }
                    // A saved message attached as a file ("Unzustellbar.eml") is read
                    // as the message it holds.
                    // A person's own saved mail attached to their question is no
                    // returned message.
                    _ if let Some(inner) = saved_message(part, b)
                        && (looks_like_bounce(&inner)
                            || notice.is_dsn_report
                            || notice.from_mail_system()) =>
                    {
                        walk_message(&inner, None, notice, body)
                    }
                    _ => {
                        if let Some(n) = part.attachment_name() {
                            notice.attachments.push(n.to_string());
                        } else if ctype != "message" {
                            notice.attachments.push(name);
                        }
                    }
                }
            }
            PartType::Message(inner) => walk_message(inner, Some(base), notice, body),
            _ => {}
        }
    }
}

/// A message inside this one (`message/rfc822`, or a saved `.eml` file): the returned
/// original, or a bounce a person forwarded, which is then the notice to read.
/// `parent` holds the bytes the enclosing message's offsets count in: mail-parser counts
/// an unencoded inner message's offsets in them too, an encoded one's in its own bytes.
fn walk_message(
    inner: &Message<'_>,
    parent: Option<&[u8]>,
    notice: &mut Notice,
    body: &mut String,
) {
    let own = inner.raw_message();
    let base = parent.filter(|p| within(own, p)).unwrap_or(own);
    if nesting(inner, 1) > MAX_DEPTH {
        notice.truncated = Some("depth");
    }
    let forwarded_bounce = notice.dsn.is_empty() && !notice.forwarded && looks_like_bounce(inner);
    // A person forwarded it: the inner notice's headers and returned message
    // are the ones to read. A notice's own attachment is its returned message.
    let by_person = forwarded_bounce && !notice.from_mail_system() && is_failure_notice(inner);
    if notice.original.is_none() && !by_person {
        notice.original = Some(summary(inner));
        notice.original_headers = raw_header_block(own);
    }
    // A forwarded bounce: the inner message is the notice to read (once: a bounce
    // forwarded inside it is its returned message).
    if forwarded_bounce {
        notice.forwarded = true;
        if by_person {
            notice.headers = summary(inner);
            notice.forward_note = body.to_ascii_lowercase();
            notice.links.clear();
        }
        walk(inner, base, notice, body);
    }
}

/// True if `inner` lies inside `outer` (the same bytes, not a copy).
fn within(inner: &[u8], outer: &[u8]) -> bool {
    let (start, end) = (
        outer.as_ptr() as usize,
        outer.as_ptr() as usize + outer.len(),
    );
    let at = inner.as_ptr() as usize;
    start <= at && at + inner.len() <= end
}

/// An attachment that is a saved message (`*.eml`), whatever type it was sent as, read.
fn saved_message<'a>(part: &mail_parser::MessagePart<'_>, bytes: &'a [u8]) -> Option<Message<'a>> {
    part.attachment_name()
        .is_some_and(|n| n.to_ascii_lowercase().trim_end().ends_with(".eml"))
        .then(|| parser().parse(bytes))
        .flatten()
}

/// A part's body as it stands in `base` (still transfer-encoded), if the offsets fit.
fn part_bytes<'a>(base: &'a [u8], part: &mail_parser::MessagePart<'_>) -> Option<&'a [u8]> {
    base.get(part.offset_body as usize..part.offset_end as usize)
}

/// The raw text of an unencoded part labelled US-ASCII (or not labelled) whose bytes are
/// UTF-8 after all, as mail servers often send: read as UTF-8, not as Latin-1.
fn utf8_if_mislabelled<'a>(base: &'a [u8], part: &mail_parser::MessagePart<'_>) -> Option<&'a str> {
    if part.encoding != mail_parser::Encoding::None {
        return None;
    }
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    if !charset
        .is_none_or(|c| c.eq_ignore_ascii_case("us-ascii") || c.eq_ignore_ascii_case("ascii"))
    {
        return None;
    }
    let text = std::str::from_utf8(part_bytes(base, part)?).ok()?;
    (!text.is_ascii()).then_some(text)
}

/// The text of a part in a character set mail-parser cannot decode (see [`charsets`]):
/// `Ok` with the text decoded by the platform, `Err` with the set's name when it cannot.
fn foreign_text(
    base: &[u8],
    part: &mail_parser::MessagePart<'_>,
) -> Option<Result<String, String>> {
    let charset = part.content_type()?.attribute("charset")?;
    let name = charsets::foreign(charset)?;
    let Some(raw) = part_bytes(base, part) else {
        return Some(Err(name));
    };
    let bytes = match part.encoding {
        mail_parser::Encoding::Base64 => mail_parser::decoders::base64::base64_decode(raw),
        mail_parser::Encoding::QuotedPrintable => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(raw)
        }
        mail_parser::Encoding::None => Some(raw.to_vec()),
    };
    Some(
        bytes
            .and_then(|b| charsets::decode(charset, &b))
            .ok_or(name),
    )
}

/// A bounce attached to a mail: where it lies in the mail's bytes, and its decoded bytes
/// when it was encoded (base64), so that the mail's own bytes do not show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attached {
    pub at: std::ops::Range<usize>,
    pub decoded: Option<Vec<u8>>,
}

/// The bounces a mail forwards as attachments after the first one (which `walk` read),
/// at most [`MAX_ATTACHED`]; and whether that limit left some out.
fn attached_notices(msg: &Message<'_>) -> (Vec<Attached>, bool) {
    let encoded = |p: &mail_parser::MessagePart<'_>| p.encoding != mail_parser::Encoding::None;
    let mut more: Vec<Attached> = msg
        .parts
        .iter()
        .filter_map(|p| {
            let decoded = match &p.body {
                PartType::Message(inner) if looks_like_bounce(inner) => {
                    encoded(p).then(|| inner.raw_message().to_vec())
                }
                PartType::Binary(b) | PartType::InlineBinary(b)
                    if saved_message(p, b).is_some_and(|m| looks_like_bounce(&m)) =>
                {
                    encoded(p).then(|| b.to_vec())
                }
                _ => return None,
            };
            Some(Attached {
                at: p.offset_body as usize..p.offset_end as usize,
                decoded,
            })
        })
        .skip(1)
        .take(MAX_ATTACHED + 1)
        .collect();
    let cut = more.len() > MAX_ATTACHED;
    more.truncate(MAX_ATTACHED);
    (more, cut)
}

/// Attached bounces read as messages of their own, at most.
const MAX_ATTACHED: usize = 50;

fn looks_like_bounce(msg: &Message<'_>) -> bool {
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("");
    is_report(msg) || text::is_system_address(from)
}

/// A report, or a message whose subject says that mail failed or is late.
fn is_failure_notice(msg: &Message<'_>) -> bool {
    let subject = msg.subject().unwrap_or("").to_lowercase();
    is_report(msg)
        || ["kind.failure_subjects", "kind.delay_subjects"]
            .iter()
            .any(|list| crate::knowledge::signs(list).any(|w| subject.contains(w)))
}

/// A `multipart/report` message.
fn is_report(msg: &Message<'_>) -> bool {
    msg.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    })
}

fn push_text(body: &mut String, t: &str) {
    if !body.is_empty() {
        body.push('\n');
    }
    if t.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !t.is_char_boundary(cut) {
            cut -= 1;
        }
        body.push_str(&t[..cut]);
    } else {
        body.push_str(t);
    }
}

fn raw_header_block(raw: &[u8]) -> String {
    let raw = &raw[..raw.len().min(64 * 1024)];
    text::decode(&raw[..header_block_end(raw)]).into_owned()
}

/// Where the header block at the start of `b` ends: its first empty line (LF line ends
/// first, then CRLF), or the end.
fn header_block_end(b: &[u8]) -> usize {
    memchr::memmem::find(b, b"\n\n")
        .or_else(|| memchr::memmem::find(b, b"\r\n\r\n"))
        .unwrap_or(b.len())
}

fn set_original_from_headers(notice: &mut Notice, headers: &str) {
    if notice.original.is_some() {
        return;
    }
    let block = format!("{}\n\n", headers.trim_start());
    if let Some(m) = parser().parse_headers(block.as_bytes()) {
        notice.original = Some(summary(&m));
        notice.original_headers = raw_header_block(block.as_bytes());
    }
}

/// Markers after which free-text notices quote the original message.
const ORIGINAL_MARKERS: &[&str] = &[
    "--- Below this line is a copy of the message.",
    "------ This is a copy of the message, including all the headers. ------",
    "------ This is a copy of the message's headers. ------",
    "--- The header of the original message is following. ---",
    "----- Original message -----",
    "-----Original Message-----",
    "------ Original message ------",
    "--- Original message follows.",
    "Original message headers:",
    "The original message was:",
    "The first part of the original message follows",
    "----- The following is a copy of the original message",
    "Original message:",
    "Received message follows",
    "--- Original message ---",
    "------- Returned Message --------",
    "----- Unsent message follows -----",
    "------- The original message sent:",
    "---------- original message ----------",
    "Original message follows.",
    // GroupWise.
    "Possibly truncated original message follows",
    "Message headers follow.",
    "Included is a copy of the message header",
    "Kopie der Nachricht",
    "Originalnachricht",
    "Ursprüngliche Nachricht",
    "Ursprüngliche Nachrichtenkopfzeilen",
    "Ursprüngliche Nachrichtenheader",
    "Ursprüngliche Nachrichtenköpfe",
];

/// The verdict of the topmost `Received-SPF` field written at the border (about a
/// public address, not an internal hop's), as `spf=fail (…)`; none for a message handed
/// in with a login, whose own provider may check it.
fn received_spf(msg: &mail_parser::Message<'_>) -> Option<String> {
    let field = |name: &'static str| {
        msg.headers_raw()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    if field("received")
        .any(|v| crate::knowledge::signs("origin.authenticated").any(|s| v.contains(s)))
    {
        return None;
    }
    let internal = |v: &str| {
        v.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|w| w.parse::<std::net::Ipv4Addr>().ok())
            .any(|ip| ip.is_private() || ip.is_loopback())
    };
    field("received-spf")
        .find(|v| !internal(v))
        .map(|v| format!("spf={}", text::squash(&v).replace(';', " ")))
}

/// Byte offset where free text starts quoting the original message. `lower` is the text
/// in ASCII lower case. A marker that ends in a letter ends its word ("Ursprüngliche
/// Nachricht", not "Ursprüngliche Nachrichtendetails", a heading of Exchange's notice).
fn original_marker(lower: &str) -> Option<usize> {
    static MARKERS: std::sync::OnceLock<crate::matcher::Matcher> = std::sync::OnceLock::new();
    let m = MARKERS.get_or_init(|| crate::matcher::Matcher::new(ORIGINAL_MARKERS));
    let mut from = 0;
    while let Some((pos, _)) = m.find(&lower[from..]) {
        let at = from + pos;
        if marker_at_start(&lower[at..]) {
            return Some(at);
        }
        from = lower.ceil_char_boundary(at + 1);
    }
    None
}

/// True if a marker starts `rest` and ends its word ("… Nachrichtenkopfzeilen").
fn marker_at_start(rest: &str) -> bool {
    ORIGINAL_MARKERS.iter().any(|marker| {
        rest.len() >= marker.len()
            && rest.as_bytes()[..marker.len()].eq_ignore_ascii_case(marker.as_bytes())
            && (!marker.ends_with(char::is_alphabetic)
                || !rest[marker.len()..].starts_with(char::is_alphabetic))
    })
}

fn find_inline_original(notice: &mut Notice) {
    if notice.original.is_some() {
        return;
    }
    let Some(at) = notice.marker_from(0) else {
        // Pasted without its marker, the returned headers follow the server's reply.
        if let Some(at) = crate::formats::returned_headers(&notice.lower) {
            set_original_from_text(notice, at);
        }
        return;
    };
    let mut rest = notice.text[at..].split_once('\n').map_or("", |(_, r)| r);
    // Notes between the marker and the headers ("------ The body of the message is
    // 5000 characters long; only the first 1000 are included here.") are skipped.
    loop {
        rest = rest.trim_start_matches(['\n', '\r', ' ']);
        match rest.strip_prefix("------") {
            Some(note) => rest = note.split_once('\n').map_or("", |(_, r)| r),
            None => break,
        }
    }
    if starts_with_headers(rest) {
        set_original_from_text(notice, notice.text.len() - rest.len());
    } else if let fields = leading_fields(rest)
        && starts_with_headers(fields)
    {
        // A paste re-wrapped a folded field ("To: a@x,\nb@y"): the fields before it, if
        // they name the message's sender or recipients (a few hops alone would tell
        // the origin checks a wrong story).
        let fields = fields.to_string();
        set_original_from_headers(notice, &fields);
        if notice
            .original
            .as_ref()
            .is_some_and(|o| o.from.is_none() && o.to.is_none())
        {
            notice.original = None;
            notice.original_headers.clear();
        }
    }
}

/// The `Name: value` lines (and their indented continuations) that `s` starts with.
fn leading_fields(s: &str) -> &str {
    let mut end = 0;
    for line in s.split_inclusive('\n') {
        let field = line
            .split_once(':')
            .is_some_and(|(name, _)| is_field_name(name));
        if !(field || end > 0 && line.starts_with([' ', '\t'])) {
            break;
        }
        end += line.len();
    }
    &s[..end]
}

/// Reads the returned original from the header block that starts at byte `at` of the
/// notice's text.
fn set_original_from_text(notice: &mut Notice, at: usize) {
    let rest = &notice.text[at..];
    let headers = rest[..header_block_end(rest.as_bytes())].to_string();
    set_original_from_headers(notice, &headers);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_of_a_part_agrees_with_a_search_of_the_part() {
        let texts = [
            "550 user unknown\n----- Original message -----\nTo: a@b.c\n",
            "xoriginalnachricht ----- originalnachricht folgt\n",
            "keine kopie der nachrichtendetails, aber kopie der nachricht\n",
            "no marker at all in this text\n",
        ];
        for t in texts {
            let n = Notice {
                lower: t.to_ascii_lowercase(),
                ..Notice::default()
            };
            for from in (0..=n.lower.len()).filter(|&i| n.lower.is_char_boundary(i)) {
                let part = original_marker(&n.lower[from..]);
                assert_eq!(n.marker_from(from), part, "{t:?} from {from}");
            }
        }
    }

    #[test]
    fn header_detection_needs_a_real_header() {
        assert!(starts_with_headers("From: a@b.c\nSubject: x\n\nbody"));
        assert!(!starts_with_headers(
            "Hello: this is not mail\nThe mail system\n"
        ));
        assert!(!starts_with_headers("This is the mail system at host x.\n"));
    }

    #[test]
    fn a_forwarded_notice_is_read_below_the_customers_words() {
        let paste = "Hallo Support, was ist hier los?\n\n-------- Weitergeleitete Nachricht --------\nBetreff: \tUndelivered Mail Returned to Sender\nDatum: \tMon, 3 Mar 2025 10:00:00 +0100\nVon: \tMail Delivery System <MAILER-DAEMON@mx.firma.example>\nAn: \tbernd@firma.example\n\nThis is the mail system at host mx.firma.example.\n";
        let n = read(paste.as_bytes());
        assert_eq!(
            n.headers.subject.as_deref(),
            Some("Undelivered Mail Returned to Sender")
        );
        assert_eq!(
            n.header("from").map(|f| f.contains("MAILER-DAEMON")),
            Some(true)
        );
        assert!(n.text.trim_start().starts_with("This is the mail system"));
    }

    #[test]
    fn pasted_text_with_inline_dsn_is_read() {
        let n = read(b"Your message could not be delivered.\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.2.2\n");
        assert!(!n.has_headers);
        assert_eq!(n.dsn.len(), 1);
        assert_eq!(n.dsn[0].recipients[0].status.as_deref(), Some("5.2.2"));
    }
}
