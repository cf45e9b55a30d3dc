//! The knowledge base is complete in both languages and speaks each language cleanly.

use bounce_explainer::Lang;
use bounce_explainer::knowledge::{self, Data};
use bounce_explainer::report::{Kind, Reason};

const KINDS: &[Kind] = &[
    Kind::Bounce,
    Kind::DelayNotice,
    Kind::DeliveryReport,
    Kind::AutoReply,
    Kind::ComplaintReport,
    Kind::NotABounce,
];
const SITUATIONS: &[&str] = &[
    "phishing",
    "dynamic_ip",
    "server_ip_listed",
    "mx_is_ip",
    "greylisting",
    "greylisting_gave_up",
    "receiver_list_error",
    "domain_listed",
    "account_blocked",
    "recipient_refuses_relay",
    "smarthost_refuses_relay",
    "own_organisation_blocks",
    "own_policy_blocks",
    "attachment_blocked",
    "internal_only",
    "sending_limit_reached",
    "sender_domain_unverified",
];
const WHO: &[&str] = &[
    "reader",
    "sender",
    "sender_provider",
    "recipient",
    "recipient_provider",
    "nobody",
];

/// The IANA "SMTP Enhanced Status Codes" registry (subject.detail), kept here
/// independently of the data so that a missing entry fails.
const IANA: &[&str] = &[
    "0.0", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "2.0",
    "2.1", "2.2", "2.3", "2.4", "3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "4.0", "4.1",
    "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "5.0", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6",
    "6.0", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9", "6.10", "7.0", "7.1",
    "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9", "7.10", "7.11", "7.12", "7.13", "7.14",
    "7.15", "7.16", "7.17", "7.18", "7.19", "7.20", "7.21", "7.22", "7.23", "7.24", "7.25", "7.26",
    "7.27", "7.28", "7.29", "7.30",
];
const REPLY: &[&str] = &[
    "211", "214", "220", "221", "250", "251", "252", "354", "421", "450", "451", "452", "455",
    "500", "501", "502", "503", "504", "521", "550", "551", "552", "553", "554", "555", "556",
    "530", "534", "535", "538", "432", "454",
];

fn entry(lang: Lang, path: &str) -> &'static Data {
    lang.texts()
        .path(path)
        .unwrap_or_else(|| panic!("{path} missing in {lang:?}"))
}

fn assert_topic(path: &str) {
    for lang in [Lang::De, Lang::En] {
        let e = entry(lang, path);
        for field in ["headline", "explanation", "who"] {
            assert!(
                !e.field(field).trim().is_empty(),
                "{path}.{field} empty in {lang:?}"
            );
        }
        assert!(WHO.contains(&e.field("who")), "{path}.who invalid");
        assert!(
            e.get("retry").and_then(Data::bool).is_some(),
            "{path}.retry missing"
        );
        let steps = e.get("steps").map(Data::strs).unwrap_or_default();
        assert!(
            !steps.is_empty() && steps.iter().all(|s| !s.trim().is_empty()),
            "{path}.steps empty in {lang:?}"
        );
    }
    let count = |lang| {
        entry(lang, path)
            .get("steps")
            .map(Data::strs)
            .unwrap_or_default()
            .len()
    };
    assert_eq!(
        count(Lang::De),
        count(Lang::En),
        "{path}: different number of steps"
    );
}

#[test]
fn every_reason_kind_and_situation_has_a_headline_and_steps() {
    for r in Reason::ALL {
        assert_topic(&format!("reason.{}", r.as_str()));
    }
    for k in KINDS {
        assert_topic(&format!("kind.{}", k.as_str()));
    }
    for s in SITUATIONS {
        assert_topic(&format!("situation.{s}"));
    }
}

#[test]
fn every_iana_status_code_and_reply_code_is_explained() {
    for code in IANA {
        let info = knowledge::status_info(&format!("5.{code}"))
            .unwrap_or_else(|| panic!("X.{code} missing"));
        assert!(
            !info.en.is_empty() && !info.de.is_empty() && info.source.starts_with("RFC"),
            "X.{code}"
        );
    }
    assert_eq!(
        knowledge::status_codes().count(),
        IANA.len(),
        "codes in the data that IANA does not list"
    );
    for code in REPLY {
        let info = knowledge::reply_info(code).unwrap_or_else(|| panic!("{code} missing"));
        assert!(
            !info.en.is_empty() && !info.de.is_empty() && info.source.starts_with("RFC"),
            "{code}"
        );
    }
}

