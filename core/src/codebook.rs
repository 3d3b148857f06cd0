//! The codebook: the tags a coder applies, with colours, keys and descriptions.

use serde::{Deserialize, Serialize};

/// One tag (code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Stable id, used by annotations; never shown.
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// The key that applies it ('1'..='9').
    #[serde(default)]
    pub key: Option<char>,
    #[serde(default)]
    pub description: String,
}

/// The codebook: tags in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    pub tags: Vec<Tag>,
}

/// Colours distinguishable by colour-blind readers (Okabe–Ito), dark enough to
/// draw on a light page and light enough on a dark one.
pub const PALETTE: [&str; 8] =
    ["#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8a6d00", "#6a3d9a"];

/// Band styles, so that tags also differ without colour (print, greyscale).
pub const PATTERNS: [&str; 5] = ["solid", "dashed", "dotted", "double", "wavy"];

fn tag(id: &str, colour: &str, key: char, description: &str) -> Tag {
    Tag { id: id.into(), name: id.into(), colour: colour.into(), key: Some(key), description: description.into() }
}

impl Default for Codebook {
    fn default() -> Self {
        Codebook {
            tags: vec![
                tag("threat", PALETTE[0], '1', "The threat ISIL (Da'esh) and its affiliates pose: attacks carried out, planned or inspired, \
                    the group's capabilities, leadership, fighters and reach in a region. Not the responses of States or the \
                    United Nations to it (code those by what they do). Example: \"ISIL continues to aspire to global relevance, \
                    in particular through its affiliates and inspired attacks\"."),
                tag("finance", PALETTE[1], '2', "How the group raises, holds and moves money: extortion, oil and gas revenues, \
                    kidnapping for ransom, investments, hawala and money-service businesses, and the measures that counter the \
                    financing of terrorism. Not the cost of programmes of the United Nations. Example: \"it could continue to \
                    obtain funds through extortion and the control of checkpoints\"."),
                tag("repatriation", PALETTE[2], '3', "Foreign terrorist fighters and their families returning, relocating or \
                    being brought home: returnees, detainees and dependants in camps, women and children, processing and \
                    repatriation by Member States. Not their prosecution once home (code prosecution). Example: \"the urgent \
                    need to address the processing and repatriation of detainees and internally displaced persons\"."),
                tag("prosecution", PALETTE[3], '4', "Bringing terrorists to justice: investigation, evidence (including \
                    battlefield and digital evidence), prosecution, courts and sentencing, and the rehabilitation and \
                    reintegration that follow. Not intelligence sharing or border controls. Example: \"States face significant \
                    challenges in their efforts to collect admissible evidence\"."),
            ],
        }
    }
}

/// Why a codebook could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodebookError(pub String);

impl std::fmt::Display for CodebookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

impl Codebook {
    pub fn get(&self, id: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.tags.iter().position(|t| t.id == id)
    }

    /// The tag applied by `key`.
    pub fn by_key(&self, key: char) -> Option<&Tag> {
        self.tags.iter().find(|t| t.key == Some(key))
    }

