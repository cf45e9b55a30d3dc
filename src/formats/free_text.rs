//! The generic free-text reader: finds recipients, their error text and the SMTP stage
//! in the region of a notice that a [`Format`] points at.

use super::Format;
use crate::matcher::Matcher;
use crate::notice::{self, Notice};
use crate::text;
use std::sync::LazyLock;

/// One recipient as read from free text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TextRecipient {
    pub address: String,
    /// The lines that speak about this recipient, joined.
    pub diagnostic: String,
    /// The last SMTP command the text named before this recipient, as a transcript
    /// names it (`>>> RCPT To:<a@example.org>`).
    pub command: Option<&'static str>,
}

/// What the free text says.
#[derive(Debug, Default, Clone)]
pub struct TextReading {
    pub recipients: Vec<TextRecipient>,
    /// Lines with codes or failure words that belong to no single recipient.
    pub general: String,
    /// The SMTP command the server answered, when the text says.
    pub command: Option<&'static str>,
}

/// The region of the text that holds the error report, and the same region of `lower`
/// (`t` in ASCII lower case).
fn region<'a>(f: &Format, n: &'a Notice) -> (&'a str, &'a str) {
    let (t, lower) = (n.text.as_str(), n.lower.as_str());
    // (position, length) of the earliest needle.
    let find = |hay: &str, needles: &[&str]| {
        needles
            .iter()
            .filter_map(|w| hay.find(&w.to_ascii_lowercase()).map(|at| (at, w.len())))
            .min()
    };
    // The report starts after the start marker: on the next line, unless the text was
    // flattened into one line and the report follows on the marker's own line.
    let mut start = find(lower, f.start).map_or(0, |(at, len)| {
        let after = at + len;
        match t[after..].find('\n') {
            _ if let Some(named) = addressed_before(n, at, after) => named,
            Some(nl) if !t[after..after + nl].contains('@') => after + nl + 1,
            _ => after,
        }
    });
    let end_after = |start: usize| {
        let rest = &lower[start..];
        find(rest, f.end)
            .map(|(at, _)| at)
            .into_iter()
            .chain(n.marker_from(start))
            .chain(returned_headers(rest))
            .min()
            .unwrap_or(rest.len())
    };
    let mut end = end_after(start);
    // A report that names no address below its marker stands above it: a provider's own
    // words first, then the mail program's standard sentence (Mail.ru's Russian notice
    // above Exim's English one).
    if start > 0 && !lower[start..start + end].contains('@') {
        (start, end) = (0, end_after(0));
    }
    (&t[start..start + end], &lower[start..start + end])
}

/// Where the address stands that a marker's own line names before it as the message's
/// destination ("Ihre Nachricht an a@example.org konnte nicht zugestellt werden"), when
/// the lines below the marker (up to the returned original) name no address again. The
/// words before the address may end the line above ("Deine Nachricht an" / "a@… konnte"),
/// and the address may stand alone on a line above the marker's ("Ihre Nachricht an" /
/// "    a@…" / "konnte nicht zugestellt werden").
fn addressed_before(n: &Notice, marker: usize, after: usize) -> Option<usize> {
    let (t, lower) = (n.text.as_str(), n.lower.as_str());
    let line_start = t[..marker].rfind('\n').map_or(0, |nl| nl + 1);
    let (at, before) = match text::find_addresses(&t[line_start..marker]).pop() {
        Some(last) => {
            let before = t[line_start..line_start + last.start].trim_end_matches(['<', ' ']);
            let before = match before {
                "" => lines_above(t, line_start).next().map_or("", |(_, l)| l),
                b => b,
            };
            (line_start + last.start, before)
        }
        None if t[line_start..marker].trim().is_empty() => {
            let mut above = lines_above(t, line_start);
            let (start, line) = above.next()?;
            let [a] = &text::find_addresses(line)[..] else {
                return None;
            };
            let alone = line
                .trim()
                .trim_matches(['<', '>'])
                .eq_ignore_ascii_case(&a.value);
            if !alone {
                return None;
            }
            (start + a.start, above.next().map_or("", |(_, l)| l))
        }
        None => return None,
    };
    let before = before.trim_end().to_lowercase();
    let destination = ["an", "to", "à", "a", "aan"]
        .iter()
        .any(|w| before == *w || before.ends_with(&format!(" {w}")));
    let below = n.marker_from(after).unwrap_or(lower.len() - after);
    // An "@" alone ("the part after the @ sign") is no address.
    let named_again = || !text::find_addresses(&t[after..after + below]).is_empty();
    (destination && !named_again()).then_some(at)
}

/// The non-empty lines above the line that starts at `line_start`, nearest first, each
/// with where it starts.
fn lines_above(t: &str, line_start: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut end = line_start;
    std::iter::from_fn(move || {
        while end > 0 {
            let above = &t[..end - 1];
            let start = above.rfind('\n').map_or(0, |nl| nl + 1);
            end = start;
            if !above[start..].trim().is_empty() {
                return Some((start, &above[start..]));
            }
        }
        None
    })
}

/// Where the returned original's header block starts in pasted text that lost the
/// marker above it: a `Return-Path:` or `Received:` line that opens a header block below
/// the server's reply, or below words of a failure when the notice gives no code (Lotus
/// Domino's "not listed in Domino Directory"). A block above both is the notice's own
/// pasted headers.
pub fn returned_headers(lower: &str) -> Option<usize> {
    let b = lower.as_bytes();
    memchr::memchr_iter(b'\n', b)
        .map(|nl| nl + 1)
        .filter(|&at| b[at..].starts_with(b"return-path:") || b[at..].starts_with(b"received: "))
        .take(MAX_HEADER_STARTS)
        .find(|&at| {
            let above = &lower[..at];
            let block = &lower[at..];
            (text::find_codes(above).0.is_some()
                || crate::classify::mentions_failure(above) && !from_mail_system(block))
                && notice::starts_with_headers(block)
        })
}

