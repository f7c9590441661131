//! `replacements`: copy a field of one resource into fields of others.

use serde_json::{Map, Value};

use crate::patch::Selector;
use crate::{Builder, Kustomization, KustomizeError, Res, compact, parse_yaml, scalar_text};

/// Splits a kustomize field path (`a.b.[name=x].c`, `a.0.b`) into segments.
pub(crate) fn split_path(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut depth) = (String::new(), 0);
    for c in p.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Collects mutable references to every node at `path`; with `create`,
/// missing map fields are created (the leaf as null).
fn find_mut<'a>(v: &'a mut Value, path: &[String], create: bool, out: &mut Vec<&'a mut Value>) {
    let Some((seg, rest)) = path.split_first() else {
        out.push(v);
        return;
    };
    if let Some(sel) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        match (sel.split_once('='), v) {
            (Some((k, val)), Value::Array(items)) => {
                for it in items.iter_mut() {
                    let hit = match it.get(k) {
                        Some(Value::String(s)) => s == val,
                        Some(other) => scalar_text(other) == val,
                        None => false,
                    };
                    if hit {
                        find_mut(it, rest, create, out);
                    }
                }
            }
            // `[key]` addresses a map key that may contain dots
            (None, Value::Object(m)) => {
                if let Some(next) = m.get_mut(sel) {
                    find_mut(next, rest, create, out);
                }
            }
            _ => {}
        }
        return;
    }
    match v {
        Value::Array(items) => {
            if seg == "*" {
                for it in items.iter_mut() {
                    find_mut(it, rest, create, out);
                }
            } else if let Ok(i) = seg.parse::<usize>()
                && let Some(it) = items.get_mut(i)
            {
                find_mut(it, rest, create, out);
            }
        }
        Value::Object(m) => {
            if seg == "*" {
                for (_, it) in m.iter_mut() {
                    find_mut(it, rest, create, out);
                }
                return;
            }
            if !m.contains_key(seg.as_str()) {
                if !create {
                    return;
                }
                let fresh = if rest.is_empty() { Value::Null } else { Value::Object(Map::new()) };
                m.insert(seg.clone(), fresh);
            }
            if let Some(next) = m.get_mut(seg.as_str()) {
                if create && next.is_null() && !rest.is_empty() {
                    *next = Value::Object(Map::new());
                }
                find_mut(next, rest, create, out);
            }
        }
        Value::Null if create => {
            *v = Value::Object(Map::new());
            find_mut(v, path, create, out);
        }
        _ => {}
    }
}

pub(crate) fn get_path(v: &Value, path: &str) -> Option<Value> {
    let mut c = v.clone();
    let mut out = Vec::new();
    find_mut(&mut c, &split_path(path), false, &mut out);
    out.into_iter().next().map(|v| v.clone())
}

fn opt_str<'a>(v: &'a Value, f: &str) -> Option<&'a str> {
    v.get(f).and_then(Value::as_str)
}

