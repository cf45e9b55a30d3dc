//! Message-trace exports an admin pastes instead of a bounce: CSV exports of Microsoft 365
//! (`Get-MessageTrace | Export-Csv`), of Exchange's tracking log
//! (`Get-MessageTrackingLog | Export-Csv`, or its raw `MSGTRK*.LOG` files) and of Google
//! Workspace's email log search,
//! and PowerShell's table (`Format-Table`) and list (`Format-List`) output of both
//! cmdlets. Columns are found by name (`signs.toml [export]`). Each recipient's last state
//! becomes a message; a cause is named only where the export carries the server's reply.

use crate::engine::{RawRecipient, finish_recipient};
use crate::knowledge::signs;
use crate::logs::empty_message;
use crate::report::{Action, Kind, Message, Reason};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;

/// Rows read from one export, at most.
const MAX_ROWS: usize = 100_000;
/// The header row must come within this many lines (a shell prompt may stand above it).
const HEADER_WITHIN: usize = 20;
/// A list export's first record must show its fields within this many lines.
const LIST_FIELDS_WITHIN: usize = 60;
/// Distinct field names of a list export, at most.
const MAX_FIELDS: usize = 200;

/// Where each kind of column is in a row.
struct Columns {
    recipient: usize,
    state: usize,
    sender: Option<usize>,
    reply: Option<usize>,
    code: Option<usize>,
    subject: Option<usize>,
    message_id: Option<usize>,
}

impl Columns {
    /// The columns of a header row, if it has a recipient and a state column.
    fn of(names: &[String]) -> Option<Columns> {
        let names: Vec<String> = names
            .iter()
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_'))
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |path: &str| signs(path).find_map(|want| names.iter().position(|n| n == want));
        Some(Columns {
            recipient: find("export.recipient_columns")?,
            state: find("export.state_columns")?,
            sender: find("export.sender_columns"),
            reply: find("export.reply_columns"),
            code: find("export.code_columns"),
            subject: find("export.subject_columns"),
            message_id: find("export.message_id_columns"),
        })
    }
}

/// One row of an export: its place in the input and its fields.
struct Row {
    span: Range<usize>,
    fields: Vec<String>,
}

/// Field `i` of a row, if it has text.
fn field(row: &Row, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| row.fields.get(i))
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
}

/// Reads a message-trace export, or `None` when the input holds none; and whether it
/// had more lines than are read.
pub fn read(s: &str) -> Option<(Vec<Message>, bool)> {
    let messages = [csv_table, powershell_table, powershell_list]
        .iter()
        .filter_map(|table| table(s))
        .map(|(columns, rows)| messages(s, &columns, &rows))
        .find(|m| !m.is_empty())?;
    let cut = memchr::memchr_iter(b'\n', s.as_bytes())
        .nth(MAX_ROWS)
        .is_some();
    Some((messages, cut))
}

