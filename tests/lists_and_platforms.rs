//! What mailing lists say about a post, and what sending platforms report, as users and
//! admins paste or forward it.

use bounce_explainer::explain::explain;
use bounce_explainer::report::{Kind, Message, Reason};
use bounce_explainer::{Lang, analyze};

fn first(input: &str) -> Message {
    analyze(input.as_bytes()).messages.remove(0)
}

fn topic(m: &Message) -> String {
    explain(m, Lang::En).topic
}

/// (address, reason) of each recipient.
fn recipients(m: &Message) -> Vec<(&str, Reason)> {
    m.recipients
        .iter()
        .map(|r| (r.address.as_str(), r.reason))
        .collect()
}

const MAILMAN_HEADERS: &str = "From: hikers-owner@lists.alpenverein-tal.example\n\
    To: jo@kanzlei-berg.example\nX-BeenThere: hikers@lists.alpenverein-tal.example\n\
    X-Mailman-Version: 2.1.39\nX-List-Administrivia: yes\nPrecedence: bulk\n";

#[test]
fn a_post_held_for_the_moderator_waits_and_nothing_failed() {
    let held = format!(
        "{MAILMAN_HEADERS}Subject: Your message to Hikers awaits moderator approval\n\n\
        Your mail to 'Hikers' with the subject\n\n    Tour in May\n\n\
        Is being held until the list moderator can review it for approval.\n\n\
        The reason it is being held:\n\n    Post by non-member to a members-only list\n"
    );
    let m = first(&held);
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(
        recipients(&m),
        [("hikers@lists.alpenverein-tal.example", Reason::OnHold)]
    );
    assert_eq!(topic(&m), "situation.list_held");
    assert_eq!(explain(&m, Lang::De).who, "nobody");
    // The same in German, pasted without headers and wrapped.
    let paste = "Das kam zurück:\n\nIhre Mail an 'Elternrat' mit dem Betreff\n\n    Sitzung\n\n\
        wird zurückgehalten, bis der Moderator sie prüfen und genehmigen\nkann.\n\n\
        Der Grund für das Zurückhalten:\n\n    Nachricht hat zu viele Empfänger\n\n\
        Wenn Sie das Posting zurückziehen möchten, besuchen Sie:\n\n\
        \x20   https://listen.schule.example/mailman/confirm/elternrat/a83f0c2d\n";
    assert_eq!(first(paste).kind, Kind::DelayNotice);
}

#[test]
fn a_list_that_refuses_a_post_tells_the_sender_to_post_as_a_member() {
    let refused = "From: SYMPA <sympa-request@lists.geo-verbund.example>\n\
        To: anna@hydro-consult.example\nSubject: Message distribution: Authorization denied\n\
        Auto-Submitted: auto-replied\n\n\
        Your message for list \"klima-daten\" (attached below) was rejected.\n\
        You are not allowed to send this message because you are not subscribed.\n";
    let m = first(refused);
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(
        recipients(&m),
        [(
            "klima-daten@lists.geo-verbund.example",
            Reason::PolicyViolation
        )]
    );
    assert_eq!(topic(&m), "situation.list_refused");
    assert_eq!(explain(&m, Lang::En).who, "sender");
    // A content rule is the list's rule too; a size limit is the size.
    let content = format!(
        "{MAILMAN_HEADERS}Subject: Request to mailing list Hikers rejected\n\n\
        Your message to the hikers@lists.alpenverein-tal.example mailing-list was rejected for\n\
        the following reasons:\n\nThe message's content type was explicitly disallowed\n"
    );
    assert_eq!(recipients(&first(&content))[0].1, Reason::PolicyViolation);
    let size = content.replace(
        "The message's content type was explicitly disallowed",
        "Message body is too large: 52000 bytes with a limit of 40 KB",
    );
    assert_eq!(recipients(&first(&size))[0].1, Reason::EmailTooLarge);
}

#[test]
fn a_lists_reminder_is_no_bounce_and_a_bounce_it_passes_on_is_one() {
    let reminder = format!(
        "{MAILMAN_HEADERS}Subject: mailing list memberships reminder\n\n\
        This is a reminder, sent out once a month, about your mailing list memberships.\n\n\
        Passwords for jo@kanzlei-berg.example:\n\nhikers@lists.alpenverein-tal.example  kiefer22\n"
    );
    let m = first(&reminder);
    assert_eq!(m.kind, Kind::NotABounce);
    assert!(m.recipients.is_empty());
    let passed_on = format!(
        "{MAILMAN_HEADERS}Subject: Uncaught bounce notification\nMIME-Version: 1.0\n\
        Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n\
        The attached message was received as a bounce, but either the bounce format was not\n\
        recognized, or no member addresses could be extracted from it.\n\n--b\n\
        Content-Type: message/rfc822\n\nFrom: postmaster@kabel-tal.example\n\
        Subject: Ihre Nachricht konnte nicht zugestellt werden\n\n\
        heidi@kabel-tal.example: 552 5.2.2 Postfach voll\n--b--\n"
    );
    assert_eq!(first(&passed_on).kind, Kind::Bounce);
}

