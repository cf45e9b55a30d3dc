//! The blacklist panel: says exactly what would be sent where, and only on request looks
//! the named IPs and domains up over DNS-over-HTTPS through the browser's `fetch`.

use super::state::AppState;
use crate::dnsbl::check::{self, Check, Job, Listing, Lookup, Resolver, State, Target};
use crate::knowledge::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// What the embedding page configures with `<meta name="bounce-explainer:…">` tags.
#[derive(Clone)]
pub struct EmbedConfig {
    pub resolver: Option<String>,
    pub auto_check: bool,
}

/// Reads the embedding configuration from the page's meta tags.
pub fn embed_config() -> EmbedConfig {
    let meta = |name: &str| {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("meta[name='bounce-explainer:{name}']"))
                    .ok()
                    .flatten()
            })
            .and_then(|m| m.get_attribute("content"))
            .filter(|c| !c.trim().is_empty())
    };
    EmbedConfig {
        resolver: meta("doh"),
        auto_check: meta("autocheck").is_some_and(|v| v == "true"),
    }
}

/// One running or finished check.
#[derive(Clone)]
struct Run {
    targets: Vec<Target>,
    checks: Vec<Check>,
    jobs: Vec<Job>,
    results: Vec<Option<Lookup>>,
}

impl Run {
    /// Rows so far; a row whose queries are not all back is still pending.
    fn rows(&self, lang: Lang) -> Vec<(Listing, bool)> {
        let rows = check::assemble(&self.checks, &self.targets, &self.jobs, &self.results, lang);
        rows.into_iter()
            .enumerate()
            .map(|(ci, row)| {
                let list = self.checks[ci].list.id;
                let pending = self.jobs.iter().zip(&self.results).any(|(j, r)| {
                    r.is_none()
                        && (j.check == ci || self.checks[j.check].list.id == list && j.check < ci)
                });
                (row, pending)
            })
            .collect()
    }
}

const KEY_STORAGE: &str = "bounce-explainer.dqs-key";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

