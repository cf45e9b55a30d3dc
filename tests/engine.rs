//! Engine tests on bounces written for this project, modelled on real formats.

use bounce_explainer::explain::explain;
use bounce_explainer::report::{Action, Kind, Message, Note, Reason, Warning};
use bounce_explainer::{Lang, analyze};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

#[test]
fn postfix_mailbox_full_with_delivery_status() {
    let report = analyze(&fixture("postfix-mailbox-full.eml"));
    assert_eq!(report.messages.len(), 1);
    let m = &report.messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.format, "postfix");
    assert_eq!(m.reporting_mta.as_deref(), Some("mail.beispiel-hosting.de"));
    let r = &m.recipients[0];
    assert_eq!(r.address, "bernd@example.net");
    assert_eq!(r.action, Some(Action::Failed));
    assert_eq!(r.status.as_deref(), Some("5.2.2"));
    assert_eq!(r.reply_code.as_deref(), Some("552"));
    assert_eq!(r.reason, Reason::MailboxFull);
    assert!(r.hard_bounce);
    assert_eq!(r.remote_mta.as_deref(), Some("mx01.example.net"));
    let original = m.original.as_ref().expect("returned headers");
    assert_eq!(original.subject.as_deref(), Some("Angebot Oktober"));
    assert_eq!(
        original.message_id.as_deref(),
        Some("b1c2d3e4-0001@beispiel-shop.de")
    );
}

#[test]
fn evidence_points_at_the_input() {
    let input = fixture("postfix-mailbox-full.eml");
    let m = &analyze(&input).messages[0];
    assert!(!m.evidence.is_empty());
    for e in &m.evidence {
        assert!(e.start < e.end && e.end <= input.len());
    }
    let status = m
        .evidence
        .iter()
        .find(|e| e.what == bounce_explainer::report::EvidenceKind::Status)
        .unwrap();
    assert_eq!(&input[status.start..status.end], b"Status: 5.2.2");
}

#[test]
fn exim_free_text_user_unknown() {
    let m = &analyze(&fixture("exim-user-unknown.eml")).messages[0];
    assert_eq!(m.format, "exim");
    let r = &m.recipients[0];
    assert_eq!(m.recipients.len(), 1);
    assert_eq!(r.address, "jonas.meyer@example.com");
    assert_eq!(
        (r.status.as_deref(), r.reply_code.as_deref()),
        (Some("5.1.1"), Some("550"))
    );
    assert_eq!(r.reason, Reason::UserUnknown);
    assert_eq!(r.smtp_command.as_deref(), Some("RCPT"));
    assert_eq!(
        m.original.as_ref().unwrap().subject.as_deref(),
        Some("Termin")
    );
}

#[test]
fn pasted_german_gmx_notice_without_headers() {
    let m = &analyze(&fixture("pasted-gmx-german.txt")).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    let r = &m.recipients[0];
    assert_eq!(r.address, "lena.schmidt@example.de");
    assert_eq!(r.reason, Reason::MailboxFull);
    assert_eq!(r.status.as_deref(), Some("5.2.2"));
}

#[test]
fn cr_only_line_endings_are_read() {
    let m = &analyze(&fixture("cr-only-postfix.txt")).messages[0];
    let r = &m.recipients[0];
    assert_eq!(r.address, "max@example.com");
    assert_eq!(r.reason, Reason::UserUnknown);
    assert_eq!(r.status.as_deref(), Some("5.1.1"));
}

#[test]
fn quoted_spamhaus_rejection_names_list_and_ip() {
    let m = &analyze(&fixture("spamhaus-blocked.txt")).messages[0];
    let r = &m.recipients[0];
    assert_eq!(r.address, "info@kunde-example.com");
    assert_eq!(r.reason, Reason::Blocked);
    let hit = r.blocklist.as_ref().expect("blocklist named");
    assert_eq!(hit.list, Some("spamhaus_zen"));
    assert_eq!(hit.listed.as_deref(), Some("203.0.113.45"));
}

#[test]
fn postfix_log_lines_give_one_message_per_queue_id() {
    let report = analyze(&fixture("postfix-relay-denied.log"));
    assert_eq!(report.messages.len(), 1);
    let m = &report.messages[0];
    assert_eq!(m.format, "postfix-log");
    assert_eq!(m.recipients.len(), 2);
    assert_eq!(m.recipients[0].reason, Reason::NoRelaying);
    assert_eq!(m.recipients[1].reason, Reason::Delivered);
}

#[test]
fn fake_mailer_daemon_is_flagged_as_phishing() {
    let m = &analyze(&fixture("phishing-fake-daemon.eml")).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    let signs = m.warnings.iter().find_map(|w| match w {
        Warning::Phishing { signs } => Some(signs),
        _ => None,
    });
    let signs = signs.expect("phishing warning");
    assert!(signs.iter().any(|s| s == "no_delivery_status"), "{signs:?}");
    assert!(signs.iter().any(|s| s.starts_with("lure:")), "{signs:?}");
}

#[test]
fn ordinary_mail_is_not_a_bounce() {
    let m = &analyze(&fixture("ordinary-mail.eml")).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(m.recipients.is_empty());
    assert!(m.warnings.is_empty());
}

#[test]
fn german_exchange_delay_is_a_delay_notice() {
    let m = &analyze(&fixture("delayed-exchange-de.txt")).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].address, "rechnung@lieferant.example");
    assert!(!m.recipients[0].hard_bounce);
}

#[test]
fn explanations_exist_in_both_languages_and_differ() {
    let m = &analyze(&fixture("postfix-mailbox-full.eml")).messages[0];
    let (de, en) = (explain(m, Lang::De), explain(m, Lang::En));
    assert_eq!(de.topic, "reason.mailboxfull");
    assert!(de.headline.contains("Postfach"), "{}", de.headline);
    assert!(en.headline.contains("mailbox"), "{}", en.headline);
    assert!(!de.steps.is_empty() && de.steps.len() == en.steps.len());
    assert_eq!(de.who, "recipient");
}

#[test]
fn bad_inputs_get_answers_not_panics() {
    assert_eq!(analyze(b"").notes, [Note::EmptyInput]);
    assert_eq!(analyze(&[0u8; 1000]).notes, [Note::BinaryInput]);
    let nonsense = analyze("just some words, nothing about mail äöü".as_bytes());
    assert!(nonsense.messages.iter().all(|m| m.kind == Kind::NotABounce));
    let broken = b"From: a@b.c\nContent-Type: multipart/report; boundary=\"x\"\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; z@y.example\nStatus: 5.1.";
    let r = analyze(broken);
    assert_eq!(r.messages[0].recipients[0].address, "z@y.example");
}

