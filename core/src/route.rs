//! Deep links. The app routes on the URL's fragment so links survive a reload on
//! any static host: `#/` is the corpus, `#/report/S-2019-103` a report and
//! `#/report/S-2019-103/p12` its paragraph 12, `#/report/S-2019-103/n9` its footnote 9,
//! `#/segments?tags=finance,threat&match=all&in=S-2019-103&group=tag` a retrieval,
//! `#/agreement?a=Key&b=Bo&in=S-2019-103&p=5-18` two coders compared (over paragraphs
//! 5 to 18 of one report).

/// Where the app is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Corpus,
    /// The codebook editor.
    Codebook,
    /// Every coded segment across the corpus (the QDA "retrieval"), filtered.
    Segments(SegmentsQuery),
    /// Intercoder agreement of coder `a` (or an answer key) and coder `b`, over
    /// every text coded or `within` one (some of its paragraphs).
    /// `sub`: each tag counts its sub-codes' coding too (`sub=1`).
    Agreement { a: Option<String>, b: Option<String>, within: Option<Within>, sub: bool },
    Report { slug: String, paragraph: Option<u32> },
    /// A footnote of a report.
    Note { slug: String, note: u32 },
    NotFound(String),
}

/// Where agreement is measured: one text (by its [`slug`]), all of it or its
/// paragraphs `from..=to` (an exercise's passage: `in=S-2019-103&p=5-18`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Within {
    pub slug: String,
    pub paragraphs: Option<(u32, u32)>,
}

impl Within {
    /// The slug that means no one text but every text that each coder compared
    /// coded (no document's slug has a `*`): `in=*`.
    pub const EACH_CODED: &'static str = "*";

    /// Every text that each coder compared coded (two coders who shared out the texts).
    pub fn each_coded() -> Within {
        Within { slug: Self::EACH_CODED.to_string(), paragraphs: None }
    }

    pub fn is_each_coded(&self) -> bool {
        self.slug == Self::EACH_CODED
    }

    /// The paragraphs as the address writes them (`5-18`, or `12` for one); `None` for a whole text.
    pub fn paragraphs_param(&self) -> Option<String> {
        self.paragraphs.map(|(x, y)| if x == y { x.to_string() } else { format!("{x}-{y}") })
    }

    /// `5-18` (or `12`, one paragraph); either order; `None` for anything else.
    pub fn parse_paragraphs(p: &str) -> Option<(u32, u32)> {
        let (a, b) = p.split_once(['-', '–']).unwrap_or((p, p));
        let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        (a > 0 && b > 0).then_some((a.min(b), a.max(b)))
    }
}

/// What the segments view retrieves: the segments carrying any (or all) of
/// `tags` (every segment when `tags` is empty), in one document or in all,
/// listed in text order or grouped under each tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentsQuery {
    /// Tag ids, in the order they were chosen.
    pub tags: Vec<String>,
    /// A segment must carry every chosen tag (co-occurrence), not just one.
    pub all: bool,
    /// The slug of the one document searched ([`slug`]), or every document.
    pub doc: Option<String>,
    /// Grouped under each tag instead of in text order.
    pub by_tag: bool,
    /// Only this coder's segments (`by=`), or everyone's.
    pub coder: Option<String>,
    /// Co-occurrence as QDA tools count it (`match=overlap`): an annotation with a
    /// chosen tag that overlaps, for every other chosen tag, an annotation of the
    /// same coder with that tag ([`crate::segments::overlapping`]).
    pub overlap: bool,
    /// A chosen tag takes in its sub-codes' segments too (`sub=1`; NVivo's
    /// aggregate coding): see [`SegmentsQuery::groups`].
    pub sub: bool,
}

impl SegmentsQuery {
    /// Whether a segment with these tags is retrieved (the document aside).
    pub fn matches(&self, tags: &[String]) -> bool {
        let groups: Vec<Vec<String>> = self.tags.iter().map(|t| vec![t.clone()]).collect();
        self.matches_in(&groups, tags)
    }

