//! Semantic versions and version ranges with the semantics of
//! Masterminds/semver v3, the library Flux's image-reflector-controller uses.
//!
//! Range syntax is Masterminds', not Cargo's: `1.2` means `1.2.x`, `^0.0`
//! means `>=0.0.0 <0.1.0`, hyphen ranges need spaces around the `-`, and a
//! prerelease version only satisfies an OR-group that names a prerelease.

use std::cmp::Ordering;
use std::fmt;

/// Why a version string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("not a semantic version")]
    Malformed,
    #[error("a numeric part has a leading zero")]
    LeadingZero,
    #[error("a numeric part does not fit in 64 bits")]
    TooLarge,
    #[error("the prerelease is not dot-separated identifiers without leading zeros")]
    Prerelease,
    #[error("the build metadata is not dot-separated identifiers")]
    Metadata,
}

/// Why a range was rejected; the message names the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RangeError(String);

/// A semantic version. Equality and ordering are SemVer precedence, so build
/// metadata takes part in neither (as Masterminds' `Compare` and `Equal`).
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    prerelease: String,
    metadata: String,
}

impl Version {
    /// Parses exactly `MAJOR.MINOR.PATCH[-PRE][+META]` with no leading zeros
    /// (Masterminds' `StrictNewVersion`).
    pub fn parse_strict(text: &str) -> Result<Version, VersionError> {
        let mut parts = text.splitn(3, '.');
        let (Some(major), Some(minor), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VersionError::Malformed);
        };
        // Metadata is cut off first, so a `-` inside it starts no prerelease.
        let (rest, metadata) = match rest.split_once('+') {
            Some((rest, metadata)) => (rest, validate_metadata(metadata)?),
            None => (rest, ""),
        };
        let (patch, prerelease) = match rest.split_once('-') {
            Some((patch, prerelease)) => (patch, validate_prerelease(prerelease)?),
            None => (rest, ""),
        };
        Ok(Version {
            major: strict_number(major)?,
            minor: strict_number(minor)?,
            patch: strict_number(patch)?,
            prerelease: prerelease.to_owned(),
            metadata: metadata.to_owned(),
        })
    }

    /// Parses an image tag as Flux does (fluxcd/pkg `version.ParseVersion`):
    /// one leading `v` is dropped, the rest must be a strict version.
    pub fn parse_tag(tag: &str) -> Result<Version, VersionError> {
        Version::parse_strict(tag.strip_prefix('v').unwrap_or(tag))
    }

    /// Parses a version leniently (Masterminds' `NewVersion`): an optional
    /// `v`, minor and patch may be left out (they read as 0), and numeric
    /// parts may have leading zeros.
    pub fn parse_lenient(text: &str) -> Result<Version, VersionError> {
        let scanned = scan_version(text, |b| b.is_ascii_digit()).ok_or(VersionError::Malformed)?;
        if scanned.len != text.len() {
            return Err(VersionError::Malformed);
        }
        let number = |segment: Option<&str>| segment.map_or(Ok(0), lenient_number);
        Ok(Version {
            major: number(Some(scanned.segments[0]))?,
            minor: number(scanned.segments.get(1).copied())?,
            patch: number(scanned.segments.get(2).copied())?,
            prerelease: scanned.validated_prerelease()?.to_owned(),
            metadata: scanned.metadata.to_owned(),
        })
    }

    pub fn major(&self) -> u64 {
        self.major
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The prerelease without its `-`; empty for a release.
    pub fn prerelease(&self) -> &str {
        &self.prerelease
    }

    /// The build metadata without its `+`; empty when there is none.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    fn is_prerelease(&self) -> bool {
        !self.prerelease.is_empty()
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            match (self.is_prerelease(), other.is_prerelease()) {
                (false, false) => Ordering::Equal,
                (false, true) => Ordering::Greater,
                (true, false) => Ordering::Less,
                (true, true) => compare_prereleases(&self.prerelease, &other.prerelease),
            }
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if self.is_prerelease() {
            write!(f, "-{}", self.prerelease)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

/// Compares dot-separated prerelease identifiers. An identifier missing on
/// one side sorts first, as does a numeric one against an alphanumeric one.
fn compare_prereleases(left: &str, right: &str) -> Ordering {
    let mut left = left.split('.');
    let mut right = right.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (l, r) => match compare_identifiers(l.unwrap_or(""), r.unwrap_or("")) {
                Ordering::Equal => continue,
                unequal => return unequal,
            },
        }
    }
}

