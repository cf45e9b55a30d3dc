//! Signs that a "delivery notice" is phishing dressed as a Mailer-Daemon message: no
//! delivery-status structure, links to log-in pages, attachments to open, urgent words.

use crate::knowledge::{Data, Lang, signs as signs_of};
use crate::matcher::Matcher;
use crate::notice::Notice;
use crate::report::{Message, Recipient};
use crate::text;
use std::sync::OnceLock;

/// The phishing signs of a message that claims to be a delivery notice, if there are
/// at least two of them.
pub fn signs(n: &Notice, msg: &Message) -> Option<Vec<String>> {
    // In full lower case: "Échec de la remise".
    let names = |value: Option<&str>, words: &str| {
        value.is_some_and(|v| {
            let v = v.to_lowercase();
            signs_of(words).any(|w| v.contains(w))
        })
    };
    // The decoded headers: an encoded subject ("=?UTF-8?Q?Quarant=C3=A4ne?=") counts too.
    // A paste without headers makes its claim in its words ("Mail Delivery Failure"),
    // and names no failed address (a pasted real notice and its returned mail do); a
    // pasted quarantine digest is left to the headers it lost.
    // One without a server's codes that names a look-alike provider address claims to
    // come from the provider, whatever address it says failed.
    let coded = msg.recipients.iter().any(Recipient::coded);
    let pasted_lookalike = pasted_lookalike(n).filter(|_| !coded);
    let pasted_digest = !n.has_headers && names(Some(n.own_words()), "kind.digest_words");
    let pasted_claim = !n.has_headers
        && (msg.recipients.iter().all(|r| r.address.is_empty()) || pasted_lookalike.is_some())
        && names(Some(n.own_words()), "phishing.claims_subject")
        && !pasted_digest;
    // A paste may keep the header lines of the mail it quotes ("Von: Webmail
    // Administrator <…>", "Betreff: Ihr Postfach … ist voll"), but not a digest's.
    let pasted = |list| pasted_field(n, list).filter(|_| !pasted_digest);
    let from = n.headers.from.as_deref().or(pasted("phishing.pasted_from"));
    let subject = n
        .headers
        .subject
        .as_deref()
        .or(pasted("phishing.pasted_subject"));
    // A sender in a big provider's name from a domain only named like it claims to be
    // the provider.
    let impersonated = from.and_then(impersonated_provider).or(pasted_lookalike);
    let claims_notice = names(from, "phishing.claims_from")
        || names(subject, "phishing.claims_subject")
        || pasted_claim
        || impersonated.is_some();
    // A real delivery report (multipart/report) is what phishing notices lack; a
    // report-like block of text inside an ordinary mail is no such structure. A report
    // whose only failed address is the reader's own is a copied structure: real notices
    // go to the sender of the failed message, about someone else.
    let about_reader = about_the_reader(n, msg);
    let forged = forged_sender_domain(n);
    let asks_password = asks_for_password(n);
    if !claims_notice || n.is_dsn_report && !about_reader && !forged && !asks_password {
        return None;
    }
    let mut signs = Vec::new();
    let mut strong = 0;
    if asks_password {
        signs.push("password_request".to_string());
        strong += 1;
    }
    if about_reader {
        signs.push("own_address".to_string());
    }
    if forged {
        signs.push("forged_notice".to_string());
    }
    if let Some(domain) = &impersonated {
        signs.push(format!("impersonated_sender:{domain}"));
    }
    if n.dsn.is_empty() && !coded {
        signs.push("no_delivery_status".to_string());
    }
    // Only the notice's own words count, not a returned original (which may be spam).
    let own = n.own_words();
    if let Some(lure) = lure_in(own) {
        signs.push(format!("lure:{}", lure.replace(" * ", " … ")));
        strong += 1;
    }
    let links: Vec<String> = memchr::memmem::find_iter(own.as_bytes(), "http")
        .filter_map(|at| {
            let word = own[at..].split(|c: char| c.is_whitespace()).next()?;
            let word = word.trim_matches(LINK_QUOTES);
            // The link starts its word (after quotes or brackets), as in the text's words
            // ("Nachrichten abrufen [https://…]", as mail programs show a link's target).
            let before = own[..at].trim_end_matches(LINK_QUOTES);
            let starts_word = before.chars().next_back().is_none_or(char::is_whitespace);
            let linked = word.starts_with("http://") || word.starts_with("https://");
            (linked && starts_word).then(|| word.to_string())
        })
        .chain(n.links.iter().map(|l| l.href.to_ascii_lowercase()))
        .collect();
    let portal = |l: &String| {
        host(l).is_some_and(|h| {
            signs_of("phishing.quarantine_portals").any(|p| {
                h.strip_suffix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
            })
        })
    };
    let portal_links_only = !links.is_empty() && links.iter().all(portal);
    // (A link to the reader's own domain leads to their own gateway: a digest's.)
    let reader_domain = n.headers.to.as_deref().and_then(text::domain_of);
    let reader_base = reader_domain.as_deref().map(text::base_domain);
    let own_site = |l: &String| host(l).is_some_and(|h| Some(text::base_domain(&h)) == reader_base);
    let links: Vec<String> = links
        .into_iter()
        .filter(|l| !on_trusted_site(l) && !portal(l) && !own_site(l))
        .collect();
    if let Some(link) = links.iter().find(|l| is_login_link(l)) {
        signs.push(format!("login_link:{}", shown(link)));
        strong += 1;
    }
    if let Some(link) = links
        .iter()
        .find(|l| host(l).is_some_and(|h| signs_of("phishing.shorteners").any(|s| h == s)))
    {
        signs.push(format!("shortened_link:{}", shown(link)));
        strong += 1;
    }
    if let Some(link) = links
        .iter()
        .find(|l| host(l).is_some_and(|h| disguised_host(&h, reader_domain.as_deref())))
    {
        signs.push(format!("disguised_link:{}", shown(link)));
        strong += 1;
    }
    // A sender named like the reader's or a big provider's domain, under another one
    // (`postmaster@firma.de.mailsystem-notice.top`). Hosting platforms name their
    // customers' servers so (`mail.firma.de.cloud.example`), but their notices carry no
    // link: with one it is a strong sign, else it stands in for a second sign, as an
    // impersonated provider does.
    let disguised = impersonated.is_none()
        && from
            .and_then(text::domain_of)
            .filter(|d| disguised_host(d, reader_domain.as_deref()))
            .map(|domain| signs.push(format!("disguised_sender:{domain}")))
            .is_some();
    if disguised && !links.is_empty() {
        strong += 1;
    }
    if let Some(link) = links
        .iter()
        .find(|l| on_listed_site(l, "phishing.free_hosts"))
    {
        signs.push(format!("free_host_link:{}", shown(link)));
        strong += 1;
    }
    if let Some(link) = n.links.iter().find(|l| shows_another_site(l)) {
        signs.push(format!(
            "deceptive_link:{} → {}",
            shown(&link.text),
            shown(&link.href)
        ));
        strong += 1;
    }
    if let Some(a) = n.attachments.iter().find(|a| {
        signs_of("phishing.risky_attachments").any(|e| a.to_ascii_lowercase().ends_with(e))
    }) {
        signs.push(format!("attachment:{a}"));
        strong += 1;
    }
    // About the reader's own address, the words must urge and a link or a file must
    // wait for the reader.
    let lured = signs.iter().any(|s| s.starts_with("lure:"));
    // Urging words are no lure on their own when every link leads to a security
    // service's quarantine portal (its digest), or when a big provider's own domain sent
    // them with no link elsewhere (its notice that the mailbox sent spam).
    let sender_trusted = n
        .headers
        .from
        .as_deref()
        .and_then(text::domain_of)
        .map(|d| text::base_domain(&d))
        .is_some_and(|d| big_provider_domains().any(|t| t == d));
    let excused = portal_links_only || sender_trusted && links.is_empty();
    // (A sender in a big provider's name from a domain only named like it, or named
    // like the reader's, stands in for a second sign.)
    let enough = if about_reader {
        lured && (strong >= 2 || impersonated.is_some() || disguised)
    } else {
        strong >= 2 || strong == 1 && !(lured && excused)
    };
    (enough && signs.len() >= 2).then_some(signs)
}