    /// Whether a segment with these tags is retrieved, each chosen tag standing
    /// for its group of `groups` (in the order of `self.tags`): a segment has a
    /// chosen tag when it has one of that group's.
    pub fn matches_in(&self, groups: &[Vec<String>], tags: &[String]) -> bool {
        if groups.is_empty() {
            return true;
        }
        let has = |g: &Vec<String>| g.iter().any(|t| tags.contains(t));
        if self.all { groups.iter().all(has) } else { groups.iter().any(has) }
    }

    /// What each chosen tag stands for, in the order chosen: the tag alone, or
    /// with [`SegmentsQuery::sub`] the tag and every sub-code under it
    /// (`family` gives a tag's, itself first).
    pub fn groups(&self, family: impl Fn(&str) -> Vec<String>) -> Vec<Vec<String>> {
        self.tags.iter().map(|t| if self.sub { family(t) } else { vec![t.clone()] }).collect()
    }

    /// Whether a segment needs every chosen tag, and there are two or more of them.
    pub fn co_occurrence(&self) -> bool {
        self.all && self.tags.len() > 1
    }

    /// The query with its tags as `known` reads them (a tag id, from an id or
    /// a name as a link may give it), without those it does not know (a link
    /// may name a tag since deleted or never there: it is dropped, not matched
    /// against nothing), and the names of those dropped.
    pub fn known(&self, known: impl Fn(&str) -> Option<String>) -> (SegmentsQuery, Vec<String>) {
        let mut tags: Vec<String> = Vec::new();
        let mut unknown = Vec::new();
        for t in &self.tags {
            match known(t) {
                Some(id) if !tags.contains(&id) => tags.push(id),
                Some(_) => {}
                None => unknown.push(t.clone()),
            }
        }
        (SegmentsQuery { tags, ..self.clone() }, unknown)
    }

    fn parse(query: &str) -> SegmentsQuery {
        let mut q = SegmentsQuery::default();
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "tags" => {
                    for t in value.split(',').filter(|t| !t.is_empty()).map(decode) {
                        if !q.tags.contains(&t) {
                            q.tags.push(t);
                        }
                    }
                }
                "match" => {
                    q.all = value.eq_ignore_ascii_case("all");
                    q.overlap = value.eq_ignore_ascii_case("overlap");
                }
                "in" if !value.is_empty() => q.doc = Some(decode(value)),
                "group" => q.by_tag = value.eq_ignore_ascii_case("tag"),
                "by" => q.coder = Some(decode(value)),
                "sub" => q.sub = value == "1",
                _ => {}
            }
        }
        q
    }

    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.tags.is_empty() {
            parts.push(format!("tags={}", self.tags.iter().map(|t| encode(t)).collect::<Vec<_>>().join(",")));
        }
        if self.all {
            parts.push("match=all".to_string());
        } else if self.overlap {
            parts.push("match=overlap".to_string());
        }
        if let Some(d) = &self.doc {
            parts.push(format!("in={}", encode(d)));
        }
        if self.by_tag {
            parts.push("group=tag".to_string());
        }
        if let Some(c) = &self.coder {
            parts.push(format!("by={}", encode(c)));
        }
        if self.sub {
            parts.push("sub=1".to_string());
        }
        parts.join("&")
    }
}

/// Percent-encodes all but ASCII letters, digits, `-`, `_` and `.` (so a tag id
/// cannot break the query apart, and the URL reads the same in every browser).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.extend(['%', HEX[usize::from(b >> 4)] as char, HEX[usize::from(b & 15)] as char]);
        }
    }
    out
}

/// Undoes [`encode`] (and any browser's percent-encoding); a malformed escape
/// is kept as it is, and bytes that are not UTF-8 become U+FFFD.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL-safe form of a document id: "S/2019/103" → "S-2019-103".
pub fn slug(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_alphanumeric() || c == '.' || c == '_' { c } else { '-' })
        .collect()
}

