//! The only code that turns DOM selections into document offsets.
//!
//! Every block of a report is rendered as one content element (`<p>`, `<h2>`…)
//! carrying `data-start` and `data-end`: its range in code points of the
//! document's text. Inside it, the only text nodes are the block's own text
//! (footnote numbers are drawn by CSS; notes open outside the element), so the
//! text of a DOM range from the element's start to a boundary point is exactly
//! the block's text up to that point. Its length is in UTF-16 units (the DOM's);
//! `core::offsets` turns it into code points, rounding a start down and an end
//! up if a boundary falls inside an astral character.

use leptos::prelude::*;
use marginalia_core::Document;
use marginalia_core::offsets::{Round, slice_chars, utf16_to_cp};
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

/// Which end of a selection a boundary point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

fn attr_usize(el: &Element, name: &str) -> Option<usize> {
    el.get_attribute(name)?.parse().ok()
}

/// The content element (with `data-start`) that contains `node`, if any.
fn block_of(node: &Node) -> Option<Element> {
    let el = match node.dyn_ref::<Element>() {
        Some(e) => e.clone(),
        None => node.parent_element()?,
    };
    el.closest("[data-start]").ok().flatten()
}

/// The code point offset of a DOM boundary point inside `root`.
fn boundary(root: &Element, doc: &Document, node: &Node, offset: u32, edge: Edge) -> Option<usize> {
    if let Some(block) = block_of(node) {
        let start = attr_usize(&block, "data-start")?;
        let end = attr_usize(&block, "data-end")?;
        let range = document().create_range().ok()?;
        range.set_start(&block, 0).ok()?;
        range.set_end(node, offset).ok()?;
        let units = range.to_string().length() as usize;
        let round = if edge == Edge::Start { Round::Down } else { Round::Up };
        return Some((start + utf16_to_cp(slice_chars(&doc.text, start, end), units, round)).min(end));
    }
    // Outside every block (a margin number, an open note, a heading's gap):
    // a start moves forward to the next block, an end back to the previous one.
    let here = document().create_range().ok()?;
    here.set_start(node, offset).ok()?;
    here.collapse_with_to_start(true);
    let blocks = root.query_selector_all("[data-start]").ok()?;
    let mut previous_end = None;
    for i in 0..blocks.length() {
        let Some(block) = blocks.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        // 1: the block's start lies after the boundary point.
        if here.compare_point(&block, 0).ok()? > 0 {
            return match edge {
                Edge::Start => attr_usize(&block, "data-start"),
                Edge::End => previous_end,
            };
        }
        previous_end = attr_usize(&block, "data-end");
    }
    match edge {
        Edge::Start => None,
        Edge::End => previous_end,
    }
}

/// Whether a key went to a text box (where keys type, not command).
pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|e| match e.tag_name().as_str() {
        "TEXTAREA" => true,
        // Text boxes; not a checkbox, a radio button or a file input, whose keys are the app's.
        "INPUT" => matches!(
            e.get_attribute("type").unwrap_or_default().to_ascii_lowercase().as_str(),
            "" | "text" | "search" | "email" | "url" | "tel" | "password" | "number"
        ),
        // A menu (Tag all…, a coder) has no Undo of its own: Ctrl+Z is the app's there.
        _ => false,
    })
}

/// The paragraph whose margin number (or one of whose footnote markers) has the
/// keyboard focus, as a code point range `(start, end)` (what the number keys
/// code when nothing is selected).
pub fn focused_paragraph(root: &Element) -> Option<(usize, usize)> {
    let active = window().document()?.active_element()?;
    // The number in the margin, or a footnote marker in the paragraph (Tab stops there
    // on the way from one number to the next: a key there codes its paragraph too).
    let marker = active.parent_element().is_some_and(|p| p.class_list().contains("fnref"));
    if !(active.class_list().contains("pnum") || marker) || !root.contains(Some(&active)) {
        return None;
    }
    let p = active.closest(".para").ok()??.query_selector("p[data-start]").ok()??;
    let start = p.get_attribute("data-start")?.parse().ok()?;
    let end = p.get_attribute("data-end")?.parse().ok()?;
    (start < end).then_some((start, end))
}

