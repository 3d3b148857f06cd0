//! Component tests in a real browser (wasm-bindgen-test in headless Chromium):
//! the app mounts, lists the corpus, and follows a paragraph link.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: u64) {
    let (tx, rx) = futures_channel();
    set_timeout(tx, Duration::from_millis(ms));
    let _ = rx.await;
}

/// A one-shot channel from a timeout callback to the test.
fn futures_channel() -> (impl FnOnce(), wasm_bindgen_futures::JsFuture) {
    let mut resolve = None;
    let promise = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
    let resolve = resolve.expect("Promise::new calls its executor at once");
    (
        move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        },
        wasm_bindgen_futures::JsFuture::from(promise),
    )
}

fn count(selector: &str) -> u32 {
    document().query_selector_all(selector).map(|l| l.length()).unwrap_or(0)
}

fn text(selector: &str) -> String {
    document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_lists_the_corpus_and_opens_a_paragraph() {
    console_error_panic_hook::set_once();
    let _ = window().location().set_hash("");
    leptos::mount::mount_to_body(marginalia_web::App);
    sleep(50).await;
    assert_eq!(count("table.reports tbody tr"), 5);
    assert_eq!(text("table.reports tbody tr td.symbol"), "S/2017/97");

    window().location().set_hash("#/report/S-2019-103/p12").unwrap();
    sleep(200).await;
    assert_eq!(text(".titleblock .symbol"), "S/2019/103");
    let p12 = document().get_element_by_id("p12").expect("paragraph 12 is rendered");
    assert!(p12.class_list().contains("target"), "paragraph 12 is the target");
    let numbers: Vec<u32> = {
        let list = document().query_selector_all(".para[data-paragraph]").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
            .filter_map(|e| e.get_attribute("data-paragraph")?.parse().ok())
            .collect()
    };
    assert!(numbers.len() > 50);
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());

    window().location().set_hash("#/nowhere").unwrap();
    sleep(100).await;
    assert!(text("main").contains("Nothing here"));
}
