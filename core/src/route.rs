//! Deep links. The app routes on the URL's fragment so links survive a reload on
//! any static host: `#/` is the corpus, `#/report/S-2019-103` a report and
//! `#/report/S-2019-103/p12` its paragraph 12, `#/report/S-2019-103/n9` its footnote 9.

/// Where the app is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Corpus,
    /// The codebook editor.
    Codebook,
    /// Every coded segment across the corpus (the QDA "retrieval").
    Segments,
    Report { slug: String, paragraph: Option<u32> },
    /// A footnote of a report.
    Note { slug: String, note: u32 },
    NotFound(String),
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
        let parts: Vec<&str> = h.split('/').collect();
        match parts.as_slice() {
            ["codebook"] => Route::Codebook,
            ["segments"] => Route::Segments,
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
            Route::Segments => "#/segments".to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(Route::parse(&Route::Segments.to_hash()), Route::Segments);
        let r = Route::report("S/2019/103", Some(12));
        assert_eq!(r.to_hash(), "#/report/S-2019-103/p12");
        assert_eq!(Route::parse(&r.to_hash()), r);
        let n = Route::note("S/2019/103", 9);
        assert_eq!(n.to_hash(), "#/report/S-2019-103/n9");
        assert_eq!(Route::parse(&n.to_hash()), n);
        assert!(matches!(Route::parse("#/report/x/n"), Route::NotFound(_)));
    }
}
