//! Go (RE2) regular expressions on top of the `regex` crate.
//!
//! Both engines share RE2's syntax and leftmost-first semantics, including
//! `(?P<name>…)` and `(?<name>…)`. Where their syntax differs the pattern is
//! rewritten to Go's meaning, or rejected as Go rejects it:
//! - `\Q…\E` quotes literal text in Go; the `regex` crate lacks it.
//! - Inside a class, Go reads `[`, `&&` and `~~` literally; the `regex` crate
//!   reads nested classes and set operations.
//! - A `{` that does not start a valid repetition is a literal in Go; counts
//!   above 1000 are an error.
//! - Go's only flags are `i`, `m`, `s` and `U`.
//!
//! - `\d`, `\w`, `\s` and `\b` (and their negations) are ASCII in Go and
//!   Unicode-aware in the `regex` crate: they are spelled out as Go's classes.

use regex::Regex;

/// Compiles `pattern` with Go's meaning; the error explains the rejection.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(&translate(pattern)?).map_err(|error| error.to_string())
}

/// `pattern` rewritten for the `regex` crate with Go's meaning, for callers
/// that compile it themselves (to report the crate's errors in Go's words).
pub fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut at = 0;
    while let Some(c) = pattern[at..].chars().next() {
        let rest = &pattern[at..];
        let mut taken = c.len_utf8();
        match c {
            '\\' if rest.starts_with("\\Q") && !in_class => {
                let quoted = &rest[2..];
                let (literal, used) =
                    quoted.find("\\E").map_or((quoted, quoted.len()), |end| (&quoted[..end], end + 2));
                out.push_str(&regex::escape(literal));
                taken = 2 + used;
            }
            '\\' if let Some(ascii) = rest[1..].chars().next().and_then(|class| ascii_class(class, in_class)) => {
                out.push_str(ascii);
                taken = 2;
            }
            '\\' => {
                // Keep an escape and its escaped character together so neither
                // is mistaken for syntax below.
                let escaped = rest[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..1 + escaped]);
                taken = 1 + escaped;
            }
            '[' if !in_class => {
                in_class = true;
                let negation = usize::from(rest[1..].starts_with('^'));
                out.push_str(&rest[..1 + negation]);
                taken = 1 + negation;
                // A `]` right after the opening is a member, not the end.
                if rest[taken..].starts_with(']') {
                    out.push_str("\\]");
                    taken += 1;
                }
            }
            '[' | '&' | '~' if in_class => match posix_class_len(rest).filter(|_| c == '[') {
                Some(len) => {
                    out.push_str(&rest[..len]);
                    taken = len;
                }
                None => {
                    out.push('\\');
                    out.push(c);
                }
            },
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '(' if !in_class && rest.starts_with("(?") && !rest.starts_with("(?P<") && !rest.starts_with("(?<") => {
                let flags = &rest[2..rest[2..].find([':', ')']).map_or(rest.len(), |end| end + 2)];
                if let Some(bad) = flags.chars().find(|f| !matches!(f, 'i' | 'm' | 's' | 'U' | '-')) {
                    return Err(format!("invalid or unsupported Perl syntax `(?{bad}`"));
                }
                out.push('(');
            }
            '{' if !in_class => match repetition(rest)? {
                Some(len) => {
                    out.push_str(&rest[..len]);
                    taken = len;
                }
                None => out.push_str("\\{"),
            },
            _ => out.push(c),
        }
        at += taken;
    }
    Ok(out)
}

/// Go's ASCII meaning of the Perl class `\\class`, in or out of a bracketed
/// class (the `regex` crate nests classes, so a negation can sit inside one).
fn ascii_class(class: char, in_class: bool) -> Option<&'static str> {
    Some(match (class, in_class) {
        ('d', false) => "[0-9]",
        ('d', true) => "0-9",
        ('D', _) => "[^0-9]",
        ('w', false) => "[0-9A-Za-z_]",
        ('w', true) => "0-9A-Za-z_",
        ('W', _) => "[^0-9A-Za-z_]",
        ('s', false) => "[\\t\\n\\f\\r ]",
        ('s', true) => "\\t\\n\\f\\r ",
        ('S', _) => "[^\\t\\n\\f\\r ]",
        ('b', false) => "(?-u:\\b)",
        ('B', false) => "(?-u:\\B)",
        _ => return None,
    })
}

/// The length of a POSIX class such as `[:alpha:]` or `[:^space:]` at the
/// start of `text`; any other `[` inside a class is a literal in Go.
fn posix_class_len(text: &str) -> Option<usize> {
    let name = text.strip_prefix("[:")?;
    let end = name.find(":]")?;
    let name = name[..end].strip_prefix('^').unwrap_or(&name[..end]);
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase())).then_some(end + 4)
}

/// The length of a Go repetition `{n}`, `{n,}` or `{n,m}` at the start of
/// `text`, or `None` where Go reads the `{` literally.
fn repetition(text: &str) -> Result<Option<usize>, String> {
    let Some(close) = text.find('}') else {
        return Ok(None);
    };
    let body = &text[1..close];
    let (min, max) = match body.split_once(',') {
        Some((min, max)) => (min, (!max.is_empty()).then_some(max)),
        None => (body, Some(body)),
    };
    // Go takes plain decimals without leading zeros as counts.
    let count = |s: &str| {
        let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && !(s.len() > 1 && s.starts_with('0'));
        plain.then(|| s.parse::<u64>().unwrap_or(u64::MAX))
    };
    let Some(min) = count(min) else {
        return Ok(None);
    };
    let max = match max {
        Some(max) => match count(max) {
            Some(max) => Some(max),
            None => return Ok(None),
        },
        None => None,
    };
    if min > 1000 || max.is_some_and(|max| max > 1000 || max < min) {
        return Err(format!("invalid repeat count `{}`", &text[..=close]));
    }
    Ok(Some(close + 1))
}
