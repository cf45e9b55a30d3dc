//! The situations customers meet most, recognised from the facts of a message, so that
//! each gets its own explanation instead of the generic text of its reason.

use crate::report::{HeaderSummary, Kind, Message, Reason, Recipient, Warning};
use crate::text;
use serde::Serialize;

/// A situation with its own entry in the knowledge base (`situation.<key>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// Phishing dressed as a delivery notice.
    Phishing,
    /// A dynamic (home) IP on a policy list such as the Spamhaus PBL: send via port 587.
    DynamicIp,
    /// The sending server's IP is on a blacklist, often a shared hosting IP.
    ServerIpListed,
    /// The recipient domain's MX record holds an IP address instead of a host name.
    MxIsIp,
    /// Greylisting: a first attempt turned away on purpose; the server retries.
    Greylisting,
    /// Greylisting never let the message through, and the sending server gave up: its
    /// retries usually came from other addresses.
    GreylistingGaveUp,
    /// The receiver's own blacklist lookup failed (Spamhaus refusing its public
    /// resolver): no real listing.
    ReceiverListError,
    /// A domain (the sender's, or one linked in the message) is on a domain blacklist.
    DomainListed,
    /// The sender's own mailbox was barred from sending after it sent spam: usually a
    /// stolen password.
    AccountBlocked,
    /// The server the message was delivered to refuses to relay it: the recipient's
    /// domain points to a server that does not handle its mail, not the sender's login.
    RecipientRefusesRelay,
    /// The relay the sender's own mail server hands all mail to (a smarthost) refuses to
    /// pass it on or asks for a login: that server has to log in to it.
    SmarthostRefusesRelay,
    /// The sender's own organisation blocks the message, such as automatic forwarding to
    /// outside addresses: only its own administrator can change that.
    OwnOrganisationBlocks,
    /// A rule of the sender's own organisation for outgoing mail stopped the message:
    /// data-loss prevention, or encryption it requires: the sender changes the message
    /// (or asks the administrator).
    OwnPolicyBlocks,
    /// The sender's own organisation lets the account write only to addresses inside it
    /// (a school's or company's Google Workspace or Microsoft 365): its administrator
    /// has to allow the recipient.
    InternalOnly,
    /// The receiving server could not verify the sender's address or domain (no DNS
    /// records, a failed callout, a domain not registered at the sender's provider):
    /// whoever runs that domain has to fix it.
    SenderDomainUnverified,
    /// The sender's own mailbox reached its provider's sending limit (Gmail's daily
    /// limit, Microsoft 365's recipients per day): the sender waits or sends less.
    SendingLimitReached,
    /// A mail program, web mailer, script or device could not reach its own outgoing
    /// server (timeout, broken connection, encryption not offered): nothing was sent.
    OutgoingServerUnreachable,
    /// The receiving server's encryption is broken (an expired or wrong certificate, or
    /// DANE or MTA-STS records it cannot meet): the sending server will not send to it.
    RecipientTlsBroken,
    /// The recipient domain's MX record names a host that does not exist in DNS.
    MxHostMissing,
    /// The message went round in a loop between servers (after a move, or a forwarding
    /// that points back) and was stopped.
    MailLoop,
    /// The receiving side refuses the kind of attachment (a program, a macro file, an
    /// archive it cannot check): the sender sends the content another way.
    AttachmentBlocked,
    /// The recipient's address forwards to another provider, which refused the message
    /// because forwarding broke the sender checks (SPF, DMARC).
    ForwardingFailsChecks,
    /// The recipient's address forwards to another provider, which refused the forwarding
    /// server (its IP address, name or reputation), not the sender.
    ForwarderRefused,
    /// The recipient's address forwards to another address that does not exist (or is
    /// closed): the recipient has to fix the forwarding.
    ForwardTargetGone,
    /// A mailing list holds the post until its moderator approves it.
    ListHeld,
    /// A mailing list refused the post: not from a member, or against its rules.
    ListRefused,
}

impl Situation {
    pub fn key(self) -> &'static str {
        match self {
            Situation::Phishing => "phishing",
            Situation::DynamicIp => "dynamic_ip",
            Situation::ServerIpListed => "server_ip_listed",
            Situation::MxIsIp => "mx_is_ip",
            Situation::Greylisting => "greylisting",
            Situation::GreylistingGaveUp => "greylisting_gave_up",
            Situation::ReceiverListError => "receiver_list_error",
            Situation::DomainListed => "domain_listed",
            Situation::AccountBlocked => "account_blocked",
            Situation::RecipientRefusesRelay => "recipient_refuses_relay",
            Situation::SmarthostRefusesRelay => "smarthost_refuses_relay",
            Situation::OwnOrganisationBlocks => "own_organisation_blocks",
            Situation::OwnPolicyBlocks => "own_policy_blocks",
            Situation::InternalOnly => "internal_only",
            Situation::SenderDomainUnverified => "sender_domain_unverified",
            Situation::SendingLimitReached => "sending_limit_reached",
            Situation::OutgoingServerUnreachable => "outgoing_server_unreachable",
            Situation::RecipientTlsBroken => "recipient_tls_broken",
            Situation::MxHostMissing => "mx_host_missing",
            Situation::MailLoop => "mail_loop",
            Situation::AttachmentBlocked => "attachment_blocked",
            Situation::ForwardingFailsChecks => "forwarding_fails_checks",
            Situation::ForwarderRefused => "forwarder_refused",
            Situation::ForwardTargetGone => "forward_target_gone",
            Situation::ListHeld => "list_held",
            Situation::ListRefused => "list_refused",
        }
    }
}