pub(crate) fn apply(b: &Builder, k: &Kustomization, list: &mut [Res]) -> Result<(), KustomizeError> {
    let field = "replacements";
    let mut reps = Vec::new();
    for e in k.list(field)? {
        if let Some(p) = opt_str(&e, "path") {
            let (file, bytes) = b.read_file(k, p, field)?;
            let text = String::from_utf8_lossy(&bytes);
            for d in parse_yaml(&text).map_err(|m| KustomizeError::invalid(&file, field, m.to_string()))? {
                match d {
                    Value::Array(a) => reps.extend(a),
                    other => reps.push(other),
                }
            }
        } else {
            reps.push(e);
        }
    }
    for rep in reps {
        let err = |m: String| KustomizeError::invalid(&k.file, field, m);
        let source = rep.get("source").ok_or_else(|| err("replacement without source".into()))?;
        let sel = Selector::parse(k, field, source)?;
        let found: Vec<&Res> = list.iter().filter(|r| sel.matches(r)).collect();
        let src = match found.as_slice() {
            [one] => *one,
            [] => return Err(err(format!("nothing selected by replacement source {}", compact(source)))),
            _ => return Err(err(format!("multiple matches for selector {}", compact(source)))),
        };
        let fp = opt_str(source, "fieldPath").unwrap_or("metadata.name");
        let mut value = get_path(&src.obj, fp)
            .ok_or_else(|| err(format!("fieldPath `{fp}` is missing for replacement source {}", src.id_string())))?;
        if let Some(opts) = source.get("options")
            && let Some(delim) = opt_str(opts, "delimiter")
        {
            let s = scalar_text(&value);
            let idx = opts.get("index").and_then(Value::as_i64).unwrap_or(0);
            let parts: Vec<&str> = s.split(delim).collect();
            if idx < 0 || idx as usize >= parts.len() {
                return Err(err(format!("options.index {idx} is out of bounds for value {s}")));
            }
            value = Value::String(parts[idx as usize].to_string());
        }
        let Some(Value::Array(targets)) = rep.get("targets") else {
            return Err(err("replacement without targets".into()));
        };
        for t in targets {
            let select = t.get("select").ok_or_else(|| err("target without select".into()))?;
            let sel = Selector::parse(k, field, select)?;
            let rejects: Vec<Selector> = match t.get("reject") {
                Some(Value::Array(a)) => a.iter().map(|r| Selector::parse(k, field, r)).collect::<Result<_, _>>()?,
                _ => Vec::new(),
            };
            let opts = t.get("options").cloned().unwrap_or(Value::Null);
            let create = opts.get("create").and_then(Value::as_bool).unwrap_or(false);
            let paths: Vec<String> = match t.get("fieldPaths") {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                _ => vec!["metadata.name".to_string()],
            };
            for r in list.iter_mut() {
                if !sel.matches(r) || rejects.iter().any(|x| x.matches(r)) {
                    continue;
                }
                let id = r.id_string();
                for p in &paths {
                    let segs = split_path(p);
                    let mut nodes = Vec::new();
                    find_mut(&mut r.obj, &segs, create, &mut nodes);
                    if nodes.is_empty() {
                        return Err(err(format!("unable to find field \"{p}\" in replacement target {id}")));
                    }
                    for n in nodes {
                        *n = with_options(n, &value, &opts);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The new value of a target node. Like kustomize, a scalar target keeps its
/// type and takes the source's text; a missing (created) or null target gets
/// the text as a plain scalar; anything else takes the source node.
fn with_options(current: &Value, value: &Value, opts: &Value) -> Value {
    let v = delimited(current, value, opts);
    let text = match &v {
        Value::Object(_) | Value::Array(_) => return v,
        other => scalar_text(other),
    };
    match current {
        Value::String(_) => Value::String(text),
        Value::Null => weir_go_yaml::resolve_plain(text),
        Value::Number(_) | Value::Bool(_) => match weir_go_yaml::resolve_plain(text.clone()) {
            n @ (Value::Number(_) | Value::Bool(_)) => n,
            _ => Value::String(text),
        },
        Value::Object(_) | Value::Array(_) => v,
    }
}

fn delimited(current: &Value, value: &Value, opts: &Value) -> Value {
    let Some(delim) = opts.get("delimiter").and_then(Value::as_str) else {
        return value.clone();
    };
    let idx = opts.get("index").and_then(Value::as_i64).unwrap_or(0);
    let cur = scalar_text(current);
    let mut parts: Vec<String> = cur.split(delim).map(str::to_string).collect();
    let v = scalar_text(value);
    if idx < 0 {
        parts.insert(0, v);
    } else if idx as usize >= parts.len() {
        parts.push(v);
    } else {
        parts[idx as usize] = v;
    }
    Value::String(parts.join(delim))
}

/// Legacy `vars`: declared at any level, resolved once at the top.
pub(crate) struct Var {
    pub name: String,
    pub kind: String,
    pub obj_name: String,
    pub api_version: String,
    pub namespace: String,
    pub field_path: String,
}

pub(crate) fn parse_vars(k: &Kustomization) -> Result<Vec<Var>, KustomizeError> {
    let mut out = Vec::new();
    for v in k.list("vars")? {
        let name = opt_str(&v, "name").unwrap_or("").to_string();
        let objref = v.get("objref").cloned().unwrap_or(Value::Null);
        if name.is_empty() || objref.is_null() {
            return Err(KustomizeError::invalid(&k.file, "vars", "a var needs a name and an objref"));
        }
        let fp = v.get("fieldref").and_then(|f| opt_str(f, "fieldpath")).unwrap_or("metadata.name");
        out.push(Var {
            name,
            kind: opt_str(&objref, "kind").unwrap_or("").to_string(),
            obj_name: opt_str(&objref, "name").unwrap_or("").to_string(),
            api_version: opt_str(&objref, "apiVersion").unwrap_or("").to_string(),
            namespace: opt_str(&objref, "namespace").unwrap_or("").to_string(),
            field_path: fp.to_string(),
        });
    }
    Ok(out)
}

/// `a.b[0].c` -> `a.b.0.c`
fn legacy_path(p: &str) -> String {
    let mut s = String::new();
    for c in p.chars() {
        match c {
            '[' => s.push('.'),
            ']' => {}
            c => s.push(c),
        }
    }
    s
}

const POD_VAR_FIELDS: &[&str] = &[
    "containers[]/args[]",
    "containers[]/command[]",
    "containers[]/env[]/value",
    "containers[]/volumeMounts[]/mountPath",
    "initContainers[]/args[]",
    "initContainers[]/command[]",
    "initContainers[]/env[]/value",
    "initContainers[]/volumeMounts[]/mountPath",
    "volumes[]/nfs/server",
];

fn var_paths(kind: &str) -> Vec<String> {
    let base = match kind {
        "CronJob" => Some("spec/jobTemplate/spec/template/spec"),
        "DaemonSet" | "Deployment" | "Job" | "ReplicaSet" | "StatefulSet" => Some("spec/template/spec"),
        "Pod" => Some("spec"),
        _ => None,
    };
    let mut out: Vec<String> = Vec::new();
    if let Some(b) = base {
        out.extend(POD_VAR_FIELDS.iter().map(|f| format!("{b}/{f}")));
    }
    match kind {
        "Ingress" => out.extend(["spec/rules[]/host", "spec/tls[]/hosts[]", "spec/tls[]/secretName"].map(String::from)),
        "Service" => out.extend(["spec/ports[]/port", "spec/ports[]/targetPort"].map(String::from)),
        "StatefulSet" => out.push("spec/volumeClaimTemplates[]/spec/nfs/server".into()),
        "PersistentVolume" => out.push("spec/nfs/server".into()),
        _ => {}
    }
    out.push("metadata/labels/*".into());
    out.push("metadata/annotations/*".into());
    out
}

/// Visits string leaves at a `/` path (`x[]` walks a list, `*` every map value).
fn visit_strings(v: &mut Value, path: &[&str], f: &mut dyn FnMut(&mut String)) {
    let Some((seg, rest)) = path.split_first() else {
        if let Value::String(s) = v {
            f(s);
        }
        return;
    };
    if *seg == "*" {
        if let Value::Object(m) = v {
            for (_, c) in m.iter_mut() {
                visit_strings(c, rest, f);
            }
        }
        return;
    }
    let (field, list) = match seg.strip_suffix("[]") {
        Some(s) => (s, true),
        None => (*seg, false),
    };
    let Some(child) = v.get_mut(field) else { return };
    if list {
        if let Value::Array(items) = child {
            for it in items.iter_mut() {
                visit_strings(it, rest, f);
            }
        }
    } else {
        visit_strings(child, rest, f);
    }
}

/// Expands `$(NAME)` (and `$$` escapes) as Kubernetes does.
fn expand(s: &str, vals: &[(String, String)], used: &mut [bool]) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        if b[i] == b'$' && i + 1 < s.len() {
            if b[i + 1] == b'$' {
                out.push('$');
                i += 2;
                continue;
            }
            if b[i + 1] == b'('
                && let Some(end) = s[i + 2..].find(')')
            {
                let name = &s[i + 2..i + 2 + end];
                if let Some(pos) = vals.iter().position(|(n, _)| n == name) {
                    used[pos] = true;
                    out.push_str(&vals[pos].1);
                    i += end + 3;
                    continue;
                }
            }
        }
        let ch = s[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

pub(crate) fn resolve_vars(vars: &[Var], list: &mut [Res], file: &std::path::Path) -> Result<(), KustomizeError> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut vals = Vec::new();
    for v in vars {
        let found: Vec<&Res> = list
            .iter()
            .filter(|r| {
                r.kind() == v.kind
                    && r.has_name(&v.obj_name)
                    && (v.api_version.is_empty() || r.api_version() == v.api_version)
                    && (v.namespace.is_empty() || r.namespace() == v.namespace || r.orig_ns == v.namespace)
            })
            .collect();
        let r = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(KustomizeError::invalid(
                    file,
                    "vars",
                    format!("var '{}' cannot be mapped to a field in the set of known resources", v.name),
                ));
            }
            _ => {
                return Err(KustomizeError::invalid(
                    file,
                    "vars",
                    format!("var '{}' matches more than one resource", v.name),
                ));
            }
        };
        let val = get_path(&r.obj, &legacy_path(&v.field_path)).ok_or_else(|| {
            KustomizeError::invalid(
                file,
                "vars",
                format!("field specified in var '{}' not found in corresponding resource", v.name),
            )
        })?;
        vals.push((v.name.clone(), scalar_text(&val)));
    }
    let mut used = vec![false; vals.len()];
    for r in list.iter_mut() {
        let kind = r.kind().to_string();
        for p in var_paths(&kind) {
            let segs: Vec<&str> = p.split('/').collect();
            visit_strings(&mut r.obj, &segs, &mut |s| {
                if s.contains('$') {
                    *s = expand(s, &vals, &mut used);
                }
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paths() {
        assert_eq!(split_path("a.[name=x.y].b.0"), vec!["a", "[name=x.y]", "b", "0"]);
    }
}