#[test]
fn a_mail_programs_words_about_its_server_list_are_no_list_refusal() {
    let apple = "Cannot send message using the server smtp.design.example\n\n\
        The recipient \"ola@stuga.example\" was rejected by the server because it does not allow relaying.\n\n\
        Select a different outgoing mail server from the list below.\n";
    assert_eq!(recipients(&first(apple))[0].1, Reason::NoRelaying);
}

#[test]
fn sending_platform_events_name_their_addresses() {
    // A SendGrid webhook batch, wrapped by a chat program: a bounce and a dropped address.
    let sendgrid = "Event batch from SendGrid:\n\n[{\"email\":\"marie@interieurs.example\",\"event\":\"bou\n\
        nce\",\"reason\":\"550 5.1.1 <marie@interieurs.example>: Recipient address rejected: User unknown\",\"sta\n\
        tus\":\"5.1.1\",\"type\":\"bounce\"},{\"email\":\"sam@interieurs.example\",\"event\":\"dropped\",\"reason\":\"Bounced A\n\
        ddress\",\"status\":\"5.0.0\"}]\n";
    let m = first(sendgrid);
    assert_eq!(m.kind, Kind::Bounce);
    assert_eq!(
        recipients(&m),
        [
            ("marie@interieurs.example", Reason::UserUnknown),
            ("sam@interieurs.example", Reason::Suppressed)
        ]
    );
    // Mailgun keeps the reply code apart; a temporary failure is still tried.
    let mailgun = |severity: &str| {
        format!(
            "From the events API:\n\n{{\n  \"event\": \"failed\",\n  \"severity\": \"{severity}\",\n  \
            \"recipient\": \"farid@mail.example\",\n  \"delivery-status\": {{\n    \"code\": 552,\n    \
            \"message\": \"5.2.2 The recipient's inbox is out of storage space.\"\n  }}\n}}\n"
        )
    };
    let permanent = first(&mailgun("permanent"));
    assert_eq!(
        recipients(&permanent),
        [("farid@mail.example", Reason::MailboxFull)]
    );
    assert_eq!(permanent.recipients[0].reply_code.as_deref(), Some("552"));
    assert_eq!(first(&mailgun("temporary")).kind, Kind::DelayNotice);
    // Mandrill's answer to a send: the address is on its rejection list.
    let mandrill = "[\n  {\"email\": \"kristof@mail.example\", \"status\": \"rejected\", \
        \"reject_reason\": \"hard-bounce\"}\n]\nSent as: po@furniture.example\n";
    assert_eq!(
        recipients(&first(mandrill)),
        [("kristof@mail.example", Reason::Suppressed)]
    );
}

#[test]
fn a_platforms_complaint_event_is_a_complaint_and_a_report_about_bounces_is_none() {
    let postmark = "> {\n>   \"RecordType\": \"SpamComplaint\",\n>   \"Email\": \"yvette@mail.example\",\n\
        >   \"Description\": \"The subscriber explicitly marked this message as spam.\"\n> }\n";
    let m = first(postmark);
    assert_eq!(m.kind, Kind::ComplaintReport);
    assert_eq!(recipients(&m), [("yvette@mail.example", Reason::Feedback)]);
    let report = "From: Mailchimp <no-reply@mailchimp.example>\nTo: team@pets.example\n\
        Subject: Your campaign report\n\nHard bounces: 3\nMailchimp automatically cleans \
        hard-bounced addresses from your audience.\n\nSunny Pets\n405 N Angier Ave. NE\nAtlanta, GA 30308\n";
    assert_eq!(first(report).kind, Kind::NotABounce);
}

#[test]
fn an_ses_delivery_delay_event_is_a_delay() {
    let ses = "{\"eventType\":\"DeliveryDelay\",\"mail\":{\"source\":\"booking@lodge.example\"},\
        \"deliveryDelay\":{\"delayType\":\"TransientCommunicationFailure\",\"delayedRecipients\":\
        [{\"emailAddress\":\"desk@chalet.example\",\"status\":\"4.4.1\",\"diagnosticCode\":\
        \"smtp; 421 4.4.1 Connection timed out\"}]}}";
    let m = first(ses);
    assert_eq!(m.kind, Kind::DelayNotice);
    assert_eq!(recipients(&m)[0].0, "desk@chalet.example");
}

