//! `patches`, `patchesStrategicMerge` and `patchesJson6902`.

use regex::Regex;
use serde_json::Value;
use weir_strategic_merge::{BuiltinSchema, ListStrategy, MergeSchema, Options};

use crate::{BOOL_KEY_MARK, Builder, Kustomization, KustomizeError, Res, parse_yaml, parse_yaml11, str_at};

/// A patch's text: inline, or read from a file (kustomize also accepts a
/// file name in `patchesStrategicMerge` entries).
fn patch_text(b: &Builder, k: &Kustomization, entry: &Value, field: &str) -> Result<String, KustomizeError> {
    if let Some(p) = entry.get("path").and_then(Value::as_str) {
        let (file, bytes) = b.read_file(k, p, field)?;
        return String::from_utf8(bytes).map_err(|_| KustomizeError::invalid(file, field, "not UTF-8 text"));
    }
    match entry.get("patch") {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(KustomizeError::invalid(&k.file, field, "a patch needs `path` or `patch`")),
    }
}

fn parse_patch(k: &Kustomization, field: &str, text: &str) -> Result<Vec<Value>, KustomizeError> {
    parse_yaml(text).map_err(|e| KustomizeError::invalid(&k.file, field, format!("invalid patch: {e}")))
}

fn parse_ops(k: &Kustomization, field: &str, text: &str) -> Result<Value, KustomizeError> {
    let docs =
        parse_yaml11(text).map_err(|e| KustomizeError::invalid(&k.file, field, format!("invalid patch: {e}")))?;
    fn bool_key(v: &Value) -> Option<String> {
        match v {
            Value::Object(m) => {
                m.iter().find_map(|(k, v)| k.strip_prefix(BOOL_KEY_MARK).map(str::to_string).or_else(|| bool_key(v)))
            }
            Value::Array(a) => a.iter().find_map(bool_key),
            _ => None,
        }
    }
    let ops = docs.into_iter().next().ok_or_else(|| KustomizeError::invalid(&k.file, field, "empty patch"))?;
    if let Some(key) = bool_key(&ops) {
        return Err(KustomizeError::invalid(&k.file, field, format!("map key {key:?} is a boolean in YAML 1.1")));
    }
    Ok(ops)
}

pub(crate) fn strategic_merge_files(b: &Builder, k: &Kustomization, list: &mut Vec<Res>) -> Result<(), KustomizeError> {
    let field = "patchesStrategicMerge";
    for e in k.list(field)? {
        let Value::String(s) = &e else {
            return Err(KustomizeError::invalid(&k.file, field, "expected a list of strings"));
        };
        // A single line naming a file, or an inline patch.
        let text = if !s.contains('\n') && !s.contains(": ") && !s.trim_start().starts_with('{') {
            patch_text(b, k, &serde_json::json!({"path": s}), field)?
        } else {
            s.clone()
        };
        for p in parse_patch(k, field, &text)? {
            apply_smp(k, field, list, &p, None)?;
        }
    }
    Ok(())
}

pub(crate) fn patches(b: &Builder, k: &Kustomization, list: &mut Vec<Res>) -> Result<(), KustomizeError> {
    let field = "patches";
    for e in k.list(field)? {
        let text = patch_text(b, k, &e, field)?;
        let target = e.get("target").filter(|t| !t.is_null());
        let opts = e.get("options").cloned().unwrap_or(Value::Null);
        let docs = parse_patch(k, field, &text)?;
        let is_json6902 = matches!(docs.first(), Some(Value::Array(_)));
        if is_json6902 {
            let Some(target) = target else {
                return Err(KustomizeError::invalid(&k.file, field, "a JSON 6902 patch needs a target"));
            };
            // kustomize reads JSON 6902 operations as YAML 1.1 (`y`, `on` are booleans).
            let ops = &parse_ops(k, field, &text)?;
            let sel = Selector::parse(k, field, target)?;
            for r in list.iter_mut().filter(|r| sel.matches(r)) {
                json6902(&mut r.obj, ops).map_err(|m| KustomizeError::invalid(&k.file, field, m))?;
            }
            continue;
        }
        if docs.is_empty() {
            return Err(KustomizeError::invalid(&k.file, field, "empty patch"));
        }
        for p in &docs {
            match target {
                Some(t) => {
                    let sel = Selector::parse(k, field, t)?;
                    apply_smp(k, field, list, p, Some((&sel, &opts)))?;
                }
                None => apply_smp(k, field, list, p, None)?,
            }
        }
    }
    Ok(())
}

