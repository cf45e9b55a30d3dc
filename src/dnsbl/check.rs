//! What to look up for a report, and what the answers truthfully say. Shared by the page
//! and the CLI; each brings its own way to send the RFC 8484 requests.
//!
//! A list is only trusted through a resolver when its test entries behave: the listed
//! test entry must come back listed and the unlisted one must not. "Not listed" is said
//! only then; every error, refusal code, odd answer or failed test is "could not check".

use super::registry::{List, ListKind, lists};
use super::wire::{self, Answer, NOERROR, NXDOMAIN, QueryType, REFUSED, SERVFAIL};
use crate::knowledge::Lang;
use crate::report::Message;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Per-query timeout, milliseconds.
pub const TIMEOUT_MS: u32 = 4000;

/// IP lists checked for every IP, besides the one the bounce names.
const DEFAULT_IP_LISTS: &[&str] = &[
    "spamhaus_zen",
    "barracuda_brbl",
    "spamcop",
    "uceprotect_l1",
    "psbl",
    "mailspike_bl",
    "spamrats_all",
    "dronebl",
];
/// Domain lists checked for every domain.
const DEFAULT_DOMAIN_LISTS: &[&str] = &["spamhaus_dbl", "surbl", "uribl"];
/// The one list key a user can give: a Spamhaus Data Query Service key.
const DQS_KEY: &str = "spamhaus_dqs";

/// A DNS-over-HTTPS endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolver {
    pub url: String,
    /// Send an EDNS client subnet of 0/0 so the user's network is not passed on.
    pub zero_subnet: bool,
}

impl Resolver {
    pub fn cloudflare() -> Resolver {
        Resolver {
            url: "https://cloudflare-dns.com/dns-query".into(),
            zero_subnet: false,
        }
    }
    pub fn google() -> Resolver {
        Resolver {
            url: "https://dns.google/dns-query".into(),
            zero_subnet: true,
        }
    }
    /// Any endpoint; Google's gets the 0/0 client subnet.
    pub fn custom(url: &str) -> Resolver {
        Resolver {
            url: url.trim().to_string(),
            zero_subnet: url.contains("dns.google"),
        }
    }
}

/// Why something is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The bounce says a list had listed it.
    NamedInBounce,
    /// It appears in the returned message's Received headers as a sending address.
    SendingIp,
}

/// An IP address or domain to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub value: String,
    #[serde(skip)]
    pub kind: ListKind,
    pub role: Role,
    /// The list the bounce named for it, if any.
    pub named_list: Option<&'static str>,
    /// That list as the bounce wrote it (a provider's own list has no registry entry).
    pub named_as: Option<String>,
}

/// Everything messages give to check: named IPs and domains, then sending IPs.
pub fn targets(messages: &[Message]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut push = |t: Target| {
        if !out.iter().any(|o| o.value == t.value) {
            out.push(t);
        }
    };
    for m in messages {
        for r in &m.recipients {
            if let Some(hit) = &r.blocklist
                && let Some(value) = &hit.listed
            {
                let kind = if value.parse::<IpAddr>().is_ok() {
                    ListKind::Ip
                } else {
                    ListKind::Domain
                };
                push(Target {
                    value: value.clone(),
                    kind,
                    role: Role::NamedInBounce,
                    named_list: hit.list,
                    named_as: Some(hit.named_as.clone()),
                });
            }
        }
        for received in m.original.iter().flat_map(|o| &o.received) {
            if let Some(ip) = sending_ip(received) {
                push(Target {
                    value: ip.to_string(),
                    kind: ListKind::Ip,
                    role: Role::SendingIp,
                    named_list: None,
                    named_as: None,
                });
            }
        }
    }
    out.truncate(6);
    out
}

/// The public address a `Received: from ... [ip]` header names as the sender.
fn sending_ip(received: &str) -> Option<IpAddr> {
    let from = received.split(" by ").next()?;
    let open = from.find('[')?;
    let close = from[open..].find(']')? + open;
    let ip: IpAddr = from[open + 1..close]
        .trim_start_matches("IPv6:")
        .parse()
        .ok()?;
    is_public(&ip).then_some(ip)
}

fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// One list to check for one target.
#[derive(Debug, Clone)]
pub struct Check {
    pub list: &'static List,
    pub target: usize,
}

