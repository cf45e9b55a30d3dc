//! Finds the DNS blacklist a rejection names, and what it listed (IP or domain).

use crate::knowledge::{self, Data};
use crate::report::BlocklistHit;

/// A list of the registry, with the names bounces use for it.
pub struct ListEntry {
    pub id: &'static str,
    pub zone: &'static str,
    /// Lower-case words by which bounces name the list (`spamhaus`, `barracudacentral`).
    pub names: Vec<&'static str>,
}

/// The lists of `blocklists.toml`.
pub fn lists() -> Vec<ListEntry> {
    knowledge::BLOCKLISTS
        .get("list")
        .map(Data::list)
        .unwrap_or_default()
        .iter()
        .map(|l| ListEntry {
            id: l.field("id"),
            zone: l.field("zone"),
            names: l.get("names").map(Data::strs).unwrap_or_default(),
        })
        .collect()
}

/// The list named in a diagnostic, and the IP or domain it listed.
pub fn find_hit(diagnostic: &str) -> Option<BlocklistHit> {
    let lower = diagnostic.to_ascii_lowercase();
    let all = lists();
    let zone_hit = all
        .iter()
        .find(|l| !l.zone.is_empty() && lower.contains(l.zone));
    let entry = zone_hit.or_else(|| {
        all.iter()
            .find(|l| l.names.iter().any(|n| lower.contains(n)))
    })?;
    let named_as = match zone_hit {
        Some(l) => l.zone.to_string(),
        None => written_name(&lower, entry)
            .unwrap_or(entry.zone)
            .to_string(),
    };
    Some(BlocklistHit {
        list: Some(entry.id),
        named_as: mask_dqs_key(&named_as),
        listed: listed_ip(diagnostic),
    })
}

fn written_name<'a>(lower: &str, entry: &'a ListEntry) -> Option<&'a str> {
    entry.names.iter().find(|n| lower.contains(*n)).copied()
}

/// Masks a Spamhaus DQS key in a zone name (`<key>.zen.dq.spamhaus.net`).
pub fn mask_dqs_key(zone: &str) -> String {
    match zone
        .find(".zen.dq.spamhaus.net")
        .or_else(|| zone.find(".dbl.dq.spamhaus.net"))
        .or_else(|| zone.find(".zrd.dq.spamhaus.net"))
    {
        Some(p) => {
            let start = zone[..p].rfind([' ', '(', '[', '<']).map_or(0, |s| s + 1);
            format!("{}<key>{}", &zone[..start], &zone[p..])
        }
        None => zone.to_string(),
    }
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
            if cand.parse::<std::net::Ipv4Addr>().is_ok() && !cand.starts_with("127.") {
                let before = diagnostic[..i].to_ascii_lowercase();
                // `host.name[ip]` is the remote server; `[ip]` after a space or `ip=` is the listed one.
                let server = before.ends_with('[')
                    && before.len() >= 2
                    && before.as_bytes()[before.len() - 2].is_ascii_alphanumeric();
                let listed_marker = ["[", "ip=", "ip ", "address ", "from "]
                    .iter()
                    .any(|m| before.ends_with(m));
                let score = match (server, listed_marker) {
                    (true, _) => 2,
                    (false, true) => 0,
                    (false, false) => 1,
                };
                candidates.push((score, cand.to_string()));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    candidates.sort_by_key(|c| c.0);
    candidates.into_iter().next().map(|c| c.1)
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
    fn no_list_no_hit() {
        assert!(find_hit("550 5.1.1 user unknown").is_none());
    }
}
