//! Sprig's string functions. Several come from Go helper libraries that work
//! on bytes rather than characters (goutils' `nospace`, `initials`, `wrap`;
//! Go's slicing in `trunc`, `substr`); those keep the byte semantics.

use weir_gotemplate::{FuncMap, Map, Value};

use crate::args::{Arity, define, elements, fail, int, string};
use crate::convert::strval;

pub fn register(map: &mut FuncMap) {
    define(map, "hello", Arity::Exact(0), |_| Ok(Value::from("Hello!")));
    define(map, "trim", Arity::Exact(1), |args| Ok(Value::from(string(&args[0])?.trim())));
    define(map, "upper", Arity::Exact(1), |args| Ok(Value::from(map_chars(&string(&args[0])?, upper_char))));
    define(map, "lower", Arity::Exact(1), |args| Ok(Value::from(map_chars(&string(&args[0])?, lower_char))));
    define(map, "title", Arity::Exact(1), |args| Ok(Value::from(title(&string(&args[0])?))));
    define(map, "untitle", Arity::Exact(1), |args| Ok(Value::from(untitle(&string(&args[0])?))));
    define(map, "substr", Arity::Exact(3), |args| {
        let (start, end, s) = (int(&args[0])?, int(&args[1])?, string(&args[2])?);
        substring(start, end, &s).map(Value::from)
    });
    define(map, "repeat", Arity::Exact(2), |args| {
        let (count, s) = (int(&args[0])?, string(&args[1])?);
        if count < 0 {
            return Err(fail("strings: negative Repeat count"));
        }
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if s.len().checked_mul(count).is_none_or(|n| n > isize::MAX as usize) {
            return Err(fail("strings: Repeat output length overflow"));
        }
        Ok(Value::from(s.repeat(count)))
    });
    for name in ["trimall", "trimAll"] {
        define(map, name, Arity::Exact(2), |args| {
            let (cutset, s) = (string(&args[0])?, string(&args[1])?);
            Ok(Value::from(s.trim_matches(|c| cutset.contains(c))))
        });
    }
    define(map, "trimSuffix", Arity::Exact(2), |args| {
        let (suffix, s) = (string(&args[0])?, string(&args[1])?);
        Ok(Value::from(s.strip_suffix(&*suffix).unwrap_or(&s)))
    });
    define(map, "trimPrefix", Arity::Exact(2), |args| {
        let (prefix, s) = (string(&args[0])?, string(&args[1])?);
        Ok(Value::from(s.strip_prefix(&*prefix).unwrap_or(&s)))
    });
    define(map, "nospace", Arity::Exact(1), |args| Ok(Value::from(nospace(&string(&args[0])?))));
    define(map, "initials", Arity::Exact(1), |args| Ok(Value::from(initials(&string(&args[0])?))));
    define(map, "swapcase", Arity::Exact(1), |args| Ok(Value::from(swapcase(&string(&args[0])?))));
    define(map, "snakecase", Arity::Exact(1), |args| {
        Ok(Value::from(crate::casing::to_lower_case(&string(&args[0])?, '_')))
    });
    define(map, "kebabcase", Arity::Exact(1), |args| {
        Ok(Value::from(crate::casing::to_lower_case(&string(&args[0])?, '-')))
    });
    define(map, "camelcase", Arity::Exact(1), |args| Ok(Value::from(crate::casing::to_camel_case(&string(&args[0])?))));
    define(map, "wrap", Arity::Exact(2), |args| Ok(Value::from(wrap(&string(&args[1])?, int(&args[0])?, "\n", false))));
    define(map, "wrapWith", Arity::Exact(3), |args| {
        Ok(Value::from(wrap(&string(&args[2])?, int(&args[0])?, &string(&args[1])?, true)))
    });
    define(map, "contains", Arity::Exact(2), |args| Ok(Value::Bool(string(&args[1])?.contains(&*string(&args[0])?))));
    define(map, "hasPrefix", Arity::Exact(2), |args| {
        Ok(Value::Bool(string(&args[1])?.starts_with(&*string(&args[0])?)))
    });
    define(map, "hasSuffix", Arity::Exact(2), |args| Ok(Value::Bool(string(&args[1])?.ends_with(&*string(&args[0])?))));
    // Both skip nil arguments; `quote` quotes like Go's `%q`, `squote` wraps `%v` in single quotes.
    define(map, "quote", Arity::AtLeast(0), |args| {
        Ok(Value::from(non_nil(args).map(|v| weir_gotemplate::quote(&strval(v))).collect::<Vec<_>>().join(" ")))
    });
    define(map, "squote", Arity::AtLeast(0), |args| {
        Ok(Value::from(non_nil(args).map(|v| format!("'{v}'")).collect::<Vec<_>>().join(" ")))
    });
    define(map, "cat", Arity::AtLeast(0), |args| {
        Ok(Value::from(non_nil(args).map(|v| v.to_string()).collect::<Vec<_>>().join(" ")))
    });
    define(map, "indent", Arity::Exact(2), |args| Ok(Value::from(indent(int(&args[0])?, &string(&args[1])?)?)));
    define(map, "nindent", Arity::Exact(2), |args| {
        Ok(Value::from(format!("\n{}", indent(int(&args[0])?, &string(&args[1])?)?)))
    });
    define(map, "replace", Arity::Exact(3), |args| {
        let (old, new, s) = (string(&args[0])?, string(&args[1])?, string(&args[2])?);
        Ok(Value::from(go_replace(&s, &old, &new)))
    });
    define(map, "plural", Arity::Exact(3), |args| {
        let (one, many, count) = (string(&args[0])?, string(&args[1])?, int(&args[2])?);
        Ok(Value::String(if count == 1 { one } else { many }))
    });
    define(map, "toString", Arity::Exact(1), |args| Ok(Value::from(strval(&args[0]))));
    define(map, "trunc", Arity::Exact(2), |args| Ok(Value::from(trunc(int(&args[0])?, &string(&args[1])?))));
    define(map, "abbrev", Arity::Exact(2), |args| {
        let (width, s) = (int(&args[0])?, string(&args[1])?);
        Ok(Value::from(if width < 4 { s.to_string() } else { abbreviate(&s, 0, width) }))
    });
    define(map, "abbrevboth", Arity::Exact(3), |args| {
        let (left, right, s) = (int(&args[0])?, int(&args[1])?, string(&args[2])?);
        Ok(Value::from(if right < 4 || (left > 0 && right < 7) { s.to_string() } else { abbreviate(&s, left, right) }))
    });
    define(map, "split", Arity::Exact(2), |args| {
        let (sep, s) = (string(&args[0])?, string(&args[1])?);
        Ok(numbered_parts(go_split(&s, &sep, -1)))
    });
    define(map, "splitn", Arity::Exact(3), |args| {
        let (sep, n, s) = (string(&args[0])?, int(&args[1])?, string(&args[2])?);
        Ok(numbered_parts(go_split(&s, &sep, n)))
    });
    define(map, "splitList", Arity::Exact(2), |args| {
        let (sep, s) = (string(&args[0])?, string(&args[1])?);
        Ok(Value::list(go_split(&s, &sep, -1).into_iter().map(Value::from).collect()))
    });
    define(map, "toStrings", Arity::Exact(1), |args| Ok(string_list(strslice(&args[0]))));
    define(map, "join", Arity::Exact(2), |args| Ok(Value::from(strslice(&args[1]).join(&*string(&args[0])?))));
    define(map, "sortAlpha", Arity::Exact(1), |args| {
        // Sprig sorts only slices; anything else comes back as a one-element list.
        let mut items = match elements(&args[0]) {
            Some(_) => strslice(&args[0]),
            None => vec![strval(&args[0])],
        };
        items.sort();
        Ok(string_list(items))
    });
}