#[test]
fn list_posts_quarantine_pastes_and_bounces_about_lists_are_no_list_notices() {
    // A member's post to a Mailman list carries the list's headers too.
    let post = "From: Petra <petra@kanzlei-berg.example>\nTo: hikers@lists.alpenverein-tal.example\n\
        X-BeenThere: hikers@lists.alpenverein-tal.example\nX-Mailman-Version: 2.1.39\n\
        Subject: Re: Hallenzeit\n\nUnsere Anfrage für die Hallenzeit wurde abgelehnt. Die Liste der \
        freien Zeiten kommt morgen. My reply is being held, by the way.\n";
    assert_eq!(first(post).kind, Kind::NotABounce);
    // A mail admin's quarantine notice is no list's.
    let quarantine = "From: mail-admin@stadtwerke-tal.example\nTo: rechnung@stadtwerke-tal.example\n\
        Subject: Nachricht zurückgehalten\n\nIhre Nachricht an einkauf@lieferant.example wird \
        zurückgehalten, weil sie eine ausführbare Datei enthält.\n";
    assert_ne!(first(quarantine).format, "mailing-list");
    // A pasted server refusal that speaks of a mailing list is the server's.
    let bounce = "Our newsletter to the mailing list was rejected by Gmail:\n\n\
        <anna@gmail.example>: host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.26 \
        Unauthenticated email from news.example is not accepted due to domain's DMARC policy\n";
    let m = first(bounce);
    assert_ne!(m.format, "mailing-list");
    assert_eq!(recipients(&m)[0].1, Reason::AuthFailure);
    // A moderator asked to decide about someone else's post.
    let request = format!(
        "{MAILMAN_HEADERS}Subject: Hikers post from stranger@spam.example requires approval\n\n\
        As list administrator, your authorization is requested for the following mailing list \
        posting. The message is being held because the sender is not a member.\n"
    );
    assert_eq!(first(&request).kind, Kind::NotABounce);
}

#[test]
fn platform_events_one_per_line_count_each_and_other_json_counts_none() {
    let ndjson = "Our SendGrid event log:\n\
        {\"email\":\"lena@physio.example\",\"event\":\"bounce\",\"reason\":\"550 5.1.1 User unknown\",\"status\":\"5.1.1\"}\n\
        {\"email\":\"info@baeckerei.example\",\"event\":\"bounce\",\"reason\":\"552 5.2.2 Mailbox full\",\"status\":\"5.2.2\"}\n";
    assert_eq!(
        recipients(&first(ndjson)),
        [
            ("lena@physio.example", Reason::UserUnknown),
            ("info@baeckerei.example", Reason::MailboxFull)
        ]
    );
    // A user export and a shop order have addresses and a status, and are no events.
    let export = "[{\"email\": \"kai@mail.example\", \"status\": \"blocked\"}, \
        {\"email\": \"ute@mail.example\", \"status\": \"invalid\"}]\n";
    assert_eq!(first(export).kind, Kind::NotABounce);
    let order = "{\"order\": 4711, \"email\": \"kai@mail.example\", \"status\": \"delivered\"}\n";
    assert_eq!(first(order).kind, Kind::NotABounce);
    // A deferral, then the delivery: the address was delivered.
    let later = "[{\"email\":\"bier@brauhaus.example\",\"event\":\"deferred\",\"response\":\"421 try later\"},\
        {\"email\":\"bier@brauhaus.example\",\"event\":\"delivered\",\"response\":\"250 OK\"}]\n";
    assert_eq!(first(later).kind, Kind::DeliveryReport);
    // Postmark files an out-of-office reply under its bounces: it was delivered.
    let auto = "{\"RecordType\": \"Bounce\", \"Type\": \"AutoResponder\", \
        \"Email\": \"gerd@haustechnik.example\", \"Details\": \"Ich bin im Urlaub.\"}\n";
    assert_eq!(first(auto).kind, Kind::DeliveryReport);
}

#[test]
fn numbers_in_a_lists_notice_and_its_quoted_post_are_no_server_replies() {
    let held = "From: elternrat-owner@listen.schule-lahr.example\nTo: jo@mail.example\n\
        X-List-Administrivia: yes\nSubject: Elternabend am 5.3.25 awaits moderator approval\n\n\
        Your mail to 'Elternrat' with the subject\n\n    Spendenaufruf: 500 Euro fuer den Schulgarten\n\n\
        Is being held until the list moderator can review it for approval.\n";
    assert_eq!(first(held).kind, Kind::DelayNotice);
    let refused = "From: LISTSERV@LISTS.ARCHIV-SUED.EXAMPLE\nTo: jo@mail.example\n\
        Subject: Rejected posting to ARCHIV-L@LISTS.ARCHIV-SUED.EXAMPLE\n\n\
        You are not authorized to send mail to the ARCHIV-L list from your jo@mail.example\n\
        account. Please contact the list owners: ARCHIV-L-request@LISTS.ARCHIV-SUED.EXAMPLE.\n\n\
        > Wir haben 550 Exemplare gedruckt, davon 50 fuer die Stadtbibliothek.\n";
    assert_eq!(topic(&first(refused)), "situation.list_refused");
}