/// The situation of a message, if one applies.
pub fn of(msg: &Message) -> Option<Situation> {
    if msg
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::Phishing { .. }))
    {
        return Some(Situation::Phishing);
    }
    if msg.kind != Kind::Bounce && msg.kind != Kind::DelayNotice {
        return None;
    }
    if msg.format == "mailing-list" {
        return Some(match msg.kind {
            Kind::DelayNotice => Situation::ListHeld,
            _ => Situation::ListRefused,
        });
    }
    // Situations of the sending side (its account, IP, relay) concern every recipient
    // that failed; those of one receiving server only the recipient the headline is
    // about: other recipients' causes are named below it.
    let failed: Vec<&Recipient> = msg
        .recipients
        .iter()
        .filter(|r| r.reason != Reason::Delivered)
        .collect();
    let main: Vec<&Recipient> = crate::explain::main_recipient(msg)
        .filter(|r| r.reason != Reason::Delivered)
        .into_iter()
        .collect();
    let says = |signs: &str| failed.iter().any(|r| diagnostic_says(r, signs));
    let main_says = |signs: &str| main.iter().any(|r| diagnostic_says(r, signs));
    let looks_up_an_ip = main
        .iter()
        .any(|r| r.diagnostic.as_deref().is_some_and(names_an_ip_as_host));
    if says("situation.account_blocked") {
        return Some(Situation::AccountBlocked);
    }
    if says("situation.own_organisation_blocks") {
        return Some(Situation::OwnOrganisationBlocks);
    }
    if says("situation.own_policy_blocks") {
        return Some(Situation::OwnPolicyBlocks);
    }
    if says("situation.internal_only") {
        return Some(Situation::InternalOnly);
    }
    if says("situation.sending_limit_reached") {
        return Some(Situation::SendingLimitReached);
    }
    if main.iter().any(|r| cannot_reach_outgoing_server(r)) {
        return Some(Situation::OutgoingServerUnreachable);
    }
    // (Not the sending side's own relay, a host of the server that wrote the notice.)
    let own_relay = |r: &&Recipient| {
        let reporter = msg.reporting_mta.as_deref().map(text::base_domain);
        let host = r.remote_mta.as_deref().map(text::base_domain);
        reporter.is_some() && reporter == host
    };
    if main.iter().any(|r| receiver_tls_broken(r) && !own_relay(r)) {
        return Some(Situation::RecipientTlsBroken);
    }
    // (A final notice only when the greylisting code was a temporary one, not a
    // refusal that mentions greylisting.)
    let greylisted = main.iter().any(|r| {
        let temporary = [&r.reply_code, &r.status]
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| c.starts_with('4')));
        (msg.kind == Kind::DelayNotice || temporary)
            && r.diagnostic.as_deref().is_some_and(|d| {
                crate::knowledge::situation_phrases("greylisting").any(|w| text::contains_ci(d, w))
            })
    });
    if greylisted {
        return Some(match msg.kind {
            Kind::DelayNotice => Situation::Greylisting,
            _ => Situation::GreylistingGaveUp,
        });
    }
    if main_says("situation.receiver_list_error") {
        return Some(Situation::ReceiverListError);
    }
    if main_says("situation.mx_is_ip") || looks_up_an_ip {
        return Some(Situation::MxIsIp);
    }
    // (Postfix's "mail for [relay.example]:587 loops back to myself" is the sending
    // server's own relay host pointing back at it.)
    let own_relay_loop = main.iter().any(|r| {
        r.diagnostic
            .as_deref()
            .is_some_and(|d| d.to_ascii_lowercase().contains("mail for ["))
    });
    if main_says("situation.mail_loop") && !own_relay_loop {
        return Some(Situation::MailLoop);
    }
    if main.iter().any(|r| attachment_blocked(r)) {
        return Some(Situation::AttachmentBlocked);
    }
    if main.iter().any(|r| forwarded_then_failed_checks(r, msg)) {
        return Some(Situation::ForwardingFailsChecks);
    }
    if main.iter().any(|r| forwarder_refused(r, msg)) {
        return Some(Situation::ForwarderRefused);
    }
    if main
        .iter()
        .any(|r| mx_host_missing(r, msg.reporting_mta.as_deref()))
    {
        return Some(Situation::MxHostMissing);
    }
    // A remote server (the one the sending server delivered to) refused to relay: the
    // sending side had already accepted the message, so no login was missing there.
    // Unless that server is an outgoing relay of another domain than the recipient's:
    // then the sending server did not log in to its smarthost.
    // (A big provider's own notice passes on another server's refusal: its users send
    // logged in, through its web mail or apps.)
    let provider_notice = notice_from_provider(msg);
    let logged_in = logged_in_at_notice_server(msg);
    let refused = |r: &&&Recipient| {
        r.reason == Reason::NoRelaying
            && (r.remote_mta.is_some()
                || provider_notice
                || logged_in
                || diagnostic_says(r, "situation.remote_reply"))
    };
    // A server of another domain than the recipient's that asks the sending server to
    // log in is a relay too.
    let asks_login = |r: &&&Recipient| {
        r.reason == Reason::SecurityError
            && diagnostic_says(r, "situation.login_required")
            && r.remote_mta
                .as_deref()
                .is_some_and(|m| !serves_recipient(m, r))
    };
    // A relay of the sender's: named like one, or another server than the big
    // provider's that the recipient's address is at. (A hosted recipient domain's MX
    // may have any name and ask for a login just the same.)
    // (Also the unnamed next server of the user's own server, after the user logged in
    // there: its relay, or the recipient's server.)
    let relay = |r: &&Recipient| {
        is_smarthost_of_another_domain(r)
            || logged_in && r.remote_mta.is_none() && !diagnostic_says(r, "situation.remote_reply")
            || r.remote_mta
                .as_deref()
                .is_some_and(|m| !serves_recipient(m, r) && not_their_provider(m, r))
    };
    let own_server = notice_from_own_server(msg) || msg.format.ends_with("-log");
    // (The user's own server's transcript: a device's or a program's own log of a wrong
    // password is the user's.)
    let relay_login_refused = |r: &&Recipient| {
        own_server
            && r.reason == Reason::SecurityError
            && diagnostic_says(r, "situation.relay_login_tried")
    };
    // Whoever runs the notice's server (unless it is a big provider's): a server named
    // like a relay of another domain than the recipient's that asks it for a login, or
    // one that is not the big provider's its recipient is at and refuses to relay, is
    // that server's relay.
    let relay_of_any_server = |r: &&Recipient| {
        asks_login(&r) && is_smarthost_of_another_domain(r)
            || refused(&r)
                && r.remote_mta
                    .as_deref()
                    .is_some_and(|m| not_their_provider(m, r))
    };
    if own_server
        && (failed.iter().filter(refused).any(relay) || failed.iter().any(|r| asks_login(&r)))
        || !provider_notice && failed.iter().any(relay_of_any_server)
        || says("situation.relay_login_failed")
        || failed.iter().any(relay_login_refused)
    {
        return Some(Situation::SmarthostRefusesRelay);
    }
    if main.iter().any(|r| refused(&r)) {
        return Some(Situation::RecipientRefusesRelay);
    }
    // A sender address refused for its own system (X.1.7, X.1.8) or its setup (the
    // words decide whatever reason the reply got, as for Microsoft's 5.7.750).
    let unverified = |r: &&Recipient| {
        let sender_status = r.status.as_deref().is_some_and(|s| {
            crate::knowledge::signs("situation.sender_status_suffixes").any(|x| s.ends_with(x))
        });
        r.reason == Reason::Rejected && sender_status
            || diagnostic_says(r, "situation.sender_domain_unverified")
    };
    if main.iter().any(unverified) {
        return Some(Situation::SenderDomainUnverified);
    }
    let pbl = failed.iter().any(|r| {
        r.blocklist
            .as_ref()
            .is_some_and(|b| b.list == Some("spamhaus_pbl"))
    });
    // (Words of a dynamic address count in a refusal of the connection or a spam score
    // that counts it, not beside a cause in the message's content or the mailbox:
    // "residential" in a returned subject.)
    let dynamic = |r: &&Recipient| {
        !matches!(
            r.reason,
            Reason::ContentError
                | Reason::VirusDetected
                | Reason::EmailTooLarge
                | Reason::UserUnknown
                | Reason::MailboxFull
                | Reason::HostUnknown
                | Reason::Suspend
        ) && diagnostic_says(r, "situation.dynamic_ip")
    };
    // (A mail program's own outgoing server that refuses it because a block list names an
    // IP address has listed the connection the program sends from: a home or mobile line.)
    let program_listed = |r: &&Recipient| {
        r.remote_mta.is_none()
            && r.blocklist.as_ref().is_some_and(|b| {
                b.listed
                    .as_deref()
                    .is_some_and(|l| l.parse::<std::net::IpAddr>().is_ok())
            })
            && diagnostic_says(r, "situation.outgoing_server_unreachable")
    };
    if pbl || failed.iter().any(dynamic) || failed.iter().any(program_listed) {
        return Some(Situation::DynamicIp);
    }
    let domain_list = failed.iter().any(|r| {
        r.blocklist
            .as_ref()
            .and_then(|b| b.list)
            .and_then(crate::dnsbl::registry::by_id)
            .is_some_and(|l| l.kind == crate::dnsbl::registry::ListKind::Domain)
    });
    if domain_list {
        return Some(Situation::DomainListed);
    }
    let listed = failed.iter().any(|r| {
        r.blocklist.is_some() && matches!(r.reason, Reason::Blocked | Reason::BadReputation)
    });
    if listed {
        return Some(Situation::ServerIpListed);
    }
    main.iter()
        .any(|r| forward_target_gone(r, msg))
        .then_some(Situation::ForwardTargetGone)
}