fn compare_identifiers(left: &str, right: &str) -> Ordering {
    if left == right {
        return Ordering::Equal;
    }
    if left.is_empty() || right.is_empty() {
        return if left.is_empty() { Ordering::Less } else { Ordering::Greater };
    }
    // Upstream tells numbers by `ParseUint`, so digits past u64 count as text.
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u64>().ok()).flatten();
    match (numeric(left), numeric(right)) {
        (Some(l), Some(r)) => l.cmp(&r),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => left.cmp(right),
    }
}

fn strict_number(text: &str) -> Result<u64, VersionError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VersionError::Malformed);
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(VersionError::LeadingZero);
    }
    text.parse().map_err(|_| VersionError::TooLarge)
}

fn lenient_number(text: &str) -> Result<u64, VersionError> {
    text.parse().map_err(|_| VersionError::TooLarge)
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn validate_prerelease(prerelease: &str) -> Result<&str, VersionError> {
    for identifier in prerelease.split('.') {
        if identifier.is_empty() || !identifier.bytes().all(is_identifier_byte) {
            return Err(VersionError::Prerelease);
        }
        if identifier.len() > 1 && identifier.starts_with('0') && identifier.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VersionError::LeadingZero);
        }
    }
    Ok(prerelease)
}

fn validate_metadata(metadata: &str) -> Result<&str, VersionError> {
    if metadata.split('.').all(|id| !id.is_empty() && id.bytes().all(is_identifier_byte)) {
        Ok(metadata)
    } else {
        Err(VersionError::Metadata)
    }
}

/// The pieces of a version-like string found at the start of a text.
struct ScannedVersion<'a> {
    /// One to three numeric (or, in ranges, wildcard) parts.
    segments: Vec<&'a str>,
    prerelease: &'a str,
    metadata: &'a str,
    /// How many bytes the version took, including a leading `v`.
    len: usize,
}

impl ScannedVersion<'_> {
    /// The prerelease, empty when absent (the scanner never finds an empty one).
    fn validated_prerelease(&self) -> Result<&str, VersionError> {
        if self.prerelease.is_empty() { Ok("") } else { validate_prerelease(self.prerelease) }
    }
}

/// Reads `v?SEG(.SEG)?(.SEG)?(-IDS)?(+IDS)?` greedily from the start of
/// `text`, as upstream's regular expressions do. No shorter reading could
/// succeed where the greedy one fails: what follows a version in a range is
/// always a space, a comma or the end, and none of those is version text.
fn scan_version(text: &str, is_segment_byte: fn(u8) -> bool) -> Option<ScannedVersion<'_>> {
    let bytes = text.as_bytes();
    let segment_end = |from: usize| from + bytes[from..].iter().take_while(|b| is_segment_byte(**b)).count();
    let mut at = usize::from(bytes.first() == Some(&b'v'));
    let end = segment_end(at);
    if end == at {
        return None;
    }
    let mut segments = vec![&text[at..end]];
    at = end;
    while segments.len() < 3 && bytes.get(at) == Some(&b'.') {
        let end = segment_end(at + 1);
        if end == at + 1 {
            break;
        }
        segments.push(&text[at + 1..end]);
        at = end;
    }
    let mut suffix = |marker: u8| {
        if bytes.get(at) != Some(&marker) {
            return "";
        }
        let end = scan_identifiers(bytes, at + 1);
        let found = &text[at + 1..end];
        if !found.is_empty() {
            at = end;
        }
        found
    };
    let prerelease = suffix(b'-');
    let metadata = suffix(b'+');
    Some(ScannedVersion { segments, prerelease, metadata, len: at })
}

/// The end of `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*` starting at `from`.
fn scan_identifiers(bytes: &[u8], from: usize) -> usize {
    let identifier_end = |start: usize| start + bytes[start..].iter().take_while(|b| is_identifier_byte(**b)).count();
    let mut end = identifier_end(from);
    if end == from {
        return from;
    }
    while bytes.get(end) == Some(&b'.') {
        let next = identifier_end(end + 1);
        if next == end + 1 {
            break;
        }
        end = next;
    }
    end
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `=` or no operator: exact, or tilde-like when wildcarded.
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    /// `~` and `~>`.
    Tilde,
    Caret,
}

/// The first version part that was a wildcard or left out (`1.2` is `1.2.x`);
/// later parts then read as 0 and are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wildcard {
    None,
    Patch,
    Minor,
    Major,
}

#[derive(Debug, Clone)]
struct Constraint {
    operator: Operator,
    version: Version,
    wildcard: Wildcard,
}

/// Constraints that must all hold (joined by spaces or commas).
#[derive(Debug, Clone)]
struct Group {
    constraints: Vec<Constraint>,
    /// Whether any constraint names a prerelease; only then may prerelease
    /// versions satisfy the group (Masterminds v3.2+ decides per OR-group).
    admits_prereleases: bool,
}