    /// The band pattern of a tag (by its place in the codebook).
    pub fn pattern(&self, id: &str) -> &'static str {
        PATTERNS[self.index_of(id).unwrap_or(0) % PATTERNS.len()]
    }

    /// Adds a tag named `name` with the next free colour and key; returns its id.
    pub fn add(&mut self, name: &str) -> Result<String, CodebookError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CodebookError("A tag needs a name.".into()));
        }
        if self.tags.iter().any(|t| t.name.eq_ignore_ascii_case(name)) {
            return Err(CodebookError(format!("There is already a tag named \"{name}\".")));
        }
        let base: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
        let mut id = base.clone();
        let mut n = 2;
        while self.get(&id).is_some() {
            id = format!("{base}-{n}");
            n += 1;
        }
        let colour = PALETTE[self.tags.len() % PALETTE.len()].to_string();
        let key = ('1'..='9').find(|k| self.by_key(*k).is_none());
        self.tags.push(Tag { id: id.clone(), name: name.into(), colour, key, description: String::new() });
        Ok(id)
    }

    /// Renames a tag; names stay unique and non-empty.
    pub fn rename(&mut self, id: &str, name: &str) -> Result<(), CodebookError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CodebookError("A tag needs a name.".into()));
        }
        if self.tags.iter().any(|t| t.id != id && t.name.eq_ignore_ascii_case(name)) {
            return Err(CodebookError(format!("There is already a tag named \"{name}\".")));
        }
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.name = name.to_string();
        }
        Ok(())
    }

    /// Gives a tag a key; a tag that had that key loses it (keys stay unique).
    pub fn set_key(&mut self, id: &str, key: Option<char>) {
        let key = key.filter(|k| ('1'..='9').contains(k));
        for t in &mut self.tags {
            if t.id == id {
                t.key = key;
            } else if key.is_some() && t.key == key {
                t.key = None;
            }
        }
    }

    pub fn set_colour(&mut self, id: &str, colour: &str) -> Result<(), CodebookError> {
        if !valid_colour(colour) {
            return Err(CodebookError("A colour is written #rrggbb.".into()));
        }
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.colour = colour.to_ascii_lowercase();
        }
        Ok(())
    }

    pub fn set_description(&mut self, id: &str, text: &str) {
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.description = text.trim().to_string();
        }
    }

    /// Moves a tag up (`-1`) or down (`+1`) in the order.
    pub fn move_tag(&mut self, id: &str, delta: isize) {
        if let Some(i) = self.index_of(id) {
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < self.tags.len() {
                self.tags.swap(i, j as usize);
            }
        }
    }

    /// Removes a tag from the codebook (its annotations are rewritten by the caller).
    pub fn remove(&mut self, id: &str) {
        self.tags.retain(|t| t.id != id);
    }

    /// Checks a codebook read from a file.
    pub fn validate(&self) -> Result<(), CodebookError> {
        if self.tags.is_empty() {
            return Err(CodebookError("The codebook has no tags.".into()));
        }
        let mut ids = std::collections::HashSet::new();
        let mut keys = std::collections::HashSet::new();
        for t in &self.tags {
            if t.id.trim().is_empty() || t.name.trim().is_empty() {
                return Err(CodebookError("Every tag needs an id and a name.".into()));
            }
            if !ids.insert(t.id.as_str()) {
                return Err(CodebookError(format!("The tag id \"{}\" is used twice.", t.id)));
            }
            if !valid_colour(&t.colour) {
                return Err(CodebookError(format!("The colour of \"{}\" is not of the form #rrggbb.", t.name)));
            }
            if let Some(k) = t.key {
                if !('1'..='9').contains(&k) {
                    return Err(CodebookError(format!("The key of \"{}\" must be a digit from 1 to 9.", t.name)));
                }
                if !keys.insert(k) {
                    return Err(CodebookError(format!("The key {k} is given to two tags.")));
                }
            }
        }
        Ok(())
    }

    /// The codebook as pretty JSON, for export.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&CodebookFile { format: "marginalia-codebook", version: 1, tags: self.tags.clone() })
            .unwrap_or_default()
    }

    /// Reads an exported codebook, refusing a bad one with the reason.
    pub fn from_json(s: &str) -> Result<Codebook, CodebookError> {
        let file: CodebookFile<'_> =
            serde_json::from_str(s).map_err(|e| CodebookError(format!("This is not a Marginalia codebook: {e}.")))?;
        if file.format != "marginalia-codebook" {
            return Err(CodebookError("This is not a Marginalia codebook.".into()));
        }
        if file.version > 1 {
            return Err(CodebookError("This codebook was written by a newer Marginalia.".into()));
        }
        let book = Codebook { tags: file.tags };
        book.validate()?;
        Ok(book)
    }
}

#[derive(Serialize, Deserialize)]
struct CodebookFile<'a> {
    format: &'a str,
    version: u32,
    tags: Vec<Tag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_codebook_is_valid_with_keys_one_to_four() {
        let b = Codebook::default();
        b.validate().unwrap();
        let names: Vec<_> = b.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["threat", "finance", "repatriation", "prosecution"]);
        assert_eq!(b.by_key('2').unwrap().id, "finance");
        assert!(b.tags.iter().all(|t| t.description.len() > 150 && t.description.contains("Example")));
        assert_eq!(b.pattern("finance"), "dashed");
    }

    #[test]
    fn add_and_round_trip() {
        let mut b = Codebook::default();
        let id = b.add("Gender").unwrap();
        assert_eq!(id, "gender");
        assert_eq!(b.get("gender").unwrap().key, Some('5'));
        assert!(b.add("gender").is_err());
        assert!(b.add("  ").is_err());
        let back = Codebook::from_json(&b.to_json()).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn edits_keep_the_codebook_valid() {
        let mut b = Codebook::default();
        b.rename("threat", "Threats").unwrap();
        assert!(b.rename("finance", "threats").is_err(), "names are unique");
        assert!(b.rename("finance", " ").is_err());
        b.set_key("finance", Some('1'));
        assert_eq!(b.get("finance").unwrap().key, Some('1'));
        assert_eq!(b.get("threat").unwrap().key, None, "the key moved");
        assert!(b.set_colour("finance", "blue").is_err());
        b.set_colour("finance", "#ABCDEF").unwrap();
        assert_eq!(b.get("finance").unwrap().colour, "#abcdef");
        b.move_tag("prosecution", -1);
        assert_eq!(b.tags[2].id, "prosecution");
        b.move_tag("threat", -1);
        assert_eq!(b.tags[0].id, "threat", "the first stays first");
        b.set_description("threat", "  text  ");
        assert_eq!(b.get("threat").unwrap().description, "text");
        b.remove("threat");
        assert!(b.get("threat").is_none());
        b.validate().unwrap();
    }

    #[test]
    fn bad_codebooks_are_refused_with_a_reason() {
        assert!(Codebook::from_json("{").unwrap_err().0.contains("not a Marginalia codebook"));
        assert!(Codebook::from_json(r#"{"format":"x","version":1,"tags":[]}"#).is_err());
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","name":"a","colour":"red"}]}"##).unwrap_err();
        assert!(e.0.contains("#rrggbb"), "{e}");
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","name":"a","colour":"#000000","key":"1"},{"id":"b","name":"b","colour":"#000000","key":"1"}]}"##).unwrap_err();
        assert!(e.0.contains("key 1"), "{e}");
        assert!(Codebook::from_json(r#"{"format":"marginalia-codebook","version":9,"tags":[]}"#).unwrap_err().0.contains("newer"));
    }
}