/// True if the header block `block` (lower case) starts is a notice's own: its `From:`
/// is a mail system (a customer pasting a notice's full headers below their words).
fn from_mail_system(block: &str) -> bool {
    text::lines(block)
        .take_while(|l| !l.trim().is_empty())
        .take(MAX_BLOCK_LINES)
        .find_map(|l| l.strip_prefix("from:"))
        .and_then(text::first_address)
        .is_some_and(|a| text::is_system_address(&a))
}

/// Header lines looked at for a block's `From:`.
const MAX_BLOCK_LINES: usize = 80;

/// `Return-Path:`/`Received:` lines tried as the start of a returned header block.
const MAX_HEADER_STARTS: usize = 8;

/// The address that fills a cell of its own in a table row copied from a spreadsheet
/// (`25.03.2024 18:00<TAB>a@example.org<TAB>Hard Bounce<TAB>550 5.1.1 …`); of two (sender
/// and recipient, as exports order them) the last.
fn table_cell_address(trimmed: &str, found: &[text::Found]) -> Option<text::Found> {
    if !trimmed.contains('\t') {
        return None;
    }
    found
        .iter()
        .rfind(|a| {
            let before = trimmed[..a.start].trim_end_matches(' ');
            let after = trimmed[a.end..].trim_start_matches(' ');
            before.ends_with('\t') && after.starts_with('\t')
        })
        .cloned()
}

/// The address a line starts with, if any (after white space, quotes, `<` or a label; in
/// a list with `arrows`, after "->", as amavisd-new lists recipients).
fn leading_address(line: &str, arrows: bool) -> Option<text::Found> {
    let trimmed = line.trim_start();
    let mut body = trimmed
        .strip_prefix("->")
        .filter(|_| arrows)
        .unwrap_or(trimmed)
        .trim_start_matches(['<', '"', '\'', '(', '*', '-', ' ', '\t']);
    let lower = body.to_ascii_lowercase();
    for label in crate::knowledge::signs("free_text.recipient_labels") {
        if lower.starts_with(label) {
            body = body[label.len()..].trim_start_matches(['<', '"', ' ', '\t', ';']);
            let low = body.to_ascii_lowercase();
            if let Some(rest) = low.strip_prefix("rfc822;") {
                body = &body[body.len() - rest.len()..];
                body = body.trim_start();
            }
            break;
        }
    }
    let first = text::find_addresses(body).into_iter().next()?;
    let shift = trimmed.len() - body.len();
    (first.start == 0).then(|| text::Found {
        start: first.start + shift,
        end: first.end + shift,
        ..first
    })
}

/// The address of the first line that is only a display name and the address in
/// brackets, as Exchange lists its recipients below "… to these recipients or groups:"
/// when a mail program shows the notice ("Harold Finch (hfinch@example.org)"); the words
/// of a sender's line ("Nachricht von …") are no name.
fn display_named_recipient(region: &str, sender: Option<&str>) -> Option<String> {
    let mut listed = false;
    text::lines(region).find_map(|line| {
        let line = line.trim();
        let lower = line.to_lowercase();
        if crate::knowledge::signs("free_text.recipient_list_openers").any(|o| lower.ends_with(o)) {
            listed = true;
            return None;
        }
        if !listed || line.is_empty() {
            return None;
        }
        listed = false;
        let [a] = &text::find_addresses(line)[..] else {
            return None;
        };
        let name = line[..a.start].strip_suffix('(')?.trim_end();
        let words = || name.split_whitespace().map(str::to_lowercase);
        let only_a_name = (1..=6).contains(&words().count())
            && !name.contains([':', '@', '<', '>', '(', ')'])
            && !text::has_code(name)
            && !words()
                .any(|w| crate::knowledge::signs("free_text.sender_columns").any(|s| s == w));
        let fits = only_a_name
            && line[a.end..].trim_end() == ")"
            && !text::is_system_address(&a.value)
            && !sender.is_some_and(|s| s.eq_ignore_ascii_case(&a.value));
        fits.then(|| a.value.clone())
    })
}

/// How far down a copied page its recipient's field may stand (a signature's "E-Mail:"
/// further down is none).
const PAGE_FIELD_LINES: usize = 15;

/// The address of a sending platform's page as copied from the browser, where a field
/// names the event's recipient: a label, then a gap of spaces or a tab ("To          a@…")
/// or a colon ("Contact: a@…"), then the address alone.
fn page_field_recipient(region: &str, sender: Option<&str>) -> Option<String> {
    fn labelled<'a>(line: &'a str, list: &str, gap: fn(&str) -> bool) -> Option<&'a str> {
        crate::knowledge::signs(list).find_map(|label| {
            text::strip_prefix_ci(line, label)
                .filter(|rest| gap(rest))
                .map(str::trim)
        })
    }
    fn cell_gap(rest: &str) -> bool {
        rest.starts_with('\t') || rest.starts_with("  ")
    }
    fn colon(rest: &str) -> bool {
        rest.starts_with(':')
    }
    let field = |rest: &str| cell_gap(rest) || colon(rest);
    // A page shows the event's status or reason beside it (a signature does not), and a
    // mail program's header block with a notice's sender names the reader in its "To".
    let lines: Vec<&str> = text::lines(region)
        .take(PAGE_FIELD_LINES)
        .map(str::trim)
        .collect();
    let page = lines
        .iter()
        .any(|l| labelled(l, "free_text.page_status_labels", field).is_some());
    let notice_header = lines.iter().any(|l| {
        let lower = l.to_ascii_lowercase();
        (lower.starts_with("from") || lower.starts_with("von"))
            && crate::knowledge::signs("paste.notice_senders").any(|s| lower.contains(s))
    });
    if !page || notice_header {
        return None;
    }
    lines.into_iter().find_map(|line| {
        let value = labelled(line, "free_text.page_cell_labels", cell_gap)
            .or_else(|| labelled(line, "free_text.page_field_labels", colon))?
            .trim_start_matches(':')
            .trim();
        let found = text::find_addresses(value);
        match found.as_slice() {
            [a] if a.start == 0 && value[a.end..].trim().is_empty() => Some(a.value.clone()),
            _ => None,
        }
        .filter(|a| Some(a.as_str()) != sender && !text::is_system_address(a))
    })
}

