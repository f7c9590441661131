//! Flux v1 (fluxd) tag filter expressions: `semver:RANGE`, `regex:RE` (or
//! `regexp:RE`) and `glob:PATTERN`, with fluxd's ordering of the matches.

use regex::Regex;

use crate::filter::FilteredTag;
use weir_go_regex as go_regex;
use weir_semver::{Constraints, Version};

use crate::{Candidate, PolicyError, pick};

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in milliseconds since the
/// Unix epoch: fluxd's creation time for an image it has no time for.
const GO_ZERO_TIME_MS: i64 = -62_135_596_800_000;

#[derive(Debug)]
pub(crate) enum Expression<'a> {
    Semver(Constraints),
    Pattern(TagPattern<'a>),
}

/// The expressions that order their matches by creation time.
#[derive(Debug)]
pub(crate) enum TagPattern<'a> {
    Regex(Regex),
    Glob(&'a str),
}

impl<'a> Expression<'a> {
    pub fn parse(text: &'a str) -> Result<Self, PolicyError> {
        let invalid = |what: &str, body: &str, reason: String| {
            PolicyError::InvalidPolicy(format!("invalid {what} {body:?} in expression {text:?}: {reason}"))
        };
        if let Some(range) = text.strip_prefix("semver:") {
            let constraints = Constraints::parse(range).map_err(|e| invalid("semver range", range, e.to_string()))?;
            Ok(Expression::Semver(constraints))
        } else if let Some(pattern) = text.strip_prefix("regexp:").or_else(|| text.strip_prefix("regex:")) {
            let regex = go_regex::compile(pattern).map_err(|reason| invalid("regular expression", pattern, reason))?;
            Ok(Expression::Pattern(TagPattern::Regex(regex)))
        } else if let Some(pattern) = text.strip_prefix("glob:") {
            Ok(Expression::Pattern(TagPattern::Glob(pattern)))
        } else {
            Err(PolicyError::InvalidPolicy(format!(
                "expression {text:?} has no known prefix; expected \"semver:\", \"regex:\", \"regexp:\" or \"glob:\""
            )))
        }
    }

    /// The newest matching tag as fluxd orders them: by version for semver
    /// (equal versions: the greater tag string, so `1.10.0` beats `1.10`),
    /// otherwise by creation time (equal times: the smaller tag string, as
    /// fluxd's `image.NewerByCreated` breaks ties by image reference).
    pub fn choose<'t>(&self, tags: &[FilteredTag<'t>]) -> Option<&'t Candidate> {
        match self {
            Expression::Semver(constraints) => {
                // fluxd parsed tags leniently: `1`, `1.2` and `v1.2.3` count.
                let matching = tags.iter().filter_map(|tag| {
                    let version = Version::parse_lenient(&tag.value).ok().filter(|v| constraints.matches(v))?;
                    Some((tag.candidate, (version, tag.candidate.tag.as_str())))
                });
                pick(matching, |new, best| new > best)
            }
            Expression::Pattern(pattern) => {
                let matching = tags
                    .iter()
                    .filter(|tag| pattern.admits_latest() || !tag.candidate.tag.eq_ignore_ascii_case("latest"))
                    .filter(|tag| pattern.matches(&tag.value))
                    .map(|tag| {
                        let created = tag.candidate.created.unwrap_or(GO_ZERO_TIME_MS);
                        (tag.candidate, (created, tag.candidate.tag.as_str()))
                    });
                pick(matching, |(new_created, new_tag), (best_created, best_tag)| {
                    new_created > best_created || (new_created == best_created && new_tag < best_tag)
                })
            }
        }
    }
}

impl TagPattern<'_> {
    /// fluxd skips a tag named `latest` unless the expression is `glob:latest`.
    fn admits_latest(&self) -> bool {
        matches!(self, TagPattern::Glob("latest"))
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            TagPattern::Regex(regex) => regex.is_match(value),
            TagPattern::Glob(pattern) => glob_matches(pattern, value),
        }
    }
}

/// ryanuber/go-glob's `Glob`, which fluxd used: only `*` is special, parts
/// match left to right. Its quirk is kept: once the subject is used up the
/// final part goes unchecked when it is at most one byte long, so `a*b`
/// matches `a`. (Upstream panics on a longer final part there; this reports
/// no match.)
fn glob_matches(pattern: &str, subject: &str) -> bool {
    if pattern.is_empty() {
        return subject.is_empty();
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return subject == pattern;
    }
    let leading_glob = pattern.starts_with('*');
    let trailing_glob = pattern.ends_with('*');
    let last = parts.len() - 1;
    let mut rest = subject;
    for (index, part) in parts.iter().enumerate() {
        if index == 0 {
            if leading_glob {
                continue;
            }
            if !rest.starts_with(part) {
                return false;
            }
        } else if index == last {
            if !rest.is_empty() {
                return trailing_glob || rest.ends_with(part);
            }
        } else if !rest.contains(part) {
            return false;
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return part.len() <= 1,
        }
    }
    true
}