pub(crate) fn json6902_files(b: &Builder, k: &Kustomization, list: &mut [Res]) -> Result<(), KustomizeError> {
    let field = "patchesJson6902";
    for e in k.list(field)? {
        let text = patch_text(b, k, &e, field)?;
        let Some(target) = e.get("target") else {
            return Err(KustomizeError::invalid(&k.file, field, "a JSON 6902 patch needs a target"));
        };
        let ops = &parse_ops(k, field, &text)?;
        let sel = Selector::parse(k, field, target)?;
        for r in list.iter_mut().filter(|r| sel.matches(r)) {
            json6902(&mut r.obj, ops).map_err(|m| KustomizeError::invalid(&k.file, field, m))?;
        }
    }
    Ok(())
}

fn apply_smp(
    k: &Kustomization,
    field: &str,
    list: &mut Vec<Res>,
    patch: &Value,
    target: Option<(&Selector, &Value)>,
) -> Result<(), KustomizeError> {
    if !patch.is_object() {
        return Err(KustomizeError::invalid(&k.file, field, "a strategic merge patch must be a map"));
    }
    let indices: Vec<usize> = match target {
        Some((sel, _)) => (0..list.len()).filter(|&i| sel.matches(&list[i])).collect(),
        None => {
            let kind = str_at(patch, &["kind"]);
            let name = str_at(patch, &["metadata", "name"]);
            let ns = str_at(patch, &["metadata", "namespace"]);
            let api = str_at(patch, &["apiVersion"]);
            let group = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            let found: Vec<usize> = (0..list.len())
                .filter(|&i| {
                    let r = &list[i];
                    r.kind() == kind
                        && r.group() == group
                        && r.has_name(name)
                        && (ns.is_empty() || r.namespace() == ns || r.orig_ns == ns)
                })
                .collect();
            if found.is_empty() {
                return Err(KustomizeError::invalid(
                    &k.file,
                    field,
                    format!("no resource matches strategic merge patch \"{kind}.{api}/{name}.{ns}\""),
                ));
            }
            found
        }
    };
    let allow_name = target.and_then(|(_, o)| o.get("allowNameChange")).and_then(Value::as_bool).unwrap_or(false);
    let allow_kind = target.and_then(|(_, o)| o.get("allowKindChange")).and_then(Value::as_bool).unwrap_or(false);
    let mut deleted = Vec::new();
    for i in indices {
        let r = &mut list[i];
        let mut p = patch.clone();
        if let Value::Object(m) = &mut p {
            if !allow_kind || target.is_none() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            if let Some(Value::Object(md)) = m.get_mut("metadata") {
                if !allow_name || target.is_none() {
                    md.remove("name");
                }
                md.remove("namespace");
            }
        }
        let old_name = r.name().to_string();
        weir_strategic_merge::apply_with(&mut r.obj, &p, &KustomizeSchema, &Options { patch_order_first: true })
            .map_err(|e| KustomizeError::invalid(&k.file, field, e.to_string()))?;
        if r.obj.is_null() {
            deleted.push(i);
            continue;
        }
        let new_name = r.name().to_string();
        if new_name != old_name {
            set_name_keep_history(r, old_name, new_name);
        }
    }
    for i in deleted.into_iter().rev() {
        list.remove(i);
    }
    Ok(())
}

fn set_name_keep_history(r: &mut Res, old: String, new: String) {
    crate::set_at(&mut r.obj, &["metadata", "name"], Value::String(old));
    r.set_name(new);
}