/// The address a sentence says the message could not reach, as in "Your message wasn't
/// delivered to a@example.org" or "Ihre Nachricht wurde nicht an a@example.org zugestellt".
fn named_in_sentence(region: &str, region_lower: &str, sender: Option<&str>) -> Option<String> {
    // (The sentence may go on in the next line of a re-wrapped paste: "Ihre E-Mail an
    // a@example.org konnte bisher" / "nicht zugestellt werden.")
    let lower: Vec<&str> = text::lines(region_lower).collect();
    let region_lines: Vec<&str> = text::lines(region).collect();
    region_lines
        .iter()
        .copied()
        .enumerate()
        .filter(|&(i, _)| {
            // (Only a sentence that goes on: "konnte bisher" / "nicht zugestellt werden",
            // "konnte dem" / "Empfänger nicht …"; not a line of its own with a code.)
            let goes_on = lower[i].trim_end().ends_with(char::is_alphanumeric)
                && region_lines.get(i + 1).is_some_and(|l| {
                    let l = l.trim_start();
                    l.starts_with(char::is_lowercase)
                        || l.starts_with(char::is_alphabetic) && !text::has_code(l)
                });
            let next = if goes_on { lower[i + 1] } else { "" };
            let sentence = format!("{} {next}", lower[i]);
            crate::knowledge::signs("free_text.says_undelivered").any(|w| sentence.contains(w))
        })
        // (Not a reply that refuses the sender's address: it names no recipient, only the
        // sender and its login.)
        .flat_map(|(_, line)| {
            let found = text::find_addresses(line);
            let refuses_sender = found.iter().any(|a| about_the_sender(line, a));
            found.into_iter().filter(move |_| !refuses_sender)
        })
        .map(|a| a.value)
        .find(|a| !text::is_system_address(a) && Some(a.as_str()) != sender)
}

/// A line that names a failure and ends with the address it happened to, such as
/// "User's mailbox is full: <a@example.org>" or "Delivery failed: a@example.org":
/// (address, the words before it). Header fields and sender labels do not count.
fn labelled_failure(line: &str) -> Option<(String, &str)> {
    if line.starts_with(">>>") || line.starts_with("<<<") {
        return None;
    }
    let (label, rest) = line.rsplit_once(':')?;
    let found = text::find_addresses(rest).into_iter().next()?;
    let only_address = rest
        .trim()
        .trim_matches(['<', '>', '"', '.', ' '])
        .eq_ignore_ascii_case(&found.value);
    let words = label.split_whitespace().count();
    let lower = label.to_ascii_lowercase();
    let sender_label = lower.split_whitespace().any(|w| {
        [
            "from",
            "sender",
            "reply-to",
            "return-path",
            "absender",
            "von",
        ]
        .contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
    });
    (only_address
        && (2..=10).contains(&words)
        && !sender_label
        && !text::is_system_address(&found.value))
    .then(|| (found.value, label.trim()))
}

/// True if the text before an address labels it as a message ID or a log line's sender.
fn labelled_no_recipient(before: &str) -> bool {
    let before = before.trim_end_matches(['<', ' ', '\t']);
    // The label ends right before the address: a short tail keeps long lines linear.
    let label =
        before[before.floor_char_boundary(before.len().saturating_sub(16))..].to_ascii_lowercase();
    [
        "message-id:",
        "message id:",
        "nachrichten-id:",
        "in-reply-to:",
        "references:",
        "message-id=",
        "msgid=",
        "from=",
        "sender=",
        "envelope-from",
    ]
    .iter()
    .any(|l| label.ends_with(l))
}

/// The address that follows words naming the refused recipient in a line, and the rest
/// of the line after it.
fn named_after_phrase(line: &str) -> Option<(String, &str)> {
    let lower = line.to_ascii_lowercase();
    let at = crate::knowledge::signs("free_text.recipient_phrases")
        .find_map(|p| lower.find(p).map(|i| i + p.len()))?;
    let a = text::find_addresses(&line[at..]).into_iter().next()?;
    Some((a.value, &line[at + a.end..]))
}

/// True if only transcript marks and codes stand before a bracketed address, as in
/// `<<< 550 5.1.1 <a@example.org>... User unknown` (not "550 Verification failed for <a@…>").
fn only_codes_before(prefix: &str) -> bool {
    prefix.ends_with('<')
        && prefix[..prefix.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ' ' | '<' | '>' | '#' | ':'))
}

/// True if `lower` starts with a label of the returned message's sender.
fn is_sender_label(lower: &str) -> bool {
    crate::knowledge::signs("free_text.sender_labels").any(|l| lower.starts_with(l))
}

/// A line that describes the returned message (its subject, size or sender), not an error.
fn is_message_detail(lower: &str) -> bool {
    crate::knowledge::signs("free_text.message_details").any(|l| lower.starts_with(l))
}

/// The longest line that closes a person's note, and how far below it (after a name) the
/// writer's address may stand.
const SIGN_OFF_LEN: usize = 40;
const SIGNATURE_LINES: usize = 3;