/// The checks for these targets. Keyed lists are used only with their key; with a
/// Spamhaus DQS key, the DQS zones replace the public Spamhaus zones.
pub fn checks(targets: &[Target], dqs_key: bool) -> Vec<Check> {
    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let defaults = if t.kind == ListKind::Ip {
            DEFAULT_IP_LISTS
        } else {
            DEFAULT_DOMAIN_LISTS
        };
        let ids = t.named_list.into_iter().chain(defaults.iter().copied());
        for id in ids {
            let id = match (dqs_key, id) {
                (true, "spamhaus_zen" | "spamhaus_sbl" | "spamhaus_xbl" | "spamhaus_pbl") => {
                    "spamhaus_dqs_zen"
                }
                (true, "spamhaus_dbl") => "spamhaus_dqs_dbl",
                _ => id,
            };
            let Some(list) = lists().iter().find(|l| l.id == id) else {
                continue;
            };
            let ipv6 = t.value.contains(':');
            if list.kind != t.kind
                || (ipv6 && !list.ipv6)
                || out.iter().any(|c: &Check| c.target == i && c.list.id == id)
            {
                continue;
            }
            out.push(Check { list, target: i });
        }
    }
    out
}

/// The DNS name to ask a list about `value`: reversed octets (IPv4), reversed nibbles
/// (IPv6) or the domain itself, then the key (if the list needs one) and the zone.
pub fn query_name(list: &List, value: &str, key: Option<&str>) -> String {
    let head = match value.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4
            .octets()
            .iter()
            .rev()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join("."),
        Ok(IpAddr::V6(v6)) => nibbles(&v6),
        Err(_) => value.trim_end_matches('.').to_ascii_lowercase(),
    };
    match key.filter(|_| !list.key.is_empty()) {
        Some(k) => format!("{head}.{k}.{}", list.zone),
        None => format!("{head}.{}", list.zone),
    }
}

fn nibbles(v6: &Ipv6Addr) -> String {
    v6.octets()
        .iter()
        .rev()
        .flat_map(|b| [b & 0x0f, b >> 4])
        .map(|n| format!("{n:x}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// What one query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Item,
    ItemText,
    TestListed,
    TestUnlisted,
}

/// One DNS query to send, with its RFC 8484 URL.
#[derive(Debug, Clone)]
pub struct Job {
    pub check: usize,
    pub purpose: Purpose,
    pub name: String,
    pub qtype: QueryType,
    pub url: String,
}

/// The queries for the checks through one resolver: each list's test entries once,
/// then an A and a TXT query per check.
pub fn jobs(
    checks: &[Check],
    targets: &[Target],
    resolver: &Resolver,
    dqs_key: Option<&str>,
) -> Vec<Job> {
    let mut out: Vec<Job> = Vec::new();
    for (ci, c) in checks.iter().enumerate() {
        // Only a Spamhaus DQS key can be given; lists that need another key are not asked.
        if !c.list.key.is_empty() && (dqs_key.is_none() || c.list.key != DQS_KEY) {
            continue;
        }
        let mut add = |purpose, value: &str, qtype| {
            let name = query_name(c.list, value, dqs_key);
            let Ok(query) = wire::encode_query(&name, qtype, resolver.zero_subnet) else {
                return;
            };
            out.push(Job {
                check: ci,
                purpose,
                url: wire::get_url(&resolver.url, &query),
                name,
                qtype,
            });
        };
        let first_of_list = checks[..ci].iter().all(|o| o.list.id != c.list.id);
        if first_of_list {
            add(Purpose::TestListed, c.list.test_listed, QueryType::A);
            add(Purpose::TestUnlisted, c.list.test_unlisted, QueryType::A);
        }
        add(Purpose::Item, &targets[c.target].value, QueryType::A);
        add(Purpose::ItemText, &targets[c.target].value, QueryType::Txt);
    }
    out
}

/// How a query ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Answered(Answer),
    TimedOut,
    /// No HTTP answer at all: network down, CORS refused, blocked by the page's policy.
    Network(String),
    /// An HTTP status other than 200.
    Http(u16),
    Malformed(String),
}

impl Lookup {
    /// Reads an HTTP 200 body for the query `name`.
    pub fn from_body(body: &[u8], name: &str) -> Lookup {
        match wire::decode_answer(body, name) {
            Ok(a) => Lookup::Answered(a),
            Err(e) => Lookup::Malformed(e.0),
        }
    }
}

/// The state of one list for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Listed,
    NotListed,
    Unknown,
}

/// One row of the result: a list, a target, and what is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    pub list: &'static str,
    pub list_name: &'static str,
    /// The zone queried (a DQS key is never shown).
    pub zone: String,
    /// The DNS name asked (a DQS key is never shown).
    pub query: String,
    pub target: String,
    pub state: State,
    pub codes: Vec<String>,
    pub meaning: String,
    /// The list's own reason (TXT record), when it gave one.
    pub txt: Option<String>,
    /// Why it could not be checked: a stable code such as `timeout`, `servfail`,
    /// `refused`, `list_error:127.255.255.254`, `test_entry`, `needs_key`.
    pub reason_unknown: Option<String>,
    pub lookup: &'static str,
    pub delist: &'static str,
}

