//! Exports and imports at scale: 20,000 annotations over the five reports
//! (overlapping, 1–3 tags, memos), every format exported through the one entry
//! point; then the readers and the import plan for the formats read back.
//! Target: every export well under 200 ms natively.

use criterion::{Criterion, criterion_group, criterion_main};
use marginalia_core::annotation::{Annotation, Draft};
use marginalia_core::codebook::Codebook;
use marginalia_core::coding::Coding;
use marginalia_core::document::Document;
use marginalia_core::export::{ExportMeta, ExportOptions, Format, Scope, Source, brat_files, export};
use marginalia_core::import::{import, plan_import, read_brat};

const ANNOTATIONS: usize = 20_000;

/// 20,000 annotations spread over the reports, from a fixed pseudo-random sequence.
fn state(docs: &[Document]) -> Coding {
    let book = Codebook::default();
    let mut c = Coding::new(book.clone());
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let chars: Vec<Vec<char>> = docs.iter().map(|d| d.text.chars().collect()).collect();
    let mut made = 0;
    while made < ANNOTATIONS {
        let d = next(docs.len());
        let start = next(chars[d].len() - 400);
        let len = 5 + next(300);
        let tags: Vec<String> = (0..1 + next(3)).map(|k| book.tags[(made + k) % book.tags.len()].id.clone()).collect();
        let draft = Draft { doc_id: &docs[d].meta.id, tags, coder: ["ana", "bo"][next(2)], id: format!("a{made}"), now: "2026-11-22T10:00:00Z", snap: true };
        if let Some(mut a) = Annotation::from_chars(&chars[d], start, start + len, draft) {
            if next(3) == 0 {
                a.memo = format!("Memo {made}: =why\nthis matters, \"quoted\".");
            }
            c.add(a);
            made += 1;
        }
    }
    c
}

fn bench(c: &mut Criterion) {
    let docs = marginalia_core::corpus::builtin();
    let coding = state(&docs);
    let source = Source { documents: &docs, coding: &coding, texts: &[], coder: "ana" };
    let meta = ExportMeta::new("0.1.0", "2026-11-22T10:00:00Z");
    let options = ExportOptions::default();
    let scope = Scope::all();
    for format in Format::ALL {
        if let Ok(f) = export(format, &source, &scope, &options, &meta) {
            eprintln!("{:>14}: {:>10} bytes", format.key(), f.bytes.len());
        }
    }
    let mut g = c.benchmark_group("export 20k annotations");
    g.sample_size(10);
    for format in Format::ALL {
        if export(format, &source, &scope, &options, &meta).is_err() {
            continue; // not available in this build
        }
        g.bench_function(format.key(), |b| b.iter(|| export(format, &source, &scope, &options, &meta).unwrap()));
    }
    g.bench_function("brat files", |b| {
        b.iter(|| {
            let sel = scope.select(&docs, &coding);
            brat_files(&sel.doc_annotations(), &coding.codebook, &meta)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("import 20k annotations");
    g.sample_size(10);
    for format in [Format::Backup, Format::SegmentsCsv, Format::Doccano, Format::Spacy, Format::LabelStudio, Format::W3c] {
        let file = export(format, &source, &scope, &options, &meta).unwrap();
        g.bench_function(format!("{} read", format.key()), |b| b.iter(|| import(format, &file.name, &file.bytes).unwrap()));
        let imported = import(format, &file.name, &file.bytes).unwrap();
        g.bench_function(format!("{} plan", format.key()), |b| b.iter(|| plan_import(&coding, &docs, &imported, "2026-11-23T00:00:00Z")));
    }
    let sel = scope.select(&docs, &coding);
    let entries = brat_files(&sel.doc_annotations(), &coding.codebook, &meta);
    g.bench_function("brat read", |b| b.iter(|| read_brat(&entries).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
