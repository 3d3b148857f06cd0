//! Reading the browser's storage: `store::migrate` and `store::load` over any
//! set of Marginalia keys and values (settings, codebook, documents, the first
//! layout, quarantine). Nothing is removed unless something was written or it
//! was set aside; once what they say is applied, loading again finds nothing
//! more to migrate, write or set aside.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use marginalia_core::store::{CODEBOOK_KEY, META_KEY, QUARANTINE_PREFIX, V0_KEY, doc_key, load, migrate};

// Entries are separated by NUL characters; an entry's first character picks its key.
fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let keys = [
        META_KEY.to_string(),
        CODEBOOK_KEY.to_string(),
        V0_KEY.to_string(),
        doc_key("S/2019/103"),
        doc_key("notes"),
        format!("{QUARANTINE_PREFIX}{}", doc_key("notes")),
        "unrelated".to_string(),
    ];
    let entries: BTreeMap<String, String> = s
        .split('\0')
        .filter_map(|e| {
            let mut chars = e.chars();
            let pick = chars.next()? as usize;
            Some((keys[pick % keys.len()].clone(), chars.as_str().to_string()))
        })
        .collect();
    let now = "2026-01-01T00:00:00Z";
    let m = migrate(&entries, now);
    if m.newer {
        assert!(m.writes.is_empty() && m.removals.is_empty(), "a newer store was changed");
    }
    let loaded = load(&entries, now, String::new);
    if loaded.newer {
        assert!(loaded.writes.is_empty() && loaded.removals.is_empty(), "a newer store was changed");
        return;
    }
    for k in &loaded.removals {
        assert!(entries.contains_key(k), "removes {k}, which is not there");
        assert!(!loaded.writes.is_empty(), "removes {k} without writing anything");
    }
    let ours = |k: &str| k != "unrelated";
    assert!(loaded.writes.iter().all(|(k, _)| ours(k)) && loaded.removals.iter().all(|k| ours(k)), "a key that is not Marginalia's was touched");
    let mut after = entries.clone();
    after.extend(loaded.writes.iter().cloned());
    for k in &loaded.removals {
        after.remove(k);
    }
    let again = load(&after, "2026-01-02T00:00:00Z", String::new);
    assert!(again.writes.is_empty() && again.removals.is_empty() && again.quarantined.is_empty(),
        "loading again still writes {:?}, removes {:?}, sets aside {:?}", again.writes, again.removals, again.quarantined);
    assert_eq!(again.coding.all_live().count(), loaded.coding.all_live().count(), "annotations changed on a second load");
});
