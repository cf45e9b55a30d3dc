//! Property tests: whatever bytes come in, the engine answers without panicking, and
//! every limit that cuts something off says so in the report. Native only: proptest
//! does not run in the browser.
#![cfg(not(target_arch = "wasm32"))]

use bounce_explainer::engine::analyze;
use bounce_explainer::report::{Kind, Warning};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const FIXTURES: &[&str] = &[
    "postfix-mailbox-full.eml",
    "exim-user-unknown.eml",
    "spamhaus-blocked.txt",
    "pasted-gmx-german.txt",
    "delayed-exchange-de.txt",
    "phishing-fake-daemon.eml",
];

/// Every analysed message carries its explanation inputs: a kind, and evidence that
/// stays inside the input.
fn assert_sane(input: &[u8]) {
    let report = analyze(input);
    for m in &report.messages {
        assert!(m.span.start <= m.span.end && m.span.end <= input.len());
        for e in &m.evidence {
            assert!(
                e.start <= e.end && e.end <= input.len(),
                "evidence {e:?} outside input"
            );
        }
        if m.kind == Kind::NotABounce {
            assert!(m.recipients.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..4096)) {
        assert_sane(&input);
    }

    #[test]
    fn arbitrary_text_with_mail_words(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("From: MAILER-DAEMON@example.org\n".to_string()),
                Just("Content-Type: multipart/report; boundary=\"b\"\n\n--b\n".to_string()),
                Just("Content-Type: message/delivery-status\n\n".to_string()),
                Just("Final-Recipient: rfc822; a@example.org\nStatus: 5.1.1\n".to_string()),
                Just("Diagnostic-Code: smtp; 550 5.7.1 blocked using zen.spamhaus.org\n".to_string()),
                Just("\r".to_string()),
                Just("=\n".to_string()),
                Just("> ".to_string()),
                Just("<html><b>".to_string()),
                "[ -~]{0,40}",
                "\\PC{0,20}",
            ],
            0..40,
        )
    ) {
        assert_sane(parts.concat().as_bytes());
    }

    #[test]
    fn truncated_and_damaged_reports(
        which in 0..FIXTURES.len(),
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..8),
    ) {
        let mut input = fixture(FIXTURES[which]);
        let len = (input.len() as f64 * cut) as usize;
        input.truncate(len);
        for (at, byte) in flips {
            if !input.is_empty() {
                let i = ((input.len() - 1) as f64 * at) as usize;
                input[i] = byte;
            }
        }
        assert_sane(&input);
    }

    #[test]
    fn unknown_charsets_and_encodings(charset in "[a-z0-9-]{1,20}", encoding in "[a-z0-9-]{1,12}") {
        let input = format!(
            "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {encoding}\n\n<a@example.org>: 550 5.1.1 User unknown\n"
        );
        assert_sane(input.as_bytes());
    }

    /// The fast path of `squash` agrees with splitting at every kind of white space.
    #[test]
    fn squash_collapses_all_white_space(s in "[ a-z\t\n\r\u{0b}\u{0c}\u{a0}\u{2028}é]{0,40}") {
        let words: Vec<&str> = s.split_whitespace().collect();
        prop_assert_eq!(bounce_explainer::text::squash(&s), words.join(" "));
    }
}

#[test]
fn deeply_nested_mime_is_cut_off_with_a_warning() {
    let depth = 1000;
    let mut input = String::from("From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n");
    for i in 0..depth {
        input.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\nContent-Type: message/rfc822\n\nFrom: a@example.org\n"
        ));
    }
    input.push_str("Content-Type: text/plain\n\n550 5.1.1 <x@example.org>: User unknown\n");
    for i in (0..depth).rev() {
        input.push_str(&format!("--b{i}--\n"));
    }
    let report = analyze(input.as_bytes());
    let m = &report.messages[0];
    assert!(
        m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Truncated { limit } if limit == "depth")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn a_huge_header_is_read_and_the_bounce_still_found() {
    let long = "x".repeat(2 * 1024 * 1024);
    let input = format!(
        "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail Returned to Sender\nX-Long: {long}\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n"
    );
    let report = analyze(input.as_bytes());
    let r = &report.messages[0].recipients[0];
    assert_eq!(r.address, "a@example.org");
    assert_eq!(r.status.as_deref(), Some("5.1.1"));
}