impl Route {
    /// Parses a location fragment, with or without the leading `#`.
    pub fn parse(hash: &str) -> Route {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let h = h.trim_end_matches('/');
        if h.is_empty() {
            return Route::Corpus;
        }
        let (h, query) = h.split_once('?').unwrap_or((h, ""));
        let h = h.trim_end_matches('/');
        let parts: Vec<&str> = h.split('/').collect();
        match parts.as_slice() {
            ["codebook"] => Route::Codebook,
            ["segments"] => Route::Segments(SegmentsQuery::parse(query)),
            ["agreement"] => {
                let (mut a, mut b, mut slug, mut paragraphs, mut sub) = (None, None, None, None, false);
                for pair in query.split('&') {
                    match pair.split_once('=') {
                        Some(("a", v)) if !v.is_empty() => a = Some(decode(v)),
                        Some(("b", v)) if !v.is_empty() => b = Some(decode(v)),
                        Some(("in", v)) if !v.is_empty() => slug = Some(decode(v)),
                        Some(("p", v)) => paragraphs = Within::parse_paragraphs(&decode(v)),
                        Some(("sub", v)) => sub = v == "1",
                        _ => {}
                    }
                }
                Route::Agreement { a, b, within: slug.map(|slug| Within { slug, paragraphs }), sub }
            }
            ["report", slug] if !slug.is_empty() => {
                Route::Report { slug: slug.to_string(), paragraph: None }
            }
            ["report", slug, p] if !slug.is_empty() => {
                let number = |prefix: char| p.strip_prefix(prefix).and_then(|n| n.parse::<u32>().ok());
                match (number('p'), number('n')) {
                    (Some(n), _) => Route::Report { slug: slug.to_string(), paragraph: Some(n) },
                    (_, Some(n)) => Route::Note { slug: slug.to_string(), note: n },
                    _ => Route::NotFound(hash.to_string()),
                }
            }
            _ => Route::NotFound(hash.to_string()),
        }
    }

    /// The fragment for this route, with the leading `#`.
    pub fn to_hash(&self) -> String {
        match self {
            Route::Corpus => "#/".to_string(),
            Route::Codebook => "#/codebook".to_string(),
            Route::Segments(q) => match q.to_query() {
                query if query.is_empty() => "#/segments".to_string(),
                query => format!("#/segments?{query}"),
            },
            Route::Agreement { a, b, within, sub } => {
                let mut parts: Vec<String> =
                    [("a", a), ("b", b)].iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v)))).collect();
                if let Some(w) = within {
                    parts.push(format!("in={}", encode(&w.slug)));
                    if let Some(p) = w.paragraphs_param() {
                        parts.push(format!("p={p}"));
                    }
                }
                if *sub {
                    parts.push("sub=1".to_string());
                }
                if parts.is_empty() { "#/agreement".to_string() } else { format!("#/agreement?{}", parts.join("&")) }
            }
            Route::Report { slug, paragraph: None } => format!("#/report/{slug}"),
            Route::Report { slug, paragraph: Some(n) } => format!("#/report/{slug}/p{n}"),
            Route::Note { slug, note } => format!("#/report/{slug}/n{note}"),
            Route::NotFound(h) => h.clone(),
        }
    }

    /// The route of a document's paragraph (or the document when `paragraph` is `None`).
    pub fn report(id: &str, paragraph: Option<u32>) -> Route {
        Route::Report { slug: slug(id), paragraph }
    }

    /// The route of a document's footnote.
    pub fn note(id: &str, note: u32) -> Route {
        Route::Note { slug: slug(id), note }
    }
}

