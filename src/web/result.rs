//! The result: for each message the verdict, the steps, who must act, one card per
//! recipient, a facts table and the original text with the evidence marked.

use super::source::SourceView;
use super::state::{AppState, Focus};
use crate::explain::{self, Explanation};
use crate::knowledge::{self, Lang};
use crate::report::{EvidenceKind, Kind, Message, Note, Recipient, Warning};
use leptos::prelude::*;

#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="results" aria-live="polite">
            {move || {
                let lang = state.lang.get();
                state.report.with(|report| {
                    if report.messages.is_empty() {
                        let key = match report.notes.first() {
                            Some(Note::BinaryInput) => "binary",
                            Some(Note::InputTruncated | Note::TooManyMessages) => "too_large",
                            _ => "empty",
                        };
                        return view! { <p class="placeholder">{lang.ui(key)}</p> }.into_any();
                    }
                    let many = report.messages.len() > 1;
                    let truncated = report.notes.iter().any(|n| matches!(n, Note::InputTruncated | Note::TooManyMessages));
                    view! {
                        {truncated.then(|| view! { <p class="note">{lang.ui("too_large")}</p> })}
                        {report
                            .messages
                            .iter()
                            .take(50)
                            .enumerate()
                            // A delay notice that a later notice ends comes after the others.
                            .filter(|(_, m)| !m.superseded)
                            .chain(report.messages.iter().take(50).enumerate().filter(|(_, m)| m.superseded))
                            .map(|(i, m)| message_view(i, m.clone(), lang, many))
                            .collect_view()}
                        <super::blacklist::BlacklistPanel/>
                    }
                    .into_any()
                })
            }}
        </section>
    }
}