/// The current selection inside `root` as a code point range `(start, end)`, or
/// `None` when nothing (or nothing of the text) is selected there.
pub fn selection_in(root: &Element, doc: &Document) -> Option<(usize, usize)> {
    let sel = window().get_selection().ok()??;
    if sel.is_collapsed() || sel.range_count() == 0 {
        return None;
    }
    let range = sel.get_range_at(0).ok()?;
    let common = range.common_ancestor_container().ok()?;
    if !root.contains(Some(&common)) {
        return None;
    }
    let start = boundary(root, doc, &range.start_container().ok()?, range.start_offset().ok()?, Edge::Start)?;
    let end = boundary(root, doc, &range.end_container().ok()?, range.end_offset().ok()?, Edge::End)?;
    (start < end).then_some((start, end))
}

/// The bounding box of the current selection, for placing the tag palette.
pub fn selection_rect() -> Option<web_sys::DomRect> {
    let sel = window().get_selection().ok()??;
    if sel.range_count() == 0 {
        return None;
    }
    Some(sel.get_range_at(0).ok()?.get_bounding_client_rect())
}

/// Whether the main pointer is coarse (a finger on a touch screen).
pub fn coarse_pointer() -> bool {
    window().match_media("(pointer: coarse)").ok().flatten().is_some_and(|m| m.matches())
}

/// A listener on the document (for events that do not reach the window, such
/// as `selectionchange`); removed when the returned value is dropped.
pub struct DocumentListener {
    event: &'static str,
    closure: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

pub fn on_document(event: &'static str, f: impl FnMut() + 'static) -> DocumentListener {
    let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(f);
    let _ = document().add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    DocumentListener { event, closure }
}

impl Drop for DocumentListener {
    fn drop(&mut self) {
        let _ = document().remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}

/// Clears the selection.
/// Selects `start..end` of `doc` in the prose again (after a dialog took the
/// focus), so that a number key can still code it.
pub fn reselect(doc: &Document, start: usize, end: usize) {
    let Some(root) = document().query_selector(".prose").ok().flatten() else { return };
    if let (Some(range), Ok(Some(sel))) = (range_for(&root, doc, start, end), window().get_selection()) {
        let _ = sel.remove_all_ranges();
        let _ = sel.add_range(&range);
    }
}

pub fn clear_selection() {
    if let Ok(Some(sel)) = window().get_selection() {
        let _ = sel.remove_all_ranges();
    }
}

/// The DOM range of code points `start..end` of the document, if the block that
/// holds `start` is rendered inside `root` (a range never crosses blocks here).
pub fn range_for(root: &Element, doc: &Document, start: usize, end: usize) -> Option<web_sys::Range> {
    let blocks = root.query_selector_all("[data-start]").ok()?;
    let mut block = None;
    for i in 0..blocks.length() {
        let Some(el) = blocks.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let (s, e) = (attr_usize(&el, "data-start")?, attr_usize(&el, "data-end")?);
        if s <= start && start < e {
            block = Some((el, s, e));
            break;
        }
    }
    let (el, bs, be) = block?;
    let text = slice_chars(&doc.text, bs, be);
    let u0 = marginalia_core::offsets::cp_to_utf16(text, start - bs);
    let u1 = marginalia_core::offsets::cp_to_utf16(text, end.min(be) - bs);
    let walker = document().create_tree_walker_with_what_to_show(&el, 4).ok()?; // SHOW_TEXT
    let range = document().create_range().ok()?;
    let mut seen = 0usize;
    let (mut started, mut done) = (false, false);
    while let Ok(Some(node)) = walker.next_node() {
        let len = node.text_content().map(|t| t.encode_utf16().count()).unwrap_or(0);
        if !started && u0 <= seen + len {
            range.set_start(&node, (u0 - seen) as u32).ok()?;
            started = true;
        }
        if started && u1 <= seen + len {
            range.set_end(&node, (u1 - seen) as u32).ok()?;
            done = true;
            break;
        }
        seen += len;
    }
    done.then_some(range)
}

/// Paints `ranges` with the CSS Custom Highlight API under `name` (styled by
/// `::highlight(name)` in the stylesheet); no element is added to the text.
/// Returns false where the browser lacks the API.
pub fn set_highlight(name: &str, ranges: &[web_sys::Range]) -> bool {
    use js_sys::{Array, Function, Reflect};
    let global = js_sys::global();
    let registry = Reflect::get(&global, &"CSS".into()).and_then(|css| Reflect::get(&css, &"highlights".into()));
    let Ok(registry) = registry else { return false };
    if registry.is_undefined() {
        return false;
    }
    let Some(ctor) = Reflect::get(&global, &"Highlight".into()).ok().and_then(|c| c.dyn_into::<Function>().ok()) else {
        return false;
    };
    let args = Array::new();
    for r in ranges {
        args.push(r);
    }
    let Ok(highlight) = Reflect::construct(&ctor, &args) else { return false };
    Reflect::get(&registry, &"set".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .is_some_and(|set| set.call2(&registry, &name.into(), &highlight).is_ok())
}

/// Puts `text` on the clipboard and says so (or says it could not).
pub fn copy_text(text: &str, coding: crate::coding::CodingState) {
    copy_text_said(text, format!("Copied: {}", marginalia_core::abridge(text, 80)), coding);
}

/// Copies `text` to the clipboard and, once the browser has taken it, says `said`.
pub fn copy_text_said(text: &str, said: String, coding: crate::coding::CodingState) {
    use crate::coding::Notice;
    let promise = window().navigator().clipboard().write_text(text);
    leptos::task::spawn_local(async move {
        let notice = match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => Notice::done(said),
            Err(_) => Notice::problem("The browser did not allow copying; select the text and copy it instead."),
        };
        coding.notice.set(Some(notice));
    });
}

/// Sets `--topbar-h` on the root to the sticky top bar's height, which the
/// layout keeps clear of (scroll targets, the panel beside a report): the bar
/// wraps to more lines on narrower screens or with more in it.
pub fn measure_topbar() {
    let doc = document();
    if let (Some(bar), Some(root)) = (doc.query_selector(".topbar").ok().flatten(), doc.document_element()) {
        let h = bar.get_bounding_client_rect().height();
        let _ = root.unchecked_ref::<web_sys::HtmlElement>().style().set_property("--topbar-h", &format!("{h}px"));
    }
}

/// Keeps `--topbar-h` up to date whenever the top bar changes size.
pub fn follow_topbar() {
    let Some(bar) = document().query_selector(".topbar").ok().flatten() else { return };
    let on_resize = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure_topbar);
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&bar);
    }
    // The bar lives as long as the page.
    on_resize.forget();
    measure_topbar();
}