/// Turns the results of the jobs into one row per check.
pub fn assemble(
    checks: &[Check],
    targets: &[Target],
    jobs: &[Job],
    results: &[Option<Lookup>],
    lang: Lang,
) -> Vec<Listing> {
    checks
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let find = |purpose: Purpose| {
                jobs.iter()
                    .zip(results)
                    .find(|(j, _)| {
                        j.purpose == purpose
                            && (j.check == ci
                                || (is_test(purpose) && checks[j.check].list.id == c.list.id))
                    })
                    .map(|(_, r)| r.clone())
            };
            let query = query_name(c.list, &targets[c.target].value, Some("<key>"));
            let mut row = Listing {
                list: c.list.id,
                list_name: c.list.name,
                zone: if c.list.key.is_empty() {
                    c.list.zone.to_string()
                } else {
                    format!("<key>.{}", c.list.zone)
                },
                query,
                target: targets[c.target].value.clone(),
                state: State::Unknown,
                codes: Vec::new(),
                meaning: String::new(),
                txt: None,
                reason_unknown: None,
                lookup: c.list.lookup,
                delist: c.list.delist,
            };
            let item = find(Purpose::Item);
            let verdict = judge(
                c.list,
                find(Purpose::TestListed).flatten(),
                find(Purpose::TestUnlisted).flatten(),
                item.clone().flatten(),
            );
            match verdict {
                Ok(codes) if codes.is_empty() => row.state = State::NotListed,
                Ok(codes) => {
                    row.state = State::Listed;
                    row.meaning = codes
                        .iter()
                        .flat_map(|a| c.list.meaning(a, lang))
                        .collect::<Vec<_>>()
                        .join("; ");
                    row.codes = codes;
                    if let Some(Some(Lookup::Answered(t))) = find(Purpose::ItemText) {
                        row.txt = Some(t.texts.join(" ")).filter(|t| !t.is_empty());
                    }
                }
                Err(reason) => row.reason_unknown = Some(reason),
            }
            if item.is_none() {
                row.reason_unknown = Some("needs_key".into());
            }
            row
        })
        .collect()
}

fn is_test(p: Purpose) -> bool {
    matches!(p, Purpose::TestListed | Purpose::TestUnlisted)
}

/// Listing codes (empty: not listed), or why nothing can be said.
pub fn judge(
    list: &List,
    test_listed: Option<Lookup>,
    test_unlisted: Option<Lookup>,
    item: Option<Lookup>,
) -> Result<Vec<String>, String> {
    let item = answered(item, list)?;
    let listed = answered(test_listed, list).map_err(|e| format!("test_entry:{e}"))?;
    if listed.is_empty() {
        return Err("test_entry:listed_entry_not_listed".into());
    }
    let unlisted = answered(test_unlisted, list).map_err(|e| format!("test_entry:{e}"))?;
    if !unlisted.is_empty() {
        return Err("test_entry:unlisted_entry_listed".into());
    }
    Ok(item)
}

/// The listing codes of one answer, or why it says nothing.
fn answered(lookup: Option<Lookup>, list: &List) -> Result<Vec<String>, String> {
    let answer = match lookup {
        None => return Err("not_asked".into()),
        Some(Lookup::TimedOut) => return Err("timeout".into()),
        Some(Lookup::Network(e)) => return Err(format!("network:{e}")),
        Some(Lookup::Http(code)) => return Err(format!("http:{code}")),
        Some(Lookup::Malformed(e)) => return Err(format!("malformed:{e}")),
        Some(Lookup::Answered(a)) => a,
    };
    match answer.rcode {
        NXDOMAIN => return Ok(Vec::new()),
        NOERROR => {}
        SERVFAIL => return Err("servfail".into()),
        REFUSED => return Err("refused".into()),
        other => return Err(format!("rcode:{other}")),
    }
    let mut codes = Vec::new();
    for a in &answer.addresses {
        let s = a.to_string();
        if list.error_codes.contains(&s.as_str()) {
            return Err(format!("list_error:{s}"));
        }
        if !is_loopback_net(a) {
            return Err(format!("outside_127:{s}"));
        }
        codes.push(s);
    }
    Ok(codes)
}

