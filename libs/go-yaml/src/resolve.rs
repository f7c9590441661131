//! go-yaml v3's resolution of untagged plain scalars (`resolve.go`): which
//! text reads as null, a boolean, a number or a timestamp. The reader turns
//! plain scalars into values by it; the writer quotes every string that would
//! not read back as a string.

use crate::{GoInt, is_yaml_float, parse_int};

/// What an untagged plain scalar resolves to.
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Timestamp,
    Str,
}

/// How go-yaml v3 resolves an untagged plain scalar.
pub(crate) fn plain_kind(s: &str) -> Kind {
    let Some(first) = s.chars().next() else {
        return Kind::Null;
    };
    match first {
        'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' | '~' => match s {
            "true" | "True" | "TRUE" => Kind::Bool(true),
            "false" | "False" | "FALSE" => Kind::Bool(false),
            "~" | "null" | "Null" | "NULL" => Kind::Null,
            _ => Kind::Str,
        },
        '.' => match s {
            ".inf" | ".Inf" | ".INF" => Kind::Float(f64::INFINITY),
            ".nan" | ".NaN" | ".NAN" => Kind::Float(f64::NAN),
            _ => {
                if is_yaml_float(s) {
                    s.parse::<f64>().map(Kind::Float).unwrap_or(Kind::Str)
                } else {
                    Kind::Str
                }
            }
        },
        '+' | '-' | '0'..='9' => {
            match s {
                "+.inf" | "+.Inf" | "+.INF" => return Kind::Float(f64::INFINITY),
                "-.inf" | "-.Inf" | "-.INF" => return Kind::Float(f64::NEG_INFINITY),
                _ => {}
            }
            if is_timestamp(s) {
                return Kind::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Some(k) = parse_int(&plain).map(|int| match int {
                GoInt::Int(value) => Kind::Int(value),
                GoInt::Uint(value) => Kind::Uint(value),
            }) {
                return k;
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
            {
                return Kind::Float(f);
            }
            Kind::Str
        }
        _ => Kind::Str,
    }
}

/// Whether the writer may print this string unquoted as far as resolution
/// goes: it must read back as a string under YAML 1.2 and 1.1 alike
/// (go-yaml v3 also quotes `yes`, `on`, `1:20`, ... for YAML 1.1 readers).
pub(crate) fn can_use_plain(s: &str) -> bool {
    if s == "<<" {
        return true;
    }
    matches!(plain_kind(s), Kind::Str) && !is_base60_float(s) && !is_old_bool(s)
}

/// YAML 1.1's booleans that YAML 1.2 reads as strings: `y`, `yes`, `on`,
/// `n`, `no`, `off` in go-yaml's spellings (go-yaml v2 still reads them as booleans).
pub fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
    )
}

/// go-yaml's timestamp forms (`parseTimestamp`): `2006-1-2`, optionally
/// followed by `T`/`t`/space and `15:4:5` with a fraction, and with `T`/`t` a zone.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, min: usize, max: usize| {
        let n = b[from.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        (min..=max).contains(&n).then_some(from + n)
    };
    let date = || -> Option<usize> {
        let at = digits(0, 4, 4)?;
        let at = (b.get(at) == Some(&b'-')).then_some(at + 1)?;
        let at = digits(at, 1, 2)?;
        let at = (b.get(at) == Some(&b'-')).then_some(at + 1)?;
        digits(at, 1, 2)
    };
    let Some(end) = date() else { return false };
    if end == b.len() {
        return true;
    }
    let zoned = b[end] == b'T' || b[end] == b't';
    if !zoned && b[end] != b' ' {
        return false;
    }
    let time = || -> Option<usize> {
        let at = digits(end + 1, 1, 2)?;
        let at = (b.get(at) == Some(&b':')).then_some(at + 1)?;
        let at = digits(at, 1, 2)?;
        let at = (b.get(at) == Some(&b':')).then_some(at + 1)?;
        let at = digits(at, 1, 2)?;
        Some(if b.get(at) == Some(&b'.') { digits(at + 1, 1, 9)? } else { at })
    };
    let Some(at) = time() else { return false };
    let rest = &s[at..];
    if !zoned {
        return rest.is_empty();
    }
    rest == "Z" || {
        let z = rest.as_bytes();
        z.len() == 6
            && (z[0] == b'+' || z[0] == b'-')
            && z[3] == b':'
            && rest.get(1..3).is_some_and(|h| h.parse::<u8>().is_ok())
    }
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`: YAML 1.1 sexagesimal floats.
pub fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (main, frac) = body.split_once('.').unwrap_or((body, ""));
    if !frac.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or("");
    if !head.starts_with(|c: char| c.is_ascii_digit()) || !head.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let mut sexagesimal = 0;
    for part in parts {
        let ok = match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
        sexagesimal += 1;
    }
    sexagesimal > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_sexagesimals() {
        assert!(is_timestamp("2001-12-14") && is_timestamp("2001-12-14 10:00:00") && !is_timestamp("2001-12"));
        assert!(is_timestamp("2001-12-14t21:59:43.10-05:00") && is_timestamp("2001-12-14T21:59:43Z"));
        // A zone needs the `T` form, as in Go's layouts.
        assert!(!is_timestamp("2001-12-14 21:59:43.10 -5"));
        assert!(is_base60_float("1:20") && is_base60_float("-190:20:30.15") && is_base60_float("1:2"));
        assert!(!is_base60_float("1:2:") && !is_base60_float("a:1") && !is_base60_float("1:60"));
        assert!(!is_base60_float("1:2.3.4") && !is_base60_float("1.5:20") && !is_base60_float("12"));
    }

    #[test]
    fn plain_strings_that_would_read_back_otherwise_are_quoted() {
        for quoted in ["true", "1", "1.5", "~", "null", "yes", "Off", "1:20", "2001-12-14", "0x1F", ".inf", ""] {
            assert!(!can_use_plain(quoted), "{quoted}");
        }
        for plain in ["<<", "hello", "1.2.3", "a1", "Yes please"] {
            assert!(can_use_plain(plain), "{plain}");
        }
    }
}