/// The messages of an export's rows.
fn messages(s: &str, columns: &Columns, rows: &[Row]) -> Vec<Message> {
    // The last state of each recipient of each message, in order of first appearance.
    // Without a message ID column every row is a message of its own.
    let mut latest: Vec<(&Row, String, Action, Option<&str>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (n, row) in rows.iter().enumerate() {
        let (Some(listed), Some(state)) = (
            field(row, Some(columns.recipient)),
            field(row, Some(columns.state)),
        ) else {
            continue;
        };
        let Some(action) = action_of(state) else {
            continue;
        };
        // The notice the server sent back to the sender is no outcome of its own.
        if field(row, columns.sender).is_some_and(is_notice_sender) {
            continue;
        }
        let addresses = recipients(listed);
        // A row for several recipients holds a reply for each, in the same order, or
        // none that can be told apart.
        let replies = field(row, columns.reply)
            .map(|r| own_replies(r, addresses.len()))
            .unwrap_or_default();
        for (i, address) in addresses.into_iter().enumerate() {
            let key = match field(row, columns.message_id) {
                Some(id) => format!("{id}\n{address}").to_ascii_lowercase(),
                None => format!("{n}\n{address}"),
            };
            if latest.len() >= MAX_ROWS && !index.contains_key(&key) {
                break;
            }
            let entry = (row, address, action, replies.get(i).copied());
            match index.entry(key) {
                Entry::Occupied(at) => latest[*at.get()] = entry,
                Entry::Vacant(slot) => {
                    slot.insert(latest.len());
                    latest.push(entry);
                }
            }
        }
    }
    let details = trace_details(s);
    let failed = latest
        .iter()
        .filter(|(_, _, a, _)| *a == Action::Failed)
        .count();
    latest
        .into_iter()
        .map(|(row, address, action, reply)| {
            let state = field(row, Some(columns.state)).unwrap_or("");
            let mut reply = reply.map(server_reply).unwrap_or_default();
            if let Some(code) = field(row, columns.code)
                && !reply.starts_with(code)
            {
                reply = format!("{code} {reply}");
            }
            // A trace's detail list names the failure: the list asked for this recipient
            // (`-RecipientAddress`), or, when the table has one failed row, a list whose
            // command named no recipient.
            if reply.is_empty() && action == Action::Failed {
                let asked = details.asked.get(&address.to_ascii_lowercase());
                if let Some(failure) = asked.or(details.unnamed.as_ref().filter(|_| failed == 1)) {
                    reply = failure.clone();
                }
            }
            let has_reply = !reply.trim().is_empty();
            let mut r = finish_recipient(RawRecipient {
                address,
                action: Some(action),
                diagnostic: if has_reply {
                    reply.trim().to_string()
                } else {
                    format!("Message trace status: {state}")
                },
                ..RawRecipient::default()
            });
            if !has_reply || action == Action::Delivered {
                r.reason = match action {
                    Action::Delivered => Reason::Delivered,
                    _ if state.eq_ignore_ascii_case("filteredasspam") => Reason::SpamDetected,
                    _ => Reason::Undefined,
                };
            }
            let mut m = empty_message("message-trace", row.span.clone());
            m.kind = match action {
                Action::Delivered => Kind::DeliveryReport,
                Action::Delayed => Kind::DelayNotice,
                _ => Kind::Bounce,
            };
            m.notice.subject = field(row, columns.subject).map(str::to_string);
            m.recipients.push(r);
            m
        })
        .collect()
}

/// The addresses of a recipient field: one, or several (`{a@x, b@y}`, `a@x;b@y`,
/// `"Doe, John" <john@x>`).
fn recipients(listed: &str) -> Vec<String> {
    crate::text::find_addresses(listed)
        .into_iter()
        .map(|a| a.value.trim_matches(['{', '}']).to_string())
        .collect()
}

/// The replies in a reply field for `count` recipients: the whole field for one; for
/// several, the field cut at each `;` that starts a new server reply (`250 …;550 …`),
/// when that gives one per recipient, else none (a reply's own text may hold `;`).
fn own_replies(field: &str, count: usize) -> Vec<&str> {
    if count == 1 {
        return vec![field];
    }
    let starts_reply = |rest: &str| {
        let rest = rest.trim_start();
        crate::text::starts_with_reply_code(rest)
            && matches!(rest.as_bytes().get(3), Some(b' ' | b'-'))
    };
    let mut parts = Vec::new();
    let mut from = 0;
    for (at, _) in field.match_indices(';') {
        if starts_reply(&field[at + 1..]) {
            parts.push(field[from..at].trim());
            from = at + 1;
        }
    }
    parts.push(field[from..].trim());
    if parts.len() == count {
        parts
    } else {
        Vec::new()
    }
}

/// The envelope sender of a notice the server sent back: empty, or its postmaster.
fn is_notice_sender(sender: &str) -> bool {
    let local = sender
        .trim_matches(['<', '>'])
        .split('@')
        .next()
        .unwrap_or("");
    local.is_empty()
        || ["postmaster", "mailer-daemon"]
            .iter()
            .any(|s| local.eq_ignore_ascii_case(s))
        || local.to_ascii_lowercase().starts_with("microsoftexchange")
}

fn action_of(state: &str) -> Option<Action> {
    let state = state.to_ascii_lowercase();
    let is = |path: &str| signs(path).any(|s| s == state);
    if is("export.delivered_states") {
        Some(Action::Delivered)
    } else if is("export.delayed_states") {
        Some(Action::Delayed)
    } else if is("export.failed_states") {
        Some(Action::Failed)
    } else {
        None
    }
}

/// The server's reply in a reply column: Exchange's `{LED=…}` entry, or the text itself.
fn server_reply(value: &str) -> String {
    let value = value.trim_matches(['{', '}', ',', ' ']);
    match value.find("LED=") {
        Some(at) => {
            let rest = &value[at + 4..];
            let end = rest
                .find("};")
                .or_else(|| rest.find('}'))
                .unwrap_or(rest.len());
            rest[..end].to_string()
        }
        None if value.starts_with('[') => String::new(),
        None => value.to_string(),
    }
}

/// The failures that `Get-MessageTraceDetail | Format-List` shows (`Detail : Reason:
/// [{LED=550 …}]`): by the recipient its command asked about (`-RecipientAddress`, lower
/// case), and the one of commands that named none. Events are listed oldest first, so
/// the last coded one (the final `Fail`, not an earlier `Defer`) is kept.
#[derive(Default)]
struct TraceDetails {
    asked: HashMap<String, String>,
    unnamed: Option<String>,
}

/// The failures of the detail lists in `s`, by the `-RecipientAddress` of the last
/// command above each.
fn trace_details(s: &str) -> TraceDetails {
    let mut asked: Option<String> = None;
    let mut out = TraceDetails::default();
    for line in crate::text::lines(s) {
        if line.contains("Get-MessageTrace") {
            asked = line
                .split_whitespace()
                .skip_while(|w| !w.eq_ignore_ascii_case("-RecipientAddress"))
                .nth(1)
                .map(|a| a.trim_matches(['"', '\'', ',']).to_ascii_lowercase());
        } else if line.trim_start().starts_with("Detail") || line.contains("{LED=") {
            // (Also an event line copied on its own: "Fail  Reason: [{LED=550 …}]".)
            let failure = server_reply(line);
            if crate::text::find_codes(&failure).0.is_none() {
                continue;
            }
            // A reply that names its recipient is that recipient's.
            let named = crate::text::find_addresses(&failure)
                .into_iter()
                .map(|a| a.value.to_ascii_lowercase());
            match asked.clone().into_iter().chain(named).next() {
                Some(r) => {
                    out.asked.insert(r, failure);
                }
                None => out.unnamed = Some(failure),
            }
        }
    }
    out
}

/// A CSV export: a header row (within the first lines) and the rows below it. Its fields
/// are split by commas, by semicolons (German Excel) or by tabs (a table copied from a
/// spreadsheet or a web panel), whichever its header row uses.
fn csv_table(s: &str) -> Option<(Columns, Vec<Row>)> {
    let mut offset = 0;
    let mut columns = None;
    let mut delimiter = ',';
    let mut rows = Vec::new();
    for (n, raw) in s.split_inclusive('\n').take(MAX_ROWS).enumerate() {
        let span = offset..offset + raw.len();
        offset += raw.len();
        let line = raw.trim_end().trim_start_matches('\u{feff}');
        if columns.is_none() {
            if n >= HEADER_WITHIN {
                return None;
            }
            // Exchange's raw tracking log names its columns in a `#Fields:` line.
            let line = line.strip_prefix("#Fields:").unwrap_or(line);
            delimiter = if line.contains('\t') {
                '\t'
            } else if line.contains(';') && !line.contains(',') {
                ';'
            } else {
                ','
            };
            if line.contains(delimiter) {
                columns = Columns::of(&csv_fields(line, delimiter));
            }
            continue;
        }
        rows.push(Row {
            span,
            fields: csv_fields(line, delimiter),
        });
    }
    Some((columns?, rows))
}

/// PowerShell's table output: a header line, a line of dashes under each column name,
/// then one row per line up to the first empty line.
fn powershell_table(s: &str) -> Option<(Columns, Vec<Row>)> {
    let is_rule = |l: &str| {
        let l = l.trim_end();
        l.contains("--") && l.bytes().all(|c| c == b'-' || c == b' ')
    };
    let head: Vec<&str> = s.split('\n').take(HEADER_WITHIN).collect();
    let dashes = (1..head.len()).find(|&i| is_rule(head[i]))?;
    // Columns start where the rule's dashes start; PowerShell pads by characters.
    let rule: Vec<char> = head[dashes].trim_end().chars().collect();
    let starts: Vec<usize> = (0..rule.len())
        .filter(|&i| rule[i] == '-' && (i == 0 || rule[i - 1] == ' '))
        .collect();
    let cut = |line: &str| -> Vec<String> {
        let chars: Vec<char> = line.chars().collect();
        starts
            .iter()
            .enumerate()
            .map(|(k, &from)| {
                let to = starts
                    .get(k + 1)
                    .copied()
                    .unwrap_or(chars.len())
                    .min(chars.len());
                chars[from.min(to)..to]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .collect()
    };
    let columns = Columns::of(&cut(head[dashes - 1].trim_end()))?;
    let mut offset = 0;
    let mut rows = Vec::new();
    for (n, raw) in s.split_inclusive('\n').take(MAX_ROWS).enumerate() {
        let span = offset..offset + raw.len();
        offset += raw.len();
        if n <= dashes {
            continue;
        }
        let line = raw.trim_end();
        if line.trim().is_empty() {
            break;
        }
        let mut fields = cut(line);
        // A value wider than its column shifts the rest: the recipient is the address
        // that starts nearest its column, the state the row's last word.
        let column_at = line
            .char_indices()
            .nth(starts[columns.recipient])
            .map_or(line.len(), |(b, _)| b);
        if let Some(a) = crate::text::find_addresses(line)
            .into_iter()
            .min_by_key(|a| a.start.abs_diff(column_at))
        {
            fields[columns.recipient] = a.value;
        }
        if columns.state + 1 == starts.len()
            && let Some(last) = line.split_whitespace().last()
        {
            fields[columns.state] = last.to_string();
        }
        rows.push(Row { span, fields });
    }
    Some((columns, rows))
}

/// One record of a list export: its place in the input, and (column, value) pairs.
type ListRecord = (Range<usize>, Vec<(usize, String)>);

/// PowerShell's list output (`Format-List`): records of `Name : value` lines, separated
/// by empty lines.
fn powershell_list(s: &str) -> Option<(Columns, Vec<Row>)> {
    let mut names: Vec<String> = Vec::new();
    let mut records: Vec<ListRecord> = Vec::new();
    let mut offset = 0;
    let mut open = false;
    for (n, raw) in s.split_inclusive('\n').take(MAX_ROWS).enumerate() {
        let span = offset..offset + raw.len();
        offset += raw.len();
        // A list export shows its recipient and state fields within its first lines.
        if n == LIST_FIELDS_WITHIN && Columns::of(&names).is_none() {
            return None;
        }
        // A value wider than the window continues on an indented line.
        if open && raw.starts_with(' ') && !raw.trim().is_empty() && list_field(raw).is_none() {
            if let Some((whole, fields)) = records.last_mut()
                && let Some((_, value)) = fields.last_mut()
            {
                whole.end = span.end;
                value.push_str(raw.trim());
            }
            continue;
        }
        let Some((name, value)) = list_field(raw) else {
            open = false;
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            open = false;
            continue;
        }
        let column = match names.iter().position(|n| n.eq_ignore_ascii_case(name)) {
            Some(c) => c,
            // Exports have a few dozen fields; more are no export.
            None if names.len() >= MAX_FIELDS => return None,
            None => {
                names.push(name.to_string());
                names.len() - 1
            }
        };
        if !open {
            records.push((span.clone(), Vec::new()));
            open = true;
        }
        if let Some((whole, fields)) = records.last_mut() {
            whole.end = span.end;
            fields.push((column, value.trim().to_string()));
        }
    }
    let columns = Columns::of(&names)?;
    let rows = records
        .into_iter()
        .map(|(span, values)| {
            let mut fields = vec![String::new(); names.len()];
            for (column, value) in values {
                fields[column] = value;
            }
            Row { span, fields }
        })
        .collect();
    Some((columns, rows))
}

/// A list line's `Name : value` (the value may be empty).
fn list_field(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let at = memchr::memchr_iter(b':', b).find(|&i| {
        i > 0
            && b[i - 1] == b' '
            && matches!(b.get(i + 1), Some(b' ') | Some(b'\r') | Some(b'\n') | None)
    })?;
    Some((&line[..at - 1], line[at + 1..].trim()))
}

/// The fields of one CSV line: comma-separated, optionally in double quotes with `""`
/// for a quote inside.
fn csv_fields(line: &str, delimiter: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Each message's recipient and reason.
    fn outcomes(export: &str) -> Vec<(String, Reason)> {
        read(export)
            .unwrap()
            .0
            .iter()
            .map(|m| (m.recipients[0].address.clone(), m.recipients[0].reason))
            .collect()
    }

    /// Tables copied from a web panel (tabs) or saved by a German Excel (semicolons).
    #[test]
    fn tab_and_semicolon_separated_exports_are_read() {
        let tabs = "Event\tSender\tRecipient\tResult\nSuccess\tinfo@shop.example\tkim@garden.example\tAccepted\nFailure\tinfo@shop.example\tlea@garden.example\tSMTP error from remote mail server after RCPT TO:<lea@garden.example>: 550 5.1.1 No such user\n";
        assert_eq!(
            outcomes(tabs),
            [
                ("kim@garden.example".to_string(), Reason::Delivered),
                ("lea@garden.example".to_string(), Reason::UserUnknown)
            ]
        );
        let semicolons = "Empfänger;Status;SMTP-Antwort\n\"kim@garden.example\";\"Hard Bounce\";\"552 5.2.2 Mailbox full\"\n";
        assert_eq!(
            outcomes(semicolons),
            [("kim@garden.example".to_string(), Reason::MailboxFull)]
        );
    }

    #[test]
    fn a_message_trace_export_gives_one_message_per_row() {
        let csv = "PS C:\\> Get-Content .\\trace.csv\n\"MessageId\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\"\n\"<1@x>\",\"a@example.com\",\"b@example.net\",\"Offer, \"\"final\"\"\",\"Delivered\"\n\"<2@x>\",\"a@example.com\",\"c@example.org\",\"Invoice\",\"Failed\"\n\"<3@x>\",\"a@example.com\",\"d@example.de\",\"Order\",\"Pending\"\n";
        let (m, _) = read(csv).unwrap();
        let got: Vec<(&str, Kind)> = m
            .iter()
            .map(|m| (m.recipients[0].address.as_str(), m.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("b@example.net", Kind::DeliveryReport),
                ("c@example.org", Kind::Bounce),
                ("d@example.de", Kind::DelayNotice)
            ]
        );
        assert_eq!(m[0].notice.subject.as_deref(), Some("Offer, \"final\""));
        assert_eq!(m[1].recipients[0].reason, Reason::Undefined);
    }

    /// Exchange's tracking log: the FAIL event's reply (`LED=`) decides, the steps
    /// around it (RECEIVE, the DSN sent back) are no messages.
    #[test]
    fn an_exchange_tracking_log_export_reads_the_failure() {
        let csv = "\u{feff}\"Timestamp\",\"SourceContext\",\"EventId\",\"MessageId\",\"Recipients\",\"RecipientStatus\",\"MessageSubject\",\"Sender\"\n\"1\",\"x\",\"RECEIVE\",\"<a@x>\",\"k@outlook.com\",\"\",\"Hi\",\"e@x.example\"\n\"2\",\"250 2.0.0 queued\",\"FAIL\",\"<a@x>\",\"k@outlook.com\",\"[{LRT=1};{LED=550 5.7.1 Unfortunately, messages from [203.0.113.45] weren't sent (S3150).};{FQDN=mx.example}]\",\"Hi\",\"e@x.example\"\n\"3\",\"\",\"DSN\",\"<b@x>\",\"e@x.example\",\"\",\"Unzustellbar: Hi\",\"\"\n";
        let (m, _) = read(csv).unwrap();
        assert_eq!(m.len(), 1);
        let r = &m[0].recipients[0];
        assert_eq!(r.address, "k@outlook.com");
        assert_eq!(r.status.as_deref(), Some("5.7.1"));
        assert_eq!(r.reason, Reason::Blocked);
    }

    /// Exchange's tracking log as `Format-List`: one record per event, several
    /// recipients in braces.
    #[test]
    fn a_tracking_log_list_is_read_per_recipient() {
        let out = "[PS] C:\\>Get-MessageTrackingLog | Format-List EventId,Recipients,RecipientStatus\r\n\r\nEventId         : RECEIVE\r\nRecipients      : {s@fabrikam.example, t@contoso.example}\r\nRecipientStatus : {, }\r\n\r\nEventId         : DELIVER\r\nRecipients      : {t@contoso.example}\r\nRecipientStatus : {}\r\n\r\nEventId         : FAIL\r\nRecipients      : {s@fabrikam.example}\r\nRecipientStatus : {[{LRT=};{LED=550 5.1.1 <s@fabrikam.example>: User unknown};{FQDN=mx.fabrikam.example}]}\r\n";
        assert_eq!(
            outcomes(out),
            [
                ("t@contoso.example".into(), Reason::Delivered),
                ("s@fabrikam.example".into(), Reason::UserUnknown)
            ]
        );
    }

    /// Without a message ID, rows for the same recipient are different messages; a
    /// field may list several recipients.
    #[test]
    fn rows_without_a_message_id_stay_apart() {
        let csv = "Date,Sender,Recipient,Subject,Status,Status details\n1,a@x.example,lisa@north.example,A,Delivered,Inbox\n2,a@x.example,lisa@north.example;tom@north.example,B,Bounced,\n";
        let got: Vec<(String, Kind)> = read(csv)
            .unwrap()
            .0
            .iter()
            .map(|m| (m.recipients[0].address.clone(), m.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("lisa@north.example".into(), Kind::DeliveryReport),
                ("lisa@north.example".into(), Kind::Bounce),
                ("tom@north.example".into(), Kind::Bounce)
            ]
        );
    }

    /// Exports that hold one failed message: its recipient and reason.
    #[test]
    fn single_failures_are_read_from_every_shape() {
        let cases = [
            // Format-Table: braces, wide characters before the recipient column, and the
            // notice sent back to the sender.
            (
                "Timestamp EventId Sender                     MessageSubject Recipients           RecipientStatus\n--------- ------- ------                     -------------- ----------           ---------------\n2:03 PM   FAIL    p@example.cz               Счёт за ноябрь {j@contoso.example}  {550 5.1.1 RESOLVER.ADR.RecipNotFound; not found}\n2:04 PM   SEND    postmaster@contoso.example Unzustellbar   {p@example.cz}       {250 2.0.0 OK}\n",
                "j@contoso.example",
                Reason::UserUnknown,
            ),
            // A newsletter's bounce address is no notice sender; a display name holds a comma.
            (
                "Date,Sender,Recipient,Subject,Status,Status details\n1,bounce-mc.us5_1@mcsv.net,\"Doe, John\" <john@north.example>,News,Bounced,550 5.1.1 User unknown\n2,<>,alice@north.example,Undeliverable,Delivered,\n",
                "john@north.example",
                Reason::UserUnknown,
            ),
            // Format-List: a value wider than the window continues on an indented line.
            (
                "EventId    : FAIL\nMessageId  : <AM0PR01MB12@AM0PR01MB1234.eurprd01.prod.exc\n             hangelabs.com>\nRecipients : {s@fabrikam.example}\nRecipientStatus : {[{LED=550 5.1.1 User unknown}]}\n",
                "s@fabrikam.example",
                Reason::UserUnknown,
            ),
            // Exchange's raw tracking log file names its columns in a `#Fields:` line.
            (
                "#Software: Microsoft Exchange Server\n#Log-type: Message Tracking Log\n#Fields: date-time,event-id,message-id,recipient-address,recipient-status,message-subject,sender-address\n2025-12-09T08:14:21Z,RECEIVE,<a@x.local>,p@roemer.example,,Fotos,m@falk.example\n2025-12-09T08:14:22Z,FAIL,<a@x.local>,p@roemer.example,550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum size for route,Fotos,m@falk.example\n",
                "p@roemer.example",
                Reason::EmailTooLarge,
            ),
        ];
        for (export, address, reason) in cases {
            let (m, _) = read(export).unwrap();
            assert_eq!(m.len(), 1, "{export}");
            assert_eq!(m[0].recipients[0].address, address);
            assert_eq!(m[0].recipients[0].reason, reason);
        }
    }

    /// Exchange Online's historical search names its columns with underscores; the
    /// notice sent back (`<>`) is no outcome.
    #[test]
    fn a_historical_search_export_is_read() {
        let csv = "\"date_time_utc\",\"event_id\",\"message_id\",\"recipient_address\",\"recipient_status\",\"sender_address\"\n\"2025-03-11T08:02:19Z\",\"SEND\",\"<A1@X.PROD.OUTLOOK.COM>\",\"lieferant@example.com\",\"250 2.0.0 OK\",\"einkauf@metall.example\"\n\"2025-03-11T15:40:03Z\",\"FAIL\",\"<B2@X.PROD.OUTLOOK.COM>\",\"partner@example.net\",\"550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients. [FR2P281MB1780.DEUP281.PROD.OUTLOOK.COM 2025-03-11T15:40:03.551Z 08DD60E4A1B3C2D7]\",\"einkauf@metall.example\"\n\"2025-03-11T15:40:04Z\",\"DSN\",\"<C3@X.PROD.OUTLOOK.COM>\",\"einkauf@metall.example\",\"\",\"<>\"\n";
        assert_eq!(
            outcomes(csv),
            [
                ("lieferant@example.com".into(), Reason::Delivered),
                ("partner@example.net".into(), Reason::RateLimited)
            ]
        );
    }

    /// Two failed rows, each explained by the detail list its own command asked for, by
    /// its final event.
    #[test]
    fn each_detail_list_explains_the_recipient_it_was_asked_for() {
        let out = "Received  SenderAddress   RecipientAddress   Subject  Status\n--------  -------------   ----------------   -------  ------\n3/12/2025 a@example.com   m@example.net      Offer    Failed\n3/11/2025 a@example.com   c@example.net      Catalog  Failed\n\nPS C:\\> Get-MessageTrace -RecipientAddress c@example.net | Get-MessageTraceDetail | Format-List\n\nEvent  : Defer\nDetail : Reason: [{LED=451 4.4.0 Connection timed out};{MSG=}]\n\nEvent  : Fail\nDetail : Reason: [{LED=550 5.1.1 User unknown};{MSG=}]\n\nPS C:\\> Get-MessageTrace -RecipientAddress \"m@example.net\" | Get-MessageTraceDetail | Format-List\n\nEvent  : Fail\nDetail : Reason: [{LED=552 5.2.2 Mailbox quota exceeded};{MSG=}]\n";
        assert_eq!(
            outcomes(out),
            [
                ("m@example.net".into(), Reason::MailboxFull),
                ("c@example.net".into(), Reason::UserUnknown)
            ]
        );
    }

    /// A tracking-log row for two recipients holds a reply for each; a reply's own `;`
    /// does not cut it.
    #[test]
    fn each_recipient_of_a_tracking_row_gets_its_own_reply() {
        let log = "#Fields: date-time,event-id,message-id,recipient-address,recipient-status,sender-address\n2025-12-09T08:14:22Z,FAIL,<a@x.local>,p@roemer.example;q@roemer.example,550 5.1.1 RESOLVER.ADR.RecipNotFound; not found;552 5.2.2 Mailbox full,m@falk.example\n";
        assert_eq!(
            outcomes(log),
            [
                ("p@roemer.example".into(), Reason::UserUnknown),
                ("q@roemer.example".into(), Reason::MailboxFull)
            ]
        );
        // Replies that cannot be told apart are given to no one.
        let unclear = log.replace(";552 5.2.2 Mailbox full", "");
        assert_eq!(
            outcomes(&unclear),
            [
                ("p@roemer.example".into(), Reason::Undefined),
                ("q@roemer.example".into(), Reason::Undefined)
            ]
        );
    }

    /// PowerShell's table of `Get-MessageTrace`, with the failure from the detail list.
    #[test]
    fn a_powershell_message_trace_table_is_read() {
        let out = "PS C:\\> Get-MessageTrace\n\nReceived            Sender Address       Recipient Address    Subject   Status\n--------            --------------       -----------------    -------   ------\n11/28/2024 7:02:11  a@contoso.example    lisa@north.example   Rechnung  Failed\n11/28/2024 7:02:11  a@contoso.example    buchhaltung@contoso.example Rechnung Delivered\n\nDate   : 11/28/2024 7:02:14 AM\nEvent  : Fail\nDetail : Reason: [{LED=550 5.4.1 Recipient address rejected: Access denied. AS(201806281)};{MSG=}]\n";
        assert_eq!(
            outcomes(out),
            [
                ("lisa@north.example".into(), Reason::UserUnknown),
                ("buchhaltung@contoso.example".into(), Reason::Delivered)
            ]
        );
    }
}
