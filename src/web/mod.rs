//! The page: a Leptos (CSR) app over the engine. `state` holds the signals, the other
//! modules are components. Bounce text is only ever inserted as text, never as HTML.

mod api;
mod blacklist;
mod input;
mod result;
mod source;
pub mod state;

use crate::knowledge::Lang;
use leptos::prelude::*;
use state::AppState;

/// Mounts the app on the page's body.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// Gives the engine the browser's `TextDecoder` for the East Asian character sets it is
/// built without.
pub fn use_browser_charsets() {
    crate::charsets::set_decoder(|label, bytes| {
        web_sys::TextDecoder::new_with_label(label)
            .ok()?
            .decode_with_u8_array(bytes)
            .ok()
    });
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    use_browser_charsets();
    let state = AppState::new(state::browser_lang());
    provide_context(state);
    Effect::new(move |_| state::set_document_lang(state.lang.get()));
    let ui = move |key: &'static str| move || state.lang.get().ui(key);
    view! {
        <header class="top">
            <h1>{ui("title")}</h1>
            <p class="tagline">{ui("tagline")}</p>
            <LangSwitch/>
        </header>
        <main>
            <input::InputPanel/>
            <result::Results/>
        </main>
    }
}

/// Two buttons to switch the language.
#[component]
fn LangSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    let button = move |lang: Lang, label: &'static str| {
        view! {
            <button
                type="button"
                lang=lang.code()
                aria-pressed=move || (state.lang.get() == lang).to_string()
                on:click=move |_| state.lang.set(lang)
            >
                {label}
            </button>
        }
    };
    view! {
        <nav class="lang" aria-label=move || state.lang.get().ui("language")>
            {button(Lang::De, "Deutsch")}
            {button(Lang::En, "English")}
        </nav>
    }
}
