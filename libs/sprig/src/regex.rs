//! Sprig's regular-expression functions (Go's RE2 syntax, which the `regex`
//! crate shares). A bad pattern panics in the plain variants and is returned
//! in the `must` ones; a template reports both as the call's error.

use regex::Regex;
use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, Result, define, fail, int, string};

pub fn register(map: &mut FuncMap) {
    // The plain variant reads a bad pattern as no match.
    define(map, "regexMatch", Arity::Exact(2), |args| {
        let text = string(&args[1])?;
        Ok(Value::Bool(compile(&args[0]).is_ok_and(|re| re.is_match(&text))))
    });
    define(map, "mustRegexMatch", Arity::Exact(2), |args| {
        let text = string(&args[1])?;
        Ok(Value::Bool(must_compile(&args[0])?.is_match(&text)))
    });
    pair(map, "regexFind", "mustRegexFind", Arity::Exact(2), |re, args| {
        let text = string(&args[1])?;
        Ok(Value::from(re.find(&text).map_or("", |m| m.as_str())))
    });
    pair(map, "regexFindAll", "mustRegexFindAll", Arity::Exact(3), |re, args| {
        let (text, n) = (string(&args[1])?, int(&args[2])?);
        let found = re.find_iter(&text).take(limit(n)).map(|m| Value::from(m.as_str())).collect();
        Ok(Value::list(found))
    });
    pair(map, "regexReplaceAll", "mustRegexReplaceAll", Arity::Exact(3), |re, args| {
        let (text, replacement) = (string(&args[1])?, string(&args[2])?);
        Ok(Value::from(re.replace_all(&text, &*replacement).into_owned()))
    });
    pair(map, "regexReplaceAllLiteral", "mustRegexReplaceAllLiteral", Arity::Exact(3), |re, args| {
        let (text, replacement) = (string(&args[1])?, string(&args[2])?);
        Ok(Value::from(re.replace_all(&text, regex::NoExpand(&replacement)).into_owned()))
    });
    pair(map, "regexSplit", "mustRegexSplit", Arity::Exact(3), |re, args| {
        let (text, n) = (string(&args[1])?, int(&args[2])?);
        Ok(Value::list(split(re, &text, n).into_iter().map(Value::from).collect()))
    });
    define(map, "regexQuoteMeta", Arity::Exact(1), |args| Ok(Value::from(quote_meta(&string(&args[0])?))));
}

/// `regexp.MustCompile`, whose panic names the pattern.
fn compile(pattern: &Value) -> Result<Regex> {
    let text = string(pattern)?;
    go_regex(&text).map_err(|reason| {
        let quoted = if text.contains('`') { weir_gotemplate::quote(&text) } else { format!("`{text}`") };
        fail(format!("regexp: Compile({quoted}): {reason}"))
    })
}

/// `regexp.Compile`, for the `must` variants.
fn must_compile(pattern: &Value) -> Result<Regex> {
    let text = string(pattern)?;
    go_regex(&text).map_err(fail)
}

/// `text` with Go's (RE2) meaning: ASCII `\d`/`\w`/`\s`/`\b`, literal `[` in classes.
fn go_regex(text: &str) -> std::result::Result<Regex, String> {
    let translated = weir_go_regex::translate(text)?;
    Regex::new(&translated).map_err(|e| parse_error(&e, text))
}

/// Go's `error parsing regexp: CODE: `EXPR``, with the `regex` crate's
/// complaint mapped to Go's wording where they correspond.
fn parse_error(error: &regex::Error, pattern: &str) -> String {
    let text = error.to_string();
    let reason = text.lines().rev().find_map(|l| l.strip_prefix("error: ")).unwrap_or(&text);
    let code = match reason {
        "unclosed group" => "missing closing )",
        "unopened group" => "unexpected )",
        "unclosed character class" => "missing closing ]",
        "repetition operator missing expression" => "missing argument to repetition operator",
        r if r.starts_with("unrecognized escape sequence") => "invalid escape sequence",
        r if r.contains("invalid character class range") => "invalid character class range",
        other => other,
    };
    format!("error parsing regexp: {code}: `{pattern}`")
}

/// Registers a function taking a pattern first: the plain variant compiles
/// it with `MustCompile`, the `must` one with `Compile`.
fn pair(
    map: &mut FuncMap,
    name: &'static str,
    must: &'static str,
    arity: Arity,
    f: fn(&Regex, &[Value]) -> Result<Value>,
) {
    define(map, name, arity, move |args| f(&compile(&args[0])?, args));
    define(map, must, arity, move |args| f(&must_compile(&args[0])?, args));
}

/// Go's `n` for the `…All` functions: negative means all.
fn limit(n: i64) -> usize {
    if n < 0 { usize::MAX } else { usize::try_from(n).unwrap_or(usize::MAX) }
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, text: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    if !re.as_str().is_empty() && text.is_empty() {
        return vec![String::new()];
    }
    let mut parts = Vec::new();
    let (mut begin, mut end) = (0, 0);
    for m in re.find_iter(text).take(limit(n)) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            parts.push(text[begin..end].to_owned());
        }
        begin = m.end();
    }
    if end != text.len() {
        parts.push(text[begin..].to_owned());
    }
    parts
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
