//! Kubernetes strategic merge patch over `serde_json::Value`.
//!
//! Semantics follow apimachinery's `strategicpatch` package as documented:
//! maps merge recursively, `null` deletes a key, lists are merged by the merge
//! key the schema names (or replaced when it names none), and the directives
//! `$patch: replace|merge|delete`, `$retainKeys`, `$setElementOrder/<field>` and
//! `$deleteFromPrimitiveList/<field>` are honoured. [`three_way`] and [`two_way`] make the
//! patches a client-side apply sends.

use serde_json::{Map, Value};

mod diff;
pub use diff::{three_way, two_way};

/// How a list field is patched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListStrategy {
    /// The patch's list replaces the target's (lists with no merge strategy).
    Replace,
    /// Elements are maps matched on this key; matched ones merge, others append.
    MergeByKey(String),
    /// A list of scalars merged as a set (e.g. `finalizers`).
    MergePrimitives,
}

/// Answers, for a list at `path` (field names from the object root, list
/// indices left out) in an object of `api_version`/`kind`, how to merge it.
pub trait MergeSchema {
    fn list_strategy(&self, api_version: &str, kind: &str, path: &[&str]) -> ListStrategy;

    /// Fields that, beside the merge key, identify an element of a keyed list
    /// (OpenAPI `x-kubernetes-list-map-keys`, e.g. `protocol` for ports, as
    /// kustomize uses them). The API server's strategic merge uses none.
    fn extra_merge_keys(&self, _api_version: &str, _kind: &str, _path: &[&str]) -> Vec<String> {
        Vec::new()
    }
}

/// A schema that knows nothing: every list is replaced (CRDs without schema).
pub struct NoSchema;

impl MergeSchema for NoSchema {
    fn list_strategy(&self, _: &str, _: &str, _: &[&str]) -> ListStrategy {
        ListStrategy::Replace
    }
}

/// Merge keys of the built-in Kubernetes kinds (core, apps, batch,
/// networking, rbac, policy, autoscaling), as their Go struct tags declare.
pub struct BuiltinSchema;

const BUILTIN_GROUPS: &[&str] = &[
    "v1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "batch/v1",
    "batch/v1beta1",
    "extensions/v1beta1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
];

impl MergeSchema for BuiltinSchema {
    fn list_strategy(&self, api_version: &str, kind: &str, path: &[&str]) -> ListStrategy {
        if !BUILTIN_GROUPS.contains(&api_version) {
            return ListStrategy::Replace;
        }
        let key = |k: &str| ListStrategy::MergeByKey(k.to_string());
        let n = path.len();
        let last = path.last().copied().unwrap_or("");
        let parent = if n >= 2 { path[n - 2] } else { "" };
        let in_pod_spec = is_pod_spec_path(kind, &path[..n.saturating_sub(1)]);
        match last {
            "finalizers" if n == 2 && parent == "metadata" => ListStrategy::MergePrimitives,
            "ownerReferences" if n == 2 && parent == "metadata" => key("uid"),
            "containers" | "initContainers" | "ephemeralContainers" if in_pod_spec => key("name"),
            "volumes" | "imagePullSecrets" | "schedulingGates" | "resourceClaims" if in_pod_spec => key("name"),
            "hostAliases" if in_pod_spec => key("ip"),
            "topologySpreadConstraints" if in_pod_spec => key("topologyKey"),
            "ports" if matches!(parent, "containers" | "initContainers" | "ephemeralContainers") => {
                key("containerPort")
            }
            "env" if matches!(parent, "containers" | "initContainers" | "ephemeralContainers") => key("name"),
            "volumeMounts" if matches!(parent, "containers" | "initContainers" | "ephemeralContainers") => {
                key("mountPath")
            }
            "volumeDevices" if matches!(parent, "containers" | "initContainers" | "ephemeralContainers") => {
                key("devicePath")
            }
            "resizePolicy" if matches!(parent, "containers" | "initContainers") => key("resourceName"),
            "ports" if kind == "Service" && n == 2 && parent == "spec" => key("port"),
            "conditions" if n == 2 && parent == "status" => key("type"),
            "taints" if kind == "Node" && n == 2 => key("key"),
            "addresses" if kind == "Node" => key("type"),
            _ => ListStrategy::Replace,
        }
    }
}

