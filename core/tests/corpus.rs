//! Golden tests of the five cleaned reports.

use marginalia_core::corpus::builtin;
use marginalia_core::{BlockKind, Document};

fn report(id: &str) -> Document {
    builtin().into_iter().find(|d| d.meta.id == id).unwrap_or_else(|| panic!("{id} is in the corpus"))
}

fn para(d: &Document, n: u32) -> &str {
    let (_, b) = d.paragraphs().find(|(m, _)| *m == n).unwrap_or_else(|| panic!("{} has ¶{n}", d.meta.id));
    d.block_text(b)
}

fn headings(d: &Document) -> Vec<(u8, &str)> {
    d.blocks
        .iter()
        .filter_map(|b| match b.kind {
            BlockKind::Heading { level } => Some((level, d.block_text(b))),
            _ => None,
        })
        .collect()
}

fn footnotes(d: &Document) -> Vec<u32> {
    d.blocks
        .iter()
        .filter_map(|b| match b.kind {
            BlockKind::Footnote { number } => Some(number),
            _ => None,
        })
        .collect()
}

#[test]
fn five_reports_in_date_order_with_metadata() {
    let docs = builtin();
    let ids: Vec<_> = docs.iter().map(|d| d.meta.id.as_str()).collect();
    assert_eq!(ids, ["S/2017/97", "S/2018/80", "S/2018/770", "S/2019/103", "S/2019/612"]);
    let ordinals: Vec<_> = docs.iter().map(|d| d.meta.ordinal.unwrap()).collect();
    assert_eq!(ordinals, [4, 6, 7, 8, 9]);
    assert_eq!(docs[3].meta.date.as_deref(), Some("2019-02-01"));
    for d in &docs {
        assert!(d.meta.title.contains("report of the Secretary-General on the threat posed by ISIL (Da'esh)"), "{}", d.meta.title);
        assert!(d.meta.title.ends_with("countering the threat"), "{}", d.meta.title);
        assert!(!d.meta.title.contains('*') && !d.meta.title.contains('#'));
    }
    // Titles from the reports themselves where they have one.
    assert!(docs[0].meta.title.starts_with("Fourth report"));
    assert!(docs[4].meta.title.starts_with("Ninth report"));
}

#[test]
fn paragraphs_run_one_to_n() {
    for (id, n) in [("S/2017/97", 80), ("S/2018/80", 86), ("S/2018/770", 97), ("S/2019/103", 100), ("S/2019/612", 85)] {
        let d = report(id);
        let numbers: Vec<u32> = d.paragraphs().map(|(n, _)| n).collect();
        assert_eq!(numbers, (1..=n).collect::<Vec<_>>(), "{id}");
        // Every prose block of the body is a numbered paragraph.
        let unnumbered = d.blocks.iter().filter(|b| b.kind == BlockKind::Paragraph { number: None }).count();
        assert_eq!(unnumbered, 0, "{id} has unnumbered paragraphs");
    }
}

#[test]
fn documents_open_with_the_introduction() {
    for d in builtin() {
        assert!(d.text.starts_with("I. Introduction\n\n"), "{}: {:?}", d.meta.id, &d.text[..40]);
        assert_eq!(d.blocks[0].kind, BlockKind::Heading { level: 1 });
        assert_eq!((d.blocks[0].start, d.blocks[0].end), (0, 15));
        assert!(para(&d, 1).starts_with("In adopting"), "{}", d.meta.id);
    }
}

