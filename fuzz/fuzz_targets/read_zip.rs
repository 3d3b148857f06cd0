//! The zip reader behind brat zips and REFI-QDA projects: `archive::read_zip`
//! on any bytes never panics, and what it accepts has safe names and stays
//! under the import size limit in total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::archive::{read_zip, safe_name};
use marginalia_core::import::MAX_IMPORT_BYTES;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = read_zip(data) {
        assert!(entries.iter().all(|(name, _)| safe_name(name)), "an unsafe name was accepted");
        assert!(entries.iter().map(|(_, b)| b.len()).sum::<usize>() <= MAX_IMPORT_BYTES, "more than the limit was inflated");
    }
});