/// Whether `path` (to a map) is a pod spec in this kind.
fn is_pod_spec_path(kind: &str, path: &[&str]) -> bool {
    match kind {
        "Pod" => path == ["spec"],
        "PodTemplate" => path == ["template", "spec"],
        "CronJob" => path == ["spec", "jobTemplate", "spec", "template", "spec"],
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "ReplicationController" => {
            path == ["spec", "template", "spec"]
        }
        _ => false,
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PatchError {
    #[error("invalid patch at {path}: {message}")]
    Invalid { path: String, message: String },
}

fn invalid(path: &[&str], message: impl Into<String>) -> PatchError {
    PatchError::Invalid { path: if path.is_empty() { ".".into() } else { path.join(".") }, message: message.into() }
}

/// Applies `patch` to `target` in place. `target`'s own `apiVersion`/`kind`
/// (or the patch's when the target has none) select the list strategies.
///
/// A patch that is `{"$patch": "delete"}` at its root turns the target into
/// `null`.
pub fn apply(target: &mut Value, patch: &Value, schema: &dyn MergeSchema) -> Result<(), PatchError> {
    apply_with(target, patch, schema, &Options::default())
}

/// Knobs for callers whose conventions differ from the API server's.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Order merged keyed/primitive lists as kustomize's kyaml merge does:
    /// the patch's elements first, in the patch's order (merged with their
    /// matches), then the target's remaining elements. Otherwise (API server)
    /// the target's order is kept and new elements are appended.
    pub patch_order_first: bool,
}

/// [`apply`] with [`Options`].
pub fn apply_with(
    target: &mut Value,
    patch: &Value,
    schema: &dyn MergeSchema,
    options: &Options,
) -> Result<(), PatchError> {
    let get = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let api_version = get(target, "apiVersion").or_else(|| get(patch, "apiVersion")).unwrap_or_default();
    let kind = get(target, "kind").or_else(|| get(patch, "kind")).unwrap_or_default();
    let ctx = Ctx { api_version: &api_version, kind: &kind, schema, new_first: options.patch_order_first };
    let Value::Object(p) = patch else {
        return Err(invalid(&[], "a strategic merge patch must be a map"));
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let mut path = Vec::new();
    let Value::Object(t) = target else { unreachable!() };
    match ctx.merge_map(t, p, &mut path)? {
        MapOutcome::Delete => *target = Value::Null,
        MapOutcome::Keep => {}
    }
    Ok(())
}

struct Ctx<'a> {
    api_version: &'a str,
    kind: &'a str,
    schema: &'a dyn MergeSchema,
    new_first: bool,
}

enum MapOutcome {
    Keep,
    Delete,
}

const PATCH: &str = "$patch";
const RETAIN: &str = "$retainKeys";
const ORDER: &str = "$setElementOrder/";
const DEL_PRIM: &str = "$deleteFromPrimitiveList/";

impl Ctx<'_> {
    fn strategy(&self, path: &[&str]) -> ListStrategy {
        self.schema.list_strategy(self.api_version, self.kind, path)
    }

    fn merge_map<'p>(
        &self,
        target: &mut Map<String, Value>,
        patch: &'p Map<String, Value>,
        path: &mut Vec<&'p str>,
    ) -> Result<MapOutcome, PatchError> {
        match patch.get(PATCH) {
            None => {}
            Some(Value::String(d)) if d == "merge" => {}
            Some(Value::String(d)) if d == "delete" => return Ok(MapOutcome::Delete),
            Some(Value::String(d)) if d == "replace" => {
                *target = clean_map(patch);
                return Ok(MapOutcome::Keep);
            }
            Some(other) => return Err(invalid(path, format!("unknown $patch directive {other}"))),
        }
        if let Some(retain) = patch.get(RETAIN) {
            let Value::Array(keys) = retain else {
                return Err(invalid(path, "$retainKeys must be a list"));
            };
            let keep: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
            target.retain(|k, _| keep.contains(&k.as_str()));
        }
        for (k, v) in patch {
            if let Some(field) = k.strip_prefix(DEL_PRIM) {
                let Value::Array(del) = v else {
                    return Err(invalid(path, format!("{k} must be a list")));
                };
                if let Some(Value::Array(items)) = target.get_mut(field) {
                    items.retain(|i| !del.contains(i));
                }
            }
        }
        for (k, v) in patch {
            if k.starts_with('$') {
                continue;
            }
            path.push(k.as_str());
            match v {
                Value::Null => {
                    target.remove(k);
                }
                Value::Object(pm) => match target.get_mut(k) {
                    Some(Value::String(_) | Value::Number(_) | Value::Bool(_)) if self.new_first => {
                        return Err(invalid(path, "wrong node kind: expected a scalar but the patch has a map"));
                    }
                    Some(Value::Object(tm)) => {
                        if let MapOutcome::Delete = self.merge_map(tm, pm, path)? {
                            target.remove(k);
                        }
                    }
                    _ => {
                        if pm.get(PATCH).and_then(Value::as_str) == Some("delete") {
                            target.remove(k);
                        } else {
                            target.insert(k.clone(), Value::Object(clean_map(pm)));
                        }
                    }
                },
                Value::Array(pl) => {
                    let strategy = self.strategy(path);
                    match target.get_mut(k) {
                        Some(Value::Array(tl)) => self.merge_list(tl, pl, &strategy, path)?,
                        _ => {
                            let mut fresh = Vec::new();
                            self.merge_list(&mut fresh, pl, &strategy, path)?;
                            target.insert(k.clone(), Value::Array(fresh));
                        }
                    }
                }
                other => {
                    target.insert(k.clone(), other.clone());
                }
            }
            path.pop();
        }
        for (k, v) in patch {
            if let Some(field) = k.strip_prefix(ORDER) {
                let Value::Array(order) = v else {
                    return Err(invalid(path, format!("{k} must be a list")));
                };
                path.push(field);
                let strategy = self.strategy(path);
                path.pop();
                if let Some(Value::Array(items)) = target.get_mut(field) {
                    reorder(items, order, &strategy);
                }
            }
        }
        Ok(MapOutcome::Keep)
    }

    fn merge_list<'p>(
        &self,
        target: &mut Vec<Value>,
        patch: &'p [Value],
        strategy: &ListStrategy,
        path: &mut Vec<&'p str>,
    ) -> Result<(), PatchError> {
        // `- $patch: replace` anywhere in the list replaces the whole list.
        let replace = patch.iter().any(|i| {
            i.get(PATCH).and_then(Value::as_str) == Some("replace") && i.as_object().is_some_and(|m| m.len() == 1)
        });
        if replace || *strategy == ListStrategy::Replace {
            *target = patch
                .iter()
                .filter(|i| !(i.get(PATCH).is_some() && i.as_object().is_some_and(|m| m.len() == 1)))
                .filter(|i| i.get(PATCH).and_then(Value::as_str) != Some("delete"))
                .map(clean)
                .collect();
            return Ok(());
        }
        match strategy {
            ListStrategy::Replace => unreachable!(),
            ListStrategy::MergePrimitives => {
                if self.new_first {
                    let mut out: Vec<Value> = Vec::new();
                    for item in patch.iter().chain(target.iter()) {
                        if !out.contains(item) {
                            out.push(item.clone());
                        }
                    }
                    *target = out;
                } else {
                    for item in patch {
                        if !target.contains(item) {
                            target.push(item.clone());
                        }
                    }
                }
            }
            ListStrategy::MergeByKey(key) => {
                let keyless =
                    |i: &Value| i.as_object().is_some_and(|m| !m.contains_key(key.as_str()) && !m.contains_key(PATCH));
                // kustomize (kyaml): a patch element without the merge key is
                // dropped, and so are the target's elements the patch does not name.
                let drop_unmatched = self.new_first && patch.iter().any(keyless);
                let extra = self.schema.extra_merge_keys(self.api_version, self.kind, path);
                let same = |t: &Value, p: &Map<String, Value>| {
                    t.get(key.as_str()) == p.get(key.as_str())
                        && extra.iter().all(|k| t.get(k.as_str()) == p.get(k.as_str()))
                };
                // (position in target it merged into, or the new element)
                let mut placed: Vec<Result<usize, Value>> = Vec::new();
                let mut deleted: Vec<usize> = Vec::new();
                for item in patch {
                    let Value::Object(pm) = item else {
                        // scalars in a keyed list: set semantics
                        if !target.contains(item) {
                            placed.push(Err(item.clone()));
                        }
                        continue;
                    };
                    let directive = pm.get(PATCH).and_then(Value::as_str);
                    if drop_unmatched && keyless(item) {
                        continue;
                    }
                    if !pm.contains_key(key.as_str()) {
                        if directive.is_some() {
                            continue;
                        }
                        return Err(invalid(path, format!("list item has no merge key {key:?}")));
                    }
                    let pos = target.iter().position(|t| same(t, pm));
                    match (directive, pos) {
                        (Some("delete"), Some(i)) => deleted.push(i),
                        (Some("delete"), None) => {}
                        (_, Some(i)) => {
                            if let Value::Object(tm) = &mut target[i] {
                                if let MapOutcome::Delete = self.merge_map(tm, pm, path)? {
                                    deleted.push(i);
                                    continue;
                                }
                            } else {
                                target[i] = clean(item);
                            }
                            if !placed.contains(&Ok(i)) {
                                placed.push(Ok(i));
                            }
                        }
                        (_, None) => placed.push(Err(clean(item))),
                    }
                }
                let old = std::mem::take(target);
                if self.new_first {
                    for p in &placed {
                        match p {
                            Ok(i) if !deleted.contains(i) => target.push(old[*i].clone()),
                            Ok(_) => {}
                            Err(v) => target.push(v.clone()),
                        }
                    }
                    for (i, v) in old.iter().enumerate() {
                        if !drop_unmatched && !deleted.contains(&i) && !placed.contains(&Ok(i)) {
                            target.push(v.clone());
                        }
                    }
                } else {
                    for (i, v) in old.into_iter().enumerate() {
                        if !deleted.contains(&i) {
                            target.push(v);
                        }
                    }
                    target.extend(placed.into_iter().filter_map(Result::err));
                }
            }
        }
        Ok(())
    }
}