#[component]
pub fn BlacklistPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let config = embed_config();
    let resolver_choice = RwSignal::new(if config.resolver.is_some() {
        "custom"
    } else {
        "cloudflare"
    });
    let custom_url = RwSignal::new(config.resolver.clone().unwrap_or_default());
    let stored_key = storage().and_then(|s| s.get_item(KEY_STORAGE).ok().flatten());
    let dqs_key = RwSignal::new(stored_key.clone().unwrap_or_default());
    let remember = RwSignal::new(stored_key.is_some());
    let run = RwSignal::new(None::<Run>);
    let targets = Memo::new(move |_| state.report.with(|r| check::targets(&r.messages)));
    let resolver = move || match resolver_choice.get() {
        "google" => Resolver::google(),
        "custom" if !custom_url.get().trim().is_empty() => Resolver::custom(&custom_url.get()),
        _ => Resolver::cloudflare(),
    };
    let start = move || {
        let targets = targets.get_untracked();
        let key = Some(dqs_key.get_untracked().trim().to_string()).filter(|k| !k.is_empty());
        if let Some(s) = storage() {
            let _ = if remember.get_untracked() && key.is_some() {
                s.set_item(KEY_STORAGE, key.as_deref().unwrap_or(""))
            } else {
                s.remove_item(KEY_STORAGE)
            };
        }
        let checks = check::checks(&targets, key.is_some());
        let jobs = check::jobs(&checks, &targets, &resolver(), key.as_deref());
        let results = vec![None; jobs.len()];
        run.set(Some(Run {
            targets,
            checks,
            jobs: jobs.clone(),
            results,
        }));
        for (i, job) in jobs.into_iter().enumerate() {
            leptos::task::spawn_local(async move {
                let lookup = fetch(&job.url, &job.name).await;
                run.update(|r| {
                    if let Some(r) = r.as_mut()
                        && r.jobs.get(i).is_some_and(|j| j.url == job.url)
                    {
                        r.results[i] = Some(lookup);
                    }
                });
            });
        }
    };
    // A new bounce clears old results; an embedding page may ask to check at once.
    Effect::new(move |_| {
        let t = targets.get();
        run.set(None);
        if config.auto_check && !t.is_empty() {
            start();
        }
    });
    let ui = move |key: &'static str| move || state.lang.get().ui(key);
    move || {
        let t = targets.get();
        (!t.is_empty()).then(|| {
            let items = t.iter().map(|t| t.value.clone()).collect::<Vec<_>>().join(", ");
            view! {
                <section class="blacklists" aria-labelledby="bl-title">
                    <h3 id="bl-title">{ui("bl_title")}</h3>
                    <p class="bl-privacy">
                        {move || state.lang.get().ui("bl_privacy")
                            .replace("{items}", &items)
                            .replace("{resolver}", &resolver().url)}
                    </p>
                    <fieldset class="bl-options">
                        <legend>{ui("bl_resolver")}</legend>
                        <label><input type="radio" name="resolver" prop:checked=move || resolver_choice.get() == "cloudflare" on:change=move |_| resolver_choice.set("cloudflare")/>" Cloudflare"</label>
                        <label><input type="radio" name="resolver" prop:checked=move || resolver_choice.get() == "google" on:change=move |_| resolver_choice.set("google")/>" Google"</label>
                        <label><input type="radio" name="resolver" prop:checked=move || resolver_choice.get() == "custom" on:change=move |_| resolver_choice.set("custom")/>" "{ui("bl_custom")}</label>
                        <input type="url" class="bl-custom-url" aria-label=ui("bl_custom") placeholder="https://dns.example/dns-query"
                            prop:value=move || custom_url.get()
                            on:input=move |ev| { custom_url.set(event_target_value(&ev)); resolver_choice.set("custom"); }/>
                        <label class="bl-key">{ui("bl_dqs_key")}
                            <input type="password" autocomplete="off" prop:value=move || dqs_key.get() on:input=move |ev| dqs_key.set(event_target_value(&ev))/>
                        </label>
                        <label><input type="checkbox" prop:checked=move || remember.get() on:change=move |ev| remember.set(event_target_checked(&ev))/>" "{ui("bl_remember")}</label>
                    </fieldset>
                    <button type="button" class="bl-check" on:click=move |_| start()>{ui("bl_check")}</button>
                    {move || run.get().map(|r| results_view(&r, state.lang.get()))}
                </section>
            }
        })
    }
}