/// Reads recipients and their diagnostics out of the notice text; `lower` is that text
/// in ASCII lower case.
pub fn read(f: &Format, n: &Notice) -> TextReading {
    let (region, region_lower) = region(f, n);
    let sender = n.headers.to.as_deref().map(address_of);
    let mut r = Reader {
        sender: sender.as_deref(),
        ..Reader::default()
    };
    // The lower-cased copy has the same byte offsets: lines pair up.
    for (line_no, (line, line_lower)) in text::lines(region)
        .zip(text::lines(region_lower))
        .enumerate()
    {
        r.note_content(line_no);
        let trimmed = line.trim();
        let trimmed_lower = line_lower.trim();
        // A wrapped sentence goes on indented, or with a small letter or a digit.
        let continues_general = std::mem::take(&mut r.general_open)
            && line
                .starts_with(|c: char| c.is_whitespace() || c.is_lowercase() || c.is_ascii_digit());
        if trimmed.is_empty() {
            if r.substantive {
                r.current = None;
            }
            r.table.blank();
            continue;
        }
        if is_app_control(trimmed_lower) {
            continue;
        }
        if is_layout_line(trimmed) {
            // A heading between an address and its explanation keeps them together.
            r.current = r
                .current
                .filter(|&i| r.out.recipients[i].diagnostic.trim().is_empty());
            continue;
        }
        if let Some(command) = command_in_lower(trimmed_lower) {
            r.out.command.get_or_insert(command);
            r.last_command = Some(command);
        }
        if r.table_cell(trimmed, trimmed_lower) {
            continue;
        }
        // A quoted header's address list folded onto the next, indented line ("To: a@x,
        // b@y," / "  c@z") names no failed recipient.
        let folded = std::mem::take(&mut r.address_field_open) && line.starts_with([' ', '\t']);
        r.address_field_open = trimmed.ends_with(',')
            && (folded
                || crate::knowledge::signs("free_text.address_fields")
                    .any(|f| trimmed_lower.starts_with(f)));
        if folded {
            continue;
        }
        let arrows = std::mem::take(&mut r.arrow_list_open);
        r.arrow_list_open = trimmed_lower.ends_with(" to:") || arrows && trimmed.starts_with("->");
        // The returned message's sender, labelled on this line or the one before, is no
        // recipient.
        let after_sender_label = std::mem::take(&mut r.sender_label_open);
        // Exchange's "Sender Address:" broken by re-wrapping after "Sender": the line
        // that goes on with "Address:" names the sender.
        let sender_label_split =
            std::mem::take(&mut r.sender_word_open) && trimmed_lower.starts_with("address:");
        r.sender_word_open = trimmed_lower.ends_with(" sender");
        if sender_label_split {
            continue;
        }
        if is_sender_label(trimmed_lower) {
            // A name without its address: the address follows on the next line.
            r.sender_label_open = !trimmed.contains('@');
            continue;
        }
        // (A line with a recipient label of its own is the next fact, not the sender's
        // address.)
        let labelled_recipient = || {
            crate::knowledge::signs("free_text.recipient_labels")
                .any(|l| trimmed_lower.starts_with(l))
        };
        if after_sender_label && trimmed.contains('@') && !labelled_recipient() {
            continue;
        }
        // ("Danke, Jens", not "Thank you for using our service.")
        if trimmed.len() <= SIGN_OFF_LEN
            && !trimmed.ends_with('.')
            && crate::knowledge::signs("free_text.sign_offs").any(|w| trimmed_lower.starts_with(w))
        {
            r.signed_off_at = Some(line_no);
            r.signed_by_name = false;
        } else if r.signed_off_at.is_some() && !trimmed.contains('@') {
            // The writer's name (or team) stands between the sign-off and the address.
            r.signed_by_name = true;
        }
        // (A heading or a failure ends the signature: "Danke, Jens" / "Delivery has
        // failed to these recipients:".)
        if r.signed_off_at.is_some()
            && (trimmed.ends_with(':') || crate::classify::mentions_failure(trimmed_lower))
        {
            r.signed_off_at = None;
        }
        let signature = r.signed_by_name
            && r.signed_off_at
                .is_some_and(|at| line_no - at <= SIGNATURE_LINES && !text::has_code(trimmed));
        if trimmed.contains('@') && (signature || r.address_line(line, trimmed, arrows)) {
            continue;
        }
        match r.current {
            Some(_) if is_message_detail(trimmed_lower) => {}
            Some(i) => r.substantive |= append(&mut r.out.recipients[i].diagnostic, trimmed),
            None => {
                if continues_general
                    || text::has_code(trimmed)
                    || crate::classify::mentions_failure(trimmed_lower)
                {
                    let success = if continues_general && !text::has_code(trimmed) {
                        r.success_open
                    } else {
                        tells_only_success(trimmed, trimmed_lower)
                    };
                    let into = if success {
                        &mut r.success
                    } else {
                        &mut r.out.general
                    };
                    append(into, trimmed);
                    r.general_open = !trimmed.ends_with(['.', ':', '!', '?', ';', ')', ']']);
                    r.success_open = success;
                }
            }
        }
    }
    r.note_content(usize::MAX);
    r.drop_trailing_addresses();
    let mut out = r.out;
    if out.general.is_empty() {
        out.general = r.success;
    }
    if out.recipients.is_empty()
        && let Some(address) = named_in_sentence(region, region_lower, sender.as_deref())
            .or_else(|| display_named_recipient(region, sender.as_deref()))
            .or_else(|| page_field_recipient(region, sender.as_deref()))
    {
        out.recipients.push(TextRecipient {
            address,
            ..TextRecipient::default()
        });
    }
    if out.recipients.len() > 1
        && let Some(s) = sender
    {
        out.recipients
            .retain(|r| !r.address.eq_ignore_ascii_case(&s));
    }
    out
}

/// A table flattened to one cell per line: its column labels, then rows of values.
#[derive(Default)]
struct FlatTable {
    /// Column labels just read, one per line: for each, whether it is the sender's;
    /// and whether they stand in paragraphs of their own (a blank line between each).
    header: Vec<bool>,
    header_spaced: bool,
    /// The current table's columns, the cell of its first row that comes next, and
    /// whether its labels stood in paragraphs.
    row: Option<(Vec<bool>, usize)>,
    spaced: bool,
    /// Blank lines right before the current line.
    blanks: usize,
    /// Addresses shown in a sender column (lower case).
    senders: Vec<String>,
}

