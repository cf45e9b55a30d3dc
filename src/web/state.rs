//! The page's state: the input bytes, the language, and the report derived from them.

use crate::knowledge::Lang;
use crate::report::{Evidence, EvidenceKind, Report};
use leptos::prelude::*;

/// Signals shared by the components.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The raw bytes pasted or opened.
    pub input: RwSignal<Vec<u8>>,
    pub lang: RwSignal<Lang>,
    /// The engine's reading of `input`, recomputed when it changes.
    pub report: Memo<Report>,
    /// What the reader points at, whose evidence lights up: (message, what).
    pub focus: RwSignal<Option<(usize, Focus)>>,
}

impl AppState {
    pub fn new(lang: Lang) -> AppState {
        let input = RwSignal::new(Vec::new());
        let report = Memo::new(move |_| input.with(|b| crate::analyze(b)));
        AppState {
            input,
            lang: RwSignal::new(lang),
            report,
            focus: RwSignal::new(None),
        }
    }
}

/// A statement on the page that the reader points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// Everything about one recipient.
    Recipient(usize),
    /// One fact: evidence of this kind (about this recipient, if any).
    Fact(EvidenceKind, Option<usize>),
}

impl Focus {
    /// True if this piece of evidence backs the statement.
    pub fn shows(self, e: &Evidence) -> bool {
        match self {
            Focus::Recipient(r) => e.recipient == Some(r),
            Focus::Fact(what, recipient) => e.what == what && e.recipient == recipient,
        }
    }
}

/// German if the browser prefers German, English otherwise.
pub fn browser_lang() -> Lang {
    let nav = web_sys::window().map(|w| w.navigator());
    let pref = nav.and_then(|n| n.language()).unwrap_or_default();
    if pref.to_ascii_lowercase().starts_with("de") {
        Lang::De
    } else {
        Lang::En
    }
}

/// Keeps `<html lang>` in step with the chosen language (screen readers use it).
pub fn set_document_lang(lang: Lang) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", lang.code());
    }
}