fn is_loopback_net(a: &Ipv4Addr) -> bool {
    a.octets()[0] == 127
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dnsbl::registry::by_id;

    fn a(codes: &[&str]) -> Option<Lookup> {
        let addresses = codes.iter().map(|c| c.parse().unwrap()).collect();
        Some(Lookup::Answered(Answer {
            rcode: NOERROR,
            addresses,
            texts: vec![],
        }))
    }
    fn nx() -> Option<Lookup> {
        Some(Lookup::Answered(Answer {
            rcode: NXDOMAIN,
            ..Answer::default()
        }))
    }

    #[test]
    fn query_names_follow_rfc_5782() {
        let zen = by_id("spamhaus_zen").unwrap();
        assert_eq!(
            query_name(zen, "192.0.2.7", None),
            "7.2.0.192.zen.spamhaus.org"
        );
        let v6 = query_name(zen, "2001:db8::1", None);
        assert!(
            v6.starts_with("1.0.0.0.0.0.0.0") && v6.ends_with("8.b.d.0.1.0.0.2.zen.spamhaus.org"),
            "{v6}"
        );
        let dqs = by_id("spamhaus_dqs_zen").unwrap();
        assert_eq!(
            query_name(dqs, "192.0.2.7", Some("abc")),
            "7.2.0.192.abc.zen.dq.spamhaus.net"
        );
        assert_eq!(
            query_name(by_id("spamhaus_dbl").unwrap(), "Spam.Example", None),
            "spam.example.dbl.spamhaus.org"
        );
    }

    /// Trend Micro answers subscribers only: it is never asked, and a Spamhaus key is
    /// never sent to it.
    #[test]
    fn a_list_for_subscribers_is_not_asked() {
        let targets = [Target {
            value: "203.0.113.77".into(),
            kind: ListKind::Ip,
            role: Role::NamedInBounce,
            named_list: Some("trendmicro_rbl"),
            named_as: None,
        }];
        let checks = checks(&targets, true);
        assert_eq!(checks[0].list.id, "trendmicro_rbl");
        let jobs = jobs(&checks, &targets, &Resolver::cloudflare(), Some("k3y"));
        assert!(jobs.iter().all(|j| !j.name.contains("mail-abuse")));
        assert!(
            jobs.iter()
                .any(|j| j.name.contains("k3y.zen.dq.spamhaus.net"))
        );
        let rows = assemble(&checks, &targets, &jobs, &vec![None; jobs.len()], Lang::En);
        assert_eq!(rows[0].reason_unknown.as_deref(), Some("needs_key"));
        assert_eq!(rows[0].lookup, "https://ers.trendmicro.com/reputations");
    }

    #[test]
    fn only_a_verified_list_can_say_not_listed() {
        let zen = by_id("spamhaus_zen").unwrap();
        assert_eq!(judge(zen, a(&["127.0.0.2"]), nx(), nx()), Ok(vec![]));
        assert_eq!(
            judge(zen, a(&["127.0.0.2"]), nx(), a(&["127.0.0.10"])),
            Ok(vec!["127.0.0.10".into()])
        );
        // Google-style NXDOMAIN for everything: the listed test entry is not listed.
        assert!(judge(zen, nx(), nx(), nx()).is_err());
        // Cloudflare: Spamhaus answers its error code.
        assert_eq!(
            judge(zen, a(&["127.255.255.254"]), nx(), a(&["127.255.255.254"])),
            Err("list_error:127.255.255.254".into())
        );
        // A resolver that rewrites NXDOMAIN to an ad server.
        assert!(
            judge(
                zen,
                a(&["127.0.0.2"]),
                a(&["198.51.100.1"]),
                a(&["198.51.100.1"])
            )
            .unwrap_err()
            .starts_with("outside_127")
        );
        assert_eq!(
            judge(zen, a(&["127.0.0.2"]), nx(), Some(Lookup::TimedOut)),
            Err("timeout".into())
        );
        let servfail = Some(Lookup::Answered(Answer {
            rcode: SERVFAIL,
            ..Answer::default()
        }));
        assert_eq!(
            judge(zen, a(&["127.0.0.2"]), nx(), servfail),
            Err("servfail".into())
        );
        assert_eq!(
            judge(zen, a(&["127.0.0.2"]), a(&["127.0.0.2"]), nx()),
            Err("test_entry:unlisted_entry_listed".into())
        );
    }

    #[test]
    fn sending_ips_come_from_received_headers() {
        assert_eq!(
            sending_ip("from dyn.example.net (dyn.example.net [203.0.113.7]) by mx.example.org"),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(sending_ip("from [192.168.1.20] by mail.example.org"), None);
    }
}