impl FlatTable {
    /// A column label; `sender` if it is the sender's column.
    fn label(&mut self, sender: bool) {
        let after_blank = std::mem::take(&mut self.blanks) > 0;
        self.header_spaced |= after_blank && !self.header.is_empty();
        self.header.push(sender);
    }

    /// At a line that is no label: three labels or more before it start a row. Returns
    /// true if one did.
    fn start_row(&mut self) -> bool {
        self.blanks = 0;
        let header = std::mem::take(&mut self.header);
        let started = header.len() >= 3;
        if started {
            self.row = Some((header, 0));
            self.spaced = std::mem::take(&mut self.header_spaced);
        }
        started
    }

    /// A value (`address`: the address it consists of, if any). Returns true if that
    /// address is in a sender column, here or before.
    fn value(&mut self, address: Option<String>) -> bool {
        if self.next_cell()
            && let Some(a) = &address
        {
            self.senders.push(a.clone());
        }
        address.is_some_and(|a| self.senders.contains(&a))
    }

    /// A blank line. Inside a row it is an empty cell (before the row's first value it
    /// only parts the row from the labels); in a table whose labels stand in paragraphs
    /// only a second blank line is.
    fn blank(&mut self) {
        self.blanks += 1;
        let empty = !self.spaced || self.blanks >= 2;
        if self.row.as_ref().is_some_and(|(_, cell)| *cell > 0) && empty {
            self.next_cell();
        }
    }

    /// Moves to the row's next cell. Returns true if the cell left was in a sender
    /// column.
    fn next_cell(&mut self) -> bool {
        let Some((columns, cell)) = &mut self.row else {
            return false;
        };
        let sender = columns.get(*cell) == Some(&true);
        *cell += 1;
        if *cell >= columns.len() {
            self.row = None;
        }
        sender
    }
}

/// The state of reading free text line by line.
#[derive(Default)]
struct Reader<'a> {
    out: TextReading,
    /// The recipient the following lines explain.
    current: Option<usize>,
    /// The current recipient's text so far says more than a label.
    substantive: bool,
    /// The original's sender, who is not a failed recipient.
    sender: Option<&'a str>,
    /// The last SMTP command named so far.
    last_command: Option<&'static str>,
    /// The last line went to the general text and its sentence goes on.
    general_open: bool,
    /// Lines for the general text that tell only of success (a transcript's `250 Ok`):
    /// the general text only if no other line is.
    success: String,
    /// The last such line went to `success`.
    success_open: bool,
    /// The last line was a sender's label alone: its address follows.
    sender_label_open: bool,
    /// The last line ended with the word "Sender", the first half of a broken label.
    sender_word_open: bool,
    /// The last line was a header's address list that goes on (it ends with a comma).
    address_field_open: bool,
    /// The last line opened a list of recipients with arrows ("… to:" / "-> a@x"), as
    /// amavisd-new writes them, or was one of its lines.
    arrow_list_open: bool,
    /// A table flattened to one cell per line, as far as read.
    table: FlatTable,
    /// The line being read, and the line each recipient was first named on.
    line_no: usize,
    seen_at: Vec<usize>,
    /// Each recipient's place in `out.recipients`, by lower-case address (a long list
    /// of addresses stays linear).
    index: std::collections::HashMap<String, usize>,
    /// The line that closed a person's note ("Viele Grüße"), if any, and whether a name
    /// followed it.
    signed_off_at: Option<usize>,
    signed_by_name: bool,
    /// Lines before this one added words to a diagnostic or the general text.
    content_until: usize,
    content_len: usize,
}