/// A text (a memo) cut into plain pieces and citations of a paragraph, "S/2018/770
/// ¶30" or "Field notes ¶3": each citation with the address that opens it. `docs`
/// are (how a document is cited, its id); where two could be meant, the longer name.
pub fn cited_in(text: &str, docs: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut from = 0;
    for (at, _) in text.match_indices('¶') {
        if at < from {
            continue;
        }
        let after = &text[at + '¶'.len_utf8()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Ok(n) = after[..digits].parse::<u32>() else { continue };
        let before = text[from..at].trim_end_matches(' ');
        let Some((who, id)) = docs.iter().filter(|(w, _)| !w.is_empty() && before.ends_with(*w)).max_by_key(|(w, _)| w.len()) else { continue };
        let start = from + before.len() - who.len();
        // A name inside a longer word ("XS/2018/770") is not a citation.
        if text[..start].chars().next_back().is_some_and(char::is_alphanumeric) {
            continue;
        }
        let mut end = at + '¶'.len_utf8() + digits;
        // A range ("¶5–6") is cited whole; its link opens its first paragraph.
        let rest = &text[end..];
        if let Some(dash) = ['–', '-'].into_iter().find(|d| rest.starts_with(*d)) {
            let more = &rest[dash.len_utf8()..];
            let to = more.len() - more.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if to > 0 {
                end += dash.len_utf8() + to;
            }
        }
        if start > from {
            out.push((text[from..start].to_string(), None));
        }
        out.push((text[start..end].to_string(), Some(Route::report(id, Some(n)).to_hash())));
        from = end;
    }
    if from < text.len() {
        out.push((text[from..].to_string(), None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_cites_paragraphs_that_open() {
        let docs = [("S/2018/770", "S/2018/770"), ("Field notes", "field-notes"), ("S/2018/7", "S/2018/7")];
        let memo = "See S/2018/770 ¶30 and Field notes ¶3–5; not XS/2018/770 ¶2, nor ¶4 alone.";
        let pieces = cited_in(memo, &docs);
        let links: Vec<(&str, &str)> = pieces.iter().filter_map(|(t, h)| Some((t.as_str(), h.as_deref()?))).collect();
        assert_eq!(links, [("S/2018/770 ¶30", "#/report/S-2018-770/p30"), ("Field notes ¶3–5", "#/report/field-notes/p3")]);
        // Every character kept, in order.
        assert_eq!(pieces.iter().map(|(t, _)| t.as_str()).collect::<String>(), memo);
        assert_eq!(cited_in("no citation", &docs), [("no citation".to_string(), None)]);
        assert!(cited_in("", &docs).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn a_memo_cut_into_citations_keeps_every_character(text in "[ S/0-9¶a-z\u{e9}\u{1F600}–-]{0,60}") {
            let pieces = cited_in(&text, &[("S/2018/770", "S/2018/770"), ("a", "a")]);
            proptest::prop_assert_eq!(pieces.iter().map(|(t, _)| t.as_str()).collect::<String>(), text);
        }
    }

    #[test]
    fn parses_and_formats() {
        assert_eq!(Route::parse(""), Route::Corpus);
        assert_eq!(Route::parse("#/"), Route::Corpus);
        assert_eq!(
            Route::parse("#/report/S-2019-103/p12"),
            Route::Report { slug: "S-2019-103".into(), paragraph: Some(12) }
        );
        assert_eq!(
            Route::parse("#/report/S-2019-103"),
            Route::Report { slug: "S-2019-103".into(), paragraph: None }
        );
        assert!(matches!(Route::parse("#/report/x/q1"), Route::NotFound(_)));
        assert!(matches!(Route::parse("#/nothing"), Route::NotFound(_)));
        assert_eq!(Route::parse("#/codebook"), Route::Codebook);
        let all = Route::Segments(SegmentsQuery::default());
        assert_eq!(all.to_hash(), "#/segments");
        assert_eq!(Route::parse("#/segments"), all);
        assert_eq!(Route::parse("#/segments/"), all);
        assert_eq!(Route::parse("#/segments?"), all);
        let r = Route::report("S/2019/103", Some(12));
        assert_eq!(r.to_hash(), "#/report/S-2019-103/p12");
        assert_eq!(Route::parse(&r.to_hash()), r);
        let n = Route::note("S/2019/103", 9);
        assert_eq!(n.to_hash(), "#/report/S-2019-103/n9");
        assert_eq!(Route::parse(&n.to_hash()), n);
        assert!(matches!(Route::parse("#/report/x/n"), Route::NotFound(_)));
    }

    #[test]
    fn a_retrieval_is_a_link() {
        let q = SegmentsQuery { tags: vec!["finance".into(), "threat".into()], all: true, doc: Some("S-2019-103".into()), by_tag: true, coder: Some("Ana Lima".into()), overlap: false, sub: true };
        let r = Route::Segments(q.clone());
        assert_eq!(r.to_hash(), "#/segments?tags=finance,threat&match=all&in=S-2019-103&group=tag&by=Ana%20Lima&sub=1");
        assert_eq!(Route::parse(&r.to_hash()), r);
        // Unknown keys and values are ignored; a tag named twice counts once.
        assert_eq!(
            Route::parse("#/segments?tags=a,,a,b&match=any&zoom=2&group=report"),
            Route::Segments(SegmentsQuery { tags: vec!["a".into(), "b".into()], ..Default::default() })
        );
        // Any character survives a tag id, as the browser may re-encode it.
        let odd = SegmentsQuery { tags: vec!["a,b&c=d é/ü%".into()], ..Default::default() };
        assert_eq!(Route::parse(&Route::Segments(odd.clone()).to_hash()), Route::Segments(odd));
        assert_eq!(decode("%C3%A9%zz%4"), "é%zz%4");
        // Any case in the keywords.
        assert_eq!(
            Route::parse("#/segments?tags=threat,finance&match=ALL&group=Tag"),
            Route::Segments(SegmentsQuery { tags: vec!["threat".into(), "finance".into()], all: true, doc: None, by_tag: true, coder: None, overlap: false, sub: false })
        );
        let r = Route::parse("#/segments?tags=a,b&match=Overlap");
        assert_eq!(r, Route::Segments(SegmentsQuery { tags: vec!["a".into(), "b".into()], overlap: true, ..Default::default() }));
        assert_eq!(r.to_hash(), "#/segments?tags=a,b&match=overlap");
    }

    #[test]
    fn an_agreement_is_a_link() {
        let r = Route::Agreement { a: Some("Ms Key".into()), b: Some("Bo & co".into()), within: None, sub: false };
        assert_eq!(r.to_hash(), "#/agreement?a=Ms%20Key&b=Bo%20%26%20co");
        assert_eq!(Route::parse(&r.to_hash()), r);
        assert_eq!(Route::parse("#/agreement"), Route::Agreement { a: None, b: None, within: None, sub: false });
        assert_eq!(Route::Agreement { a: None, b: None, within: None, sub: false }.to_hash(), "#/agreement");
        assert_eq!(Route::parse("#/agreement?b=x&a=&zz=1"), Route::Agreement { a: None, b: Some("x".into()), within: None, sub: false });
        // An exercise's passage.
        let w = |p| Some(Within { slug: "S-2019-103".into(), paragraphs: p });
        let r = Route::Agreement { a: Some("Key".into()), b: None, within: w(Some((5, 18))), sub: false };
        assert_eq!(r.to_hash(), "#/agreement?a=Key&in=S-2019-103&p=5-18");
        assert_eq!(Route::parse(&r.to_hash()), r);
        assert_eq!(Route::parse("#/agreement?in=S-2019-103&p=18-5").to_hash(), "#/agreement?in=S-2019-103&p=5-18");
        assert_eq!(Route::parse("#/agreement?in=S-2019-103&p=7"), Route::Agreement { a: None, b: None, within: w(Some((7, 7))), sub: false });
        assert_eq!(Route::parse("#/agreement?in=S-2019-103&p=x"), Route::Agreement { a: None, b: None, within: w(None), sub: false });
        assert_eq!(Route::parse("#/agreement?p=3"), Route::Agreement { a: None, b: None, within: None, sub: false }, "a range needs its text");
        let each = Route::Agreement { a: None, b: None, within: Some(Within::each_coded()), sub: false };
        assert_eq!(Route::parse(&each.to_hash()), each);
        assert!(!slug("a*b").contains('*'), "no text's slug is the sign of every text each coded");
        // Each tag with its sub-codes' coding.
        let rolled = Route::Agreement { a: Some("Key".into()), b: None, within: w(Some((5, 18))), sub: true };
        assert_eq!(rolled.to_hash(), "#/agreement?a=Key&in=S-2019-103&p=5-18&sub=1");
        assert_eq!(Route::parse(&rolled.to_hash()), rolled);
    }

    #[test]
    fn any_or_all_of_the_chosen_tags() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut q = SegmentsQuery::default();
        assert!(q.matches(&[]));
        q.tags = tags(&["finance", "threat"]);
        assert!(q.matches(&tags(&["threat"])));
        assert!(!q.matches(&tags(&["prosecution"])));
        assert!(!q.co_occurrence());
        q.all = true;
        assert!(q.co_occurrence());
        assert!(!q.matches(&tags(&["threat"])));
        assert!(q.matches(&tags(&["threat", "prosecution", "finance"])));
        let only_threat = |t: &str| (t.eq_ignore_ascii_case("threat") || t == "Threats").then(|| "threat".to_string());
        assert_eq!(q.known(only_threat), (SegmentsQuery { tags: tags(&["threat"]), ..q.clone() }, tags(&["finance"])));
        assert!(!q.known(only_threat).0.co_occurrence());
        let named = SegmentsQuery { tags: tags(&["THREAT", "Threats"]), ..q.clone() };
        assert_eq!(named.known(only_threat).0.tags, tags(&["threat"]), "one tag, named twice");
    }

    #[test]
    fn a_chosen_tag_with_its_sub_codes() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // threat › attacks › suicide attacks; finance alone.
        let family = |t: &str| match t {
            "threat" => tags(&["threat", "attacks", "suicide"]),
            "attacks" => tags(&["attacks", "suicide"]),
            other => tags(&[other]),
        };
        let mut q = SegmentsQuery { tags: tags(&["threat", "finance"]), ..Default::default() };
        assert_eq!(q.groups(family), [tags(&["threat"]), tags(&["finance"])], "off: each tag alone");
        assert!(!q.matches_in(&q.groups(family), &tags(&["suicide"])));
        q.sub = true;
        let g = q.groups(family);
        assert_eq!(g, [tags(&["threat", "attacks", "suicide"]), tags(&["finance"])]);
        assert!(q.matches_in(&g, &tags(&["suicide"])), "a sub-code's segment counts for its parent");
        assert!(!q.matches_in(&g, &tags(&["prosecution"])));
        q.all = true;
        assert!(!q.matches_in(&g, &tags(&["attacks"])), "all: finance is still needed");
        assert!(q.matches_in(&g, &tags(&["attacks", "finance"])));
        assert!(!q.matches_in(&g, &tags(&["threat", "attacks"])), "two of one group are not one of each");
        assert!(q.matches_in(&[], &tags(&["anything"])), "no tag chosen: everything");
        let r = Route::Segments(q.clone());
        assert!(r.to_hash().ends_with("&sub=1"), "{}", r.to_hash());
        assert_eq!(Route::parse(&r.to_hash()), r);
    }

    proptest::proptest! {
        #[test]
        fn segment_queries_round_trip(
            tags in proptest::collection::vec("\\PC{1,8}", 0..4),
            all: bool,
            overlap: bool,
            doc in proptest::option::of("\\PC{1,12}"),
            by_tag: bool,
            coder in proptest::option::of("\\PC{0,12}"),
            sub: bool,
        ) {
            let mut unique: Vec<String> = Vec::new();
            for t in tags {
                if !unique.contains(&t) {
                    unique.push(t);
                }
            }
            let r = Route::Segments(SegmentsQuery { tags: unique, all, doc, by_tag, coder, overlap: overlap && !all, sub });
            proptest::prop_assert_eq!(Route::parse(&r.to_hash()), r);
        }
    }
}