/// The built-in merge keys plus the list-map keys kustomize's OpenAPI data
/// adds (`protocol` beside the port of container and service ports).
struct KustomizeSchema;

impl MergeSchema for KustomizeSchema {
    fn list_strategy(&self, api_version: &str, kind: &str, path: &[&str]) -> ListStrategy {
        BuiltinSchema.list_strategy(api_version, kind, path)
    }

    fn extra_merge_keys(&self, api_version: &str, kind: &str, path: &[&str]) -> Vec<String> {
        match self.list_strategy(api_version, kind, path) {
            ListStrategy::MergeByKey(k) if k == "containerPort" || k == "port" => vec!["protocol".to_string()],
            _ => Vec::new(),
        }
    }
}

/// A patch target.
pub(crate) struct Selector {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

fn anchored(k: &Kustomization, field: &str, s: &str) -> Result<Regex, KustomizeError> {
    Regex::new(&format!("^(?:{s})$")).map_err(|e| KustomizeError::invalid(&k.file, field, e.to_string()))
}

impl Selector {
    pub(crate) fn parse(k: &Kustomization, field: &str, t: &Value) -> Result<Self, KustomizeError> {
        let s = |f: &str| t.get(f).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(Selector {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            name: s("name").map(|n| anchored(k, field, &n)).transpose()?,
            namespace: s("namespace").map(|n| anchored(k, field, &n)).transpose()?,
            labels: s("labelSelector").map(|l| LabelSelector::parse(k, field, &l)).transpose()?,
            annotations: s("annotationSelector").map(|l| LabelSelector::parse(k, field, &l)).transpose()?,
        })
    }

    pub(crate) fn matches(&self, r: &Res) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        if !eq(&self.group, r.group()) || !eq(&self.version, r.version()) || !eq(&self.kind, r.kind()) {
            return false;
        }
        if let Some(n) = &self.name
            && !n.is_match(r.name())
            && !r.prev_names.iter().any(|p| n.is_match(p))
        {
            return false;
        }
        if let Some(n) = &self.namespace
            && !n.is_match(r.namespace())
        {
            return false;
        }
        if let Some(l) = &self.labels
            && !l.matches(r.obj.get("metadata").and_then(|m| m.get("labels")))
        {
            return false;
        }
        if let Some(l) = &self.annotations
            && !l.matches(r.obj.get("metadata").and_then(|m| m.get("annotations")))
        {
            return false;
        }
        true
    }
}

enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A Kubernetes label selector string (`a=b,c!=d,e in (f,g),!h`).
struct LabelSelector(Vec<Req>);

impl LabelSelector {
    fn parse(k: &Kustomization, field: &str, s: &str) -> Result<Self, KustomizeError> {
        let bad = || KustomizeError::invalid(&k.file, field, format!("invalid label selector {s:?}"));
        // split on commas outside parentheses
        let mut parts = Vec::new();
        let (mut depth, mut cur) = (0, String::new());
        for c in s.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        parts.push(cur);
        let mut reqs = Vec::new();
        for p in parts {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            let set = |rest: &str| -> Option<Vec<String>> {
                let r = rest.trim();
                let inner = r.strip_prefix('(')?.strip_suffix(')')?;
                Some(inner.split(',').map(|v| v.trim().to_string()).collect())
            };
            if let Some((a, b)) = p.split_once("!=") {
                reqs.push(Req::Ne(a.trim().into(), b.trim().into()));
            } else if let Some((a, b)) = p.split_once("==") {
                reqs.push(Req::Eq(a.trim().into(), b.trim().into()));
            } else if let Some((a, b)) = p.split_once('=') {
                reqs.push(Req::Eq(a.trim().into(), b.trim().into()));
            } else if let Some((a, b)) = p.split_once(" notin ") {
                reqs.push(Req::NotIn(a.trim().into(), set(b).ok_or_else(bad)?));
            } else if let Some((a, b)) = p.split_once(" in ") {
                reqs.push(Req::In(a.trim().into(), set(b).ok_or_else(bad)?));
            } else if let Some(a) = p.strip_prefix('!') {
                reqs.push(Req::NotExists(a.trim().into()));
            } else if p.chars().all(|c| c.is_alphanumeric() || "-_./".contains(c)) {
                reqs.push(Req::Exists(p.into()));
            } else {
                return Err(bad());
            }
        }
        Ok(LabelSelector(reqs))
    }