impl Reader<'_> {
    /// Notes, at the start of line `line_no`, whether the lines before added words.
    fn note_content(&mut self, line_no: usize) {
        self.line_no = line_no;
        // A long list of recipients is no pasted notice with a signature below it.
        if self.out.recipients.len() > 64 {
            return;
        }
        let len = self.out.general.len()
            + self.success.len()
            + self
                .out
                .recipients
                .iter()
                .map(|r| r.diagnostic.len())
                .sum::<usize>();
        if len > self.content_len {
            self.content_len = len;
            self.content_until = line_no;
        }
    }

    /// Reads a line of a table flattened to one cell per line ("Sender" / "Recipient" /
    /// "Subject", then a row of values). Returns true if the line is the sender column's
    /// label, or a sender's cell: an address in that column, or that address named again.
    fn table_cell(&mut self, trimmed: &str, lower: &str) -> bool {
        // (A label with a colon is a field's, `Date: …`, not a column's.)
        let label = lower.split(" (").next().unwrap_or(lower);
        let is = |list: &str| crate::knowledge::signs(list).any(|l| l == label);
        let sender_column = is("free_text.sender_columns");
        if sender_column || is("free_text.column_labels") {
            self.table.label(sender_column);
            // A lone label has its value on the next line.
            self.sender_label_open = sender_column;
            return sender_column;
        }
        if self.table.start_row() {
            self.sender_label_open = false;
        }
        let address = text::find_addresses(trimmed)
            .into_iter()
            .next()
            .filter(|a| a.start == 0 && trimmed[a.end..].trim_matches('>').is_empty())
            .map(|a| a.value.to_ascii_lowercase());
        self.table.value(address)
    }

    /// Addresses named after the notice's last words, with none of their own (the
    /// customer's signature below a pasted notice), are no recipients when others are.
    fn drop_trailing_addresses(&mut self) {
        if self.out.recipients.len() > 64 {
            return;
        }
        let until = self.content_until;
        let trailing = |i: usize, r: &TextRecipient| {
            r.diagnostic.trim().is_empty() && self.seen_at.get(i).is_some_and(|&s| s >= until)
        };
        let keep: Vec<bool> = self
            .out
            .recipients
            .iter()
            .enumerate()
            .map(|(i, r)| !trailing(i, r))
            .collect();
        if keep.iter().any(|k| *k) && keep.iter().any(|k| !k) {
            let mut k = keep.iter();
            self.out.recipients.retain(|_| *k.next().unwrap_or(&true));
        }
    }

    /// Reads a line that holds an address (in a list of recipients with `arrows`, or
    /// not); returns true if it named or continued a recipient.
    fn address_line(&mut self, line: &str, trimmed: &str, arrows: bool) -> bool {
        let mut found = text::find_addresses(trimmed);
        // A message ID (`Message-ID: <a1b2@host.example>`) looks like an address; a
        // log line's sender (`from=<a@example.org>`) is none of the recipients.
        found.retain(|a| !labelled_no_recipient(&trimmed[..a.start]));
        if found.is_empty() {
            return false;
        }
        let coded = text::has_code(trimmed);
        let lead = leading_address(line, arrows)
            .filter(|a| !about_the_sender(line.trim_start(), a))
            .or_else(|| table_cell_address(trimmed, &found))
            .filter(|a| !text::is_system_address(&a.value));
        // A known recipient named again continues its block, unless a paragraph of
        // commentary names it after its error was already told.
        let mentioned = found.iter().find(|a| {
            self.index
                .get(&a.value.to_ascii_lowercase())
                .is_some_and(|&i| {
                    let r = &self.out.recipients[i];
                    self.current.is_some() || r.diagnostic.is_empty() || coded
                })
        });
        // An indented address that ends the current recipient's wrapped sentence ("not
        // owned by user" / "    login@example.org") goes on with it.
        if line.starts_with([' ', '\t'])
            && let Some(cur) = self.current
            && let diagnostic = self.out.recipients[cur].diagnostic.to_ascii_lowercase()
            && crate::knowledge::signs("free_text.open_before_address")
                .any(|w| diagnostic.ends_with(w))
        {
            self.substantive = append(&mut self.out.recipients[cur].diagnostic, trimmed);
            return true;
        }
        if let Some(addr) = lead.as_ref().or(mentioned) {
            let was_current = self.current;
            let idx = self.recipient(&addr.value);
            let mut rest = if lead.is_some() {
                trim_after_address(&line.trim_start()[addr.end.min(line.trim_start().len())..])
            } else {
                trimmed
            };
            // The recipient's own address alone ends its open sentence ("mail forwarding
            // loop for" / "    a@example.org").
            let diagnostic = &self.out.recipients[idx].diagnostic;
            let last_word = diagnostic.rsplit(' ').next().unwrap_or_default();
            if was_current == Some(idx)
                && rest.is_empty()
                && ["for", "to", "für", "an"].contains(&last_word)
            {
                rest = trimmed;
            }
            self.substantive = append(&mut self.out.recipients[idx].diagnostic, rest);
            return true;
        }
        if let Some((addr, rest)) = named_after_phrase(trimmed) {
            let idx = self.recipient(&addr);
            let rest = rest.trim_matches(|c: char| matches!(c, '\'' | '"' | '>' | '.' | ' '));
            self.substantive = append(&mut self.out.recipients[idx].diagnostic, rest);
            return true;
        }
        if let Some((addr, label)) = labelled_failure(trimmed)
            && Some(addr.as_str()) != self.sender
        {
            let idx = self.recipient(&addr);
            self.substantive = append(&mut self.out.recipients[idx].diagnostic, label);
            return true;
        }
        // A code line names a new recipient with its address in brackets; a bare address
        // in the middle of a recipient's error text is a contact, not a recipient.
        // An address in brackets (`554 5.7.1 <a@example.org>: …`) is the one the reply
        // is about; another address on the line may be the sender's. One the reply
        // refuses as the sender's (`<a@…>: Sender address rejected`) is none.
        // On a line that refuses the sender, only a log's `to=<…>` is the recipient (the
        // user name "not owned by user x@…" is none).
        if !coded {
            return false;
        }
        let bracketed = |a: &&text::Found| trimmed[..a.start].ends_with('<');
        let refused_sender: Vec<bool> =
            found.iter().map(|a| about_the_sender(trimmed, a)).collect();
        let refuses_sender = refused_sender.contains(&true);
        let candidates: Vec<&text::Found> = found
            .iter()
            .zip(&refused_sender)
            .filter(|(a, refused)| {
                !text::is_system_address(&a.value)
                    && !**refused
                    && !names_new_address(&trimmed[..a.start])
                    && (!refuses_sender || trimmed[..a.start].ends_with("to=<"))
            })
            .map(|(a, _)| a)
            .collect();
        let named = candidates
            .iter()
            .copied()
            .find(bracketed)
            .or_else(|| candidates.first().copied());
        // (A candidate is never one the reply refuses as the sender's.)
        if let Some(addr) = named
            && Some(addr.value.as_str()) != self.sender
            && (self.current.is_none() || only_codes_before(&trimmed[..addr.start]))
        {
            let idx = self.recipient(&addr.value);
            self.substantive = append(&mut self.out.recipients[idx].diagnostic, trimmed);
            return true;
        }
        false
    }

    /// The index of the recipient with this address, added if new; it becomes current.
    fn recipient(&mut self, address: &str) -> usize {
        let recipients = &mut self.out.recipients;
        let idx = *self
            .index
            .entry(address.to_ascii_lowercase())
            .or_insert_with(|| {
                recipients.push(TextRecipient {
                    address: address.to_string(),
                    diagnostic: String::new(),
                    command: self.last_command,
                });
                self.seen_at.push(self.line_no);
                recipients.len() - 1
            });
        self.current = Some(idx);
        idx
    }
}

/// A rule (`-----`, `=====`, a box's `+-----+`) or a boxed heading (MDaemon's
/// `|  Transcript of session follows  |`, with no address or code): layout, not an error.
fn is_layout_line(trimmed: &str) -> bool {
    trimmed.starts_with("-----")
        || trimmed.starts_with("=====")
        || (trimmed.starts_with("+--") && trimmed.bytes().all(|c| matches!(c, b'+' | b'-' | b'=')))
        || (trimmed.len() > 2
            && trimmed.starts_with('|')
            && trimmed.ends_with('|')
            && !trimmed.contains('@')
            && !text::has_code(trimmed))
}