/// The sender's domain of a notice from a mail system or in a big mail provider's name
/// that only looks like the provider's (`o365-ndr-service.com`,
/// `googlemail-delivery.net`). The providers' own names under any top-level domain
/// (`outlook.de`, `hotmail.co.uk`) are theirs.
fn impersonated_provider(from: &str) -> Option<String> {
    let address = text::first_address(from)?;
    let lower = from.to_ascii_lowercase();
    let claims_provider = signs_of("phishing.provider_names").any(|m| lower.contains(m));
    if !claims_provider && !text::is_system_address(&address) {
        return None;
    }
    let sender = text::base_domain(text::domain_part(&address)?);
    lookalike_domain(&sender).then_some(sender)
}

/// In a paste (no headers): the domain of an address in the notice's words that only
/// looks like a big mail provider's (`postmaster@webde-kundencenter-sicherheit.com`).
fn pasted_lookalike(n: &Notice) -> Option<String> {
    if n.has_headers {
        return None;
    }
    text::find_addresses(n.own_words())
        .into_iter()
        .find_map(|a| {
            let domain = text::base_domain(text::domain_part(&a.value)?);
            lookalike_domain(&domain).then_some(domain)
        })
}

/// A domain named like a big mail provider that is not one of the provider's own.
fn lookalike_domain(domain: &str) -> bool {
    let name = domain.split('.').next().unwrap_or_default();
    let own = signs_of("phishing.provider_domains").any(|d| d.split('.').next() == Some(name));
    let lookalike = domain
        .split(['.', '-'])
        .any(|word| signs_of("phishing.provider_lookalikes").any(|w| w == word));
    lookalike && !own
}