#[test]
fn platform_events_newest_first_wrapped_or_after_a_label_are_all_read() {
    // Mailgun's events API lists the newest first.
    let mailgun = "{\"items\": [\
        {\"event\": \"delivered\", \"timestamp\": 1700000300.5, \"recipient\": \"bea@gastro.example\"},\
        {\"event\": \"failed\", \"severity\": \"temporary\", \"timestamp\": 1700000100.1, \
        \"recipient\": \"bea@gastro.example\", \"delivery-status\": {\"code\": 451, \"message\": \"greylisted\"}}]}\n";
    assert_eq!(first(mailgun).kind, Kind::DeliveryReport);
    // Lines folded inside their strings, one event a line.
    let wrapped = "{\"email\":\"hans@immobilien.example\",\"event\":\"bounce\",\"reason\":\"550 5.1.1 Us\n\
        er unknown\",\"status\":\"5.1.1\"}\n{\"email\":\"info@hotel.example\",\"event\":\"bounce\",\"reason\
        \":\"552 5.2.2 Mailbox full\",\"status\":\"5.2.2\"}\n";
    assert_eq!(recipients(&first(wrapped)).len(), 2);
    let labelled = "Mandrill response: [{\"email\": \"a@fliesen.example\", \"status\": \"rejected\", \
        \"reject_reason\": \"hard-bounce\"}, {\"email\": \"b@kfz.example\", \"status\": \"rejected\", \
        \"reject_reason\": \"unsub\"}]\n";
    assert_eq!(recipients(&first(labelled)).len(), 2);
}

/// A platform's page copied from the browser names the event's recipient in a field: a
/// label and a gap, or a label and a colon; a signature's "E-Mail:" far below is none.
#[test]
fn a_copied_platform_page_names_its_recipient_in_a_field() {
    let sendgrid = "Activity Feed › Message details   (copied from SendGrid)\n\nSubject     AGM papers\nFrom        secretary@rowing.example\nTo          alan.pryce@btinternet.com\nStatus      Dropped\n\nEvents\n  Dropped     April 7, 2025 at 6:30:02 PM BST\n              Reason: Bounced Address\n";
    assert_eq!(
        recipients(&first(sendgrid)),
        [("alan.pryce@btinternet.com", Reason::Suppressed)]
    );
    let brevo = "Campaign report > Bounces (Brevo)\n\nContact: olivia.nguyen@gmail.com\nStatus: Hard bounce\nBounce message:\n550-5.7.1 Gmail has detected that this message is likely suspicious due to the very\n550 5.7.1 low reputation of the sending domain.\n";
    assert_eq!(
        first(brevo).recipients[0].address,
        "olivia.nguyen@gmail.com"
    );
    let letter = "Hallo, was heißt das?\n\n550 5.1.1 User unknown\n\nViele Grüße\nJens Bauer\nGartenbau Bauer\nE-Mail: j.bauer@gartenbau.example\n";
    // (Nor a mail program's header block above a notice, whose "To" is the reader.)
    let owa = "Undeliverable: Offer\n\nMicrosoft Outlook <MicrosoftExchange329e@own-domain.example>\nTo\tinfo@own-domain.example\nMon 30/11/2026 10:14\n\nYour message to Michael Braun couldn't be delivered.\n\nMichael Braun wasn't found at bauamt.example.\n\nAction Required  Recipient\n";
    assert!(
        first(owa)
            .recipients
            .iter()
            .all(|r| r.address != "info@own-domain.example")
    );
    assert_ne!(
        first(letter).recipients.first().map(|r| r.address.as_str()),
        Some("j.bauer@gartenbau.example")
    );
}

#[test]
fn a_dmarc_failure_report_is_no_complaint() {
    let report = "From: dmarc-noreply@receiver.example\nTo: dmarc-failures@shop.example\nSubject: DMARC failure report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nThis is an authentication failure report for an email message received from IP 203.0.113.45.\n\n--b\nContent-Type: message/feedback-report\n\nFeedback-Type: auth-failure\nUser-Agent: Receiver/1.0\nVersion: 1\nAuth-Failure: dmarc\nSource-IP: 203.0.113.45\nOriginal-Mail-From: shop@shop.example\nReported-Domain: shop.example\n\n--b\nContent-Type: text/rfc822-headers\n\nFrom: Shop <shop@shop.example>\nTo: kunde@receiver.example\nSubject: Ihre Bestellung\n\n--b--\n";
    let m = &analyze(report.as_bytes()).messages[0];
    assert_eq!(m.kind, Kind::ComplaintReport);
    let e = explain(m, Lang::En);
    assert_eq!(e.topic, "feedback.auth_failure");
    assert_eq!(e.who, "sender_provider");
}