/// True if `r` failed because a mail program could not connect to its outgoing server:
/// the connection failed or broke off, or encryption was not offered.
pub fn cannot_reach_outgoing_server(r: &Recipient) -> bool {
    r.remote_mta.is_none()
        && matches!(
            r.reason,
            Reason::NetworkError | Reason::Expired | Reason::FailedStartTls
        )
        && diagnostic_says(r, "situation.outgoing_server_unreachable")
}

/// True if `r`'s sender checks failed after the recipient's address forwarded the message
/// to another domain: its original address is at a third domain, neither the
/// forwarded-to one nor the sender's own (an alias of the sender's own server).
fn forwarded_then_failed_checks(r: &Recipient, msg: &Message) -> bool {
    r.reason == Reason::AuthFailure && recipients_forwarding(r, msg, &sender_domains(msg)).is_some()
}

/// A refusal of the connecting server itself: its IP address, name or reputation.
fn refuses_the_server(r: &Recipient) -> bool {
    matches!(
        r.reason,
        Reason::Blocked | Reason::RequirePtr | Reason::BadReputation
    )
}

/// True if `r` is where the recipient's address forwards to, and that provider refused
/// the forwarding server: the sender's own server never spoke to it.
fn forwarder_refused(r: &Recipient, msg: &Message) -> bool {
    // (Without the sender's address the alias may be the sender's own.)
    let senders = sender_domains(msg);
    refuses_the_server(r)
        && !senders.is_empty()
        && recipients_forwarding(r, msg, &senders).is_some()
}

/// True if `r` is where the recipient's address forwards to (at another domain than the
/// address the sender wrote), and that address does not exist or is closed.
fn forward_target_gone(r: &Recipient, msg: &Message) -> bool {
    // (Without the sender's address the alias may be the sender's own list; a forward
    // into the sender's own domain is an old address of their own; a provider's other
    // domain, `googlemail.com` for `gmail.com`, is the same mailbox.)
    let target = address_base_domain(&r.address).unwrap_or_default();
    let senders = sender_domains(msg);
    matches!(
        r.reason,
        Reason::UserUnknown | Reason::HostUnknown | Reason::Suspend
    ) && !senders.is_empty()
        && !senders.contains(&target)
        && recipients_forwarding(r, msg, &senders)
            .is_some_and(|from| !same_provider(&from, &target))
}

/// The registered domains of the sender: the notice's recipient, the original's sender.
/// A notice to a forwarder's rewritten address (SRS, `SRS0=hash=tt=example.org=anna@
/// forwarder.example`) is for the sender whose domain it names.
fn sender_domains(msg: &Message) -> Vec<String> {
    [
        msg.notice.to.as_deref(),
        msg.original.as_ref().and_then(|o| o.from.as_deref()),
    ]
    .into_iter()
    .flatten()
    .filter_map(text::first_address)
    .filter_map(|a| match srs_domain(&a) {
        Some(d) => Some(text::base_domain(d)),
        None => address_base_domain(&a),
    })
    .collect()
}

/// The original sender's domain in an SRS address (`SRS0=…=…=example.org=anna@…`).
fn srs_domain(address: &str) -> Option<&str> {
    let local = address.split('@').next()?;
    text::strip_prefix_ci(local, "srs0=")?
        .split('=')
        .nth(2)
        .filter(|d| d.contains('.'))
}

/// The domain `r` was forwarded from, if it got the message through a forwarding of the
/// recipient's: not one of the sender's own aliases (`senders`: the sender's domains),
/// and not in a mail log, where aliases are the reader's own.
fn recipients_forwarding(r: &Recipient, msg: &Message, senders: &[String]) -> Option<String> {
    if msg.format.ends_with("-log") {
        return None;
    }
    forwarded_from_domain(r).filter(|from| !senders.contains(from))
}

/// The domain (registered part) of the address `r` was forwarded from, when that is
/// another address than its own: the original address as a report field, or as Postfix,
/// Sendmail and Exim write it beside the address ("(expanded from <a@example.org>)",
/// "(expanded from: <…>)", "(generated from a@example.org)").
fn forwarded_from_domain(r: &Recipient) -> Option<String> {
    let written = || {
        let d = r.diagnostic.as_deref()?;
        let lower = d.to_ascii_lowercase();
        ["(expanded from ", "(expanded from: ", "(generated from "]
            .iter()
            .find_map(|m| lower.find(m).map(|p| &d[p + m.len()..]))
            .and_then(text::first_address)
    };
    // (Exchange's X500 addresses, `IMCEAEX-…@…`, are no forwarding.)
    let original = r
        .original_address
        .as_deref()
        .and_then(text::first_address)
        .or_else(written)
        .filter(|a| !a.to_ascii_lowercase().starts_with("imcea"))?;
    (!original.eq_ignore_ascii_case(&r.address))
        .then(|| address_base_domain(&original))
        .flatten()
}

/// The registered domain of an address (`example.org` for `a@mx.example.org`).
fn address_base_domain(address: &str) -> Option<String> {
    text::domain_part(address).map(text::base_domain)
}

/// True if `r` failed on the receiving server's broken encryption: a recipient's, not a
/// program's own server, and not a relay of the sender's (named like one).
fn receiver_tls_broken(r: &Recipient) -> bool {
    // A big provider's server that does not serve the recipient is the sender's relay,
    // unless it is named like the MX it may be for a hosted domain (`aspmx.l.google.com`,
    // `….mail.protection.outlook.com`).
    let providers_relay = r.remote_mta.as_deref().is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        let mx_like = m.split('.').next().is_some_and(|l| l.contains("mx"))
            || m.contains(".mail.protection.");
        is_mail_provider(&m) && !serves_recipient(&m, r) && !mx_like
    });
    matches!(r.reason, Reason::FailedStartTls | Reason::SecurityError)
        && !r.address.is_empty()
        && !is_smarthost_of_another_domain(r)
        && !providers_relay
        && diagnostic_says(r, "situation.recipient_tls_broken")
}