#[test]
fn headings_by_label() {
    let d = report("S/2018/80");
    let h = headings(&d);
    assert_eq!(&h[..5], &[
        (1, "I. Introduction"),
        (1, "II. Threat assessment"),
        (2, "A. Overview of threat"),
        (2, "B. Regional trends"),
        (3, "1. Middle East"),
    ]);
    let d = report("S/2017/97");
    let h = headings(&d);
    assert!(h.contains(&(3, "1. Measures to curtail travel and transit")));
    assert!(h.contains(&(1, "V. Observations")));
    let d = report("S/2019/612");
    let h = headings(&d);
    assert!(h.contains(&(2, "A. Overview of threat/Middle East")));
    assert!(h.contains(&(4, "Prosecution")));
    assert!(h.contains(&(1, "IV. Observations")));
    let d = report("S/2019/103");
    let h = headings(&d);
    assert!(h.contains(&(2, "F. Countering terrorist narratives and engaging communities in approaches to counter violent extremism")));
    assert!(h.contains(&(4, "New challenges")));
    let d = report("S/2018/770");
    assert!(headings(&d).contains(&(3, "5. South-East Asia")));
}

#[test]
fn paragraphs_cut_by_page_breaks_and_footnotes_are_joined() {
    let d = report("S/2019/612");
    let p9 = para(&d, 9);
    assert!(p9.starts_with("Meanwhile, ISIL continues to aspire to global relevance"));
    assert!(p9.contains("on which ISIL is currently hoping to rely on often lack tradecraft and resources"));
    assert!(p9.ends_with("tend to be relatively low-impact."));
    let d = report("S/2018/80");
    assert!(para(&d, 4).ends_with("in particular in relation to the threat posed by global terrorist groups such as ISIL."));
    assert!(para(&d, 78).contains("“Tech against Terrorism” initiative has also worked with the founding members"));
    let d = report("S/2018/770");
    assert!(para(&d, 9).ends_with("if ISIL members leave the organization and join other networks."));
    // Lettered sub-headings are headings, not the tail of the paragraph before them.
    assert!(para(&d, 19).ends_with("it is much weaker than Al-Qaida in the Arabian Peninsula."));
    assert!(para(&d, 23).ends_with("in which 13 people died."));
    // A markdown autolink is its address.
    assert!(d.footnote_text(54).is_some_and(|t| t.starts_with("https://www.un.org/sc/ctc/") && !t.contains('<')));
    let d = report("S/2019/103");
    assert!(para(&d, 24).ends_with("rather than military ordnance."));
    assert!(para(&d, 24).contains("commercially available chemical precursors."));
}

#[test]
fn footnotes_are_blocks_and_markers_are_anchors() {
    for (id, notes) in [("S/2017/97", 34), ("S/2018/770", 56), ("S/2019/103", 35), ("S/2019/612", 23)] {
        let d = report(id);
        assert_eq!(footnotes(&d), (1..=notes).collect::<Vec<_>>(), "{id}");
        // Footnotes come after the prose.
        let first_note = d.blocks.iter().position(|b| matches!(b.kind, BlockKind::Footnote { .. })).unwrap();
        assert!(d.blocks[first_note..].iter().all(|b| matches!(b.kind, BlockKind::Footnote { .. })));
        // Every footnote is referred to by a marker in the prose.
        for n in 1..=notes {
            assert!(d.notes.iter().any(|r| r.number == n), "{id}: no marker for note {n}");
        }
    }
    let d = report("S/2019/612");
    assert_eq!(d.footnote_text(1), Some("Listed as Al-Qaida in Iraq (QDe.115)."));
    // The marker sits right after "Levant", and the text has no digit there.
    let p1 = d.paragraphs().next().unwrap().1;
    let at = d.notes.iter().find(|n| n.number == 1).unwrap().at;
    let before: String = d.text.chars().take(at).collect::<String>().chars().rev().take(6).collect::<String>().chars().rev().collect();
    assert_eq!(before, "Levant");
    assert!(at > p1.start && at < p1.end);
    assert!(para(&d, 1).contains("Islamic State in Iraq and the Levant (ISIL, also known as Da'esh) and associated"));
    // PDF extractions with bare footnote numbers: the numbers leave the text.
    let d = report("S/2018/80");
    assert_eq!(d.notes.len(), 67);
    // Bare markers run 1, 2, 3… in text order; the extraction kept no footnote text.
    assert_eq!(d.notes.iter().map(|n| n.number).collect::<Vec<_>>(), (1..=67).collect::<Vec<_>>());
    assert!(footnotes(&d).is_empty());
    assert_eq!(d.note_paragraph(18), Some(13));
    assert!(para(&d, 13).contains("the control of checkpoints. As previously reported"));
    assert!(para(&d, 3).starts_with("This, my sixth report on the threat posed by ISIL to international peace and security, was prepared"));
    assert!(para(&d, 5).ends_with("adapt to altered circumstances."));
    assert!(headings(&d).contains(&(1, "II. Threat assessment")));
    let d = report("S/2019/103");
    assert!(para(&d, 2).starts_with("This is my eighth report on the threat posed by ISIL to international peace and security. The report"));
    assert!(para(&d, 2).contains("Monitoring Team, in close collaboration"));
    assert_eq!(d.footnote_text(33), Some("S/2018/1177."));
    let d = report("S/2017/97");
    assert_eq!(d.footnote_text(1), Some("Listed as Al-Qaida in Iraq (QDe.115)."));
    assert!(para(&d, 1).contains("(ISIL, also known as Da'esh) and associated"));
}