/// For a message with phishing signs: true when the failure it describes is only the
/// lure: it carries no delivery report, or no server codes, or no recipient but the
/// reader (codes in a fake notice's table are made up too).
pub fn only_the_lure(n: &Notice, msg: &Message) -> bool {
    if n.dsn.is_empty() && !n.is_dsn_report || asks_for_password(n) {
        return true;
    }
    let all = |f: &dyn Fn(&Recipient) -> bool| msg.recipients.iter().all(f);
    let no_codes = all(&|r| !r.coded());
    let reader = n.headers.to.as_deref().map(text::find_addresses);
    let is_reader = |a: &str| {
        reader
            .iter()
            .flatten()
            .any(|f| f.value.eq_ignore_ascii_case(a))
    };
    let nobody = all(&|r| r.address.is_empty() || is_reader(&r.address));
    no_codes || nobody
}

/// What a text puts around a link's address: quotes and brackets.
const LINK_QUOTES: [char; 7] = ['<', '>', '"', '(', ')', '[', ']'];

/// How far before a request for the password a word may turn it into a warning ("will
/// never ask you by e-mail to enter your password"), and how far after it
/// ("Geben Sie Ihr Passwort niemals ein").
const NEGATION_BEFORE: usize = 32;
const NEGATION_AFTER: usize = 16;

/// No real notice asks for the reader's password, whatever structure it copies (one
/// that warns never to enter it asks for nothing).
fn asks_for_password(n: &Notice) -> bool {
    let own = n.own_words();
    signs_of("phishing.password_requests").any(|w| {
        text::occurrences(own, w).any(|at| {
            let before = &own[own.floor_char_boundary(at.saturating_sub(NEGATION_BEFORE))..at];
            let end = at + w.len();
            let after = &own[end..own.floor_char_boundary(end + NEGATION_AFTER)];
            let split = |c: char| !c.is_alphanumeric() && c != '\'' && c != '’';
            !before
                .split(split)
                .chain(after.split(split))
                .any(|word| signs_of("phishing.negations").any(|neg| word == neg))
        })
    })
}