#[test]
fn many_recipients_are_capped_with_a_warning() {
    let mut input = String::from(
        "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n",
    );
    for i in 0..2000 {
        input.push_str(&format!(
            "\nFinal-Recipient: rfc822; u{i}@example.org\nAction: failed\nStatus: 5.1.1\n"
        ));
    }
    input.push_str("--b--\n");
    let report = analyze(input.as_bytes());
    let m = &report.messages[0];
    assert_eq!(m.recipients.len(), bounce_explainer::engine::MAX_RECIPIENTS);
    assert!(
        m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Truncated { limit } if limit == "recipients"))
    );
}

#[test]
fn repeated_starts_of_gapped_phrases_stay_linear() {
    // "mailbox * full" and similar phrases: many starts, no end. Quadratic matching would
    // take minutes on this; linear matching takes well under a second.
    let line = "mailbox client host ".repeat(200_000);
    let input = format!(
        "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n\nThe server said: {line}\n"
    );
    let report = analyze(input.as_bytes());
    assert_eq!(report.messages.len(), 1);
}

#[test]
fn long_lines_of_codes_addresses_and_names_stay_linear() {
    // Each takes well under a second; a quadratic scan would take minutes.
    let codes = format!(
        "Jan  1 00:00:00 mx postfix/smtpd[1]: {}\n",
        "x 550 y ".repeat(500_000)
    );
    analyze(codes.as_bytes());
    let literals = format!(
        "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n\n<a@example.org>: 550 {}\n",
        "@[".repeat(200_000)
    );
    analyze(literals.as_bytes());
    let hosts = format!(
        "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 {}\n",
        "host ".repeat(200_000)
    );
    analyze(hosts.as_bytes());
}

#[test]
fn control_characters_of_a_reply_never_reach_the_reader() {
    let input = b"From: MAILER-DAEMON@example.org\nSubject: Undelivered \x1b[31mMail\nTo: me@example.net\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 \x1b]8;;http://evil.example\x07click\x1b[2J user\x00 unknown\n";
    let report = analyze(input);
    let m = &report.messages[0];
    let shown = [
        m.recipients[0].diagnostic.clone().unwrap_or_default(),
        m.notice.subject.clone().unwrap_or_default(),
    ];
    for s in shown {
        assert!(!s.chars().any(char::is_control), "{s:?}");
    }
}

#[test]
fn messages_nested_beyond_any_depth_are_cut_not_a_crash() {
    // Freeing 150,000 nested messages recursively would overflow the stack.
    let mut input = String::from("From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n");
    input.push_str(&"Content-Type: message/rfc822\n\n".repeat(150_000));
    input.push_str("Content-Type: text/plain\n\n550 5.1.1 <x@example.org>: User unknown\n");
    let report = analyze(input.as_bytes());
    assert!(
        report.messages[0]
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::Truncated { limit } if limit == "depth"))
    );
}

#[test]
fn many_recipients_in_text_and_logs_stay_linear() {
    // 20,000 recipients: looked up one by one in a list, they would take minutes.
    let lines: String = (0..20_000)
        .map(|i| format!("<user{i}@example.org>: 550 5.1.1 User unknown\n"))
        .collect();
    let report = analyze(format!("The mail system\n\n{lines}").as_bytes());
    assert!(!report.messages.is_empty());
    let log: String = (0..20_000)
        .map(|i| format!("Nov 16 11:48:04 mx postfix/smtp[1]: ABC123: to=<user{i}@example.org>, relay=mx.example.org[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown)\n"))
        .collect();
    let report = analyze(log.as_bytes());
    assert_eq!(report.messages[0].recipients.len(), 20_000);
    let one_line: String = (0..50_000).map(|i| format!("u{i}@example.org ")).collect();
    analyze(format!("The mail system\n\n{one_line}\n").as_bytes());
}
