//! The page in a real headless Chromium (wasm-bindgen-test): mount, paste, read the verdict.
#![cfg(target_arch = "wasm32")]

use bounce_explainer::web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const MAILBOX_FULL: &str = include_str!("fixtures/postfix-mailbox-full.eml");
const USER_UNKNOWN: &str = include_str!("fixtures/exim-user-unknown.eml");
const PHISHING: &str = include_str!("fixtures/phishing-fake-daemon.eml");
const DQS_KEY: &str = include_str!("fixtures/spamhaus-dqs-key.txt");

/// Mounts a fresh app in its own container and returns the container.
fn mount() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    std::mem::forget(leptos::mount::mount_to(host.clone(), App));
    host.into()
}

/// Lets the reactive system settle.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

async fn paste(host: &Element, text: &str) {
    let area: HtmlTextAreaElement = host
        .query_selector("textarea")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    area.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    tick().await;
}

async fn choose_language(host: &Element, label: &str) {
    let buttons = host.query_selector_all(".lang button").unwrap();
    for i in 0..buttons.length() {
        let b: HtmlElement = buttons.item(i).unwrap().dyn_into().unwrap();
        if b.text_content().as_deref() == Some(label) {
            b.click();
        }
    }
    tick().await;
}

fn text_of(host: &Element, selector: &str) -> String {
    host.query_selector(selector)
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn mailbox_full_in_english_and_german() {
    let host = mount();
    choose_language(&host, "English").await;
    paste(&host, MAILBOX_FULL).await;
    assert_eq!(
        text_of(&host, ".headline"),
        "The recipient's mailbox is full."
    );
    assert!(text_of(&host, ".card .address").contains("bernd@example.net"));
    choose_language(&host, "Deutsch").await;
    assert_eq!(
        text_of(&host, ".headline"),
        "Das Postfach des Empfängers ist voll."
    );
    assert!(text_of(&host, ".steps h3").contains("Was jetzt zu tun ist"));
}

#[wasm_bindgen_test]
async fn user_unknown_in_both_languages() {
    let host = mount();
    choose_language(&host, "Deutsch").await;
    paste(&host, USER_UNKNOWN).await;
    assert_eq!(
        text_of(&host, ".headline"),
        "Die Adresse des Empfängers gibt es nicht."
    );
    choose_language(&host, "English").await;
    assert_eq!(
        text_of(&host, ".headline"),
        "The recipient's address does not exist."
    );
}

#[wasm_bindgen_test]
async fn a_sending_platforms_bounce_event_is_read() {
    let host = mount();
    choose_language(&host, "English").await;
    let event = r#"[{"email":"kunde@example.org","timestamp":1732960000,"event":"bounce","type":"bounce","status":"5.1.1","reason":"550 5.1.1 The email account that you tried to reach does not exist.","sg_event_id":"ZmFrZQ"}]"#;
    paste(&host, event).await;
    assert_eq!(
        text_of(&host, ".headline"),
        "The recipient's address does not exist."
    );
    assert!(text_of(&host, ".card .address").contains("kunde@example.org"));
}

#[wasm_bindgen_test]
async fn bounce_text_never_becomes_html() {
    let host = mount();
    let hostile =
        format!("{PHISHING}\n<img src=x onerror=\"document.title='owned'\"><b id=injected>x</b>");
    paste(&host, &hostile).await;
    let results = host.query_selector(".results").unwrap().unwrap();
    assert!(
        results
            .query_selector("script, img, b#injected, a")
            .unwrap()
            .is_none()
    );
    assert!(
        text_of(&host, ".warning").len() > 10,
        "phishing warning shown"
    );
    assert!(text_of(&host, ".source pre").contains("<script>alert('xss')</script>"));
}

#[wasm_bindgen_test]
async fn empty_and_binary_input_get_friendly_messages() {
    let host = mount();
    choose_language(&host, "English").await;
    assert!(text_of(&host, ".placeholder").contains("Paste a notice"));
    paste(&host, "\u{0}\u{1}\u{2}\u{3}\u{0}\u{0}\u{5}\u{6}").await;
    assert!(text_of(&host, ".placeholder").contains("binary"));
}

#[wasm_bindgen_test]
async fn hovering_a_recipient_marks_its_evidence() {
    let host = mount();
    paste(&host, MAILBOX_FULL).await;
    let card: HtmlElement = host
        .query_selector(".card")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    card.focus().unwrap();
    tick().await;
    assert!(host.query_selector("mark.active").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn focusing_a_fact_marks_only_its_own_evidence() {
    let host = mount();
    paste(&host, MAILBOX_FULL).await;
    // The facts are one click away: open them as a reader would.
    let facts = host.query_selector("details.facts").unwrap().unwrap();
    facts.set_attribute("open", "").unwrap();
    tick().await;
    let rows = host.query_selector_all(".facts tr[tabindex]").unwrap();
    let mut status_row = None;
    for i in 0..rows.length() {
        let row: HtmlElement = rows.item(i).unwrap().dyn_into().unwrap();
        if row.text_content().unwrap_or_default().contains("5.2.2") {
            status_row = Some(row);
            break;
        }
    }
    status_row.expect("a status row").focus().unwrap();
    tick().await;
    let active = host.query_selector_all("mark.active").unwrap();
    assert_eq!(active.length(), 1);
    let mark: Element = active.item(0).unwrap().dyn_into().unwrap();
    assert!(
        mark.class_list().contains("status"),
        "{}",
        mark.class_name()
    );
    // The verdict points at the recipient it is about: all of that recipient's marks.
    let verdict: HtmlElement = host
        .query_selector(".verdict")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    verdict.focus().unwrap();
    tick().await;
    assert!(host.query_selector_all("mark.active").unwrap().length() > 1);
}

#[wasm_bindgen_test]
async fn a_receivers_dqs_key_is_masked_on_the_page() {
    let host = mount();
    paste(&host, DQS_KEY).await;
    let results = text_of(&host, ".results");
    assert!(results.contains("<key>.zen.dq.spamhaus.net"), "{results}");
    assert!(!results.contains("aaaabbbbccccddddeeeeffff00"));
}

/// The browser's TextDecoder decodes the East Asian character sets the page is built
/// without.
#[wasm_bindgen_test]
fn east_asian_text_is_decoded_by_the_browser() {
    bounce_explainer::web::use_browser_charsets();
    let mail = b"From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.jp>\nTo: sato@example.jp\nSubject: failure\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"Shift_JIS\"\nContent-Transfer-Encoding: base64\n\niLaQ5jogeWFtYWRhQGV4YW1wbGUuY29tCjU1MCA1LjEuMSA8eWFtYWRhQGV4YW1wbGUuY29tPi4u\nLiBVc2VyIHVua25vd24gKIOGgVuDVYFbgs2Rto3dgrWC3IK5gvEpCg==\n";
    let report = bounce_explainer::analyze(mail);
    let m = &report.messages[0];
    assert!(m.warnings.is_empty());
    let diagnostic = m.recipients[0].diagnostic.as_deref().unwrap_or_default();
    assert!(diagnostic.contains("存在しません"), "{diagnostic}");
}
