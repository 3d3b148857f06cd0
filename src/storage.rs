//! The only code that touches the browser's storage (localStorage through
//! gloo-storage's handle). Values are strings; what they mean is `core::store`'s.

use std::collections::BTreeMap;

use gloo_storage::{LocalStorage, Storage};
use marginalia_core::store::is_ours;
use wasm_bindgen::JsCast;

/// Why a write did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The store is full (QuotaExceededError).
    Full,
    /// Storage is unavailable (private mode, disabled, …).
    Unavailable(String),
}

/// Every Marginalia key and its value.
pub fn read_all() -> BTreeMap<String, String> {
    let store = LocalStorage::raw();
    let mut out = BTreeMap::new();
    let n = store.length().unwrap_or(0);
    for i in 0..n {
        let Ok(Some(key)) = store.key(i) else { continue };
        if is_ours(&key)
            && let Ok(Some(v)) = store.get_item(&key) {
                out.insert(key, v);
            }
    }
    out
}

/// One key's value, if stored.
pub fn read(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

/// A user's own text as stored (`None`: not here, or unreadable).
pub fn user_text(id: &str) -> Option<marginalia_core::store::UserText> {
    read(&marginalia_core::store::text_key(id)).and_then(|v| serde_json::from_str(&v).ok())
}

/// Writes one key.
pub fn write(key: &str, value: &str) -> Result<(), WriteError> {
    LocalStorage::raw().set_item(key, value).map_err(|e| {
        let exception = e.dyn_ref::<web_sys::DomException>();
        let name = exception.map(|d| d.name()).unwrap_or_default();
        if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
            WriteError::Full
        } else {
            // Named in the browser's own words (not Rust's debug form, which the release build leaves out).
            let message = exception.map(|d| d.message()).or_else(|| e.as_string()).unwrap_or_default();
            WriteError::Unavailable(if name.is_empty() { message } else { format!("{name}: {message}") })
        }
    })
}

/// Removes one key.
pub fn remove(key: &str) {
    let _ = LocalStorage::raw().remove_item(key);
}

/// Asks the browser to keep this site's storage (not evict it under pressure).
pub fn ask_persistence() {
    if let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) {
        let _ = storage.persist();
    }
}

/// The key of where this tab was reading a report (sessionStorage: this tab only,
/// gone with it), so that a reload opens the report there again.
const READING_KEY: &str = "marginalia:reading";

/// Keeps the paragraph at the top of the window in report `slug`.
pub fn set_reading_place(slug: &str, paragraph: u32) {
    if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = s.set_item(READING_KEY, &format!("{paragraph} {slug}"));
    }
}

/// The paragraph this tab was reading in report `slug`, if it was reading that one.
pub fn reading_place(slug: &str) -> Option<u32> {
    let s = web_sys::window()?.session_storage().ok()??;
    let v = s.get_item(READING_KEY).ok()??;
    let (n, at) = v.split_once(' ')?;
    (at == slug).then(|| n.parse().ok())?
}
