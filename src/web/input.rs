//! The input panel: a paste area, an "open .eml file" button and drag-and-drop.

use super::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Text longer than this is not mirrored back into the paste area (it would freeze it).
const MAX_ECHO: usize = 2 * 1024 * 1024;

/// Reads a dropped or chosen file into the input.
fn load_file(state: AppState, file: web_sys::File) {
    leptos::task::spawn_local(async move {
        if let Ok(buf) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            state.input.set(js_sys::Uint8Array::new(&buf).to_vec());
        }
    });
}

#[component]
pub fn InputPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ui = move |key: &'static str| move || state.lang.get().ui(key);
    let dragging = RwSignal::new(false);
    let shown = move || {
        state.input.with(|b| {
            if b.len() > MAX_ECHO {
                String::new()
            } else {
                crate::text::decode(b).into_owned()
            }
        })
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            load_file(state, file);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            load_file(state, file);
        }
    };
    view! {
        <section
            class="input"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <label for="bounce" class="paste-label">{ui("paste_label")}</label>
            <textarea
                id="bounce"
                spellcheck="false"
                autocomplete="off"
                placeholder=ui("paste_placeholder")
                prop:value=shown
                on:input=move |ev| {
                    let el = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
                    if let Some(el) = el {
                        state.input.set(el.value().into_bytes());
                    }
                }
            ></textarea>
            <div class="file-row">
                <label class="button" for="eml-file">{ui("open_file")}</label>
                <input id="eml-file" class="visually-hidden" type="file" accept=".eml,.msg,.txt,.mbox,message/rfc822,text/plain" on:change=on_file/>
                <span class="hint">{ui("drop_hint")}</span>
            </div>
        </section>
    }
}
