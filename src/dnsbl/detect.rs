//! Finds the DNS blacklist a rejection names, and what it listed (IP or domain).

use super::registry::lists;
use crate::matcher::Matcher;
use crate::report::BlocklistHit;
use std::sync::OnceLock;

/// The list named in a diagnostic, and the IP or domain it listed.
pub fn find_hit(diagnostic: &str) -> Option<BlocklistHit> {
    let lower = diagnostic.to_ascii_lowercase();
    let (matcher, owners) = name_index();
    let found: Vec<(usize, Option<&str>)> = matcher
        .matches(&lower)
        .into_iter()
        .map(|i| owners[i])
        .collect();
    let all = lists();
    // Zones are preferred over names; both in registry order.
    let zone_hit = found
        .iter()
        .filter(|(_, name)| name.is_none())
        .map(|&(l, _)| l)
        .min()
        .map(|l| &all[l]);
    let (entry, named_as) = match zone_hit {
        Some(l) => (l, written_zone(&lower, l.zone)),
        None => match found.iter().min_by_key(|(l, _)| *l) {
            Some(&(l, name)) => (&all[l], name.unwrap_or(all[l].zone).to_string()),
            None => return unregistered_hit(diagnostic, &lower),
        },
    };
    let listed = match entry.kind {
        super::registry::ListKind::Ip => listed_ip(diagnostic),
        super::registry::ListKind::Domain => listed_domain(&lower, entry.zone),
    };
    Some(BlocklistHit {
        list: Some(entry.id),
        named_as: mask_dqs_key(&named_as),
        listed,
    })
}

/// A list the registry does not have, as the rejection names it: a provider's own
/// (Microsoft's "(S3150)", T-Online's "(BL)", Cloudmark's CSI; `signs.toml`), or any
/// zone a rejection says it was "blocked using". It cannot be checked, but the IP can.
fn unregistered_hit(diagnostic: &str, lower: &str) -> Option<BlocklistHit> {
    static OTHER_LISTS: OnceLock<(Matcher, Vec<&str>)> = OnceLock::new();
    let (matcher, words) = OTHER_LISTS.get_or_init(|| {
        let words: Vec<&str> = crate::knowledge::signs("blocklist.other_lists").collect();
        (Matcher::new(&words).inside_words(), words)
    });
    // The first list (in file order) the text names.
    let named = matcher.matches(lower).first().and_then(|&i| {
        let w = words[i];
        let at = lower.find(w)?;
        // A zone as written, with the labels before it (`dnsbl.sorbs.net`).
        if w.contains('.') && !w.contains(' ') {
            return Some(written_zone(lower, w));
        }
        diagnostic
            .get(at..at + w.len())
            .map(|s| s.trim().to_string())
    });
    let named_as = named.or_else(|| zone_after_words(lower))?;
    Some(BlocklistHit {
        list: None,
        named_as,
        listed: listed_ip(diagnostic),
    })
}

/// The zone after "blocked using" or "listed at" (`dnsbl.example.net`).
fn zone_after_words(lower: &str) -> Option<String> {
    crate::knowledge::signs("blocklist.zone_words").find_map(|words| {
        let at = lower.find(words)? + words.len();
        let zone = lower[at..]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .next()?
            .trim_matches('.');
        let labels: Vec<&str> = zone.split('.').collect();
        let named = labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && labels
                .last()
                .is_some_and(|tld| tld.bytes().all(|c| c.is_ascii_alphabetic()));
        let a_list = words == "blocked using "
            || crate::knowledge::signs("blocklist.zone_list_words").any(|w| zone.contains(w));
        (named && a_list).then(|| zone.to_string())
    })
}