#[test]
fn no_residue_of_the_raw_forms() {
    let forbidden = [
        "undocs.org", "[Back]", "Back to top", "**", "<sup>", "</sup>", "\\(", "\\_", "\\$", "](#)", "__",
        "Nizkor", "Derechos", "Bookshop", "e stablishment", "Counter -Terrorism", "checkpoint s", "capacity -building",
        "di minish", "ret urnees", "coord inated", "is sues", "Da ’esh", "o f ISIL", " ,", "  ", "\u{E000}", "\u{E001}",
        "|1|", "Distr.: General", "Original: English",
    ];
    for d in builtin() {
        for b in &d.blocks {
            let t = d.block_text(b);
            assert!(!t.contains('\n'), "{}: a line break inside a block: {t:?}", d.meta.id);
            assert_eq!(t, t.trim(), "{}: untrimmed block", d.meta.id);
            for f in forbidden {
                assert!(!t.contains(f), "{}: {f:?} in {t:?}", d.meta.id);
            }
            if !matches!(b.kind, BlockKind::Footnote { .. }) {
                assert!(!t.contains("https://"), "{}: link target in prose: {t:?}", d.meta.id);
                assert!(!t.starts_with('#'), "{}: markdown heading: {t:?}", d.meta.id);
            }
            // No page footer ("16/18", "18-01399", a bare symbol) left as words.
            for w in t.split(' ') {
                let is_footer = w.split_once('/').is_some_and(|(a, b)| {
                    !a.is_empty() && !b.is_empty() && a.len() <= 2 && b.len() <= 2 && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
                });
                assert!(!is_footer, "{}: page footer {w:?} in {t:?}", d.meta.id);
                assert!(!(w.len() == 8 && w.as_bytes()[2] == b'-' && w.bytes().filter(u8::is_ascii_digit).count() == 7),
                    "{}: job number {w:?}", d.meta.id);
            }
        }
    }
}

#[test]
fn repairs_join_split_words_and_never_merge_real_words() {
    let d = report("S/2018/80");
    assert!(para(&d, 7).contains("eager to support the establishment of a quasi-state structure"));
    assert!(para(&d, 7).contains("this will diminish new recruitment"));
    assert!(para(&d, 13).contains("control of checkpoints."));
    assert!(para(&d, 2).contains("capacity-building assistance"));
    assert!(para(&d, 9).contains("to a certain extent"));
    assert!(para(&d, 1).contains("(ISIL, also known as Da’esh)"));
    // A capitalised second part is a word of its own, never glued on.
    assert!(para(&report("S/2017/97"), 40).contains("the European Border and Coast Guard in October 2016"));
    // A hyphen the extraction lost between capitalised parts comes back where attested.
    assert!(para(&d, 75).contains("the Counter-Terrorism Committee Executive Directorate"));
    assert!(para(&d, 85).contains("extended the mandate of Counter-Terrorism Committee Executive Directorate"));
    assert!(para(&d, 22).contains("loyal to ISIL (S/2017/35, paras. 43 and 44), remains"));
    assert!(!d.text.contains("CounterTerrorism") && !d.text.contains("SouthEast"));
    // "YouTube" is no lost hyphen.
    assert!(d.text.contains("YouTube"));
    let d = report("S/2019/103");
    assert!(para(&d, 13).contains("access to oil-producing areas"));
    assert!(d.text.contains("Office of Public Affairs"));
    for doc in builtin() {
        for pair in ["in the", "of the", "to the"] {
            assert!(doc.text.contains(pair), "{} lost {pair:?}", doc.meta.id);
        }
        assert!(!doc.text.contains("inthe ") && !doc.text.contains(" ofthe "));
    }
}