#[test]
fn every_provider_rule_cites_its_source_and_speaks_both_languages() {
    let providers = knowledge::providers();
    assert!(providers.len() >= 8);
    for p in providers {
        for r in &p.rules {
            assert!(
                r.url.starts_with("https://") || r.url.starts_with("http://"),
                "{}: {}",
                p.id,
                r.pattern
            );
            assert!(
                !r.en.is_empty() && !r.de.is_empty(),
                "{}: {}",
                p.id,
                r.pattern
            );
            // Who acts, where a rule says: one the page has words for.
            if let Some(who) = r.who {
                for lang in [Lang::De, Lang::En] {
                    let path = format!("who.{who}");
                    assert!(lang.texts().path(&path).is_some(), "{}: {path}", r.pattern);
                }
            }
        }
    }
}

/// Every string of a data tree, with its path.
fn strings(d: &'static Data, path: String, out: &mut Vec<(String, &'static str)>) {
    match d {
        Data::Str(s) => out.push((path, s)),
        Data::List(l) => l.iter().for_each(|x| strings(x, path.clone(), out)),
        Data::Words(_) => d.words().for_each(|s| out.push((path.clone(), s))),
        Data::Table(t) => t
            .iter()
            .for_each(|(k, v)| strings(v, format!("{path}.{k}"), out)),
        _ => {}
    }
}

fn words(s: &str) -> Vec<String> {
    // Commands and file names in backticks are the same in every language.
    let mut plain = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 0 {
            plain.push_str(part);
            plain.push(' ');
        }
    }
    plain
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn no_english_in_german_and_no_german_in_english() {
    const ENGLISH: &[&str] = &[
        "the", "and", "your", "you", "please", "with", "not", "is", "are", "this", "could",
        "message",
    ];
    const GERMAN: &[&str] = &[
        "der",
        "die",
        "und",
        "nicht",
        "ist",
        "sie",
        "ihre",
        "nachricht",
        "wurde",
        "bitte",
        "oder",
    ];
    let mut de = Vec::new();
    strings(
        knowledge::TEXTS_DE.get("reason").unwrap(),
        "reason".into(),
        &mut de,
    );
    for top in [
        "kind",
        "situation",
        "ui",
        "who",
        "origin",
        "origin_sign",
        "bl_reason",
    ] {
        strings(knowledge::TEXTS_DE.get(top).unwrap(), top.into(), &mut de);
    }
    for (path, s) in &de {
        if let Some(w) = words(s).into_iter().find(|w| ENGLISH.contains(&w.as_str())) {
            panic!("English word '{w}' in German {path}: {s}");
        }
    }
    let mut en = Vec::new();
    for top in [
        "reason",
        "kind",
        "situation",
        "ui",
        "who",
        "origin",
        "origin_sign",
        "bl_reason",
    ] {
        strings(knowledge::TEXTS_EN.get(top).unwrap(), top.into(), &mut en);
    }
    for (path, s) in &en {
        assert!(
            !s.contains(['ä', 'ö', 'ü', 'ß']),
            "umlaut in English {path}: {s}"
        );
        if let Some(w) = words(s).into_iter().find(|w| GERMAN.contains(&w.as_str())) {
            panic!("German word '{w}' in English {path}: {s}");
        }
    }
}

#[test]
fn german_addresses_the_reader_as_sie() {
    let mut de = Vec::new();
    strings(
        knowledge::TEXTS_DE.get("reason").unwrap(),
        "reason".into(),
        &mut de,
    );
    for (path, s) in de {
        let w = words(s);
        assert!(
            !w.iter()
                .any(|w| matches!(w.as_str(), "du" | "dein" | "deine" | "dich" | "dir")),
            "informal German in {path}: {s}"
        );
    }
}
