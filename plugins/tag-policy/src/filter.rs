//! Flux's `filterTags`: keep the tags a regular expression matches and,
//! optionally, compare a value extracted from each instead of the tag.

use std::borrow::Cow;
use std::collections::HashMap;

use regex::{Captures, Regex};

use weir_go_regex as go_regex;

use crate::{Candidate, PolicyError, TagFilter};

/// A tag as the selection sees it: the value compared, and the candidate
/// whose tag is reported if it wins.
#[derive(Debug, Clone)]
pub(crate) struct FilteredTag<'a> {
    pub value: Cow<'a, str>,
    pub candidate: &'a Candidate,
}

/// A compiled [`TagFilter`].
#[derive(Debug)]
pub(crate) struct CompiledFilter<'a> {
    pattern: &'a str,
    regex: Regex,
    /// `None` when the tag itself is compared.
    extract: Option<&'a str>,
}

impl<'a> CompiledFilter<'a> {
    pub fn compile(filter: &'a TagFilter) -> Result<Self, PolicyError> {
        let regex = go_regex::compile(&filter.pattern).map_err(|reason| {
            PolicyError::InvalidFilter(format!("invalid filter pattern {:?}: {reason}", filter.pattern))
        })?;
        Ok(CompiledFilter {
            pattern: &filter.pattern,
            regex,
            extract: filter.extract.as_deref().filter(|template| !template.is_empty()),
        })
    }

    pub fn pattern(&self) -> &str {
        self.pattern
    }

    /// The candidates the pattern matches (anywhere in the tag), with their
    /// extracted values.
    ///
    /// Flux keys the kept tags by extracted value in a map, so when several
    /// tags extract the same value the one listed last is the one reported.
    /// Each value keeps the position where it first appeared, which makes the
    /// order (and so tie-breaking) deterministic where Flux's map order is not.
    pub fn apply(&self, candidates: &'a [Candidate]) -> Vec<FilteredTag<'a>> {
        let mut kept: Vec<FilteredTag<'a>> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for candidate in candidates {
            let Some(captures) = self.regex.captures(&candidate.tag) else {
                continue;
            };
            let value = match self.extract {
                Some(template) => expand(template, &self.regex, &captures),
                None => candidate.tag.clone(),
            };
            match position.get(&value) {
                Some(&index) => kept[index].candidate = candidate,
                None => {
                    position.insert(value.clone(), kept.len());
                    kept.push(FilteredTag { value: Cow::Owned(value), candidate });
                }
            }
        }
        kept
    }
}

/// Expands `template` as Go's `Regexp.ExpandString` does: `$name`, `${name}`,
/// `$1` and `${1}` insert a group (empty if unknown or unmatched), `$$` is a
/// `$`, and a `$` not followed by a valid reference is kept as text.
///
/// Written out rather than using `Captures::expand`, which differs from Go:
/// it reads `$01` as group 1 (Go: a group named "01"), and takes any text up
/// to `}` as a braced name (Go: only letters, digits and `_`).
fn expand(template: &str, regex: &Regex, captures: &Captures<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        match group_reference(rest) {
            Some((name, after)) => {
                out.push_str(group_text(name, regex, captures));
                rest = after;
            }
            None => out.push('$'),
        }
    }
    out.push_str(rest);
    out
}

/// Splits a `name` or `{name}` reference off the start of `text`.
fn group_reference(text: &str) -> Option<(&str, &str)> {
    let (braced, body) = match text.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, text),
    };
    // Go's `unicode.IsLetter`/`IsDigit`; Rust's predicates are a close
    // superset, which only matters for non-ASCII templates.
    let name_len: usize = body.chars().take_while(|&c| c == '_' || c.is_alphanumeric()).map(char::len_utf8).sum();
    if name_len == 0 {
        return None;
    }
    let (name, after) = body.split_at(name_len);
    if braced { Some((name, after.strip_prefix('}')?)) } else { Some((name, after)) }
}

fn group_text<'t>(name: &str, regex: &Regex, captures: &Captures<'t>) -> &'t str {
    // Go reads a name as a group number only when it is plain decimal of at
    // most nine digits without a leading zero.
    let number =
        (name.bytes().all(|b| b.is_ascii_digit()) && !(name.len() > 1 && name.starts_with('0')) && name.len() <= 9)
            .then(|| name.parse::<usize>().ok())
            .flatten();
    let index = match number {
        Some(number) => Some(number),
        None => regex.capture_names().position(|group| group == Some(name)),
    };
    index.and_then(|index| captures.get(index)).map_or("", |group| group.as_str())
}
