//! Render timing, read by the end-to-end tests and the benchmark: the time from
//! a navigation (start-up or a fragment change) to the first paint of the page
//! it leads to, written to `<body data-render-ms>` and as a `performance` measure.

use leptos::prelude::*;

const START: &str = "marginalia:navigation";

/// Milliseconds since the page started loading.
pub fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Writes a timing to an attribute of `<body>`.
pub fn note(attribute: &str, ms: f64) {
    if let Some(body) = document().body() {
        let _ = body.set_attribute(attribute, &format!("{ms:.1}"));
    }
}

/// Marks the start of a navigation.
pub fn mark_navigation() {
    if let Some(p) = window().performance() {
        p.clear_marks_with_mark_name(START);
        let _ = p.mark(START);
    }
}

/// Records, after the next paint, how long `what` took to show since the last
/// navigation mark (or since the page started loading).
pub fn record_painted(what: &'static str) {
    request_animation_frame(move || {
        // A task queued from a frame callback runs after that frame is painted.
        set_timeout(
            move || {
                let Some(p) = window().performance() else { return };
                let now = p.now();
                let start = p
                    .get_entries_by_name(START)
                    .at(-1)
                    .dyn_into::<web_sys::PerformanceEntry>()
                    .map(|e| e.start_time())
                    .unwrap_or(0.0);
                let ms = now - start;
                if let Some(body) = document().body() {
                    let _ = body.set_attribute("data-render-ms", &format!("{ms:.1}"));
                    let _ = body.set_attribute("data-rendered", what);
                }
            },
            std::time::Duration::ZERO,
        );
    });
}

use wasm_bindgen::JsCast;
