//! Importing a brat folder: `import::read_brat` on a `.txt`, its `.ann` and an
//! `annotation.conf` (the input's parts, split at NUL bytes), then the import
//! plan against a small corpus (see `marginalia_fuzz::check_and_plan`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::import::read_brat;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let names = ["notes.txt", "notes.ann", "annotation.conf"];
    let entries: Vec<(String, Vec<u8>)> = names.iter().map(|n| (n.to_string(), parts.next().unwrap_or_default().to_vec())).collect();
    let total: usize = entries.iter().map(|(_, b)| b.len()).sum();
    marginalia_fuzz::check_and_plan(total, &read_brat(&entries));
});