fn message_view(index: usize, msg: Message, lang: Lang, many: bool) -> impl IntoView {
    let e = explain::explain(&msg, lang);
    let phishing = msg.warnings.iter().find_map(|w| match w {
        Warning::Phishing { signs } => Some(signs.clone()),
        _ => None,
    });
    let kind_class = format!("message kind-{}", msg.kind.as_str());
    view! {
        <article class=kind_class aria-labelledby=format!("verdict-{index}")>
            {many.then(|| view! { <p class="message-n">{format!("{} {}", lang.ui("message_n"), index + 1)}</p> })}
            {phishing.map(|signs| view! {
                <div class="warning" role="alert">
                    <strong>{lang.ui("phishing")}</strong>
                    <ul>{signs.into_iter().map(|s| view! { <li>{crate::phishing::describe(&s, lang)}</li> }).collect_view()}</ul>
                </div>
            })}
            {msg.warnings.iter().filter_map(|w| match w {
                Warning::Truncated { limit } => Some(view! { <p class="note">{lang.cut_off(limit)}</p> }),
                Warning::UndecodableText { .. } => Some(view! { <p class="note">{lang.ui("undecodable_text")}</p> }),
                _ => None,
            }).collect_view()}
            <Verdict index e=e.clone() about=main_recipient_index(&msg)/>
            <Steps e=e.clone() lang/>
            {e.origin.clone().map(|o| view! {
                <details class="origin">
                    <summary>{lang.texts().path("origin.title").and_then(knowledge::Data::str).unwrap_or("")}</summary>
                    <p>{o.verdict}</p>
                    <ul class="signs">{o.signs.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                    <ol>{o.steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ol>
                </details>
            })}
            <Recipients index recipients=msg.recipients.clone() lang/>
            <Facts index msg=msg.clone() e lang/>
            <SourceView index msg lang/>
        </article>
    }
}

/// The index of the recipient the headline is about.
fn main_recipient_index(msg: &Message) -> Option<usize> {
    let main = explain::main_recipient(msg)?;
    msg.recipients.iter().position(|r| std::ptr::eq(r, main))
}

#[component]
fn Verdict(index: usize, e: Explanation, about: Option<usize>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let point = move || {
        if let Some(r) = about {
            state.focus.set(Some((index, Focus::Recipient(r))));
        }
    };
    view! {
        <section
            class="verdict"
            tabindex="0"
            on:mouseenter=move |_| point()
            on:focus=move |_| point()
            on:mouseleave=move |_| state.focus.set(None)
            on:blur=move |_| state.focus.set(None)
        >
            <h2 id=format!("verdict-{index}") class="headline">{e.headline.clone()}</h2>
            {e.others.iter().map(|o| view! { <p class="other-recipient">{o.clone()}</p> }).collect_view()}
                        <p>{e.explanation.clone()}</p>
            {e.doubt.clone().map(|d| view! { <p class="doubt">{d}</p> })}
                        {e.timeline.clone().map(|t| view! { <p class="timeline">{t}</p> })}
            {e.provider.clone().map(|p| view! {
                <p class="provider-note">
                    <strong>{p.provider}": "</strong>{p.text}" "
                    <a href=p.url rel="noopener noreferrer" target="_blank">{lang.ui("provider_docs")}</a>
                </p>
            })}
            <p class="retry">{lang.ui(if e.retry { "retry_yes" } else { "retry_no" })}</p>
        </section>
    }
}

#[component]
fn Steps(e: Explanation, lang: Lang) -> impl IntoView {
    let admin = e.admin_steps.clone();
    view! {
        <section class="steps">
            <h3>{lang.ui("steps")}</h3>
            <ol>{e.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ol>
            <p class="who">
                <span class="label">{lang.ui("who_acts")}": "</span>
                <strong class=format!("who who-{}", e.who)>{e.who_label.clone()}</strong>
            </p>
            {(!admin.is_empty()).then(|| view! {
                <details class="admin">
                    <summary>{lang.ui("admin")}</summary>
                                        <ul>{admin.into_iter().map(|s| view! { <li>{with_code(&s)}</li> }).collect_view()}</ul>
                </details>
            })}
        </section>
    }
}

#[component]
fn Recipients(index: usize, recipients: Vec<Recipient>, lang: Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    (!recipients.is_empty()).then(|| {
        view! {
            <section class="recipients">
                <h3>{lang.ui("recipients")}</h3>
                <ul class="cards">
                    {recipients
                        .into_iter()
                        .enumerate()
                        .map(|(ri, r)| {
                            let reason_headline = lang
                                .texts()
                                .path(&format!("reason.{}.headline", r.reason.as_str()))
                                .and_then(knowledge::Data::str)
                                .unwrap_or("");
                            let severity = lang.ui(if r.hard_bounce { "permanent" } else { "temporary" });
                            view! {
                                <li
                                    class="card"
                                    tabindex="0"
                                    class:active=move || state.focus.get() == Some((index, Focus::Recipient(ri)))
                                    on:mouseenter=move |_| state.focus.set(Some((index, Focus::Recipient(ri))))
                                    on:focus=move |_| state.focus.set(Some((index, Focus::Recipient(ri))))
                                    on:mouseleave=move |_| state.focus.set(None)
                                    on:blur=move |_| state.focus.set(None)
                                >
                                    <p class="address">{r.address.clone()}</p>
                                    <p class="reason">{reason_headline}</p>
                                    <p class="codes">
                                        {[r.reply_code.clone(), r.status.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ")}
                                        " · "{severity}
                                    </p>
                                    {r.diagnostic.clone().map(|d| view! {
                                        <blockquote class="diagnostic" aria-label=lang.ui("diagnostic")>{d}</blockquote>
                                    })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Facts(index: usize, msg: Message, e: Explanation, lang: Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    let mut rows: Vec<(&'static str, String, Option<Focus>)> =
        vec![("format", msg.format.to_string(), None)];
    let mut push = |key: &'static str, v: Option<String>, focus: Option<Focus>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            rows.push((key, v, focus));
        }
    };
    let fact = |what, recipient| Some(Focus::Fact(what, recipient));
    push(
        "reporting_mta",
        msg.reporting_mta.clone(),
        fact(EvidenceKind::ReportingMta, None),
    );
    push(
        "arrival_date",
        msg.arrival_date.clone(),
        fact(EvidenceKind::ArrivalDate, None),
    );
    push(
        "last_attempt",
        msg.last_attempt_date.clone(),
        fact(EvidenceKind::LastAttemptDate, None),
    );
    for (i, r) in msg.recipients.iter().enumerate() {
        let whole = Some(Focus::Recipient(i));
        push(
            "address",
            Some(r.address.clone()),
            fact(EvidenceKind::Recipient, Some(i)),
        );
        push(
            "action",
            r.action.map(|a| format!("{a:?}").to_lowercase()),
            whole,
        );
        push(
            "status",
            r.status
                .clone()
                .map(|s| code_meaning(&s, knowledge::status_info(&s), lang)),
            fact(EvidenceKind::Status, Some(i)),
        );
        push(
            "reply_code",
            r.reply_code
                .clone()
                .map(|c| code_meaning(&c, knowledge::reply_info(&c), lang)),
            fact(EvidenceKind::Diagnostic, Some(i)),
        );
        push("reason", Some(r.reason.as_str().to_string()), whole);
        push(
            "decided_by",
            Some(format!("{}: {}", r.decided_by.source, r.decided_by.matched)),
            fact(EvidenceKind::Diagnostic, Some(i)),
        );
        push(
            "remote_mta",
            r.remote_mta.clone(),
            fact(EvidenceKind::RemoteMta, Some(i)),
        );
        push(
            "bl_named",
            r.blocklist.as_ref().map(|b| match &b.listed {
                Some(ip) => format!("{} → {ip}", b.named_as),
                None => b.named_as.clone(),
            }),
            fact(EvidenceKind::Diagnostic, Some(i)),
        );
    }
    if let Some(o) = &msg.original {
        push("subject", o.subject.clone(), None);
    }
    let open = msg.kind == Kind::NotABounce || !e.specific;
    view! {
        <details class="facts" open=open>
            <summary>{lang.ui("facts")}</summary>
            <table>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(k, v, focus)| {
                            let point = move || state.focus.set(focus.map(|f| (index, f)));
                            view! {
                                <tr
                                    tabindex=focus.map(|_| "0")
                                    on:mouseenter=move |_| point()
                                    on:focus=move |_| point()
                                    on:mouseleave=move |_| state.focus.set(None)
                                    on:blur=move |_| state.focus.set(None)
                                >
                                    <th scope="row">{lang.ui(k)}</th>
                                    <td>{v}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// Text with `backticked` commands shown as code; all of it stays text.
fn with_code(s: &str) -> impl IntoView + use<> {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}

fn code_meaning(code: &str, info: Option<knowledge::CodeInfo>, lang: Lang) -> String {
    match info {
        Some(i) => format!("{code}: {} ({})", i.meaning(lang), i.source),
        None => code.to_string(),
    }
}
