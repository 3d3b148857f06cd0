//! Restoring a backup file: `Backup::from_json` and `backup_texts` on any bytes.
//! A backup it accepts writes back to JSON that reads back the same (with no
//! repair left to make), never has a tag its codebook lacks; its users'
//! texts clean into valid documents; a restore plan can be made from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::clean::Lexicon;
use marginalia_core::codebook::Codebook;
use marginalia_core::coding::Coding;
use marginalia_core::store::{Backup, RestoreMode, backup_texts, restore_plan};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // Documents of every id exist, of a length taken from the id.
    let len = |id: &str| (!id.is_empty()).then(|| id.len() * 37);
    for t in backup_texts(s) {
        if t.raw.len() <= 64 * 1024 {
            marginalia_fuzz::check_document(&t.document(&Lexicon::default()));
        }
    }
    let Ok(b) = Backup::from_json(s, &len) else { return };
    let again = Backup::from_json(&b.to_json(), &len).expect("a backup read back from its own JSON");
    // What was repaired on the first reading (tags added to its codebook) is in the JSON now.
    assert!(again.added_tags.is_empty(), "a backup's own JSON needs no repair");
    assert_eq!(Backup { added_tags: b.added_tags.clone(), ..again }, b);
    for a in b.annotations.iter().filter(|a| !a.deleted) {
        assert!(a.tags.iter().all(|t| b.codebook.get(t).is_some()), "an annotation with a tag the codebook lacks");
    }
    let current = Coding::new(Codebook::default());
    for mode in [RestoreMode::Replace, RestoreMode::Merge] {
        let plan = restore_plan(&current, &b, mode, "2026-01-01T00:00:00Z");
        assert!(plan.codebook.validate().is_ok(), "a restore makes an invalid codebook");
    }
});