/// A parsed version range: OR-groups (`||`) of AND-ed constraints.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Group>,
}

impl Constraints {
    pub fn parse(range: &str) -> Result<Constraints, RangeError> {
        let groups = rewrite_hyphen_ranges(range).split("||").map(parse_group).collect::<Result<_, _>>()?;
        Ok(Constraints { groups })
    }

    /// Whether `version` satisfies the range.
    pub fn matches(&self, version: &Version) -> bool {
        self.groups.iter().any(|group| {
            group.constraints.iter().all(|constraint| constraint.admits(version, group.admits_prereleases))
        })
    }

    /// The tag naming the highest version in the range, tags read as Flux reads them
    /// ([`Version::parse_tag`]; others are skipped). Of equal versions (`v1.0.0`, `1.0.0`) the
    /// greater name wins, so the choice does not depend on the order tags were listed in.
    pub fn highest_tag<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        tags.into_iter()
            .filter_map(|tag| Version::parse_tag(tag).ok().map(|version| (version, tag)))
            .filter(|(version, _)| self.matches(version))
            .max()
            .map(|(_, tag)| tag)
    }
}

fn is_space(b: u8) -> bool {
    // RE2's `\s`, which upstream's patterns use.
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

fn skip_spaces(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..].iter().take_while(|b| is_space(**b)).count()
}

fn is_constraint_segment_byte(b: u8) -> bool {
    // Upstream's class `[0-9|x|X|\*]` also admits `|`; such a part is later
    // rejected as not a number, as upstream does.
    b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*' | b'|')
}

/// Rewrites each `A - B` into `>= A, <= B ` as upstream does, textually and
/// before the split on `||`. Doing it on the text (not on parsed tokens)
/// keeps upstream's quirks: `>=1 - 2` becomes `>=>= 1, <= 2 `, which fails.
fn rewrite_hyphen_ranges(range: &str) -> String {
    let bytes = range.as_bytes();
    let version_end = |at: usize| scan_version(&range[at..], is_constraint_segment_byte).map(|v| at + v.len);
    // Upstream's `\s*(CV)\s+-\s+(CV)\s*`, tried at `start`.
    let hyphen_range_at = |start: usize| -> Option<(usize, &str, &str)> {
        let low_start = skip_spaces(bytes, start);
        let low_end = version_end(low_start)?;
        let dash = skip_spaces(bytes, low_end);
        if dash == low_end || bytes.get(dash) != Some(&b'-') {
            return None;
        }
        let high_start = skip_spaces(bytes, dash + 1);
        if high_start == dash + 1 {
            return None;
        }
        let high_end = version_end(high_start)?;
        let end = skip_spaces(bytes, high_end);
        Some((end, &range[low_start..low_end], &range[high_start..high_end]))
    };
    let mut rewritten = String::with_capacity(range.len());
    let mut copied = 0;
    let mut start = 0;
    while start < bytes.len() {
        match hyphen_range_at(start) {
            Some((end, low, high)) => {
                rewritten.push_str(&range[copied..start]);
                rewritten.push_str(&format!(">= {low}, <= {high} "));
                copied = end;
                start = end;
            }
            None => start += 1,
        }
    }
    rewritten.push_str(&range[copied..]);
    rewritten
}

fn parse_group(group: &str) -> Result<Group, RangeError> {
    let improper = || RangeError(format!("improper constraint {:?}", group.trim()));
    let bytes = group.as_bytes();
    let mut at = skip_spaces(bytes, 0);
    let mut constraints = Vec::new();
    loop {
        let (operator, version_start) = scan_operator(group, at);
        let version_start = skip_spaces(bytes, version_start);
        let scanned = scan_version(&group[version_start..], is_constraint_segment_byte).ok_or_else(improper)?;
        let end = version_start + scanned.len;
        constraints.push(build_constraint(operator, &scanned, &group[at..end])?);
        let next = skip_spaces(bytes, end);
        at = match bytes.get(next) {
            None => break,
            Some(b',') => skip_spaces(bytes, next + 1),
            // Constraints must be separated by a comma or by spaces.
            Some(_) if next > end => next,
            Some(_) => return Err(improper()),
        };
    }
    let admits_prereleases = constraints.iter().any(|c| c.version.is_prerelease());
    Ok(Group { constraints, admits_prereleases })
}

