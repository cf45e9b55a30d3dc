//! The notice's own text with the evidence marked. Marks behind the statement the reader
//! points at light up.

use super::state::AppState;
use crate::knowledge::Lang;
use crate::report::{Evidence, Message};
use leptos::prelude::*;

/// At most this much of a message is shown (the DOM would choke on more).
const MAX_SHOWN: usize = 200 * 1024;

/// Splits `bytes[span]` into plain and marked pieces, in order. A receiver's Spamhaus DQS
/// key in the text is masked.
pub fn segments(
    bytes: &[u8],
    span: std::ops::Range<usize>,
    evidence: &[Evidence],
) -> Vec<(String, Option<Evidence>)> {
    let end = span.end.min(bytes.len()).min(span.start + MAX_SHOWN);
    let mut out = Vec::new();
    let mut pos = span.start.min(end);
    for e in evidence {
        if e.start < pos || e.end > end {
            continue;
        }
        if e.start > pos {
            out.push((shown(&bytes[pos..e.start]), None));
        }
        out.push((shown(&bytes[e.start..e.end]), Some(e.clone())));
        pos = e.end;
    }
    if pos < end {
        out.push((shown(&bytes[pos..end]), None));
    }
    out
}

fn shown(bytes: &[u8]) -> String {
    crate::dnsbl::detect::mask_dqs_key(&crate::text::decode(bytes))
}

#[component]
pub fn SourceView(index: usize, msg: Message, lang: Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    let pieces = state
        .input
        .with_untracked(|b| segments(b, msg.span.clone(), &msg.evidence));
    view! {
        <details class="source">
            <summary>{lang.ui("original_text")}</summary>
            <pre>
                {pieces
                    .into_iter()
                    .map(|(text, ev)| match ev {
                        None => text.into_any(),
                        Some(e) => {
                            let what = format!("{:?}", e.what).to_lowercase();
                            view! {
                                <mark
                                    class=what
                                    class:active=move || {
                                        state.focus.get().is_some_and(|(m, f)| m == index && f.shows(&e))
                                    }
                                >
                                    {text}
                                </mark>
                            }
                            .into_any()
                        }
                    })
                    .collect_view()}
            </pre>
        </details>
    }
}