#[test]
fn offsets_are_code_points_and_blocks_are_ordered() {
    for d in builtin() {
        let len = d.text.chars().count();
        let mut last_end = 0;
        for (i, b) in d.blocks.iter().enumerate() {
            assert!(b.start < b.end && b.end <= len);
            if i > 0 {
                assert_eq!(b.start, last_end + 2, "blocks are separated by a blank line");
            }
            last_end = b.end;
        }
        assert_eq!(last_end, len);
        assert!(d.notes.windows(2).all(|w| w[0].at <= w[1].at));
        assert_eq!(d.text_sha256().len(), 64);
    }
}

/// The complete heading outline of every report, levels and labels included.
#[test]
fn heading_outlines() {
    let expected: [(&str, &[(u8, &str)]); 5] = [
        ("S/2017/97", &[
            (1, "I. Introduction"),
            (1, "II. Overview of the current threat"),
            (2, "A. Emphasis by ISIL on external attacks"),
            (2, "B. Foreign terrorist fighters and returnees"),
            (2, "C. Financial decline of the core of ISIL continues"),
            (1, "III. Evolving threat posed by ISIL"),
            (2, "A. Threat to Europe"),
            (2, "B. Threat to Maghreb and West Africa"),
            (1, "IV. Responses to the evolving threat"),
            (2, "A. Overview"),
            (3, "1. Measures to curtail travel and transit"),
            (3, "2. Measures to counter the financing of ISIL"),
            (3, "3. Prosecution, rehabilitation and reintegration"),
            (3, "4. Addressing conflict-related sexual violence and vulnerable groups"),
            (3, "5. Use of information and communications technology, enhanced cooperation with the private sector and the ability to prosecute"),
            (2, "B. Europe"),
            (3, "1. Measures to curtail travel and transit"),
            (3, "2. Addressing inspired or enabled attacks"),
            (3, "3. Measures to counter the financing of ISIL"),
            (3, "4. Prosecution, rehabilitation and reintegration"),
            (3, "5. Preventing and countering violent extremism"),
            (3, "6. Use of information and communications technology, enhanced cooperation with the private sector and the ability to prosecute"),
            (2, "C. Maghreb and West Africa"),
            (3, "1. General"),
            (3, "2. Measures to curtail travel and transit"),
            (3, "3. Addressing attacks inspired or enabled by ISIL"),
            (3, "4. Measures to counter the financing of ISIL"),
            (3, "5. Prosecution, rehabilitation and reintegration"),
            (3, "6. Addressing conflict-related sexual violence and vulnerable groups"),
            (3, "7. Preventing and countering violent extremism"),
            (3, "8. Use of information and communications technology and enhanced cooperation with the private sector"),
            (1, "V. Observations"),
        ]),
        ("S/2018/80", &[
            (1, "I. Introduction"),
            (1, "II. Threat assessment"),
            (2, "A. Overview of threat"),
            (2, "B. Regional trends"),
            (3, "1. Middle East"),
            (3, "2. Africa"),
            (3, "3. Europe"),
            (3, "4. Central and South Asia"),
            (3, "5. South-East Asia"),
            (1, "III. Updates on responses to the evolving threat"),
            (2, "A. Countering the financing of terrorism"),
            (2, "B. International law enforcement cooperation"),
            (2, "C. Protection of refugees and asylum seekers"),
            (2, "D. International judicial cooperation"),
            (2, "E. Prosecution, rehabilitation and reintegration"),
            (2, "F. Managing the spread of violent extremism in prisons"),
            (2, "G. Countering terrorist narratives and engaging communities in approaches to the prevention of violent extremism"),
            (1, "IV. Observations"),
        ]),
        ("S/2018/770", &[
            (1, "I. Introduction"),
            (1, "II. Threat assessment"),
            (2, "A. Overview of threat"),
            (2, "B. Regional trends"),
            (3, "1. Middle East"),
            (3, "2. Africa"),
            (4, "(a) North Africa"),
            (4, "(b) West Africa"),
            (4, "(c) East Africa"),
            (3, "3. Europe"),
            (3, "4. Central and South Asia"),
            (3, "5. South-East Asia"),
            (1, "III. Updates on responses to the evolving threat"),
            (2, "A. Overview"),
            (2, "B. Countering the financing of terrorism"),
            (4, "Organized crime"),
            (2, "C. Border management and law enforcement"),
            (2, "D. International judicial cooperation"),
            (2, "E. Prosecution, rehabilitation and reintegration"),
            (4, "Lake Chad Basin"),
            (2, "F. Countering terrorist narratives and engaging communities"),
            (1, "IV. Observations and recommendations"),
        ]),
        ("S/2019/103", &[
            (1, "I. Introduction"),
            (1, "II. Threat assessment"),
            (2, "A. Overview of threat"),
            (2, "B. Regional trends"),
            (3, "1. Middle East"),
            (3, "2. Africa"),
            (3, "3. Europe"),
            (3, "4. Central and South Asia"),
            (3, "5. South-East Asia"),
            (1, "III. Updates on responses to the evolving threat"),
            (2, "A. Overview"),
            (2, "B. Prosecution, rehabilitation and reintegration"),
            (2, "C. International judicial cooperation"),
            (2, "D. Countering the financing of terrorism"),
            (4, "New challenges"),
            (4, "Organized crime"),
            (2, "E. Border management and law enforcement"),
            (2, "F. Countering terrorist narratives and engaging communities in approaches to counter violent extremism"),
            (1, "IV. Observations"),
        ]),
        ("S/2019/612", &[
            (1, "I. Introduction"),
            (1, "II. Threat assessment"),
            (2, "A. Overview of threat/Middle East"),
            (4, "Foreign terrorist fighters"),
            (2, "B. Regional trends"),
            (3, "1. Africa"),
            (3, "2. Europe"),
            (3, "3. Asia"),
            (1, "III. Updates on responses to the evolving threat"),
            (2, "A. Overview"),
            (2, "B. Responding to the loss of territorial control of Islamic State in Iraq and the Levant"),
            (4, "Current situation and repatriation efforts"),
            (4, "Prosecution"),
            (4, "Rehabilitation and reintegration"),
            (2, "C. International judicial cooperation"),
            (4, "Digital evidence"),
            (2, "D. Supporting victims of Islamic State in Iraq and the Levant and ensuring accountability"),
            (4, "Investigative efforts of the United Nations Investigative Team to Promote Accountability for Crimes Committed by Da'esh/Islamic State in Iraq and the Levant"),
            (4, "Conflict-related sexual violence perpetrated by Islamic State in Iraq and the Levant"),
            (2, "E. Counter-financing of terrorism"),
            (2, "F. International law enforcement cooperation"),
            (2, "G. Countering terrorist narratives and engaging communities in approaches to prevent and counter violent extremism"),
            (1, "IV. Observations"),
        ]),
    ];
    for (id, outline) in expected {
        assert_eq!(headings(&report(id)), outline, "{id}");
    }
}