fn scan_operator(text: &str, at: usize) -> (Operator, usize) {
    let rest = &text[at..];
    let two = [
        ("!=", Operator::NotEqual),
        (">=", Operator::GreaterOrEqual),
        ("=>", Operator::GreaterOrEqual),
        ("<=", Operator::LessOrEqual),
        ("=<", Operator::LessOrEqual),
        ("~>", Operator::Tilde),
    ];
    let one = [
        ("=", Operator::Equal),
        (">", Operator::Greater),
        ("<", Operator::Less),
        ("~", Operator::Tilde),
        ("^", Operator::Caret),
    ];
    two.iter()
        .chain(one.iter())
        .find(|(symbol, _)| rest.starts_with(symbol))
        .map_or((Operator::Equal, at), |(symbol, operator)| (*operator, at + symbol.len()))
}

fn build_constraint(operator: Operator, scanned: &ScannedVersion<'_>, text: &str) -> Result<Constraint, RangeError> {
    let is_wildcard = |segment: Option<&&str>| segment.is_none_or(|s| matches!(*s, "x" | "X" | "*"));
    let number = |segment: &str| {
        if !segment.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RangeError(format!("{segment:?} is not a version number in constraint {text:?}")));
        }
        segment.parse::<u64>().map_err(|_| RangeError(format!("{segment:?} is too large in constraint {text:?}")))
    };
    let segments = &scanned.segments;
    let (wildcard, major, minor, patch) = if is_wildcard(segments.first()) {
        (Wildcard::Major, 0, 0, 0)
    } else if is_wildcard(segments.get(1)) {
        (Wildcard::Minor, number(segments[0])?, 0, 0)
    } else if is_wildcard(segments.get(2)) {
        (Wildcard::Patch, number(segments[0])?, number(segments[1])?, 0)
    } else {
        (Wildcard::None, number(segments[0])?, number(segments[1])?, number(segments[2])?)
    };
    let prerelease = scanned
        .validated_prerelease()
        .map_err(|e| RangeError(format!("invalid prerelease in constraint {text:?}: {e}")))?;
    let version = Version {
        major,
        minor,
        patch,
        prerelease: prerelease.to_owned(),
        // Upstream keeps metadata only on fully specified versions; it never
        // affects a comparison either way.
        metadata: if wildcard == Wildcard::None { scanned.metadata.to_owned() } else { String::new() },
    };
    Ok(Constraint { operator, version, wildcard })
}

impl Constraint {
    /// Mirrors upstream's per-operator check functions, quirks included
    /// (e.g. `^*` and `<=*` only admit `0.0.x`, `~0.0.0` admits everything).
    fn admits(&self, v: &Version, admit_prerelease: bool) -> bool {
        if v.is_prerelease() && !admit_prerelease {
            return false;
        }
        let c = &self.version;
        let wildcarded = self.wildcard != Wildcard::None;
        let minor_wild = self.wildcard == Wildcard::Minor;
        let patch_wild = self.wildcard == Wildcard::Patch;
        match self.operator {
            Operator::Equal if wildcarded => self.tilde(v),
            Operator::Equal => v == c,
            Operator::NotEqual if wildcarded => {
                if v.major != c.major {
                    true
                } else if minor_wild {
                    // `!=1.x` excludes all of 1.
                    false
                } else if v.minor != c.minor {
                    true
                } else if patch_wild {
                    // `!=1.2` excludes all of 1.2 unless the prereleases differ.
                    (v.is_prerelease() || c.is_prerelease())
                        && compare_prereleases(&v.prerelease, &c.prerelease) != Ordering::Equal
                } else {
                    // `!=*` reads as `!=0.0.0`.
                    v != c
                }
            }
            Operator::NotEqual => v != c,
            Operator::Greater if wildcarded => match v.major.cmp(&c.major) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal if minor_wild => false,
                Ordering::Equal if patch_wild => v.minor > c.minor,
                Ordering::Equal => v > c,
            },
            Operator::Greater => v > c,
            Operator::Less => v < c,
            Operator::GreaterOrEqual => v >= c,
            Operator::LessOrEqual if wildcarded => {
                !(v.major > c.major || (v.major == c.major && v.minor > c.minor && !minor_wild))
            }
            Operator::LessOrEqual => v <= c,
            Operator::Tilde => self.tilde(v),
            Operator::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v < c {
            return false;
        }
        // `~0.0.0` (and `~*`) admits everything at or above 0.0.0.
        if (c.major, c.minor, c.patch) == (0, 0, 0) && !matches!(self.wildcard, Wildcard::Minor | Wildcard::Patch) {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.wildcard == Wildcard::Minor)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.version;
        if v < c {
            return false;
        }
        if c.major > 0 || self.wildcard == Wildcard::Minor {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.wildcard == Wildcard::Patch {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }
}
