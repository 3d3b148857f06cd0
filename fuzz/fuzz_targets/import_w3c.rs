//! Importing W3C Web Annotation JSON-LD: `import::import(Format::W3c, …)` on any bytes, then
//! the import plan against a small corpus (see `marginalia_fuzz::import_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::export::Format;

fuzz_target!(|data: &[u8]| marginalia_fuzz::import_target(Format::W3c, "annotations.jsonld", data));
