//! The CLI contract: JSON lines, exit codes, directories, stdin, languages.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bounce-explainer"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cli starts");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    // Closing stdin tells the CLI that the input is complete.
    child.stdin = None;
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn jsonl_has_the_contract_fields() {
    let out = cli(
        &[
            "--format",
            "jsonl",
            "tests/fixtures/postfix-mailbox-full.eml",
        ],
        None,
    );
    assert!(out.status.success());
    let recs = lines(&out);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r["source"], "tests/fixtures/postfix-mailbox-full.eml");
    assert_eq!(r["message"], 1);
    assert_eq!(r["kind"], "bounce");
    let rcpt = &r["recipients"][0];
    for key in [
        "address",
        "action",
        "status",
        "reply_code",
        "reason",
        "hard_bounce",
        "remote_mta",
        "diagnostic",
    ] {
        assert!(rcpt.get(key).is_some(), "missing {key}");
    }
    assert_eq!(rcpt["reason"], "mailboxfull");
    assert_eq!(rcpt["hard_bounce"], true);
    assert!(
        r["explanation"]["headline"]
            .as_str()
            .unwrap()
            .contains("mailbox")
    );
    assert!(!r["explanation"]["steps"].as_array().unwrap().is_empty());
}

#[test]
fn german_output_is_german() {
    let out = cli(
        &[
            "--format=jsonl",
            "--lang=de",
            "tests/fixtures/exim-user-unknown.eml",
        ],
        None,
    );
    let r = &lines(&out)[0];
    assert_eq!(
        r["explanation"]["headline"],
        "Die Adresse des Empfängers gibt es nicht."
    );
    let text = cli(
        &["--lang", "de", "tests/fixtures/exim-user-unknown.eml"],
        None,
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("Was jetzt zu tun ist"));
}

#[test]
fn directories_are_read_recursively_and_sorted() {
    let out = cli(&["--format", "jsonl", "tests/fixtures"], None);
    assert!(out.status.success());
    let sources: Vec<String> = lines(&out)
        .iter()
        .map(|r| r["source"].as_str().unwrap().to_string())
        .collect();
    assert!(sources.len() >= 8);
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sources, sorted);
}

#[test]
fn mbox_messages_are_numbered_within_their_file() {
    let one = std::fs::read("tests/fixtures/exim-user-unknown.eml").unwrap();
    let two = std::fs::read("tests/fixtures/postfix-mailbox-full.eml").unwrap();
    let mut mbox = b"From MAILER-DAEMON Mon Nov  3 17:02:11 2025\n".to_vec();
    mbox.extend(&one);
    mbox.extend(b"\nFrom MAILER-DAEMON Tue Oct 14 09:12:44 2025\n");
    mbox.extend(&two);
    let recs = lines(&cli(&["--format", "jsonl", "-"], Some(&mbox)));
    assert_eq!(recs.len(), 2);
    assert_eq!(
        (recs[0]["message"].as_u64(), recs[1]["message"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(recs[1]["recipients"][0]["reason"], "mailboxfull");
    assert_eq!(recs[0]["source"], "-");
}

#[test]
fn unreadable_files_exit_1_but_others_are_processed() {
    let out = cli(
        &[
            "--format",
            "jsonl",
            "no/such/file.eml",
            "tests/fixtures/exim-user-unknown.eml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/file.eml"));
    assert_eq!(lines(&out).len(), 1);
}

#[test]
fn bad_usage_exits_2() {
    for args in [&["--format", "xml"][..], &["--lang", "fr"], &["--nope"]] {
        let out = cli(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
    }
}

#[test]
fn empty_and_binary_stdin_get_friendly_messages() {
    let out = cli(&[], Some(b""));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Paste a notice"));
    let out = cli(
        &["--format", "jsonl"],
        Some(&[0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 0]),
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary"));
}

#[test]
fn json_is_one_array() {
    let out = cli(
        &["--format", "json", "tests/fixtures/ordinary-mail.eml"],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["kind"], "not_a_bounce");
}

#[test]
fn the_text_output_names_an_origin_only_when_the_signs_point_somewhere() {
    let text = |file: &str| {
        let out = cli(&["--format", "text", "--lang", "en", file], None);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let unclear = "tests/fixtures/o365-german-unknown.txt";
    let json = lines(&cli(&["--format", "jsonl", unclear], None));
    assert_eq!(json[0]["explanation"]["origin"]["likely"], "unclear");
    assert!(!text(unclear).contains("send this message yourself"));
    let forged = text("tests/fixtures/never-sent-backscatter.eml");
    assert!(forged.contains("send this message yourself"));
    assert!(forged.contains("  * "), "the signs are listed: {forged}");
    // A login alone is how every message is sent: no word about it on an ordinary
    // bounce (the JSON still carries it).
    let mailbox_full = "tests/fixtures/postfix-mailbox-full.eml";
    let json = lines(&cli(&["--format", "jsonl", mailbox_full], None));
    assert_eq!(json[0]["explanation"]["origin"]["likely"], "account_misuse");
    let login = text(mailbox_full);
    assert!(!login.contains("send this message yourself"), "{login}");
}

#[test]
fn the_text_output_carries_the_providers_own_explanation() {
    let bounce = b"<anna@gmail.com>: host gmail-smtp-in.l.google.com[192.0.2.27] said:\n    550-5.7.26 This mail has been blocked because the sender is unauthenticated.\n    550 5.7.26 https://support.google.com/mail/answer/81126 (in reply to end of DATA command)\n";
    let out = cli(&["--lang", "en", "-"], Some(bounce));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Gmail / Google Workspace: "), "{text}");
}