    fn matches(&self, labels: Option<&Value>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v.as_str()),
            Req::Ne(k, v) => get(k) != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Exists(k) => get(k).is_some() || labels.and_then(|l| l.get(k)).is_some(),
            Req::NotExists(k) => labels.and_then(|l| l.get(k)).is_none(),
        })
    }
}

fn pointer_tokens(p: &str) -> Result<Vec<String>, String> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = p.strip_prefix('/') else {
        return Err(format!("invalid JSON pointer {p:?}"));
    };
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn parent_mut<'a>(doc: &'a mut Value, toks: &[String], path: &str) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(t).ok_or_else(|| format!("path {path:?} not found"))?,
            Value::Array(a) => {
                let i: usize = t.parse().map_err(|_| format!("path {path:?}: bad index {t:?}"))?;
                a.get_mut(i).ok_or_else(|| format!("path {path:?}: index {i} out of range"))?
            }
            _ => return Err(format!("path {path:?} not found")),
        };
    }
    Ok(cur)
}

fn get_at(doc: &Value, path: &str) -> Result<Value, String> {
    let toks = pointer_tokens(path)?;
    let mut d = doc.clone();
    Ok(parent_mut(&mut d, &toks, path)?.clone())
}

fn remove_at(doc: &mut Value, path: &str) -> Result<Value, String> {
    let toks = pointer_tokens(path)?;
    let Some((last, parents)) = toks.split_last() else {
        return Err("cannot remove the whole document".into());
    };
    match parent_mut(doc, parents, path)? {
        Value::Object(m) => m.remove(last).ok_or_else(|| format!("path {path:?} not found")),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| format!("path {path:?}: bad index"))?;
            if i >= a.len() {
                return Err(format!("path {path:?}: index out of range"));
            }
            Ok(a.remove(i))
        }
        _ => Err(format!("path {path:?} not found")),
    }
}

fn add_at(doc: &mut Value, path: &str, v: Value, replace: bool) -> Result<(), String> {
    let toks = pointer_tokens(path)?;
    let Some((last, parents)) = toks.split_last() else {
        *doc = v;
        return Ok(());
    };
    match parent_mut(doc, parents, path)? {
        Value::Object(m) => {
            if replace && !m.contains_key(last) {
                return Err(format!("replace operation does not apply: doc is missing key: {path}"));
            }
            m.insert(last.clone(), v);
        }
        Value::Array(a) => {
            if last == "-" && !replace {
                a.push(v);
            } else {
                let i: usize = last.parse().map_err(|_| format!("path {path:?}: bad index"))?;
                if replace {
                    *a.get_mut(i).ok_or_else(|| format!("path {path:?}: index out of range"))? = v;
                } else {
                    if i > a.len() {
                        return Err(format!("path {path:?}: index out of range"));
                    }
                    a.insert(i, v);
                }
            }
        }
        _ => return Err(format!("path {path:?} not found")),
    }
    Ok(())
}

/// Applies RFC 6902 operations to a resource. kustomize keeps internal
/// annotations on every resource while it builds, so `metadata.annotations`
/// always exists for a JSON patch; it is dropped again when left empty.
pub(crate) fn json6902(doc: &mut Value, ops: &Value) -> Result<(), String> {
    let added = match doc.get_mut("metadata") {
        Some(Value::Object(md)) if !md.contains_key("annotations") => {
            md.insert("annotations".into(), Value::Object(serde_json::Map::new()));
            true
        }
        _ => false,
    };
    let r = json6902_ops(doc, ops);
    if added {
        drop_empty_annotations(doc);
    }
    r
}