fn reorder(items: &mut Vec<Value>, order: &[Value], strategy: &ListStrategy) {
    let key_of = |v: &Value| -> Value {
        match strategy {
            ListStrategy::MergeByKey(k) if v.is_object() => v.get(k.as_str()).cloned().unwrap_or(Value::Null),
            _ => v.clone(),
        }
    };
    let order_keys: Vec<Value> = order.iter().map(&key_of).collect();
    let mut ordered: Vec<Value> = Vec::with_capacity(items.len());
    let mut rest: Vec<Value> = Vec::new();
    let mut slots: Vec<Option<Value>> = vec![None; order_keys.len()];
    for it in items.drain(..) {
        let k = key_of(&it);
        match order_keys.iter().position(|o| *o == k) {
            Some(p) if slots[p].is_none() => slots[p] = Some(it),
            _ => rest.push(it),
        }
    }
    ordered.extend(slots.into_iter().flatten());
    ordered.extend(rest);
    *items = ordered;
}

/// A copy with directives (`$patch`, `$retainKeys`, ...) removed.
fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(clean_map(m)),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|i| i.get(PATCH).and_then(Value::as_str) != Some("delete"))
                .filter(|i| !(i.get(PATCH).is_some() && i.as_object().is_some_and(|m| m.len() == 1)))
                .map(clean)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn clean_map(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter().filter(|(k, v)| !k.starts_with('$') && !v.is_null()).map(|(k, v)| (k.clone(), clean(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(containers: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
               "spec": {"template": {"spec": {"containers": containers}}}})
    }

    fn run(mut t: Value, p: Value) -> Value {
        apply(&mut t, &p, &BuiltinSchema).unwrap();
        t
    }

    #[test]
    fn maps_merge_and_null_deletes() {
        let t = json!({"kind": "X", "a": {"b": 1, "c": 2}, "d": 1});
        let out = run(t, json!({"a": {"c": null, "e": 3}, "d": null}));
        assert_eq!(out, json!({"kind": "X", "a": {"b": 1, "e": 3}}));
    }

    #[test]
    fn containers_merge_by_name() {
        let t = deploy(json!([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]));
        let out = run(t, deploy(json!([{"name": "b", "image": "z"}, {"name": "c", "image": "w"}])));
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "x"}, {"name": "b", "image": "z"}, {"name": "c", "image": "w"}])
        );
    }

    #[test]
    fn env_and_ports_merge() {
        let t = deploy(json!([{"name": "a", "env": [{"name": "A", "value": "1"}], "ports": [{"containerPort": 80}]}]));
        let out = run(
            t,
            deploy(json!([{"name": "a", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "3"}],
                           "ports": [{"containerPort": 443}]}])),
        );
        let c = &out["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["env"], json!([{"name": "A", "value": "3"}, {"name": "B", "value": "2"}]));
        assert_eq!(c["ports"], json!([{"containerPort": 80}, {"containerPort": 443}]));
    }

    #[test]
    fn delete_directive_in_list() {
        let t = deploy(json!([{"name": "a"}, {"name": "b"}]));
        let out = run(t, deploy(json!([{"name": "a", "$patch": "delete"}])));
        assert_eq!(out["spec"]["template"]["spec"]["containers"], json!([{"name": "b"}]));
    }

    #[test]
    fn replace_directive_in_list_and_map() {
        let t = deploy(json!([{"name": "a"}, {"name": "b"}]));
        let out = run(t.clone(), deploy(json!([{"$patch": "replace"}, {"name": "c"}])));
        assert_eq!(out["spec"]["template"]["spec"]["containers"], json!([{"name": "c"}]));
        let out = run(t, json!({"spec": {"template": {"$patch": "replace", "metadata": {"x": 1}}}}));
        assert_eq!(out["spec"]["template"], json!({"metadata": {"x": 1}}));
    }

    #[test]
    fn new_items_first_option() {
        let mut t = deploy(json!([{"name": "a"}]));
        let p = deploy(json!([{"name": "b"}, {"name": "c"}]));
        apply_with(&mut t, &p, &BuiltinSchema, &Options { patch_order_first: true }).unwrap();
        assert_eq!(t["spec"]["template"]["spec"]["containers"], json!([{"name": "b"}, {"name": "c"}, {"name": "a"}]));
        let mut t = deploy(json!([{"name": "a"}, {"name": "b", "image": "x"}]));
        let p = deploy(json!([{"name": "c"}, {"name": "b", "image": "y"}]));
        apply_with(&mut t, &p, &BuiltinSchema, &Options { patch_order_first: true }).unwrap();
        assert_eq!(
            t["spec"]["template"]["spec"]["containers"],
            json!([{"name": "c"}, {"name": "b", "image": "y"}, {"name": "a"}])
        );
    }

    #[test]
    fn extra_merge_keys_split_elements() {
        struct Ports;
        impl MergeSchema for Ports {
            fn list_strategy(&self, a: &str, k: &str, p: &[&str]) -> ListStrategy {
                BuiltinSchema.list_strategy(a, k, p)
            }
            fn extra_merge_keys(&self, _: &str, _: &str, p: &[&str]) -> Vec<String> {
                if p.last() == Some(&"ports") { vec!["protocol".into()] } else { Vec::new() }
            }
        }
        let mut t = deploy(json!([{"name": "a", "ports": [{"containerPort": 53, "protocol": "TCP"}]}]));
        let p = deploy(json!([{"name": "a", "ports": [{"containerPort": 53, "protocol": "UDP"}]}]));
        apply(&mut t, &p, &Ports).unwrap();
        assert_eq!(
            t["spec"]["template"]["spec"]["containers"][0]["ports"],
            json!([{"containerPort": 53, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}])
        );
    }

    #[test]
    fn kustomize_mode_quirks() {
        let k = Options { patch_order_first: true };
        let mut t = deploy(json!([{"name": "a", "image": "x"}, {"name": "b"}]));
        apply_with(&mut t, &deploy(json!([{"name": "a", "tty": true}, {"image": "keyless"}])), &BuiltinSchema, &k)
            .unwrap();
        assert_eq!(t["spec"]["template"]["spec"]["containers"], json!([{"name": "a", "image": "x", "tty": true}]));
        let mut t = json!({"kind": "X", "spec": {"size": 3}});
        assert!(apply_with(&mut t.clone(), &json!({"spec": {"size": {"min": 1}}}), &NoSchema, &k).is_err());
        apply(&mut t, &json!({"spec": {"size": {"min": 1}}}), &NoSchema).unwrap();
        assert_eq!(t["spec"]["size"], json!({"min": 1}));
    }

    #[test]
    fn delete_whole_object() {
        let out = run(json!({"kind": "X", "a": 1}), json!({"$patch": "delete"}));
        assert_eq!(out, Value::Null);
    }

    #[test]
    fn unknown_kinds_replace_lists() {
        let t = json!({"apiVersion": "example.com/v1", "kind": "Foo", "spec": {"containers": [{"name": "a"}]}});
        let out = run(t, json!({"spec": {"containers": [{"name": "b"}]}}));
        assert_eq!(out["spec"]["containers"], json!([{"name": "b"}]));
    }

    #[test]
    fn primitive_lists_without_strategy_replace() {
        let t = deploy(json!([{"name": "a", "args": ["x", "y"]}]));
        let out = run(t, deploy(json!([{"name": "a", "args": ["z"]}])));
        assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["args"], json!(["z"]));
    }

    #[test]
    fn finalizers_merge_and_delete_from_primitive_list() {
        let t = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["a", "b"]}});
        let out = run(t.clone(), json!({"metadata": {"finalizers": ["c", "a"]}}));
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "b", "c"]));
        let out = run(t, json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}));
        assert_eq!(out["metadata"]["finalizers"], json!(["b"]));
    }

    #[test]
    fn set_element_order() {
        let t = deploy(json!([{"name": "a"}, {"name": "b"}]));
        let p = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "c"}, {"name": "b"}, {"name": "a"}],
            "containers": [{"name": "c"}]}}}});
        let out = run(t, p);
        assert_eq!(out["spec"]["template"]["spec"]["containers"], json!([{"name": "c"}, {"name": "b"}, {"name": "a"}]));
    }

    #[test]
    fn retain_keys() {
        let t = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                       "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
        let p = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
        let out = run(t, p);
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn service_ports_by_port() {
        let t = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "name": "http"}]}});
        let out = run(t, json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}));
        assert_eq!(out["spec"]["ports"], json!([{"port": 80, "name": "http", "targetPort": 8080}, {"port": 443}]));
    }

    #[test]
    fn errors_instead_of_panics() {
        let mut t = json!({"kind": "X"});
        assert!(apply(&mut t, &json!([1]), &BuiltinSchema).is_err());
        assert!(apply(&mut t, &json!({"$patch": "bogus"}), &BuiltinSchema).is_err());
        let mut d = deploy(json!([{"name": "a"}]));
        assert!(apply(&mut d, &deploy(json!([{"image": "x"}])), &BuiltinSchema).is_err());
    }
}
