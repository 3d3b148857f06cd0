//! The app's state, in one place, provided to every component by [`provide_app_state`].

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::route::{Route, SegmentsQuery, slug};
use marginalia_core::Document;

/// Which page is shown (the paragraph of a report is tracked apart, so moving
/// between paragraphs of one report never re-renders it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Corpus,
    Codebook,
    Segments,
    Agreement,
    Report(String),
    NotFound(String),
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// The documents, built-in reports first, in date order.
    pub docs: StoredValue<Vec<Arc<Document>>>,
    /// The current route, mirrored from `location.hash`.
    pub route: RwSignal<Route>,
    pub page: Memo<Page>,
    pub paragraph: Memo<Option<u32>>,
    /// The footnote the route names, if any.
    pub note: Memo<Option<u32>>,
    /// The corpus search's query, kept while the app runs (Back returns to it).
    pub search: RwSignal<String>,
    /// The segments view's last query: the top bar's link returns to it.
    pub segments: RwSignal<SegmentsQuery>,
    /// A corpus search hit being opened (document id, query, start of the
    /// match): that report's find box takes the search on from there.
    pub found: RwSignal<Option<(String, String, usize)>>,
    /// Bumped when documents are added, for views that list them.
    pub revision: RwSignal<u32>,
    /// Bumped when a text is renamed: its page is drawn again (its citations change).
    pub retitled: RwSignal<u32>,
    /// The Agreement page opens its side-by-side view (asked for from a report).
    pub open_side_by_side: StoredValue<bool>,
}

/// Whether the route has changed since the page loaded (the first page is the
/// one the address named: a reload, a link from outside).
static NAVIGATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this is still the page the address named when the page loaded.
pub fn first_page() -> bool {
    !NAVIGATED.load(std::sync::atomic::Ordering::Relaxed)
}

impl AppState {
    /// Shows `route` in place of the current one: the address changes without
    /// a new history entry (a filter changed, not a page).
    pub fn replace_route(&self, route: Route) {
        NAVIGATED.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = window().history().and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&route.to_hash())));
        if let Route::Segments(q) = &route {
            self.segments.set(q.clone());
        }
        self.route.set(route);
    }

    /// Cleans and adds users' texts (already saved) to the documents.
    pub fn add_user_texts(&self, texts: &[marginalia_core::store::UserText]) {
        if texts.is_empty() {
            return;
        }
        let lexicon = self.lexicon();
        self.docs.update_value(|d| d.extend(texts.iter().map(|t| Arc::new(t.document(&lexicon)))));
        self.revision.update(|r| *r += 1);
    }

    /// Removes a user's own text: from the documents and from storage.
    pub fn remove_user_text(&self, id: &str) {
        crate::storage::remove(&marginalia_core::store::text_key(id));
        self.forget_user_text(id);
    }

    /// Removes a user's own text from the documents (storage aside: another tab removed it).
    pub fn forget_user_text(&self, id: &str) {
        self.docs.update_value(|d| d.retain(|d| d.meta.id != id || d.meta.symbol.is_some()));
        self.revision.update(|r| *r += 1);
    }

    /// Gives a user's own text (saved already) its new title here.
    pub fn retitle_user_text(&self, t: &marginalia_core::store::UserText) {
        self.docs.update_value(|docs| {
            for d in docs.iter_mut().filter(|d| d.meta.id == t.id && d.meta.symbol.is_none() && d.meta.title != t.title) {
                let mut renamed = Document::clone(d);
                renamed.meta.title = t.title.clone();
                *d = Arc::new(renamed);
            }
        });
        self.revision.update(|r| *r += 1);
        self.retitled.update(|r| *r += 1);
    }

    /// The evidence for cleaning users' texts: the words of the built-in reports.
    pub fn lexicon(&self) -> marginalia_core::clean::Lexicon {
        self.docs.with_value(|d| {
            marginalia_core::clean::Lexicon::from_texts(d.iter().filter(|d| d.meta.symbol.is_some()).map(|d| d.text.as_str()))
        })
    }

    /// Whether a document id is in use.
    /// How each text is cited ("S/2019/103", a title) with its id: for the citations in memos.
    pub fn citation_names(&self) -> Vec<(String, String)> {
        self.docs.with_value(|d| d.iter().map(|d| (d.who().to_string(), d.meta.id.clone())).collect())
    }

    pub fn has_doc(&self, id: &str) -> bool {
        self.docs.with_value(|d| d.iter().any(|d| d.meta.id == id))
    }

    /// The document whose URL slug is `s`.
    pub fn doc_by_slug(&self, s: &str) -> Option<Arc<Document>> {
        self.docs.with_value(|d| d.iter().find(|d| slug(&d.meta.id) == s).cloned())
    }
}

/// The five reports, cleaned, packed and compressed at build time by `build.rs` with the same core.
const CORPUS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/corpus.bz2"));

fn builtin_documents() -> Vec<Document> {
    marginalia_core::packed::unpack_bzip2(CORPUS).expect("the corpus packed at build time reads back")
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Creates the state, keeps it in step with the URL fragment, and provides it.
pub fn provide_app_state() -> AppState {
    let started = crate::perf::now();
    let docs: Vec<Arc<Document>> = builtin_documents().into_iter().map(Arc::new).collect();
    crate::perf::note("data-load-ms", crate::perf::now() - started);
    let route = RwSignal::new(Route::parse(&current_hash()));
    let segments = RwSignal::new(match route.get_untracked() {
        Route::Segments(q) => q,
        _ => SegmentsQuery::default(),
    });
    let page = Memo::new(move |_| match route.get() {
        Route::Corpus => Page::Corpus,
        Route::Codebook => Page::Codebook,
        Route::Segments(_) => Page::Segments,
        Route::Agreement { .. } => Page::Agreement,
        Route::Report { slug, .. } | Route::Note { slug, .. } => Page::Report(slug),
        Route::NotFound(h) => Page::NotFound(h),
    });
    let paragraph = Memo::new(move |_| match route.get() {
        Route::Report { paragraph, .. } => paragraph,
        _ => None,
    });
    let note = Memo::new(move |_| match route.get() {
        Route::Note { note, .. } => Some(note),
        _ => None,
    });
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        NAVIGATED.store(true, std::sync::atomic::Ordering::Relaxed);
        crate::perf::mark_navigation();
        let r = Route::parse(&current_hash());
        if let Route::Segments(q) = &r {
            segments.set(q.clone());
        }
        route.set(r);
    });
    on_cleanup(move || handle.remove());
    let state = AppState { docs: StoredValue::new(docs), route, page, paragraph, note, search: RwSignal::new(String::new()), segments, found: RwSignal::new(None), revision: RwSignal::new(0), retitled: RwSignal::new(0), open_side_by_side: StoredValue::new(false) };
    // The user's own texts, kept in this browser, cleaned by the same pipeline.
    state.add_user_texts(&stored_user_texts());
    provide_context(state);
    state
}

/// The user's own texts as stored in this browser.
pub fn stored_user_texts() -> Vec<marginalia_core::store::UserText> {
    crate::storage::read_all()
        .into_iter()
        .filter(|(k, _)| k.starts_with(marginalia_core::store::TEXT_PREFIX))
        .filter_map(|(_, v)| serde_json::from_str(&v).ok())
        .collect()
}

/// The state provided by [`provide_app_state`].
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
