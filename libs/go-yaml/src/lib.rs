//! YAML as the Go tools (kubectl, kustomize, Flux, sops) read and write it:
//! weir's one YAML stack. The host and the plugins read and write YAML only
//! through this crate, so a manifest means the same thing in the API server,
//! the applier, the CLI and the plugins.
//!
//! - Reading ([`parse_stream`], [`parse_stream_with`], [`parse_documents`]):
//!   yaml-rust2's event parser with go-yaml v3's scalar resolution, into
//!   `serde_json::Value`; [`ParseOptions`] holds the variations callers need
//!   (YAML 1.1 booleans, kustomize's label text, refusing aliases).
//! - Writing ([`emit_document`], [`emit_stream`]): a block emitter that prints
//!   what kustomize (go-yaml v3 through kyaml) prints.
//! - The pieces both rest on, shared with the writers that keep their own tree
//!   (the SOPS YAML store, Helm's `toYaml`): libyaml's scalar analysis, which
//!   decides between plain, quoted and block styles, go-yaml's resolution of
//!   plain scalars, and Go's shortest float formatting.

mod read;
mod resolve;
mod write;

pub use read::{MAX_DEPTH, ParseError, ParseOptions, parse_documents, parse_stream, parse_stream_with, resolve_plain};
pub use resolve::{is_base60_float, is_old_bool, is_timestamp};
pub use write::{emit_document, emit_stream, format_number};

use weir_go_compat::strconv;

pub fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

pub fn is_printable(c: char) -> bool {
    let v = c as u32;
    // go-yaml's test: no C1 controls (U+0085 included) and nothing beyond the BMP.
    v == 0x0a
        || (0x20..=0x7e).contains(&v)
        || (0xa0..=0xd7ff).contains(&v)
        || ((0xe000..=0xfffd).contains(&v) && v != 0xfeff)
}

/// Which styles a scalar may be written in, as libyaml's analysis decides.
pub struct Analysis {
    pub block_plain_allowed: bool,
    pub single_quoted_allowed: bool,
    pub block_allowed: bool,
}

/// libyaml's scalar analysis (`yaml_emitter_analyze_scalar`), reduced to what decides the style.
pub fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis { block_plain_allowed: true, single_quoted_allowed: true, block_allowed: false };
    }
    let chars: Vec<char> = s.chars().collect();
    let blankz = |c: Option<&char>| match c {
        None => true,
        Some(&c) => c == ' ' || c == '\t' || c == '\0' || is_break(c),
    };
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) = (false, false, false, false);
    let mut line_breaks = false;
    let mut special = false;
    let mut preceded_by_ws = true;
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let followed_by_ws = blankz(chars.get(i + 1));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true
                }
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) || c == '\u{feff}' {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == n - 1 {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i == n - 1 {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_break = true;
            previous_space = false;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = blankz(Some(&c));
    }
    let mut a = Analysis { block_plain_allowed: true, single_quoted_allowed: true, block_allowed: true };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` for a finite `f`; each writer spells NaN and infinities its own way.
pub fn format_float_g(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut s = String::from(sign);
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}", exp.abs()));
        return s;
    }
    let dp = exp + 1;
    let mut s = String::from(sign);
    if dp <= 0 {
        s.push_str("0.");
        for _ in 0..(-dp) {
            s.push('0');
        }
        s.push_str(&digits);
    } else {
        let dp = dp as usize;
        if digits.len() <= dp {
            s.push_str(&digits);
            for _ in digits.len()..dp {
                s.push('0');
            }
        } else {
            s.push_str(&digits[..dp]);
            s.push('.');
            s.push_str(&digits[dp..]);
        }
    }
    s
}

/// How a double-quoted scalar writes `c`: its escape (`\n`, `\x07`, `\u2028`, ...) when
/// libyaml escapes it, `None` when it is written as is.
pub fn double_quoted_escape(c: char) -> Option<String> {
    if is_printable(c) && c != '\u{feff}' && !is_break(c) && c != '"' && c != '\\' {
        return None;
    }
    let short = match c {
        '\0' => '0',
        '\u{7}' => 'a',
        '\u{8}' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\u{b}' => 'v',
        '\u{c}' => 'f',
        '\r' => 'r',
        '\u{1b}' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{a0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => {
            let v = c as u32;
            return Some(match v {
                0..=0xff => format!("\\x{v:02X}"),
                0x100..=0xffff => format!("\\u{v:04X}"),
                _ => format!("\\U{v:08X}"),
            });
        }
    };
    Some(format!("\\{short}"))
}

/// An integer as go-yaml resolves a plain scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoInt {
    Int(i64),
    /// Above `i64::MAX`: `ParseUint` took it.
    Uint(u64),
}

/// `strconv.ParseInt(s, 0, 64)`, then `ParseUint`, as go-yaml resolves
/// integers. go-yaml drops every `_` before calling strconv, so callers pass
/// text without them; text still holding one is not an integer here.
pub fn parse_int(s: &str) -> Option<GoInt> {
    if s.contains('_') {
        return None;
    }
    strconv::parse_int(s).map(GoInt::Int).or_else(|| strconv::parse_uint(s).map(GoInt::Uint))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        for (value, printed) in [
            (1.0, "1"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-07"),
            (0.1, "0.1"),
            (123456.5, "123456.5"),
            (-0.0, "-0"),
        ] {
            assert_eq!(format_float_g(value), printed);
        }
        assert_eq!(format_float_g(1.2345678901234569e23), "1.2345678901234569e+23");
    }

    #[test]
    fn analysis_decides_styles() {
        let plain = analyze("hello world");
        assert!(plain.block_plain_allowed && plain.single_quoted_allowed && plain.block_allowed);
        assert!(!analyze("a: b").block_plain_allowed);
        assert!(!analyze("- item").block_plain_allowed);
        assert!(!analyze("trailing ").block_plain_allowed);
        assert!(!analyze("line\nbreak").block_plain_allowed);
        assert!(!analyze("tab\u{7}").single_quoted_allowed);
        let empty = analyze("");
        assert!(empty.block_plain_allowed && !empty.block_allowed);
    }

    #[test]
    fn integers_and_floats_resolve_as_go_yaml_does() {
        assert_eq!(parse_int("0x1F"), Some(GoInt::Int(31)));
        assert_eq!(parse_int("017"), Some(GoInt::Int(15)));
        assert_eq!(parse_int("-9223372036854775808"), Some(GoInt::Int(i64::MIN)));
        assert_eq!(parse_int("18446744073709551615"), Some(GoInt::Uint(u64::MAX)));
        assert_eq!(parse_int("+18446744073709551615"), None);
        assert_eq!(parse_int("1_000"), None);
        assert!(is_yaml_float("1.5e3") && is_yaml_float(".5") && is_yaml_float("-2."));
        assert!(!is_yaml_float("1.2.3") && !is_yaml_float("e3"));
    }

    #[test]
    fn double_quoted_escapes() {
        assert_eq!(double_quoted_escape('a'), None);
        assert_eq!(double_quoted_escape('é'), None);
        assert_eq!(double_quoted_escape('\n').as_deref(), Some("\\n"));
        assert_eq!(double_quoted_escape('"').as_deref(), Some("\\\""));
        assert_eq!(double_quoted_escape('\u{1}').as_deref(), Some("\\x01"));
        assert_eq!(double_quoted_escape('\u{feff}').as_deref(), Some("\\uFEFF"));
        assert_eq!(double_quoted_escape('😀').as_deref(), Some("\\U0001F600"));
    }
}
