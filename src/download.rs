//! Saving a file to the user's machine (a download made in the page).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Offers `content` as a file named `name`; false if the browser refused.
pub fn save(name: &str, mime: &str, content: &str) -> bool {
    save_part(name, mime, &wasm_bindgen::JsValue::from_str(content))
}

/// Offers `bytes` as a file named `name`; false if the browser refused.
pub fn save_bytes(name: &str, mime: &str, bytes: &[u8]) -> bool {
    save_part(name, mime, &js_sys::Uint8Array::from(bytes))
}

fn save_part(name: &str, mime: &str, part: &wasm_bindgen::JsValue) -> bool {
    let parts = js_sys::Array::of1(part);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return false };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return false };
    let Ok(a) = document().create_element("a") else { return false };
    let a: web_sys::HtmlAnchorElement = a.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    if let Some(body) = document().body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
    let _ = web_sys::Url::revoke_object_url(&url);
    true
}
