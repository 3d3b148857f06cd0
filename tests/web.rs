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

/// The DOM's UTF-16 selections become code points of the document, with emoji,
/// combining marks and a footnote marker in the way.
#[wasm_bindgen_test]
fn selections_become_code_points() {
    use marginalia_core::document::{BlockKind, DocumentBuilder, Meta, Piece};
    let mut b = DocumentBuilder::new();
    b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. 😀 Intro".into())]);
    b.push(
        BlockKind::Paragraph { number: Some(1) },
        &[Piece::Text("Da’esh 👩‍💻 fe\u{301}e".into()), Piece::Note(1), Piece::Text(" and more 𝔸 text".into())],
    );
    let doc = b.finish(Meta { id: "t".into(), ..Meta::default() });
    let root = document().create_element("div").unwrap();
    // The same structure the report renders: one content element per block; the
    // marker's number is drawn by CSS, so it adds no text.
    root.set_inner_html(&format!(
        "<h2 data-start=\"0\" data-end=\"{}\">I. 😀 Intro</h2>\
         <div class=\"para\"><a class=\"pnum\">1</a><p data-start=\"{}\" data-end=\"{}\">Da’esh <span class=\"hl\">👩‍💻 fe\u{301}e</span>\
         <sup class=\"fnref\"><button data-n=\"1\"></button></sup> and more 𝔸 text</p></div>",
        doc.blocks[0].end, doc.blocks[1].start, doc.blocks[1].end
    ));
    document().body().unwrap().append_child(&root).unwrap();
    let p = root.query_selector("p").unwrap().unwrap();
    let hl_text = p.query_selector(".hl").unwrap().unwrap().first_child().unwrap();
    let tail = p.last_child().unwrap(); // " and more 𝔸 text"
    let range = document().create_range().unwrap();
    // From the start of the highlight's text to just after "𝔸" (UTF-16: " and more " is 10 units, 𝔸 is 2).
    range.set_start(&hl_text, 0).unwrap();
    range.set_end(&tail, 12).unwrap();
    let sel = window().get_selection().unwrap().unwrap();
    sel.remove_all_ranges().unwrap();
    sel.add_range(&range).unwrap();
    let (s, e) = marginalia_web::dom::selection_in(&root, &doc).expect("a selection");
    let quote = marginalia_core::offsets::slice_chars(&doc.text, s, e);
    assert_eq!(quote, "👩‍💻 fe\u{301}e and more 𝔸");
    // A boundary inside the surrogate pair of 𝔸 rounds outwards for an end.
    range.set_end(&tail, 11).unwrap();
    sel.remove_all_ranges().unwrap();
    sel.add_range(&range).unwrap();
    let (_, e2) = marginalia_web::dom::selection_in(&root, &doc).unwrap();
    assert_eq!(e2, e);
    // Starting on the margin number moves the start to the paragraph's text.
    let pnum = root.query_selector(".pnum").unwrap().unwrap().first_child().unwrap();
    range.set_start(&pnum, 0).unwrap();
    sel.remove_all_ranges().unwrap();
    sel.add_range(&range).unwrap();
    let (s3, _) = marginalia_web::dom::selection_in(&root, &doc).unwrap();
    assert_eq!(s3, doc.blocks[1].start);
    root.remove();
}
