//! The blacklist registry of `src/data/blocklists.toml`, typed.

use crate::knowledge::{self, Data, Lang};
use std::sync::OnceLock;

/// What a list checks: IP addresses or domain names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Ip,
    Domain,
}

/// One answer code of a list and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub answer: &'static str,
    pub en: &'static str,
    pub de: &'static str,
}

/// One DNS blacklist.
#[derive(Debug)]
pub struct List {
    pub id: &'static str,
    pub name: &'static str,
    /// The zone queried; for keyed lists the part after the key.
    pub zone: &'static str,
    pub kind: ListKind,
    /// The key the zone needs (`spamhaus_dqs`), or "".
    pub key: &'static str,
    /// Lower-case words by which bounces name the list.
    pub names: Vec<&'static str>,
    pub lookup: &'static str,
    pub delist: &'static str,
    /// `answers`, `refused` or `unknown` through public resolvers.
    pub public_resolvers: &'static str,
    /// Answers that are errors, not listings.
    pub error_codes: Vec<&'static str>,
    pub test_listed: &'static str,
    pub test_unlisted: &'static str,
    pub ipv6: bool,
    /// The answer is a sum of bits (URIBL, SURBL).
    pub bitmask: bool,
    pub codes: Vec<Code>,
}

impl List {
    /// What an answer code means, in the given language; bitmask answers are split.
    pub fn meaning(&self, answer: &str, lang: Lang) -> Vec<&'static str> {
        let pick = |c: &Code| if lang == Lang::De { c.de } else { c.en };
        if self.bitmask {
            let last: u32 = answer
                .rsplit('.')
                .next()
                .and_then(|o| o.parse().ok())
                .unwrap_or(0);
            return self
                .codes
                .iter()
                .filter(|c| {
                    c.answer
                        .rsplit('.')
                        .next()
                        .and_then(|o| o.parse::<u32>().ok())
                        .is_some_and(|bit| last & bit != 0)
                })
                .map(pick)
                .collect();
        }
        self.codes
            .iter()
            .filter(|c| c.answer == answer)
            .map(pick)
            .collect()
    }
}

/// All lists, in file order.
pub fn lists() -> &'static [List] {
    static CACHE: OnceLock<Vec<List>> = OnceLock::new();
    CACHE.get_or_init(|| {
        knowledge::BLOCKLISTS
            .get("list")
            .map(Data::list)
            .unwrap_or_default()
            .iter()
            .map(list_from)
            .collect()
    })
}

/// The list with this id.
pub fn by_id(id: &str) -> Option<&'static List> {
    lists().iter().find(|l| l.id == id)
}

fn list_from(d: &'static Data) -> List {
    let strs = |k: &str| d.get(k).map(Data::strs).unwrap_or_default();
    List {
        id: d.field("id"),
        name: d.field("name"),
        zone: d.field("zone"),
        kind: if d.field("kind") == "domain" {
            ListKind::Domain
        } else {
            ListKind::Ip
        },
        key: d.field("key"),
        names: strs("names"),
        lookup: d.field("lookup"),
        delist: d.field("delist"),
        public_resolvers: d.field("public_resolvers"),
        error_codes: strs("error_codes"),
        test_listed: d.field("test_listed"),
        test_unlisted: d.field("test_unlisted"),
        ipv6: d.get("ipv6").and_then(Data::bool).unwrap_or(false),
        bitmask: d.get("bitmask").and_then(Data::bool).unwrap_or(false),
        codes: d
            .get("codes")
            .map(Data::list)
            .unwrap_or_default()
            .iter()
            .map(|c| Code {
                answer: c.field("answer"),
                en: c.field("en"),
                de: c.field("de"),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_complete() {
        assert!(lists().len() >= 15);
        for l in lists() {
            assert!(
                !l.zone.is_empty() && !l.name.is_empty() && l.lookup.starts_with("http"),
                "{}",
                l.id
            );
            assert!(
                matches!(l.public_resolvers, "answers" | "refused" | "unknown"),
                "{}",
                l.id
            );
            // Lists only subscribers can ask are never asked here.
            let askable = l.key.is_empty() || l.key == "spamhaus_dqs";
            assert!(
                !askable || !l.codes.is_empty(),
                "{} has no answer codes",
                l.id
            );
        }
        assert!(
            by_id("sorbs").is_none() && by_id("nixspam").is_none(),
            "dead lists stay out"
        );
    }

    #[test]
    fn bitmask_answers_are_split_into_bits() {
        let uribl = by_id("uribl").unwrap();
        assert_eq!(uribl.meaning("127.0.0.6", Lang::En).len(), 2);
        let zen = by_id("spamhaus_zen").unwrap();
        assert_eq!(zen.meaning("127.0.0.10", Lang::En).len(), 1);
    }
}
