//! The native command line: reads files, directories (recursively), mbox files or stdin,
//! and prints text, JSON or JSON lines. The JSON-lines output is a contract (README).

use crate::dnsbl::check::{self, Listing, Resolver, State};
use crate::explain::{self, Explanation, Origin};
use crate::knowledge::{Data, Lang};
use crate::report::{Message, Note, Report, Warning};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: bounce-explainer [--format text|json|jsonl] [--lang de|en]
                        [--check-lists [--doh URL]... [--dqs-key ENV_VAR]] [FILE|DIR|-]...
Explains mail bounces. Reads files, directories (recursively), mbox files, or stdin.
--check-lists  looks up the IPs and domains a bounce names on DNS blacklists over
               DNS-over-HTTPS (default resolver: Cloudflare). --doh adds resolvers, tried
               in order. --dqs-key names the environment variable that holds a Spamhaus
               DQS key (the key itself never goes on the command line).";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
    Jsonl,
}

struct Options {
    format: Format,
    lang: Lang,
    inputs: Vec<String>,
    check_lists: bool,
    resolvers: Vec<Resolver>,
    dqs_key: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        format: Format::Text,
        lang: Lang::En,
        inputs: Vec::new(),
        check_lists: false,
        resolvers: Vec::new(),
        dqs_key: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or(format!("{name} needs a value"))
        };
        match name {
            "--format" | "-f" => {
                o.format = match value()?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "jsonl" => Format::Jsonl,
                    other => return Err(format!("unknown format '{other}'")),
                }
            }
            "--lang" | "-l" => {
                let v = value()?;
                o.lang = Lang::parse(&v)
                    .filter(|_| v.len() == 2)
                    .ok_or(format!("unknown language '{v}'"))?;
            }
            "--check-lists" => o.check_lists = true,
            "--doh" => o.resolvers.push(Resolver::custom(&value()?)),
            "--dqs-key" => {
                let var = value()?;
                let key = std::env::var(&var)
                    .map_err(|_| format!("environment variable {var} is not set"))?;
                o.dqs_key = Some(key.trim().to_string()).filter(|k| !k.is_empty());
            }
            "--help" | "-h" => return Err(String::new()),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option '{s}'")),
            _ => o.inputs.push(a.clone()),
        }
    }
    if o.inputs.is_empty() {
        o.inputs.push("-".into());
    }
    if o.resolvers.is_empty() {
        o.resolvers.push(Resolver::cloudflare());
    }
    Ok(o)
}

/// One message as printed in JSON: where it came from, what was read, and the explanation.
#[derive(Serialize)]
struct Record<'a> {
    source: &'a str,
    message: usize,
    #[serde(flatten)]
    msg: &'a Message,
    explanation: Explanation,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [Note],
    /// With `--check-lists`: each checked IP or domain with its rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    checked: Option<Vec<Checked>>,
}

/// One checked IP address or domain.
#[derive(Serialize)]
struct Checked {
    item: String,
    role: check::Role,
    listings: Vec<Listing>,
}

/// Runs the blacklist checks for one message.
fn check_lists(msg: &Message, opts: &Options) -> Vec<Checked> {
    let targets = check::targets(std::slice::from_ref(msg));
    let checks = check::checks(&targets, opts.dqs_key.is_some());
    let rows = crate::dnsbl::native::run(
        &targets,
        &checks,
        &opts.resolvers,
        opts.dqs_key.as_deref(),
        opts.lang,
    );
    targets
        .iter()
        .map(|t| Checked {
            item: t.value.clone(),
            role: t.role,
            listings: rows
                .iter()
                .filter(|r| r.target == t.value)
                .cloned()
                .collect(),
        })
        .collect()
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(o) => o,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bounce-explainer: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut json_all = Vec::new();
    for input in &opts.inputs {
        for path in expand(input, &mut failed) {
            let shown = path.to_string_lossy().into_owned();
            let bytes = match read_input(&path) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("bounce-explainer: cannot read {shown}: {e}");
                    failed = true;
                    continue;
                }
            };
            let report = crate::analyze(&bytes);
            let written = match opts.format {
                Format::Text => write_text(&mut out, &shown, &report, &opts),
                Format::Jsonl => write_jsonl(&mut out, &shown, &report, &opts),
                Format::Json => {
                    json_all.extend(
                        records(&shown, &report, &opts)
                            .map(|r| serde_json::to_value(r).unwrap_or_default()),
                    );
                    Ok(())
                }
            };
            if written.is_err() {
                return ExitCode::from(1);
            }
            if report.messages.is_empty() && opts.format != Format::Text {
                for note in &report.notes {
                    eprintln!("bounce-explainer: {shown}: {}", note_text(*note, opts.lang));
                }
            }
        }
    }
    if opts.format == Format::Json {
        let _ = serde_json::to_writer_pretty(&mut out, &json_all);
        let _ = writeln!(out);
    }
    let _ = out.flush();
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut buf)?;
    } else {
        std::fs::File::open(path)?.read_to_end(&mut buf)?;
    }
    Ok(buf)
}

/// Files below a directory, sorted; the path itself otherwise.
fn expand(input: &str, failed: &mut bool) -> Vec<PathBuf> {
    let path = PathBuf::from(input);
    if !path.is_dir() {
        return vec![path];
    }
    let mut files = Vec::new();
    let mut stack = vec![path];
    while let Some(dir) = stack.pop() {
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for e in entries.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if !e.file_name().to_string_lossy().starts_with('.') {
                        files.push(p);
                    }
                }
            }
            Err(e) => {
                eprintln!("bounce-explainer: cannot read {}: {e}", dir.display());
                *failed = true;
            }
        }
    }
    files.sort();
    files
}

