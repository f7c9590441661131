//! Go's builtin template functions (`funcs.go`), except `and`/`or`, which the
//! executor evaluates lazily. Arguments come with their "interface value"
//! flag (see `exec`); errors are the message after `error calling NAME: `.

use std::cmp::Ordering;

use crate::Value;
use crate::ast::Builtin;
use crate::fmt::{is_print, sprint, sprintf, sprintln};

/// `callee` is the source text of the first argument, which `call` names in its error.
// Out of line: its many branches would otherwise swell the executor's recursive frames.
#[inline(never)]
pub(crate) fn call(b: Builtin, callee: &str, args: &[(Value, bool)]) -> Result<Value, String> {
    let first = args.first().map(|a| &a.0).unwrap_or(&Value::Nil);
    // Objects are indexed, sliced and measured through their data, as the Go
    // slices and maps they stand for are.
    let data;
    let first = match (b, first) {
        (Builtin::Index | Builtin::Slice, Value::Object(o)) => {
            data = o.to_data();
            &data
        }
        _ => first,
    };
    let values = || args.iter().map(|a| a.0.clone()).collect::<Vec<_>>();
    match b {
        Builtin::Not => Ok(Value::Bool(!first.is_true())),
        Builtin::Len => length(args.first()),
        Builtin::Index => index(first, args.get(1..).unwrap_or(&[])),
        Builtin::Slice => slice(first, args.get(1..).unwrap_or(&[])),
        Builtin::Print => Ok(sprint(&values()).into()),
        Builtin::Println => Ok(sprintln(&values()).into()),
        Builtin::Printf => {
            let format = first.as_str().unwrap_or("");
            let rest: Vec<Value> = args.iter().skip(1).map(|a| a.0.clone()).collect();
            Ok(sprintf(format, &rest).into())
        }
        Builtin::Html => Ok(html_escape(&eval_args(args)).into()),
        Builtin::Js => Ok(js_escape(&eval_args(args)).into()),
        Builtin::Urlquery => Ok(query_escape(&eval_args(args)).into()),
        Builtin::Eq => eq(first, args.get(1..).unwrap_or(&[])).map(Value::Bool),
        Builtin::Ne => eq(first, args.get(1..).unwrap_or(&[])).map(|b| Value::Bool(!b)),
        Builtin::Lt => lt(args).map(Value::Bool),
        Builtin::Le => le(args).map(Value::Bool),
        Builtin::Gt => le(args).map(|b| Value::Bool(!b)),
        Builtin::Ge => lt(args).map(|b| Value::Bool(!b)),
        Builtin::Call => match first {
            // Our values hold no functions, so every call is of a non-function.
            Value::Nil => Err("call of nil".into()),
            other => Err(format!("non-function {callee} of type {}", other.type_name())),
        },
        // Evaluated by the executor.
        Builtin::And | Builtin::Or => Ok(first.clone()),
    }
}