/// A line of a mail app's buttons and links that a copy of the notice took along
/// ("Original-Nachricht anzeigen", "Reply     Forward").
fn is_app_control(lower: &str) -> bool {
    let mut parts = lower.split("  ").map(str::trim).filter(|p| !p.is_empty());
    let is_control = |p: &str| crate::knowledge::signs("free_text.app_controls").any(|c| c == p);
    parts.next().is_some_and(is_control) && parts.all(is_control)
}

/// True if a line's codes are all positive (`250 2.0.0 Ok`, `334 VXNlcm5hbWU6`) and its
/// words name no failure.
fn tells_only_success(line: &str, lower: &str) -> bool {
    let (reply, status) = text::find_codes(line);
    (reply.is_some() || status.is_some())
        && reply.is_none_or(|c| c.value.starts_with(['2', '3']))
        && status.is_none_or(|c| c.value.starts_with('2'))
        && !crate::classify::mentions_failure(lower)
}

/// Appends a line to a diagnostic; returns true if the line carries content, not a label.
fn append(diag: &mut String, line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() {
        return false;
    }
    if diag.len() < 4096 {
        if !diag.is_empty() {
            diag.push(' ');
        }
        diag.push_str(line);
    }
    !line.ends_with(':')
}

fn trim_after_address(rest: &str) -> &str {
    let rest = rest.trim_start_matches(['>', '"', '\'', ')', ':', ' ', '\t', '.', ',']);
    // Outlook gives the time of the attempt first ("'a@example.org' on 3/30/2025 8:14 PM",
    // German "am 30.03.2025 20:14"): the server's words follow it.
    let Some(after) = rest
        .strip_prefix("on ")
        .or_else(|| rest.strip_prefix("am "))
    else {
        return rest;
    };
    fn next(s: &str) -> &str {
        s.split_once(' ').map_or("", |(_, tail)| tail.trim_start())
    }
    let is_date = |w: &str| {
        w.contains(['/', '.'])
            && w.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'/' | b'.' | b','))
    };
    let is_time = |w: &str| w.contains(':') && w.bytes().all(|b| b.is_ascii_digit() || b == b':');
    // The date, then the time, then AM or PM; the server's reply code follows.
    if !after.split(' ').next().is_some_and(is_date) {
        return rest;
    }
    let mut after = next(after);
    if after.split(' ').next().is_some_and(is_time) {
        after = next(after);
        if after.starts_with("AM") || after.starts_with("PM") {
            after = next(after);
        }
    }
    after
}

fn address_of(s: &str) -> String {
    text::find_addresses(s)
        .into_iter()
        .next()
        .map_or_else(|| s.to_string(), |a| a.value)
}

/// The SMTP command a line says the error answered.
pub fn smtp_command(line: &str) -> Option<&'static str> {
    let lower = line.to_ascii_lowercase();
    // Postfix folds "(in reply to MAIL FROM command)" at any space, and other spaces or
    // hidden characters may stand between the words.
    if text::is_squashed_ascii(lower.as_bytes()) {
        command_in_lower(&lower)
    } else {
        command_in_lower(&text::squash(&lower))
    }
}

/// [`smtp_command`] for a line already in ASCII lower case: the earliest "after
/// <command>" in the line decides.
fn command_in_lower(l: &str) -> Option<&'static str> {
    const AFTER: &[&str] = &[
        "after ",
        "in reply to ",
        "response to ",
        ">>> ",
        "most progress was ",
    ];
    const COMMANDS: &[(&str, &str)] = &[
        ("end of data", "DATA"),
        ("pipelined end of data", "DATA"),
        ("pipelined mail from", "MAIL"),
        ("pipelined rcpt to", "RCPT"),
        ("data", "DATA"),
        ("rcpt to", "RCPT"),
        ("rcpt", "RCPT"),
        ("mail from", "MAIL"),
        ("ehlo", "EHLO"),
        ("helo", "HELO"),
        ("starttls", "STARTTLS"),
        ("initial connection", "CONN"),
        ("connect", "CONN"),
    ];
    // Sayings that name the stage without an "after".
    const STAGES: &[(&str, &str)] = &[("refused to talk to me", "CONN")];
    static AFTER_COMMAND: LazyLock<(Matcher, Vec<&'static str>)> = LazyLock::new(|| {
        let phrases: Vec<(String, &str)> = AFTER
            .iter()
            .flat_map(|a| {
                COMMANDS
                    .iter()
                    .map(move |(w, cmd)| (format!("{a}{w}"), *cmd))
            })
            .chain(STAGES.iter().map(|(w, cmd)| (w.to_string(), *cmd)))
            .collect();
        Matcher::with_owners(phrases.iter().map(|(p, cmd)| (*cmd, p.as_str())))
    });
    let (matcher, commands) = &*AFTER_COMMAND;
    matcher.find(l).map(|(_, i)| commands[i])
}

/// A reply line whose address `addr` is the sender's, not a further recipient's: the
/// sender's words follow it (`<a@example.org>: Sender address rejected`), or they name
/// it again as the sender's (`<a@example.org>... Domain of sender address a@example.org
/// does not exist`). Sendmail names the recipient there first and the sender after.
pub fn about_the_sender(line: &str, addr: &text::Found) -> bool {
    // (The words right after the address; a long line is not read again per address.)
    let end = line.floor_char_boundary(addr.end + SENDER_WORDS_WINDOW);
    let after = line[addr.end..end].trim_start_matches(['>', ':', '.', ' ']);
    let lower = after.to_ascii_lowercase();
    let sender_words = |w: &str| lower.starts_with(w);
    let named_as_sender = lower.find("sender address").is_some_and(|at| {
        text::find_addresses(&after[at..])
            .first()
            .is_some_and(|a| a.value.eq_ignore_ascii_case(&addr.value))
    });
    named_as_sender || crate::knowledge::signs("free_text.sender_reply_words").any(sender_words)
}

