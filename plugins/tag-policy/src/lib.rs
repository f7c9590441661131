//! Image tag selection as Flux's ImagePolicy does it (image-reflector-controller):
//! semver ranges with Masterminds/semver v3 semantics, alphabetical and
//! numerical ordering, `filterTags` with value extraction, and Flux v1
//! (fluxd) `semver:`/`regex:`/`glob:` expressions.

mod expression;
mod filter;

use std::borrow::Cow;

use expression::Expression;
use filter::{CompiledFilter, FilteredTag};
use weir_semver::{Constraints, Version};

/// Sort direction for alphabetical and numerical policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The greatest value wins (Flux's default).
    Asc,
    /// The smallest value wins.
    Desc,
}

/// How to choose among the (filtered) tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// A Masterminds/semver range; the highest matching version wins.
    Semver(String),
    /// Byte-wise string order.
    Alphabetical(Order),
    /// Tags read as Go reads floats; one non-number fails the policy.
    Numerical(Order),
    /// A Flux v1 expression: `semver:RANGE`, `regex:RE` or `glob:PATTERN`.
    Expression(String),
}

/// Flux's `filterTags`, applied before the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    /// A Go (RE2) regular expression; tags it does not match are dropped.
    pub pattern: String,
    /// A Go `Regexp.Expand` template (`$name`, `${name}`, `$1`) whose result
    /// is compared instead of the tag. Absent or empty: the tag itself.
    pub extract: Option<String>,
}

/// One tag as the registry listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub tag: String,
    /// Image creation time in milliseconds since the Unix epoch, if known.
    pub created: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRequest {
    /// Candidates in registry order; on a tie the first listed wins.
    pub candidates: Vec<Candidate>,
    pub selection: Selection,
    pub filter: Option<TagFilter>,
}

/// Why no tag was selected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The selection is invalid (bad range, unknown expression prefix...).
    #[error("{0}")]
    InvalidPolicy(String),
    /// The filter pattern does not compile.
    #[error("{0}")]
    InvalidFilter(String),
    /// A tag cannot be compared under the policy.
    #[error("{0}")]
    InvalidTag(String),
    /// The policy is valid but no candidate satisfies it.
    #[error("{0}")]
    NoMatch(String),
}

/// Selects a tag and returns it as written (not the extracted value).
///
/// The policy is checked before the filter, and both before the tags, so a
/// broken policy is reported even when there is nothing to choose from.
pub fn select(request: &PolicyRequest) -> Result<String, PolicyError> {
    let policy = Policy::compile(&request.selection)?;
    let filter = request.filter.as_ref().map(CompiledFilter::compile).transpose()?;
    if request.candidates.is_empty() {
        return Err(PolicyError::NoMatch("there are no tags to choose from".to_owned()));
    }
    let tags = match &filter {
        Some(filter) => filter.apply(&request.candidates),
        None => request
            .candidates
            .iter()
            .map(|candidate| FilteredTag { value: Cow::Borrowed(&candidate.tag), candidate })
            .collect(),
    };
    if let (Some(filter), true) = (&filter, tags.is_empty()) {
        return Err(PolicyError::NoMatch(format!("no tag matches the filter pattern {:?}", filter.pattern())));
    }
    policy.choose(&tags).map(|candidate| candidate.tag.clone())
}

/// A validated [`Selection`].
enum Policy<'a> {
    Semver { range: &'a str, constraints: Constraints },
    Alphabetical(Order),
    Numerical(Order),
    Expression { text: &'a str, expression: Expression<'a> },
}

impl<'a> Policy<'a> {
    fn compile(selection: &'a Selection) -> Result<Self, PolicyError> {
        Ok(match selection {
            Selection::Semver(range) => Policy::Semver {
                range,
                constraints: Constraints::parse(range)
                    .map_err(|e| PolicyError::InvalidPolicy(format!("invalid semver range {range:?}: {e}")))?,
            },
            Selection::Alphabetical(order) => Policy::Alphabetical(*order),
            Selection::Numerical(order) => Policy::Numerical(*order),
            Selection::Expression(text) => Policy::Expression { text, expression: Expression::parse(text)? },
        })
    }

    /// Chooses among `tags`, which is never empty.
    fn choose<'t>(&self, tags: &[FilteredTag<'t>]) -> Result<&'t Candidate, PolicyError> {
        match self {
            Policy::Semver { range, constraints } => {
                // Tags that are not versions are skipped, as in Flux.
                let matching = tags.iter().filter_map(|tag| {
                    let version = Version::parse_tag(&tag.value).ok().filter(|v| constraints.matches(v))?;
                    Some((tag.candidate, version))
                });
                pick(matching, |new, best| new > best)
                    .ok_or_else(|| PolicyError::NoMatch(format!("no tag satisfies semver range {range:?}")))
            }
            Policy::Alphabetical(order) => {
                let values = tags.iter().map(|tag| (tag.candidate, tag.value.as_ref()));
                Ok(pick(values, |new, best| in_order(*order, new, best)).unwrap_or(tags[0].candidate))
            }
            Policy::Numerical(order) => {
                let numbers = tags
                    .iter()
                    .map(|tag| {
                        weir_go_compat::strconv::parse_float(&tag.value)
                            .map(|n| (tag.candidate, n))
                            .ok_or_else(|| not_a_number(tag))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                // NaN is unordered: it never beats a number. (Flux's loop lets
                // a NaN listed last win, which depends on map order.)
                let winner = pick(numbers, |new, best| !new.is_nan() && (best.is_nan() || in_order(*order, new, best)));
                Ok(winner.unwrap_or(tags[0].candidate))
            }
            Policy::Expression { text, expression } => expression
                .choose(tags)
                .ok_or_else(|| PolicyError::NoMatch(format!("no tag matches expression {text:?}"))),
        }
    }
}

/// Whether `new` beats `best`: ascending order selects the greatest value,
/// descending the smallest (Flux's convention).
fn in_order<T: PartialOrd + ?Sized>(order: Order, new: &T, best: &T) -> bool {
    match order {
        Order::Asc => new > best,
        Order::Desc => new < best,
    }
}

fn not_a_number(tag: &FilteredTag<'_>) -> PolicyError {
    let tag_name = &tag.candidate.tag;
    PolicyError::InvalidTag(if tag.value == tag_name.as_str() {
        format!("tag {tag_name:?} is not a number")
    } else {
        format!("tag {tag_name:?} is not a number (extracted value {:?})", tag.value)
    })
}

/// The item whose key no later key beats: a later item replaces the choice
/// only when strictly better, so on a tie the first listed stays.
pub(crate) fn pick<T, K>(items: impl IntoIterator<Item = (T, K)>, better: impl Fn(&K, &K) -> bool) -> Option<T> {
    items.into_iter().reduce(|best, item| if better(&item.1, &best.1) { item } else { best }).map(|(winner, _)| winner)
}