fn results_view(run: &Run, lang: Lang) -> impl IntoView + use<> {
    let rows = run.rows(lang);
    let summary = summary(run, &rows, lang);
    view! {
        <p class="bl-summary" role="status">{summary}</p>
        <table class="bl-results">
            <thead><tr><th scope="col">{lang.ui("bl_list")}</th><th scope="col">{lang.ui("bl_item")}</th><th scope="col">{lang.ui("bl_state")}</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|(row, pending)| {
                    let (class, label) = match (pending, row.state) {
                        (true, _) => ("pending", lang.ui("bl_pending")),
                        (false, State::Listed) => ("listed", lang.ui("bl_listed")),
                        (false, State::NotListed) => ("not-listed", lang.ui("bl_not_listed")),
                        (false, State::Unknown) => ("unknown", lang.ui("bl_unknown")),
                    };
                    let detail = (!pending).then(|| detail(&row, lang));
                    view! {
                        <tr class=format!("bl-row {class}") data-list=row.list>
                            <td>{row.list_name}</td>
                            <td><code>{row.target.clone()}</code></td>
                            <td><strong class="bl-state">{label}</strong>{detail}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn detail(row: &Listing, lang: Lang) -> impl IntoView + use<> {
    let why = row.reason_unknown.as_deref().map(|r| reason_text(r, lang));
    let link = match row.state {
        State::Listed => Some((row.delist, lang.ui("bl_delist"))),
        State::Unknown => Some((row.lookup, lang.ui("bl_lookup"))),
        State::NotListed => None,
    };
    view! {
        {(!row.meaning.is_empty()).then(|| view! { <span class="bl-meaning">{format!(" – {}", row.meaning)}</span> })}
        {row.txt.clone().map(|t| view! { <span class="bl-txt">{format!(" ({t})")}</span> })}
        {why.map(|w| view! { <span class="bl-why">{format!(" – {w}")}</span> })}
        {link.map(|(href, text)| view! { " " <a href=href rel="noopener noreferrer" target="_blank">{text}</a> })}
    }
}

/// A reason code in words.
fn reason_text(code: &str, lang: Lang) -> String {
    let key = code.split(':').next().unwrap_or(code);
    let detail = code.split_once(':').map(|(_, d)| d).unwrap_or("");
    let text = lang
        .texts()
        .path(&format!("bl_reason.{key}"))
        .and_then(crate::knowledge::Data::str)
        .unwrap_or(code);
    text.replace("{detail}", detail)
}

/// "The bounce says … was listed on …; right now: …".
fn summary(run: &Run, rows: &[(Listing, bool)], lang: Lang) -> String {
    let mut parts = Vec::new();
    for t in run
        .targets
        .iter()
        .filter(|t| t.role == check::Role::NamedInBounce)
    {
        let list = t
            .named_list
            .and_then(crate::dnsbl::registry::by_id)
            .map(|l| l.name)
            .or(t.named_as.as_deref())
            .unwrap_or("?");
        parts.push(
            lang.ui("bl_said")
                .replace("{item}", &t.value)
                .replace("{list}", list),
        );
    }
    let listed: Vec<String> = rows
        .iter()
        .filter(|(r, p)| !p && r.state == State::Listed)
        .map(|(r, _)| format!("{} ({})", r.list_name, r.target))
        .collect();
    let unknown = rows
        .iter()
        .filter(|(r, p)| !p && r.state == State::Unknown)
        .count();
    let pending = rows.iter().filter(|(_, p)| *p).count();
    parts.push(
        if listed.is_empty() {
            lang.ui("bl_now_none")
        } else {
            lang.ui("bl_now_listed")
        }
        .replace("{lists}", &listed.join(", ")),
    );
    if unknown > 0 {
        parts.push(
            lang.ui("bl_now_unknown")
                .replace("{n}", &unknown.to_string()),
        );
    }
    if pending > 0 {
        parts.push(lang.ui("bl_pending").to_string());
    }
    parts.join(" ")
}

/// One RFC 8484 GET through the browser's `fetch`, aborted after the timeout.
async fn fetch(url: &str, name: &str) -> Lookup {
    let Some(window) = web_sys::window() else {
        return Lookup::Network("no window".into());
    };
    let Ok(controller) = web_sys::AbortController::new() else {
        return Lookup::Network("no AbortController".into());
    };
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&controller.signal()));
    let headers = web_sys::Headers::new().ok();
    if let Some(h) = &headers {
        let _ = h.set("Accept", "application/dns-message");
        init.set_headers(h);
    }
    let abort = controller.clone();
    let timer = Closure::once(move || abort.abort());
    let timer_id = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            timer.as_ref().unchecked_ref(),
            check::TIMEOUT_MS as i32,
        )
        .unwrap_or(0);
    let result =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let lookup = match result {
        Err(_) if controller.signal().aborted() => Lookup::TimedOut,
        Err(e) => Lookup::Network(
            e.as_string()
                .unwrap_or_else(|| "fetch failed (CORS, policy or network)".into()),
        ),
        Ok(resp) => {
            let resp: web_sys::Response = resp.unchecked_into();
            if resp.status() != 200 {
                Lookup::Http(resp.status())
            } else {
                match resp.array_buffer() {
                    Ok(p) => match wasm_bindgen_futures::JsFuture::from(p).await {
                        Ok(buf) => Lookup::from_body(&js_sys::Uint8Array::new(&buf).to_vec(), name),
                        Err(_) if controller.signal().aborted() => Lookup::TimedOut,
                        Err(_) => Lookup::Network("body".into()),
                    },
                    Err(_) => Lookup::Network("body".into()),
                }
            }
        }
    };
    window.clear_timeout_with_handle(timer_id);
    drop(timer);
    lookup
}
