//! A small JavaScript API for portals that embed the engine without the page.

use crate::explain::Explanation;
use crate::knowledge::Lang;
use crate::report::Report;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct Explained {
    report: Report,
    /// One explanation per message of the report, in the same order.
    explanations: Vec<Explanation>,
}

/// Reads a bounce and returns the report with an explanation per message, as a plain
/// JavaScript object. `lang` is `de` or `en`.
#[wasm_bindgen(js_name = explainBounce)]
pub fn explain_bounce(input: &[u8], lang: &str) -> Result<JsValue, JsValue> {
    let lang = Lang::parse(lang).unwrap_or_default();
    super::use_browser_charsets();
    let report = crate::analyze(input);
    let explanations = report
        .messages
        .iter()
        .map(|m| crate::explain::explain(m, lang))
        .collect();
    serde_wasm_bindgen::to_value(&Explained {
        report,
        explanations,
    })
    .map_err(|e| JsValue::from_str(&e.to_string()))
}
