//! Errors a mail program shows when it cannot send, and transport trouble on the way
//! to the recipient (encryption, DNS), as users paste them.

use bounce_explainer::explain::explain;
use bounce_explainer::report::{Kind, Message, Reason, Warning};
use bounce_explainer::{Lang, analyze};

fn first(input: &str) -> Message {
    analyze(input.as_bytes()).messages.remove(0)
}

fn topic(m: &Message) -> String {
    explain(m, Lang::En).topic
}

fn who(m: &Message) -> &'static str {
    explain(m, Lang::En).who
}

/// The first message read from a review's fixture file.
fn review_fixture(review: &str, file: &str) -> Message {
    let path = format!(
        "{}/tests/fixtures/{review}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let input = std::fs::read(&path).expect("fixture exists");
    analyze(&input).messages.remove(0)
}

/// Checks each (file, kind, who, topic) of a review's fixtures, and that none carries a
/// phishing warning it should not.
fn expect_readings(review: &str, cases: &[(&str, Kind, &str, &str)]) {
    for &(file, kind, expected_who, expected_topic) in cases {
        let m = review_fixture(review, file);
        assert_eq!(
            (m.kind, who(&m), topic(&m).as_str()),
            (kind, expected_who, expected_topic),
            "{file}"
        );
        assert_eq!(warned(&m), expected_topic == "situation.phishing", "{file}");
    }
}

/// True if the message carries a phishing warning.
fn warned(m: &Message) -> bool {
    m.warnings
        .iter()
        .any(|w| matches!(w, Warning::Phishing { .. }))
}

/// (address, reason) of the first recipient.
fn recipient(m: &Message) -> (&str, Reason) {
    let r = &m.recipients[0];
    (r.address.as_str(), r.reason)
}

#[test]
fn a_mail_program_that_cannot_reach_its_outgoing_server() {
    // Forwarded below a person's words, under a separator whose sender is the program.
    let outlook = "Hi Dan,\n\nthis popped up again, the quote is still in my outbox.\n\n\
        > -----Original Message-----\n> From: Outlook\n> Sent: Thursday, 11 April 2024 8:52 AM\n>\n\
        > Task 'info@kayaks.example - Sending' reported error (0x8004210B) :\n\
        > 'The operation timed out waiting for a response from the sending (SMTP)\n\
        > server. If you continue to receive this message, contact your server\n\
        > administrator or Internet service provider (ISP).'\n";
    let m = first(outlook);
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(recipient(&m), ("", Reason::NetworkError));
    assert_eq!(topic(&m), "situation.outgoing_server_unreachable");
    assert_eq!(who(&m), "sender");
    let thunderbird = "Sending of the message failed.\nAn error occurred while sending mail: \
        Unable to establish a secure link with Outgoing server (SMTP) mail.farm.example using \
        STARTTLS since it doesn't advertise that feature.\n";
    let m = first(thunderbird);
    assert_eq!(recipient(&m), ("", Reason::FailedStartTls));
    assert_eq!(topic(&m), "situation.outgoing_server_unreachable");
    // A script's timeout is no expired message: nothing was ever queued.
    let script = "The order emails are not sent. The plugin log says:\n\n\
        SMTP Error: Could not connect to SMTP host. Failed to connect to server\n\
        SMTP ERROR: Failed to connect to server: Connection timed out (110)\n\
        SMTP connect() failed.\n";
    let m = first(script);
    assert_eq!(recipient(&m), ("", Reason::NetworkError));
    assert_eq!(topic(&m), "situation.outgoing_server_unreachable");
    // A login refused in web mail, with the code in brackets.
    let webmail = "Beim Klick auf Senden steht unten:\n\nSMTP-Fehler (535): Authentifizierung fehlgeschlagen.\n";
    assert_eq!(recipient(&first(webmail)), ("", Reason::SecurityError));
}

#[test]
fn send_errors_name_the_refused_recipient() {
    // Outlook names the refused address; the server's reply is about the sender's own.
    let outlook = "Fehler (0x800CCC79) beim Ausführen der Aufgabe \"Firma - Senden\": \"Die \
        Nachricht konnte nicht gesendet werden, da einer der Empfänger vom Server \
        zurückgewiesen wurde. Die zurückgewiesene E-Mail-Adresse war \"angebote@roth.example\". \
        Serverantwort: \"553 5.7.1 <info@bauer.example>: Sender address rejected: not owned by \
        user k.bauer@bauer.example\", Port: 587, Serverfehler: 553\"\n";
    assert_eq!(
        recipient(&first(outlook)),
        ("angebote@roth.example", Reason::Rejected)
    );
    // A Python dict's quote and brace are no part of the address.
    let python = "smtplib.SMTPRecipientsRefused: {'k.nowak@dom.example': (550, b'5.1.1 \
        <k.nowak@dom.example>: Recipient address rejected: User unknown')}\n";
    assert_eq!(recipient(&first(python)).0, "k.nowak@dom.example");
    // A device's job log, forwarded: its "Not Delivered" row and the server's reply.
    let scanner = "> -----Ursprüngliche Nachricht-----\n> Von: Scanner 3F <scan@firma.example>\n\
        > Gesendet: Montag, 13. Mai 2024 10:04\n> An: it@firma.example\n\
        > Betreff: E-mail Confirmation Report\n>\n> Job Status: Failed\n>\n\
        > t.okonkwo@freight.example    Not Delivered\n>\n\
        > Reason: The SMTP server rejected the recipient.\n\
        > SMTP server response: 550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain\n";
    assert_eq!(
        recipient(&first(scanner)),
        ("t.okonkwo@freight.example", Reason::NoRelaying)
    );
}

#[test]
fn codes_and_words_of_common_refusals() {
    // Postfix answers 450 4.1.2 for a domain without DNS records: it does not exist.
    let domain = "Mail server rejected recipient: 4.1.2 <anmeldung@segelschule.dee>: Recipient \
        address rejected: Domain not found\n";
    assert_eq!(recipient(&first(domain)).1, Reason::HostUnknown);
    // Postfix's size refusal outweighs the file type a scanner's log names.
    let size = "Dateityp: PDF\nFehlerdetail: Die Übertragung an den SMTP-Server ist fehlgeschlagen. \
        Antwort des Servers: 552 5.3.4 Error: message file too big\nEmpfänger: lager@spedition.example\n";
    assert_eq!(recipient(&first(size)).1, Reason::EmailTooLarge);
    // Exchange Online's daily submission limit.
    let quota = "Delivery has failed to these recipients or groups:\n\nb.quast@dach.example\n\
        554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to \
        process message due to a permanent exception\n";
    let m = first(quota);
    assert_eq!(recipient(&m).1, Reason::RateLimited);
    assert_eq!(topic(&m), "situation.sending_limit_reached");
    // GMX: a missing header, and a sender domain without DNS records.
    let rfc = "<w.eberle@gmx.de>: host mx00.emig.gmx.net[212.227.15.9] said: 554-Transaction \
        failed 554-Reject due to policy restrictions. 554-Message is not RFC 5322 compliant: \
        header field \"Message-ID\" is missing. (in reply to end of DATA command)\n";
    let m = first(rfc);
    assert_eq!(recipient(&m).1, Reason::NotCompliantRfc);
    assert_eq!(who(&m), "sender_provider");
    let dns = "<wein@gmx.net>: host mx01.emig.gmx.net[212.227.17.5] said: 550-Requested action \
        not taken: mailbox unavailable 550 invalid DNS MX or A/AAAA resource record (in reply \
        to MAIL FROM command)\n";
    let m = first(dns);
    assert_eq!(recipient(&m).1, Reason::Rejected);
    assert_eq!(topic(&m), "situation.sender_domain_unverified");
    // A Microsoft code of its own numbering names Microsoft in a paste without servers.
    let m365 = "leonie@outlook.de\nYour message wasn't delivered because the recipient's email \
        system doesn't accept mail from senders whose domain isn't properly authenticated.\n\
        Status code: 550 5.7.515\n";
    assert_eq!(recipient(&first(m365)).1, Reason::AuthFailure);
    // A delivery report's "rfc822" address type says nothing about the format rules.
    let typed = "Final-Recipient: rfc822; a@b.example\nContent-Type: message/rfc822\n\
        550 5.7.1 Message rejected due to content policy (attachment)\n";
    assert_ne!(recipient(&first(typed)).1, Reason::NotCompliantRfc);
}

#[test]
fn broken_encryption_or_dns_on_the_recipients_side() {
    let expired = "<office@haas.example>: TLS is required, but host mail.haas.example[203.0.113.7] \
        certificate verification failed: certificate has expired\n";
    let m = first(expired);
    assert_eq!(recipient(&m).1, Reason::FailedStartTls);
    assert_eq!(topic(&m), "situation.recipient_tls_broken");
    assert_eq!(who(&m), "recipient_provider");
    let dane = "booking@fjord.example\nRemote server returned '550 5.7.323 tlsa-invalid: The \
        domain failed DANE validation'\n";
    assert_eq!(recipient(&first(dane)).1, Reason::FailedStartTls);
    // Gmail's notice: the reply stands below a sentence that points at it.
    let gmail = "** Message not delivered **\n\nThere was a problem delivering your message to \
        bookings@camping.example. See the technical details below.\n\nThe response was:\n\n\
        TLS Negotiation failed, the certificate doesn't match the host.\n";
    assert_eq!(topic(&first(gmail)), "situation.recipient_tls_broken");
    // The sending side's own relay (named like the server that wrote the notice) is not
    // the recipient's.
    let own = "This is the mail system at host fileserver.surveying.example.\n\n\
        <payables@civil.example>: TLS is required, but host relay.surveying.example[10.44.0.3] \
        certificate verification failed: certificate has expired\n";
    let m = first(own);
    assert_eq!(recipient(&m).1, Reason::FailedStartTls);
    assert_eq!(who(&m), "sender_provider");
    // The recipient domain's MX names a host that does not exist.
    let mx = "<einkauf@holzhandel.example>: Host or domain name not found. Name service error \
        for name=mx.it-service.example type=A: Host not found\n";
    let m = first(mx);
    assert_eq!(recipient(&m).1, Reason::HostUnknown);
    assert_eq!(topic(&m), "situation.mx_host_missing");
    // A typo in the domain itself stays the sender's to fix.
    let typo = "<a@gmial.com>: Host or domain name not found. Name service error for \
        name=gmial.com type=A: Host not found\n";
    assert_eq!(who(&first(typo)), "sender");
}

#[test]
fn notices_in_other_languages() {
    let italian = "From: Mail Delivery System <Mailer-Daemon@smtp.tiscali.example>\n\
        Subject: Avviso: messaggio 1sD2xQ in ritardo di 24 ore\n\n\
        Un messaggio che hai inviato non è ancora stato recapitato a uno o più destinatari.\n\n\
          laboratorio@ceramiche.example\n\n\
        Non è richiesta alcuna azione da parte tua. I tentativi di consegna continueranno.\n";
    assert_eq!(first(italian).kind, Kind::DelayNotice);
    let gmail = "** Zustellung unvollständig **\n\nBei der Zustellung deiner Nachricht an \
        bau@gruber.example ist ein vorübergehendes Problem aufgetreten. Gmail versucht es noch \
        44 Stunden lang. Du wirst benachrichtigt, wenn die Zustellung dauerhaft fehlschlägt.\n\n\
        Die Antwort war:\nThe recipient server did not accept our requests to connect.\n";
    let m = first(gmail);
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(recipient(&m).1, Reason::NetworkError);
    let moved = "From: Teresa <teresa@sapo.example>\nSubject: Resposta automática\n\
        Auto-Submitted: auto-replied\n\nEste endereço de e-mail deixou de ser utilizado. \
        Passei a usar o endereço teresa@arquitetos.example\n";
    assert_eq!(recipient(&first(moved)).1, Reason::HasMoved);
    // A flattened Dutch notice: the sender's label keeps its address off the list.
    let dutch = "Uw bericht voor planning@dak.example kan niet worden bezorgd.\n\n\
        Adres van afzender:\nbram@solar.example\nAdres van ontvanger:\nplanning@dak.example\n\n\
        Gerapporteerde fout:\n550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient \
        planning@dak.example not found by SMTP address lookup\n";
    let m = first(dutch);
    assert_eq!(recipient(&m), ("planning@dak.example", Reason::UserUnknown));
    assert_eq!(m.recipients.len(), 1);
    // Exchange's heading "Ursprüngliche Nachrichtendetails" is no returned original: the
    // reported error below it is the server's reply.
    let exchange = "Ihre Nachricht an rechnung@bachmann.example konnte nicht übermittelt werden.\n\n\
        Statuscode: 550 5.7.1\n\nUrsprüngliche Nachrichtendetails\nErstellungsdatum: 11.03.2025\n\
        Absenderadresse: s.kempf@kempf.example\nEmpfängeradresse: rechnung@bachmann.example\n\n\
        Fehlerdetails\nGemeldeter Fehler: 550 DMARC Sender Invalid - envelope rejected\n";
    assert_eq!(recipient(&first(exchange)).1, Reason::AuthFailure);
    // iCloud's "local policy" refusals concern the sending server.
    let icloud = "<t.w@me.com>: host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [HM08] \
        Message rejected due to local policy. (in reply to MAIL FROM command)\n";
    assert_eq!(recipient(&first(icloud)).1, Reason::BadReputation);
}

#[test]
fn fake_notices_in_french_and_from_a_message_center() {
    let orange = "From: \"Orange Messagerie - Service Remise\" <no-reply@srv-notif.example>\n\
        To: m.couture@orange.fr\nSubject: Non remis : 5 messages entrants\n\
        Content-Type: text/html; charset=UTF-8\n\n<html><body><p>Le système a retenu 5 messages \
        entrants. Pour récupérer vos messages, veuillez confirmer vos identifiants :</p>\
        <p><a href=\"https://orange-messagerie.web-validation.example/connexion?id=1\">Récupérer \
        mes messages</a></p></body></html>\n";
    let center = "From: \"Microsoft 365 Message Center\" <info@pflegedienst.example>\n\
        To: buchhaltung@gartenbau.example\n\
        Subject: Action Required: Outbound mail suspended - sender authentication failed\n\n\
        Please re-validate your account credentials within 24 hours:\n\
        https://m365-sender-verification.portal.example/login?e=buchhaltung\n";
    for fake in [orange, center] {
        let m = first(fake);
        assert_eq!(m.kind, Kind::NotABounce);
        assert!(warned(&m));
    }
}

/// Inputs a review of the changes above found misread, each with what it must give:
/// (file, kind, who, topic).
#[test]
fn inputs_a_review_of_these_readings_found_misread() {
    let cases = [
        // A recipient's MX named `smtp…`, or with "dane" in its name, is no trouble of
        // the sender's own program or of encryption.
        (
            "01-godaddy-mx-timeout-read-as-own-outgoing-server.eml",
            Kind::Bounce,
            "recipient_provider",
            "reason.expired",
        ),
        (
            "01b-orange-mx-delay-read-as-own-outgoing-server.txt",
            Kind::DelayNotice,
            "nobody",
            "kind.delay_notice",
        ),
        (
            "02-dane-substring-in-host-name-timeout.eml",
            Kind::Bounce,
            "recipient_provider",
            "reason.expired",
        ),
        // The sender's own relay with an expired certificate is the sender's side's.
        (
            "03-own-smarthost-cert-expired-blamed-on-recipient.eml",
            Kind::Bounce,
            "sender_provider",
            "reason.failedstarttls",
        ),
        // Words of people, and a forwarded person's mail, are no notices.
        (
            "04-script-own-server-cert-expired.txt",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "05-personal-note-could-not-be-sent-read-as-bounce.txt",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "06-forwarded-customer-complaint-read-as-bounce.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // Genuine notices named "messagerie" or about outbound mail are no phishing.
        (
            "07-legit-university-messagerie-notice-flagged-phishing.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "07b-french-parcel-carrier-messagerie-flagged-phishing.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "07c-esp-weekly-outbound-mail-report-flagged-phishing.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // "in ritardo di" in a returned subject makes no delay.
        (
            "08-italian-ndr-subject-in-ritardo-read-as-delay.eml",
            Kind::Bounce,
            "sender",
            "reason.undefined",
        ),
        // The sender's own relay host that does not resolve is no recipient's MX.
        (
            "09-own-relayhost-unresolvable-blamed-on-recipient-mx.eml",
            Kind::Bounce,
            "sender",
            "reason.hostunknown",
        ),
        // Exchange Online's own server name in a notice does not make the recipient's
        // certificate the sender's.
        (
            "10-exchange-online-recipient-cert-expired-own-relay.eml",
            Kind::Bounce,
            "recipient_provider",
            "situation.recipient_tls_broken",
        ),
        // A customer's words about the outgoing server are no program's error.
        (
            "12-user-words-become-diagnostic-outgoing-server.txt",
            Kind::Bounce,
            "recipient_provider",
            "reason.expired",
        ),
        // A fax number that is no longer in use does not mean the person left.
        (
            "16-italian-vacation-fax-non-piu-attivo-read-as-left.eml",
            Kind::AutoReply,
            "nobody",
            "kind.auto_reply",
        ),
        // Outlook's errors while receiving are no failed sending.
        (
            "17-outlook-receiving-error-read-as-send-failure.txt",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "17b-outlook-receiving-error-read-as-send-failure-en.txt",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // An MX host under the recipient's own domain that does not exist.
        (
            "18-mx-host-in-own-domain-missing-blamed-on-typo.txt",
            Kind::Bounce,
            "recipient_provider",
            "situation.mx_host_missing",
        ),
        // Microsoft's other DANE codes.
        (
            "20-microsoft-dane-5.7.325-not-recognised.txt",
            Kind::Bounce,
            "recipient_provider",
            "situation.recipient_tls_broken",
        ),
        (
            "20b-microsoft-dane-5.7.322-not-recognised.txt",
            Kind::Bounce,
            "recipient_provider",
            "situation.recipient_tls_broken",
        ),
    ];
    expect_readings("review3", &cases);
}

#[test]
fn security_gateways_and_providers_abroad() {
    let reason = |diag: &str| {
        let bounce = format!(
            "<rcpt@firma.example>: host mx.firma.example[192.0.2.1] said: {diag} (in reply to RCPT TO command)\n"
        );
        first(&bounce).recipients[0].reason
    };
    assert_eq!(
        reason(
            "553-you are trying to use me [server-6.tower-715.messagelabs.com] as a relay, but I have not been configured to let you do this."
        ),
        Reason::NoRelaying
    );
    assert_eq!(
        reason(
            "554 5.7.1 Abgewiesen: Spam Confidence Level 8 (Filter: Spam URI Realtime Blocklists)"
        ),
        Reason::SpamDetected
    );
    assert_eq!(
        reason("550 DMARC Sender Invalid - envelope rejected"),
        Reason::AuthFailure
    );
    assert_eq!(
        reason(
            "550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy"
        ),
        Reason::PolicyViolation
    );
    assert_eq!(
        reason("550 #5.1.0 Address rejected r.castillo@firma.example"),
        Reason::UserUnknown
    );
    // NetEase's rate limit; the word in its help link's path is no reason.
    assert_eq!(
        reason("451 MI:SFQ 1730702113 http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.9"),
        Reason::RateLimited
    );
    assert_eq!(
        reason(
            "554 DT:SPM 163 mx3,O8CowAD3rxTWx05nD0X2Aw--.40922S2 1733211736, please see http://mail.163.com/help/help_spam_16.htm"
        ),
        Reason::SpamDetected
    );
    let russian = "From: Alexei <a.lebedev@stroy.example>\nTo: buh@partner.example\n\
        Subject: Автоматический ответ: Счёт 417\nX-MS-Exchange-Organization-AutoReply: 1\n\n\
        Я больше не работаю в компании. Мой новый адрес: a.lebedev@novaya.example\n";
    let m = first(russian);
    assert_eq!(m.kind, Kind::AutoReply);
    assert_eq!(recipient(&m).1, Reason::HasMoved);
    let japanese = "From: メールシステム管理者 <postmaster@fujimoto-seimitsu.example>\n\
        To: t.fujimoto@fujimoto-seimitsu.example\nSubject: 【重要】メールボックス容量超過のため受信メールが保留されています\n\
        Content-Type: text/html; charset=utf-8\n\n<p>24時間以内に下記ボタンから容量を無料で拡張しない場合、保留中のメールは削除されます。</p>\
        <p><a href=\"https://fujimoto-seimitsu-co-jp.storage-center.example/upgrade/\">保留中のメールを受信する</a></p>\n";
    let m = first(japanese);
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(warned(&m));
}

/// Inputs a second review found misread after the first round of fixes:
/// (file, kind, who, topic).
#[test]
fn inputs_a_second_review_found_misread() {
    let cases = [
        // Block-list lookup links in a refusal keep deciding its reason.
        (
            "01-proofpoint-dnsbl-lookup-link-masked.txt",
            Kind::Bounce,
            "sender_provider",
            "reason.blocked",
        ),
        (
            "01b-icloud-proofpoint-dnsbl-link-masked.txt",
            Kind::Bounce,
            "sender_provider",
            "reason.blocked",
        ),
        // A company's sister domain or its own ticket system is no disguised link (and a
        // warning that the mailbox fills up is no bounce).
        (
            "03-it-quota-warning-sister-domain-link-phishing.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // People's mails with numbers, and their words about sending, are no notices.
        (
            "04-forwarded-order-menge-500-read-as-bounce.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "04b-forwarded-offer-norm-4.1.2-read-as-bounce.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "04c-forwarded-mail-us-phone-in-signature-read-as-bounce.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "05-forwarded-colleague-cannot-send-mail-read-as-bounce.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // A person's reply to an automatic reply is none.
        (
            "06-russian-reply-to-auto-reply-read-as-auto-reply.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // A fax number that no longer works does not mean the person left.
        (
            "07-russian-vacation-fax-no-longer-works-read-as-left.eml",
            Kind::AutoReply,
            "nobody",
            "kind.auto_reply",
        ),
        // The sender's own relay host in the notice writer's domain is no recipient's MX.
        (
            "08-own-relayhost-same-domain-as-reporter-blamed-on-recipient-mx.eml",
            Kind::Bounce,
            "sender",
            "reason.hostunknown",
        ),
        // German Outlook and Thunderbird cannot reach their outgoing server.
        (
            "10-outlook-german-send-error-0x80042109-not-recognised.txt",
            Kind::Bounce,
            "sender",
            "situation.outgoing_server_unreachable",
        ),
        (
            "10b-thunderbird-outgoing-server-failed-not-recognised.txt",
            Kind::Bounce,
            "sender",
            "situation.outgoing_server_unreachable",
        ),
        // "This e-mail address is no longer used", with "e-mail" between the words.
        (
            "11-french-adresse-e-mail-plus-utilisee-not-left.eml",
            Kind::AutoReply,
            "sender",
            "kind.auto_reply_left",
        ),
        (
            "11b-spanish-direccion-de-correo-ya-no-se-utiliza-not-left.eml",
            Kind::AutoReply,
            "sender",
            "kind.auto_reply_left",
        ),
        (
            "11c-italian-indirizzo-email-non-piu-attivo-not-left.eml",
            Kind::AutoReply,
            "sender",
            "kind.auto_reply_left",
        ),
        (
            "11d-danish-e-mailadresse-bruges-ikke-laengere-not-left.eml",
            Kind::AutoReply,
            "sender",
            "kind.auto_reply_left",
        ),
        // The sender's relay at a big provider, and its own missing CA, are its side's.
        (
            "12-nas-relay-via-gmx-local-ca-missing-blamed-on-recipient-tls.eml",
            Kind::Bounce,
            "sender_provider",
            "reason.failedstarttls",
        ),
        // A person's paste about an error while receiving is no failed sending.
        (
            "13-person-receive-error-paste-read-as-outgoing-server-bounce.txt",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
    ];
    expect_readings("review4", &cases);
    // NetEase's codes keep a reason.
    for file in [
        "02-netease-hl-ipb-lost-reason.txt",
        "02b-netease-rp-trc-lost-reason.txt",
    ] {
        let reason = review_fixture("review4", file).recipients[0].reason;
        assert!(
            !matches!(reason, Reason::OnHold | Reason::Undefined),
            "{file}"
        );
    }
}

#[test]
fn loops_and_forwarding() {
    let loop_bounce = "<info@wagner.example>: mail for wagner.example loops back to myself\n";
    let m = first(loop_bounce);
    assert_eq!(topic(&m), "situation.mail_loop");
    assert_eq!(who(&m), "recipient_provider");
    // The recipient's address forwards to Gmail, which applies the sender's DMARC policy.
    let forwarded = "From: MAILER-DAEMON@mx.bauer.example\nTo: sekretariat@kanzlei.example\n\
        Subject: Undelivered Mail Returned to Sender\n\n\
        <fliesen.bauer@gmail.com> (expanded from <kontakt@bauer.example>): host \
        gmail-smtp-in.l.google.com[142.250.27.26] said: 550-5.7.26 Unauthenticated email from \
        kanzlei.example is not accepted due to domain's DMARC policy. (in reply to end of DATA \
        command)\n";
    let m = first(forwarded);
    assert_eq!(recipient(&m).1, Reason::AuthFailure);
    assert_eq!(topic(&m), "situation.forwarding_fails_checks");
    assert_eq!(who(&m), "recipient_provider");
}

/// Inputs a third review found misread after the second round of fixes:
/// (file, kind, who, topic).
#[test]
fn inputs_a_third_review_found_misread() {
    let cases = [
        // In a mail log the forwarding alias is the reader's own.
        (
            "01-postfix-log-own-alias-forward-dmarc.txt",
            Kind::Bounce,
            "sender_provider",
            "reason.authfailure",
        ),
        // Genuine pasted bounces that quote a login link are no phishing.
        (
            "05-paste-bounce-of-newsletter-with-login-link.txt",
            Kind::Bounce,
            "sender",
            "reason.userunknown",
        ),
        (
            "20-pasted-outlook-local-ndr-signature-portal-login-link-phishing.txt",
            Kind::Bounce,
            "sender",
            "reason.undefined",
        ),
        // A help link's path does not outweigh the server's own words.
        (
            "06-netease-user-suspended-help-spam-link.txt",
            Kind::Bounce,
            "sender",
            "reason.suspend",
        ),
        (
            "06b-hoster-user-unknown-faq-spamschutz-link.txt",
            Kind::Bounce,
            "sender",
            "reason.userunknown",
        ),
        // Outlook's older German task wording.
        (
            "07-outlook-de-senden-meldete-fehler-plus-empfangen-ok.txt",
            Kind::Bounce,
            "sender",
            "situation.outgoing_server_unreachable",
        ),
        // An autoresponder's own "Re: … (Abwesenheitsnotiz)" subject; its words, wrapped
        // across two lines, say the person left ("nicht mehr für … tätig").
        (
            "08-autoresponder-re-subject-left-company.eml",
            Kind::AutoReply,
            "sender",
            "kind.auto_reply_left",
        ),
        (
            "09-christmas-ooo-in-diesem-jahr-nicht-mehr-gelesen-read-as-left.eml",
            Kind::AutoReply,
            "nobody",
            "kind.auto_reply",
        ),
        // A recipient's incomplete certificate chain, and its domain hosted at Google.
        (
            "10-exim-dane-recipient-incomplete-chain-local-issuer.eml",
            Kind::Bounce,
            "recipient_provider",
            "situation.recipient_tls_broken",
        ),
        (
            "16-mta-sts-mismatch-recipient-hosted-at-google-blamed-on-sender.eml",
            Kind::Bounce,
            "recipient_provider",
            "situation.recipient_tls_broken",
        ),
        // Exim's sender verification names the sender's domain, not the recipient's MX.
        (
            "11-exim-sender-verify-mx-nonexistent-hosts.txt",
            Kind::Bounce,
            "sender_provider",
            "situation.sender_domain_unverified",
        ),
        // A shop's SMTP error forwarded by a person.
        (
            "12-forwarded-webshop-smtp-error-report.eml",
            Kind::Bounce,
            "sender",
            "reason.norelaying",
        ),
        // A company app on a cloud platform named like the company is no disguise (and a
        // warning that the mailbox fills up is no bounce).
        (
            "13-it-quota-warning-intranet-on-azurewebsites-phishing.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        // Replies to automatic replies in Chinese and French Outlook.
        (
            "17-chinese-reply-to-auto-reply-read-as-auto-reply.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
        (
            "17b-french-RE-space-reply-to-auto-reply-read-as-auto-reply.eml",
            Kind::NotABounce,
            "nobody",
            "kind.not_a_bounce",
        ),
    ];
    expect_readings("review5", &cases);
    // The recipient that was not forwarded gets its own line under the forwarding
    // headline.
    let m = review_fixture("review5", "03-two-rcpts-forward-plus-direct-spf-fail.eml");
    let others = explain(&m, Lang::En).others;
    assert!(
        others.iter().any(|o| o.contains("m.hofer@web.de")),
        "{others:?}"
    );
}

#[test]
fn a_pasted_notice_whose_copy_lost_its_folding_still_shows_the_own_server() {
    // The office server (an internal name) hands mail to its provider's relay, which
    // refuses to relay for it: the relay wants a login, not the recipient's server.
    let paste = "Hallo Jens, kannst du mal gucken? Hier die Meldung:\n\n\
        This message was created automatically by mail delivery software.\n\n\
        A message that you sent could not be delivered to one or more of its\n\
        recipients. This is a permanent error. The following address(es) failed:\n\n\
        \x20 rolf@segelclub.example\n    host smtp.isp-koeln.example [192.0.2.70]\n\
        \x20   SMTP error from remote mail server after RCPT TO:<rolf@segelclub.example>:\n\
        \x20   550 5.7.1 <rolf@segelclub.example>: Relay access denied\n\n\
        ------ This is a copy of the message, including all the headers. ------\n\n\
        Return-path: <kasse@tischlerei.example>\nReceived: from [192.168.2.30] (helo=Kasse-PC)\n\
        \tby server.tischlerei.lan with esmtp (Exim 4.96)\n\tid 1uJf3c-0001Zq-0T\n\
        From: Kasse <kasse@tischlerei.example>\nTo: rolf@segelclub.example,\n\
        m.wendt@tischlerei.example\nSubject: Abrechnung\n\nHallo Rolf,\n";
    let m = first(paste);
    assert_eq!(
        recipient(&m),
        ("rolf@segelclub.example", Reason::NoRelaying)
    );
    assert_eq!(topic(&m), "situation.smarthost_refuses_relay");
}

#[test]
fn communigate_names_the_recipient_and_its_verified_sender_host() {
    let notice = "Return-Path: <>\nFrom: MAILER-DAEMON@fjord.example\nTo: olav@bygg.example\n\
        Subject: Undeliverable mail: Tilbud\nMIME-Version: 1.0\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
        --b\nContent-Type: text/plain\n\nFailed to deliver to '<tor@fjord.example>'\n\
        LOCAL module(account tor) reports:\n mail receiving disabled\n\n\
        --b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.fjord.example\n\n\
        Original-Recipient: rfc822; tor@fjord.example\nFinal-Recipient: LOCAL; tor\n\
        Action: failed\nStatus: 5.0.0\n\n--b\nContent-Type: text/rfc822-headers\n\n\
        Received: from smtp.bygg.example ([198.51.100.71] verified)\n  by mail.fjord.example \
        (CommuniGate Pro SMTP 6.3.14)\n  with ESMTPS id 48817318 for tor@fjord.example\n\
        From: Olav <olav@bygg.example>\nTo: Tor <tor@fjord.example>\nSubject: Tilbud\n\n--b--\n";
    let m = first(notice);
    assert_eq!(recipient(&m), ("tor@fjord.example", Reason::Suspend));
    // The message came from the sender's own server: no sign of a forged sender.
    assert!(explain(&m, Lang::En).origin.is_none());
}

#[test]
fn a_relay_refusal_after_the_user_logged_in_is_the_next_servers() {
    let notice = "From: Mailer Daemon <MAILER-DAEMON@smtp.arkitekter.example>\n\
        To: annika@arkitekter.example\nSubject: Delivery status notification: error\n\n\
        \x20   This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\
        \x20   An error has occurred while attempting to deliver a message for\n\
        \x20   the following list of recipients:\n\n\
        jonas@hotel.example: 554 5.7.1 <jonas@hotel.example>: Relay access denied\n\n\
        \x20   Below is a copy of the original message:\n\n\
        Received: from [192.168.1.34] (c83.example.net [198.51.100.9])\n\
        \tby smtp.arkitekter.example (OpenSMTPD) with ESMTPSA id 1d9e4f02\n\tauth=yes user=annika\n\
        \tfor <jonas@hotel.example>;\n\tThu, 21 Nov 2024 15:02:45 +0100 (CET)\n\
        From: Annika <annika@arkitekter.example>\nTo: Jonas <jonas@hotel.example>\nSubject: Plans\n\nHi Jonas,\n";
    let m = first(notice);
    assert_eq!(recipient(&m), ("jonas@hotel.example", Reason::NoRelaying));
    // Not "turn on SMTP authentication": the user had logged in, and the user's own
    // server could not pass the message on.
    assert_eq!(topic(&m), "situation.smarthost_refuses_relay");
}

#[test]
fn a_servers_own_transcript_of_a_refused_relay_login_is_its_relays() {
    let notice = "From: MDaemon@mail.brauerei.example\nTo: jo@brauerei.example\n\
        Subject: Permanent Delivery Failure\n\n\
        The attached message had PERMANENT fatal delivery errors!\n\n--- Session Transcript ---\n\
        \x20Wed 2024-09-11 08:02:14.207: Attempting SMTP connection to [smtp.isp.example:587]\n\
        \x20Wed 2024-09-11 08:02:14.287: <-- 220 isp.example ESMTP Service ready\n\
        \x20Wed 2024-09-11 08:02:14.358: --> AUTH LOGIN\n\
        \x20Wed 2024-09-11 08:02:14.381: <-- 334 VXNlcm5hbWU6\n\
        \x20Wed 2024-09-11 08:02:16.612: <-- 535 Authentication credentials invalid\n\
        --- End Transcript ---\n\n\
        Received: from PC-BUERO2 [192.168.10.31] by mail.brauerei.example with ESMTPA\n\
        From: Jo <jo@brauerei.example>\nTo: <einkauf@vogt.example>\nSubject: Lieferung\n\n";
    let m = first(notice);
    assert_eq!(m.recipients[0].reply_code.as_deref(), Some("535"));
    assert_eq!(topic(&m), "situation.smarthost_refuses_relay");
    assert_eq!(who(&m), "sender_provider");
}

#[test]
fn a_devices_own_log_of_a_refused_login_and_a_providers_other_domain_are_the_senders() {
    let scanner = "Scan to mail failed. SMTP log:\n>>> EHLO scanner\n<<< 250 smtp.isp.example\n\
        >>> AUTH LOGIN\n<<< 334 VXNlcm5hbWU6\n<<< 535 Authentication credentials invalid\n";
    let m = first(scanner);
    assert_eq!(recipient(&m).1, Reason::SecurityError);
    assert_ne!(topic(&m), "situation.smarthost_refuses_relay");
    // Gmail writes the address as sent (googlemail.com) and as delivered (gmail.com).
    let gmail = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: ute@verein.example\n\
        Subject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\n\
        Content-Type: text/plain\n\nAddress not found\n\n--b\nContent-Type: message/delivery-status\n\n\
        Reporting-MTA: dns; googlemail.com\n\nOriginal-Recipient: rfc822; timo@googlemail.com\n\
        Final-Recipient: rfc822; timo@gmail.com\nAction: failed\nStatus: 5.1.1\n\
        Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.\n\n--b--\n";
    let m = first(gmail);
    assert_eq!(recipient(&m), ("timo@gmail.com", Reason::UserUnknown));
    assert_eq!(who(&m), "sender");
}

/// A sender address the account may not use: Exchange's missing "Send As" permission,
/// and Postfix's login that owns another address (wrapped, its login name on the next,
/// indented line, which names no second recipient).
#[test]
fn a_sender_address_the_account_may_not_send_as() {
    let exchange = "Delivery has failed to these recipients or groups:\n\nkunde@example-partner.de\nYour message wasn't delivered because you don't have permission to send as this sender. Contact your IT department for help.\n\nDiagnostic information for administrators:\n\nkunde@example-partner.de\nRemote Server returned '550 5.7.60 SMTP; Client does not have permissions to send as this sender'\n";
    let m = first(exchange);
    assert_eq!(topic(&m), "reason.rejected");
    // Whoever runs the accounts grants the permission.
    assert_eq!(who(&m), "sender_provider");
    let postfix = "This is the mail system at host mail.example-hosting.de.\n\n<kunde@partner-example.com>: host mail.example-hosting.de said: 553 5.7.1\n    <info@firma-example.de>: Sender address rejected: not owned by user\n    buchhaltung@firma-example.de (in reply to RCPT TO command)\n";
    let m = first(postfix);
    assert_eq!(topic(&m), "reason.rejected");
    let addresses: Vec<&str> = m.recipients.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["kunde@partner-example.com"]);
    assert!(
        m.recipients[0]
            .diagnostic
            .as_deref()
            .unwrap_or("")
            .ends_with("(in reply to RCPT TO command)")
    );
}

/// Outlook in Italian names the refused recipient; Postfix's "not logged in" refusal of
/// the sender means the mail program has to log in.
#[test]
fn outlooks_italian_send_error_for_a_sender_not_logged_in() {
    let paste = "Attività 'info@agriturismo.example - Invio' ha segnalato un errore (0x800CCC79): 'Impossibile inviare il messaggio. Uno dei destinatari non è stato accettato dal server. L'indirizzo di posta elettronica non accettato è \"prenotazioni@hotel.example\". Oggetto 'Richiesta', Account: 'info@agriturismo.example', Server: 'smtp.agriturismo.example', Protocollo: SMTP, Risposta del server: '553 5.7.1 <info@agriturismo.example>: Sender address rejected: not logged in', Porta: 587'\n";
    let m = first(paste);
    assert_eq!(
        recipient(&m),
        ("prenotazioni@hotel.example", Reason::SecurityError)
    );
}

/// Outlook's 0x800CCC1A: the encryption set for the outgoing server does not fit its
/// port, a setting in the mail program.
#[test]
fn outlooks_wrong_encryption_for_its_outgoing_server() {
    let paste = "Task 'carol@design.example - Sending' reported error (0x800CCC1A) : 'Your\nserver does not support the connection encryption type you have specified. Try\nchanging the encryption method.'\n";
    let m = first(paste);
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(topic(&m), "situation.outgoing_server_unreachable");
    assert_eq!(who(&m), "sender");
}

/// Outlook in Spanish names the refused recipient; the task's own account is none.
#[test]
fn outlooks_spanish_send_error_names_the_refused_recipient() {
    let paste = "La tarea \"ventas@muebles.example - Enviando\" informó del error (0x800CCC78): \"No se puede enviar el mensaje. La dirección de correo rechazada era \"pedidos@hotel.example\". Asunto 'Reserva', Cuenta: 'ventas@muebles.example', Servidor: 'smtp.muebles.example', Protocolo: SMTP, Respuesta del servidor: '550 5.1.1 User unknown', Puerto: 587\"\n";
    assert_eq!(
        recipient(&first(paste)),
        ("pedidos@hotel.example", Reason::UserUnknown)
    );
}

/// A Postfix notice from the recipient's forwarding server (`expanded from`) about the
/// address it forwards to.
fn forwarded(notice_to: &str, original: &str, target: &str, reply: &str) -> Message {
    first(&format!(
        "From: MAILER-DAEMON@mail.club.example (Mail Delivery System)\nTo: {notice_to}\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mail.club.example.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<{target}> (expanded from <{original}>): host mx.target.example[203.0.113.5] said: {reply} (in reply to RCPT TO command)\n"
    ))
}

#[test]
fn a_forward_on_the_recipients_side_is_theirs_to_fix() {
    // The provider the recipient forwards to refused the forwarding server's IP.
    let m = forwarded(
        "anna@sender.example",
        "vorstand@club.example",
        "vorstand.club@mailbox.example",
        "554 IP=198.51.100.77 - blocked using zen.spamhaus.org",
    );
    assert_eq!(topic(&m), "situation.forwarder_refused");
    assert_eq!(who(&m), "recipient_provider");
    // Also when the notice goes to the forwarder's SRS address for the sender.
    let srs = forwarded(
        "SRS0=k7Tq=YC=sender.example=anna@club.example",
        "vorstand@club.example",
        "vorstand.club@mailbox.example",
        "554 5.7.1 Client host rejected: cannot find your reverse hostname",
    );
    assert_eq!(topic(&srs), "situation.forwarder_refused");
    // An alias of the recipient's own domain that points to a mailbox gone.
    let alias = forwarded(
        "anna@sender.example",
        "kontakt@club.example",
        "a.brenner@club.example",
        "550 5.1.1 <a.brenner@club.example>: User unknown",
    );
    assert_eq!(topic(&alias), "situation.forward_target_gone");
    // The sender's own refused IP, without a forward, stays the sender's side.
    let own = first(
        "<vorstand@club.example>: host mx.club.example[203.0.113.5] said: 554 5.7.1 Service unavailable; Client host [192.0.2.17] blocked using zen.spamhaus.org (in reply to RCPT TO command)\n",
    );
    assert_ne!(who(&own), "recipient_provider");
}

#[test]
fn reviews_of_the_forged_verdict_stay_fixed() {
    use Kind::{AutoReply, Bounce};
    expect_readings(
        "review6",
        &[
            // Sent after a login through the user's provider: a failed SPF check of the
            // recipient does not make it forged.
            (
                "f_o365_full_softfail_auth.eml",
                Bounce,
                "recipient",
                "reason.mailboxfull",
            ),
            // Pasted notices of the user's own Exchange, without Received fields.
            (
                "f_paste_exchange_5726.txt",
                Bounce,
                "sender_provider",
                "reason.authfailure",
            ),
            (
                "f_paste_senderid.txt",
                Bounce,
                "sender_provider",
                "reason.authfailure",
            ),
            // Automatic replies whose subject quotes a complaint.
            (
                "ar_gmail_vacation_re.eml",
                AutoReply,
                "nobody",
                "kind.auto_reply",
            ),
            ("ar_ticket_en.eml", AutoReply, "nobody", "kind.auto_reply"),
            // The sender's own alias, refused for the sender's own server's IP.
            (
                "fw_own_alias_paste.txt",
                Bounce,
                "sender_provider",
                "reason.blocked",
            ),
            // A size limit that mentions attachments.
            ("att02.eml", Bounce, "sender", "reason.emailtoolarge"),
            // Members only, worded without Exchange's codes.
            ("pv05.eml", Bounce, "recipient", "reason.policyviolation"),
            // A bot that called itself mout.gmx.net, looked up as another host.
            ("bs_gmx_helo.txt", Bounce, "nobody", "reason.userunknown"),
            // Google Workspace whose domain's SPF record lacks Google.
            (
                "f_workspace_spf_softfail_full.eml",
                Bounce,
                "recipient",
                "reason.mailboxfull",
            ),
            // Backscatter with a made-up login line below an unconfirmed name, and with an
            // internal-looking Message-ID of a cloud host.
            (
                "bs_fake_login_unknown.eml",
                Bounce,
                "nobody",
                "reason.userunknown",
            ),
            (
                "bs_ec2_internal_msgid.eml",
                Bounce,
                "nobody",
                "reason.userunknown",
            ),
            // A filter's notice whose subject words the failure otherwise; a ticket
            // system's reply that quotes a subject.
            (
                "filter_de_wurde_nicht_zugestellt.eml",
                Bounce,
                "sender",
                "situation.attachment_blocked",
            ),
            (
                "ticket_returned_to_sender.eml",
                AutoReply,
                "nobody",
                "kind.auto_reply",
            ),
            // The user's own server restricts who may send out.
            (
                "own_server_outbound_restriction.eml",
                Bounce,
                "sender",
                "reason.policyviolation",
            ),
        ],
    );
    let likely = |file: &str| {
        let m = review_fixture("review6", file);
        explain(&m, Lang::En).origin.map(|o| o.likely)
    };
    assert_ne!(
        likely("f_o365_full_softfail_auth.eml"),
        Some("forged_sender")
    );
    assert_eq!(likely("bs_gmx_helo.txt"), Some("forged_sender"));
    assert_eq!(likely("f_workspace_spf_softfail_full.eml"), Some("unclear"));
    assert_eq!(likely("bs_ec2_internal_msgid.eml"), Some("forged_sender"));
    // The postmaster's copy of a returned notice is no message of its own.
    let log = std::fs::read(format!(
        "{}/tests/fixtures/review6/log_postmaster_copy.log",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(analyze(&log).messages.len(), 1);
}