/// True if the headline of `situation` tells what happened to `r`, one of a message's
/// recipients: a situation of the sending side speaks for every recipient it names, one
/// of a receiving server for the `main` recipient and for others at its domain that
/// failed the same way.
pub fn speaks_for(situation: Situation, main: &Recipient, r: &Recipient) -> bool {
    // Wider than the trigger in `of`: any recipient refused for the server's IP.
    let refused_for_the_ip =
        || r.blocklist.is_some() || matches!(r.reason, Reason::Blocked | Reason::BadReputation);
    match situation {
        Situation::Phishing | Situation::ListHeld | Situation::ListRefused => true,
        Situation::AccountBlocked => diagnostic_says(r, "situation.account_blocked"),
        Situation::OwnOrganisationBlocks => diagnostic_says(r, "situation.own_organisation_blocks"),
        Situation::OwnPolicyBlocks => diagnostic_says(r, "situation.own_policy_blocks"),
        Situation::InternalOnly => diagnostic_says(r, "situation.internal_only"),
        Situation::SendingLimitReached => diagnostic_says(r, "situation.sending_limit_reached"),
        Situation::OutgoingServerUnreachable => cannot_reach_outgoing_server(r),
        Situation::RecipientTlsBroken => receiver_tls_broken(r),
        Situation::SmarthostRefusesRelay => {
            matches!(r.reason, Reason::NoRelaying | Reason::SecurityError)
                || diagnostic_says(r, "situation.relay_login_failed")
        }
        Situation::SenderDomainUnverified => {
            r.reason == Reason::Rejected || diagnostic_says(r, "situation.sender_domain_unverified")
        }
        Situation::DynamicIp => refused_for_the_ip() || diagnostic_says(r, "situation.dynamic_ip"),
        Situation::DomainListed | Situation::ServerIpListed => refused_for_the_ip(),
        Situation::MxHostMissing => mx_host_missing(r, None),
        Situation::MailLoop => diagnostic_says(r, "situation.mail_loop"),
        Situation::AttachmentBlocked => attachment_blocked(r),
        Situation::ForwardingFailsChecks => {
            r.reason == Reason::AuthFailure && forwarded_from_domain(r).is_some()
        }
        Situation::ForwardTargetGone => {
            matches!(
                r.reason,
                Reason::UserUnknown | Reason::HostUnknown | Reason::Suspend
            ) && forwarded_from_domain(r).is_some()
        }
        Situation::ForwarderRefused => refuses_the_server(r) && forwarded_from_domain(r).is_some(),
        Situation::MxIsIp
        | Situation::Greylisting
        | Situation::GreylistingGaveUp
        | Situation::ReceiverListError
        | Situation::RecipientRefusesRelay => {
            std::ptr::eq(main, r)
                || main.reason == r.reason
                    && main.action == r.action
                    && text::domain_part(&main.address)
                        .unwrap_or("")
                        .eq_ignore_ascii_case(text::domain_part(&r.address).unwrap_or(""))
        }
    }
}

/// True if a recipient's diagnostic holds one of the words of `signs.toml` at `signs`.
pub fn diagnostic_says(r: &Recipient, signs: &str) -> bool {
    let Some(d) = r.diagnostic.as_deref() else {
        return false;
    };
    match signs.strip_prefix("situation.") {
        Some(list) => situation_lists_in(d).contains(&list),
        None => crate::knowledge::signs(signs).any(|s| text::contains_ci(d, s)),
    }
}

/// The `situation` word lists that occur in a diagnostic, found in one pass. The last
/// diagnostic's are kept: the situations ask about one recipient's many times.
fn situation_lists_in(diagnostic: &str) -> Vec<&'static str> {
    static INDEX: std::sync::OnceLock<(crate::matcher::Matcher, Vec<&'static str>)> =
        std::sync::OnceLock::new();
    thread_local! {
        static LAST: std::cell::RefCell<(String, Vec<&'static str>)> = Default::default();
    }
    let (matcher, lists) = INDEX.get_or_init(|| {
        let (matcher, lists) = crate::matcher::Matcher::with_owners(
            crate::knowledge::sign_groups("situation")
                .into_iter()
                .flat_map(|(list, words)| words.into_iter().map(move |w| (list, w))),
        );
        (matcher.inside_words(), lists)
    });
    LAST.with_borrow_mut(|(last, found)| {
        if last != diagnostic {
            let lower = diagnostic.to_ascii_lowercase();
            *found = matcher
                .matches(&lower)
                .into_iter()
                .map(|i| lists[i])
                .collect();
            *last = diagnostic.to_string();
        }
        found.clone()
    })
}

/// True if the server that refused `r` is named like an outgoing relay (`smtp.…`,
/// `relay.…`) and belongs to another domain than the recipient's, whose incoming
/// servers it would otherwise be.
fn is_smarthost_of_another_domain(r: &Recipient) -> bool {
    let Some(host) = r.remote_mta.as_deref() else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    named_like_relay(&host)
        && host.contains('.')
        && !serves_recipient(&host, r)
        && !is_providers_mx(&host)
}

/// True if the first label of `host` (lower case) names a relay (`smtp.`, `relay.`).
fn named_like_relay(host: &str) -> bool {
    let first = host.split('.').next().unwrap_or("");
    crate::knowledge::signs("situation.smarthost_names").any(|n| first == n)
}

/// True if `host` is a hosting provider's incoming server named like an outgoing one
/// (`smtp.google.com`, Google Workspace's MX).
fn is_providers_mx(host: &str) -> bool {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    crate::knowledge::signs("situation.providers_mx_named_smtp").any(|h| host == h)
}

/// True if `r`'s address is at a big mail provider's own domain (`gmx.de`, not
/// `gartenweb.de`) and `host` is none of that provider's servers.
fn not_their_provider(host: &str, r: &Recipient) -> bool {
    let domain = text::domain_part(&r.address)
        .unwrap_or("")
        .to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    // A server of the provider: named under its domain (`mx00.gmx.net` for `gmx.`).
    let theirs = |word: &str| match word.strip_suffix('.') {
        Some(name) => host.starts_with(word) || host.contains(&format!(".{name}.")),
        None => host == word || host.ends_with(&format!(".{word}")),
    };
    crate::knowledge::signs("situation.provider_servers").any(|entry| {
        entry
            .split_once('=')
            .is_some_and(|(d, servers)| d == domain && !theirs(servers))
    })
}

/// True if `host` belongs to the domain of `r`'s address.
fn serves_recipient(host: &str, r: &Recipient) -> bool {
    let recipient_domain = text::domain_part(&r.address).unwrap_or("");
    text::base_domain(host.trim()) == text::base_domain(recipient_domain)
}

/// True if the returned message was handed in with a login (`ESMTPSA`, `auth=yes`) at
/// the server that wrote the notice: a relay refusal then came from the next server.
fn logged_in_at_notice_server(msg: &Message) -> bool {
    let Some(server) = notice_server(msg).map(|s| text::base_domain(&s)) else {
        return false;
    };
    msg.original.as_ref().is_some_and(|o| {
        o.received.iter().any(|r| {
            logged_in_hop(r) && receiving_host(r).is_some_and(|h| text::base_domain(&h) == server)
        })
    })
}

/// The server that wrote the notice (lower case): its Reporting-MTA, else the domain of
/// its From address.
fn notice_server(msg: &Message) -> Option<String> {
    msg.reporting_mta
        .as_deref()
        .map(|h| h.trim().to_ascii_lowercase())
        .or_else(|| msg.notice.from.as_deref().and_then(text::domain_of))
}

/// A Received field of a hop where someone logged in to send (`ESMTPSA`, `auth=yes`).
fn logged_in_hop(received: &str) -> bool {
    let lower = received.to_ascii_lowercase();
    crate::knowledge::signs("origin.authenticated").any(|s| lower.contains(s))
}

/// True if the server that wrote the notice is the user's own (an internal name, or one
/// of the domain the notice went to or the returned message came from, which is no big
/// mail provider's): a server that may hand all its mail to a smarthost.
fn notice_from_own_server(msg: &Message) -> bool {
    // (A paste that names no server: the returned copy's newest hop was taken in by a
    // server with an internal name, `server.firma.lan`.)
    let newest_hop = || {
        msg.original
            .as_ref()
            .and_then(|o| o.received.first())
            .and_then(|r| receiving_host(r))
            .map(|h| h.to_ascii_lowercase())
    };
    let Some(server) = notice_server(msg).or_else(newest_hop) else {
        return false;
    };
    let users = [
        msg.notice.to.as_deref().and_then(text::domain_of),
        msg.original
            .as_ref()
            .and_then(|o| o.from.as_deref())
            .and_then(text::domain_of),
    ];
    is_internal(&server)
        || !is_mail_provider(&server) && users.iter().flatten().any(|d| same_name(d, &server))
}

/// A recipient whose domain was not found because the host its MX names does not exist:
/// the failed lookup ("Name service error for name=mx.other.example type=A") is of
/// another host than the recipient's domain itself, and not one of the domain of the
/// server that wrote the notice (`reporter`), whose own relay host that may be.
fn mx_host_missing(r: &Recipient, reporter: Option<&str>) -> bool {
    let Some(domain) = text::domain_part(&r.address) else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    if r.reason == Reason::HostUnknown && diagnostic_says(r, "situation.mx_host_missing") {
        return true;
    }
    // (A host named like a relay is the sending server's own relay host; a big
    // provider's domain has working MX hosts.)
    r.reason == Reason::HostUnknown
        && !is_mail_provider(&domain)
        && r.diagnostic.as_deref().is_some_and(|d| {
            looked_up(&d.to_ascii_lowercase()).any(|rest| {
                let name = rest
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                    .next()
                    .unwrap_or("")
                    .trim_end_matches('.');
                let is_host = rest[name.len()..].trim_start().starts_with("type=a");
                is_host
                    && name.contains('.')
                    && name.parse::<std::net::Ipv4Addr>().is_err()
                    && name != domain
                    && !named_like_relay(name)
                    && reporter.is_none_or(|rep| text::base_domain(rep) != text::base_domain(name))
            })
        })
}

/// What follows each name a failed DNS lookup names ("Name service error for name=…"),
/// in `lower`.
fn looked_up(lower: &str) -> impl Iterator<Item = &str> {
    lower.match_indices("name=").map(|(p, _)| &lower[p + 5..])
}

/// A DNS lookup of a host name that is an IP address ("Name service error for
/// name=192.0.2.1 type=A"): what a sending server does when an MX record holds an IP.
fn names_an_ip_as_host(diagnostic: &str) -> bool {
    looked_up(&diagnostic.to_ascii_lowercase()).any(|rest| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        name.trim_end_matches('.')
            .parse::<std::net::Ipv4Addr>()
            .is_ok()
    })
}

