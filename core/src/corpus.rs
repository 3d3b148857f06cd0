//! The built-in corpus: the five reports of the Secretary-General on the threat
//! posed by ISIL (Da'esh), shipped raw and cleaned by [`crate::clean`].

use crate::clean::{self, InputFormat, Lexicon};
use crate::document::{Document, Meta};

/// The manifest shipped with the corpus (tab-separated, header first).
pub const MANIFEST_TSV: &str = include_str!("../../assets/corpus/MANIFEST.tsv");

/// Raw texts, by file name as listed in the manifest.
const RAW: [(&str, &str); 5] = [
    ("S-2017-97.txt", include_str!("../../assets/corpus/S-2017-97.txt")),
    ("S-2018-80.txt", include_str!("../../assets/corpus/S-2018-80.txt")),
    ("S-2018-770.txt", include_str!("../../assets/corpus/S-2018-770.txt")),
    ("S-2019-103.txt", include_str!("../../assets/corpus/S-2019-103.txt")),
    ("S-2019-612.txt", include_str!("../../assets/corpus/S-2019-612.txt")),
];

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    pub file: &'static str,
    pub symbol: &'static str,
    pub ordinal: u32,
    pub date: &'static str,
    pub source_form: &'static str,
}

/// The manifest's entries in date order.
pub fn manifest() -> Vec<ManifestEntry> {
    let mut out: Vec<ManifestEntry> = MANIFEST_TSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let f: Vec<&'static str> = line.split('\t').collect();
            Some(ManifestEntry {
                file: f.first()?,
                symbol: f.get(1)?,
                ordinal: f.get(2)?.parse().ok()?,
                date: f.get(3)?,
                source_form: f.get(5).copied().unwrap_or(""),
            })
        })
        .collect();
    out.sort_by(|a, b| a.date.cmp(b.date));
    out
}

/// The raw text of a manifest file.
pub fn raw(file: &str) -> Option<&'static str> {
    RAW.iter().find(|(f, _)| *f == file).map(|(_, t)| *t)
}

/// English ordinal word, capitalised ("Fourth").
pub fn ordinal_word(n: u32) -> String {
    const W: [&str; 20] = [
        "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
        "Ninth", "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth",
        "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth",
    ];
    W.get(n as usize).map(|s| s.to_string()).unwrap_or_else(|| format!("{n}th"))
}

/// Short ordinal ("4th").
pub fn ordinal_short(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The title a report gets when its raw form has none.
pub fn default_title(ordinal: u32) -> String {
    format!(
        "{} report of the Secretary-General on the threat posed by ISIL (Da'esh) to international \
         peace and security and the range of United Nations efforts in support of Member States \
         in countering the threat",
        ordinal_word(ordinal)
    )
}

/// The lexicon of the whole built-in corpus: the evidence word repairs rely on.
pub fn lexicon() -> Lexicon {
    Lexicon::from_texts(RAW.iter().map(|(_, t)| *t))
}

/// Cleans one built-in report with a given lexicon.
pub fn clean_entry(entry: &ManifestEntry, lexicon: &Lexicon) -> Document {
    let meta = Meta {
        id: entry.symbol.to_string(),
        symbol: Some(entry.symbol.to_string()),
        ordinal: Some(entry.ordinal),
        date: Some(entry.date.to_string()),
        title: String::new(),
    };
    let raw = raw(entry.file).unwrap_or("");
    let format = if entry.source_form.starts_with("markdown") {
        InputFormat::Markdown
    } else {
        InputFormat::Text
    };
    let mut doc = clean::clean(raw, format, meta, lexicon);
    if doc.meta.title.is_empty() {
        doc.meta.title = default_title(entry.ordinal);
    }
    doc
}

/// All five reports, cleaned, in date order.
pub fn builtin() -> Vec<Document> {
    let lex = lexicon();
    manifest().iter().map(|e| clean_entry(e, &lex)).collect()
}

/// "2019-02-01" → "1 February 2019"; anything else is returned as it is.
pub fn format_date(iso: &str) -> String {
    const M: [&str; 12] = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ];
    let mut it = iso.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else {
        return iso.to_string();
    };
    match (m.parse::<usize>(), d.parse::<u32>()) {
        (Ok(m @ 1..=12), Ok(d @ 1..=31)) if y.len() == 4 => format!("{d} {} {y}", M[m - 1]),
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_is_in_date_order_with_five_reports() {
        let m = manifest();
        let symbols: Vec<_> = m.iter().map(|e| e.symbol).collect();
        assert_eq!(
            symbols,
            ["S/2017/97", "S/2018/80", "S/2018/770", "S/2019/103", "S/2019/612"]
        );
        assert!(m.iter().all(|e| raw(e.file).is_some_and(|t| t.len() > 50_000)));
    }

    #[test]
    fn dates_and_ordinals_read_well() {
        assert_eq!(format_date("2019-02-01"), "1 February 2019");
        assert_eq!(format_date("not a date"), "not a date");
        assert_eq!(ordinal_short(4), "4th");
        assert_eq!(ordinal_short(1), "1st");
        assert_eq!(ordinal_short(12), "12th");
        assert_eq!(ordinal_short(22), "22nd");
        assert!(default_title(6).starts_with("Sixth report of the Secretary-General"));
    }
}