fn length(arg: Option<&(Value, bool)>) -> Result<Value, String> {
    let Some((v, iface)) = arg else {
        return Err("len of nil pointer".into());
    };
    let data;
    let v = match v {
        // A named string type has a length of its own text.
        Value::Object(o) if o.kind_name() == "string" => return Ok(Value::Int(o.display().len() as i64)),
        Value::Object(o) => {
            data = o.to_data();
            &data
        }
        other => other,
    };
    let n = match v {
        Value::Nil if *iface => return Err("len of nil pointer".into()),
        // Go's reflection panics on the missing value; that is its message.
        Value::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.borrow().len(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(n as i64))
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x = match index {
        Value::Int(i) => *i,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => return Err(format!("cannot index slice/array with type {}", other.type_name())),
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[(Value, bool)]) -> Result<Value, String> {
    if let Value::Nil = item {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for (index, _) in indexes {
        item = match &item {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let x = index_arg(index, l.len())?;
                l.get(x).cloned().ok_or("reflect: slice index out of range")?
            }
            Value::Bytes(b) => {
                let x = index_arg(index, b.len())?;
                Value::Int(i64::from(*b.get(x).ok_or("reflect: slice index out of range")?))
            }
            Value::String(s) => {
                let x = index_arg(index, s.len())?;
                Value::Int(i64::from(*s.as_bytes().get(x).ok_or("reflect: string index out of range")?))
            }
            Value::Map(m) => {
                let key = match index {
                    Value::String(k) => k,
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => return Err(format!("value has type {}; should be string", other.type_name())),
                };
                m.borrow().get(&**key).cloned().unwrap_or(Value::Nil)
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[(Value, bool)]) -> Result<Value, String> {
    if let Value::Nil = item {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0, len, len];
    for (i, (index, _)) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (i, j) = (idx[0], idx[1]);
    Ok(match item {
        Value::String(s) => {
            let bytes = s.as_bytes().get(i..j).unwrap_or(&[]);
            // Go slices bytes; a cut inside a character cannot stay UTF-8 here.
            Value::from(String::from_utf8_lossy(bytes).into_owned())
        }
        Value::List(l) => Value::list(l.get(i..j).unwrap_or(&[]).to_vec()),
        Value::Bytes(b) => Value::Bytes(b.get(i..j).unwrap_or(&[]).into()),
        _ => Value::Nil,
    })
}

/// html/js/urlquery's argument: a lone string as is, else Sprint with
/// missing values shown as `<no value>`.
fn eval_args(args: &[(Value, bool)]) -> String {
    if let [(Value::String(s), _)] = args {
        return s.to_string();
    }
    let values: Vec<Value> = args
        .iter()
        .map(|(v, _)| match v {
            Value::Nil => Value::from("<no value>"),
            other => other.clone(),
        })
        .collect();
    sprint(&values)
}

/// Go's `template.HTMLEscapeString`.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub(crate) fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() || is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        // A named string type (`json.Number`) compares as a string, as in Go.
        Value::Object(o) if o.kind_name() == "string" => Kind::String,
        _ => Kind::Other,
    }
}

/// The text of a string-kind value, for comparisons.
fn string_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Object(o) if o.kind_name() == "string" => Some(std::borrow::Cow::Owned(o.display())),
        _ => None,
    }
}

/// reflect.Kind, for "same kind or one is nil".
fn reflect_kind(v: &Value) -> u8 {
    match v {
        Value::Nil => 0,
        Value::List(_) | Value::Bytes(_) => 1,
        Value::Map(_) => 2,
        Value::Object(_) => 3,
        _ => 4,
    }
}

fn eq(a: &Value, others: &[(Value, bool)]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a);
    for (b, _) in others {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !matches!(a, Value::Nil) && !matches!(b, Value::Nil) {
                return Err("incompatible types for comparison".into());
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                _ if k1 == Kind::String => string_text(a) == string_text(b),
                _ => {
                    let (ka, kb) = (reflect_kind(a), reflect_kind(b));
                    if ka != kb && ka != 0 && kb != 0 {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprintf("%s", std::slice::from_ref(a)),
                            a.type_name(),
                            b.type_name(),
                            b
                        ));
                    }
                    match (a, b) {
                        (Value::Nil, _) | (_, Value::Nil) => matches!(a, Value::Nil) == matches!(b, Value::Nil),
                        (Value::Object(x), Value::Object(y)) => std::rc::Rc::ptr_eq(x, y),
                        _ => {
                            return Err(format!(
                                "non-comparable type {}: {}",
                                sprintf("%s", std::slice::from_ref(b)),
                                b.type_name()
                            ));
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(args: &[(Value, bool)]) -> Result<bool, String> {
    let (Some((a, _)), Some((b, _))) = (args.first(), args.get(1)) else {
        return Err("missing argument for comparison".into());
    };
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Other || k2 == Kind::Other {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err("incompatible types for comparison".into());
    }
    Ok(match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y) == Some(Ordering::Less),
        (Value::Int(x), Value::Int(y)) => x < y,
        _ if k1 == Kind::String => string_text(a) < string_text(b),
        _ => return Err("invalid type for comparison".into()),
    })
}

fn le(args: &[(Value, bool)]) -> Result<bool, String> {
    if lt(args)? {
        return Ok(true);
    }
    eq(args.first().map(|a| &a.0).unwrap_or(&Value::Nil), args.get(1..).unwrap_or(&[]))
}