fn records<'a>(
    source: &'a str,
    report: &'a Report,
    opts: &'a Options,
) -> impl Iterator<Item = Record<'a>> {
    report
        .messages
        .iter()
        .enumerate()
        .map(move |(i, msg)| Record {
            source,
            message: i + 1,
            msg,
            explanation: explain::explain(msg, opts.lang),
            notes: &report.notes,
            checked: opts.check_lists.then(|| check_lists(msg, opts)),
        })
}

fn write_jsonl(
    out: &mut impl Write,
    source: &str,
    report: &Report,
    opts: &Options,
) -> std::io::Result<()> {
    for r in records(source, report, opts) {
        serde_json::to_writer(&mut *out, &r)?;
        writeln!(out)?;
    }
    Ok(())
}

fn note_text(note: Note, lang: Lang) -> &'static str {
    match note {
        Note::EmptyInput => lang.ui("empty"),
        Note::BinaryInput => lang.ui("binary"),
        Note::InputTruncated | Note::TooManyMessages => lang.ui("too_large"),
    }
}

fn write_text(
    out: &mut impl Write,
    source: &str,
    report: &Report,
    opts: &Options,
) -> std::io::Result<()> {
    let lang = opts.lang;
    writeln!(out, "== {source}")?;
    for note in &report.notes {
        writeln!(out, "{}", note_text(*note, lang))?;
    }
    for r in records(source, report, opts) {
        let e = &r.explanation;
        if report.messages.len() > 1 {
            writeln!(out, "-- {} {}", lang.ui("message_n"), r.message)?;
        }
        writeln!(out, "{}", e.headline)?;
        if r.msg.superseded {
            writeln!(out, "{}", lang.ui("superseded"))?;
        }
        for o in &e.others {
            writeln!(out, "{o}")?;
        }
        for w in &r.msg.warnings {
            match w {
                Warning::Truncated { limit } => writeln!(out, "{}", lang.cut_off(limit))?,
                Warning::UndecodableText { .. } => {
                    writeln!(out, "{}", lang.ui("undecodable_text"))?
                }
                Warning::Phishing { .. } => {}
            }
        }
        if let Some(t) = &e.timeline {
            writeln!(out, "{t}")?;
        }
        writeln!(out, "{}: {}", lang.ui("who_acts"), e.who_label)?;
        writeln!(out, "{}:", lang.ui("steps"))?;
        for s in &e.steps {
            writeln!(out, "  - {s}")?;
        }
        if let Some(p) = &e.provider {
            match p.url {
                "" => writeln!(out, "{}: {}", p.provider, p.text)?,
                url => writeln!(out, "{}: {} ({url})", p.provider, p.text)?,
            }
        }
        // The answer to "didn't send it yourself?": nothing when it is unclear or its one
        // sign is the login every sent message shows, else in full. The JSON and the page
        // carry all.
        let login_verdict = lang
            .texts()
            .path("origin.account_misuse")
            .and_then(Data::str);
        let plain_login =
            |o: &&Origin| Some(o.verdict.as_str()) == login_verdict && o.signs.len() <= 1;
        if let Some(o) = e
            .origin
            .as_ref()
            .filter(|o| o.likely != "unclear" && !plain_login(o))
        {
            let title = lang.texts().path("origin.title").and_then(Data::str);
            writeln!(out, "{}", title.unwrap_or_default())?;
            writeln!(out, "  {}", o.verdict)?;
            for s in &o.signs {
                writeln!(out, "  * {s}")?;
            }
            for s in &o.steps {
                writeln!(out, "  - {s}")?;
            }
        }
        for rcpt in &r.msg.recipients {
            let codes = [rcpt.reply_code.as_deref(), rcpt.status.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            writeln!(
                out,
                "  {} [{}] {}",
                rcpt.address,
                rcpt.reason.as_str(),
                codes.join(" ")
            )?;
            if let Some(d) = &rcpt.diagnostic {
                writeln!(out, "    {}: {}", lang.ui("diagnostic"), d)?;
            }
        }
        for c in r.checked.iter().flatten() {
            for row in &c.listings {
                let state = match row.state {
                    State::Listed => lang.ui("bl_listed"),
                    State::NotListed => lang.ui("bl_not_listed"),
                    State::Unknown => lang.ui("bl_unknown"),
                };
                let why = row
                    .reason_unknown
                    .as_deref()
                    .map(|r| format!(" ({r}; {})", row.lookup))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {} @ {}: {state} {}{why}",
                    c.item, row.list_name, row.meaning
                )?;
            }
        }
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_options_in_both_spellings() {
        let o = parse_args(&args("--format=jsonl --lang de a.eml")).unwrap();
        assert_eq!(
            (o.format, o.lang, o.inputs.len()),
            (Format::Jsonl, Lang::De, 1)
        );
        let o = parse_args(&args("-f json")).unwrap();
        assert_eq!((o.format, o.inputs[0].as_str()), (Format::Json, "-"));
    }

    #[test]
    fn rejects_bad_usage() {
        assert!(parse_args(&args("--format xml")).is_err());
        assert!(parse_args(&args("--lang fr")).is_err());
        assert!(parse_args(&args("--bogus")).is_err());
        assert!(parse_args(&args("--format")).is_err());
    }
}