/// True if the words before an address name it as the recipient's new address ("User has
/// moved; please try <…>").
fn names_new_address(before: &str) -> bool {
    let before = before.trim_end_matches(['<', ' ', ':']);
    let tail =
        before[before.floor_char_boundary(before.len().saturating_sub(24))..].to_ascii_lowercase();
    crate::knowledge::signs("free_text.new_address_words").any(|w| {
        tail.strip_suffix(w)
            .is_some_and(|b| !b.ends_with(|c: char| c.is_alphanumeric()))
    })
}

/// How far after an address the words that refuse it as the sender's are looked for.
const SENDER_WORDS_WINDOW: usize = 200;

#[cfg(test)]
mod tests {
    use super::super::GENERIC;
    use super::*;

    fn notice(text: &str) -> Notice {
        let mut n = Notice::default();
        n.text = text.to_string();
        n.lower = text.to_ascii_lowercase();
        n
    }

    #[test]
    fn a_new_address_the_reply_names_is_no_recipient() {
        let n = notice(
            "... while talking to mx.example.ch.:\n>>> RCPT To:<e.roth@example.ch>\n<<< 551 5.1.6 User has moved; please try <elisabeth.roth@example.ch>\n551 5.1.6 <e.roth@example.ch>... User has moved; please try <elisabeth.roth@example.ch>\n",
        );
        let got: Vec<String> = read(&GENERIC, &n)
            .recipients
            .into_iter()
            .map(|r| r.address)
            .collect();
        assert_eq!(got, ["e.roth@example.ch"]);
    }

    #[test]
    fn reads_an_indented_address_block() {
        let n = notice(
            "The following address(es) failed:\n\n  kijitora@example.jp\n    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:\n    host mx.example.jp [192.0.2.1]: 550 5.1.1 User unknown\n\n------ This is a copy of the message\nTo: other@example.org\n",
        );
        let r = read(&GENERIC, &n);
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "kijitora@example.jp");
        assert!(
            r.recipients[0]
                .diagnostic
                .contains("550 5.1.1 User unknown")
        );
        assert_eq!(r.command, Some("RCPT"));
    }

    #[test]
    fn a_flattened_tables_sender_column_is_no_recipient() {
        let addresses = |text: &str| {
            let n = notice(text);
            let r = read(&GENERIC, &n);
            r.recipients
                .into_iter()
                .map(|t| t.address)
                .collect::<Vec<_>>()
        };
        // A row under column labels, each cell on a line of its own.
        let trace = "Message trace\n\nDate (UTC+01:00)\nSender\nRecipient\nSubject\nStatus\n\n\
            21.01.2025 16:47\nm.fuchs@shipping.example\nplans@cooling.example\nTour plan\nFailed\n\n\
            Reason: [{LED=550 5.4.1 Recipient address rejected: Access denied}]\n";
        assert_eq!(addresses(trace), ["plans@cooling.example"]);
        // A label with its value on the next line; the sender named again later.
        let details = "Status\nBlocked\nFrom\nbids@civils.example\nTo\nbuy@homes.example\n\
            Reason\n550 5.7.1 Client host blocked using zen.spamhaus.org\nSender\nbids@civils.example\n";
        assert_eq!(addresses(details), ["buy@homes.example"]);
    }

    #[test]
    fn a_quoted_address_list_folded_onto_the_next_line_names_no_recipient() {
        let n = notice(
            "Your message wasn't delivered to kerstin@mail.example because the address couldn't be found.\n\n\
             550 5.5.0 Requested action not taken: mailbox unavailable\n\n\
             ---------- Forwarded message ----------\nFrom: Svenja <svenja@mail.example>\n\
             To: kerstin@mail.example, tanja@web.example,\n olli@gmx.example\nSubject: Fahrgemeinschaft\n",
        );
        let r = read(&GENERIC, &n);
        let addresses: Vec<&str> = r.recipients.iter().map(|t| t.address.as_str()).collect();
        assert!(!addresses.contains(&"olli@gmx.example"), "{addresses:?}");
    }

    #[test]
    fn each_recipient_keeps_the_command_its_transcript_named() {
        let n = notice(
            "While talking to mx.example.org:\n>>> MAIL From:<me@example.net>\n<<< 501 no access\n554 <a@example.org>... Remote protocol error\nWhile talking to mx.example.edu:\n>>> RCPT To:<b@example.edu>\n<<< 550 <b@example.edu>... User unknown\n",
        );
        let r = read(&GENERIC, &n);
        let commands: Vec<_> = r.recipients.iter().map(|t| t.command).collect();
        assert_eq!(commands, [Some("MAIL"), Some("RCPT")], "{r:?}");
        assert_eq!(r.command, Some("MAIL"));
    }

    #[test]
    fn a_wrapped_error_sentence_is_kept_whole() {
        let n = notice(
            "Letzter Fehler:\n mx.example.org: Connection timed out (Verbindung zum\n Empfänger-Server nicht möglich)\nMit freundlichen Grüßen\n",
        );
        let r = read(&GENERIC, &n);
        assert_eq!(
            r.general,
            "mx.example.org: Connection timed out (Verbindung zum Empfänger-Server nicht möglich)"
        );
    }

    #[test]
    fn reads_a_transcript_line_with_codes() {
        let n = notice("Transcript:\n<<< 550 5.2.2 <neko@example.org>... Mailbox full\n");
        let r = read(&GENERIC, &n);
        assert_eq!(r.recipients[0].address, "neko@example.org");
        assert!(r.recipients[0].diagnostic.contains("Mailbox full"));
    }

    #[test]
    fn a_label_keeps_the_block_open_across_blank_lines() {
        let n = notice(
            "was not delivered to:\n\n  kijitora@example.jp\n\nbecause:\n\n  User not listed in Domino Directory\n",
        );
        let r = read(&GENERIC, &n);
        assert!(
            r.recipients[0]
                .diagnostic
                .contains("not listed in Domino Directory"),
            "{:?}",
            r
        );
    }
}