fn non_nil(args: &[Value]) -> impl Iterator<Item = &Value> {
    args.iter().filter(|v| !matches!(v, Value::Nil))
}

fn string_list(items: Vec<String>) -> Value {
    Value::list(items.into_iter().map(Value::from).collect())
}

/// Sprig's `strslice`: a slice's non-nil elements as strings, nil as no
/// strings, anything else as one string.
pub fn strslice(value: &Value) -> Vec<String> {
    match elements(value) {
        Some(items) => items.iter().filter(|v| !matches!(v, Value::Nil)).map(strval).collect(),
        None if matches!(value, Value::Nil) => vec![],
        None => vec![strval(value)],
    }
}

/// `split`'s result: a map from `_0`, `_1`, … to the parts.
fn numbered_parts(parts: Vec<String>) -> Value {
    let map: Map = parts.into_iter().enumerate().map(|(i, p)| (format!("_{i}"), Value::from(p))).collect();
    Value::map(map)
}

/// Go's `strings.SplitN` (`n < 0`: all parts; `n == 0`: none); an empty
/// separator splits between characters.
pub fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    let limit = if n < 0 { usize::MAX } else { usize::try_from(n).unwrap_or(usize::MAX) };
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let mut parts: Vec<String> = chars.iter().take(limit.saturating_sub(1)).map(|c| c.to_string()).collect();
        let used = parts.len();
        if used < chars.len() {
            parts.push(chars[used..].iter().collect());
        }
        return parts;
    }
    s.splitn(limit, sep).map(str::to_owned).collect()
}

/// Go's `strings.Replace(s, old, new, -1)`: an empty `old` inserts `new`
/// around every character.
fn go_replace(s: &str, old: &str, new: &str) -> String {
    if !old.is_empty() {
        return s.replace(old, new);
    }
    let mut out = String::from(new);
    for c in s.chars() {
        out.push(c);
        out.push_str(new);
    }
    out
}

/// Each character through a one-to-one case mapping (Go's `unicode.ToUpper`
/// never turns one character into several, as `ß` → `SS` would).
fn map_chars(s: &str, f: fn(char) -> char) -> String {
    s.chars().map(f).collect()
}

