//! Go's `path` functions (`base`, `dir`, `ext`, `clean`, `isAbs`) and the
//! `filepath` ones (`osBase`, …), which on Linux behave the same.

use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, define, string};

pub(crate) fn register(map: &mut FuncMap) {
    for (plain, os) in [("base", "osBase"), ("dir", "osDir"), ("ext", "osExt"), ("clean", "osClean")] {
        let f: fn(&str) -> String = match plain {
            "base" => base,
            "dir" => dir,
            "ext" => ext,
            _ => clean,
        };
        for name in [plain, os] {
            define(map, name, Arity::Exact(1), move |args| Ok(Value::from(f(&string(&args[0])?))));
        }
    }
    for name in ["isAbs", "osIsAbs"] {
        define(map, name, Arity::Exact(1), |args| Ok(Value::Bool(string(&args[0])?.starts_with('/'))));
    }
}

fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

fn dir(path: &str) -> String {
    let split = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..split])
}

fn ext(path: &str) -> String {
    for (i, c) in path.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return path[i..].to_owned(),
            _ => {}
        }
    }
    String::new()
}

/// Go's lexical `path.Clean`.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}