/// Signs about where a returned message came from, for "I never sent this".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OriginSigns {
    /// `account_misuse`, `script_misuse`, `forged_sender` or `unclear`.
    pub likely: &'static str,
    /// Stable sign codes, e.g. `authenticated_submission`.
    pub signs: Vec<&'static str>,
}

impl OriginSigns {
    /// An account-misuse verdict whose message went to hidden recipients and asked for
    /// replies at another domain: the mark of fraud from a taken-over account. Either
    /// alone is no such mark: clubs send to many that way, and companies send replies to
    /// a helpdesk.
    pub fn fraud_marked(&self) -> bool {
        self.likely == "account_misuse"
            && self.signs.contains(&"reply_to_elsewhere")
            && self.signs.contains(&"hidden_recipients")
    }
}

/// Recipients of one message from which a log's login looks like a spam run.
const MASS_RECIPIENTS: usize = 20;

/// A mail log's login that sent one message to many recipients at once, a third or more
/// of which failed, as spam runs to bought or made-up addresses do (a club's
/// mailing mostly arrives). An admin reading a log needs no word on each ordinary login.
fn spam_run(s: &crate::report::Submission, msg: &Message) -> Option<OriginSigns> {
    let failed = msg
        .recipients
        .iter()
        .filter(|r| r.reason != Reason::Delivered)
        .count();
    (s.recipients >= MASS_RECIPIENTS && failed * 3 >= msg.recipients.len()).then(|| OriginSigns {
        likely: "account_misuse",
        signs: vec!["authenticated_submission", "many_recipients"],
    })
}

