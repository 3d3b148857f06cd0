//! Imports of coded data: every format [`crate::export`] writes comes back in as
//! annotations. An importer only reads a file into an [`Imported`] value; it
//! changes nothing. The caller anchors the annotations against its documents
//! (see [`crate::anchor`]), previews what would change, and asks before writing.

use crate::annotation::Annotation;
use crate::codebook::Codebook;

/// The largest file any importer reads (bytes). Larger files are refused
/// before they are parsed.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// A document named by an imported file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportedDocument {
    /// Marginalia's document id (a report's symbol, or a user text's id) when
    /// the file says it; otherwise the file's own name for the document.
    pub id: String,
    pub symbol: Option<String>,
    /// The document's text when the file carries it (doccano, spaCy, Label
    /// Studio, brat, REFI-QDA do; a segments CSV does not).
    pub text: Option<String>,
    /// The SHA-256 of the text the offsets were made against, when known.
    pub text_sha256: Option<String>,
}

/// What a file holds, read but not yet applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub documents: Vec<ImportedDocument>,
    /// Annotations with `doc` set to an [`ImportedDocument::id`], offsets in
    /// code points of that document's text as the file gives them (converted
    /// from UTF-16 or bytes where the format counts those), and the quote (and
    /// prefix/suffix where the file has the text) filled in.
    pub annotations: Vec<Annotation>,
    /// The tags the file defines (names, colours, descriptions), when it does.
    pub codebook: Option<Codebook>,
    /// Things the user should know that did not stop the import.
    pub warnings: Vec<String>,
}

/// Why a file was refused, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}
