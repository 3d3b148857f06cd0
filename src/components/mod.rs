//! Components: render state and dispatch user actions; no logic of their own.

mod corpus;
mod report;

use leptos::prelude::*;

use crate::state::{Page, provide_app_state};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = provide_app_state();
    view! {
        <a class="skip" href="#main" on:click=|ev| {
            ev.prevent_default();
            if let Some(m) = document().get_element_by_id("main") {
                let _ = m.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }>"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="#/">"Marginalia"</a>
            <nav aria-label="Main">
                <a href="#/" aria-current=move || (state.page.get() == Page::Corpus).then_some("page")>"Corpus"</a>
            </nav>
            <p class="private">"Everything stays in this browser."</p>
        </header>
        <main id="main" tabindex="-1">
            {move || match state.page.get() {
                Page::Corpus => corpus::CorpusView().into_any(),
                Page::Report(slug) => view! { <report::ReportView slug=slug /> }.into_any(),
                Page::NotFound(hash) => view! { <NotFound hash=hash /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn NotFound(hash: String) -> impl IntoView {
    view! {
        <section class="notice" role="alert">
            <h1>"Nothing here"</h1>
            <p>"The link " <code>{hash}</code> " does not lead to a report of this corpus."</p>
            <p><a href="#/">"Back to the corpus"</a></p>
        </section>
    }
}

use wasm_bindgen::JsCast;