/// The receiving server found the notice's own sender domain forged: its topmost
/// `Authentication-Results` say DMARC failed for the domain in `From:`.
fn forged_sender_domain(n: &Notice) -> bool {
    let (Some(results), Some(from)) = (&n.headers.auth_results, &n.headers.from) else {
        return false;
    };
    let Some(domain) = text::domain_of(from).map(|d| text::base_domain(&d)) else {
        return false;
    };
    results.to_ascii_lowercase().split(';').any(|part| {
        let part = part.trim();
        part.starts_with("dmarc=fail")
            && part
                .split_whitespace()
                .filter_map(|w| w.strip_prefix("header.from="))
                .any(|d| text::base_domain(d) == domain)
    })
}

/// The first lure (lower case) in `own`, found in one pass.
fn lure_in(own: &str) -> Option<&'static str> {
    static LURES: OnceLock<(Matcher, Vec<&'static str>)> = OnceLock::new();
    let (matcher, lures) = LURES.get_or_init(|| {
        let lures: Vec<&'static str> = signs_of("phishing.lures").collect();
        (Matcher::new(&lures), lures)
    });
    matcher.find(own).map(|(_, i)| lures[i])
}

/// True when the only failed recipients are the reader's own address, for a message the
/// reader did not send to themselves.
fn about_the_reader(n: &Notice, msg: &Message) -> bool {
    let Some(reader) = n
        .headers
        .to
        .as_deref()
        .or(pasted_field(n, "phishing.pasted_to"))
        .and_then(|t| text::find_addresses(t).pop())
    else {
        return false;
    };
    let sent_to_self = n
        .original
        .as_ref()
        .and_then(|o| o.from.as_deref())
        .is_some_and(|f| text::contains_ci(f, &reader.value));
    !sent_to_self
        && !msg.recipients.is_empty()
        && msg
            .recipients
            .iter()
            .all(|r| r.address.eq_ignore_ascii_case(&reader.value))
}

/// How far down a paste the header lines of the mail it quotes may stand.
const PASTED_HEADER_LINES: usize = 40;

/// In a paste (no headers of its own): the value of a header line of the mail it quotes
/// ("Von: Webmail Administrator <…>"), by the labels of `list`, near its top.
fn pasted_field<'a>(n: &'a Notice, list: &str) -> Option<&'a str> {
    if n.has_headers {
        return None;
    }
    text::lines(&n.text)
        .take(PASTED_HEADER_LINES)
        .find_map(|line| {
            let line = line.trim_start_matches(['>', ' ', '\t']);
            signs_of(list).find_map(|label| text::strip_prefix_ci(line, label).map(str::trim))
        })
}

/// A link (lower case) whose address points at a log-in, account or release page.
fn is_login_link(url: &str) -> bool {
    signs_of("phishing.login_link").any(|w| url.contains(w))
}

/// A link (lower case) to a big mail provider's own site that leads nowhere else: not a
/// redirect, and not a page anyone can make there (Google Sites, Microsoft Forms).
fn on_trusted_site(url: &str) -> bool {
    on_listed_site(url, "phishing.trusted_sites")
        && !signs_of("phishing.redirects").any(|r| url.contains(r))
        && !signs_of("phishing.user_pages").any(|p| url.contains(p))
}