/// What the returned original's headers say about who sent it.
pub fn origin_signs(msg: &Message) -> Option<OriginSigns> {
    if let Some(s) = &msg.submission {
        return spam_run(s, msg);
    }
    let original = msg.original.as_ref()?;
    let mut signs = Vec::new();
    // The hop where someone logged in to send, if any.
    let authenticated_hop = original.received.iter().find(|r| logged_in_hop(r));
    let authenticated = authenticated_hop.is_some() || original.logged_in;
    if authenticated {
        signs.push("authenticated_submission");
    }
    let notice_to = msg.notice.to.as_deref().and_then(text::domain_of);
    let original_from = original.from.as_deref().and_then(text::domain_of);
    // The reader's domain; a pasted notice has no To, so the returned sender's.
    let user_domain = notice_to.clone().or_else(|| original_from.clone());
    // A notice from that domain (the user's own Exchange, say) passed through the user's
    // internal servers.
    let own_notice = match (
        &user_domain,
        msg.notice.from.as_deref().and_then(text::domain_of),
    ) {
        (Some(to), Some(from)) => same_name(to, &from),
        _ => false,
    };
    let own_host = |h: &str| {
        user_domain
            .as_deref()
            .is_some_and(|d| is_own_host(h, d, own_notice))
    };
    // Handed in on the server itself: by a web script (PHP names it), or by a local
    // program (the oldest hop comes from a user ID, or from the loopback address of one
    // of the user's own servers; a webmail login on that address is a login).
    let first_hop = original
        .received
        .last()
        .map(|r| r.to_ascii_lowercase())
        .unwrap_or_default();
    let says = |path: &str| crate::knowledge::signs(path).any(|w| first_hop.contains(w));
    let local = says("origin.local_program")
        || says("origin.loopback")
            && !authenticated
            && receiving_host(&first_hop).is_some_and(|h| own_host(&h));
    let script = original.script.is_some();
    if script {
        signs.push("script_submission");
    } else if local {
        signs.push("local_submission");
    }
    // What the receivers' SPF, DKIM and DMARC checks said about the user's domain.
    let checks = match (&user_domain, &original.auth_results) {
        (Some(d), Some(results)) => auth_checks(results, d),
        _ => AuthChecks::default(),
    };
    if checks.passed {
        signs.push("checks_passed");
    } else if checks.failed {
        signs.push("checks_failed");
    }
    // The bounce's own servers: a login there means the account itself was used.
    let provider: Vec<String> = [
        msg.reporting_mta.clone(),
        msg.notice.from.as_deref().and_then(text::domain_of),
    ]
    .into_iter()
    .flatten()
    .chain(notice_to.clone())
    .map(|d| text::base_domain(&d))
    .collect();
    let logged_in_at_provider = authenticated_hop
        .and_then(|hop| receiving_host(hop))
        .is_some_and(|host| {
            provider.contains(&text::base_domain(&host)) || is_mail_provider(&host)
        });
    let msgid_domain = original
        .message_id
        .as_deref()
        .and_then(|m| m.rsplit('@').next())
        .map(|d| d.trim_end_matches('>').to_ascii_lowercase());
    // Big providers and sending services write their own host names into message IDs
    // (Exchange Online's `*.prod.outlook.com`, Amazon SES); so do webmail front ends,
    // whose host names may have no dot.
    // The user's own servers name themselves in IDs too: the server that wrote the
    // notice, or an internal one (`EXCH01.firma.local`) when the notice came from the
    // user's own domain.
    let reporting = msg.reporting_mta.as_deref().map(text::base_domain);
    // The oldest hop names an outgoing server of the big provider that runs the sender's
    // own address (`mout.gmx.net` for a gmx.de address): mail from that provider's
    // webmail or app, whose IDs name hosts without a dot.
    let from_own_provider = original
        .received
        .last()
        .and_then(|r| named_sender(r))
        .zip(original_from.as_deref())
        .is_some_and(|(host, from)| is_mail_provider(&host) && same_provider(&host, from));
    // A sending service's or CRM's own message ID: the message went out through an
    // account there, in the user's name.
    let via_service = msgid_domain.as_deref().is_some_and(|id| {
        crate::knowledge::signs("origin.sending_services").any(|s| id.ends_with(s))
    });
    if let (Some(from), Some(id)) = (&original_from, &msgid_domain)
        && (id.contains('.') || !authenticated && !from_own_provider)
        && !same_name(id, from)
        && reporting.as_deref() != Some(text::base_domain(id).as_str())
        && !(is_internal(id) && own_notice)
        && !is_mail_provider(id)
        && !via_service
        && !(logged_in_at_provider && provider.contains(&text::base_domain(id)))
        && !taken_in_by(original, id)
    {
        signs.push("message_id_foreign");
    }
    if let (Some(to), Some(from)) = (&notice_to, &original_from)
        && to != from
    {
        signs.push("from_not_yours");
    }
    // Passed through the user's own servers: a receiving (`by`) host, not a name the
    // sending machine claimed for itself.
    // The newest hop's receiver also checked the sending host's name (`from helo
    // (name [ip])`); older hops may be made up. Below a hop from a host without a reverse
    // name (qmail's `from unknown (HELO x)`, Postfix's `from x (unknown [ip])`) that did
    // not greet as a server of the user's domain does (`mail.example.org`; spam software
    // says `example.org` or a stranger's name), any line may be.
    let unnamed_hop = original.received.iter().position(|r| {
        let lower = r.to_ascii_lowercase();
        let greeting = if lower.starts_with("from unknown") {
            lower
                .split_once("(helo ")
                .and_then(|(_, rest)| rest.split([')', ' ']).next())
        } else if lower.contains("(unknown [") {
            claimed_name(&lower)
        } else {
            return false;
        };
        // (An internal name, `exchange01.firma.local`, is the user's own server too.)
        let server_of_user = |d: &str| {
            greeting.is_some_and(|g| {
                g.strip_suffix(d).is_some_and(|host| host.ends_with('.'))
                    || g.contains('.') && is_internal(g)
            })
        };
        user_domain.as_deref().is_some_and(|d| !server_of_user(d))
    });
    let checked_hops = &original.received[..unnamed_hop.map_or(original.received.len(), |i| i + 1)];
    let received_by_own = checked_hops
        .iter()
        .filter_map(|r| receiving_host(r))
        .chain(original.received.first().and_then(|r| verified_sender(r)))
        .any(|h| own_host(&h));
    // A host of the server that wrote the notice, or of the same big provider
    // (`smtp-relay.gmail.com` for a notice from `googlemail.com`).
    let at_reporter = |h: &str| reporting.as_deref().is_some_and(|r| same_operator(r, h));
    // The server that wrote the notice took the message and was passing it on to the
    // recipient's server: it may well be the user's own outgoing server.
    let reporter_took_it = original
        .received
        .iter()
        .filter_map(|r| receiving_host(r))
        .any(|h| at_reporter(&h));
    // Unless the server that wrote the notice is the recipient's own gateway (its
    // domain is the recipient's), which took the message in from outside.
    let recipients_gateway = msg.recipients.iter().any(|r| {
        reporting.as_deref().is_some_and(|rep| {
            text::domain_part(&r.address).is_some_and(|d| text::base_domain(d) == rep)
        })
    });
    let relayed_on = reporter_took_it
        && !recipients_gateway
        && msg
            .recipients
            .iter()
            .any(|r| r.remote_mta.as_deref().is_some_and(|m| !at_reporter(m)));
    // A notice from the user's own organisation (Exchange Online writes from the
    // customer's domain) about a message that started inside the server that wrote it:
    // the user's own system, even when it runs at a big provider. Mail it received from
    // outside may be forged.
    let started_at_reporter = original
        .received
        .last()
        .and_then(|r| sending_host(r))
        .is_some_and(|h| at_reporter(&h));
    let hosted_own = own_notice && reporter_took_it && started_at_reporter;
    // Every hop passed between the servers of one big mail provider (Microsoft 365's
    // internal hops): the message was handed in there, as after a login. A hop whose
    // sender the receiver could not look up ("unknown"), or looked up under another
    // name, may have made its name up.
    let inside_provider = !original.received.is_empty()
        && original
            .received
            .iter()
            .all(|r| match (sending_host(r), receiving_host(r)) {
                (Some(from), Some(by)) => {
                    let provider = text::base_domain(&by);
                    is_mail_provider(&by)
                        && text::base_domain(&from) == provider
                        && !crate::knowledge::signs("origin.unresolved_sender")
                            .any(|w| text::contains_ci(r, w))
                        && verified_sender(r).is_none_or(|h| text::base_domain(&h) == provider)
                }
                _ => false,
            });
    let through_own = received_by_own
        || logged_in_at_provider
        || script
        || local
        || checks.passed
        || hosted_own
        || inside_provider;
    let barred = msg
        .recipients
        .iter()
        .any(|r| diagnostic_says(r, "situation.account_blocked"));
    if barred {
        signs.push("account_blocked");
    }
    // A login at a server we cannot place may well be the user's own provider; a chain
    // of loopback hops only (a filter's internal step) says nothing about the sender.
    let outside_hop = original.received.iter().any(|r| {
        let r = r.to_ascii_lowercase();
        !crate::knowledge::signs("origin.loopback").any(|w| r.contains(w))
    });
    // A big provider's outgoing server, as the receiver looked it up, handed the
    // message in (the oldest hop; later ones may be the recipient's own gateways): it
    // came from an account there, which may be the user's.
    // (An oldest hop without a sender is the provider's own hand-in: its receiver.)
    let from_provider = original
        .received
        .last()
        .and_then(|r| {
            verified_sender(r).or_else(|| {
                r.get(..3)
                    .is_some_and(|by| by.eq_ignore_ascii_case("by "))
                    .then(|| receiving_host(r))
                    .flatten()
            })
        })
        .is_some_and(|h| is_mail_provider(&h))
        || from_own_provider;
    if outside_hop && !through_own && !authenticated && !relayed_on && !from_provider {
        signs.push("not_through_your_provider");
    }
    // A notice from the user's own domain, or written by a server named like it (a
    // pasted Exchange notice's `EX19.firma.local`), about a recipient outside it: the
    // user's own server was sending the message out.
    let reported_by_own = msg
        .reporting_mta
        .as_deref()
        .zip(user_domain.as_deref())
        .is_some_and(|(reporter, own)| same_name(reporter, own));
    let sent_out_by_own = (own_notice || reported_by_own)
        && msg.recipients.iter().all(|r| {
            text::domain_part(&r.address)
                .zip(user_domain.as_deref())
                .is_some_and(|(d, own)| !same_name(d, own))
        });
    // A refusal for a failed SPF or DMARC check is the receiver's verdict too, on a
    // message the user's own systems never handled (a login, a program on the server,
    // the user's own servers or provider passing it on: then the user's own set-up fails
    // the check), unless the recipient's forwarding failed it.
    // (Without any Received field nothing shows where the message came from: the same
    // refusal meets the user's own mail when the domain's SPF record is wrong.)
    let refused_for_checks = !checks.passed
        && !checks.failed
        && !original.received.is_empty()
        && !sent_out_by_own
        && !authenticated
        && !script
        && !local
        && !through_own
        && !relayed_on
        && !from_provider
        && !notice_from_provider(msg)
        && msg
            .recipients
            .iter()
            .any(|r| r.reason == Reason::AuthFailure && forwarded_from_domain(r).is_none());
    if refused_for_checks {
        signs.push("checks_failed");
    }
    // The machine that handed the message in, without a login, is no mail server of the
    // user's: a home or unnamed connection, or one that only called itself by the user's
    // domain. (The oldest hop that can be trusted: lines below an unnamed one may be made
    // up.)
    if !authenticated
        && !through_own
        && let (Some(hop), Some(domain)) = (checked_hops.last(), user_domain.as_deref())
        && foreign_machine(hop, domain)
    {
        signs.push("foreign_machine");
    }
    if signs.is_empty() {
        return None;
    }
    // Marks of fraud or mass mail on a message with other signs: replies go to another
    // domain (a taken-over account's mail asks for answers elsewhere), or the recipients
    // are hidden.
    if let (Some(reply), Some(from)) = (
        original.reply_to.as_deref().and_then(text::domain_part),
        &original_from,
    ) && !same_name(reply, from)
    {
        signs.push("reply_to_elsewhere");
    }
    if hidden_recipients(original) {
        signs.push("hidden_recipients");
    }
    // Received lines below the receiver's own can be written by anyone; the receiver's
    // verdict that the user's domain did not send the message outweighs them.
    let likely = if barred {
        "account_misuse"
    } else if (checks.failed || refused_for_checks) && !checks.passed {
        // A login at the user's own servers or provider, from which the receiver took
        // the message, contradicts it: a wrong SPF record, or the recipient's
        // forwarding, fails the user's own mail too. (A login line below a stranger's
        // hand-in is made up.)
        // (A big provider's own domain has no wrong SPF record.)
        let handed_on_from_login = !user_domain.as_deref().is_some_and(is_provider_domain)
            && authenticated_hop
                .and_then(|hop| receiving_host(hop))
                .zip(original.received.first().and_then(|r| named_sender(r)))
                .is_some_and(|(login, sender)| same_operator(&login, &sender));
        // So does a big provider's outgoing server handing the message to the receiver
        // (the newest hop between two providers; the receiver's own internal hops do
        // not count): it left an account there (Google Workspace with a wrong SPF
        // record).
        let from_provider_account = original
            .received
            .iter()
            .filter_map(|r| Some((named_sender(r), receiving_host(r)?)))
            .find(|(sender, by)| sender.as_deref().is_none_or(|s| !same_operator(s, by)))
            .and_then(|(sender, _)| sender)
            .is_some_and(|h| is_mail_provider(&h));
        // And so does a sending service's message ID: the user's SPF or DKIM record for
        // the service is missing.
        // So does a program or script handing the message in on the user's own server,
        // or on the server that wrote the notice and passed the message on (a web
        // host's server missing from the record); on a stranger's server it is spam.
        let on_own_server = receiving_host(&first_hop).is_some_and(|h| own_host(&h));
        if authenticated && through_own && handed_on_from_login
            || from_provider_account
            || via_service
            || (script || local) && (on_own_server || relayed_on)
        {
            "unclear"
        } else {
            "forged_sender"
        }
    } else if authenticated && through_own || checks.passed {
        "account_misuse"
    } else if script || local {
        "script_misuse"
    } else if !authenticated
        && [
            "not_through_your_provider",
            "message_id_foreign",
            "foreign_machine",
        ]
        .iter()
        .filter(|s| signs.contains(s))
        .count()
            >= 2
    {
        // (One sign alone: the user's own server may be one we cannot place.)
        "forged_sender"
    } else {
        "unclear"
    };
    Some(OriginSigns { likely, signs })
}

