//! Marginalia's pure core: no browser, no UI. Everything here is plain data and
//! functions, tested natively.

pub mod clean;
pub mod corpus;
pub mod document;
pub mod layout;
pub mod offsets;
pub mod route;

pub use document::{Block, BlockKind, Document, Meta, NoteRef};