/// Every zone and name of the registry, compiled: per phrase, its list's index and, for
/// a name, the name (`None` for the list's zone).
type NameIndex = (Matcher, Vec<(usize, Option<&'static str>)>);

fn name_index() -> &'static NameIndex {
    static CACHE: OnceLock<NameIndex> = OnceLock::new();
    CACHE.get_or_init(|| {
        Matcher::with_owners(lists().iter().enumerate().flat_map(|(i, l)| {
            std::iter::once(((i, None), l.zone))
                .chain(l.names.iter().map(move |&n| ((i, Some(n)), n)))
        }))
    })
}

/// The byte offset just after the character that starts at `i`.
fn after_char(s: &str, i: usize) -> usize {
    i + s[i..].chars().next().map_or(1, char::len_utf8)
}

/// The zone as written, with any key in front of it (`<key>.zen.dq.spamhaus.net`).
fn written_zone(lower: &str, zone: &str) -> String {
    let at = lower.find(zone).unwrap_or(0);
    let start = lower[..at]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .map_or(0, |p| after_char(lower, p));
    lower[start..at + zone.len()].to_string()
}

/// For domain lists: the domain a rejection names just before "blocked using".
fn listed_domain(lower: &str, zone: &str) -> Option<String> {
    let at = lower.find(zone)?;
    let head = &lower[..at];
    let open = head.rfind('[')?;
    let close = head[open..].find(']')? + open;
    let inner = head[open + 1..close].trim();
    let domain = inner.rsplit('@').next().unwrap_or(inner);
    (domain.contains('.') && !domain.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then(|| domain.to_string())
}

/// Masks every Spamhaus DQS key in a text: the label before the zone in
/// `<key>.zen.dq.spamhaus.net` (also `dbl`, `zrd`, `sbl` and the other DQS zones).
pub fn mask_dqs_key(text: &str) -> String {
    const SUFFIX: &str = ".dq.spamhaus.net";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (p, _) in lower.match_indices(SUFFIX) {
        // Walk back over the zone label, then over the key label before it.
        let is_label = |c: char| c.is_ascii_alphanumeric() || c == '-';
        let zone_start = text[..p]
            .rfind(|c| !is_label(c))
            .map_or(0, |i| after_char(text, i));
        if zone_start == 0 || !text[..zone_start].ends_with('.') {
            continue;
        }
        let key_end = zone_start - 1;
        let key_start = text[..key_end]
            .rfind(|c| !is_label(c))
            .map_or(0, |i| after_char(text, i));
        if key_start < done || key_start == key_end {
            continue;
        }
        out.push_str(&text[done..key_start]);
        out.push_str("<key>");
        done = key_end;
    }
    out.push_str(&text[done..]);
    out
}

/// The IPv4 address a rejection says was listed: `[1.2.3.4]`, `IP=1.2.3.4`, `ip=1.2.3.4`.
pub fn listed_ip(diagnostic: &str) -> Option<String> {
    let mut candidates = Vec::new();
    let b = diagnostic.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            let end = (i..b.len())
                .find(|&j| !(b[j].is_ascii_digit() || b[j] == b'.'))
                .unwrap_or(b.len());
            let cand = diagnostic[i..end].trim_end_matches('.');
            // Loopback, private, shared (CGNAT) and link-local addresses are no one's.
            let public = cand.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| {
                let [a, b, ..] = ip.octets();
                !(ip.is_loopback()
                    || ip.is_private()
                    || ip.is_link_local()
                    || a == 100 && (64..128).contains(&b))
            });
            if public {
                // The words just before it (a bounded stretch keeps long texts linear).
                let from = diagnostic.floor_char_boundary(i.saturating_sub(80));
                let before = diagnostic[from..i].to_ascii_lowercase();
                // `host.name[ip]` or Exim's `host host.name [ip]` is the remote server;
                // `[ip]` after a plain word or `ip=` is the listed one.
                let server = before
                    .strip_suffix('[')
                    .and_then(|b| b.trim_end().rsplit(char::is_whitespace).next())
                    .is_some_and(|name| {
                        name.contains('.') && name.bytes().any(|c| c.is_ascii_alphabetic())
                    });
                let listed_marker = ["[", "ip=", "ip ", "address ", "from "]
                    .iter()
                    .any(|m| before.ends_with(m));
                // "host [ip]:port is in an RBL" names the listed client, not the server.
                let after = diagnostic[end..diagnostic.floor_char_boundary(end + 40)]
                    .trim_start_matches(']')
                    .trim_start_matches(|c: char| c == ':' || c.is_ascii_digit())
                    .to_ascii_lowercase();
                let said_listed = after.starts_with(" is in") || after.starts_with(" is listed");
                // The remote server's own address is never the listed one.
                if !server || said_listed {
                    candidates.push((u8::from(!listed_marker), cand.to_string()));
                }
            }
            i = end;
        } else {
            i += 1;
        }
    }
    candidates.into_iter().min_by_key(|c| c.0).map(|c| c.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_spamhaus_and_the_listed_ip() {
        let hit = find_hit("554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.7").unwrap();
        assert_eq!(hit.list, Some("spamhaus_zen"));
        assert_eq!(hit.listed.as_deref(), Some("192.0.2.7"));
    }

    #[test]
    fn the_remote_servers_own_address_is_not_the_listed_one() {
        let hit = find_hit("host mx.example.net[198.51.100.60] said: 550 5.7.1 Rejected - listed in bl.spamcop.net").unwrap();
        assert_eq!(hit.list, Some("spamcop"));
        assert_eq!(hit.listed, None);
    }

    #[test]
    fn a_client_said_to_be_listed_is_the_listed_one() {
        let hit = find_hit("rejected RCPT <a@example.com>: JunkMail rejected - mail.example.de [203.0.113.5]:51234 is in an RBL: see https://check.spamhaus.org/").unwrap();
        assert_eq!(hit.listed.as_deref(), Some("203.0.113.5"));
    }

    #[test]
    fn lists_outside_the_registry_are_named() {
        let hit = find_hit("550 5.7.1 Unfortunately, messages from [192.0.2.90] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).").unwrap();
        assert_eq!((hit.list, hit.named_as.as_str()), (None, "(S3150)"));
        assert_eq!(hit.listed.as_deref(), Some("192.0.2.90"));
        let hit = find_hit("554 5.7.1 Service unavailable; Client host [192.0.2.16] blocked using hostkarma.junkemailfilter.com; see the list").unwrap();
        assert_eq!(hit.named_as, "hostkarma.junkemailfilter.com");
        let hit = find_hit(
            "554 Service unavailable; Client host [192.0.2.17] blocked using dnsbl.mailer.example.",
        )
        .unwrap();
        assert_eq!(hit.named_as, "dnsbl.mailer.example");
        assert!(find_hit("550 5.1.1 User unknown; listed in our directory as gone").is_none());
    }

    #[test]
    fn dqs_keys_are_masked() {
        assert_eq!(
            mask_dqs_key("abcdef123.zen.dq.spamhaus.net"),
            "<key>.zen.dq.spamhaus.net"
        );
        assert_eq!(
            mask_dqs_key("using abc.dbl.dq.spamhaus.net;"),
            "using <key>.dbl.dq.spamhaus.net;"
        );
    }

    #[test]
    fn domain_lists_name_the_domain() {
        let hit = find_hit("554 5.7.1 Service unavailable; Sender address [info@spammy.example] blocked using dbl.spamhaus.org").unwrap();
        assert_eq!(hit.list, Some("spamhaus_dbl"));
        assert_eq!(hit.listed.as_deref(), Some("spammy.example"));
    }

    #[test]
    fn a_listed_sender_domain_points_at_the_domain_list() {
        let hit = find_hit("550-5.1.0 MXIN506 MailFrom domain is listed in Spamhaus.").unwrap();
        assert_eq!(hit.list, Some("spamhaus_dbl"));
        let ip = find_hit("550 5.7.1 Client host [192.0.2.4] blocked using Spamhaus.").unwrap();
        assert_eq!(ip.list, Some("spamhaus_zen"));
    }

    #[test]
    fn the_remote_server_is_not_the_listed_ip() {
        let exim = "host mx.example.org [198.51.100.9]: 554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org";
        assert_eq!(listed_ip(exim).as_deref(), Some("192.0.2.7"));
        let postfix = "host mx.example.org[198.51.100.9] said: 554 5.7.1 Client host [192.0.2.7] blocked using zen.spamhaus.org";
        assert_eq!(listed_ip(postfix).as_deref(), Some("192.0.2.7"));
    }

    #[test]
    fn no_list_no_hit() {
        assert!(find_hit("550 5.1.1 user unknown").is_none());
    }

    #[test]
    fn text_before_a_zone_may_end_in_any_character() {
        let hit = find_hit("blocked using \u{b8}zen.spamhaus.org; see https://www.spamhaus.org");
        assert!(hit.is_some());
        assert_eq!(
            mask_dqs_key("\u{b8}abc.zen.dq.spamhaus.net"),
            "\u{b8}<key>.zen.dq.spamhaus.net"
        );
    }
}