/// The receiving side refuses the kind of attachment (the words of the reason rule for
/// attachment types decided).
fn attachment_blocked(r: &Recipient) -> bool {
    r.decided_by.source == "text"
        && crate::knowledge::situation_phrases("attachment_blocked")
            .any(|p| p == r.decided_by.matched)
}

/// A Received field `hop` (the oldest) from a machine that is no mail server of
/// `domain`: one the receiver could not name, one named like a home or dynamic
/// connection, or one that called itself by the bare domain (`HELO firma.de`) that its
/// address does not look up to.
fn foreign_machine(hop: &str, domain: &str) -> bool {
    let lower = hop.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("from ") else {
        return false;
    };
    // A machine of an internal network (`10.13.146.206`) is one of an organisation's own
    // (the address the receiver saw: in brackets before its ` by `, not a name the
    // machine gave itself, `[192.168.1.5]` or `(HELO …)`).
    let sender_part = rest.split(" by ").next().unwrap_or(rest);
    let seen = sender_part
        .split_inclusive(')')
        .filter_map(|group| group.find('(').map(|at| &group[at..]))
        .filter(|group| !group.starts_with("(helo"))
        .collect::<String>();
    let internal = seen
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.parse::<std::net::Ipv4Addr>().ok())
        .any(|ip| ip.is_private() || ip.is_loopback());
    if internal {
        return false;
    }
    let claimed = claimed_name(&lower).unwrap_or_default();
    let verified = verified_sender(hop);
    let unnamed = claimed == "unknown" || claimed.starts_with('[') || lower.contains("(unknown [");
    let home = [Some(claimed), verified.as_deref()]
        .into_iter()
        .flatten()
        .any(|name| crate::knowledge::signs("origin.home_connections").any(|w| name.contains(w)));
    // (Exim's `name ([192.0.2.1] helo=domain)` is left out: a business line's generic
    // name with the bare domain as greeting is how many small firms' own servers send.)
    let helo = rest
        .find("(helo ")
        .map(|at| &rest[at + 6..])
        .and_then(|h| h.split([')', ' ']).next())
        .unwrap_or(claimed);
    let claims_the_domain = helo.trim_end_matches('.') == domain
        && verified.is_none_or(|v| text::base_domain(&v) != text::base_domain(domain));
    unnamed || home || claims_the_domain
}

/// True if the server that last took the message in (the newest `by` host, which no
/// sender can write) is of the domain `id` names: a receiver gives a message without an
/// ID one of its own.
fn taken_in_by(original: &HeaderSummary, id: &str) -> bool {
    original
        .received
        .first()
        .and_then(|r| receiving_host(r))
        .is_some_and(|h| text::base_domain(&h) == text::base_domain(id))
}

/// The returned message went to "undisclosed recipients": an empty address group
/// (`To: undisclosed-recipients:;`, `To: Ungenannte Empfänger:;`) or its name alone.
fn hidden_recipients(original: &HeaderSummary) -> bool {
    original.to.as_deref().is_some_and(|to| {
        to.trim_end()
            .strip_suffix(';')
            .is_some_and(|group| group.trim_end().ends_with(':'))
            || crate::knowledge::signs("origin.hidden_recipients").any(|w| text::contains_ci(to, w))
    })
}