/// A host that starts with the reader's own domain or a big provider's to look like it
/// (`example.com.restore.app`, `login.microsoftonline.com.verify.example`), or with the
/// name of the reader's domain (`tennisclub-lahr.reactivate.top`), but belongs to another.
fn disguised_host(host: &str, reader_domain: Option<&str>) -> bool {
    let base = text::base_domain(host);
    // `d` as whole labels inside `host`, not as its registered domain.
    let looks_like = |d: &str| {
        let h = host.as_bytes();
        base != d
            && text::occurrences(host, d)
                .any(|at| (at == 0 || h[at - 1] == b'.') && h.get(at + d.len()) == Some(&b'.'))
    };
    // Short names ("mail", "info") start many hosts of their own.
    let reader_name = reader_domain
        .and_then(|d| text::base_domain(d).split('.').next().map(str::to_string))
        .filter(|name| name.len() >= 8);
    // Cloud services name a company's own space after it (`firma.sharepoint.com`).
    let tenant = signs_of("phishing.tenant_platforms").any(|p| base == p);
    // (Also the whole domain with dashes for dots: `firma-co-jp.login.example`.)
    let dashed = reader_domain.map(|d| text::base_domain(d).replace('.', "-"));
    let named_like_reader = reader_name.is_some_and(|name| {
        host.split('.')
            .next()
            .is_some_and(|first| first == name || Some(first) == dashed.as_deref())
            && !base.starts_with(&format!("{name}."))
            && !tenant
    });
    named_like_reader
        || reader_domain.is_some_and(looks_like)
        // (A provider's own domain under a country's is its own: `hotmail.com.br`.)
        || big_provider_domains().any(|d| {
            looks_like(d) && !base.strip_prefix(d).is_some_and(|rest| rest.starts_with('.'))
        })
}

/// The big mail providers' domains and the sites they link to.
fn big_provider_domains() -> impl Iterator<Item = &'static str> {
    signs_of("phishing.provider_domains").chain(signs_of("phishing.trusted_sites"))
}

/// A link (lower case) to a site whose registered domain is in the list `key` of the
/// knowledge base.
fn on_listed_site(url: &str, key: &str) -> bool {
    host(url).is_some_and(|h| {
        let base = text::base_domain(&h);
        signs_of(key).any(|d| base == d)
    })
}

/// A web address as the reader sees it in a sign: squashed and at most 120 characters.
fn shown(url: &str) -> String {
    let url = text::squash(url);
    match url.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &url[..cut]),
        None => url,
    }
}

/// A link whose shown text is a web address on another site than the one it opens.
fn shows_another_site(link: &crate::text::Link) -> bool {
    let shown = link.text.trim().to_ascii_lowercase();
    let looks_like_address = shown.starts_with("http") || shown.starts_with("www.");
    match (host(&shown), host(&link.href.to_ascii_lowercase())) {
        (Some(shown), Some(target)) if looks_like_address => {
            text::base_domain(&shown) != text::base_domain(&target)
        }
        _ => false,
    }
}

/// The host of a web address (lower case), without `www.`.
fn host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    // (A user name before `@` is no host: `https://portal.example:443@evil.example/`;
    // browsers read `\` as `/`.)
    let authority = rest.split(['/', '?', '#', '\\']).next()?;
    let host = authority
        .rsplit('@')
        .next()?
        .split(':')
        .next()?
        .trim_start_matches("www.");
    (host.contains('.') && !host.contains(' ')).then(|| host.to_string())
}

/// A sign in words for the reader: the sign's sentence, then what was found.
pub fn describe(sign: &str, lang: Lang) -> String {
    let (key, found) = sign.split_once(':').unwrap_or((sign, ""));
    let sentence = lang
        .texts()
        .path(&format!("phishing_sign.{key}"))
        .and_then(Data::str)
        .unwrap_or(key);
    if found.is_empty() {
        sentence.to_string()
    } else {
        format!("{sentence} {found}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Link;

    #[test]
    fn a_link_to_another_part_of_the_same_site_is_not_deceptive() {
        let link = |text: &str, href: &str| Link {
            text: text.into(),
            href: href.into(),
        };
        assert!(!shows_another_site(&link(
            "https://kundencenter.telekom.de",
            "https://www.telekom.de/hilfe"
        )));
        assert!(shows_another_site(&link(
            "https://email.t-online.de",
            "https://t-online-de.login.example.click/"
        )));
    }
}