pub(crate) fn drop_empty_annotations(doc: &mut Value) {
    if let Some(Value::Object(md)) = doc.get_mut("metadata")
        && md.get("annotations").is_some_and(|a| a.as_object().is_some_and(serde_json::Map::is_empty))
    {
        md.remove("annotations");
    }
}

fn json6902_ops(doc: &mut Value, ops: &Value) -> Result<(), String> {
    let Value::Array(ops) = ops else {
        return Err("a JSON 6902 patch must be a list of operations".into());
    };
    if ops.is_empty() {
        return Err("patch appears to be empty".into());
    }
    for op in ops {
        let name = str_at(op, &["op"]);
        let path = op.get("path").and_then(Value::as_str).ok_or("operation without path")?;
        let value = || op.get("value").cloned().ok_or_else(|| format!("{name} operation without value"));
        match name {
            "add" => add_at(doc, path, value()?, false)?,
            "replace" => add_at(doc, path, value()?, true)?,
            "remove" => {
                remove_at(doc, path)?;
            }
            "move" => {
                let from = op.get("from").and_then(Value::as_str).ok_or("move without from")?;
                let v = remove_at(doc, from)?;
                add_at(doc, path, v, false)?;
            }
            "copy" => {
                let from = op.get("from").and_then(Value::as_str).ok_or("copy without from")?;
                let v = get_at(doc, from)?;
                add_at(doc, path, v, false)?;
            }
            "test" => {
                if get_at(doc, path)? != value()? {
                    return Err(format!("test operation failed at {path}"));
                }
            }
            other => return Err(format!("unknown operation {other:?}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json6902_operations() {
        let mut d = json!({"metadata": {"name": "x"}, "spec": {"a": [1, 2], "b": {"c": 1}}});
        let ops = json!([
            {"op": "add", "path": "/spec/a/1", "value": 9},
            {"op": "add", "path": "/spec/a/-", "value": 3},
            {"op": "replace", "path": "/spec/b/c", "value": 2},
            {"op": "copy", "from": "/spec/b", "path": "/spec/d"},
            {"op": "move", "from": "/spec/d/c", "path": "/spec/e"},
            {"op": "remove", "path": "/spec/d"},
            {"op": "add", "path": "/metadata/annotations/a~1b", "value": "v"},
            {"op": "test", "path": "/spec/e", "value": 2}
        ]);
        json6902(&mut d, &ops).unwrap();
        assert_eq!(
            d,
            json!({"metadata": {"name": "x", "annotations": {"a/b": "v"}},
                   "spec": {"a": [1, 9, 2, 3], "b": {"c": 2}, "e": 2}})
        );
        assert!(json6902(&mut d, &json!([{"op": "test", "path": "/spec/e", "value": 3}])).is_err());
        assert!(json6902(&mut d, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(json6902(&mut d, &json!([{"op": "add", "path": "/spec/a/9", "value": 1}])).is_err());
        assert!(json6902(&mut d, &json!([{"op": "bogus", "path": "/"}])).is_err());
        assert!(json6902(&mut d, &json!([])).is_err());
    }

    #[test]
    fn json6902_leaves_no_empty_annotations() {
        let mut d = json!({"metadata": {"name": "x"}, "data": {"k": "v"}});
        json6902(&mut d, &json!([{"op": "replace", "path": "/data/k", "value": "w"}])).unwrap();
        assert_eq!(d, json!({"metadata": {"name": "x"}, "data": {"k": "w"}}));
    }

    #[test]
    fn label_selectors() {
        let k = Kustomization { file: "k".into(), dir: "/".into(), doc: json!({}) };
        let sel = LabelSelector::parse(&k, "f", "a=b,c!=d,e in (f, g),h notin (i),j,!k").unwrap();
        let hit = json!({"a": "b", "c": "x", "e": "g", "h": "z", "j": ""});
        assert!(sel.matches(Some(&hit)));
        let mut miss = hit.clone();
        miss["k"] = json!("1");
        assert!(!sel.matches(Some(&miss)));
        assert!(!sel.matches(None));
        assert!(LabelSelector::parse(&k, "f", "a in b").is_err());
    }
}