/// What the last receiver's `Authentication-Results` say about mail from `domain`.
#[derive(Debug, Default, Clone, Copy)]
struct AuthChecks {
    /// DMARC passed, or SPF or DKIM passed for the domain itself.
    passed: bool,
    /// DMARC or SPF failed for the domain.
    failed: bool,
}

fn auth_checks(results: &str, domain: &str) -> AuthChecks {
    let domain = text::base_domain(domain);
    let mut checks = AuthChecks::default();
    // Each verdict is followed by the domain it was about (`header.from=`,
    // `smtp.mailfrom=`, `header.d=`).
    for part in results.to_ascii_lowercase().split(';') {
        let part = part.trim();
        // (By a field, `header.from=example.org`, or in a comment: Received-SPF's
        // "(example.org: 192.0.2.1 is not authorized)".)
        let about_user = part
            .split_whitespace()
            .map(|w| w.split_once('=').map_or(w, |(_, v)| v))
            .any(|v| {
                let v = v.trim_matches(['(', ')', '"', '<', '>', ':', ',']);
                let host = v.rsplit('@').next().unwrap_or(v);
                text::base_domain(host) == domain
            });
        if !about_user {
            continue;
        }
        let verdict = |check: &str, result: &str| part.starts_with(&format!("{check}={result}"));
        if verdict("dmarc", "pass") || verdict("dkim", "pass") || verdict("spf", "pass") {
            checks.passed = true;
        }
        if verdict("dmarc", "fail") || verdict("spf", "fail") || verdict("spf", "softfail") {
            checks.failed = true;
        }
    }
    checks
}

/// The host a Received field says the message came from (`from host.example …`), if it
/// names one.
fn sending_host(received: &str) -> Option<String> {
    let lower = received.to_ascii_lowercase();
    lower
        .strip_prefix("from ")?
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .filter(|h| h.contains('.') && !h.starts_with('['))
        .map(str::to_string)
}

/// The host named after ` by ` in a Received field: the server that took the message.
fn receiving_host(received: &str) -> Option<String> {
    let lower = received.to_ascii_lowercase();
    let at = lower
        .find(" by ")
        .map(|p| p + 4)
        .or_else(|| lower.strip_prefix("by ").map(|_| 3))?;
    lower[at..]
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .next()
        .filter(|h| h.contains('.'))
        .map(str::to_string)
}

/// A receiving host of the user's own mail system, the user's domain being `domain`: a
/// host of that domain (also under another ending, `exch01.firma.local` for `firma.de`),
/// an internal host when the notice came from the user's own domain, or a host of the
/// same known provider (`*.google.com` for Gmail).
fn is_own_host(host: &str, domain: &str, own_notice: bool) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (is_internal(&host) && own_notice) || same_name(&host, domain) || same_provider(&host, domain)
}

/// The name a sending machine gave itself in a Received field (lower case), as written
/// first: `from name (…)`.
fn claimed_name(lower: &str) -> Option<&str> {
    lower
        .strip_prefix("from ")?
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
}

/// A host name of an internal network (no dot, or `.local`, `.lan` …).
fn is_internal(host: &str) -> bool {
    !host.contains('.')
        || [".local", ".lan", ".internal", ".intranet", ".corp"]
            .iter()
            .any(|e| host.ends_with(e))
}

/// The sending host's name in a Received field: as the receiver looked it up, or as the
/// machine called itself when the receiver wrote no lookup (Exchange: `from host (ip)`).
/// Not a name the receiver could not confirm ("unknown", "may be forged"), nor a bare
/// domain: machines that forge call themselves so.
fn named_sender(received: &str) -> Option<String> {
    if let Some(host) = verified_sender(received) {
        return Some(host);
    }
    let lower = received.to_ascii_lowercase();
    let doubted = lower.contains("forged")
        || crate::knowledge::signs("origin.unresolved_sender").any(|w| lower.contains(w));
    sending_host(received).filter(|host| !doubted && text::base_domain(host) != *host)
}

/// The sending host's name as the receiver looked it up, in a Received field of the form
/// `from helo (name [192.0.2.1]) by …` (not "unknown"), `from name ([192.0.2.1]
/// verified)`, or Exim's `from name ([192.0.2.1] helo=greeting)`.
fn verified_sender(received: &str) -> Option<String> {
    let lower = received.to_ascii_lowercase();
    let rest = lower.strip_prefix("from ")?;
    let open = rest.find('(')?;
    let inner = &rest[open + 1..rest[open..].find(')')? + open];
    // CommuniGate Pro marks a claimed name that the address looks up to:
    // `from smtp.example.org ([192.0.2.1] verified)`.
    // Exim puts the name it looked up first when the greeting differs:
    // `from host.example.net ([192.0.2.1] helo=other)`.
    let claimed = rest[..open].trim();
    if inner.starts_with('[')
        && (inner.ends_with(" verified") || inner.contains(" helo="))
        && claimed.contains('.')
        && !claimed.starts_with('[')
    {
        return Some(claimed.to_string());
    }
    let (name, ip) = inner.split_once(' ')?;
    (ip.starts_with('[') && name.contains('.') && name != "unknown" && !inner.contains("forged"))
        .then(|| name.to_string())
}

/// Two host names under the same domain (`smtp.mail.att.net` and `att.net`), or the same
/// domain name whatever the ending (`exch01.firma.local` and `firma.de`; short names
/// such as `web` only with the same ending).
fn same_name(a: &str, b: &str) -> bool {
    let name = |d: &str| {
        text::base_domain(d)
            .split('.')
            .next()
            .unwrap_or("")
            .to_string()
    };
    text::base_domain(a) == text::base_domain(b) || {
        let (a, b) = (name(a), name(b));
        a.len() > 3 && a == b
    }
}

/// Both names belong to the same mail provider of the knowledge base.
fn same_provider(a: &str, b: &str) -> bool {
    let b = b.to_ascii_lowercase();
    crate::knowledge::providers()
        .iter()
        .any(|p| p.runs(&a.to_ascii_lowercase()) && p.runs(&b))
}

/// Two host names run by the same operator: the same registered domain, or the same
/// big provider (`smtp-relay.gmail.com` and `googlemail.com`).
fn same_operator(a: &str, b: &str) -> bool {
    text::base_domain(a) == text::base_domain(b) || same_provider(a, b)
}

/// The notice comes from a big mail provider's domain: its user sent the message.
fn notice_from_provider(msg: &Message) -> bool {
    msg.notice
        .from
        .as_deref()
        .and_then(text::domain_of)
        .is_some_and(|d| is_provider_domain(&d))
}

/// True if `domain` is one of a big mail provider's own (`aol.com`, `gmx.net`), not one
/// that merely ends like it (`agentur-kreativweb.de`).
fn is_provider_domain(domain: &str) -> bool {
    let base = text::base_domain(&domain.to_ascii_lowercase());
    crate::knowledge::providers().iter().any(|p| p.runs(&base))
}

/// A host of a mail provider the knowledge base knows (Gmail, Microsoft, GMX, IONOS …).
fn is_mail_provider(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    crate::knowledge::providers().iter().any(|p| p.runs(&host))
}
