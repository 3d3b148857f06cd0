//! Marginalia's web shell: Leptos components bound to the pure core
//! (`marginalia_core`). Components render and dispatch, nothing else.

pub mod coding;
pub mod components;
pub mod dom;
pub mod download;
pub mod perf;
pub mod state;
pub mod storage;

pub use components::App;