#[test]
fn a_twenty_megabyte_paste_is_read() {
    let mut big = fixture("exim-user-unknown.eml");
    big.extend(
        std::iter::repeat_n(
            b"filler line of an attachment that goes on and on\n".as_slice(),
            420_000,
        )
        .flatten(),
    );
    assert!(big.len() > 20_000_000);
    let report = analyze(&big);
    assert_eq!(report.messages[0].recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn real_notices_without_a_report_part_are_not_phishing() {
    // A free-text bounce from the sender's own server, and a group notice with a help link.
    let own_server = b"From: Mail Delivery System <Mailer-Daemon@example-firma.de>\nTo: buchhaltung@example-firma.de\nSubject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kunde@example.org\n    retry timeout exceeded\n\n------ This is a copy of the message, including all the headers. ------\nSubject: Rechnung\n\nPlease log in to https://portal.example.org/login to see your invoice.\n";
    let group = b"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: a@example.org\nSubject: Delivery Status Notification (Failure)\n\nHello a@example.org,\n\nWe're writing to let you know that the group you tried to contact (team) may not exist, or you may not have permission to post messages to the group. A few more details on why you weren't able to post:\n\n * You might have spelled or formatted the group name incorrectly.\n\nIf you have questions related to this or any other Google Group, visit the Help Center at https://groups.google.com/support/.\n\nThanks,\n\nGoogle Groups\n";
    for input in [own_server.as_slice(), group.as_slice()] {
        let m = &analyze(input).messages[0];
        assert_eq!(m.kind, Kind::Bounce);
        assert!(!warns_of_phishing(m), "{:?}", m.warnings);
    }
}

#[test]
fn german_notices_as_customers_paste_them() {
    let cases = [
        (
            "o365-german-unknown.txt",
            "max.mustermann@example.de",
            Reason::UserUnknown,
        ),
        (
            "gmail-german-pasted.txt",
            "anna@example.org",
            Reason::UserUnknown,
        ),
        (
            "webde-quoted-policy.txt",
            "julia@web.de",
            Reason::PolicyViolation,
        ),
        ("tonline-bl.txt", "peter@t-online.de", Reason::Blocked),
        (
            "exchange-german-quota.txt",
            "buchhaltung@kunde.example",
            Reason::MailboxFull,
        ),
        (
            "relay-denied-german.txt",
            "info@partner.example",
            Reason::NoRelaying,
        ),
        // Outlook's own error line names the sender's account first.
        (
            "outlook-send-error-de.txt",
            "kunde@partner.example",
            Reason::NoRelaying,
        ),
    ];
    for (file, address, reason) in cases {
        let m = read_one_recipient(file, Kind::Bounce, address, reason);
        let de = explain(&m, Lang::De);
        assert!(de.specific, "{file}: {}", de.topic);
    }
}

/// Reads a fixture that holds one message with one recipient and checks what was read.
fn read_one_recipient(file: &str, kind: Kind, address: &str, reason: Reason) -> Message {
    let m = analyze(&fixture(file)).messages.remove(0);
    assert_eq!(m.kind, kind, "{file}");
    assert_eq!(m.recipients.len(), 1, "{file}: {:?}", m.recipients);
    assert_eq!(m.recipients[0].address, address, "{file}");
    assert_eq!(m.recipients[0].reason, reason, "{file}");
    m
}

#[test]
fn english_notices_as_customers_paste_them() {
    let cases = [
        (
            "outlook-en-unknown.txt",
            "jane@contoso.example",
            Reason::UserUnknown,
            Kind::Bounce,
        ),
        (
            "o365-banned-ip-pasted.txt",
            "ceo@contoso.example",
            Reason::BadReputation,
            Kind::Bounce,
        ),
        (
            "postfix-delay-warning.txt",
            "someone@slow.example",
            Reason::NetworkError,
            Kind::DelayNotice,
        ),
        (
            "yahoo-mailbox-not-found.txt",
            "tom@yahoo.example",
            Reason::UserUnknown,
            Kind::Bounce,
        ),
        (
            "gmail-no-ptr.txt",
            "x@gmail.com",
            Reason::RequirePtr,
            Kind::Bounce,
        ),
        (
            "cpanel-unrouteable.txt",
            "sales@gone.example",
            Reason::HostUnknown,
            Kind::Bounce,
        ),
        (
            "flattened-one-line-paste.txt",
            "oma.meier@t-online.example",
            Reason::Blocked,
            Kind::Bounce,
        ),
        (
            "exchange2010-unknown.txt",
            "john.doe@partner.example",
            Reason::UserUnknown,
            Kind::Bounce,
        ),
        (
            "domino-not-listed.txt",
            "pat.smith@lotus.example",
            Reason::UserUnknown,
            Kind::Bounce,
        ),
        (
            "exim-sender-verify.txt",
            "partner@strict.example",
            Reason::Rejected,
            Kind::Bounce,
        ),
        (
            "o365-flattened-html.txt",
            "tina@school.example",
            Reason::UserUnknown,
            Kind::Bounce,
        ),
        (
            "postfix-delay-mailbox-full.txt",
            "paul@busy.example",
            Reason::MailboxFull,
            Kind::DelayNotice,
        ),
    ];
    for (file, address, reason, kind) in cases {
        read_one_recipient(file, kind, address, reason);
    }
}

#[test]
fn diagnostics_as_servers_word_them() {
    let table = String::from_utf8(fixture("diagnostics.tsv")).unwrap();
    let mut wrong = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (want, diag) = line.split_once('\t').unwrap();
        let bounce = format!(
            "<rcpt@example.org>: host mx.example.org[192.0.2.1] said: {diag} (in reply to RCPT TO command)\n"
        );
        let m = &analyze(bounce.as_bytes()).messages[0];
        let got = m.recipients[0].reason.as_str();
        if got != want {
            wrong.push(format!("{want} <- {got}: {diag}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_bounce_forwarded_with_quoting_inside_a_mail_is_read() {
    let mail = b"From: Erika <erika@example.de>\nTo: support@hoster.example\nSubject: Fwd: Undelivered Mail Returned to Sender\nContent-Type: text/plain; charset=utf-8\n\nWas bedeutet das?\n\n> From: MAILER-DAEMON@mail.hoster.example\n> Subject: Undelivered Mail Returned to Sender\n>\n> <kunde@firma.example>: host mx.firma.example[198.51.100.10] said: 552 5.2.2\n>     <kunde@firma.example>: Recipient address rejected: Mailbox full (in reply to\n>     RCPT TO command)\n> \n> >>> RCPT TO:<kunde@firma.example>\n";
    let m = &analyze(mail).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    let r = &m.recipients[0];
    assert_eq!(r.address, "kunde@firma.example");
    assert_eq!(r.reason, Reason::MailboxFull);
    assert_eq!(r.smtp_command.as_deref(), Some("RCPT"));
}

#[test]
fn a_receivers_dqs_key_is_never_shown() {
    let report = analyze(&fixture("spamhaus-dqs-key.txt"));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("aaaabbbbccccddddeeeeffff00"), "{json}");
    let r = &report.messages[0].recipients[0];
    assert!(
        r.diagnostic
            .as_deref()
            .unwrap()
            .contains("<key>.zen.dq.spamhaus.net")
    );
    assert_eq!(
        r.blocklist.as_ref().unwrap().listed.as_deref(),
        Some("203.0.113.99")
    );
    let en = explain(&report.messages[0], Lang::En);
    assert!(!format!("{en:?}").contains("aaaabbbb"));
}

#[test]
fn a_bounce_for_mail_never_sent_says_which_signs_point_where() {
    let likely = |file: &str| {
        let m = &analyze(&fixture(file)).messages[0];
        let de = explain(m, Lang::De);
        let origin = de.origin.expect("origin signs");
        (origin.likely, origin.steps.len())
    };
    // Logged in at the user's own provider's server: the account was used.
    let (hacked, steps) = likely("never-sent-hacked-account.eml");
    assert_eq!(hacked, "account_misuse");
    assert!(steps >= 2);
    // Arrived from a stranger's IP at the recipient's server: the address was forged.
    assert_eq!(likely("never-sent-backscatter.eml").0, "forged_sender");
    // The page then leads with that: nobody has to act, and the bounce's own steps
    // follow for a reader who did send it.
    let en = |file: &str| explain(&analyze(&fixture(file)).messages[0], Lang::En);
    let forged = en("never-sent-backscatter.eml");
    assert_eq!(forged.who, "nobody");
    assert!(forged.headline.starts_with("Probably not your message"));
    assert!(forged.explanation.contains("does not exist"), "{forged:?}");
    assert!(forged.steps[0].contains("nothing you need to do"));
    assert!(forged.steps[1].starts_with("If you did send it: Check the address"));
    let hacked = en("never-sent-hacked-account.eml");
    assert_ne!(hacked.who, "nobody");
    assert!(
        !hacked
            .steps
            .iter()
            .any(|s| s.contains("nothing you need to do"))
    );
}

#[test]
fn common_situations_get_their_own_explanation() {
    let topic = |file: &str| explain(&analyze(&fixture(file)).messages[0], Lang::De).topic;
    assert_eq!(topic("mx-holds-ip.txt"), "situation.mx_is_ip");
    assert_eq!(topic("greylisted-delay.txt"), "situation.greylisting");
    assert_eq!(topic("spamhaus-pbl-word.txt"), "situation.dynamic_ip");
    assert_eq!(topic("spamhaus-blocked.txt"), "situation.server_ip_listed");
}

#[test]
fn a_persons_reply_that_mentions_a_failure_is_not_a_bounce() {
    let mail = "From: Sabine <sabine@example.de>\nTo: Thomas <info@example.com>\nSubject: Re: Angebot\nIn-Reply-To: <a1@example.com>\n\nHallo,\nmeine alte Adresse gibt es nicht mehr (550 user unknown), bitte nur noch diese nutzen.\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(m.recipients.is_empty());
}

#[test]
fn a_phishing_notice_with_made_up_codes_is_not_a_bounce() {
    let mail = "From: Mailer-Daemon <mailer-daemon@mail-notice.example>\nTo: alice@example.com\nSubject: Delivery failure: 3 pending messages\n\nYour mailbox is full (552 5.2.2). 3 pending messages could not be delivered.\nRelease pending messages here: https://mailbox-verify.example/owa/login.php?email=alice@example.com\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(warns_of_phishing(m));
}

#[test]
fn a_delay_that_keeps_failing_to_connect_is_a_network_error() {
    let mail = "From: MAILER-DAEMON@mail.example.com\nSubject: Delayed Mail (still being retried)\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nTHIS IS A WARNING ONLY.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.com\n\nFinal-Recipient: rfc822; nina@slow.example\nAction: delayed\nStatus: 4.4.7\nDiagnostic-Code: smtp; 400 4.4.7 Message delayed; Connection dropped due to SocketError\nWill-Retry-Until: Mon, 2 Dec 2024 09:14:25 +0100\n--b--\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].reason, Reason::NetworkError);
}

#[test]
fn the_codes_below_a_single_recipients_explanation_are_its_own() {
    let mail = "From: Mail Delivery System <MAILER-DAEMON@web.de>\nSubject: Unzustellbare Nachricht\n\nIhre Nachricht an folgenden Empfänger konnte nicht zugestellt werden:\n\n    petra@example.de\n\nGrund: Postfach voll\n\nTechnische Details:\n    Antwort: 552 5.2.2 Mailbox full\n";
    let r = &analyze(mail.as_bytes()).messages[0].recipients[0];
    assert_eq!(r.address, "petra@example.de");
    assert_eq!(r.reason, Reason::MailboxFull);
    assert_eq!(r.status.as_deref(), Some("5.2.2"));
    assert_eq!(r.reply_code.as_deref(), Some("552"));
}

#[test]
fn an_html_notice_pasted_as_source_into_a_plain_mail_is_read_as_text() {
    let mail = "From: Ralf <ralf@example.de>\nSubject: Fehler\nContent-Type: text/plain; charset=utf-8\n\n<html><body><p>Ihre Nachricht an <a href=\"mailto:kunde@example.org\">kunde@example.org</a> konnte nicht übermittelt werden.</p><p>kunde@example.org<br>Remoteserver hat '550 5.7.1 Service unavailable; Client host [192.0.2.14] blocked using b.barracudacentral.org' zurückgegeben</p></body></html>\n";
    let r = &analyze(mail.as_bytes()).messages[0].recipients[0];
    assert_eq!(r.address, "kunde@example.org");
    assert_eq!(r.reason, Reason::Blocked);
    assert!(!r.diagnostic.as_deref().unwrap_or("").contains('<'));
}

#[test]
fn greylisting_is_a_temporary_limit_not_a_policy_or_an_unknown_user() {
    let m = &analyze(&fixture("greylisted-delay.txt")).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    let r = &m.recipients[0];
    assert_eq!(r.reason, Reason::RateLimited);
    assert_eq!(r.alternative, None);
}

#[test]
fn a_raw_latin1_subject_is_read_as_latin1() {
    let mail = b"From: MAILER-DAEMON@example.br\nSubject: Mensagem n\xe3o entregue\nContent-Type: text/plain; charset=ISO-8859-1\n\n<ana@example.br>: 552 5.2.2 Caixa postal cheia\n";
    let m = &analyze(mail).messages[0];
    assert_eq!(
        m.notice.subject.as_deref(),
        Some("Mensagem n\u{e3}o entregue")
    );
}

#[test]
fn a_receivers_broken_list_lookup_and_a_listed_domain_get_their_own_explanation() {
    let topic = |diag: &str| {
        let bounce = format!(
            "<rcpt@example.org>: host mx.example.org[192.0.2.1] said: {diag} (in reply to RCPT TO command)\n"
        );
        explain(&analyze(bounce.as_bytes()).messages[0], Lang::En).topic
    };
    assert_eq!(
        topic(
            "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org; Error: open resolver; https://check.spamhaus.org/returnc/pub/172.70.0.1/"
        ),
        "situation.receiver_list_error"
    );
    assert_eq!(
        topic(
            "554 5.7.1 Service unavailable; Sender address [info@spammy.example] blocked using dbl.spamhaus.org"
        ),
        "situation.domain_listed"
    );
    assert_eq!(
        topic(
            "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org"
        ),
        "situation.server_ip_listed"
    );
    // The recipient's own MX (`mx.example.org` for `rcpt@example.org`) refuses to relay.
    assert_eq!(
        topic("554 5.7.1 <rcpt@example.org>: Relay access denied"),
        "situation.recipient_refuses_relay"
    );
    // The provider's outgoing relay (another domain than the recipient's) refuses it:
    // the sending server did not log in there.
    // Only a server of the user's own names a smarthost: a big provider's notice about a
    // recipient's MX named `smtp.…` (GoDaddy's) is the recipient's domain's trouble.
    let smarthost = "From: MAILER-DAEMON@mail.firma.example\nTo: chef@firma.example\nSubject: Undelivered Mail Returned to Sender\n\n<rcpt@example.org>: host smtp.provider.example[192.0.2.9] said: 554 5.7.1 <rcpt@example.org>: Relay access denied (in reply to RCPT TO command)\n";
    let e = explain(&analyze(smarthost.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.smarthost_refuses_relay");
    assert_eq!(e.who, "sender_provider");
    let provider = smarthost
        .replace(
            "MAILER-DAEMON@mail.firma.example",
            "MAILER-DAEMON@mout.bigmail.example",
        )
        .replace("smtp.provider.example", "smtp.secureserver.example");
    let e = explain(&analyze(provider.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.recipient_refuses_relay");
    // A big provider's notice to its own customer is no notice of the user's own server.
    let webde = provider
        .replace("MAILER-DAEMON@mout.bigmail.example", "MAILER-DAEMON@web.de")
        .replace("chef@firma.example", "kunde@web.de");
    let e = explain(&analyze(webde.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.recipient_refuses_relay");
    // Google's relay for Workspace customers is a smarthost.
    let google = smarthost.replace("smtp.provider.example", "smtp-relay.gmail.com");
    let e = explain(&analyze(google.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.smarthost_refuses_relay");
    // A server that asks for a login may be a hosted recipient domain's MX; one that is
    // not the big provider's the recipient's address is at is a relay, whatever its name.
    let login = smarthost
        .replace("smtp.provider.example", "mail.agency-server.example")
        .replace(
            "Relay access denied",
            "Relay access denied - use SMTP authentication",
        );
    let e = explain(&analyze(login.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.recipient_refuses_relay");
    let gmx = smarthost
        .replace("smtp.provider.example", "mail.agency-server.example")
        .replace("rcpt@example.org", "kundin@gmx.de");
    let e = explain(&analyze(gmx.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.smarthost_refuses_relay");
    // A log is the user's own server's.
    let log = "Nov 16 11:48:04 mail sendmail[14404]: 5AGAm1U5014400: to=<lab@clinic.example>, delay=00:00:01, mailer=relay, pri=30000, relay=smtp.isp.example. [192.0.2.19], dsn=5.7.1, stat=Relaying denied\n";
    let e = explain(&analyze(log.as_bytes()).messages[0], Lang::De);
    assert_eq!(e.topic, "situation.smarthost_refuses_relay");
}

/// Log lines with a person's question above and a greeting below are read as a log,
/// every message of it.
#[test]
fn a_log_excerpt_with_a_question_around_it_is_read() {
    let paste = "Hi Jens,\n\nthe customer says our confirmation never arrived. The log looks fine\nto me, or is it?\n\nNov 16 11:48:02 mail sendmail[14402]: 5AGAm1U5014400: from=<orders@joinery.example>, size=2281, class=0, nrcpts=1, proto=ESMTPSA, daemon=MTA, relay=laptop [192.168.1.35]\nNov 16 11:48:04 mail sendmail[14404]: 5AGAm1U5014400: to=<info@garden.example>, delay=00:00:03, xdelay=00:00:02, mailer=esmtp, pri=348113, relay=mx00.garden.example. [192.0.2.77], dsn=2.0.0, stat=Sent (Ok queued)\nNov 16 11:49:10 mail postfix/smtp[19002]: E4A19C3B02: to=<anna@shop.example>, relay=mx.shop.example[192.0.2.6]:25, delay=0.9, dsn=5.1.1, status=bounced (host mx.shop.example[192.0.2.6] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\n\nThanks\nNicole\n";
    let r = analyze(paste.as_bytes());
    let read: Vec<(Kind, &str, Reason)> = r
        .messages
        .iter()
        .map(|m| {
            (
                m.kind,
                m.recipients[0].address.as_str(),
                m.recipients[0].reason,
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                Kind::DeliveryReport,
                "info@garden.example",
                Reason::Delivered
            ),
            (Kind::Bounce, "anna@shop.example", Reason::UserUnknown)
        ]
    );
    // A person's words between log lines make it a text with log lines in it.
    let mixed = paste.replace("\nNov 16 11:49:10", "\nand this one?\nNov 16 11:49:10");
    assert_eq!(analyze(mixed.as_bytes()).messages.len(), 1);
}

/// Exim's reject log names the recipients of a message refused after DATA in its
/// `Envelope-to:` line, not in the refusal.
#[test]
fn exims_reject_log_names_its_recipients_in_envelope_to() {
    let log = "2026-11-25 11:30:02 1tFyew-003Xq2-3c H=mail.loans.example [192.0.2.39] P=esmtps S=48211 F=<offers@loans.example> rejected after DATA: Your message scored 14.2 SpamAssassin points and was rejected as spam.\nEnvelope-from: <offers@loans.example>\nEnvelope-to: <till@wine.example>, <office@wine.example>\nP Received: from mail.loans.example ([192.0.2.39])\n\tby mx.wine.example with esmtps\n  From: \"Loans\" <offers@loans.example>\n  Subject: Your offer\n";
    let m = &analyze(log.as_bytes()).messages[0];
    let read: Vec<(&str, Reason)> = m
        .recipients
        .iter()
        .map(|r| (r.address.as_str(), r.reason))
        .collect();
    assert_eq!(
        read,
        [
            ("till@wine.example", Reason::SpamDetected),
            ("office@wine.example", Reason::SpamDetected)
        ]
    );
}

/// Queue listings and message-trace exports are read through `>` quoting and
/// quoted-printable leftovers.
#[test]
fn listings_and_exports_are_read_through_quoting_and_qp_debris() {
    let quoted = "What does the D mean?\n\n> # exim -bp\n> 26h  2.3K 1tGqZq-0002Lm-8V <billing@cars.example>\n>        D books@tiles.example\n>          owner@tiles.example\n>\n";
    let m = &analyze(quoted.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[1].address, "owner@tiles.example");
    let export = "EventId                 : FAIL=20\nMessageId               : <AM9PR03MB7284@AM9PR03MB7284.e=\nurprd03.prod.outlook.com>=20\nRecipients              : {plans@architects.example}=20\nRecipientStatus         : {[{LRT=3D};{LED=3D550 5.3.4 ROUTING.SizeLimit; messa=\nge size exceeds fixed maximum size for route};{FQDN=3D};{IP=3D}]}=20\nSender                  : j.eckert@carpentry.example=20\n";
    let m = &analyze(export.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "plans@architects.example");
    assert_eq!(m.recipients[0].reason, Reason::EmailTooLarge);
}

#[test]
fn phishing_links_hidden_in_html_and_report_like_text_are_found() {
    let html = "From: \"Telekom Mail Zustellung\" <info@notice.example.click>\nTo: w@example.de\nSubject: Unzustellbar: Ihre Nachricht konnte nicht zugestellt werden\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Ihre Nachricht an 3 Empfänger konnte nicht zugestellt werden.</p><p>Bitte melden Sie sich unter <a href=\"https://t-online-de.login.example.click/?mail=w@example.de\">https://email.t-online.de</a> an.</p></body></html>\n";
    let m = &analyze(html.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    let signs = m
        .warnings
        .iter()
        .find_map(|w| match w {
            Warning::Phishing { signs } => Some(signs.clone()),
            _ => None,
        })
        .expect("a phishing warning");
    assert!(
        signs.iter().any(|s| s.starts_with("deceptive_link:")),
        "{signs:?}"
    );
    let report_like = "From: \"MAILER-DAEMON@mout.example.net\" <postmaster@notify.example.xyz>\nTo: buero@example.de\nSubject: Delivery Status Notification (Delay)\nContent-Type: text/plain\n\nYour incoming messages have been delayed.\n\nFinal-Recipient: rfc822; buero@example.de\nAction: delayed\nStatus: 4.2.2\nDiagnostic-Code: smtp; 452 4.2.2 Mailbox quota exceeded\n\nTo release the held messages, sign in within 24 hours:\nhttps://mout-example.example.xyz/release?u=buero@example.de\n";
    let m = &analyze(report_like.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(warns_of_phishing(m));
}

/// A bounce from `mx.recipient.example` returning `original` (its header lines).
fn bounce_returning(original: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.recipient.example\nTo: info@kunde.example\nSubject: Undelivered Mail Returned to Sender\n\n<x@recipient.example>: host mx.recipient.example[192.0.2.9] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\n--- Below this line is a copy of the message.\n\n{original}\nSpam text\n"
    )
}

#[test]
fn the_origin_signs_read_logins_at_big_providers_and_ignore_names_a_sender_claims() {
    let likely = |original: &str| {
        let m = &analyze(bounce_returning(original).as_bytes()).messages[0];
        explain(m, Lang::En).origin.map(|o| o.likely)
    };
    // Handed in with a login at the customer's provider, not at the customer's domain.
    let hacked = "Received: from [198.51.100.7] by mout.kundenserver.de (mreue107 [212.227.15.183]) with ESMTPSA (Nemesis) id 1Mx; Mon, 3 Mar 2025 10:00:00 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <abc@kunde.example>\nSubject: Offer\n";
    assert_eq!(likely(hacked), Some("account_misuse"));
    // A bot names the customer's domain in its greeting; the only real hop is the recipient's.
    let forged = "Received: from kunde.example (unknown [177.54.149.22]) by mx.recipient.example (Postfix) with ESMTP id 4Y; Tue, 14 Jan 2025 03:12:44 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <000d01db$4a1f2e30@ecvfnqmzp>\nSubject: Cheap pills\n";
    assert_eq!(likely(forged), Some("forged_sender"));
    // Sent from Outlook through Microsoft 365: its message IDs name Microsoft's hosts.
    let m365 = "Received: from AM0PR07MB5555.eurprd07.prod.outlook.com by AM0PR07MB5555.eurprd07.prod.outlook.com with mapi id 15.20.8534.040; Mon, 24 Mar 2025 09:40:58 +0000\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <AM0PR07MB5555F1@AM0PR07MB5555.eurprd07.prod.outlook.com>\nSubject: Offer\n";
    assert_eq!(likely(m365), Some("account_misuse"));
    // A contact form on the customer's web space handed it in.
    let script = "Received: from localhost (localhost [127.0.0.1]) by web12.hoster.example (Postfix) with ESMTP id 4Y; Mon, 3 Mar 2025 10:00:00 +0100\nX-PHP-Originating-Script: 1003:kontakt.php\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <abc@web12.hoster.example>\nSubject: Paket\n";
    assert_eq!(likely(script), Some("script_misuse"));
    // A bot that only calls itself "localhost" is not a local program.
    let claimed = "Received: from localhost (unknown [186.121.203.7]) by mx.recipient.example (Postfix) with ESMTP id 4Y; Mon, 17 Feb 2025 02:55:41 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <1@bot>\nSubject: Pills\n";
    assert_eq!(likely(claimed), Some("forged_sender"));
}

#[test]
fn an_ndr_from_the_users_own_exchange_does_not_claim_a_forged_sender() {
    let paste = "Ihre Nachricht hat folgende Empfänger nicht erreicht:\n\nkunde@partner.example\n\nDiagnoseinformationen für Administratoren:\n\nGenerierender Server: EXCH01.firma-lang.local\n\nkunde@partner.example\nRemote Server returned '554 5.7.1 Service unavailable; Client host [192.0.2.17] blocked using zen.spamhaus.org'\n\nUrsprüngliche Nachrichtenheader:\n\nReceived: from EXCH01.firma-lang.local (192.168.10.5) by EXCH01.firma-lang.local (192.168.10.5) with Microsoft SMTP Server id 15.1.2507.35; Tue, 5 Mar 2024 10:12:03 +0100\nFrom: Klaus Lang <k.lang@firma-lang.de>\nTo: <kunde@partner.example>\nSubject: Bestellung\nMessage-ID: <8a1f3c2d@firma-lang.de>\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::Blocked);
    let origin = explain(m, Lang::De).origin.map(|o| o.likely);
    assert_ne!(origin, Some("forged_sender"));
}

#[test]
fn mail_the_users_own_systems_sent_out_is_not_called_forged() {
    let likely = |text: &str| explain(&analyze(text.as_bytes()).messages[0], Lang::En).origin;
    // The user's own Exchange reports Gmail's refusal of a message it sent out (the
    // returned headers hold no Received field).
    let own = "From: Microsoft Outlook <postmaster@kanzlei-example.de>\nTo: <s.moeller@kanzlei-example.de>\nSubject: Unzustellbar: Termin\n\nIhre Nachricht hat folgende Empfänger nicht erreicht:\n\nmandant@gmail.com\nRemoteserver hat '550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM' zurückgegeben\n\nUrsprüngliche Nachrichtenheader:\n\nFrom: <s.moeller@kanzlei-example.de>\nTo: <mandant@gmail.com>\nSubject: Termin\nMessage-ID: <5c1e8f6a@EX19.kanzlei.local>\n";
    assert_ne!(likely(own).map(|o| o.likely), Some("forged_sender"));
    // Sent from GMX's webmail: the ID names a host without a dot, and Exchange Online
    // recorded GMX's outgoing server without looking it up.
    let webmail = "From: <postmaster@school.onmicrosoft.com>\nTo: <petra@gmx.de>\nSubject: Undeliverable: Termine\n\nYour message to elternbeirat@school.example couldn't be delivered.\n\nelternbeirat@school.example\nRemote Server returned '550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required'\n\nOriginal message headers:\n\nReceived: from mout.gmx.net (212.227.15.19) by FR2P281MB0087.DEUP281.PROD.OUTLOOK.COM with Microsoft SMTP Server; Wed, 19 Nov 2025 19:44:28 +0000\nMessage-ID: <trinity-7b3f1e2a@3c-app-gmx-bap41>\nFrom: Petra <petra@gmx.de>\nTo: elternbeirat@school.example\nSubject: Termine\n";
    assert_eq!(likely(webmail).map(|o| o.likely), None);
    // A machine that only called itself by the provider's bare domain is still foreign.
    let forged = webmail.replace(
        "from mout.gmx.net (212.227.15.19)",
        "from gmx.de (unknown [203.0.113.211])",
    );
    assert_eq!(
        likely(&forged).map(|o| o.likely),
        Some("forged_sender"),
        "{forged}"
    );
}

#[test]
fn a_recipient_field_cut_by_rewrapping_takes_the_whole_address_from_the_text() {
    read_one_recipient(
        "rewrapped-final-recipient.txt",
        Kind::Bounce,
        "anna.schmidt@kanzlei-schmidt-und-partner.example",
        Reason::UserUnknown,
    );
}

#[test]
fn recipients_that_failed_for_another_reason_are_named_in_the_explanation() {
    let notice = "From: MAILER-DAEMON@mail.example.net\nSubject: Undelivered Mail Returned to Sender\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\n<b@example.org>: host mx.example.org[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)\n";
    let m = &analyze(notice.as_bytes()).messages[0];
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "reason.userunknown");
    assert_eq!(e.others.len(), 1);
    assert!(
        e.others[0].starts_with("For b@example.org: "),
        "{:?}",
        e.others
    );
}

fn warns_of_phishing(m: &Message) -> bool {
    m.warnings
        .iter()
        .any(|w| matches!(w, Warning::Phishing { .. }))
}

#[test]
fn a_delay_notice_names_its_cause_and_a_barred_mailbox_points_to_misuse() {
    // A full mailbox is the headline itself, and the recipient is asked to make room.
    let m = &analyze(&fixture("postfix-delay-mailbox-full.txt")).messages[0];
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "delay.mailboxfull");
    assert_eq!(e.who, "recipient");
    assert!(e.headline.contains("mailbox is full"), "{}", e.headline);
    assert!(
        !e.others.iter().any(|c| c.starts_with("Cause: ")),
        "{:?}",
        e.others
    );
    // Other causes stand in a line of their own below "still trying".
    let m = &analyze(&fixture("postfix-delay-warning.txt")).messages[0];
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "kind.delay_notice");
    assert!(
        e.others.first().is_some_and(|c| c.starts_with("Cause: ")),
        "{:?}",
        e.others
    );
    let barred = "From: MAILER-DAEMON@example.net\nSubject: Undeliverable\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.8 Access denied, bad outbound sender AS(42004) (in reply to MAIL FROM command)\n\n--- Below this line is a copy of the message.\n\nReceived: from [198.51.100.7] by mout.kundenserver.de with ESMTPSA id 1M; Mon, 3 Mar 2025 10:00:00 +0100\nFrom: info@kunde.example\nTo: a@example.org\nSubject: Offer\n";
    let e = explain(&analyze(barred.as_bytes()).messages[0], Lang::En);
    assert_eq!(e.topic, "situation.account_blocked");
    // The origin panel says what the bar means for the account.
    assert_eq!(e.origin.map(|o| o.likely), Some("account_misuse"));
}

#[test]
fn a_not_spam_feedback_report_is_good_news_not_a_complaint() {
    let arf = "From: feedback@provider.example\nTo: abuse@example.com\nSubject: FW: Offer\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\n\n--b\nContent-Type: text/plain\n\nThis is a feedback report.\n--b\nContent-Type: message/feedback-report\n\nFeedback-Type: not-spam\nUser-Agent: Provider/1.0\nVersion: 1\nOriginal-Rcpt-To: user@provider.example\n--b--\n";
    let m = &analyze(arf.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::ComplaintReport);
    let e = explain(m, Lang::De);
    assert_eq!(e.topic, "feedback.not_spam");
    assert_eq!(e.who, "nobody");
}

#[test]
fn a_forwarded_out_of_office_reply_is_an_auto_reply_from_the_one_who_replied() {
    read_one_recipient(
        "forwarded-auto-reply-de.txt",
        Kind::AutoReply,
        "praxis@muster.example",
        Reason::Vacation,
    );
}

#[test]
fn a_delayed_refusal_at_mail_from_is_not_a_refused_sender() {
    let mail = "From: MAILER-DAEMON@mail.example.net\nSubject: Delayed Mail (still being retried)\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nTHIS IS A WARNING ONLY.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.net\n\nFinal-Recipient: rfc822; a@example.org\nAction: delayed\nStatus: 4.0.0\nDiagnostic-Code: smtp; 450 4.0.0 Requested mail action not taken (in reply to MAIL FROM command)\n--b--\n";
    let r = &analyze(mail.as_bytes()).messages[0].recipients[0];
    assert_ne!(r.reason, Reason::Rejected);
}

#[test]
fn message_details_below_the_recipient_are_not_its_error() {
    let text = "Error: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\nMessage details:\n  Subject: Test\n  MAIL FROM: anna@example.org\n  RCPT TO: bernd@example.net\n  From: anna@example.org\n  Size (in bytes): 222\n  Number of lines: 2\n";
    let report = analyze(text.as_bytes());
    let r = &report.messages[0].recipients[0];
    assert_eq!(r.address, "bernd@example.net");
    assert_eq!(r.reply_code.as_deref(), Some("550"));
    assert_eq!(r.reason, Reason::UserUnknown);
    let diagnostic = r.diagnostic.as_deref().unwrap_or("");
    assert!(
        diagnostic.starts_with("550 - Requested action"),
        "{diagnostic}"
    );
}

#[test]
fn an_html_alternative_does_not_repeat_the_plain_text() {
    let mail = "From: Mail Delivery Subsystem <mailer-daemon@example.net>\nTo: anna@example.org\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nYour message to bernd@example.net could not be delivered: mailbox full.\n--b\nContent-Type: text/html\n\n<p>Your message to bernd@example.net could not be delivered: mailbox full.</p>\n--b--\n";
    let report = analyze(mail.as_bytes());
    let r = &report.messages[0].recipients[0];
    assert_eq!(r.reason, Reason::MailboxFull);
    let diagnostic = r.diagnostic.as_deref().unwrap_or("");
    assert_eq!(
        diagnostic.matches("mailbox full").count(),
        1,
        "{diagnostic}"
    );
}

#[test]
fn a_delay_whose_cause_does_not_pass_names_who_must_act() {
    let text = "This is the mail system at host mail.example.org.\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<anna@gmail.com>: host gmail-smtp-in.l.google.com[2a00:1450::1b] said:\n    421-4.7.23 The sending IP does not have a PTR record. This email has been\n    temporarily rate limited. https://support.google.com/mail/answer/81126 (in\n    reply to end of DATA command)\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].reason, Reason::RequirePtr);
    let e = explain(m, Lang::En);
    assert_ne!(e.who, "nobody");
    assert!(e.retry);
    assert!(
        e.others
            .iter()
            .any(|l| l.contains("until the cause is fixed")),
        "{:?}",
        e.others
    );
}

#[test]
fn gmail_saying_it_will_retry_is_a_delay() {
    let text = "Nachricht nicht zugestellt\n\nEs gab ein vorübergehendes Problem bei der Zustellung Ihrer Nachricht an praxis@example.de. Gmail versucht es weitere 44 Stunden lang. Sie werden benachrichtigt, falls die Zustellung dauerhaft fehlschlägt.\n\nDie Antwort des Remoteservers lautete:\nThe recipient server did not accept our requests to connect. [mail.example.de 192.0.2.57: timed out]\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].address, "praxis@example.de");
}

#[test]
fn an_account_allowed_to_write_only_inside_its_organisation() {
    let text = "** Nachricht blockiert **\n\nIhre Nachricht an anmeldung@example.de wurde blockiert. Weitere Informationen finden Sie in den technischen Details unten.\n\nDie Antwort lautete:\n\nMessage rejected. Your organization's administrator does not allow email to be sent to recipients outside your organization. Contact your administrator for more information.\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::PolicyViolation);
    let e = explain(m, Lang::De);
    assert_eq!(e.topic, "situation.internal_only");
    assert_eq!(e.who, "sender_provider");
}

#[test]
fn blocked_external_forwarding_is_the_own_organisations_setting() {
    let text = "Delivery has failed to these recipients or groups:\n\nbernd@example.net\nYour message couldn't be delivered.\n\nDiagnostic information for administrators:\n\nRemote Server returned '550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)'\n";
    let m = &analyze(text.as_bytes()).messages[0];
    let e = explain(m, Lang::De);
    assert_eq!(e.topic, "situation.own_organisation_blocks");
    assert_eq!(e.who, "sender");
}

fn has_phishing_warning(mail: &str) -> bool {
    analyze(mail.as_bytes()).messages[0]
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::Phishing { .. }))
}

#[test]
fn phishing_behind_codes_encoded_subjects_and_copied_reports_is_found() {
    // A code line does not hide a lure with a shortened link.
    assert!(has_phishing_warning(
        "From: Mail Delivery System <admin@quota.example>\nTo: h@example.de\nSubject: Warning: mailbox quota exceeded\n\nDelivery to the following recipient failed permanently:\n  h@example.de\n  Technical details: 552 Mailbox quota exceeded\nSign in with your email password to increase your quota: https://bit.ly/3xQuota\n"
    ));
    // An encoded German quarantine subject claims a notice.
    assert!(has_phishing_warning(
        "From: IT-Service <noreply@gate.example>\nTo: s@example.de\nSubject: =?UTF-8?Q?E-Mail-Quarant=C3=A4ne=3A_5_Nachrichten?=\nContent-Type: text/html; charset=utf-8\n\n<p>Bitte melden Sie sich an, um die Nachrichten freizugeben.</p><a href=\"https://gate.example/webmail/login.php\">Freigeben</a>\n"
    ));
    // A copied delivery report about the reader's own address, with a log-in link.
    assert!(has_phishing_warning(
        "From: Mail Delivery System <mailer-daemon@storage.example>\nTo: order@shop.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nYour mailbox order@shop.example is full. Sign in and upgrade your storage:\nhttps://storage.example/upgrade/login?user=order\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.shop.example\n\nFinal-Recipient: rfc822; order@shop.example\nAction: failed\nStatus: 5.2.2\n--b--\n"
    ));
    // Microsoft's own quarantine notice links only to Microsoft.
    assert!(!has_phishing_warning(
        "From: Microsoft 365 <quarantine@messaging.microsoft.com>\nTo: it@example.de\nSubject: You have messages in quarantine\nContent-Type: text/html\n\n<p>Messages will be deleted after 30 days.</p><a href=\"https://security.microsoft.com/quarantine?id=1\">Review messages</a>\n"
    ));
}

/// A Postfix bounce to anna@example.org that returns the given original headers.
fn report_returning(original_headers: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mail.example.org (Mail Delivery System)\nTo: anna@example.org\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nThis is the mail system at host mail.example.org.\n\n<x@empfaenger.example>: host mx.empfaenger.example said: 550 5.1.1 User unknown\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.org\n\nFinal-Recipient: rfc822; x@empfaenger.example\nAction: failed\nStatus: 5.1.1\n--b\nContent-Type: text/rfc822-headers\n\n{original_headers}From: anna@example.org\nTo: x@empfaenger.example\nSubject: Invoice\nMessage-ID: <1@example.org>\n--b--\n"
    )
}

/// The reason the first message's first recipient got.
fn first_reason(input: &str) -> Reason {
    analyze(input.as_bytes()).messages[0].recipients[0].reason
}

fn likely_origin(mail: &str) -> Option<&'static str> {
    let m = &analyze(mail.as_bytes()).messages[0];
    bounce_explainer::situations::origin_signs(m).map(|o| o.likely)
}

#[test]
fn receivers_checks_outweigh_received_lines_anyone_can_write() {
    // SPF and DMARC failed for the user's domain: a login line below is made up.
    let forged = report_returning(
        "Authentication-Results: mx.empfaenger.example; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org\nReceived: from [203.0.113.73] by mx.empfaenger.example with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000\nReceived: from pc by mail.gmx.net with ESMTPSA; Mon, 1 Jan 2024 09:59:00 +0000\n",
    );
    assert_eq!(likely_origin(&forged), Some("forged_sender"));
    // DMARC passed for the user's domain: it left through the user's own provider.
    let own = report_returning(
        "Authentication-Results: mx.empfaenger.example; dkim=pass header.d=example.org; dmarc=pass header.from=example.org\nReceived: from mout.provider.example [192.0.2.9] by mx.empfaenger.example with ESMTPS; Mon, 1 Jan 2024 10:00:00 +0000\n",
    );
    assert_eq!(likely_origin(&own), Some("account_misuse"));
    // The receiver's own loopback step is no program on the user's server.
    let filter_step = report_returning(
        "Received: from localhost (localhost [127.0.0.1]) by smtp.empfaenger.example (Postfix) with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000\n",
    );
    assert_ne!(likely_origin(&filter_step), Some("script_misuse"));
}

#[test]
fn a_pasted_exchange_receipt_says_delivered() {
    let paste = "Zugestellt: Vertrag 2024\n\nMicrosoft Outlook\nAn: kasse@verein.example\n\nIhre Nachricht wurde an die folgenden Empfänger übermittelt:\n\nk.schmitt@gemeinde.example (k.schmitt@gemeinde.example)\n\nBetreff: Vertrag 2024\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DeliveryReport);
    assert_eq!(m.recipients.len(), 1);
    assert_eq!(m.recipients[0].address, "k.schmitt@gemeinde.example");
}

#[test]
fn outlook_and_iphone_send_errors_name_the_refused_recipient() {
    let outlook = "Fehler (0x800CCC79) beim Ausführen der Aufgabe \"anna@example.org - Senden\": \"Mindestens ein Empfänger wurde vom Server abgelehnt. Die abgelehnte E-Mail-Adresse war \"bernd@example.net\". Betreff \"Test\", Konto: \"anna@example.org\", Server: \"smtp.example.org\", Protokoll: SMTP, Serverantwort: \"550 Requested action not taken: relaying not permitted\", Port: 25, Serverfehler: 550\"\n";
    let r = &analyze(outlook.as_bytes()).messages[0].recipients[0];
    assert_eq!(r.address, "bernd@example.net");
    assert_eq!(r.reason, Reason::NoRelaying);
    let iphone = "E-Mail kann nicht gesendet werden.\nDer Empfänger „bernd@example.net“ wurde vom Server zurückgewiesen, da der Server kein Relaying erlaubt.\n";
    let r = &analyze(iphone.as_bytes()).messages[0].recipients[0];
    assert_eq!(r.address, "bernd@example.net");
}

#[test]
fn a_delay_for_a_temporary_system_failure_has_not_expired() {
    let text = "This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mail.example.org.\n\nThe address to which the message has not yet been delivered is:\n\n  anna@example.net\n    host mx.example.net [192.0.2.77]\n    Delay reason: SMTP error from remote mail server after RCPT TO:<anna@example.net>:\n    451 4.3.0 Temporary system failure. Please try again later.\n\nNo action is required on your part. Delivery attempts will continue for\nsome time.\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].reason, Reason::SystemError);
}

#[test]
fn a_sending_host_the_receiver_looked_up_in_the_users_domain_is_the_users_own() {
    let likely = |original: &str| {
        let m = &analyze(bounce_returning(original).as_bytes()).messages[0];
        explain(m, Lang::En).origin.map(|o| o.likely)
    };
    let own = "Received: from mail.kunde.example (mail.kunde.example [198.51.100.160]) by mx.recipient.example (Postfix) with ESMTPS id 4Z; Sat, 10 May 2025 09:00:01 +0200\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <eb-05@kunde.example>\nSubject: Protokoll\n";
    assert_ne!(likely(own), Some("forged_sender"));
    // The name a sender only claims for itself (HELO) proves nothing.
    let claimed = "Received: from mail.kunde.example (unknown [177.54.149.22]) by mx.recipient.example (Postfix) with ESMTP id 4Y; Tue, 14 Jan 2025 03:12:44 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <000d01db$4a1f2e30@ecvfnqmzp>\nSubject: Cheap pills\n";
    assert_eq!(likely(claimed), Some("forged_sender"));
}

#[test]
fn the_customers_signature_below_a_pasted_notice_is_no_recipient() {
    let paste = "The mail system\n\n<bernd@example.net>: host mx.example.net[192.0.2.26] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\nThanks,\nHelen Marsh\nhelen@marsh-editing.example\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["bernd@example.net"]);
}

#[test]
fn a_queue_id_ends_in_its_last_state_and_an_expired_message_fails() {
    let log = "Nov 18 10:00:01 mail postfix/smtp[1]: 4Wn2Lq0y3Jz1RtB: to=<anna@example.org>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.1]:25: Connection timed out)\n\
Nov 19 10:00:01 mail postfix/smtp[2]: 4Wn2Lq0y3Jz1RtB: to=<anna@example.org>, relay=none, delay=86400, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.1]:25: Connection timed out)\n\
Nov 19 10:08:03 mail postfix/qmgr[903]: 4Wn2Lq0y3Jz1RtB: from=<vertrieb@example.com>, status=expired, returned to sender\n\
Nov 19 11:00:00 mail postfix/smtp[3]: 5XA1B2C3D4z1RtC: to=<bernd@example.net>, relay=mx.example.net[192.0.2.2]:25, delay=5, dsn=4.7.1, status=deferred (host mx.example.net said: 451 4.7.1 Greylisted)\n\
Nov 19 11:10:00 mail postfix/smtp[4]: 5XA1B2C3D4z1RtC: to=<bernd@example.net>, relay=mx.example.net[192.0.2.2]:25, delay=600, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n";
    let report = analyze(log.as_bytes());
    assert_eq!(report.messages.len(), 2);
    let expired = &report.messages[0];
    assert_eq!(expired.recipients.len(), 1);
    assert_eq!(expired.recipients[0].reason, Reason::Expired);
    assert_eq!(expired.kind, Kind::Bounce);
    let sent = &report.messages[1];
    assert_eq!(sent.recipients.len(), 1);
    assert_eq!(sent.kind, Kind::DeliveryReport);
}

#[test]
fn refusals_during_the_smtp_dialogue_in_logs_are_read() {
    let log = "Jul 22 03:12:45 mail postfix/smtpd[4411]: NOQUEUE: reject: RCPT from unknown[203.0.113.87]: 554 5.7.1 <anna@example.org>: Relay access denied; from=<x@example.biz> to=<anna@example.org> proto=ESMTP helo=<WIN-3K2>\n\
Oct  3 11:20:08 mx2 postfix/postscreen[3301]: NOQUEUE: reject: RCPT from [203.0.113.45]:51882: 550 5.7.1 Service unavailable; client [203.0.113.45] blocked using zen.spamhaus.org; from=<news@example.biz>, to=<bernd@example.com>, proto=ESMTP, helo=<mail.example.biz>\n\
2024-02-27 13:01:55 H=(ylmf-pc) [203.0.113.9] F=<admin@example.com> rejected RCPT <carl@example.org>: relay not permitted\n";
    let report = analyze(log.as_bytes());
    let got: Vec<(&str, Reason)> = report
        .messages
        .iter()
        .flat_map(|m| &m.recipients)
        .map(|r| (r.address.as_str(), r.reason))
        .collect();
    assert_eq!(
        got,
        [
            ("anna@example.org", Reason::NoRelaying),
            ("bernd@example.com", Reason::Blocked),
            ("carl@example.org", Reason::NoRelaying)
        ]
    );
}

#[test]
fn an_auto_reply_saying_the_person_left_asks_the_sender_to_resend() {
    let reply = "From: Aaron Whitfield <aaron@example.org>\nTo: anna@example.net\nSubject: Automatic reply: Purchase order 4471\nAuto-Submitted: auto-replied\n\nThank you for your message. Aaron is no longer with Summit Supplies and this mailbox is no longer monitored. Please send orders to orders@example.org.\n";
    let m = &analyze(reply.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "kind.auto_reply_left");
    assert_eq!(e.who, "sender");
}

#[test]
fn log_refusals_of_content_temporary_refusals_and_bracketed_times_are_read() {
    let log = "[10:00:01] mx postfix/cleanup[27005]: 4X7Bq31bDFz3yPc: reject: header Subject: [URGENT] invoice from mail.example.biz[203.0.113.133]; from=<a@example.biz> to=<bernd@example.org> proto=ESMTP helo=<mail.example.biz>: 5.7.1 Attachments of this type are not allowed\n\
[10:00:02] mx postfix/smtp[101]: ABC123: to=<carla@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n\
2024-02-27 13:01:55 H=(pc) [203.0.113.9] F=<a@example.com> temporarily rejected RCPT <dora@example.org>: greylisted\n";
    let report = analyze(log.as_bytes());
    let got: Vec<(&str, Option<Action>, Reason)> = report
        .messages
        .iter()
        .flat_map(|m| &m.recipients)
        .map(|r| (r.address.as_str(), r.action, r.reason))
        .collect();
    assert_eq!(
        got,
        [
            (
                "bernd@example.org",
                Some(Action::Failed),
                Reason::PolicyViolation
            ),
            (
                "carla@example.net",
                Some(Action::Delivered),
                Reason::Delivered
            ),
            (
                "dora@example.org",
                Some(Action::Delayed),
                Reason::RateLimited
            )
        ]
    );
}

#[test]
fn quoted_words_and_header_signs_do_not_change_what_a_message_is() {
    // A holiday reply quoting a message that says someone left is still a holiday reply.
    let ooo = "From: Carla <carla@example.net>\nTo: anna@example.org\nSubject: Abwesenheitsnotiz: Angebot\nAuto-Submitted: auto-replied\n\nIch bin bis 12. Mai nicht im Büro.\n\n-----Original Message-----\nFrom: anna@example.org\nSubject: Angebot\n\nHerr Weber has left the company, please send offers to me.\n";
    let m = &analyze(ooo.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::Vacation);
    // A personal mail sent from Gmail is no bounce because Gmail's header is there.
    let personal = "From: Bernd <bernd@gmail.com>\nTo: anna@example.org\nSubject: Treffen\nX-Gm-Message-State: AOJu0Yw\nMessage-ID: <1@mail.gmail.com>\n\nHallo Anna,\n\nhier meine neue Adresse:\nbernd.neu@example.net\n\nGruß Bernd\n";
    assert_eq!(
        analyze(personal.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
}

#[test]
fn phishing_with_an_html_form_or_a_forged_report_is_found() {
    // The "report" is an HTML file to open, and the text asks for the password.
    assert!(has_phishing_warning(
        "From: \"MAILER-DAEMON\" <MAILER-DAEMON@example.de>\nTo: t@example.de\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nThis is the mail system at host mail.example.de.\n\n<a@example.net>: host mx.example.net said: 550 5.1.1 Message blocked\n\nTo resend it, open the attached delivery report and sign in with your email password.\n--b\nContent-Type: text/html; name=\"Report.html\"\nContent-Disposition: attachment; filename=\"Report.html\"\n\n<form action=\"http://203.0.113.77/auth.php\"><input type=\"password\"></form>\n--b--\n"
    ));
    // A real-looking report whose sender domain the receiver found forged (DMARC failed).
    assert!(has_phishing_warning(
        "From: \"WEB.DE Mail-System\" <mailer-daemon@web.de>\nTo: info@example.de\nSubject: Zustellfehler\nAuthentication-Results: mx.example.de; spf=none; dkim=none; dmarc=fail (p=quarantine) header.from=web.de\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nIhr Konto wurde gesperrt. Melden Sie sich an:\nhttps://web.de.sicherheit-login.example/verify\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; x@example.net\nAction: failed\nStatus: 5.7.1\n--b--\n"
    ));
}

/// A read receipt (RFC 8098) is no failure: the recipient's program showed the message.
#[test]
fn read_receipt_is_a_delivery_report() {
    let mdn = "From: Klaus <k@example.org>\nTo: Sabine <s@example.net>\nSubject: Gelesen: Antrag\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=disposition-notification; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nDies ist eine Empfangsbestätigung.\n\n--b\nContent-Type: message/disposition-notification\n\nReporting-UA: example.org; Thunderbird\nFinal-Recipient: rfc822;k@example.org\nDisposition: manual-action/MDN-sent-manually; displayed\n\n--b--\n";
    let m = &analyze(mdn.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DeliveryReport);
    assert_eq!(m.recipients.len(), 1);
    assert_eq!(m.recipients[0].address, "k@example.org");
    assert_eq!(m.recipients[0].reason, Reason::Delivered);
    assert!(!m.recipients[0].hard_bounce);
    assert_eq!(explain(m, Lang::En).topic, "kind.read_receipt");
    let deleted = mdn.replace("; displayed", "; deleted");
    let m = &analyze(deleted.as_bytes()).messages[0];
    assert_eq!(explain(m, Lang::De).topic, "kind.read_receipt_deleted");
    // "Processed" says nothing about reading: a plain delivery confirmation.
    let processed = mdn.replace(
        "manual-action/MDN-sent-manually; displayed",
        "automatic-action/MDN-sent-automatically; processed",
    );
    let m = &analyze(processed.as_bytes()).messages[0];
    assert_eq!(explain(m, Lang::En).topic, "kind.delivery_report");
}

/// A colleague's mail that forwards a quoted notice ("WG: Undeliverable") is read as
/// that notice: its recipient is the one who did not get the mail, not the forwarder.
#[test]
fn a_mail_forwarding_a_quoted_notice_is_read_as_the_notice() {
    let mail = "From: Petra <p@kanzlei.example>\nTo: IT <it@dienst.example>\nSubject: WG: Undeliverable: Termin\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHallo, liegt das an uns?\nPetra\n\n-----Ursprüngliche Nachricht-----\n> From: Microsoft Outlook <MicrosoftExchange329e@kanzlei.example>\n> Sent: Thursday, November 28, 2024 10:05 AM\n> To: Petra <p@kanzlei.example>\n> Subject: Undeliverable: Termin\n>\n> Delivery has failed to these recipients or groups:\n>\n> anna@mandant.example\n> The recipient's mailbox is full and can't accept messages now.\n>\n> Diagnostic information for administrators:\n>\n> anna@mandant.example\n> Remote Server returned '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException'\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["anna@mandant.example"]);
    assert_eq!(m.recipients[0].reason, Reason::MailboxFull);
}

/// A person's mail or a newsletter that only talks about failures is no notice.
#[test]
fn mail_that_talks_about_bounces_is_not_a_bounce() {
    let person = "Return-Path: <claudia@ourco.example>\nFrom: Claudia <claudia@ourco.example>\nTo: versand@ourco.example\nSubject: Parcel undeliverable - returned to sender?\nMessage-ID: <1@ourco.example>\n\nDHL says the parcel for r.vogt@example.com was \"undeliverable - recipient unknown at this address\".\n";
    let newsletter = "Return-Path: <bounce-mc.123@mail.mcdlv.net>\nFrom: Cloud Weekly <news@cloudweekly.example>\nTo: anna@ourco.example\nSubject: Why your emails bounce\nList-Unsubscribe: <https://cloudweekly.example/u>\nMessage-ID: <2@mcdlv.net>\n\nA hard bounce (550 5.1.1 user unknown) and a soft bounce (452 4.2.2 mailbox full).\n";
    for mail in [person, newsletter] {
        let m = &analyze(mail.as_bytes()).messages[0];
        assert_eq!(m.kind, Kind::NotABounce, "{mail}");
        assert!(m.recipients.is_empty());
    }
}

/// An Exchange notice whose own text quotes an earlier notice is read as itself.
#[test]
fn a_real_notice_quoting_an_earlier_one_is_read_as_itself() {
    let ndr = "From: Microsoft Outlook <MicrosoftExchange329e@kanzlei.example>\nTo: Petra <p@kanzlei.example>\nSubject: Undeliverable: WG: Undeliverable: Termin\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nDelivery has failed to these recipients or groups:\n\nitt@dienst.example\nThe email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\nitt@dienst.example\nRemote Server returned '550 5.1.1 <itt@dienst.example>: Recipient address rejected: User unknown'\n\nHallo, liegt das an uns?\n\n-----Original Message-----\nFrom: Microsoft Outlook <MicrosoftExchange329e@kanzlei.example>\nSent: Thursday, November 28, 2024 10:05 AM\nTo: Petra <p@kanzlei.example>\nSubject: Undeliverable: Termin\n\nDelivery has failed to these recipients or groups:\n\nanna@mandant.example\nThe recipient's mailbox is full and can't accept messages now.\n";
    let m = &analyze(ndr.as_bytes()).messages[0];
    let got = addresses_and_reasons(m);
    assert_eq!(got, [("itt@dienst.example", Reason::UserUnknown)]);
}

/// "Does not exist" in other languages: the status code or the word "domain" tells a
/// missing domain from a missing user.
#[test]
fn foreign_words_for_a_missing_domain_are_not_an_unknown_user() {
    for (reply, want) in [
        ("550 5.1.2 Domena nie istnieje", Reason::HostUnknown),
        (
            "550 El dominio del destinatario no existe",
            Reason::HostUnknown,
        ),
        ("550 5.1.1 Usuario no existe", Reason::UserUnknown),
        (
            "450 4.7.0 Слишком большое количество писем",
            Reason::SecurityError,
        ),
    ] {
        let paste = format!(
            "<a@b.example>: host mx.b.example[192.0.2.1] said: {reply} (in reply to RCPT TO command)\n"
        );
        let m = &analyze(paste.as_bytes()).messages[0];
        assert_eq!(m.recipients[0].reason, want, "{reply}");
    }
}

/// Text in an East Asian character set, which mail-parser is built without, is decoded
/// (natively by encoding_rs), also when it is base64-encoded.
#[test]
fn east_asian_text_is_decoded() {
    let mail = b"From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.jp>\nTo: sato@example.jp\nSubject: failure\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"Shift_JIS\"\nContent-Transfer-Encoding: base64\n\niLaQ5jogeWFtYWRhQGV4YW1wbGUuY29tCjU1MCA1LjEuMSA8eWFtYWRhQGV4YW1wbGUuY29tPi4u\nLiBVc2VyIHVua25vd24gKIOGgVuDVYFbgs2Rto3dgrWC3IK5gvEpCg==\n";
    let m = &analyze(mail).messages[0];
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
    let diagnostic = m.recipients[0].diagnostic.as_deref().unwrap_or_default();
    assert!(diagnostic.contains("存在しません"), "{diagnostic}");
}

/// A character set no decoder knows is said so, not shown as garbage without a word.
#[test]
fn an_undecodable_character_set_is_named() {
    let mail = b"From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.jp>\nTo: sato@example.jp\nSubject: failure\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"ISO-2022-KR\"\n\n\x1b$)C550 5.1.1 <kim@example.kr>... User unknown\n";
    let m = &analyze(mail).messages[0];
    assert!(m.warnings.contains(&Warning::UndecodableText {
        charset: "iso-2022-kr".into()
    }));
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
}

/// A fake Microsoft notice from a look-alike domain, with a "session expired" lure and
/// a log-in link, is phishing, although it quotes a server reply.
#[test]
fn a_notice_in_microsofts_name_from_another_domain_is_phishing() {
    let mail = "From: \"Microsoft Outlook\" <postmaster@o365-ndr-service.com>\nTo: m.falk@ing-buero-falk.de\nSubject: Undeliverable: Plansatz\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Delivery has failed to these recipients or groups:</p><p>planung@architekten.example</p><p>The message could not be delivered because your Office 365 session expired.</p><p><a href=\"https://login-microsoftonline.o365-ndr-service.com/retry\">Retry sending</a></p><p>Remote Server returned '550 5.1.1 RESOLVER.ADR.SessionExpired'</p></body></html>\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    let signs = m.warnings.iter().find_map(|w| match w {
        Warning::Phishing { signs } => Some(signs),
        _ => None,
    });
    let signs = signs.expect("flagged as phishing");
    assert!(
        signs
            .iter()
            .any(|s| s == "impersonated_sender:o365-ndr-service.com")
    );
    // Its "failed recipient" is part of the lure.
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(m.recipients.is_empty());
}

/// A pasted fake notice about the reader's own "held" incoming mail is phishing, whether
/// a look-alike provider address or a link to log in gives it away; the address it says
/// failed is part of the lure. A real pasted notice to the same reader stays a bounce.
#[test]
fn a_pasted_fake_notice_about_the_readers_own_mail_is_phishing() {
    // German fakes of a newsletter service and of Microsoft 365, with their log-in links.
    let newsletter = "From: \"CleverReach Sicherheitsteam\" <noreply@mailsrv.kuechen.example>\nTo: newsletter@verein.example\nSubject: Ihr Newsletter-Konto wurde gesperrt - 1.284 E-Mails nicht zugestellt\n\nZum Schutz unserer Versandinfrastruktur wurde Ihr Newsletter-Konto GESPERRT.\nBestätigen Sie bitte innerhalb von 24 Stunden Ihre Kontodaten:\n\n  Konto jetzt entsperren: https://cleverreach.de-kontoverifizierung.top/login?id=42\n";
    let quarantine = "From: \"Microsoft 365 Nachrichtencenter\" <info@reinigung.example>\nTo: verwaltung@hausverwaltung.example\nSubject: Nicht zugestellte Nachrichten\n\n9 eingehende Nachrichten wurden in die Quarantäne verschoben und nicht zugestellt.\nNachrichten jetzt freigeben: https://m365-auth.firebaseapp.com/owa/?login=verwaltung\n";
    for mail in [newsletter, quarantine] {
        let m = &analyze(mail.as_bytes()).messages[0];
        assert!(phishing_signs(m).is_some(), "{mail}");
    }
    let fake = "Ist das echt?\n\nGMX Sicherheit\nAn: moritz.kern@gmx.de\n\nZustellung fehlgeschlagen\n\n3 eingehende Nachrichten an moritz.kern@gmx.de wurden zurückgehalten, weil Ihr Speicher voll ist.\n\nJetzt Nachrichten abrufen\n\nOhne Bestätigung wird Ihr Konto in 48 Stunden gesperrt.\n\nservice@gmx-postfach-hilfe.net\n";
    let m = &analyze(fake.as_bytes()).messages[0];
    let signs = phishing_signs(m).expect("flagged as phishing");
    assert!(
        signs
            .iter()
            .any(|s| s == "impersonated_sender:gmx-postfach-hilfe.net")
    );
    assert_eq!(m.kind, Kind::NotABounce);
    // Without a look-alike address: the reader's own address and a link to log in.
    let linked = "Web.de Service\nAn: ilse.brand@web.de\n\nNachrichtenzustellung fehlgeschlagen\n\n5 eingehende Nachrichten an ilse.brand@web.de konnten nicht zugestellt werden.\n\nNachrichten freigeben: https://postfach-freigabe.web.app/login\n";
    let m = &analyze(linked.as_bytes()).messages[0];
    assert!(phishing_signs(m).is_some());
    assert_eq!(m.kind, Kind::NotABounce);
    let real = "Mail Delivery System\nAn: moritz.kern@gmx.de\n\nZustellung fehlgeschlagen\n\n<lena@example.org>: host mx.example.org[192.0.2.9] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n";
    let m = &analyze(real.as_bytes()).messages[0];
    assert!(phishing_signs(m).is_none());
    assert_eq!(m.recipients[0].address, "lena@example.org");
}

/// A notice whose lines a mail program joined still names its failed address.
#[test]
fn a_rewrapped_notice_still_names_its_recipient() {
    let paste = "This is the mail system at host mout.example.de. I'm sorry to have to inform you that your message could not be delivered. The mail system <bestellung@tischlerei.example>: delivery temporarily suspended: connect to mail.tischlerei.example[198.51.100.33]:25: Connection timed out Reporting-MTA: dns; mout.example.de Final-Recipient: rfc822;\nbestellung@tischlerei.example Action: failed Status: 4.4.1\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "bestellung@tischlerei.example");
}

/// A part labelled US-ASCII whose bytes are UTF-8 is read as UTF-8.
#[test]
fn mislabelled_utf8_is_read_as_utf8() {
    let mail = "From: Mail Delivery System <mailer-daemon@kundenserver.de>\nTo: info@sanitaer.example\nSubject: Mail delivery failed\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nThis message was created automatically by mail delivery software.\n\nk.lindner@bauträger-lindner.de:\nhost or domain name not found. Name service error for name=xn--bautrger-lindner-3nb.de type=MX: Host not found\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "k.lindner@bauträger-lindner.de");
    assert_eq!(m.recipients[0].reason, Reason::HostUnknown);
}

/// A notice from a provider's own no-reply address, with a return path, is still a
/// bounce: a server's code about a named address outweighs the sender's look.
#[test]
fn a_notice_with_a_return_path_and_a_code_stays_a_bounce() {
    let mail = "Return-Path: <noreply@mail.provider.example>\nFrom: Mail Service <noreply@mail.provider.example>\nTo: alice@me.example\nSubject: Your message could not be delivered\nMessage-ID: <1@mail.provider.example>\n\nYour message to bob@gone.example could not be delivered.\n\n<bob@gone.example>: 550 5.1.1 User unknown\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].address, "bob@gone.example");
}

/// A forwarded notice below a signature's dashes is still found.
#[test]
fn a_forwarded_notice_below_a_signature_is_read() {
    let mail = "Return-Path: <alice@me.example>\nFrom: Alice <alice@me.example>\nTo: helpdesk@me.example\nSubject: WG: Unzustellbar\nMessage-ID: <3@me.example>\n\nHallo, was heisst das?\n\n--\nAlice\n---------------------------------\nFirma GmbH\n\n-----Ursprüngliche Nachricht-----\nVon: Mail Delivery System <MAILER-DAEMON@mx.me.example>\nAn: alice@me.example\nBetreff: Undelivered Mail Returned to Sender\n\n<bob@gone.example>: host mx.gone.example[192.0.2.1] said: 550 5.1.1\n    <bob@gone.example>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
}

/// Pasted text: a person's mail with its header labels is no bounce; a fake notice
/// pasted below the customer's line is read with its headers and flagged.
#[test]
fn pasted_header_labels_are_the_pasted_mails_headers() {
    let person = "Von: Gerda Holm <gerda.holm@web.de>\nAn: info@baeckerei.example\nBetreff: AW: Ihre Bestellung\n\nIhre Mail kam nicht an, da kam eine Fehlermeldung zurück, dass das Postfach voll war. Bitte nochmal schicken.\n";
    assert_eq!(
        analyze(person.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
    let phish = "Hi, is this from you?\n\nFrom: Mail Delivery System <postmaster@kruse.example>\nSubject: Mail Delivery Failure: (5) Pending Incoming Messages\n\nYou have (5) pending incoming messages that failed to deliver.\n\nRecipient: jana@kruse.example\nStatus: Pending\n\nRelease messages to your inbox: https://kruse.example.mailrelease-portal.click/release?id=jana\n";
    let m = &analyze(phish.as_bytes()).messages[0];
    assert!(
        m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Phishing { .. }))
    );
}

/// A pasted notice whose returned original follows without its marker: the original's
/// header and body lines are no failed recipients.
#[test]
fn a_returned_original_without_its_marker_names_no_recipients() {
    let paste = "This is the mail system at host mout.example.de.\n\n<d@wolter.example>: host mx01.wolter.example[198.51.100.61] said: 550\n    5.1.1 <d@wolter.example>: Recipient address rejected: User unknown\n    (in reply to RCPT TO command)\n\nReturn-Path: <verein@tsv.example>\nReceived: from [10.0.0.12] by mout.example.de (Postfix) with ESMTPSA id 4dN2;\n\tFri, 12 Dec 2025 19:30:41 +0100 (CET)\nFrom: Vorstand <verein@tsv.example>\nTo: d@wolter.example,\n sponsoring@bank.example\nSubject: Einladung\n\nRückmeldung bitte an\nverein@tsv.example oder kasse@tsv.example.\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["d@wolter.example"]);
}

/// German notices name the address in the sentence that says it failed.
#[test]
fn the_address_in_the_failure_sentence_is_the_recipient() {
    let paste = "Ihre Nachricht an marketing@yacht.example konnte nicht zugestellt werden.\nDie Nachricht ist zu groß.\nStatuscode: 550 5.3.4\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "marketing@yacht.example");
    assert_eq!(m.recipients[0].reason, Reason::EmailTooLarge);
}

/// A mail that forwards three notices as attachments gives a message for each.
#[test]
fn each_attached_notice_is_a_message() {
    let notice = |to: &str, reply: &str| {
        format!(
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.de>\nTo: dispo@firma.example\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.de.\n\n<{to}>: host mx.remote.example[192.0.2.9] said: {reply} (in reply to RCPT TO command)\n"
        )
    };
    // The third is base64-encoded, as some clients send attached mails.
    let encoded = "RnJvbTogTWFpbCBEZWxpdmVyeSBTeXN0ZW0gPE1BSUxFUi1EQUVNT05AbXguZXhhbXBsZS5kZT4K\nVG86IGRpc3BvQGZpcm1hLmV4YW1wbGUKU3ViamVjdDogVW5kZWxpdmVyZWQgTWFpbCBSZXR1cm5l\nZCB0byBTZW5kZXIKClRoaXMgaXMgdGhlIG1haWwgc3lzdGVtIGF0IGhvc3QgbXguZXhhbXBsZS5k\nZS4KCjxjQGVuYy5leGFtcGxlPjogaG9zdCBteC5yZW1vdGUuZXhhbXBsZVsxOTIuMC4yLjldIHNh\naWQ6IDU1MiA1LjMuNCBNZXNzYWdlIHRvbyBiaWcgKGluIHJlcGx5IHRvIGVuZCBvZiBEQVRBIGNv\nbW1hbmQpCg==";
    let mail = format!(
        "From: Dispo <dispo@firma.example>\nTo: it@firma.example\nSubject: WG: drei Fehler\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSiehe Anhang.\n\n--b\nContent-Type: message/rfc822\n\n{}\n--b\nContent-Type: message/rfc822\n\n{}\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{encoded}\n--b--\n",
        notice("a@full.example", "552 5.2.2 Mailbox full"),
        notice("b@gone.example", "550 5.1.1 User unknown")
    );
    let got: Vec<(String, Reason)> = analyze(mail.as_bytes())
        .messages
        .iter()
        .flat_map(|m| &m.recipients)
        .map(|r| (r.address.clone(), r.reason))
        .collect();
    assert_eq!(
        got,
        [
            ("a@full.example".to_string(), Reason::MailboxFull),
            ("b@gone.example".to_string(), Reason::UserUnknown),
            ("c@enc.example".to_string(), Reason::EmailTooLarge)
        ]
    );
}

/// A customer's reply that quotes a server's refusal is read as the refusal; a sentence
/// that names the sender before the recipient gives the recipient.
#[test]
fn a_quoted_refusal_in_a_reply_and_the_named_recipient_are_read() {
    let reply = "Von: Klaus <klaus@kunde.example>\nAn: support@provider.example\nBetreff: AW: Ticket 4711\n\nHallo, heute kam wieder das:\n\nDelivery has failed to these recipients or groups:\n\nRemote Server returned '550 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using Spamhaus'\n";
    let m = &analyze(reply.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].reason, Reason::Blocked);
    let sentence = "Ihre Nachricht von klaus@kunde.example an maria@ziel.example konnte nicht zugestellt werden.\nGrund: 550 5.1.1 Benutzer unbekannt\n";
    let m = &analyze(sentence.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "maria@ziel.example");
}

/// A pasted bounce whose returned headers follow without their marker still shows
/// where the message came from (here: never through the user's provider).
#[test]
fn returned_headers_without_a_marker_are_the_original() {
    let paste = "This is the mail system at host mx2.example.ru.\n\n<a@example.ru>: host 127.0.0.1[127.0.0.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\nReturn-Path: <info@seeblick.example>\nReceived: from [45.155.204.117] (unknown [45.155.204.117])\n\tby mx2.example.ru (Postfix) with ESMTP id 9A1B2C3D4E\n\tfor <a@example.ru>; Sun, 16 Nov 2025 23:41:15 +0300\nFrom: Seeblick <info@seeblick.example>\nTo: a@example.ru\nSubject: Your account has pending payout\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let original = m.original.as_ref().expect("returned headers read");
    assert_eq!(
        original.subject.as_deref(),
        Some("Your account has pending payout")
    );
    assert_eq!(
        explain(m, Lang::En).origin.map(|o| o.likely),
        Some("forged_sender")
    );
}

#[test]
fn a_rate_limited_delay_asks_the_provider_to_look_if_it_persists() {
    let notice = "From: MAILER-DAEMON@mail.example.net\nSubject: Delayed Mail (still being retried)\n\nThis is the mail system at host mail.example.net.\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<kunde@gmail.com>: host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. (in reply to end of DATA command)\n";
    let m = &analyze(notice.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].reason, Reason::RateLimited);
    let e = explain(m, Lang::De);
    assert_eq!(e.topic, "delay.ratelimited");
    // Nobody has to act while the server retries; the steps name the provider.
    assert_eq!(e.who, "nobody");
    assert!(
        e.steps.iter().any(|s| s.contains("Anbieter")),
        "{:?}",
        e.steps
    );
    assert!(e.retry);
    assert!(e.headline.contains("gebremst"), "{}", e.headline);
    // Yahoo's deferral for the server's reputation: the same advice, its own words.
    let yahoo = notice.replace(
        "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.",
        "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1",
    );
    let e = explain(&analyze(yahoo.as_bytes()).messages[0], Lang::En);
    assert_eq!(e.topic, "delay.badreputation");
    // Still being tried: nobody has to act yet (the steps say when to tell the provider).
    assert_eq!(e.who, "nobody");
}

#[test]
fn a_pasted_mail_queue_is_read_as_messages_still_waiting() {
    let mailq = "$ mailq\n-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n4F1A22C0E3      2914 Sun Nov 29 09:12:44  info@firma.example\n(host mx.example.org[192.0.2.10] said: 452 4.2.2 <kunde@example.org>: Mailbox full (in reply to RCPT TO command))\n                                         kunde@example.org\n\n-- 3 Kbytes in 1 Request.\n";
    let report = analyze(mailq.as_bytes());
    assert_eq!(report.messages.len(), 1);
    let m = &report.messages[0];
    assert_eq!((m.kind, m.format), (Kind::DelayNotice, "postfix-queue"));
    assert_eq!(explain(m, Lang::En).topic, "delay.mailboxfull");
    // Held (`!`), it waits for the admin, not for the recipient.
    let held = mailq.replace("4F1A22C0E3 ", "4F1A22C0E3!");
    let e = explain(&analyze(held.as_bytes()).messages[0], Lang::De);
    assert_eq!(
        (e.topic.as_str(), e.who),
        ("delay.onhold", "sender_provider")
    );
}

/// Exchange's delay report says only "400 4.4.7 Message delayed"; its text quotes the
/// remote server's real reply, which decides.
#[test]
fn a_delay_placeholder_gives_way_to_the_quoted_reply() {
    let notice = "From: postmaster@firma.example\nTo: chef@firma.example\nSubject: Delivery delayed:Angebot\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nDelivery is delayed to these recipients or groups:\n\nc.ward@example.net\n\nDiagnostic information for administrators:\n\nc.ward@example.net\nRemote server at example-net.mail.protection.outlook.com (203.0.113.151) returned '400 4.4.7 Message delayed'\n3/12/2025 1:04:22 PM - Remote server at example-net.mail.protection.outlook.com (203.0.113.151) returned '451 4.7.500 Server busy. Please try again later from [198.51.100.45]. (S77719) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]'\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mail.firma.example\n\nFinal-Recipient: rfc822;c.ward@example.net\nAction: delayed\nStatus: 4.4.7\nDiagnostic-Code: smtp;400 4.4.7 Message delayed\n\n--b--\n";
    let m = &analyze(notice.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    let r = &m.recipients[0];
    assert_eq!(r.reason, Reason::RateLimited);
    assert!(r.diagnostic.as_deref().unwrap().starts_with("451 4.7.500"));
    // German Exchange puts the quoted reply inside its sentence.
    let german = notice
        .replace("3/12/2025 1:04:22 PM - Remote server at example-net.mail.protection.outlook.com (203.0.113.151) returned '451", "12.03.2025 13:04:22 - Remoteserver unter example-net.mail.protection.outlook.com (203.0.113.151) hat '451")
        .replace("prod.protection.outlook.com]'\n", "prod.protection.outlook.com]' zurückgegeben\n");
    let r = &analyze(german.as_bytes()).messages[0].recipients[0];
    let diagnostic = r.diagnostic.as_deref().unwrap();
    assert!(diagnostic.starts_with("451 4.7.500"), "{diagnostic}");
    assert!(diagnostic.ends_with("outlook.com]"), "{diagnostic}");
}

/// A receiving server's situation (an MX record holding an IP) is about its recipient
/// only; one of the sending side (its IP on a blacklist) is about the whole message.
#[test]
fn only_sending_side_situations_outrank_the_first_recipient() {
    let notice = |second: &str| {
        format!(
            "From: MAILER-DAEMON@mail.example.net\nSubject: Undelivered Mail Returned to Sender\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\n<b@other.example>: {second}\n"
        )
    };
    let topic = |second: &str| {
        let m = &analyze(notice(second).as_bytes()).messages[0];
        assert_eq!(m.recipients.len(), 2);
        explain(m, Lang::En).topic
    };
    assert_eq!(
        topic(
            "Host or domain name not found. Name service error for name=192.0.2.7 type=A: Host not found"
        ),
        "reason.userunknown"
    );
    assert_eq!(
        topic(
            "host mx.other.example[192.0.2.8] said: 554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org (in reply to RCPT TO command)"
        ),
        "situation.server_ip_listed"
    );
}

/// Flattened HTML puts a label and its value on lines of their own: the returned
/// message's sender named there is no failed recipient.
#[test]
fn the_sender_below_its_label_is_no_recipient() {
    let paste = "Your message to info@example.net couldn't be delivered.\ninfo wasn't found at example.net.\n\nOriginal Message Details\nSender Address:\nk.meyer@example.com\nRecipient Address:\ninfo@example.net\nError:\n550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient info@example.net not found by SMTP address lookup\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let got = addresses_and_reasons(m);
    assert_eq!(got, [("info@example.net", Reason::UserUnknown)]);
}

/// A queue listing longer than is read says so.
#[test]
fn a_queue_listing_cut_short_says_so() {
    let mut mailq =
        String::from("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
    for i in 0..10_001 {
        mailq.push_str(&format!(
            "{i:010X}      2914 Sun Nov 29 09:12:44  info@firma.example\n                                         k{i}@example.org\n\n"
        ));
    }
    let report = analyze(mailq.as_bytes());
    assert_eq!(report.messages.len(), 10_000);
    assert!(report.notes.contains(&Note::TooManyMessages));
    let short = mailq.split("0000002710").next().unwrap();
    assert!(analyze(short.as_bytes()).notes.is_empty());
}

/// An export longer than is read says so.
#[test]
fn an_export_cut_short_says_so() {
    let mut csv = String::from("Date,Sender,Recipient,Subject,Status\n");
    for i in 0..100_001 {
        csv.push_str(&format!(
            "{i},a@x.example,r{i}@north.example,News,Delivered\n"
        ));
    }
    let report = analyze(csv.as_bytes());
    assert!(report.notes.contains(&Note::TooManyMessages));
    assert!(report.messages.len() < 100_001);
}

/// A provider's newsletter that quotes notices' subjects is no delay notice; a quota
/// lure from an "administrator" is phishing.
#[test]
fn a_newsletter_quoting_notices_and_a_storage_warning_lure_are_no_notices() {
    let newsletter = "From: Hosting Beispiel <newsletter@hosting.example>\nTo: info@firma.example\nSubject: Wartungsarbeiten am 29.03.\nList-Unsubscribe: <https://news.hosting.example/abmelden?id=1>\n\nGuten Tag,\n\nbeim Versand kann es vorkommen, dass Sie eine Meldung wie \"Delayed Mail (still being retried)\" erhalten.\nViele Rueckläufer entstehen durch volle Postfächer (\"Mailbox full\").\n";
    let m = &analyze(newsletter.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    // A notice a mailing list relays (with its unsubscribe header) is still a notice.
    let relayed = "From: Mail Delivery System <MAILER-DAEMON@lists.example>\nTo: info@firma.example\nSubject: Mail delivery failed: returning message to sender\nList-Unsubscribe: <mailto:leave@lists.example>\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kassier@example.net\n    Unrouteable address\n";
    let m = &analyze(relayed.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    let lure = "From: \"E-Mail Administrator\" <no-reply@speicher.example.net>\nTo: info@firma.example\nSubject: Speicherwarnung: Ihr Postfach info@firma.example ist zu 99 % voll\nContent-Type: text/html; charset=UTF-8\n\n<p>17 eingehende Nachrichten konnten nicht zugestellt werden (550 5.2.2 Mailbox full).</p><p><a href=\"https://firma-example.webmail-upgrade.example.net/owa/login.php\">Speicher jetzt erweitern</a></p>\n";
    let m = &analyze(lure.as_bytes()).messages[0];
    assert!(warns_of_phishing(m), "{:?}", m.warnings);
}

/// Outlook's notice copied from a browser into one line still names each recipient.
#[test]
fn a_flattened_outlook_notice_names_every_recipient() {
    let paste = "Microsoft Outlook Heute, 19:42 Unzustellbar: Rundbrief Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:kassier@example.org (kassier@example.org)Der Server des Empfängers hat Ihre Nachricht nicht angenommen.jugend@example.org (jugend@example.org)Der Server des Empfängers hat Ihre Nachricht nicht angenommen.Diagnoseinformationen für Administratoren:Generierender Server: VI1PR08MB5678.eurprd08.prod.outlook.comkassier@example.orgRemote Server returned '550 5.1.1 The email account that you tried to reach does not exist.'jugend@example.orgRemote Server returned '552 5.2.2 The recipient's inbox is out of storage space.'\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let got = addresses_and_reasons(m);
    assert_eq!(
        got,
        [
            ("kassier@example.org", Reason::UserUnknown),
            ("jugend@example.org", Reason::MailboxFull)
        ]
    );
}

/// Each recipient's address and reason, in order.
fn addresses_and_reasons(m: &Message) -> Vec<(&str, Reason)> {
    m.recipients
        .iter()
        .map(|r| (r.address.as_str(), r.reason))
        .collect()
}

#[test]
fn mdaemon_delay_zoho_activity_block_and_a_french_lure() {
    let mdaemon = "From: MDaemon at mail.firma.example <MDaemon@mail.firma.example>\nTo: anna@firma.example\nSubject: Warning: Temporary Delivery Failure Notice\n\nThe attached message has had transient (non-fatal) delivery errors.\n\nThis is a WARNING message only.  You do NOT need to resend your message.\n\n+--------------------------------------------------------+\n|  The following addresses had transient non-fatal errors  |\n+--------------------------------------------------------+\n\neinkauf@kunde.example\n\n+--------------------------------------------------------+\n|  Transcript of session follows                           |\n+--------------------------------------------------------+\n\nAttempting SMTP connection to [203.0.113.150 : 25]\n* Socket connection failed: connection timed out (10060)\n";
    let m = &analyze(mdaemon.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    let r = &m.recipients[0];
    assert_eq!(
        (r.address.as_str(), r.reason),
        ("einkauf@kunde.example", Reason::NetworkError)
    );
    let diagnostic = r.diagnostic.as_deref().unwrap_or("");
    assert!(!diagnostic.contains('|'), "{diagnostic}");

    let zoho = "From: Mail Delivery <mailer-daemon@zoho.example>\nTo: farah@shop.example\nSubject: Undelivered Mail\n\nThe message to kunde@example.org could not be sent.\nkunde@example.org\n550 5.4.6 Unusual sending activity detected. Please try after sometime.\n";
    let m = &analyze(zoho.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::RateLimited);

    let lure = "From: \"Orange Messagerie\" <info@cabinet.example>\nTo: client@orange.example\nSubject: Votre boîte aux lettres est pleine\n\nVotre boîte de réception a atteint 98 % de sa capacité. Veuillez vérifier votre compte : https://messagerie-verif.example.net/connexion\n";
    let m = &analyze(lure.as_bytes()).messages[0];
    assert!(
        m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Phishing { .. })),
        "{:?}",
        m.warnings
    );
}

#[test]
fn a_log_with_several_outcomes_tells_each_recipient_the_headline_does_not() {
    let log = "Jun 12 08:15:00 mail postfix/qmgr[1123]: 7A2F13E0C41: from=<vorstand@verein.example>, size=24418, nrcpt=4 (queue active)
Jun 12 08:15:01 mail postfix/smtp[21877]: 7A2F13E0C41: to=<a.koller@gmx.example>, relay=mx00.gmx.example[192.0.2.9]:25, delay=1.2, delays=0.1/0.01/0.6/0.5, dsn=5.0.0, status=bounced (host mx00.gmx.example[192.0.2.9] said: 550 Requested action not taken: mailbox unavailable (in reply to RCPT TO command))
Jun 12 08:15:03 mail postfix/smtp[21880]: 7A2F13E0C41: to=<info@bau.example>, relay=mx.bau.example[192.0.2.12]:25, delay=2.9, delays=0.1/0.02/2.1/0.7, dsn=5.7.1, status=bounced (host mx.bau.example[192.0.2.12] said: 554 5.7.1 Service unavailable; Client host [198.51.100.22] blocked using xbl.spamhaus.org (in reply to RCPT TO command))
Jun 12 08:15:04 mail postfix/smtp[21881]: 7A2F13E0C41: to=<kasse@verein.example>, relay=mx.verein.example[192.0.2.20]:25, delay=1.0, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 11AA)
Jun 12 08:15:31 mail postfix/smtp[21879]: 7A2F13E0C41: to=<office@praxis.example>, relay=none, delay=31, delays=0.1/0.01/30/0, dsn=4.4.1, status=deferred (connect to mail.praxis.example[192.0.2.44]:25: Connection timed out)
";
    let m = &analyze(log.as_bytes()).messages[0];
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "situation.server_ip_listed");
    let others = e.others.join("\n");
    assert!(
        others.contains("For a.koller@gmx.example: The recipient's address does not exist."),
        "{others}"
    );
    assert!(!others.contains("info@bau.example"), "{others}");
    assert!(
        others.contains("For kasse@verein.example: delivered."),
        "{others}"
    );
    assert!(
        others.contains("For office@praxis.example (still being retried):"),
        "{others}"
    );
}

#[test]
fn a_login_that_asks_for_replies_elsewhere_is_called_fraud_and_a_bcc_mailing_is_not() {
    let verdict = |original: &str| {
        let m = &analyze(bounce_returning(original).as_bytes()).messages[0];
        let o = explain(m, Lang::En).origin.expect("origin signs");
        (o.likely, o.verdict)
    };
    let login = "Received: from [127.0.0.1] (unknown [102.89.34.217]) (Authenticated sender: info@kunde.example) by mail.kunde.example (Postfix) with ESMTPSA id 4Zr; Sat, 7 Jun 2025 04:18:25 +0200\nFrom: info@kunde.example\nTo: undisclosed-recipients:;\nMessage-ID: <c4f1@kunde.example>\nSubject: Payment Advice\n";
    let fraud = login.replace("Subject:", "Reply-To: payables@mailbox.example\nSubject:");
    let (likely, text) = verdict(&fraud);
    assert_eq!(likely, "account_misuse");
    assert!(text.contains("another domain"), "{text}");
    // Hidden recipients alone, or replies to a helpdesk elsewhere alone: hedged.
    let (likely, text) = verdict(login);
    assert_eq!(likely, "account_misuse");
    assert!(!text.contains("another domain"), "{text}");
    let helpdesk = fraud.replace("To: undisclosed-recipients:;", "To: x@recipient.example");
    assert!(!verdict(&helpdesk).1.contains("another domain"));
    // The empty group marks hidden recipients in any language.
    for group in ["Ungenannte Empfänger:;", "undisclosed-recipients: ;"] {
        let hidden = fraud.replace("undisclosed-recipients:;", group);
        assert!(verdict(&hidden).1.contains("another domain"), "{group}");
    }
}

#[test]
fn exchange_online_returning_the_users_own_message_is_no_forgery() {
    let ndr = "From: Microsoft Outlook <MicrosoftExchange329e@weingut.example>\nTo: Peter <peter@weingut.example>\nSubject: Unzustellbar: Bestellung\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nDie Nachricht konnte nicht zugestellt werden.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;FR3P281MB1523.DEUP281.PROD.OUTLOOK.COM\n\nFinal-Recipient: rfc822;kunde@example.org\nAction: failed\nStatus: 5.1.10\nDiagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n\n--b\nContent-Type: message/rfc822\n\nReceived: from FR3P281MB1523.DEUP281.PROD.OUTLOOK.COM (2603:10a6:d10:4a::9) by\n FR3P281MB1523.DEUP281.PROD.OUTLOOK.COM with Microsoft SMTP Server id\n 15.20.8722.27; Mon, 19 May 2025 06:58:13 +0000\nFrom: Peter <peter@weingut.example>\nTo: kunde@example.org\nSubject: Bestellung\nMessage-ID: <FR3P281MB1523A@FR3P281MB1523.DEUP281.PROD.OUTLOOK.COM>\n\nHallo\n\n--b--\n";
    let m = &analyze(ndr.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    // No sign points anywhere: the message took the user's own way out.
    assert_eq!(explain(m, Lang::En).origin.map(|o| o.likely), None);
}

#[test]
fn other_recipient_lines_name_failures_first_and_agree_with_the_headline() {
    let mut log = String::new();
    for i in 1..=6 {
        log.push_str(&format!("Jun 12 08:15:0{i} mail postfix/smtp[2187{i}]: 7A2F13E0C41: to=<m{i}@verein.example>, relay=mx.verein.example[192.0.2.20]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 11AA)\n"));
    }
    log.push_str("Jun 12 08:16:01 mail postfix/smtp[21890]: 7A2F13E0C41: to=<a.koller@gmx.example>, relay=mx00.gmx.example[192.0.2.9]:25, delay=1.2, delays=0.1/0.01/0.6/0.5, dsn=5.1.1, status=bounced (host mx00.gmx.example[192.0.2.9] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\n");
    log.push_str("Jun 12 08:16:02 mail postfix/smtp[21891]: 7A2F13E0C41: to=<b.huber@web.example>, relay=mx.web.example[192.0.2.10]:25, delay=1.2, delays=0.1/0.01/0.6/0.5, dsn=5.2.2, status=bounced (host mx.web.example[192.0.2.10] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command))\n");
    let e = explain(&analyze(log.as_bytes()).messages[0], Lang::En);
    assert!(
        e.others[0].starts_with("For b.huber@web.example:"),
        "{:?}",
        e.others
    );
    // A receiving server's situation speaks for its other recipients that failed alike.
    let relay = "From: MAILER-DAEMON@mail.firma.example\nTo: anna@firma.example\nSubject: Undelivered Mail Returned to Sender\n\n<bob@kunde.example>: host mx.kunde.example[192.0.2.9] said: 554 5.7.1 <bob@kunde.example>: Relay access denied (in reply to RCPT TO command)\n\n<carl@kunde.example>: host mx.kunde.example[192.0.2.9] said: 554 5.7.1 <carl@kunde.example>: Relay access denied (in reply to RCPT TO command)\n";
    let e = explain(&analyze(relay.as_bytes()).messages[0], Lang::En);
    assert_eq!(e.topic, "situation.recipient_refuses_relay");
    assert!(e.others.is_empty(), "{:?}", e.others);
}

#[test]
fn a_final_notice_about_transient_errors_is_no_delay_and_table_rows_are_read() {
    let final_notice = "From: Mail Delivery System <MAILER-DAEMON@mail.firma.example>\nTo: anna@firma.example\nSubject: Undelivered Mail Returned to Sender\n\nYour message could not be delivered. After repeated transient (non-fatal) errors\nover 5 days the message has been removed from the queue. It will not be retried.\n\n<bob@kunde.example>: connect to mx.kunde.example[192.0.2.9]:25: Connection timed out\n";
    assert_eq!(
        analyze(final_notice.as_bytes()).messages[0].kind,
        Kind::Bounce
    );
    // Final words in the returned message are not the notice's.
    let warning = "From: MAILER-DAEMON@mail.firma.example\nTo: anna@firma.example\nSubject: Delayed Mail (still being retried)\n\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n\n<bob@kunde.example>: connect to mx.kunde.example[192.0.2.9]:25: Connection timed out\n\n--- Below this line is a copy of the message.\n\nFrom: anna@firma.example\nSubject: Paket\n\nThe old order has been removed from the queue and will not be retried.\n";
    assert_eq!(
        analyze(warning.as_bytes()).messages[0].kind,
        Kind::DelayNotice
    );
    let table = "From: Mail Delivery System <MAILER-DAEMON@mx.firma.example>\nTo: anna@firma.example\nSubject: Undelivered Mail Returned to Sender\n\nYour message could not be delivered to the following recipient:\n\nbob@example.org\n| 552 5.2.2 Mailbox full: quota exceeded |\n";
    let r = &analyze(table.as_bytes()).messages[0].recipients[0];
    assert_eq!(
        (r.reason, r.status.as_deref()),
        (Reason::MailboxFull, Some("5.2.2"))
    );
}

#[test]
fn outlooks_german_notice_forwarded_and_googles_event_description_are_read() {
    let forwarded = "From: Klaus <k@fenster.example>\nTo: support@edv.example\nSubject: WG: Unzustellbar: Angebot\n\nHallo, alle Mails nach draußen kommen zurück.\n\n-----Ursprüngliche Nachricht-----\nVon: Systemadministrator\nGesendet: Mittwoch, 19. März 2025 08:12\nAn: angebote@metall.example\nBetreff: Unzustellbar: Angebot\n\nIhre Nachricht hat einige oder alle Empfänger nicht erreicht.\n\n      Betreff:\tAngebot\n      Gesendet am:\t19.03.2025 08:12\n\nFolgende(r) Empfänger kann/können nicht erreicht werden:\n\n      'angebote@metall.example' am 19.03.2025 08:12\n            554 5.7.1 <angebote@metall.example>: Relay access denied\n";
    let m = &analyze(forwarded.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(
        (m.recipients[0].address.as_str(), m.recipients[0].reason),
        ("angebote@metall.example", Reason::NoRelaying)
    );
    let csv = "Message ID,Start date,Sender,Subject,Recipient address,Event status,Event SMTP reply code,Event description\n<a1@mail.example>,2025/03/19 16:40:22 CET,praxis@zahnarzt.example,Rechnung,patient@web.example,Bounced,550,\"550 5.7.1 Email rejected per DMARC policy for zahnarzt.example\"\n";
    let m = &analyze(csv.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::AuthFailure);
}

#[test]
fn mail_sent_through_the_users_own_short_named_provider_is_no_forgery() {
    let notice = "From: MAILER-DAEMON@mx.recipient.example\nTo: ron@att.example\nSubject: Failure Notice\n\nSorry, we were unable to deliver your message to the following address.\n\n<kayla@recipient.example>:\n554: 5.7.1 Message rejected due to local policy\n\n--- Below this line is a copy of the message.\n\nReceived: from [166.205.142.77] by smtp.mail.att.example via HTTP; Thu, 13 Mar 2025 00:41:14 +0000\nFrom: Ron <ron@att.example>\nTo: kayla@recipient.example\nSubject: Photos\n\nSent from my iPhone\n";
    let m = &analyze(notice.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(explain(m, Lang::En).origin.map(|o| o.likely), None);
}

#[test]
fn a_bounce_tells_which_recipients_wait_and_which_were_handed_on() {
    let report = "From: MAILER-DAEMON@mail.firma.example\nTo: anna@firma.example\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nDelivery failed.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.firma.example\n\nFinal-Recipient: rfc822; bob@recv.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\nFinal-Recipient: rfc822; carol@slow.example\nAction: delayed\nStatus: 4.0.0\n\nFinal-Recipient: rfc822; erin@legacy.example\nAction: relayed\nStatus: 2.0.0\n\n--b--\n";
    let e = explain(&analyze(report.as_bytes()).messages[0], Lang::En);
    assert_eq!(
        e.others,
        [
            "For carol@slow.example: not delivered yet; the server is still trying.",
            "For erin@legacy.example: handed on to another system (delivery not confirmed).",
        ]
    );
}

#[test]
fn an_exchange_online_send_external_row_is_a_delivery() {
    let csv = "\"date_time_utc\",\"event_id\",\"message_id\",\"recipient_address\",\"recipient_status\",\"message_subject\",\"sender_address\"\n\"2025-03-19T10:33:42Z\",\"SENDEXTERNAL\",\"<a1@x.prod.outlook.com>\",\"a.wagner@autohaus.example\",\"250 2.0.0 Ok: queued as 4ZK\",\"Bestellung\",\"events@weingut.example\"\n";
    let m = &analyze(csv.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DeliveryReport);
    assert_eq!(m.recipients[0].reason, Reason::Delivered);
}

#[test]
fn a_notice_pasted_as_headers_only_asks_for_its_text() {
    let headers = "Return-Path: <>\nReceived: by mail.firma.example (Postfix) id 4ZK; Thu, 20 Mar 2025 10:55:42 +0100\nFrom: MAILER-DAEMON@mail.firma.example (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender\nTo: k@firma.example\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"4ZK.1742464542/mail.firma.example\"\n";
    let m = &analyze(headers.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    let e = explain(m, Lang::En);
    assert!(e.headline.contains("missing"), "{}", e.headline);
    // An ordinary mail, a cron mail to root and a delivery receipt without text are no
    // failure notices.
    let plain = "From: anna@firma.example\nTo: k@firma.example\nSubject: Hallo\nMessage-ID: <a@firma.example>\n";
    assert_eq!(analyze(plain.as_bytes()).messages[0].kind, Kind::NotABounce);
    let cron = "From: root@server.firma.example (Cron Daemon)\nTo: root@server.firma.example\nSubject: Cron <root@server> /usr/local/bin/backup\nMessage-ID: <c@server.firma.example>\n";
    assert_eq!(analyze(cron.as_bytes()).messages[0].kind, Kind::NotABounce);
    let receipt = headers.replace("Undelivered Mail Returned to Sender", "Zugestellt: Angebot");
    assert_eq!(
        analyze(receipt.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
}

fn only(input: &str) -> Message {
    let mut report = analyze(input.as_bytes());
    assert_eq!(report.messages.len(), 1);
    report.messages.remove(0)
}

fn phishing_signs(m: &Message) -> Option<&Vec<String>> {
    m.warnings.iter().find_map(|w| match w {
        Warning::Phishing { signs } => Some(signs),
        _ => None,
    })
}

/// A person's words about mail trouble, a person's announcement and a quarantine digest
/// are no bounces; a pasted notice without address or code still is one.
#[test]
fn mail_that_only_talks_about_failures_is_no_bounce() {
    let question = "Hallo Frau Weber,\n\nmeine Rechnungen kommen bei zwei Kunden nicht an, bei einem lag sie im Spam-Ordner. Eine Fehlermeldung habe ich nie bekommen.\n\nGruß\nJonas Brandt\n";
    let m = only(question);
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(m.recipients.iter().all(|r| !r.address.is_empty()));

    let announcement = "Return-Path: <it@tierarzt-am-see.example>\nFrom: IT <it@tierarzt-am-see.example>\nTo: team@tierarzt-am-see.example\nSubject: Umzug des Mailservers am Samstag\n\nHallo zusammen,\n\nam Samstag ziehen die Postfaecher um. Mails an euch may be delayed um ein bis zwei Stunden.\nDie Postfachgroesse steigt auf 50 GB, also keine \"mailbox full\" Meldungen mehr.\nFragen an it@tierarzt-am-see.example.\n";
    assert_eq!(only(announcement).kind, Kind::NotABounce);

    let digest = "From: Mail Security <quarantine@secure-gateway.example>\nTo: empfang@praxis-lind.example\nSubject: Quarantine Digest: 3 new messages\n\nThe following 3 messages have been quarantined since your last digest.\n\nnoreply@paket-zoll.example   Your parcel is waiting   Phish (100)\n\nTo release a message, log in to the portal:\nhttps://eu1.proofpointessentials.com/quarantine\n";
    let m = only(digest);
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(
        phishing_signs(&m).is_none(),
        "links only to the service's portal"
    );

    for paste in [
        "Address not found\n\nYour message wasn't delivered because the address couldn't be found, or is unable to receive mail.\n",
        "Nachricht wurde abgelehnt: Die Empfängeradresse existiert nicht.\n",
    ] {
        assert_eq!(only(paste).kind, Kind::Bounce, "{paste}");
    }
}

/// Look-alike provider domains, free web hosts and German attachment lures are signs;
/// a provider's own name under another top-level domain is none.
#[test]
fn provider_look_alikes_and_free_hosts_are_phishing_signs() {
    let fake = "From: Mail Delivery Subsystem <mailer-daemon@gmail-delivery-center.example>\nTo: shop@imkerei-linde.example\nSubject: Delivery Status Notification (Failure)\n\n7 messages sent to shop@imkerei-linde.example were not delivered.\n\n552-5.2.2 The email account that you tried to reach is over quota.\n\nUpgrade your storage and retry delivery now:\nhttps://retry-delivery.web.app/?id=shop@imkerei-linde.example\n";
    let m = only(fake);
    let signs = phishing_signs(&m).expect("phishing");
    assert!(
        signs
            .iter()
            .any(|s| s == "impersonated_sender:gmail-delivery-center.example")
    );
    assert!(signs.iter().any(|s| s.starts_with("free_host_link:")));
    assert_eq!(m.kind, Kind::NotABounce);

    let german = "From: WEB.DE Zustellung <mailer-daemon@webde-postfachdienst.example>\nTo: h.kern@web.de\nSubject: Zustellung fehlgeschlagen\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n3 Nachrichten an h.kern@web.de konnten nicht zugestellt werden. Bitte öffnen Sie bitte den Anhang und bestätigen Sie Ihre Zugangsdaten.\n--b\nContent-Type: text/html; name=\"freigeben.htm\"\nContent-Disposition: attachment; filename=\"freigeben.htm\"\n\n<form></form>\n--b--\n";
    assert!(phishing_signs(&only(german)).is_some());

    let forwarded = "From: Karl Ries <karl.ries@outlook.de>\nTo: support@pc-dienst.example\nSubject: WG: Unzustellbar: Termin\n\nHallo, was heisst das?\n\n-----Ursprüngliche Nachricht-----\nVon: Microsoft Outlook <postmaster@outlook.com>\n\nIhre Nachricht an termin@praxis-ost.example konnte nicht zugestellt werden.\n550 5.1.1 User unknown\n";
    assert!(phishing_signs(&only(forwarded)).is_none());
}

/// A company's own server refused by its relay ("Relay access denied", or a login asked
/// for): the admin of that server has to act, not the recipient.
#[test]
fn an_own_server_refused_by_its_relay_is_the_smarthost_situation() {
    let exchange = "Delivery has failed to these recipients or groups:\n\nbestellung@kartonagen-nord.example\nYour message wasn't delivered because the recipient's email provider rejected it.\n\nDiagnostic information for administrators:\n\nGenerating server: EX01.spedition-falk.local\n\nbestellung@kartonagen-nord.example\nRemote Server at relay.spedition-falk.example (10.1.0.25) returned '554 5.7.1 <bestellung@kartonagen-nord.example>: Relay access denied'\n";
    let nas = "This is the mail system at host nas.buero-kern.lan.\n\n<p.ulrich@statik-ulrich.example>: host mx12.hoster.example[192.0.2.14]\n    said: 530 5.7.0 Authentication required (in reply to MAIL FROM command)\n\nReporting-MTA: dns; nas.buero-kern.lan\n\nFinal-Recipient: rfc822; p.ulrich@statik-ulrich.example\nAction: failed\nStatus: 5.7.0\nRemote-MTA: dns; mx12.hoster.example\nDiagnostic-Code: smtp; 530 5.7.0 Authentication required\n";
    for input in [exchange, nas] {
        let m = only(input);
        let e = explain(&m, Lang::En);
        assert_eq!(e.topic, "situation.smarthost_refuses_relay", "{input}");
        assert_eq!(e.who, "sender_provider");
    }
}

#[test]
fn a_prohibited_attachment_is_the_receivers_policy() {
    let m = only(
        "Delivery has failed to these recipients or groups:\n\neinkauf@hausverwaltung-ost.example\n\nRemote Server returned '550 5.7.1 Die Nachricht wurde abgewiesen, weil sie einen nicht zulässigen Anhang enthält (Angebot.docm).'\n",
    );
    assert_eq!(m.recipients[0].reason, Reason::PolicyViolation);
    assert_eq!(explain(&m, Lang::De).topic, "situation.attachment_blocked");
    assert_eq!(explain(&m, Lang::De).who, "sender");
}

/// A bounce a person forwarded as an attachment is read with its own headers and its own
/// returned message, so "I never sent this" looks at the right sender.
#[test]
fn a_bounce_forwarded_as_attachment_keeps_its_own_headers() {
    let mail = "From: Dana Ruhl <d.ruhl@ruhl-beratung.example>\nTo: support@it-nord.example\nSubject: Fwd: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\nContent-Type: text/plain\n\nDas habe ich nie verschickt!\n\n--outer\nContent-Type: message/rfc822\n\nFrom: MAILER-DAEMON@mx.hoster.example (Mail Delivery System)\nTo: d.ruhl@ruhl-beratung.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"inner\"\n\n--inner\nContent-Type: text/plain\n\n<k.berg@spedition-berg.example>: host mx.spedition-berg.example[192.0.2.7] said:\n    550 5.1.1 User unknown (in reply to RCPT TO command)\n\n--inner\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.hoster.example\n\nFinal-Recipient: rfc822; k.berg@spedition-berg.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--inner\nContent-Type: text/rfc822-headers\n\nReceived: from [198.51.100.20] (unknown [198.51.100.20])\n\t(Authenticated sender: d.ruhl@ruhl-beratung.example)\n\tby mx.hoster.example (Postfix) with ESMTPSA id 4AB12;\n\tMon, 3 Mar 2025 03:12:51 +0100\nFrom: d.ruhl@ruhl-beratung.example\nSubject: Crypto returns 40%\n\n--inner--\n\n--outer--\n";
    let m = only(mail);
    assert_eq!(m.notice.to.as_deref(), Some("d.ruhl@ruhl-beratung.example"));
    let original = m.original.as_ref().expect("returned headers");
    assert_eq!(original.subject.as_deref(), Some("Crypto returns 40%"));
    let origin = explain(&m, Lang::En).origin.expect("origin signs");
    assert_eq!(origin.likely, "account_misuse");
}

/// Review findings: a company whose name merely contains a provider's letters
/// ("webdesign") is no look-alike; links that a security gateway rewrote, or that lead
/// to pages anyone can make on a provider's site, are still phishing links; a login
/// asked for by the recipient's own server is no smarthost of the sender's.
#[test]
fn look_alikes_portals_and_relays_are_not_overreached() {
    let exim = "From: Mail Delivery System <Mailer-Daemon@mail.webdesign-krause.example>\nTo: info@webdesign-krause.example\nSubject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kontakt@baeckerei-rolf.example\n    Unrouteable address\n";
    let m = only(exim);
    assert_eq!(m.kind, Kind::Bounce);
    assert!(phishing_signs(&m).is_none());

    for link in [
        "https://protect-eu.mimecast.com/s/AbCdEfGh?domain=release-mail.example",
        "https://docs.google.com/presentation/d/1abc-release/edit",
    ] {
        let lure = format!(
            "From: Mail Administrator <postmaster@buero-haas.example>\nTo: c.haas@buero-haas.example\nSubject: 5 incoming messages held\n\nYou have 5 incoming messages on hold. Release them here:\n{link}\n"
        );
        assert!(phishing_signs(&only(&lure)).is_some(), "{link}");
    }

    let own_mx = "This is the mail system at host mail.kanzlei-may.example.\n\n<verteiler@moebel-kraft.example>: host mail.moebel-kraft.example[192.0.2.30]\n    said: 530 5.7.1 Client was not authenticated (in reply to RCPT TO command)\n\nReporting-MTA: dns; mail.kanzlei-may.example\n\nFinal-Recipient: rfc822; verteiler@moebel-kraft.example\nAction: failed\nStatus: 5.7.1\nRemote-MTA: dns; mail.moebel-kraft.example\nDiagnostic-Code: smtp; 530 5.7.1 Client was not authenticated\n";
    let e = explain(&only(own_mx), Lang::En);
    assert_ne!(e.topic, "situation.smarthost_refuses_relay");
}

/// Holdout sets J and K: the sender's own domain failing a check, notices in other
/// languages, and the sender's own mailbox named in a notice's text.
#[test]
fn sender_side_checks_and_other_languages() {
    let postfix = |reply: &str| {
        format!(
            "This is the mail system at host mail.weinhandel-ost.example.\n\n<einkauf@gastro-lang.example>: host mx.gastro-lang.example[192.0.2.5] said:\n    {reply} (in reply to MAIL FROM command)\n"
        )
    };
    let unverified = only(&postfix(
        "550 5.1.8 <verkauf@weinhandel-ost.example>: Sender address rejected: Domain not found",
    ));
    let e = explain(&unverified, Lang::De);
    assert_eq!(e.topic, "situation.sender_domain_unverified");
    assert_eq!(e.who, "sender_provider");

    let orange = only(&postfix(
        "550 5.7.1 Adresse IP source bloquee pour cause de spam. OFR004_104 [104]",
    ));
    assert_eq!(orange.recipients[0].reason, Reason::Blocked);
    let nxdomain = only(
        "Remise non réussie\n\njp@laposte.nett\n\nRemote Server returned '550 5.4.310 DNS domain laposte.nett does not exist [Message=InfoDomainNonexistent]'\n",
    );
    assert_eq!(nxdomain.recipients[0].reason, Reason::HostUnknown);

    let russian = "From: MAILER-DAEMON@mail.example.ru\nTo: oleg@stroy.example\nSubject: Задержка доставки письма\nContent-Type: text/plain; charset=utf-8\n\nВаше письмо пока не доставлено.\nПолучатель: anna@kvartira.example\nМы продолжаем попытки доставки.\n";
    assert_eq!(only(russian).kind, Kind::DelayNotice);
    let french = "From: Sophie Marchand <s.marchand@plomberie-nantes.example>\nTo: devis@client.example\nSubject: =?ISO-8859-1?Q?R=E9ponse_automatique_:_Devis?=\nAuto-Submitted: auto-generated\n\nJe suis absente jusqu'au 2 décembre.\n";
    assert_eq!(only(french).kind, Kind::AutoReply);

    let own_mailbox = "Ihre E-Mail konnte nicht versendet werden, da für Ihr E-Mail-Postfach\nvorstand@tsv-handball.example die maximale Anzahl an E-Mails pro Stunde überschritten wurde.\n\nBetroffener Empfänger:\n  jugend@hsg-see.example\n\n554 5.7.1 Outgoing mail rate limit reached for this mailbox\n\n--- Kopfzeilen der Originalnachricht ---\nFrom: Vorstand <vorstand@tsv-handball.example>\nTo: jugend@hsg-see.example\nSubject: Einladung\n";
    let m = only(own_mailbox);
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["jugend@hsg-see.example"]);

    let phish = "From: \"Orange Messagerie\" <notification@serv-mail-orange.example>\nTo: jp@orange.fr\nSubject: =?UTF-8?Q?=C3=89chec_de_la_remise_du_message?=\nContent-Type: text/plain; charset=utf-8\n\nNous n'avons pas pu distribuer 3 messages envoyés depuis votre adresse jp@orange.fr.\nCode d'erreur : 550 5.7.1\nPour les récupérer, connectez-vous ici : https://orange-resynchro.secure-verif.example/fr/login?id=jp\n";
    assert!(phishing_signs(&only(phish)).is_some());
}

/// Review findings: the sender stays a recipient when their own address failed too; a
/// Sendmail reply that names the recipient first and the sender later keeps every
/// recipient; a person's own words above a bounce they forwarded are no phishing lure.
#[test]
fn the_sender_named_in_a_notice_is_kept_or_dropped_for_the_right_reasons() {
    let qmail = "Hi. This is the qmail-send program at mail.praxis-nord.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<bob@remote.example>:\nRemote host said: 550 5.1.1 <bob@remote.example>: Recipient address rejected: User unknown\n\n<alice@praxis-nord.example>:\nuser is over quota\n\n--- Below this line is a copy of the message.\n\nFrom: Alice <alice@praxis-nord.example>\nTo: bob@remote.example\nCc: alice@praxis-nord.example\nSubject: Bericht\n";
    let m = only(qmail);
    assert_eq!(m.recipients.len(), 2, "{:?}", m.recipients);

    let sendmail = "Your message could not be delivered. The server mx.remote.example responded:\n\n<<< 553 5.1.8 <bob@remote.example>... Domain of sender address alice@new-startup.example does not exist\n<<< 553 5.1.8 <carol@remote.example>... Domain of sender address alice@new-startup.example does not exist\n";
    let addresses: Vec<String> = only(sendmail)
        .recipients
        .into_iter()
        .map(|r| r.address)
        .collect();
    assert_eq!(addresses, ["bob@remote.example", "carol@remote.example"]);

    let forward = "From: Kai Berg <kai@berg-bau.example>\nTo: support@hoster.example\nSubject: WG: Mail delivery failed\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"o\"\n\n--o\nContent-Type: text/plain\n\nHallo, ich habe schon versucht, mich im Webmail anzumelden. I tried to log in to the webmail too.\n\n--o\nContent-Type: message/rfc822\n\nFrom: Mail Delivery System <Mailer-Daemon@mail.hoster.example>\nTo: kai@berg-bau.example\nSubject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kunde@kunden-gmbh.example\n    Unrouteable address\n\n--o--\n";
    let m = only(forward);
    assert_eq!(m.kind, Kind::Bounce);
    assert!(phishing_signs(&m).is_none());
}

/// Holdout set L: "your mailbox sent spam" lures and links that start like a familiar
/// domain are phishing; a message that went out through the notice's own provider
/// (Google's SMTP relay for a notice from googlemail.com) is no forgery.
#[test]
fn never_sent_lures_and_a_providers_own_relay() {
    let fake = "From: \"Mail Delivery Subsystem\" <postmaster@mail-notice-center.example>\nTo: contact@kerzen-blau.example\nSubject: Undelivered Mail Returned to Sender - 1,247 messages blocked\n\ncontact@kerzen-blau.example has sent 1,247 messages flagged as spam. Outgoing mail from your account has been suspended.\nSecure your mailbox now: https://kerzen-blau.example.com.mailbox-restore.app/secure?id=contact\n";
    let signs = phishing_signs(&only(fake)).cloned().expect("phishing");
    assert!(
        signs.iter().any(|s| s.starts_with("disguised_link:")),
        "{signs:?}"
    );

    let relay = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: empfang@tierarzt-tanne.example\nSubject: Delivery Status Notification (Failure)\n\n<abrechnung@pferdeklinik.example>: host mx.pferdeklinik.example[192.0.2.8] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\nReporting-MTA: dns; googlemail.com\n\nFinal-Recipient: rfc822; abrechnung@pferdeklinik.example\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.pferdeklinik.example\n\n--- Below this line is a copy of the message.\n\nReceived: from SCANNER01 (c-73-154-208-19.hsd1.pa.comcast.net. [73.154.208.19])\n        by smtp-relay.gmail.com with ESMTPS id 6a18sm1830612d6.7;\n        Thu, 06 Feb 2025 09:12:42 -0800 (PST)\nMessage-ID: <67a4ee2a.5d0c0220@mx.google.com>\nFrom: Scanner <empfang@tierarzt-tanne.example>\nTo: abrechnung@pferdeklinik.example\nSubject: Scan\n";
    let m = only(relay);
    let origin = explain(&m, Lang::En).origin.map(|o| o.likely);
    assert_ne!(origin, Some("forged_sender"));
}

/// Third review: a provider's own notice that a mailbox sent spam is no phishing;
/// regional subdomains are no disguise; a forwarding person's words (capitalised, or
/// matching a gapped lure) are not the notice's; a forwarded delay keeps its own
/// headers; a reply naming its recipient twice keeps every recipient; a Russian delay
/// subject is read decoded; an empty group with a space hides recipients too.
#[test]
fn third_review_findings() {
    let ionos = "From: IONOS <kundenservice@ionos.de>\nTo: info@baeckerei-rolf.example\nSubject: =?UTF-8?Q?Spamversand_=C3=BCber_Ihr_Postfach?=\nContent-Type: text/plain; charset=utf-8\n\nÜber Ihr Postfach wurden viele Spam-Nachrichten versendet. Um das Postfach zu entsperren, ändern Sie bitte Ihr Passwort:\nhttps://login.ionos.de\n";
    assert!(phishing_signs(&only(ionos)).is_none());

    let regional = "From: Mail Delivery System <MAILER-DAEMON@mail.info.stadtwerke-nord.example>\nTo: info@stadtwerke-nord.example\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mail.info.stadtwerke-nord.example.\n\n<kunde@gmx.example>: host mx.gmx.example[192.0.2.4] said: 550 5.1.1 User unknown\n\nHelp: https://support.info.stadtwerke-nord.example/mail\n";
    assert_eq!(only(regional).kind, Kind::Bounce);

    let forward = |note: &str, subject: &str, body: &str| {
        format!(
            "From: Kai Berg <kai@berg-bau.example>\nTo: support@hoster.example\nSubject: WG: {subject}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"o\"\n\n--o\nContent-Type: text/plain; charset=utf-8\n\n{note}\n\n--o\nContent-Type: message/rfc822\n\nFrom: Mail Delivery System <Mailer-Daemon@mail.hoster.example>\nTo: kai@berg-bau.example\nSubject: {subject}\n\n{body}\n--o--\n"
        )
    };
    let failed = "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kunde@kunden-gmbh.example\n    Unrouteable address\n";
    for note in [
        "Öffnen Sie bitte den Anhang, dort steht die Fehlermeldung.",
        "Bitte bestätigen Sie mir, dass meine Zugangsdaten noch stimmen.",
    ] {
        let m = only(&forward(
            note,
            "Mail delivery failed: returning message to sender",
            failed,
        ));
        assert!(phishing_signs(&m).is_none(), "{note}");
    }
    let delayed = "This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mail.hoster.example.\n\n  kunde@kunden-gmbh.example\n    Connection timed out\n\nNo action is required on your part. Delivery attempts will continue.\n";
    let m = only(&forward(
        "Was heißt das?",
        "Warning: message 1tXy-0005 delayed 24 hours",
        delayed,
    ));
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.notice.to.as_deref(), Some("kai@berg-bau.example"));

    let twice = "Your message could not be delivered. The server mx.remote.example responded:\n\n550 5.1.1 <bob@remote.example>: Recipient address rejected: bob@remote.example does not exist\n550 5.1.1 <carol@remote.example>: Recipient address rejected: carol@remote.example does not exist\n";
    assert_eq!(only(twice).recipients.len(), 2);

    let russian = "From: MAILER-DAEMON@mail.example.ru\nTo: oleg@stroy.example\nSubject: =?UTF-8?B?0JfQsNC00LXRgNC20LrQsCDQtNC+0YHRgtCw0LLQutC4INC/0LjRgdGM0LzQsA==?=\nContent-Type: text/plain; charset=utf-8\n\nПолучатель: anna@kvartira.example\n451 4.4.1 Connection timed out\n";
    assert_eq!(only(russian).kind, Kind::DelayNotice);
}

/// A big provider's own quota warning in its language, linking only to its own site, is
/// no phishing, although it urges the reader to log in.
#[test]
fn a_providers_own_quota_warning_is_no_phishing() {
    let orange = "From: Messagerie Orange <ne-pas-repondre@orange.fr>\nTo: jp.lucas@orange.fr\nSubject: Votre boîte aux lettres est pleine\nContent-Type: text/plain; charset=utf-8\n\nBonjour,\nvotre boîte aux lettres est pleine à 95 %. Connectez-vous pour supprimer les messages dont vous n'avez plus besoin : https://mail.orange.fr\n";
    assert!(phishing_signs(&only(orange)).is_none());
}

/// An Exchange Online notice in German about a domain that does not exist names its
/// recipient, although its advice mentions the "@" sign alone.
#[test]
fn a_missing_domain_in_german_names_recipient_and_reason() {
    let paste = "Ihre Nachricht an info@optics-hes.example konnte nicht zugestellt werden.\nDie Domäne optics-hes.example existiert nicht.\n\nSo beheben Sie das Problem\nDie Domäne (der Teil der E-Mail-Adresse nach dem @-Zeichen) ist möglicherweise falsch geschrieben oder existiert nicht.\n\nStatuscode: 550 5.4.310\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "info@optics-hes.example");
    assert_eq!(m.recipients[0].reason, Reason::HostUnknown);
}

/// Replies whose words name a more specific cause than their program or code.
#[test]
fn specific_words_decide_over_the_program_that_answered() {
    for (reply, want) in [
        ("x-unix; maildrop: maildir over quota.", Reason::MailboxFull),
        (
            "host mail.holiday.example [192.0.2.88] Connection refused",
            Reason::NetworkError,
        ),
        (
            "554 5.7.1 Die E-Mail wurde abgewiesen, da sie einen unzulaessigen Dateianhang enthaelt",
            Reason::PolicyViolation,
        ),
    ] {
        let paste = format!(
            "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: {reply}\n"
        );
        let m = &analyze(paste.as_bytes()).messages[0];
        assert_eq!(m.recipients[0].reason, want, "{reply}");
    }
}

/// Fake list and newsletter-service notices: a link named like the reader's domain on
/// another site, a look-alike of the service's domain, and the words that urge.
#[test]
fn fake_list_and_newsletter_notices_are_phishing() {
    let mailman = "From: \"Mailman List Administrator\" <mailman-noreply@notify.lists-admin.example>\nTo: carla@tennisclub-lahr.example\nSubject: Your membership in the mailing list Club-Info has been disabled\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<p>Your membership has been disabled due to excessive bounces.</p><p>To re-enable it, please confirm your mailbox password below:</p><p><a href=\"https://tennisclub-lahr.mailbox-reactivate.example/confirm?u=carla\">RE-ENABLE</a></p>\n";
    let chimp = "From: \"Mailchimp Compliance\" <compliance@mc-alerts.example>\nTo: info@shop.example\nSubject: Action required: Your Mailchimp account has been suspended (high bounce rate)\n\nYour latest campaign had a bounce rate of 18%.\n\nBounced addresses: 412\n\nYou must verify your account ownership within 48 hours:\n\nhttps://login.mailchimp.com.account-review.example/verify?acct=shop\n";
    for mail in [mailman, chimp] {
        let m = &analyze(mail.as_bytes()).messages[0];
        assert_eq!(m.kind, Kind::NotABounce, "{mail}");
        assert!(
            m.warnings
                .iter()
                .any(|w| matches!(w, Warning::Phishing { .. })),
            "{mail}"
        );
    }
}

/// A returned message that a big provider's outgoing server handed on came from an
/// account there, perhaps the user's: no "it never passed your provider" verdict.
#[test]
fn mail_from_a_big_providers_outgoing_server_is_not_called_forged() {
    let mail = "From: MAILER-DAEMON@mail.holiday-flats.example (Mail Delivery System)\nTo: kontakt@family.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n<helpdesk@holiday-flats.example>: Command died with status 126\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.holiday-flats.example\n\nFinal-Recipient: rfc822; helpdesk@holiday-flats.example\nAction: failed\nStatus: 5.3.0\nDiagnostic-Code: x-unix; Permission denied\n\n--B\nContent-Type: message/rfc822\n\nReceived: from mout.kundenserver.de (mout.kundenserver.de [212.227.126.131])\n\tby mail.holiday-flats.example (Postfix) with ESMTPS id 4T8q\n\tfor <helpdesk@holiday-flats.example>; Thu, 11 Jan 2024 19:52:05 +0100\nFrom: Family <kontakt@family.example>\nTo: helpdesk@holiday-flats.example\nSubject: Heating\nMessage-ID: <0b5d@family.example>\n\nThe heating is cold.\n\n--B--\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    let e = explain(m, Lang::En);
    assert!(e.origin.is_none(), "{:?}", e.origin);
}

/// An automatic reply that the address is no longer read and names a new one: the
/// sender has to send again.
#[test]
fn an_auto_reply_that_the_address_is_gone_asks_the_sender_to_resend() {
    let mail = "From: info@physio.example\nTo: k@client.example\nSubject: Automatische Antwort: Termin\nAuto-Submitted: auto-replied\n\nDiese E-Mail-Adresse wird nicht mehr betreut. Ihre Nachricht wird nicht gelesen.\nBitte senden Sie Ihre Nachricht erneut an: praxis@physio-neu.example\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::HasMoved);
    assert_eq!(explain(m, Lang::De).who, "sender");
}

/// A pasted notice whose From label folds its address onto the next line: that
/// address is the notice's sender, no recipient.
#[test]
fn a_folded_from_label_in_a_paste_names_no_recipient() {
    let paste = "Quick question from the list owner. Every copy to one provider comes back.\nPasted the error below:\n\nDate:    Sun, 20 Oct 2024 18:44:09 +0200\nFrom:    \"L-Soft list server at LISTS.CLUB.EXAMPLE (17.0)\"\n         <LISTSERV@LISTS.CLUB.EXAMPLE>\nSubject: Message not delivered\n\nThe enclosed message could not be delivered to the following recipient:\n\n  rainer@garage.example\n\n  550 5.7.509 Access denied, sending domain [YAHOO.COM] does not pass DMARC verification\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["rainer@garage.example"]);
}

/// Exchange Online's own codes, in a report whose only server is Microsoft's, are read
/// with Microsoft's meaning: a group that takes no outside senders is the receiving
/// side's rule, not a login the sender lacks.
#[test]
fn exchange_onlines_own_codes_count_without_a_remote_server() {
    let ndr = |status: &str, diagnostic: &str| {
        format!(
            "From: Microsoft Outlook <postmaster@firm.example>\nTo: a@sender.example\nSubject: Undeliverable: Hi\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nYour message to members@firm.example couldn't be delivered.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;AS8PR04MB8840.eurprd04.prod.outlook.com\n\nFinal-Recipient: rfc822;members@firm.example\nAction: failed\nStatus: {status}\nDiagnostic-Code: smtp;{status} {diagnostic}\n\n--B--\n"
        )
    };
    for (status, diagnostic, reason, who) in [
        (
            "5.7.133",
            "RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required",
            Reason::PolicyViolation,
            "recipient",
        ),
        (
            "5.4.312",
            "DNS query failed [Message=ServerFailure]",
            Reason::NetworkError,
            "recipient_provider",
        ),
        (
            "5.7.506",
            "Access Denied, Bad HELO/EHLO [EX2016.firm.intern]",
            Reason::Blocked,
            "sender_provider",
        ),
    ] {
        let mail = ndr(status, diagnostic);
        let m = &analyze(mail.as_bytes()).messages[0];
        assert_eq!(m.recipients[0].reason, reason, "{diagnostic}");
        assert_eq!(explain(m, Lang::En).who, who, "{diagnostic}");
    }
}

/// The sender's own daily sending limit is the sender's to wait out; a relay that the
/// sending server failed to log in to is the sending side's to fix.
#[test]
fn own_sending_limits_and_failed_relay_logins_are_the_sending_sides() {
    let topic = |reply: &str| {
        let paste = format!(
            "Delivery to the following recipient failed permanently:\n\n     a@b.example\n\nThe response was:\n\n{reply}\n"
        );
        let m = &analyze(paste.as_bytes()).messages[0];
        let e = explain(m, Lang::En);
        (e.topic, e.who)
    };
    assert_eq!(
        topic("550 5.4.5 Daily user sending limit exceeded."),
        ("situation.sending_limit_reached".to_string(), "sender")
    );
    assert_eq!(
        topic(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
        ),
        (
            "situation.smarthost_refuses_relay".to_string(),
            "sender_provider"
        )
    );
    assert_eq!(
        topic(
            "SASL authentication failed; server smtp.provider.example[192.0.2.7] said: 535 5.7.8 Authentication credentials invalid"
        ),
        (
            "situation.smarthost_refuses_relay".to_string(),
            "sender_provider"
        )
    );
}

/// A server that refused the connection itself is a network problem, not a blacklist.
#[test]
fn a_refused_connection_is_no_blacklist() {
    for reply in [
        "The recipient server did not accept our requests to connect. [mx.joinery.example. 192.0.2.213: connection refused]",
        "400 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.hotel.example]",
    ] {
        let paste = format!(
            "Delivery to a@joinery.example is delayed.\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@joinery.example\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: smtp; {reply}\n"
        );
        let m = &analyze(paste.as_bytes()).messages[0];
        assert_eq!(m.recipients[0].reason, Reason::NetworkError, "{reply}");
    }
}

/// A bounce a person forwarded as a saved `.eml` file, sent as a plain binary
/// attachment, is read as the bounce it holds.
#[test]
fn a_bounce_forwarded_as_an_eml_file_is_read() {
    let bounce = "From: MAILER-DAEMON@mail.sender.example (Mail Delivery System)\r\nTo: carla@sender.example\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\n<kim@shop.example>: host mx.shop.example[192.0.2.4] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\r\n";
    let encoded = base64_lines(bounce.as_bytes());
    let mail = format!(
        "From: Carla <carla@sender.example>\r\nTo: support@hoster.example\r\nSubject: Fwd: my mails come back\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"X\"\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nMy mails come back, see the attachment.\r\n\r\n--X\r\nContent-Type: application/octet-stream; name=\"Undelivered Mail Returned to Sender.eml\"\r\nContent-Disposition: attachment; filename=\"Undelivered Mail Returned to Sender.eml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--X--\r\n"
    );
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].address, "kim@shop.example");
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
}

/// Base64 in lines of 76 characters, as mail programs write it.
fn base64_lines(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ABC[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A chat about mail settings that says nothing bounced is no bounce, although it talks
/// of rejections and SPF.
#[test]
fn a_chat_saying_nothing_bounced_is_no_bounce() {
    let chat = "Marco  4:03 PM\nnothing bounced so far as far as I know, just want to be safe before the newsletter goes out\nSophie  4:10 PM\nif the newsletter tool sends as @atelier.example you need to add it to the SPF record, otherwise some providers will reject with a 550 and Gmail will be strict about DMARC\n";
    let m = &analyze(chat.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    // Said without the denial, it is a (thin) notice of a failure.
    let said = chat.replace("nothing bounced", "it bounced");
    assert_eq!(analyze(said.as_bytes()).messages[0].kind, Kind::Bounce);
}

/// Inputs a review of the changes above found misread, each with what it must give.
#[test]
fn inputs_a_review_found_misread() {
    let read = |name: &str| analyze(&fixture(&format!("review/{name}")));
    let first = |name: &str| {
        let r = read(name);
        let m = &r.messages[0];
        let rcpt = m
            .recipients
            .first()
            .map(|r| (r.address.clone(), r.reason))
            .unwrap_or_default();
        (m.kind, rcpt.0, rcpt.1)
    };
    // A header line naming amavisd does not make a bounce a log.
    assert_eq!(
        first("exim_amavis.txt"),
        (
            Kind::Bounce,
            "petra.lang@praxis.example".into(),
            Reason::MailboxFull
        )
    );
    // A bounce forwarded in an East Asian charset keeps its text.
    assert_eq!(first("euckr_ascii_forwarded.eml").2, Reason::UserUnknown);
    // An indented paste, and an "Absender:" line without an address above the
    // recipient's label, are read.
    assert_eq!(first("indented_paste.txt").1, "anna@shop.example");
    assert_eq!(first("absender_only.txt").1, "anna@shop.example");
    // Two bounces forwarded as .eml files are two messages.
    assert_eq!(read("two_eml_octet.eml").messages.len(), 2);
    // "not found on host", "absorbs" and "not listed in names.nsf" name no block list.
    for name in ["bl_found_on.txt", "bl_sorbs.txt", "bl_listed_in.txt"] {
        let r = read(name);
        assert!(r.messages[0].recipients[0].blocklist.is_none(), "{name}");
    }
    assert_eq!(first("bl_listed_in.txt").2, Reason::UserUnknown);
    // A remote server's standard 5.1.8 in a Microsoft notice keeps its own meaning.
    assert_eq!(first("o365_remote_518.txt").2, Reason::Rejected);
    // A vacation reply that says the mail will not be read during the absence.
    assert_eq!(first("vacation_en.eml").2, Reason::Vacation);
    let topic = |name: &str| explain(&read(name).messages[0], Lang::En).topic;
    // A hosted recipient domain's MX asking for a login, and a domain that merely ends
    // like a big provider's, are the recipient's side.
    assert_eq!(
        topic("relay_sendmail_auth.eml"),
        "situation.recipient_refuses_relay"
    );
    assert_eq!(
        topic("relay_gartenweb.eml"),
        "situation.recipient_refuses_relay"
    );
    // A company's own SharePoint is no disguised link.
    assert_eq!(topic("sharepoint_quota.eml"), "kind.not_a_bounce");
    // Backscatter through the recipient's own Proofpoint gateway is still forged.
    let m = &read("origin_pphosted_2.eml").messages[0];
    let origin = explain(m, Lang::En).origin.map(|o| o.likely);
    assert_eq!(origin, Some("forged_sender"));
    // Log lines read through '>' quoting point at no wrong bytes.
    let r = read("quoted_log.txt");
    assert!(r.messages.iter().all(|m| m.evidence.is_empty()));
}

/// Inputs a second review found misread after the first round of fixes.
#[test]
fn inputs_a_second_review_found_misread() {
    let read = |name: &str| analyze(&fixture(&format!("review/{name}")));
    let recipients = |name: &str| -> Vec<(String, Reason)> {
        read(name)
            .messages
            .iter()
            .flat_map(|m| m.recipients.iter().map(|r| (r.address.clone(), r.reason)))
            .collect()
    };
    // Logs found with grep, with a signature below, and qmail's TAI64N stamps.
    for name in ["log3_grep.txt", "log3_signature.txt", "qmail_tai3.txt"] {
        let got = recipients(name);
        assert_eq!(
            got.first(),
            Some(&("tom@garden.example".to_string(), Reason::Delivered)),
            "{name}"
        );
        assert!(got.len() >= 2, "{name}");
    }
    // A provider's own small codes still mean what it says (Microsoft 5.7.12, Gmail's
    // daily limit 5.4.5).
    assert_eq!(recipients("o365_5712.txt")[0].1, Reason::PolicyViolation);
    assert_eq!(recipients("gmail_limit.eml")[0].1, Reason::RateLimited);
    // A block list outside the registry named after "listed at".
    let m = &read("bl_ips.backscatterer.org.txt").messages[0];
    assert!(m.recipients[0].blocklist.is_some());
    // An address no longer active: the person has left.
    assert_eq!(recipients("left_de_aktiv.eml")[0].1, Reason::HasMoved);
    // Denials a few words before the statement.
    for name in ["chat_none.txt", "chat_de_keine.txt"] {
        assert_eq!(read(name).messages[0].kind, Kind::NotABounce, "{name}");
    }
    // Of two address cells in a copied table row, the recipient's is the last.
    assert_eq!(
        recipients("table_sender_first.txt")[0].0,
        "anna@shop.example"
    );
    // Big providers' foreign domains, and a server merely ending like one.
    let topic = |name: &str| explain(&read(name).messages[0], Lang::En).topic;
    for name in ["relay_hotmail.co.uk.eml", "relay_web.de_via_stadtweb.eml"] {
        assert_eq!(topic(name), "situation.smarthost_refuses_relay", "{name}");
    }
    // A Workspace sender's own hop (no "from") is no forgery.
    let m = &read("origin_workspace.eml").messages[0];
    assert!(explain(m, Lang::En).origin.is_none());
    // A person's own saved mail attached to their question is no returned original.
    let m = &read("eml_ordinary_received.eml").messages[0];
    assert!(
        m.recipients
            .iter()
            .all(|r| r.address != "j.eckert@carpentry.example")
    );
    // A To header folded over three lines keeps the Subject and Date below it.
    let m = &read("paste_folded_to.txt").messages[0];
    assert!(m.notice.date.is_some());
}

/// (address, reason) of every recipient of every message read from `input`.
fn all_recipients(input: &str) -> Vec<(String, Reason)> {
    analyze(input.as_bytes())
        .messages
        .iter()
        .flat_map(|m| m.recipients.iter().map(|r| (r.address.clone(), r.reason)))
        .collect()
}

#[test]
fn a_trace_export_takes_the_failure_pasted_below_it() {
    let export = "\"Received\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"MessageId\"\n\
        \"21.10.2024 13:05:44\",\"info@optik.example\",\"termin@akustik.example\",\"Brille\",\"Delivered\",\"<a1@optik.example>\"\n\
        \"21.10.2024 13:05:44\",\"info@optik.example\",\"p.baum@t-online.example\",\"Brille\",\"Failed\",\"<a1@optik.example>\"\n\n\
        Detail für den zweiten Empfänger:\n\
        Fail  Reason: [{LED=550 5.1.1 <p.baum@t-online.example>: Recipient address rejected: User unknown};{MSG=}]\n";
    assert_eq!(
        all_recipients(export),
        [
            ("termin@akustik.example".to_string(), Reason::Delivered),
            ("p.baum@t-online.example".to_string(), Reason::UserUnknown)
        ]
    );
}

#[test]
fn a_message_id_under_its_label_is_no_recipient() {
    let trace = "Message trace details\nSender: sabine@kanzlei.example\n\
        Recipient: sabine.privat@gmx.example\nMessage ID: <FR2P281MB1573@FR2P281MB1573.DEUP281.PROD.OUTLOOK.COM>\n\
        Status: Failed\n\n14.05.2024, 09:31\tFail\tReason: [{LED=550 5.7.520 Access denied, Your organization \
        does not allow external forwarding.};{MSG=}]\n";
    let addresses: Vec<String> = all_recipients(trace).into_iter().map(|(a, _)| a).collect();
    assert_eq!(addresses, ["sabine.privat@gmx.example"]);
}

#[test]
fn a_forwarding_to_a_dead_address_is_the_recipients_to_fix() {
    let notice = "From: MAILER-DAEMON@mail.kanzlei.example\nTo: anna@kanzlei.example\n\
        Subject: Undelivered Mail Returned to Sender\n\n\
        This is the mail system at host mail.kanzlei.example.\n\n\
        <s.hartmann1968@gmx.example> (expanded from <sabine@praxis-hartmann.example>): host\n\
        \x20   mx00.gmx.example[192.0.2.8] said: 550 Requested action not taken: mailbox\n\
        \x20   unavailable (in reply to RCPT TO command)\n";
    let m = analyze(notice.as_bytes()).messages.remove(0);
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
    let e = explain(&m, Lang::En);
    assert_eq!(
        (e.topic.as_str(), e.who),
        ("situation.forward_target_gone", "recipient")
    );
}

#[test]
fn a_reply_pasted_below_an_open_log_line_and_a_flattened_rows_empty_cell_are_kept() {
    let log = "Jan 30 12:44:09 web4 postfix/smtp[22019]: 41F7E8A1C3: to=<a@kunde.example>, \
        relay=mx.kunde.example[192.0.2.5]:25, dsn=5.7.1, status=bounced (host mx.kunde.example[192.0.2.5] \
        said: 554 5.7.1 Client host blocked using zen.spamhaus.org (in reply to RCPT TO command))\n\
        Jan 30 12:44:10 web4 postfix/smtp[22019]: warning: TLS library problem: error:0A000086:SSL \
        routines::certificate verify failed:\n\
        550 5.1.1 <verkauf@autohaus.example>: Recipient address rejected: User unknown\n";
    let addresses: Vec<String> = all_recipients(log).into_iter().map(|(a, _)| a).collect();
    assert!(
        addresses.contains(&"verkauf@autohaus.example".to_string()),
        "{addresses:?}"
    );
    let trace = "Date (UTC+01:00)\nSubject\nSender\nRecipient\nStatus\n\n21.01.2025 16:47\n\n\
        m.fuchs@kaelte.example\neinkauf@holzbau.example\nFailed\n\n\
        Reason: [{LED=550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup}]\n";
    let addresses: Vec<String> = all_recipients(trace).into_iter().map(|(a, _)| a).collect();
    assert_eq!(addresses, ["einkauf@holzbau.example"]);
}

#[test]
fn a_parcel_or_bank_notification_with_a_login_link_is_no_fake_notice() {
    let parcel = "From: Paket Nordost <info@paket-nordost.example>\nTo: jo@mail.example\n\
        Subject: Delivery Notification: Your parcel 1Z84F7310 arrives tomorrow\n\n\
        Log in to see the time window: https://kundenportal.paket-nordost.example/login?next=track\n";
    let m = analyze(parcel.as_bytes()).messages.remove(0);
    assert!(
        m.warnings
            .iter()
            .all(|w| !matches!(w, Warning::Phishing { .. }))
    );
}

#[test]
fn a_log_line_wrapped_inside_its_parenthesis_keeps_the_reply_that_follows() {
    let log = "May 26 16:44:09 gw postfix/smtp[811]: 4VxT1: to=<anfrage@gaertnerei.example>,\n\
        relay=smtp.isp.example[192.0.2.9]:587, dsn=5.7.1, status=bounced (host smtp.isp.example[192.0.2.9] said:\n\
        554 5.7.1 <anfrage@gaertnerei.example>: Relay access denied (in reply to RCPT TO command))\n";
    let m = analyze(log.as_bytes()).messages.remove(0);
    assert_eq!(m.format, "postfix-log");
    assert_eq!(m.recipients[0].reason, Reason::NoRelaying);
}

#[test]
fn a_forwarded_automatic_reply_names_the_person_who_replied() {
    let attached = "From: Marco <marco@example.de>\nTo: Lisa <lisa@example.de>\nSubject: WG: Automatische Antwort: Angebot\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nZur Info.\n\n--b\nContent-Type: message/rfc822\n\nFrom: Petra Lange <petra@example.org>\nTo: Marco <marco@example.de>\nSubject: Automatische Antwort: Angebot\nAuto-Submitted: auto-replied\n\nIch bin bis zum 24. März nicht im Büro.\n\n--b--\n";
    let inline = "From: Owen <owen@example.co.uk>\nTo: Accounts <accounts@example.co.uk>\nSubject: Fwd: Automatic reply: Spring order\n\nDaniel's gone.\n\nBegin forwarded message:\n\n> From: Daniel Reeve <daniel@example.net>\n> Subject: Automatic reply: Spring order\n>\n> I left the company on 28 February and this mailbox is no longer monitored.\n";
    for (text, who, reason) in [
        (attached, "petra@example.org", Reason::Vacation),
        (inline, "daniel@example.net", Reason::HasMoved),
    ] {
        let m = &analyze(text.as_bytes()).messages[0];
        assert_eq!(m.kind, Kind::AutoReply);
        assert_eq!(m.recipients[0].address, who);
        assert_eq!(m.recipients[0].reason, reason);
    }
}

#[test]
fn an_encoded_subject_reads_like_a_plain_one() {
    // The forward's subject, encoded (RFC 2047) as mail programs do for umlauts.
    let forward = "From: Jörg <joerg@example.de>\nTo: Lisa <lisa@example.de>\nSubject: =?utf-8?Q?WG:_Automatische_Antwort:_Gr=C3=BC=C3=9Fe?=\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nZur Info.\n\n--b\nContent-Type: message/rfc822\n\nFrom: Petra Lange <petra@example.org>\nTo: Jörg <joerg@example.de>\nSubject: Automatische Antwort: Grüße\nAuto-Submitted: auto-replied\n\nIch bin bis zum 24. März nicht im Büro.\n\n--b--\n";
    let m = &analyze(forward.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    assert_eq!(m.recipients[0].address, "petra@example.org");
    // An automatic reply with an encoded subject that quotes a notice below its own
    // words is that reply, not the quoted notice.
    let reply = "From: Petra Lange <petra@example.org>\nTo: joerg@example.de\nSubject: =?utf-8?B?QXV0b21hdGlzY2hlIEFudHdvcnQ6IFLDvGNrZnJhZ2U=?=\nAuto-Submitted: auto-replied\n\nIch bin bis zum 24. März nicht im Büro.\n\n-----Ursprüngliche Nachricht-----\nVon: Mail Delivery System <MAILER-DAEMON@mx.example.de>\nBetreff: Undelivered Mail Returned to Sender\n\n<kunde@example.net>: host mx.example.net[192.0.2.7] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n";
    let m = &analyze(reply.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    assert_eq!(m.recipients[0].address, "petra@example.org");
}

#[test]
fn replies_and_forwards_that_only_mention_an_automatic_reply() {
    let reply = "From: Tobias <tobias@example.de>\nTo: Anna <anna@example.de>\nSubject: AW: WG: Automatische Antwort: Bestellung 118\n\nDanke, ich rufe ihn an.\n";
    let forward = "From: Anna <anna@example.de>\nTo: Tobias <tobias@example.de>\nSubject: WG: Bestellung 118 - Lieferung Freitag\n\nSiehe unten.\n\nVon: Max <max@example.org>\nBetreff: Automatische Antwort: Bestellung 118\n\nIch bin im Urlaub.\n";
    let jubilee =
        "Liebe Kunden,\n\nwegen unserer 450-Jahr-Feier bleibt das Büro am Freitag geschlossen.\n";
    for text in [reply, forward, jubilee] {
        let m = &analyze(text.as_bytes()).messages[0];
        assert_eq!(m.kind, Kind::NotABounce, "{text}");
    }
}

/// Notices as mail apps on phones show them when copied: the recipient wrapped onto the
/// next line, Exchange's "Name (address)" list, the buttons below, an automatic reply
/// with its subject and sender on lines of their own.
#[test]
fn notices_copied_from_mail_apps() {
    let wrapped = "Nachricht zu groß\n\nDeine Nachricht an\nvorstand@kegelclub.example konnte nicht zugestellt werden,\nda sie die Größenbeschränkung überschreitet.\n\nDie Antwort war:\n\n552 5.3.4 Error: message file too big\n\nAntworten     Weiterleiten\n";
    let m = &analyze(wrapped.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "vorstand@kegelclub.example");
    assert_eq!(m.recipients[0].reason, Reason::EmailTooLarge);
    let delayed = "Delivery delayed: Rota\n\nMicrosoft Outlook\nTo: Joan Pike\n\nDelivery is delayed to these recipients or groups:\n\nMartin Lowe (mlowe@harbourtrust.example)\n\nSubject: Rota\n\nThis message hasn't been delivered yet. Delivery will continue to be attempted.\n\nShow more\n";
    let m = &analyze(delayed.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].address, "mlowe@harbourtrust.example");
    let looped = "This is the mail system at host mx.example.net.\n\n<ute@example.net>: mail forwarding loop for\n    ute@example.net\n\nOriginal-Nachricht anzeigen\n";
    let m = &analyze(looped.as_bytes()).messages[0];
    assert_eq!(
        m.recipients[0].diagnostic.as_deref(),
        Some("mail forwarding loop for ute@example.net")
    );
    let auto = "Automatic reply: Invoice 2231\n\nDenise Hart <denise.hart@pottery.example>\nTo: You\n\nThank you for your email. I am out of the office until Monday.\n\nReply     Forward\n";
    let m = &analyze(auto.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    assert_eq!(m.recipients[0].address, "denise.hart@pottery.example");
}

/// What the readings for mail apps' copies must not take: a person's sentence that opens
/// with "Out of office:", a help desk's "Name (address)" below a notice, a contact
/// after an arrow, and a real coded bounce for a company named like a provider.
#[test]
fn copies_from_mail_apps_are_not_overread() {
    let sentence = "Hi Dana,\n\nOut of office: that's what Outlook keeps setting for me even though I turned it off.\nCan you check my account settings?\nThanks, Priya (p.raman@dental.example)\n";
    assert_eq!(
        analyze(sentence.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
    let helpdesk = "Your message did not reach some or all of the intended recipients.\n\nThe message is larger than the size limit of the receiving server and was not delivered.\n\nIf the problem continues, contact the IT service desk:\nService Desk (servicedesk@logistics.example)\n";
    let m = &analyze(helpdesk.as_bytes()).messages[0];
    assert!(m.recipients.iter().all(|r| r.address.is_empty()));
    let arrow = "This is the mail system at host mx.freight.example.\n\n<d.okafor@cargo.example>: host mx.cargo.example[192.0.2.8] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\nQuestions? Write to our mail team:\n-> mailteam@hosting.example\n";
    let m = &analyze(arrow.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["d.okafor@cargo.example"]);
    let coded = "This is the mail system at host mx.shop.example.\n\n<j.reed@outlook-partners.example>: host mx.outlook-partners.example[192.0.2.9] said: 552 5.2.2 Mailbox full - the mailbox is full and cannot accept incoming messages (in reply to RCPT TO command)\n";
    let m = &analyze(coded.as_bytes()).messages[0];
    assert!(phishing_signs(m).is_none());
    assert_eq!(m.recipients[0].reason, Reason::MailboxFull);
}

/// An address the server refused as the sender's is no failed recipient: in a quoted
/// Postfix log line its `to=` is, in Thunderbird's error the recipient it names is.
#[test]
fn a_refused_sender_address_is_no_recipient() {
    let log = "Wir haben folgende Einträge gefunden:\n\n> Nov 21 09:15:33 smtp-out3 postfix/submission/smtpd[30412]: NOQUEUE: reject: RCPT from p5b0c2d41.dip0.t-ipconnect.de[91.12.45.65]: 553 5.7.1 <shop@weinhandel.example>: Sender address rejected: not owned by user bestellung@weinhandel.example; from=<shop@weinhandel.example> to=<m.kessler@kunde.example> proto=ESMTP helo=<shop>\n";
    let m = &analyze(log.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "m.kessler@kunde.example");
    let dialog = "Senden der Nachricht fehlgeschlagen.\nBeim Senden der Nachricht trat ein Fehler auf. Mail-Server antwortete:\n<klaus@web.dee>: Sender address rejected: Domain not found.\nBitte überprüfen Sie den Empfänger \"gerda@familie.example\" und versuchen Sie es erneut.\n";
    let m = &analyze(dialog.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["gerda@familie.example"]);
}

/// The second review of the day: Thunderbird's own words, a login name after a refused
/// sender, a holiday reply that says "I have left the office", and real notices with
/// words that fakes use too.
#[test]
fn the_second_review_of_the_day() {
    let thunderbird = "An error occurred while sending mail. The mail server responded:\n553 5.7.1 <anna@praxis.example>: Sender address rejected: not owned by user info@praxis.example.\nPlease check the message recipient \"t.krause@kanzlei.example\" and try again.\n";
    let m = &analyze(thunderbird.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["t.krause@kanzlei.example"]);
    let holiday = "From: Dan <d.brooks@engineering.example>\nTo: a@b.example\nSubject: Automatic reply: Drawings\nAuto-Submitted: auto-replied\n\nI have left the office for the Christmas break and will return on 6 January.\n";
    let m = &analyze(holiday.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::Vacation);
    let account = "From: IT-Service <it-service@uni.example>\nTo: student@uni.example\nSubject: Ihr Konto wurde gesperrt\n\nIhr Konto wurde nach fünf falschen Anmeldungen gesperrt. Neues Passwort: https://idm.uni.example/password/reset\n";
    let m = &analyze(account.as_bytes()).messages[0];
    assert!(phishing_signs(m).is_none());
    let hoster = "From: MAILER-DAEMON@mail.wolkenhost.example\nTo: praxis@labor.example\nSubject: Nachricht nicht zugestellt\n\nIhre Nachricht an termine@labor-westfalen.example konnte nicht zugestellt werden.\n\nDer Postausgangsserver nimmt Nachrichten nur nach einer Anmeldung an. Bitte prüfen Sie Ihre Kontodaten (Benutzername und Passwort).\n";
    let m = &analyze(hoster.as_bytes()).messages[0];
    assert!(phishing_signs(m).is_none());
    assert_eq!(m.recipients[0].address, "termine@labor-westfalen.example");
}

/// A rule of the sender's own organisation (data-loss prevention, required encryption)
/// is the sender's to meet, not the receiving server's.
#[test]
fn the_senders_own_outgoing_rules() {
    for diagnostic in [
        "554 5.7.1 Outbound message classified as spam by Hornetsecurity Spam Filter Service. Message not relayed.",
        "550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy. DLP policy \"Finanzdaten nicht extern\"",
        "554 5.7.1 Encryption required by policy, but no certificate or key available for recipient",
    ] {
        let text = format!(
            "This is the mail system at host gw.kanzlei.example.\n\n<partner@notariat.example>: {diagnostic}\n"
        );
        let m = &analyze(text.as_bytes()).messages[0];
        let e = explain(m, Lang::De);
        assert_eq!(e.topic, "situation.own_policy_blocks", "{diagnostic}");
        assert_eq!(e.who, "sender");
    }
}

/// Microsoft's real quarantine digest is no bounce; a fake "restricted from sending"
/// notice in Microsoft's name from a look-alike domain is phishing although it quotes
/// Microsoft's real code.
#[test]
fn microsofts_quarantine_digest_and_a_fake_sending_restriction() {
    let digest = "From: Microsoft 365 <quarantine@messaging.microsoft.com>\nTo: einkauf@brauerei.example\nSubject: Microsoft 365 security: You have messages in quarantine\n\n3 Nachrichten befinden sich seit Ihrer letzten Benachrichtigung in Quarantäne.\n\nAbsender: noreply@paketdienst.example\nBetreff: Ihre Sendung konnte nicht zugestellt werden\nFreigeben: https://security.microsoft.com/quarantine?id=7f1c\n";
    let m = &analyze(digest.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(phishing_signs(m).is_none());
    let fake = "From: \"Microsoft 365 Admin Center\" <security-noreply@ms365-accountcenter.example>\nTo: j.moser@haustechnik.example\nSubject: Action required: Your mailbox has been restricted from sending (5.1.8)\nContent-Type: text/html\n\n<p>Your message to a@b.example was not delivered: 550 5.1.8 Access denied, bad outbound sender. Recipient: j.moser@haustechnik.example</p><p><a href=\"https://ms365-accountcenter.example/restore/?u=jm\">Verify and restore sending</a></p>\n";
    let m = &analyze(fake.as_bytes()).messages[0];
    assert!(phishing_signs(m).is_some());
}

/// Exchange's "Sender Address:" broken after "Sender" by re-wrapping names no recipient.
#[test]
fn a_sender_label_broken_by_rewrapping_names_no_recipient() {
    let paste = "Your message to bestellung@fahrradhaus.example couldn't be delivered.\nYou weren't recognized as a valid sender.\nMore Info for Email Admins Status code: 550 5.1.8\nOriginal Message Details Created Date: 11/4/2024 7:51:22 AM Sender\nAddress: w.pernkopf@radsport.example Recipient Address:\nbestellung@fahrradhaus.example Subject: Nachlieferung\nError Details Reported error: 550 5.1.8 Access denied, bad outbound sender.\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["bestellung@fahrradhaus.example"]);
}

/// A data-loss-prevention rule that only reports tells of a message that was delivered.
#[test]
fn a_policy_notice_that_only_reports_is_no_bounce() {
    let mail = "From: Microsoft Outlook <MicrosoftExchange329e@pflegedienst.example>\nTo: pflege@pflegedienst.example\nSubject: Richtlinienbenachrichtigung: Pflegeberichte Oktober\n\nIhre E-Mail-Nachricht steht in Konflikt mit einer Richtlinie in Ihrer Organisation.\n\nDie Nachricht wurde zugestellt.\n\n  Empfänger:    praxis@hausarzt.example\n  Richtlinie:   Gesundheitsdaten - Benachrichtigen\n";
    assert_eq!(analyze(mail.as_bytes()).messages[0].kind, Kind::NotABounce);
}

/// GMX's German notice names the recipient alone between two lines of its sentence.
#[test]
fn a_recipient_alone_inside_the_notices_sentence() {
    let text = "Hallo,\n\ndies ist eine automatisch erstellte Nachricht des GMX Mail-Systems.\n\nIhre Nachricht an\n\n    m.eberle@gmx.example\n\nkonnte nicht zugestellt werden, da das Postfach des Empfängers voll ist.\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "m.eberle@gmx.example");
    assert_eq!(m.recipients[0].reason, Reason::MailboxFull);
}

/// Automatic replies in Swedish, and one that says the person left in words wrapped over
/// two lines.
#[test]
fn automatic_replies_in_other_words() {
    let swedish = "From: Karin <karin@skola.example>\nTo: skjuts@kommun.example\nSubject: Autosvar: Skolskjuts\nAuto-Submitted: auto-generated\n\nJag har sommarledigt till och med den 8 augusti.\n";
    let m = &analyze(swedish.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    // A person's subject that only mentions the words is no automatic reply, nor one
    // that opens with a single such word; "Abwesenheitsnotiz: …" is one.
    for subject in [
        "Kan inte stänga av autosvar i Outlook",
        "Vacation photos from Lisbon",
        "Abwesenheit der Kollegen im Juli",
    ] {
        let mail = format!(
            "From: Anna <anna@bygg.example>\nTo: it@bygg.example\nSubject: {subject}\n\nHej!\n"
        );
        let kind = analyze(mail.as_bytes()).messages[0].kind;
        assert_eq!(kind, Kind::NotABounce, "{subject}");
    }
    let notice = "From: Jens <j@sanitaer.example>\nTo: a@b.example\nSubject: Abwesenheitsnotiz: Angebot\n\nIch bin bis Montag nicht im Büro.\n";
    assert_eq!(analyze(notice.as_bytes()).messages[0].kind, Kind::AutoReply);
    let left = "From: Fiona <f.strachan@uni.example>\nTo: a@lab.example\nSubject: Automatic reply: Field course\nAuto-Submitted: auto-replied\n\nI have now left the University and this mailbox is no longer\nmonitored.\n";
    let m = &analyze(left.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::HasMoved);
}

/// Greylisting that a server gave up on stays greylisting though the notice's own status
/// is a general 5.0.0: the server's reply was 451.
#[test]
fn greylisting_under_a_general_permanent_status() {
    let mail = "From: Mail Delivery System <Mailer-Daemon@mx.verein.example>\nTo: kasse@verein.example\nSubject: Mail delivery failed\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nThis message was created automatically by mail delivery software.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.verein.example\n\nAction: failed\nFinal-Recipient: rfc822;m.huber@sanitaer.example\nStatus: 5.0.0\nRemote-MTA: dns; mx.sanitaer.example\nDiagnostic-Code: smtp; 451 Greylisted, please try again later\n\n--b--\n";
    let m = &analyze(mail.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::RateLimited);
}

/// A content filter's notice to the sender (amavisd-new), and a German hoster's delay
/// notice in its own words.
#[test]
fn a_filters_notice_to_the_sender_and_a_delay_in_own_words() {
    let ube = "Considered UNSOLICITED BULK EMAIL, apparently from you\n\nA message from <kai@example.org> to:\n-> einkauf@example.net\n\nwas considered unsolicited bulk e-mail (UBE).\n\nWe do try to minimize backscatter for more prominent cases of UBE and for infected mail.\n";
    let m = &analyze(ube.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].address, "einkauf@example.net");
    assert_eq!(m.recipients[0].reason, Reason::SpamDetected);
    let delay = "Dies ist eine automatisch erzeugte Nachricht.\n\nIhre Nachricht konnte seit 24 Stunden nicht an den folgenden\nEmpfänger zugestellt werden:\n\n  lager@example.de\n    Grund der Verzögerung: Verbindung zum Mailserver nicht möglich\n    (Connection timed out)\n\nUnser Server versucht weiterhin, die Nachricht zuzustellen.\n";
    let m = &analyze(delay.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].address, "lager@example.de");
}

/// cPanel's "Track Delivery" page copied as one cell per line: the sender's cell is no
/// recipient.
#[test]
fn a_copied_cpanel_delivery_report_names_only_the_recipient() {
    let table = "Event\nSender\nSent Time\nSender IP\nAuthentication\nSpam Score\nRecipient\nDelivered To\nRouter\nTransport\nOut Server\nResult\nfailure\nbuero@example.co.uk\n03/14/2025 10:22:51 AM\n203.0.113.40\ndovecot_login\n0.1\nhello@example.ie\nhello@example.ie\ndkim_lookuphost\ndkim_remote_smtp\nmx.example.ie (198.51.100.7)\nSMTP error from remote mail server after RCPT TO:<hello@example.ie>: 550 5.1.1 <hello@example.ie>: Recipient address rejected: mailbox does not exist\n";
    let m = &analyze(table.as_bytes()).messages[0];
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["hello@example.ie"]);
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn greylisting_that_never_let_the_message_through() {
    let text = "This is the mail system at host mail.example.de.\n\nI'm sorry to have to inform you that your message could not be delivered.\n\n<imker@example.org>: host mx.example.org[192.0.2.5] said: 451 4.7.1 <imker@example.org>: Recipient address rejected: Greylisted, please try again in 300 seconds (in reply to RCPT TO command)\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "situation.greylisting_gave_up");
    assert_eq!(e.who, "sender_provider");
}

#[test]
fn what_pastes_break_is_mended() {
    // A sentence re-wrapped after the recipient's address.
    let wrapped = "Ihre E-Mail an jugendwart@example.de konnte bisher\nnicht zugestellt werden. Wir versuchen es weiter.\n\nTechnische Details: reason: 451 4.7.1 Sending rate limit exceeded, try again later\n";
    let m = &analyze(wrapped.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "jugendwart@example.de");
    // A ticket system's escaped brackets, and a relay asking the notice's server for a login.
    let escaped = "Mail Delivery System\n\n&lt;einkauf@example.de&gt;: host smtp.provider.example[192.0.2.7] said: 530 5.7.0 Authentication required (in reply to MAIL FROM command)\n";
    let m = &analyze(escaped.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "einkauf@example.de");
    assert_eq!(
        explain(m, Lang::En).topic,
        "situation.smarthost_refuses_relay"
    );
    // "(expanded from" at a line's end, the original address below it.
    let expanded = "The mail system\n\n<chloe@example.net> (expanded from\n<hello@example.co.uk>): host mx.example.net[192.0.2.9] said: 550 5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).\n";
    let m = &analyze(expanded.as_bytes()).messages[0];
    assert_eq!(m.recipients.len(), 1);
    assert_eq!(m.recipients[0].address, "chloe@example.net");
    assert_eq!(m.recipients[0].reason, Reason::Blocked);
    // A multi-line reply pasted after a date keeps its code.
    let outlook = "Folgende(r) Empfänger konnte(n) nicht erreicht werden:\n\n'marc@example.de' am 10.02.2026 08:51\n      554-Transaction failed 554-Reject due to policy restrictions. 554\n      For explanation visit https://example.de/senderguidelines\n";
    let m = &analyze(outlook.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reply_code.as_deref(), Some("554"));
}

#[test]
fn a_transcripts_positive_replies_are_not_the_servers_words() {
    let log = "2024-09-16 10:02:31 SERVER -> CLIENT: 220 smtp.example.com ESMTP ready\n2024-09-16 10:02:31 CLIENT -> SERVER: AUTH LOGIN\n2024-09-16 10:02:31 SERVER -> CLIENT: 334 VXNlcm5hbWU6\n2024-09-16 10:02:36 SERVER -> CLIENT: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\n2024-09-16 10:02:36 SERVER -> CLIENT: 221 2.0.0 Service closing transmission channel\nSMTP Error: Could not authenticate.\n";
    let m = &analyze(log.as_bytes()).messages[0];
    let said = m.recipients[0].diagnostic.as_deref().unwrap_or("");
    assert!(said.contains("535 5.7.139"), "{said}");
    assert!(
        !said.contains("334") && !said.contains("221 2.0.0"),
        "{said}"
    );
}

#[test]
fn a_big_providers_recipient_refused_relaying_by_another_server_is_the_senders_relay() {
    let text = "This is the mail system at host wp118.hoster-he.de.\n\n<anna@web.de>: host mail.hoster-relay.de[192.0.2.11] said: 554 5.7.1 <anna@web.de>: Relay access denied (in reply to RCPT TO command)\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::NoRelaying);
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "situation.smarthost_refuses_relay");
    assert_eq!(e.who, "sender_provider");
}

#[test]
fn notices_about_the_readers_own_mailbox_are_no_bounces() {
    let quota = "From: Mail System <postmaster@example.net>\nTo: kim@example.net\nSubject: Mailbox quota warning\n\nYour mailbox is now 90% full.\nWhen the mailbox reaches 100%, new messages will be rejected and the senders will get a \"mailbox full\" error.\nNothing has been lost and new mail is still being delivered.\n";
    let digest = "Es befinden sich 4 neue Nachrichten in der Quarantäne:\n\nVon: info@paket-service.example\nBetreff: Ihr Postfach ist voll - jetzt Speicher erweitern\n";
    for text in [quota, digest] {
        assert_eq!(
            analyze(text.as_bytes()).messages[0].kind,
            Kind::NotABounce,
            "{text}"
        );
    }
}

#[test]
fn an_automatic_reply_that_quotes_a_bounce_is_an_automatic_reply() {
    let text = "From: Laura Chen <laura@example.com>\nTo: Dave <dave@example.net>\nSubject: Automatic reply: RE: That bounce from your supplier\nAuto-Submitted: auto-generated\n\nI'm out of the office until Monday, April 14.\n\n________________________________\nFrom: Dave <dave@example.net>\nSent: Monday, April 7, 2025 3:11 PM\nTo: Laura Chen <laura@example.com>\nSubject: RE: That bounce from your supplier\n\nThe relevant line is:\n  Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    assert_eq!(m.recipients[0].address, "laura@example.com");
}

#[test]
fn bounces_that_mention_a_digest_or_a_full_mailbox_stay_bounces() {
    let hold = "Subject: Undeliverable: Hold Summary: 3 new messages on hold\n\nDelivery has failed to these recipients or groups:\n\np.hansen@example.de\nThe email address you entered couldn't be found.\n";
    let note = "mein Postfach ist fast voll, liegt es vielleicht daran?\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its recipients. This is a permanent error. The following address(es) failed:\n\n  h.vogel@example.de\n    Unrouteable address\n";
    let relayed = "From: vorstand-owner@listen.example.de\nTo: kassenwart@example.de\nSubject: Nachricht an die Liste\nAuto-Submitted: auto-replied\n\n-------- Weitergeleitete Nachricht --------\nVon: MAILER-DAEMON@mx.example.org\nBetreff: Undelivered Mail Returned to Sender\n\n<g.huber@example.org>: host mx.example.org[192.0.2.3] said: 552 5.2.2 <g.huber@example.org>: Mailbox full (in reply to RCPT TO command)\n";
    for text in [hold, note, relayed] {
        let m = &analyze(text.as_bytes()).messages[0];
        assert_eq!(m.kind, Kind::Bounce, "{text}");
    }
}

#[test]
fn a_pasted_fake_notice_without_headers_is_flagged() {
    let text = "Ist das echt von euch?? Die Mail kam heute Mittag.\n\n---\n\nMail Delivery Failure / Unzustellbare Nachrichten\n\nIhr Postfach hat das Speicherlimit erreicht.\n4 eingehende E-Mails konnten nicht zugestellt werden.\n\nKlicken Sie hier, um kostenlos 10 GB Speicher freizuschalten:\nhttps://speicher-upgrade.mailcenter-example.ru/verify?id=8812\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(
        m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Phishing { .. }))
    );
}

#[test]
fn a_pasted_thunderbird_read_receipt_confirms_the_recipient() {
    let text = "Betreff: Empfangsbestätigung (angezeigt) - Termin\nVon: Lena Fuchs <lena@example.de>\nAn: Ingrid <ingrid@example.net>\n\nDies ist eine Empfangsbestätigung für die E-Mail, die Sie an Lena Fuchs\n<lena@example.de> gesendet haben.\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DeliveryReport);
    assert_eq!(m.recipients[0].address, "lena@example.de");
}

/// Exchange's read receipt as a mail program shows it: "Ihre Nachricht / An: … / wurde am
/// … gelesen." It names the reader without an address, or with one; on one line too.
#[test]
fn a_pasted_exchange_read_receipt_is_a_read_receipt() {
    let german = "Gelesen: Angebot Fenstertausch\n\nIhre Nachricht\n\n    An: Thomas Berger\n    Betreff: Angebot Fenstertausch\n    Gesendet: Dienstag, 24. November 2026 09:14:22 (UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien\n\nwurde am Dienstag, 24. November 2026 10:02:51 (UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien gelesen.\n";
    let m = &analyze(german.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DeliveryReport);
    assert_eq!(m.recipients[0].address, "Thomas Berger");
    assert_eq!(explain(m, Lang::De).topic, "kind.read_receipt");
    let flat = "Not read: Figures\n\nYour message To: Anna <anna@example.com> Subject: Figures Sent: Monday, November 23, 2026 4:11 PM was deleted without being read on Tuesday, November 24, 2026 8:00 AM.\n";
    let m = &analyze(flat.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "anna@example.com");
    assert_eq!(explain(m, Lang::En).topic, "kind.read_receipt_deleted");
    // Of several on its "An:" line, the receipt's sender is its reader; one alone is,
    // also in a receipt someone forwards; a Cc line ends the names on the line.
    let sent = format!(
        "From: Maria Kern <m.kern@example.de>\nTo: t@example.org\nSubject: Gelesen: Angebot\n\n{}",
        german.replace(
            "Thomas Berger",
            "Thomas Berger; Maria Kern <m.kern@example.de>"
        )
    );
    let m = &analyze(sent.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "m.kern@example.de");
    let forwarded = format!(
        "From: Tanja Weiss <t@example.org>\nTo: helpdesk@example.org\nSubject: WG: Gelesen: Angebot\n\n{german}"
    );
    let m = &analyze(forwarded.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].address, "Thomas Berger");
    let pasted = german.replace("Thomas Berger", "Thomas Berger\n    Cc: Maria Kern");
    assert_eq!(
        analyze(pasted.as_bytes()).messages[0].recipients[0].address,
        "Thomas Berger"
    );
    // A time zone in brackets may hold any words.
    let us = german.replace(
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien gelesen",
        "(UTC-05:00) Eastern Time (USA und Kanada) gelesen",
    );
    assert_eq!(
        analyze(us.as_bytes()).messages[0].kind,
        Kind::DeliveryReport
    );
    // An acknowledgement that the message will be read is no receipt.
    let ack = german.replace(
        "10:02:51 (UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien gelesen",
        "erfasst und wird in den nächsten Tagen gelesen",
    );
    assert_ne!(
        analyze(ack.as_bytes()).messages[0].kind,
        Kind::DeliveryReport
    );
    // A notice with a server's code is no read receipt, whatever else it says.
    let bounce = german.replace(
        "gelesen.",
        "gelesen.\n550 5.1.1 <t.berger@example.de> user unknown",
    );
    assert_eq!(analyze(bounce.as_bytes()).messages[0].kind, Kind::Bounce);
}

#[test]
fn a_pasted_automatic_reply_names_its_sender_below_its_subject() {
    let text = "Did my email bounce?? This is what I got back.\n\nSubject: Out of Office: Payroll cut-off\nFrom: Ben Achterberg <ben@example.nl>\nTo: Marisol <marisol@example.com>\n\nI am on parental leave until 5 January 2026 and will not be reading email.\n";
    let m = &analyze(text.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::AutoReply);
    assert_eq!(m.recipients[0].address, "ben@example.nl");
}

/// Holdout sets 69-73: fakes that copy a notice's structure or hide in a paste, and
/// digests of the reader's own filter, which are none.
#[test]
fn fakes_in_pastes_and_copied_reports_and_the_readers_own_digests() {
    // A paste that keeps the fake's header lines: its sender and its reader.
    let storage = "Hallo, soll ich da klicken?\n\nVon: Webmail Administrator <no-reply@mailcenter-hosting.example>\nAn: kontakt@gaertnerei.example\nBetreff: Ihr Postfach kontakt@gaertnerei.example ist zu 98% voll\n\nIhr E-Mail-Postfach kontakt@gaertnerei.example hat das Speicherlimit fast erreicht.\nEingehende Nachrichten werden ab sofort zurückgehalten.\n\nSPEICHER JETZT ERWEITERN: https://speicher-upgrade.web.app/login?email=kontakt@gaertnerei.example\n";
    let m = only(storage);
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(phishing_signs(&m).is_some());
    // A copied delivery report that asks for the password.
    let retry = "From: MAILER-DAEMON@bauer.example (Mail Delivery System)\nTo: kanzlei@bauer.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n3 outgoing messages are stuck because your mailbox password has expired.\nRETRY DELIVERY: http://203.0.113.182/roundcube/?_task=login\nEnter your current password on the next page.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.bauer.example\n\nFinal-Recipient: rfc822; mandanten@bauer.example\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 Password expired\n\n--b--\n";
    let m = only(retry);
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(phishing_signs(&m).is_some_and(|s| s.contains(&"password_request".to_string())));
    // A worm's "bounce" about the reader's own address, with the "converted" message zipped.
    let worm = "From: \"Mail Delivery Subsystem\" <postmaster@sanitaer.example>\nTo: info@sanitaer.example\nSubject: Returned mail: see transcript for details\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n----- The following addresses had permanent fatal errors -----\ninfo@sanitaer.example\n\n554 <info@sanitaer.example>... Service unavailable\nThe message has been converted and attached. See the attached file for details.\n--b\nContent-Type: application/octet-stream; name=\"message.zip\"\nContent-Disposition: attachment; filename=\"message.zip\"\nContent-Transfer-Encoding: base64\n\nUEsDBBQAAAAIAA==\n--b--\n";
    assert_eq!(only(worm).kind, Kind::NotABounce);
    // A pasted fake whose quoted sender only looks like a provider's, with a code.
    let webde = "Ihre letzte E-Mail an renate@web.de konnte nicht zugestellt werden.\nFehlercode: 550 5.7.1 Account locked\n\n[Jetzt Postfach entsperren]<https://web-de.login-center.example/entsperren>\n\n-----\nVon: WEB.DE Sicherheit <sicherheit@webde-kundenservice.example>\nAn: ursula@web.de\nBetreff: Ihre E-Mail konnte nicht zugestellt werden\n";
    assert!(phishing_signs(&only(webde)).is_some());
    // Sophos Central's digest, and a digest pasted with its header lines.
    let sophos = "From: Sophos Central <do-not-reply@central.sophos.com>\nTo: a@firma.example\nSubject: Quarantine Summary: 4 new messages are in your quarantine\n\nSign in to Sophos Central Self Service to release them: https://central.sophos.com/manage/self-service\n";
    let pasted = "Ist das echt?\n\nVon: SpamTitan <spamtitan@spamfilter.kanzlei-voigt.example>\nAn: s.voigt@kanzlei-voigt.example\nBetreff: Quarantine Report for s.voigt@kanzlei-voigt.example\n\n3 messages are held in your quarantine.\nRelease: https://spamfilter.kanzlei-voigt.example/quarantine/release.php?id=Q1\n";
    for digest in [sophos, pasted] {
        let m = only(digest);
        assert_eq!(m.kind, Kind::NotABounce);
        assert!(phishing_signs(&m).is_none(), "{digest}");
    }
    // A fake whose To: is the sender's own domain, where its link is too (the victims
    // get it as a blind copy).
    let bcc = "From: Mail Administrator <postmaster@mailhost-secure.example>\nTo: undisclosed@mailhost-secure.example\nSubject: 5 incoming messages held\n\nYou have 5 incoming messages on hold. Log in to release them:\nhttps://mailhost-secure.example/login/release\n";
    assert!(phishing_signs(&only(bcc)).is_some());
    // A real notice that warns never to type the password anywhere asks for nothing.
    let warning = "From: MAILER-DAEMON@mail.hoster.example\nTo: info@firma.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nYour message could not be sent: your account has been blocked for sending spam.\nNever enter your password on a page that a message links to.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.hoster.example\n\nFinal-Recipient: rfc822; kunde@partner.example\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 554 5.7.1 Account has been blocked for sending spam\n\n--b--\n";
    let m = only(warning);
    assert_eq!(m.kind, Kind::Bounce);
    assert!(phishing_signs(&m).is_none());
    let wrapped = warning.replace(
        "Never enter your password on a page that a message links to.",
        "Note: we will never ask you by e-mail to\nenter your password on a web page.",
    );
    assert!(phishing_signs(&only(&wrapped)).is_none());
    // A "not" further on in a fake's sentence is no warning.
    let fake = retry.replace(
        "Enter your current password on the next page.",
        "Enter your current password on the next page, or these messages will not be sent.",
    );
    assert!(phishing_signs(&only(&fake)).is_some());
}

/// One sign alone that the message never passed the user's servers is no forged sender
/// (their own server may be one the reading cannot place); a machine that only called
/// itself by the user's domain adds the second.
#[test]
fn a_forged_sender_takes_two_signs() {
    let likely = |original: &str| {
        let m = &analyze(bounce_returning(original).as_bytes()).messages[0];
        explain(m, Lang::En).origin.map(|o| o.likely)
    };
    let relay = "Received: from mx1.hoster-relay.example (mx1.hoster-relay.example [198.51.100.25]) by mx.recipient.example (Postfix) with ESMTP id 4Y; Mon, 3 Mar 2025 10:00:00 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <abc@kunde.example>\nSubject: Angebot\n";
    assert_eq!(likely(relay), Some("unclear"));
    let bare = "Received: from kunde.example ([203.0.113.140]) by mx.recipient.example (Postfix) with ESMTP id 4Y; Mon, 3 Mar 2025 10:00:00 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <abc@kunde.example>\nSubject: Paket\n";
    assert_eq!(likely(bare), Some("forged_sender"));
    // A refusal for failed SPF is the receiver's verdict on a message no one logged in
    // to send; after a login, the user's own set-up failed the check.
    let spf = |hop: &str| {
        let bounce = bounce_returning(&format!("{hop}\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <abc@kunde.example>\nSubject: Zollgebühr\n"))
            .replace("550 5.1.1 User unknown", "550 5.7.23 SPF validation failed");
        let m = &analyze(bounce.as_bytes()).messages[0];
        assert_eq!(m.recipients[0].reason, Reason::AuthFailure);
        explain(m, Lang::En).origin.map(|o| o.likely)
    };
    let stranger = "Received: from [203.0.113.250] (helo=WIN-8K2LQ0M1PTA) by mx.recipient.example with esmtp id 1t; Mon, 3 Mar 2025 10:00:00 +0100";
    assert_eq!(spf(stranger), Some("forged_sender"));
    let login = "Received: from [198.51.100.7] by smtp.kunde.example with ESMTPSA id 1t; Mon, 3 Mar 2025 10:00:00 +0100";
    assert_ne!(spf(login), Some("forged_sender"));
    // The user's own server passed it on (a scanner on the office network sent it).
    let own = "Received: from scanner (unknown [192.168.1.20]) by mail.kunde.example (Postfix) with ESMTP id 4Y; Mon, 3 Mar 2025 10:00:00 +0100";
    assert_ne!(spf(own), Some("forged_sender"));
    // A bot that calls itself by a private address is no machine of the office.
    let lan_helo = "Received: from [192.168.1.101] (unknown [203.0.113.219]) by mx.recipient.example (Postfix) with ESMTP id 4Y; Mon, 3 Mar 2025 10:00:00 +0100\nFrom: info@kunde.example\nTo: x@recipient.example\nMessage-ID: <1@bot-host.example>\nSubject: Pills\n";
    assert_eq!(likely(lan_helo), Some("forged_sender"));
}

/// Holdout sets 69-73: words of less common servers and of German notices.
#[test]
fn words_of_domino_hmailserver_smartermail_mdaemon_and_gmx() {
    let reason = |text: &str| only(text).recipients[0].reason;
    let domino = "Betreff: ZUSTELLUNGSFEHLER: Maildatei des Empfängers ist voll\n\nIhr Dokument wurde nicht zugestellt an: r.eberle@stadtwerke.example\nDie Nachricht kann nicht zugestellt werden, weil die Maildatei des Empfängers\nihre Quote überschritten hat.\n";
    assert_eq!(reason(domino), Reason::MailboxFull);
    let hmail = "Your message did not reach some or all of the intended recipients.\n\n   Recipient: dr.h@kanzlei.example\n   Error Description: No mail servers appear to exists for the recipients address.\n";
    assert_eq!(reason(hmail), Reason::HostUnknown);
    let gmx = "<t@gmx.de>: host mx01.emig.gmx.net[212.227.15.9] said:\n    550-Requested action not taken: mailbox unavailable 550 invalid DNS PTR\n    resource record, IP=203.0.113.44 (in reply to RCPT TO command)\n";
    assert_eq!(reason(gmx), Reason::RequirePtr);
    let smarter = "Delivery to the following recipients failed.\n\n   k.lange@online.example\n\nReason: Message rejected: user t@physio.example has exceeded the outgoing message limit (500 messages per hour).\n";
    let m = only(smarter);
    assert_eq!(
        explain(&m, Lang::En).topic,
        "situation.sending_limit_reached"
    );
    let mdaemon = "Die angehängte Nachricht konnte seit 4 Stunden nicht zugestellt werden.\nDie Nachricht befindet sich weiterhin in der Warteschlange dieses Servers.\nSie müssen die Nachricht NICHT erneut senden.\n\nEmpfänger: planung@architekten.example\n";
    assert_eq!(only(mdaemon).kind, Kind::DelayNotice);
    let barred = "<kunde@partner.example>: host smtp.hoster.example said: 554 5.7.1\n    <info@firma.example>: Sender address rejected: Der Versand fuer dieses\n    Postfach wurde wegen Spamversand gesperrt (in reply to RCPT TO command)\n";
    assert_eq!(
        explain(&only(barred), Lang::De).topic,
        "situation.account_blocked"
    );
    // Other things barred, and other quotas, are no barred mailbox and no full one.
    let attachment = "<kunde@partner.example>: host mx.partner.example said: 554 5.7.1\n    Anhänge vom Typ .exe sind für den Versand gesperrt (in reply to end of DATA command)\n";
    assert_ne!(
        explain(&only(attachment), Lang::De).topic,
        "situation.account_blocked"
    );
    let quota = "<kunde@partner.example>: host smtp.hoster.example said: 550 5.7.1\n    Tägliche Versand-Quote überschritten (in reply to RCPT TO command)\n";
    assert_ne!(reason(quota), Reason::MailboxFull);
    // Exchange names the DNS answer after "DNS query failed".
    let nx = "<kunde@partner.example>: host smtp.hoster.example said: 554 5.4.4\n    SMTPSEND.DNS.NonExistentDomain; DNS query failed: nonexistent domain\n";
    assert_eq!(reason(nx), Reason::HostUnknown);
}

/// A pasted Exchange delay notice quotes its placeholder ("400 4.4.7 Message delayed")
/// and then the real reply: the real reply decides.
#[test]
fn a_pasted_delay_notice_is_read_by_the_reply_behind_its_placeholder() {
    let paste = "Die Zustellung an diese Empfänger oder Gruppen wird verzögert:\n\ninfo@gasthaus.example\n\nDiese Nachricht wurde noch nicht zugestellt. Es wird weiterhin versucht, die Nachricht zuzustellen.\n\nDiagnoseinformationen für Administratoren:\n\ninfo@gasthaus.example\nRemoteserver hat '400 4.4.7 Message delayed' zurückgegeben.\n22.01.2025 16:48:02 - Remoteserver hat '451 4.4.0 DNS query failed. The error was: DNS query failed with error: ErrorRetry' zurückgegeben.\n";
    let m = only(paste);
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].status.as_deref(), Some("4.4.0"));
    assert_eq!(m.recipients[0].reason, Reason::NetworkError);
}

/// Holdout sets 77-80: a notice forwarded from Exchange ("Von: Microsoft Exchange") below
/// the forward's separator; Send-As words of Exchange Online; a hoster's sending limit;
/// Trend Micro's reputation lookup.
#[test]
fn forwarded_exchange_notices_and_words_of_sets_77_to_80() {
    let forwarded = "-----Ursprüngliche Nachricht-----\nVon: Microsoft Exchange\nGesendet: Freitag, 14. Februar 2014 09:15\nAn: Monika Brandt\nBetreff: Unzustellbar: Rechnung\n\nDie Zustellung an folgende Empfänger oder Verteilerlisten ist fehlgeschlagen:\n\nbuero@maler.example\nDie Nachricht konnte innerhalb des Zeitlimits nicht zugestellt werden.\n\nDiagnoseinformationen für Administratoren:\n\nbuero@maler.example\n#550 4.4.7 QUEUE.Expired; message expired ##\n";
    let m = only(forwarded);
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].reason, Reason::Expired);
    let topic = |text: &str| explain(&only(text), Lang::En).topic;
    let send_as = "Delivery has failed to these recipients or groups:\n\nm.leclerc@orange.example\nYou can't send a message on behalf of this user unless you have permission to do so.\n\nRemote Server returned '554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied'\n";
    assert_eq!(topic(send_as), "reason.rejected");
    let limit = "<helga@t-online.example>: host smtp.kasserver.example said: 550 5.7.1\n    <info@verein.example>: Sender address rejected: Versandlimit fuer diesen\n    Account erreicht (max. 500 E-Mails pro Stunde) (in reply to RCPT TO command)\n";
    assert_eq!(topic(limit), "situation.sending_limit_reached");
    // A returned original from an IT account named "System Administrator" is no second,
    // forwarded notice.
    let returned = "This is the mail system at host mail.acme.example.\n\n<j.doe@partner.example>: host mx.partner.example[192.0.2.5] said: 550 5.1.1\n    User unknown (in reply to RCPT TO command)\n\n--- Below this line is a copy of the message.\n\nFrom: System Administrator <it@acme.example>\nTo: j.doe@partner.example\nSubject: Portal password reset\n\nYour vendor portal password was reset. Please log in and set a new one.\n";
    assert_eq!(analyze(returned.as_bytes()).messages.len(), 1);
    let xarf = "From: abuse@hoster.example\nTo: info@verein.example\nSubject: [Abuse #1] Spam-Beschwerde\nX-XARF: PLAIN\nContent-Type: text/plain\n\nBitte entfernen Sie die Adresse aus Ihrem Verteiler.\n";
    assert_eq!(only(xarf).kind, Kind::ComplaintReport);
    let trend = "<a@pharma.example>: host mx.pharma.example said: 450 4.7.1 Mail from\n    198.51.100.201 deferred using Trend Micro Email Reputation database (in\n    reply to RCPT TO command)\n";
    assert_eq!(only(trend).recipients[0].reason, Reason::Blocked);
}

#[test]
fn a_filters_own_notice_marked_as_an_automatic_reply_is_a_bounce() {
    let notice = "From: \"E-Mail-Sicherheit\" <noreply-mailsecurity@stadt.example>\nTo: buerger@web.example\nSubject: Nachricht nicht zugestellt: Bauantrag\nAuto-Submitted: auto-replied\n\nIhre Nachricht konnte nicht zugestellt werden.\n\n  Empfänger:  bauamt@stadt.example\n\nGrund: Die Nachricht enthält ein passwortgeschütztes Archiv (Antrag.zip). Solche Anhänge werden nicht angenommen.\n";
    let m = &analyze(notice.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].address, "bauamt@stadt.example");
    assert_eq!(m.recipients[0].reason, Reason::PolicyViolation);
    // A real out-of-office keeps its kind.
    let away = notice
        .replace(
            "Nachricht nicht zugestellt: Bauantrag",
            "Abwesenheitsnotiz: Bauantrag",
        )
        .replace("konnte nicht zugestellt werden", "ist eingegangen");
    assert_eq!(analyze(away.as_bytes()).messages[0].kind, Kind::AutoReply);
}

#[test]
fn a_report_above_the_mail_programs_standard_sentence_is_read() {
    // Mail.ru's own words with the remote server's reply, then Exim's English sentence.
    let notice = "From: Mail Delivery System <MAILER-DAEMON@corp.mail.example>\nTo: svetlana@mail.example\nSubject: Delivery failure\nX-Failed-Recipients: bestellung@baeckerei.example\n\nК сожалению, Ваше письмо не может быть доставлено одному или нескольким\nполучателям:\n\nbestellung@baeckerei.example\n\nТехническая информация:\nSMTP error from remote mail server after RCPT TO:<bestellung@baeckerei.example>:\nhost mx01.baeckerei.example [192.0.2.25]:\n550 5.1.1 <bestellung@baeckerei.example>: Recipient address rejected: User unknown in virtual mailbox table\n\nThis message was created automatically by mail delivery software.\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error.\n";
    let r = &analyze(notice.as_bytes()).messages[0].recipients[0];
    assert_eq!(r.address, "bestellung@baeckerei.example");
    assert_eq!(r.reason, Reason::UserUnknown);
    assert_eq!(r.status.as_deref(), Some("5.1.1"));
}

#[test]
fn a_logs_login_is_the_accounts_and_many_failed_recipients_mark_a_spam_run() {
    let sent = |i: usize| {
        format!(
            "Mar 12 02:14:10 mail postfix/smtp[19216]: 4TvC5S0gHdz: to=<ok{i}@mail.example>, relay=mx.mail.example[198.51.100.110]:25, delay=1.5, dsn=2.0.0, status=sent (250 2.0.0 OK)\n"
        )
    };
    let log = |nrcpt: usize, delivered: usize| {
        (0..delivered).map(sent).collect::<String>()
            + &format!(
                "Mar 12 02:14:08 mail postfix/submission/smtpd[19202]: 4TvC5S0gHdz: client=unknown[185.220.101.47], sasl_method=LOGIN, sasl_username=Buchhaltung@example.de\n\
             Mar 12 02:14:08 mail postfix/qmgr[1123]: 4TvC5S0gHdz: from=<buchhaltung@example.de>, size=4122, nrcpt={nrcpt} (queue active)\n\
             Mar 12 02:14:09 mail postfix/smtp[19215]: 4TvC5S0gHdz: to=<j.m@mail.example>, relay=mx.mail.example[198.51.100.110]:25, delay=1.4, dsn=5.1.1, status=bounced (host mx.mail.example[198.51.100.110] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\n"
            )
    };
    let origin = |nrcpt, delivered| {
        let m = analyze(log(nrcpt, delivered).as_bytes()).messages.remove(0);
        let s = m.submission.clone().expect("the login is read");
        assert_eq!(
            (s.login.as_str(), s.recipients),
            ("buchhaltung@example.de", nrcpt)
        );
        bounce_explainer::situations::origin_signs(&m)
    };
    let run = origin(50, 0).expect("a spam run");
    assert_eq!(run.likely, "account_misuse");
    assert!(run.signs.contains(&"many_recipients"));
    // An ordinary login is no sign worth a word, nor a mailing that mostly arrived.
    assert!(origin(2, 0).is_none());
    assert!(origin(24, 10).is_none());
}

#[test]
fn outlooks_time_of_the_attempt_is_no_part_of_the_servers_words() {
    let paste = |line: &str, reply: &str| {
        format!(
            "Von: Microsoft Outlook\nAn: vorstand@verein.example\nBetreff: Unzustellbar: Einladung\n\n\
             Ihre Nachricht hat einige oder alle Empfänger nicht erreicht.\n\n\
             Folgende(r) Empfänger kann/können nicht erreicht werden:\n\n      {line}\n            {reply}\n"
        )
    };
    let limit = "550 5.7.1 Sending limit exceeded: vorstand@verein.example has reached the maximum of 500 recipients per 24 hours.";
    // Pasted onto one line, the reply follows the time.
    let same_line = paste(
        "'beat@mail.example' on 3/30/2025 8:14 PM 452 4.2.2 Mailbox full",
        "",
    );
    let r = analyze(same_line.as_bytes())
        .messages
        .remove(0)
        .recipients
        .remove(0);
    assert_eq!(
        (r.reply_code.as_deref(), r.status.as_deref()),
        (Some("452"), Some("4.2.2"))
    );
    for line in [
        "'beat@mail.example' am 30.03.2025 20:14",
        "'beat@mail.example' on 3/30/2025 8:14 PM",
    ] {
        let m = analyze(paste(line, limit).as_bytes()).messages.remove(0);
        let r = &m.recipients[0];
        assert_eq!(r.address, "beat@mail.example");
        assert_eq!(r.diagnostic.as_deref(), Some(limit));
        // The sender's own mailbox hit its limit: theirs to wait out.
        assert_eq!(r.reason, Reason::RateLimited);
        assert_eq!(explain(&m, Lang::En).who, "sender");
    }
}

#[test]
fn a_mail_servers_daily_statistics_quote_failures_but_are_no_bounce() {
    let summary = "From: root@mail.example.de (Cron Daemon)\nTo: admin@example.de\nSubject: Postfix log summaries for Mar 11\n\n\
        Grand Totals\n------------\n    3   bounced\n\nmessage bounce detail (by relay)\n--------------------------------\n  \
        mx01.example.org[198.51.100.20]:25 (total: 1)\n         1   550 5.1.1 <j.d@example.org>: Recipient address ...\n";
    assert_eq!(
        analyze(summary.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
}

#[test]
fn exchanges_authrequired_is_a_groups_rule_wherever_it_is_quoted() {
    let trace = "Timestamp       : 12.03.2024 13:05:31\nEventId         : FAIL\nSource          : ROUTING\n\
        Sender          : j.pohl@buero.example\nRecipients      : {angebote@firma.example}\nMessageSubject  : Ausschreibung\n\
        RecipientStatus : {[{LRT=};{LED=550 5.7.1 RESOLVER.RST.AuthRequired; authentication required};{FQDN=};{IP=}]}\n";
    let m = analyze(trace.as_bytes()).messages.remove(0);
    assert_eq!(m.recipients[0].reason, Reason::PolicyViolation);
}

#[test]
fn ses_suppressing_an_address_is_its_own_doing_not_the_receivers() {
    let json = r#"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"Suppressed","bouncedRecipients":[{"emailAddress":"orders@shop.example","action":"failed","status":"5.1.1","diagnosticCode":"Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address."}],"timestamp":"2025-02-22T19:03:44.207Z","reportingMTA":"dns; amazonses.com"},"mail":{"source":"invoices@brightcart.example","destination":["orders@shop.example"]}}"#;
    let m = analyze(json.as_bytes()).messages.remove(0);
    assert_eq!(m.recipients[0].reason, Reason::Suppressed);
}

#[test]
fn italian_certified_mail_receipts_are_reports_with_the_addressee_they_name() {
    let pec = |kind: &str, opening: &str, tail: &str| {
        format!(
            "From: \"Per conto di: studio@pec.example.it\" <posta-certificata@pec.example.it>\nTo: studio@pec.example.it\nSubject: {opening}: Fattura\nX-Ricevuta: {kind}\n\n\
             {opening}\n\nIl giorno 20/03/2025 alle ore 09:05:41 (+0100) nel messaggio\n\"Fattura\" proveniente da \"studio@pec.example.it\"\n\
             ed indirizzato a \"cliente@pec.example.it\"\n{tail}\n\nIdentificativo messaggio: opec292.20250320090539.28811@pec.example.it\n"
        )
    };
    let read = |mail: String| analyze(mail.as_bytes()).messages.remove(0);
    let full = read(pec(
        "errore-consegna",
        "Avviso di mancata consegna",
        "è stato rilevato un problema che ne impedisce la consegna.\nErrore: 5.2.2 - casella piena",
    ));
    assert_eq!(full.kind, Kind::Bounce);
    assert_eq!(full.recipients[0].address, "cliente@pec.example.it");
    assert_eq!(full.recipients[0].reason, Reason::MailboxFull);
    let delivered = read(pec(
        "avvenuta-consegna",
        "Ricevuta di avvenuta consegna",
        "è stato consegnato nella casella di destinazione.",
    ));
    assert_eq!(delivered.kind, Kind::DeliveryReport);
    // The warning after 12 hours, pasted without its headers: still being tried.
    let warning = pec(
        "preavviso-errore-consegna",
        "Preavviso di mancata consegna",
        "Il sistema continuerà ad attendere l'esito fino a 24 ore dall'invio.",
    );
    let pasted = warning.split_once("\n\n").map(|(_, body)| body.to_string());
    assert_eq!(read(pasted.expect("a body")).kind, Kind::DelayNotice);
}

#[test]
fn a_pasted_read_receipt_is_a_receipt_and_a_pasted_dutch_auto_reply_a_reply() {
    let mdn = "-------- Weitergeleitete Nachricht --------\nBetreff: Empfangsbestätigung (angezeigt) - Einladung\nVon: Ute <ute@web.example>\n\n\
        Dies ist eine Empfangsbestätigung für die Nachricht, die Sie an Ute <ute@web.example> gesendet haben.\n\n\
        Reporting-UA: web.example; Mozilla Thunderbird\nFinal-Recipient: rfc822;ute@web.example\nDisposition: manual-action/MDN-sent-manually; displayed\n";
    assert_eq!(
        analyze(mdn.as_bytes()).messages[0].kind,
        Kind::DeliveryReport
    );
    let reply = "Van: Sanne Jansen <s.jansen@gemeente.example>\nVerzonden: vrijdag 25 juli 2025 08:31\nOnderwerp: Automatisch antwoord: Aanvraag\n\n\
        Ik ben afwezig van 25 juli tot en met 15 augustus.\n";
    assert_eq!(analyze(reply.as_bytes()).messages[0].kind, Kind::AutoReply);
}

#[test]
fn a_fake_notice_from_a_domain_named_like_the_readers_is_phishing() {
    let fake = "From: \"Mail Delivery System\" <postmaster@autohaus-weber.example.de.mailsystem-notice.example>\nTo: verkauf@autohaus-weber.example.de\n\
        Subject: Undelivered Mail Returned to Sender: (4) pending messages\nContent-Type: text/html\n\n\
        <p>(4) incoming messages for <b>verkauf@autohaus-weber.example.de</b> could not be delivered.</p>\
        <p>Error: 550 5.1.1 &lt;verkauf@autohaus-weber.example.de&gt; Delivery Failed - messages are held on server</p>\
        <p>To release and deliver your pending messages, please verify your account below.</p>\n";
    let m = analyze(fake.as_bytes()).messages.remove(0);
    assert!(m.warnings.iter().any(|w| matches!(w, Warning::Phishing { signs } if signs.iter().any(|s| s.starts_with("disguised_sender:")))));
}

#[test]
fn the_rows_of_an_html_notices_table_stay_together() {
    let notice = "From: postmaster@outlook.example\nTo: anna@example.org\nSubject: Delivery delayed: Abholung\nContent-Type: text/html\n\n\
        <p><b>Delivery is delayed to these recipients or groups:</b></p>\n<p>dispo@spedition.example (dispo@spedition.example)</p>\n\
        <p>This message hasn't been delivered yet. Delivery will continue to be attempted.</p>\n<p><b>Diagnostic information for administrators:</b></p>\n\
        <table><tr><td>dispo@spedition.example</td></tr>\n<tr><td>Server at mail.spedition.example returned '400 4.4.7 Message delayed'</td></tr>\n\
        <tr><td>15.11.2024 08:21:44 - Server at mail.spedition.example returned '441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect.\"'</td></tr></table>\n";
    let m = analyze(notice.as_bytes()).messages.remove(0);
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].reason, Reason::NetworkError);
}

#[test]
fn pec_words_in_a_persons_mail_or_a_full_message_without_its_header_make_no_receipt() {
    let person = "Buongiorno,\nho ricevuto la ricevuta di accettazione ma non ancora la ricevuta di avvenuta consegna\n\
        del messaggio indirizzato a \"ufficio@pec.example.it\". Potete verificare?\nGrazie\n";
    assert_eq!(
        analyze(person.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
    // A full message names its kind in X-Ricevuta; one without it only quotes the words.
    let fake = "From: Posta Certificata <avvisi@pec-posta.example>\nTo: anna@studio.example\nSubject: Avviso\n\n\
        Avviso di mancata consegna\n\nIl messaggio indirizzato a \"anna@studio.example\" non e' stato consegnato.\n\
        Accedi qui: https://studio.example.recupero-posta.example/login\n";
    assert!(analyze(fake.as_bytes()).messages[0].recipients.is_empty());
}

#[test]
fn microsoft_365s_closed_groups_and_journal_reports() {
    let ndr = |code: &str, words: &str| {
        format!(
            "Delivery has failed to these recipients or groups:\n\nakten@kanzlei.example\n\n\
             Diagnostic information for administrators:\n\nGenerating server: AM0PR01MB1234.eurprd01.prod.outlook.com\n\n\
             akten@kanzlei.example\nRemote Server returned '550 {code} {words}'\n\nOriginal message headers:\n\nFrom: jens@handwerk.example\n"
        )
    };
    for (code, words) in [
        (
            "5.7.135",
            "RESOLVER.RST.NotAuthorizedToSendToPublicFolder; Delivery restriction check failed as sender not authenticated",
        ),
        ("5.7.12", "The sender was not authenticated by organization"),
    ] {
        let m = analyze(ndr(code, words).as_bytes()).messages.remove(0);
        assert_eq!(m.recipients[0].reason, Reason::PolicyViolation, "{code}");
        assert_eq!(explain(&m, Lang::En).who, "recipient", "{code}");
    }
    let journal = "From: Microsoft Outlook <MicrosoftExchange329e@kanzlei.example>\nTo: <kanzlei@journal.archiv.example>\n\
        Subject: Schriftsatz\nX-MS-Journal-Report:\n\nSender: r.adler@kanzlei.example\nSubject: Schriftsatz\nTo: poststelle@gericht.example\n";
    assert_eq!(
        analyze(journal.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
}

#[test]
fn a_hosting_platforms_server_named_after_its_customer_is_no_phishing_sign_alone() {
    let bounce = "From: Mail Delivery System <Mailer-Daemon@mail.muellerbau.example.de.cloud-provider.example>\n\
        To: info@muellerbau.example.de\nSubject: Mail delivery failed: returning message to sender\n\n\
        This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\n\
        recipients. This is a permanent error. The following address(es) failed:\n\n  kunde@nirgendwo.example\n    Unrouteable address\n";
    let m = analyze(bounce.as_bytes()).messages.remove(0);
    assert_eq!(m.kind, Kind::Bounce);
    assert!(
        !m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Phishing { .. }))
    );
}

#[test]
fn a_required_tls_stays_the_senders_and_an_abuse_desks_notice_is_a_complaint() {
    let tls = "From: MAILER-DAEMON@mail.example.org\nTo: anna@example.org\nSubject: Undelivered Mail Returned to Sender\n\n\
        This is the mail system at host mail.example.org.\n\n<befunde@labor.example>: TLS is required, but was not offered by host\n    mail.labor.example[198.51.100.7]\n";
    // The sender's server requires TLS (a policy, or its own filter on 127.0.0.1 may be
    // the host): its admin decides.
    let m = analyze(tls.as_bytes()).messages.remove(0);
    assert_eq!(explain(&m, Lang::En).who, "sender_provider");
    let abuse = "From: Abuse Team <abuse@hoster.example>\nTo: admin@shop.example\nSubject: Abuse Message [AbuseID:9F3C21:1E]: AbuseSpam: Spam von Ihrer IP 192.0.2.9\n\n\
        wir haben eine Beschwerde über Ihre IP-Adresse 192.0.2.9 erhalten.\n";
    assert_eq!(
        analyze(abuse.as_bytes()).messages[0].kind,
        Kind::ComplaintReport
    );
    // A reply about it is a person's mail.
    let reply = abuse.replace("Subject: Abuse", "Subject: AW: Abuse");
    assert_ne!(
        analyze(reply.as_bytes()).messages[0].kind,
        Kind::ComplaintReport
    );
}

#[test]
fn a_crms_message_failing_dmarc_is_a_missing_record_not_a_forgery() {
    let crm = report_returning(
        "Authentication-Results: mx.empfaenger.example; spf=softfail smtp.mailfrom=example.org; dmarc=fail header.from=example.org\nReceived: from smtp.sfdc.example (198.51.100.20) by mx.empfaenger.example with ESMTPS; Mon, 1 Jan 2024 10:00:00 +0000\n",
    )
    .replace("Message-ID: <1@example.org>", "Message-ID: <sfdc.0055g00000ABcDe.1741162770@sfdc.net>");
    assert_eq!(likely_origin(&crm), Some("unclear"));
}

#[test]
fn a_quarantine_digest_of_the_readers_own_gateway_is_no_phishing() {
    let digest = "From: postmaster@elektro-haas.example\nTo: m.haas@elektro-haas.example\nSubject: Quarantäne-Bericht: 2 Nachrichten\nContent-Type: text/html\n\n\
        <p>Folgende Nachrichten wurden in Quarantäne gestellt:</p>\
        <p>Ihr Konto wurde gesperrt - sofort bestätigen <a href=\"https://utm.elektro-haas.example:3840/release?id=a81f\">Freigeben</a></p>\n";
    let m = analyze(digest.as_bytes()).messages.remove(0);
    assert!(
        !m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Phishing { .. }))
    );
}

#[test]
fn lines_below_a_hop_from_an_unnamed_host_prove_no_own_server() {
    // The receiver took the message from a host without a name that called itself by
    // the user's domain; the line below it, "by example.org", anyone can write.
    let forged = report_returning(
        "Received: from unknown (HELO example.org) (203.0.113.201) by mx.empfaenger.example with SMTP; Mon, 1 Jan 2024 10:00:00 +0000\nReceived: from [198.51.100.7] by example.org; Mon, 1 Jan 2024 12:59:00 +0300\n",
    )
    .replace("<1@example.org>", "<8361.J4R8@spamhost.example>");
    assert_eq!(likely_origin(&forged), Some("forged_sender"));
}

#[test]
fn a_gateways_notice_from_a_no_reply_address_is_read() {
    let refused = "Return-Path: <noreply@gateway.example>\nFrom: Email Security <noreply@gateway.example>\nTo: anna@example.org\nSubject: Message not delivered: Invoice\n\n\
        Your message was not delivered by the recipient's email security system because\nit violates the attachment policy.\n\n  Sender:      anna@example.org\n  Recipient:   bob@empfaenger.example\n  Rule:        Attachment - Block executable files\n";
    let m = &analyze(refused.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].address, "bob@empfaenger.example");
    assert_eq!(m.recipients[0].reason, Reason::PolicyViolation);
}

#[test]
fn a_message_a_gateway_holds_for_review_is_on_hold() {
    let held = "Return-Path: <postmaster@gateway.example>\nFrom: Postmaster <postmaster@gateway.example>\nTo: <anna@example.org>\nSubject: Your message has been held for review: Contract\n\n\
        Your message has not been delivered yet.\nThe message below is being held for review by your administrator because it\ntriggered one of your organisation's outbound policies.\n\n  From:       anna@example.org\n  To:         bob@empfaenger.example\n  Subject:    Contract\n";
    let m = &analyze(held.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].address, "bob@empfaenger.example");
    assert_eq!(m.recipients[0].reason, Reason::OnHold);
    // The held message's own subject does not end the hold; the filter's words do.
    let quoted = held.replace(
        "Subject:    Contract",
        "Subject:    Re: Your offer was rejected",
    );
    assert_eq!(
        analyze(quoted.as_bytes()).messages[0].kind,
        Kind::DelayNotice
    );
    let ended = held.replace(
        "\n\n  From:",
        "\nThe message was deleted by your administrator.\n\n  From:",
    );
    assert_eq!(analyze(ended.as_bytes()).messages[0].kind, Kind::Bounce);
}

#[test]
fn a_delay_notice_that_a_later_notice_ends_is_superseded() {
    let delay = "This is the mail system at host mail.example-hosting.de.\n\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<anna@kunde.example>: connect to mx.kunde.example[198.51.100.7]:25:\n    Connection timed out\n\n";
    let failure = "This is the mail system at host mail.example-hosting.de.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n<anna@kunde.example>: host mx.kunde.example[198.51.100.7] said: 550 5.1.1\n    <anna@kunde.example>: Recipient address rejected: User unknown\n";
    let report = analyze(format!("{delay}{failure}").as_bytes());
    let kinds: Vec<_> = report
        .messages
        .iter()
        .map(|m| (m.kind, m.superseded))
        .collect();
    assert_eq!(kinds, [(Kind::DelayNotice, true), (Kind::Bounce, false)]);
    // A failure first and a delay after it: the delay is the newer news.
    let report = analyze(format!("{failure}\n{delay}").as_bytes());
    assert!(report.messages.iter().all(|m| !m.superseded));
    // Another recipient's failure leaves the delay standing.
    let other = failure.replace("anna@", "bert@");
    let report = analyze(format!("{delay}{other}").as_bytes());
    assert!(!report.messages[0].superseded);
    // A delay for two recipients, one of whom failed later: the other is still waiting.
    let two = delay.replace(
        "<anna@kunde.example>: connect",
        "<bert@kunde.example>: connect to mx.kunde.example[198.51.100.7]:25:\n    Connection timed out\n<anna@kunde.example>: connect",
    );
    let report = analyze(format!("{two}{failure}").as_bytes());
    assert_eq!(report.messages[0].recipients.len(), 2);
    assert!(!report.messages[0].superseded);
}

#[test]
fn a_providers_general_sentence_yields_to_the_reason_after_it() {
    let gmx = |reply: &str| {
        let bounce = format!(
            "<bob@gmx.de>: host mx00.emig.gmx.net[212.227.15.9] said: 550-Requested action not\n    taken: mailbox unavailable {reply} (in reply to RCPT TO command)\n"
        );
        first_reason(&bounce)
    };
    assert_eq!(
        gmx("550 5.2.1 mailbox inactive, account has not been used for a long time"),
        Reason::Suspend
    );
    assert_eq!(
        gmx("550 Mail rejected: sender domain SPF check failed"),
        Reason::AuthFailure
    );
    assert_eq!(
        gmx("550 For explanation visit https://postmaster.gmx.net"),
        Reason::UserUnknown
    );
}

#[test]
fn the_writers_signature_below_a_pasted_error_is_no_recipient() {
    let paste = "Hello,\nthe webmail shows this when I send our invitation:\n\n    Unable to send message;Reason:550 5.4.6 Unusual sending activity detected. Please try after sometime.\n\nWhat does this mean?\n\nRegards\nDieter\ndieter@verein.example\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert!(
        m.recipients.iter().all(|r| r.address.is_empty()),
        "{:?}",
        m.recipients
    );
    assert_eq!(m.recipients[0].reason, Reason::RateLimited);
}

#[test]
fn an_older_exchange_report_with_a_sentence_per_recipient_stays_one_notice() {
    let sentence =
        "Your message couldn't be delivered because you weren't recognized as a valid sender.";
    let paste = format!(
        "Delivery has failed to these recipients or groups:\n\na@one.example\n{sentence}\n\nb@two.example\n{sentence}\n\nDiagnostic information for administrators:\n\nGenerating server: DB9P190MB1522.EURP190.PROD.OUTLOOK.COM\n\na@one.example\nRemote Server returned '550 5.1.8 Access denied, bad outbound sender AS(42004)'\n\nb@two.example\nRemote Server returned '550 5.1.8 Access denied, bad outbound sender AS(42004)'\n"
    );
    let report = analyze(paste.as_bytes());
    assert_eq!(report.messages.len(), 1);
    assert_eq!(report.messages[0].recipients.len(), 2);
    assert_eq!(report.messages[0].recipients[0].reason, Reason::Rejected);
}

#[test]
fn a_forwarded_notice_is_read_by_its_own_words_not_its_returned_messages() {
    // The paste kept its subject line; the returned message's subject is German words
    // of a notice.
    let paste = "Subject: WG: Mail delivery failed\n\nHallo, ist das Spam?\n\nGruesse\nBernd\n\n-----Ursprüngliche Nachricht-----\nVon: Mail Delivery System <MAILER-DAEMON@smtp.provider.example>\nAn: bernd@example.org\nBetreff: Mail delivery failed: returning message to sender\n\n\
        This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  x@empfaenger.example\n    host mx.empfaenger.example [192.0.2.8]\n    SMTP error from remote mail server after RCPT TO:<x@empfaenger.example>:\n    550 5.1.1 <x@empfaenger.example>: Recipient address rejected: User unknown\n\n------ This is a copy of the message's headers. ------\n\nFrom: bernd@example.org\nTo: undisclosed-recipients:;\nSubject: Ihre Sendung konnte nicht zugestellt werden\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.format, "exim");
    assert_eq!(m.recipients[0].address, "x@empfaenger.example");
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn provider_words_for_limits_tls_and_missing_domains() {
    let reason = |reply: &str| {
        let bounce = format!(
            "<bob@empfaenger.example>: host mx.empfaenger.example[192.0.2.1] said: {reply}\n"
        );
        first_reason(&bounce)
    };
    assert_eq!(
        reason(
            "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade."
        ),
        Reason::RateLimited
    );
    assert_eq!(
        reason(
            "550 5.7.1 <bob@empfaenger.example>: Recipient address rejected: This recipient accepts only TLS-encrypted mail. Please use STARTTLS."
        ),
        Reason::FailedStartTls
    );
    assert_eq!(
        reason(
            "550 5.4.310 DNS domain empfaenger.example does not exist [Message=InfoDomainNonexistent]"
        ),
        Reason::HostUnknown
    );
}

#[test]
fn a_pasted_fake_quarantine_notice_asking_for_the_password_is_phishing() {
    let paste = "Von: E-Mail-Sicherheit <security-noreply@spamfilter-service.example>\nAn: Buchhaltung\nBetreff: Zurückgehaltene Nachrichten - Handlung erforderlich (3)\n\n\
        aufgrund eines Synchronisationsfehlers wurden 3 Nachrichten für Sie zurückgehalten:\n\n   rechnung@kundenkonto.example   Ihre Rechnung\n\n\
        JETZT FREIGEBEN [https://firma-de.quarantaene-freigabe.example/release?uid=buchhaltung]\n\nBitte melden Sie sich mit Ihrem aktuellen E-Mail-Passwort an.\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert!(m.warnings.iter().any(
        |w| matches!(w, Warning::Phishing { signs } if signs.iter().any(|s| s == "password_request"))
    ));
}

#[test]
fn a_notice_pasted_below_a_forward_separator_is_still_read() {
    let paste = "-----Original Message-----\nThis is the mail system at host mail.example.org.\n\n<x@empfaenger.example>: host mx.empfaenger.example[192.0.2.1] said: 550 5.2.1\n    mailbox disabled (in reply to RCPT TO command)\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(m.recipients[0].reason, Reason::Suspend);
}

#[test]
fn two_pasted_notices_that_end_alike_stay_two() {
    let notice = |to: &str, reply: &str| {
        format!(
            "Delivery has failed to these recipients or groups:\n\n{to}\nThe message couldn't be delivered.\n\nDiagnostic information for administrators:\n\nGenerating server: EX16.firma.local\n\n{to}\nRemote Server returned '{reply}'\n\n"
        )
    };
    // (Microsoft 365's newer layout opens with a sentence of its own.)
    let paste = notice("a@one.example", "550 5.1.1 User unknown")
        + &notice("b@two.example", "552 5.2.2 user is over quota").replace(
            "Delivery has failed to these recipients or groups:",
            "Your message to b@two.example couldn't be delivered.",
        );
    let report = analyze(paste.as_bytes());
    assert_eq!(report.messages.len(), 2);
    assert_eq!(report.messages[1].recipients[0].reason, Reason::MailboxFull);
}

#[test]
fn ordinary_mail_from_a_no_reply_address_is_no_notice() {
    let mail = "Return-Path: <noreply@verein.example>\nFrom: Verein <noreply@verein.example>\nTo: trainer@example.org\nSubject: Erinnerung: Training fällt aus\n\n\
        Das Training am Donnerstag fällt aus, die Halle ist gesperrt.\nBei Fragen: vorstand@verein.example\n";
    assert_eq!(analyze(mail.as_bytes()).messages[0].kind, Kind::NotABounce);
}

#[test]
fn a_thank_you_sentence_or_a_customers_greeting_keeps_the_recipient() {
    for opening in [
        "Thank you for using CloudHost Mail.",
        "Hi team, this came back.\nCheers",
        "Danke, Jens",
    ] {
        let paste = format!(
            "{opening}\nThe following recipients could not be reached:\n  sarah@bakery.example\n  550 5.2.2 Mailbox is full\n"
        );
        let m = &analyze(paste.as_bytes()).messages[0];
        assert_eq!(m.recipients[0].address, "sarah@bakery.example", "{opening}");
    }
}

#[test]
fn a_hold_that_ended_in_a_refusal_or_that_is_for_the_reader_is_no_delay() {
    let refused = "<x@empfaenger.example>: host mx.empfaenger.example[192.0.2.1] said: 550 5.7.1\n    message held for review and the administrator declined it (in reply to end of DATA command)\n";
    let m = &analyze(refused.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::Bounce);
    assert_ne!(m.recipients[0].reason, Reason::OnHold);
    let for_reader = "From: Email Security <postmaster@gateway.example.org>\nTo: anna@example.org\nSubject: A message for you is on hold\nAuto-Submitted: auto-generated\n\n\
        A message addressed to you has been held for review by an administrator.\n\nFrom: offers@supplier.example\nTo: sales@example.org\n";
    assert_eq!(
        analyze(for_reader.as_bytes()).messages[0].kind,
        Kind::NotABounce
    );
}

#[test]
fn a_receivers_unnamed_entry_hop_does_not_hide_the_users_own_login() {
    // The user's own server (no reverse name) greets with its host name; the login below
    // it is real.
    let misuse = report_returning(
        "Received: (qmail 28811 invoked from network); 1 Jan 2024 10:00:00 -0000\nReceived: from unknown (HELO mail.example.org) (203.0.113.9) by mx.empfaenger.example with SMTP; 1 Jan 2024 10:00:00 -0000\nReceived: from [198.51.100.4] (unknown [198.51.100.4]) by mail.example.org with ESMTPSA; Mon, 1 Jan 2024 09:59:00 +0000\n",
    );
    assert_eq!(likely_origin(&misuse), Some("account_misuse"));
}

#[test]
fn a_final_notice_after_days_of_temporary_errors_is_expired() {
    let qmail = "Hi. This is the qmail-send program at mail.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<x@empfaenger.example>:\nSorry, I wasn't able to establish an SMTP connection. (#4.4.1)\nI'm not going to try again; this message has been in the queue too long.\n";
    assert_eq!(first_reason(qmail), Reason::Expired);
    // Postfix's final 4.4.1 after five days of refused connections; the same refusal
    // bounced at once is a network error.
    let postfix = |last_attempt: &str| {
        let bounce = report_returning("")
            .replace(
                "Reporting-MTA: dns; mail.example.org\n",
                "Reporting-MTA: dns; mail.example.org\nArrival-Date: Mon, 1 Jan 2024 10:00:00 +0000\n",
            )
            .replace(
                "Action: failed\nStatus: 5.1.1",
                &format!("Action: failed\nStatus: 4.4.1\nLast-Attempt-Date: {last_attempt}\nDiagnostic-Code: X-Postfix; connect to mx.empfaenger.example[192.0.2.1]:25: Connection refused"),
            );
        first_reason(&bounce)
    };
    assert_eq!(postfix("Sat, 6 Jan 2024 10:00:00 +0000"), Reason::Expired);
    assert_eq!(
        postfix("Mon, 1 Jan 2024 10:00:03 +0000"),
        Reason::NetworkError
    );
}

#[test]
fn an_infected_host_on_a_block_list_is_blocked_not_a_virus() {
    let bounce = "<x@empfaenger.example>: host mx.empfaenger.example[192.0.2.1] said: 550 5.7.1 Rejected because 203.0.113.88 is listed at xbl.spamhaus.org (127.0.0.4): Your host appears to be infected or to run an open proxy (in reply to RCPT TO command)\n";
    assert_eq!(first_reason(bounce), Reason::Blocked);
}

#[test]
fn exchanges_internal_authentication_header_is_a_login() {
    let sbs = report_returning(
        "Received: from WIN-GKL3M2 (196.251.70.14) by SBS2011.example.local (192.168.1.10) with Microsoft SMTP Server id 14.3.513.0; Sun, 16 Mar 2025 02:13:58 +0100\nX-MS-Exchange-Organization-AuthAs: Internal\n",
    );
    assert_eq!(likely_origin(&sbs), Some("account_misuse"));
}

#[test]
fn the_users_own_server_greeting_with_the_bare_domain_is_no_forgery() {
    // qmail names the host it looked up first: this one has a name of its own, so the
    // user's own server below it is real.
    let own = report_returning(
        "Received: from mail.example.org (HELO example.org) (203.0.113.9) by mx.empfaenger.example with SMTP; 1 Jan 2024 10:00:00 -0000\nReceived: from PC-BUERO01 (pc-buero01.firma.local [192.168.10.21]) by mail.example.org (Postfix) with ESMTP id 4ZrS9; Mon, 1 Jan 2024 10:59:58 +0100\n",
    );
    assert_ne!(likely_origin(&own), Some("forged_sender"));
}

#[test]
fn a_rate_limit_at_the_end_of_a_reply_still_counts() {
    let bounce = "<x@empfaenger.example>: host mx.empfaenger.example[192.0.2.1] said: 421 4.7.0 Try again later -\n";
    assert_eq!(first_reason(bounce), Reason::RateLimited);
}

#[test]
fn a_link_with_a_portals_name_before_an_at_sign_is_not_the_portals() {
    let digest = "From: Quarantine <quarantine@secure-mail-notice.example>\nTo: anna@example.org\nSubject: Quarantine summary: 3 messages held\n\n\
        Three messages are waiting. Release them here:\nhttps://cp.hornetsecurity.com:443@login-secure-mail.example/release?u=anna\n";
    let m = &analyze(digest.as_bytes()).messages[0];
    assert!(
        m.warnings
            .iter()
            .any(|w| matches!(w, Warning::Phishing { .. }))
    );
}

#[test]
fn arf_fields_count_only_pasted_or_forwarded() {
    let fields = "Feedback-Type: abuse\nUser-Agent: Yahoo!-Mail-Feedback/2.0\nVersion: 0.1\nSource-IP: 203.0.113.25\n";
    let pasted = format!(
        "This is an email abuse report for an email message received from IP 203.0.113.25.\n\n{fields}"
    );
    assert_eq!(
        analyze(pasted.as_bytes()).messages[0].kind,
        Kind::ComplaintReport
    );
    // A developer's mail that shows the format is none.
    let mail = format!(
        "From: dev@example.org\nTo: team@example.org\nSubject: ARF parsing\n\nThe reports look like this:\n\n{fields}"
    );
    assert_ne!(
        analyze(mail.as_bytes()).messages[0].kind,
        Kind::ComplaintReport
    );
}

#[test]
fn a_quarantine_alert_about_the_readers_incoming_mail_is_no_bounce() {
    let alert = "Return-Path: <noreply@gateway.example.org>\nFrom: Email Security <noreply@gateway.example.org>\nTo: einkauf@example.org\nSubject: Message blocked: Angebot\n\n\
        A message addressed to einkauf@example.org was blocked because it contained a macro.\nFrom: offers@supplier.example\n";
    assert_eq!(analyze(alert.as_bytes()).messages[0].kind, Kind::NotABounce);
}

#[test]
fn a_mailbox_barred_for_spam_gets_a_firm_verdict() {
    let barred = report_returning("")
        .replace(
            "said: 550 5.1.1 User unknown",
            "said: 550 5.1.8 Access denied, bad outbound sender AS(42004)",
        )
        .replace("Status: 5.1.1", "Status: 5.1.8");
    let m = analyze(barred.as_bytes()).messages.remove(0);
    let origin = explain(&m, Lang::En).origin.expect("an origin verdict");
    assert!(origin.verdict.contains("barred"), "{}", origin.verdict);
}

/// A bounce of a forged message, its returned headers below a notice without a code.
fn backscatter(received: &str, spf: &str) -> String {
    format!(
        "From: Mail Router <Mail.Router@tanaka.example.jp>\nTo: haas@haas-gmbh.example\nSubject: DELIVERY FAILURE: User Ryo Tanaka not listed in Domino Directory\n\nYour message\n\n  Subject: remittance advice\n\nwas not delivered to:\n\n  ryo@tanaka.example.jp\n\nbecause:\n\n  User Ryo Tanaka (ryo@tanaka.example.jp) not listed in Domino Directory\n\nReceived: {received}\n\tby gw.tanaka.example.jp (Postfix) with SMTP id 2A1F0C0031; Wed, 19 Mar 2025 02:47:44 +0900\n{spf}From: haas@haas-gmbh.example\nTo: ryo@tanaka.example.jp\nSubject: remittance advice\n"
    )
}

#[test]
fn received_spf_in_the_returned_headers_is_the_receivers_verdict() {
    let fail = "Received-SPF: fail (gw.tanaka.example.jp: domain of haas-gmbh.example does not designate 203.0.113.240 as permitted sender) client-ip=203.0.113.240\n";
    let from_stranger = "from [203.0.113.240] (unknown [203.0.113.240])";
    assert_eq!(
        likely_origin(&backscatter(from_stranger, fail)),
        Some("forged_sender")
    );
    let pass = fail
        .replace("fail", "pass")
        .replace("does not designate", "designates");
    assert_ne!(
        likely_origin(&backscatter(from_stranger, &pass)),
        Some("forged_sender")
    );
    // Received-SPF that names the domain only in its comment.
    let short = "Received-SPF: fail (haas-gmbh.example: 203.0.113.240 is not authorized)\n";
    assert_eq!(
        likely_origin(&backscatter(from_stranger, short)),
        Some("forged_sender")
    );
}

#[test]
fn an_exim_hop_from_a_business_line_greeting_with_the_bare_domain_is_no_sign() {
    // A small firm's own server behind a generic name, or a spam bot: the form alone
    // cannot tell.
    let signs = |mail: String| {
        let m = &analyze(mail.as_bytes()).messages[0];
        bounce_explainer::situations::origin_signs(m).map_or(Vec::new(), |o| o.signs)
    };
    for hop in [
        "from static-198-51-100-3.business.carrier.example ([198.51.100.3] helo=haas-gmbh.example)",
        "from mail.haas-gmbh.example ([198.51.100.3] helo=haas-gmbh.example)",
    ] {
        let origin = signs(backscatter(hop, ""));
        assert!(!origin.contains(&"foreign_machine"), "{hop}: {origin:?}");
    }
}

#[test]
fn words_of_a_rate_limit_outrank_the_ip_they_name() {
    let swisscom = "<nicole@bluewin.example>: host mx.bluewin.example[192.0.2.8] said: 421 4.7.0 [198.51.100.45] Too many connections / messages from your IP address in a short time. Rate limited by Swisscom, please try again later.\n";
    assert_eq!(first_reason(swisscom), Reason::RateLimited);
    let microsoft = "<a@outlook.example>: host mx.outlook.example[192.0.2.9] said: 451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation.\n";
    assert_eq!(first_reason(microsoft), Reason::BadReputation);
    let listed = "<a@x.example>: host mx.x.example[192.0.2.9] said: 554 5.7.1 client [198.51.100.45] is blacklisted: too many spam reports for this IP in a short time\n";
    assert_eq!(first_reason(listed), Reason::Blocked);
}

#[test]
fn a_providers_limit_for_the_account_is_the_senders_sending_limit() {
    let infomaniak = "This is the mail system at host mail.infomaniak.example.\n\n<eltern@fc.example>: 550 5.7.1 Sending limit exceeded: you\n    have sent more than 500 messages in the last hour from this account.\n";
    let e = explain(&analyze(infomaniak.as_bytes()).messages[0], Lang::En);
    assert_eq!(e.who, "sender");
}

#[test]
fn a_pec_notice_that_names_the_addressee_as_destinato_is_read() {
    let pec = "From: posta-certificata@pec.provider.example\nTo: amministrazione@pec.meier.example\nSubject: AVVISO DI MANCATA CONSEGNA: Fattura\nX-Ricevuta: errore-consegna\n\nAvviso di mancata consegna\nIl giorno 19/03/2024 alle ore 10:15:28 (+0100) nel messaggio\n\"Fattura\" proveniente da \"amministrazione@pec.meier.example\"\ne destinato all'utente \"ufficio@pec.verdi.example\"\nè stato rilevato un errore 5.1.1 - casella inesistente.\nIdentificativo messaggio: opec21037.20240319101528.118760.11.1.62@pec.provider.example\n";
    let m = &analyze(pec.as_bytes()).messages[0];
    let got: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(got, ["ufficio@pec.verdi.example"]);
    assert_eq!(m.recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn a_polish_fake_notice_pasted_with_its_header_lines_is_phishing() {
    let fake = "Od: Administrator poczty <postmaster@poczta-admin.example.com>\nDo: kasia@gastro.example\nTemat: Niedostarczone wiadomości (5) - Mail Delivery Failure\n\n5 wiadomości przychodzących nie zostało dostarczonych (kod błędu 550 5.2.1).\n\nAby odzyskać wstrzymane wiadomości, zweryfikuj swoje konto w ciągu 24 godzin:\nhttps://gastro.webmail-verify.example.net/login?u=kasia\n";
    let m = &analyze(fake.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(matches!(
        m.warnings[0],
        bounce_explainer::report::Warning::Phishing { .. }
    ));
}

#[test]
fn words_of_the_cause_decide_over_codes_in_everyday_notices() {
    let gmx = "<gerda@gmx.example>: host mx00.gmx.example[192.0.2.9] said: 552-Requested mail action aborted: exceeded mailsize limit\n    552 For explanation visit https://postmaster.gmx.example/en/case (in reply to end of DATA command)\n";
    assert_eq!(first_reason(gmx), Reason::EmailTooLarge);
    let exim_delay = "This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on relay.example.net.\n\n  kontakt@studio.example\n    host mx.studio.example [192.0.2.77]\n    Delay reason: Connection refused\n\nNo action is required on your part. Delivery attempts will continue for\nsome time.\n";
    let m = &analyze(exim_delay.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(m.recipients[0].reason, Reason::NetworkError);
}

#[test]
fn a_reply_that_refuses_the_senders_address_names_no_recipient() {
    let thunderbird = "Thunderbird zeigt das hier:\n\nSenden der Nachricht fehlgeschlagen.\nBeim Senden der Nachricht ist ein Fehler aufgetreten. Der Mail-Server antwortete:\n5.7.1 <kontakt@yoga.example>: Sender address rejected: not owned by user sabine@mailbox.example.\nBitte überprüfen Sie die Empfängeradresse \"anfragen@yoga.example\" und versuchen Sie es erneut.\n";
    let m = &analyze(thunderbird.as_bytes()).messages[0];
    let got: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(got, ["anfragen@yoga.example"]);
}

#[test]
fn received_spf_from_an_internal_hop_or_after_a_login_is_no_verdict_on_the_sender() {
    let internal = "Received-SPF: softfail (gw.tanaka.example.jp: domain of haas-gmbh.example does not designate 10.20.1.2 as permitted sender) client-ip=10.20.1.2\n";
    let own = "from mail.haas-gmbh.example (mail.haas-gmbh.example [198.51.100.3])";
    assert_ne!(
        likely_origin(&backscatter(own, internal)),
        Some("forged_sender")
    );
    let fail = "Received-SPF: fail (gw.tanaka.example.jp: domain of haas-gmbh.example does not designate 198.51.100.3 as permitted sender)\n";
    assert_eq!(
        likely_origin(&backscatter(own, fail)),
        Some("forged_sender")
    );
    let login = "from mail.haas-gmbh.example (mail.haas-gmbh.example [198.51.100.3])\n\tby gw.tanaka.example.jp with ESMTPSA id 1A2B; Wed, 19 Mar 2025 02:47:40 +0100\nReceived: from pc (p5b0c.dip0.t-ipconnect.example [198.51.100.9])";
    assert_ne!(
        likely_origin(&backscatter(login, fail)),
        Some("forged_sender")
    );
}

#[test]
fn a_notices_own_headers_pasted_below_the_customers_words_are_no_returned_message() {
    let paste = "My message to the school was rejected, here is what Gmail showed:\n\nReceived: by 2002:a05:6a10:1234 with SMTP id x; Mon, 3 Mar 2025 10:00:00 -0800\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: petra@gmail.example\nSubject: Delivery Status Notification (Failure)\n\nAddress not found\nYour message wasn't delivered to sekretariat@schule.example because the address couldn't be found.\n\nThe response was:\n550 5.1.1 The email account that you tried to reach does not exist.\n";
    let m = &analyze(paste.as_bytes()).messages[0];
    assert!(
        m.original
            .as_ref()
            .is_none_or(|o| o.subject.as_deref() != Some("Delivery Status Notification (Failure)")),
        "{:?}",
        m.original
    );
}

#[test]
fn a_receivers_limit_for_an_ip_is_not_the_senders_own_sending_limit() {
    let delay = "<k.weber@stadt.example>: host mx.stadt.example[192.0.2.4] said: 450 4.7.1 Sending limit exceeded for 198.51.100.45\n";
    let e = explain(&analyze(delay.as_bytes()).messages[0], Lang::En);
    assert_ne!(e.who, "sender");
}

#[test]
fn a_recipients_own_receive_limit_leaves_the_sender_to_wait() {
    let exchange = "Delivery has failed to these recipients or groups:\n\nbuero@kunde.example\n\nDiagnostic information for administrators:\n\nbuero@kunde.example\nRemote Server returned '550 5.2.122 RecipientThrottled; Recipient's per-hour message receive limit exceeded.'\n";
    let m = &analyze(exchange.as_bytes()).messages[0];
    assert_eq!(m.recipients[0].reason, Reason::RateLimited);
    assert_eq!(explain(m, Lang::En).who, "sender");
}

#[test]
fn a_german_exchange_report_names_its_server_and_the_remote_one() {
    let ndr = "Fehler bei der Zustellung an folgende Empfänger oder Gruppen:\n\neinkauf@prenzel.example\nIhre Nachricht wurde nicht zugestellt.\n\nDiagnoseinformationen für Administratoren:\n\nGenerierender Server: SRV-EX2016.wendt.local\n\neinkauf@prenzel.example\nsmtp.relay-hosting.example.net\nRemoteserver hat '550 5.7.1 <einkauf@prenzel.example>: Relay access denied' zurückgegeben\n";
    let m = &analyze(ndr.as_bytes()).messages[0];
    assert_eq!(m.reporting_mta.as_deref(), Some("srv-ex2016.wendt.local"));
    let r = &m.recipients[0];
    assert_eq!(
        r.remote_mta.as_deref(),
        Some("smtp.relay-hosting.example.net")
    );
    assert_eq!(r.reason, Reason::NoRelaying);
    // The on-premises server's relay refused it: its administrator sets up the login.
    assert_eq!(explain(m, Lang::De).who, "sender_provider");
}