/// Sets an attribute on `el` until the focus leaves it.
fn until_blur(el: &web_sys::HtmlElement, name: &'static str, value: &str) {
    let _ = el.set_attribute(name, value);
    let target = el.clone();
    let once = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = target.remove_attribute(name);
        target.set_onblur(None);
    });
    el.set_onblur(Some(once.unchecked_ref()));
}

/// Puts the focus on the page's `<main>` (a new page, a skip link, what an Undo
/// brought back). `<main>` is focusable only until the focus leaves it: were it
/// always, a click in the text would focus it, and the next Tab would start
/// again from the top of the page instead of going on from where the click was.
pub fn focus_main(prevent_scroll: bool) {
    let Some(main) = document().get_element_by_id("main").and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok()) else { return };
    until_blur(&main, "tabindex", "-1");
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(prevent_scroll);
    let _ = main.focus_with_options(&options);
}

/// Puts the focus on the element `selector` finds once the next frame is drawn
/// (one just shown or drawn again).
pub fn focus_later(selector: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document().query_selector(selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// Puts the focus on the paragraph number of the paragraph where annotation
/// `id` is drawn (so a keyboard user goes on from there), or on the page.
pub fn focus_paragraph_of(id: &str) {
    let doc = document();
    let selector = format!(".hl[data-ids~=\"{}\"]", id.replace('\\', "\\\\").replace('"', "\\\""));
    let pnum = doc
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|hl| hl.closest(".para").ok().flatten())
        .and_then(|p| p.query_selector(".pnum").ok().flatten());
    match pnum.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(el) => {
            // Put there by the app, not by the user: a key pressed next is not yet
            // meant for the whole paragraph (see `returned_focus`).
            until_blur(&el, "data-returned", "");
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = el.focus_with_options(&options);
        }
        None => focus_main(true),
    }
}

/// Whether the focus is on a paragraph number the app put it on (closing an
/// annotation), not one the user went to.
pub fn returned_focus() -> bool {
    document().active_element().is_some_and(|a| a.has_attribute("data-returned"))
}

/// Takes the mark [`returned_focus`] reads away: the focus is the user's now (a
/// second key press there codes the paragraph).
pub fn own_focus() {
    if let Some(a) = document().active_element() {
        let _ = a.remove_attribute("data-returned");
    }
}
