//! `configMapGenerator` / `secretGenerator` and kustomize's name hash.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::{Builder, Kustomization, KustomizeError, Res, add_resource, relative, set_at, str_at, string_map};

impl Builder {
    pub(crate) fn generators(&self, k: &Kustomization, list: &mut Vec<Res>) -> Result<(), KustomizeError> {
        let global = k.doc.get("generatorOptions").cloned().unwrap_or(Value::Null);
        for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
            for g in k.list(field)? {
                let r = self.generate(k, field, kind, &g, &global)?;
                let behavior = g.get("behavior").and_then(Value::as_str).unwrap_or("create");
                let ns = r.namespace().to_string();
                let existing =
                    list.iter().position(|e| e.kind() == kind && e.has_name(r.name()) && e.namespace() == ns);
                match (behavior, existing) {
                    ("create", _) => add_resource(list, r, &k.file)?,
                    ("merge", Some(i)) => merge_generated(&mut list[i], r),
                    ("replace", Some(i)) => {
                        let e = &mut list[i];
                        let name = e.name().to_string();
                        e.obj = r.obj;
                        set_at(&mut e.obj, &["metadata", "name"], Value::String(name));
                        e.needs_hash = e.needs_hash && r.needs_hash;
                    }
                    ("merge" | "replace", None) => {
                        return Err(KustomizeError::invalid(
                            &k.file,
                            field,
                            format!("id {kind} {} does not exist; cannot merge or replace", r.name()),
                        ));
                    }
                    (other, _) => {
                        return Err(KustomizeError::invalid(&k.file, field, format!("unknown behavior \"{other}\"")));
                    }
                }
            }
        }
        Ok(())
    }

    fn generate(
        &self,
        k: &Kustomization,
        field: &str,
        kind: &str,
        g: &Value,
        global: &Value,
    ) -> Result<Res, KustomizeError> {
        let name = str_at(g, &["name"]);
        if name.is_empty() {
            return Err(KustomizeError::invalid(&k.file, field, "a generator needs a name"));
        }
        let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
        let add = |pairs: &mut Vec<(String, Vec<u8>)>, key: String, val: Vec<u8>| -> Result<(), KustomizeError> {
            if pairs.iter().any(|(k2, _)| *k2 == key) {
                return Err(KustomizeError::invalid(
                    &k.file,
                    field,
                    format!("configmap {name} illegally repeats the key `{key}`"),
                ));
            }
            pairs.push((key, val));
            Ok(())
        };
        let mut envs: Vec<String> = Vec::new();
        if let Some(e) = g.get("env").and_then(Value::as_str) {
            envs.push(e.to_string());
        }
        if let Some(Value::Array(a)) = g.get("envs") {
            envs.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
        }
        for e in envs {
            let (_, bytes) = self.read_file(k, &e, field)?;
            let text = String::from_utf8_lossy(&bytes);
            for line in text.lines() {
                let line = line.trim_start_matches('\u{feff}');
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    continue;
                }
                let (key, val) = match line.split_once('=') {
                    Some((a, b)) => (a.trim_start().to_string(), b.to_string()),
                    None => (line.trim().to_string(), String::new()),
                };
                add(&mut pairs, key, val.into_bytes())?;
            }
        }
        if let Some(Value::Array(a)) = g.get("literals") {
            for l in a {
                let l = match l {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let Some((key, val)) = l.split_once('=') else {
                    return Err(KustomizeError::invalid(
                        &k.file,
                        field,
                        format!("invalid literal source {l}, expected key=value"),
                    ));
                };
                add(&mut pairs, key.to_string(), unquote(val).into_bytes())?;
            }
        }
        if let Some(Value::Array(a)) = g.get("files") {
            for f in a.iter().filter_map(Value::as_str) {
                let (key, rel) = match f.split_once('=') {
                    Some((key, rel)) => (key.to_string(), rel.to_string()),
                    None => (
                        Path::new(f).file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                        f.to_string(),
                    ),
                };
                let (_, bytes) = self.read_file(k, &rel, field)?;
                add(&mut pairs, key, bytes)?;
            }
        }
        let mut obj = json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}});
        if let Some(ns) = g.get("namespace").and_then(Value::as_str) {
            set_at(&mut obj, &["metadata", "namespace"], Value::String(ns.to_string()));
        }
        let mut data = Map::new();
        let mut binary = Map::new();
        for (key, val) in pairs {
            if kind == "Secret" {
                data.insert(key, Value::String(base64::engine::general_purpose::STANDARD.encode(&val)));
            } else {
                match String::from_utf8(val) {
                    Ok(s) => {
                        data.insert(key, Value::String(s));
                    }
                    Err(e) => {
                        binary
                            .insert(key, Value::String(base64::engine::general_purpose::STANDARD.encode(e.as_bytes())));
                    }
                }
            }
        }
        if !data.is_empty() {
            obj["data"] = Value::Object(data);
        }
        if !binary.is_empty() {
            obj["binaryData"] = Value::Object(binary);
        }
        if kind == "Secret" {
            let t = g.get("type").and_then(Value::as_str).unwrap_or("Opaque");
            obj["type"] = Value::String(t.to_string());
        }
        let local = g.get("options").cloned().unwrap_or(Value::Null);
        let mut labels = string_map(global.get("labels"), &k.file, "generatorOptions.labels")?;
        labels.extend(string_map(local.get("labels"), &k.file, "options.labels")?);
        let mut annotations = string_map(global.get("annotations"), &k.file, "generatorOptions.annotations")?;
        annotations.extend(string_map(local.get("annotations"), &k.file, "options.annotations")?);
        if !labels.is_empty() {
            set_at(&mut obj, &["metadata", "labels"], Value::Object(labels));
        }
        if !annotations.is_empty() {
            set_at(&mut obj, &["metadata", "annotations"], Value::Object(annotations));
        }
        let flag = |o: &Value, f: &str| o.get(f).and_then(Value::as_bool);
        let immutable = flag(&local, "immutable").or(flag(global, "immutable")).unwrap_or(false);
        if immutable {
            obj["immutable"] = Value::Bool(true);
        }
        let disable = flag(&local, "disableNameSuffixHash").or(flag(global, "disableNameSuffixHash")).unwrap_or(false);
        let mut r = Res::new(obj);
        r.needs_hash = !disable;
        r.origin = format!(
            "configuredIn: {}\nconfiguredBy:\n  apiVersion: builtin\n  kind: {kind}Generator\n",
            relative(&self.root, &k.file)
        );
        Ok(r)
    }
}

fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        return s[1..s.len() - 1].to_string();
    }
    s.to_string()
}

fn merge_generated(e: &mut Res, r: Res) {
    // A merging generator that disables the suffix turns it off.
    e.needs_hash = e.needs_hash && r.needs_hash;
    for f in ["data", "binaryData"] {
        if let Some(Value::Object(m)) = r.obj.get(f) {
            let target = e.obj.as_object_mut().and_then(|o| {
                o.entry(f.to_string()).or_insert_with(|| Value::Object(Map::new()));
                o.get_mut(f)
            });
            if let Some(Value::Object(t)) = target {
                for (k, v) in m {
                    t.insert(k.clone(), v.clone());
                }
            }
        }
    }
    for f in ["labels", "annotations"] {
        if let Some(Value::Object(m)) = r.obj.get("metadata").and_then(|md| md.get(f)) {
            for (k, v) in m {
                set_at(&mut e.obj, &["metadata", f, k], v.clone());
            }
        }
    }
    if r.obj.get("immutable").is_some() {
        e.obj["immutable"] = Value::Bool(true);
    }
}

/// kustomize's hash of a ConfigMap / Secret (its name does not take part).
pub fn content_hash(obj: &Value) -> String {
    let kind = str_at(obj, &["kind"]);
    let mut m: BTreeMap<&str, Value> = BTreeMap::new();
    m.insert("kind", Value::String(kind.to_string()));
    m.insert("name", Value::String(String::new()));
    let field = |f: &str| -> Value {
        match obj.get(f) {
            None => Value::String(String::new()),
            Some(v) => v.clone(),
        }
    };
    m.insert("data", field("data"));
    if kind == "Secret" {
        m.insert("type", field("type"));
        if let Some(v @ Value::Object(_)) = obj.get("stringData") {
            m.insert("stringData", v.clone());
        }
    } else if let Some(v @ Value::Object(_)) = obj.get("binaryData") {
        m.insert("binaryData", v.clone());
    }
    let json = go_json(&serde_json::to_string(&m).unwrap_or_default());
    let digest = Sha256::digest(json.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// Go's encoding/json escapes `<`, `>`, `&`, U+2028 and U+2029.
fn go_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}
