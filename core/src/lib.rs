//! Marginalia's pure core: no browser, no UI. Everything here is plain data and
//! functions, tested natively.

pub mod anchor;
pub mod archive;
pub mod annotation;
pub mod clean;
pub mod codebook;
pub mod coding;
pub mod corpus;
pub mod document;
pub mod export;
pub mod handout;
pub mod history;
pub mod html;
pub mod import;
pub mod layout;
pub mod offsets;
pub mod packed;
pub mod refi;
pub mod route;
pub mod search;
pub mod segments;
pub mod store;

pub use document::{Block, BlockKind, Document, Meta, NoteRef};
