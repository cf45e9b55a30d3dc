//! The knowledge base: reasons, status and reply codes, provider rules and texts in
//! German and English. The data lives in `src/data/*.toml`; the build packs each file
//! into a string that unpacks into a [`Data`] tree on first use, and this module gives
//! typed access to them.

use crate::matcher::Matcher;
use crate::report::Reason;
use std::sync::OnceLock;

/// A data file's tree of tables, lists and values.
#[derive(Debug, PartialEq)]
pub enum Data {
    Str(&'static str),
    Bool(bool),
    List(&'static [Data]),
    /// A list of strings, joined by [`WORD_SEPARATOR`]: in the page, one entry instead of
    /// one per string keeps it smaller (natively lists stay [`Data::List`], which is
    /// faster to go through).
    Words(&'static str),
    Table(&'static [(&'static str, Data)]),
}

/// The character that separates the strings of a [`Data::Words`] list.
pub const WORD_SEPARATOR: char = '\u{1f}';

/// The strings of a list, in order, whichever way it was compiled.
#[derive(Clone)]
pub enum Words {
    /// The strings not yet given out (`None` after the last).
    Joined(Option<&'static str>),
    Items(std::slice::Iter<'static, Data>),
}

impl Iterator for Words {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        match self {
            // A plain byte loop: the strings are short, and a search call per string
            // costs more than it saves.
            Words::Joined(rest) => {
                let s = (*rest)?;
                let end = s.bytes().position(|b| b == WORD_SEPARATOR as u8);
                *rest = end.map(|e| &s[e + 1..]);
                Some(&s[..end.unwrap_or(s.len())])
            }
            Words::Items(items) => items.find_map(Data::str),
        }
    }
}

impl Data {
    /// The value under `key` in a table.
    pub fn get(&'static self, key: &str) -> Option<&'static Data> {
        match self {
            Data::Table(t) => t.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a dotted path of table keys.
    pub fn path(&'static self, path: &str) -> Option<&'static Data> {
        // A byte loop: paths are short, and a string search costs more to set up.
        let (mut cur, mut rest) = (self, path);
        while let Some(dot) = rest.bytes().position(|b| b == b'.') {
            cur = cur.get(&rest[..dot])?;
            rest = &rest[dot + 1..];
        }
        cur.get(rest)
    }

    pub fn str(&'static self) -> Option<&'static str> {
        match self {
            Data::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn bool(&'static self) -> Option<bool> {
        match self {
            Data::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn list(&'static self) -> &'static [Data] {
        match self {
            Data::List(l) => l,
            _ => &[],
        }
    }

    /// The string values of a list.
    pub fn strs(&'static self) -> Vec<&'static str> {
        self.words().collect()
    }

    /// The string values of a list, as an iterator.
    pub fn words(&'static self) -> Words {
        match self {
            Data::Words(w) => Words::Joined(Some(w)),
            _ => Words::Items(self.list().iter()),
        }
    }

    /// The keys of a table, in file order.
    pub fn keys(&'static self) -> Vec<&'static str> {
        match self {
            Data::Table(t) => t.iter().map(|(k, _)| *k).collect(),
            _ => Vec::new(),
        }
    }

    /// A string field of a table, or "".
    pub fn field(&'static self, key: &str) -> &'static str {
        self.get(key).and_then(Data::str).unwrap_or("")
    }
}

/// A data file as the build packed it (the format is described in `build.rs`); it derefs
/// to its [`Data`] tree, which is unpacked once, on first use. Strings stay slices of
/// the packed text; only the lists and tables are allocated.
pub struct Packed {
    packed: &'static str,
    tree: OnceLock<Data>,
}

impl Packed {
    pub const fn new(packed: &'static str) -> Packed {
        Packed {
            packed,
            tree: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for Packed {
    type Target = Data;

    fn deref(&self) -> &Data {
        self.tree.get_or_init(|| unpack(self.packed, &mut 0))
    }
}

/// Unpacks the value that starts at `at` and moves `at` past it. The packed text comes
/// from the build, which guarantees its form.
fn unpack(packed: &'static str, at: &mut usize) -> Data {
    let bytes = packed.as_bytes();
    let text = |at: &mut usize| {
        let start = *at;
        *at += bytes[start..].iter().position(|&b| b == 0).unwrap_or(0) + 1;
        &packed[start..*at - 1]
    };
    let tag = bytes[*at];
    *at += 1;
    match tag {
        b's' => Data::Str(text(at)),
        b'w' => Data::Words(text(at)),
        b't' | b'f' => Data::Bool(tag == b't'),
        b'[' => {
            let mut items = Vec::new();
            while bytes[*at] != b']' {
                items.push(unpack(packed, at));
            }
            *at += 1;
            Data::List(items.leak())
        }
        _ => {
            let mut entries = Vec::new();
            while bytes[*at] != b'}' {
                let key = text(at);
                entries.push((key, unpack(packed, at)));
            }
            *at += 1;
            Data::Table(entries.leak())
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/data.rs"));

/// A word list of `signs.toml` by path (`situation.mx_is_ip`).
pub fn signs(path: &str) -> impl Iterator<Item = &'static str> + Clone {
    let list = SIGNS.path(path);
    debug_assert!(list.is_some(), "signs.toml has no {path}");
    list.map_or(Words::Items([].iter()), Data::words)
}

/// The word lists of a `signs.toml` table by key (`paste.openers`), in file order.
pub fn sign_groups(path: &str) -> Vec<(&'static str, Vec<&'static str>)> {
    let table = SIGNS.path(path);
    debug_assert!(table.is_some(), "signs.toml has no {path}");
    table.map_or_else(Vec::new, |t| {
        t.keys()
            .into_iter()
            .filter_map(|k| Some((k, t.get(k)?.strs())))
            .collect()
    })
}

/// A reason rule: phrases that decide one reason.
pub struct PhraseRule {
    pub reason: Reason,
    pub phrases: Vec<&'static str>,
    /// Generic words: a status code that implies a reason outranks them.
    pub weak: bool,
    /// The situation these words also stand for (`greylisting`), if any.
    pub situation: Option<&'static str>,
    /// The words tell of a refusal for now: beside a permanent code they are no cause.
    pub temporary: bool,
}

/// The phrase rules of `reasons.toml`, in priority order.
pub fn phrase_rules() -> &'static [PhraseRule] {
    static CACHE: OnceLock<Vec<PhraseRule>> = OnceLock::new();
    CACHE.get_or_init(|| {
        REASONS
            .get("rule")
            .map(Data::list)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                Some(PhraseRule {
                    reason: Reason::from_name(r.field("reason"))?,
                    phrases: r.get("phrases")?.strs(),
                    weak: r.get("weak").and_then(Data::bool).unwrap_or(false),
                    situation: r.get("situation").and_then(Data::str),
                    temporary: r.get("temporary").and_then(Data::bool).unwrap_or(false),
                })
            })
            .collect()
    })
}

/// The phrases of the reason rules that stand for a situation (`greylisting`).
pub fn situation_phrases(situation: &str) -> impl Iterator<Item = &'static str> + '_ {
    phrase_rules()
        .iter()
        .filter(move |r| r.situation == Some(situation))
        .flat_map(|r| r.phrases.iter().copied())
}

/// All phrases of the phrase rules, compiled, with the rule each belongs to.
pub fn phrase_index() -> &'static (Matcher, Vec<(usize, &'static str)>) {
    static CACHE: OnceLock<(Matcher, Vec<(usize, &'static str)>)> = OnceLock::new();
    CACHE.get_or_init(|| {
        Matcher::with_owners(
            phrase_rules()
                .iter()
                .enumerate()
                .flat_map(|(ri, r)| r.phrases.iter().map(move |&p| ((ri, p), p))),
        )
    })
}

/// All provider rules in order (provider by provider), with the text patterns compiled.
pub fn provider_index() -> &'static (Matcher, Vec<&'static ProviderRule>) {
    static CACHE: OnceLock<(Matcher, Vec<&'static ProviderRule>)> = OnceLock::new();
    CACHE.get_or_init(|| {
        Matcher::with_owners(
            providers()
                .iter()
                .flat_map(|p| p.rules.iter())
                .map(|r| (r, r.pattern)),
        )
    })
}

/// What a status or reply code means.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    /// The reason the code alone implies, if any.
    pub reason: Option<Reason>,
    /// The code is more specific than any general wording next to it.
    pub outranks_words: bool,
    pub source: &'static str,
    pub en: &'static str,
    pub de: &'static str,
}

impl CodeInfo {
    fn from_data(d: &'static Data) -> CodeInfo {
        CodeInfo {
            code: d.field("code"),
            reason: Reason::from_name(d.field("reason")),
            outranks_words: d.get("outranks_words").and_then(Data::bool) == Some(true),
            source: d.field("source"),
            en: d.field("en"),
            de: d.field("de"),
        }
    }

    /// The meaning in the given language (`de` or `en`).
    pub fn meaning(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::De => self.de,
            Lang::En => self.en,
        }
    }
}

fn codes(file: &'static Data) -> impl Iterator<Item = CodeInfo> {
    file.get("code")
        .map(Data::list)
        .unwrap_or_default()
        .iter()
        .map(CodeInfo::from_data)
}

/// Every enhanced status code in the registry (written `X.s.d`).
pub fn status_codes() -> impl Iterator<Item = CodeInfo> {
    codes(&STATUS_CODES)
}

/// Every SMTP reply code in the registry.
pub fn reply_codes() -> impl Iterator<Item = CodeInfo> {
    codes(&REPLY_CODES)
}

/// What an enhanced status code such as `5.1.1` means.
pub fn status_info(status: &str) -> Option<CodeInfo> {
    let (_, rest) = status.split_once('.')?;
    status_codes().find(|c| c.code.get(2..) == Some(rest))
}

/// What a reply code such as `550` means.
pub fn reply_info(code: &str) -> Option<CodeInfo> {
    reply_codes().find(|c| c.code == code)
}

/// One provider rule: a code or text that decides a reason at one provider.
#[derive(Debug, Clone, Copy)]
pub struct ProviderRule {
    pub provider: &'static str,
    pub pattern: &'static str,
    /// The pattern is a bare status code (`5.7.26`), compared with the status itself.
    pub is_status: bool,
    pub reason: Reason,
    /// Applies without the provider's host being named.
    pub anywhere: bool,
    /// A general sentence the provider puts before its real reason: it decides only when
    /// neither the words nor the status code do.
    pub weak: bool,
    /// Who has to act, where the provider's code says otherwise than its reason does
    /// (a recipient's own receive limit: the sender waits).
    pub who: Option<&'static str>,
    /// The provider's documentation for this code, or for the provider.
    pub url: &'static str,
    /// What the provider says the code means.
    pub en: &'static str,
    pub de: &'static str,
}

/// A provider with its hosts and rules.
#[derive(Debug)]
pub struct Provider {
    pub id: &'static str,
    pub name: &'static str,
    pub hosts: Vec<&'static str>,
    pub url: &'static str,
    pub rules: Vec<ProviderRule>,
}

impl Provider {
    /// True if `text` (lower case: a host name, or a diagnostic) names one of the
    /// provider's hosts.
    pub fn named_in(&self, text: &str) -> bool {
        self.hosts.iter().any(|h| text.contains(h))
    }

    /// True if `host` (lower case) is one of the provider's servers: its entry stands
    /// as whole labels (`mx01.web.de`, `mx00.gmx.net`, not `mail.kreativweb.de`).
    pub fn runs(&self, host: &str) -> bool {
        let mut label_starts =
            std::iter::once(0).chain(memchr::memchr_iter(b'.', host.as_bytes()).map(|i| i + 1));
        label_starts.any(|i| {
            let rest = &host[i..];
            self.hosts.iter().any(|h| {
                let h = h.trim_end_matches('.');
                rest.strip_prefix(h)
                    .is_some_and(|after| after.is_empty() || after.starts_with('.'))
            })
        })
    }
}

/// The provider and rule a decision names (`gmail: 5.7.26`).
pub fn provider_rule_named(matched: &str) -> Option<(&'static Provider, &'static ProviderRule)> {
    let (id, pattern) = matched.split_once(": ")?;
    let p = providers().iter().find(|p| p.id == id)?;
    Some((p, p.rules.iter().find(|r| r.pattern == pattern)?))
}

/// All providers of `providers.toml`.
pub fn providers() -> &'static [Provider] {
    static CACHE: OnceLock<Vec<Provider>> = OnceLock::new();
    CACHE.get_or_init(|| {
        provider_entries()
            .iter()
            .map(|p| {
                let id = p.field("id");
                let url = p.field("url");
                Provider {
                    id,
                    name: p.field("name"),
                    hosts: p.get("hosts").map(Data::strs).unwrap_or_default(),
                    url,
                    rules: p
                        .get("rules")
                        .map(Data::list)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|r| {
                            let pattern = r.field("match");
                            Some(ProviderRule {
                                provider: id,
                                pattern,
                                is_status: crate::text::is_status_code(pattern),
                                reason: Reason::from_name(r.field("reason"))?,
                                anywhere: r.get("anywhere").and_then(Data::bool).unwrap_or(false),
                                weak: r.get("weak").and_then(Data::bool).unwrap_or(false),
                                who: r.get("who").and_then(Data::str),
                                url: Some(r.field("url"))
                                    .filter(|u| !u.is_empty())
                                    .unwrap_or(url),
                                en: r.field("en"),
                                de: r.field("de"),
                            })
                        })
                        .collect(),
                }
            })
            .collect()
    })
}

fn provider_entries() -> &'static [Data] {
    PROVIDERS
        .get("provider")
        .map(Data::list)
        .unwrap_or_default()
}

/// The languages of the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    De,
    #[default]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.get(..2)?.to_ascii_lowercase().as_str() {
            "de" => Some(Lang::De),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// The text tree of this language.
    pub fn texts(self) -> &'static Data {
        match self {
            Lang::De => &TEXTS_DE,
            Lang::En => &TEXTS_EN,
        }
    }

    /// A UI string by key; the key itself if missing (tests keep this from happening).
    pub fn ui(self, key: &'static str) -> &'static str {
        self.texts()
            .path(&format!("ui.{key}"))
            .and_then(Data::str)
            .unwrap_or(key)
    }

    /// What a limit that cut part of a message off means for the reader.
    pub fn cut_off(self, limit: &str) -> &'static str {
        let text = |key: &str| self.texts().path(&format!("cut_off.{key}"));
        text(limit)
            .or_else(|| text("text"))
            .and_then(Data::str)
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_words_come_out_one_by_one() {
        static JOINED: Data = Data::Words("a\u{1f}bc\u{1f}d e");
        assert_eq!(JOINED.strs(), vec!["a", "bc", "d e"]);
        static ONE: Data = Data::Words("only");
        assert_eq!(ONE.words().collect::<Vec<_>>(), vec!["only"]);
        static NOT_A_LIST: Data = Data::Str("x");
        assert!(NOT_A_LIST.strs().is_empty());
    }

    #[test]
    fn a_packed_tree_unpacks_to_its_tables_lists_and_values() {
        static PACKED: Packed = Packed::new("{a\0sx\0b\0{c\0td\0f}e\0[sy\0[]w1\u{1f}2\0]}");
        static LIST: [Data; 3] = [Data::Str("y"), Data::List(&[]), Data::Words("1\u{1f}2")];
        static INNER: [(&str, Data); 2] = [("c", Data::Bool(true)), ("d", Data::Bool(false))];
        static TREE: Data = Data::Table(&[
            ("a", Data::Str("x")),
            ("b", Data::Table(&INNER)),
            ("e", Data::List(&LIST)),
        ]);
        assert_eq!(*PACKED, TREE);
        assert_eq!(
            PACKED.path("e").map(|e| e.list()[2].strs()),
            Some(vec!["1", "2"])
        );
    }

    #[test]
    fn a_provider_runs_only_hosts_named_by_whole_labels() {
        let runs = |id: &str, host: &str| providers().iter().any(|p| p.id == id && p.runs(host));
        assert!(runs("gmx_webde", "mx-ha03.web.de"));
        assert!(runs("gmx_webde", "mx00.gmx.net"));
        assert!(runs("gmx_webde", "web.de"));
        assert!(!runs("gmx_webde", "mail.kreativweb.de"));
        assert!(!runs("gmx_webde", "smtp.gmxtra.example"));
        assert!(runs("ionos", "mx00.ionos.de"));
        assert!(!runs("ionos", "mx.ionos-kunde.de"));
    }
}