pub fn upper_char(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

pub fn lower_char(c: char) -> char {
    single(c.to_lowercase()).unwrap_or(c)
}

fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

/// Go's `strings.Title`: upper-case each letter that follows a separator
/// (anything but letters, digits and `_`).
fn title(s: &str) -> String {
    let mut previous = ' ';
    s.chars()
        .map(|c| {
            let separator = if previous.is_ascii() {
                !(previous.is_ascii_alphanumeric() || previous == '_')
            } else {
                previous.is_whitespace()
            };
            previous = c;
            if separator { upper_char(c) } else { c }
        })
        .collect()
}

/// goutils' `Uncapitalize`: lower-case the first letter of each
/// whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                lower_char(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils' `SwapCase`: upper to lower, lower to upper (title case after whitespace).
fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() {
                lower_char(c)
            } else if c.is_lowercase() {
                upper_char(c)
            } else {
                c
            }
        })
        .collect()
}

/// Go's `unicode.IsSpace` for a single byte read as a rune.
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// goutils' `DeleteWhiteSpace`, which reads the string byte by byte: it
/// rebuilds non-ASCII text from single bytes (as Latin-1), which mangles it.
fn nospace(s: &str) -> String {
    if !s.bytes().any(is_space_byte) {
        return s.to_owned();
    }
    s.bytes().filter(|b| !is_space_byte(*b)).map(char::from).collect()
}

/// goutils' `Initials`, byte by byte like `nospace`.
fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for b in s.bytes() {
        if is_space_byte(b) {
            gap = true;
        } else if gap {
            out.push(char::from(b));
            gap = false;
        }
    }
    out
}

fn indent(spaces: i64, s: &str) -> Result<String, weir_gotemplate::FuncError> {
    let Ok(spaces) = usize::try_from(spaces) else { return Err(fail("strings: negative Repeat count")) };
    let pad = " ".repeat(spaces);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// Go's `s[lo:hi]` on bytes, with Go's panic when out of range.
fn slice_bytes(s: &str, lo: i64, hi: i64) -> Result<String, weir_gotemplate::FuncError> {
    let len = s.len() as i64;
    if hi < 0 || hi > len {
        return Err(fail(format!("runtime error: slice bounds out of range [:{hi}] with length {len}")));
    }
    if lo < 0 || lo > hi {
        return Err(fail(format!("runtime error: slice bounds out of range [{lo}:{hi}]")));
    }
    Ok(String::from_utf8_lossy(&s.as_bytes()[lo as usize..hi as usize]).into_owned())
}

/// Sprig's `substring`: a negative start means from the beginning, an end
/// past the string (or negative) means to the end; otherwise Go slicing.
fn substring(start: i64, end: i64, s: &str) -> Result<String, weir_gotemplate::FuncError> {
    let len = s.len() as i64;
    if start < 0 {
        return slice_bytes(s, 0, end);
    }
    if end < 0 || end > len {
        return slice_bytes(s, start, len);
    }
    slice_bytes(s, start, end)
}

fn trunc(count: i64, s: &str) -> String {
    let len = s.len() as i64;
    let bytes = s.as_bytes();
    let kept = if count < 0 && len + count > 0 {
        &bytes[(len + count) as usize..]
    } else if count >= 0 && len > count {
        &bytes[..count as usize]
    } else {
        bytes
    };
    String::from_utf8_lossy(kept).into_owned()
}

/// goutils' `AbbreviateFull` (byte offsets), with its errors read as "".
fn abbreviate(s: &str, offset: i64, max_width: i64) -> String {
    let len = s.len() as i64;
    if s.is_empty() || max_width < 4 {
        return String::new();
    }
    if len <= max_width {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let text = |from: i64, to: i64| String::from_utf8_lossy(&bytes[from as usize..to as usize]).into_owned();
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return format!("{}...", text(0, max_width - 3));
    }
    if max_width < 7 {
        return String::new();
    }
    if offset + max_width - 3 < len {
        return format!("...{}", abbreviate(&text(offset, len), 0, max_width - 3));
    }
    format!("...{}", text(len - (max_width - 3), len))
}

/// goutils' `WrapCustom` on bytes: break at the last space within `width`;
/// a longer word is cut (`long_words`) or left whole.
fn wrap(s: &str, width: i64, newline: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = usize::try_from(width.max(1)).unwrap_or(usize::MAX);
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut offset = 0;
    while bytes.len() - offset > width {
        if bytes[offset] == b' ' {
            offset += 1;
            continue;
        }
        let window = &bytes[offset..offset + width + 1];
        if let Some(space) = window.iter().rposition(|b| *b == b' ') {
            out.extend_from_slice(&bytes[offset..offset + space]);
            out.extend_from_slice(newline.as_bytes());
            offset += space + 1;
        } else if long_words {
            out.extend_from_slice(&bytes[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = offset + width;
            match bytes[end..].iter().position(|b| *b == b' ') {
                None => {
                    out.extend_from_slice(&bytes[offset..]);
                    offset = bytes.len();
                }
                Some(space) => {
                    out.extend_from_slice(&bytes[offset..end + space]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + space + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}
