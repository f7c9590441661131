//! Patches made from objects, as a client-side apply makes them (Helm 3, and Helm 4 with
//! server-side apply off): apimachinery's `CreateThreeWayMergePatch` for kinds the client knows
//! — what the new object changes against the live one, plus what it dropped since the one
//! applied last — and jsonpatch's two-way `CreateMergePatch` for the rest.

use serde_json::{Map, Value};

use crate::{ListStrategy, MergeSchema};

/// The strategic merge patch that takes `current` (the live object) to `modified` (the new
/// manifest) and removes what `original` (the manifest applied last) had and `modified` has
/// not — fields others added to `current` stay. `{}` when there is nothing to do.
pub fn three_way(original: &Value, modified: &Value, current: &Value, schema: &dyn MergeSchema) -> Value {
    let text = |key: &str| modified.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    let ctx = Ctx { api_version: &api_version, kind: &kind, schema };
    let empty = Map::new();
    let as_map = |value: &Value| value.as_object().cloned().unwrap_or_default();
    let modified = as_map(modified);
    let deletions = ctx.deletions(&mut Vec::new(), original.as_object().unwrap_or(&empty), &modified);
    let delta = ctx.delta(&mut Vec::new(), &as_map(current), &modified);
    Value::Object(ctx.combine(&mut Vec::new(), deletions, delta))
}

/// The JSON merge patch (RFC 7386) that takes `original` to `modified`: changed and added
/// fields, `null` for removed ones, lists whole. `{}` when they are equal.
pub fn two_way(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(original), Value::Object(modified)) => {
            let mut patch = Map::new();
            for key in original.keys().filter(|key| !modified.contains_key(*key)) {
                patch.insert(key.clone(), Value::Null);
            }
            for (key, new) in modified {
                match original.get(key) {
                    Some(old) if old == new => {}
                    Some(old @ Value::Object(_)) if new.is_object() => {
                        patch.insert(key.clone(), two_way(old, new));
                    }
                    _ => {
                        patch.insert(key.clone(), new.clone());
                    }
                }
            }
            Value::Object(patch)
        }
        (_, modified) => modified.clone(),
    }
}

struct Ctx<'a> {
    api_version: &'a str,
    kind: &'a str,
    schema: &'a dyn MergeSchema,
}

impl Ctx<'_> {
    fn strategy(&self, path: &[String]) -> ListStrategy {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        self.schema.list_strategy(self.api_version, self.kind, &path)
    }

    /// What `modified` changes or adds against `current` (nothing it lacks is removed).
    fn delta(
        &self,
        path: &mut Vec<String>,
        current: &Map<String, Value>,
        modified: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut patch = Map::new();
        for (key, new) in modified {
            let Some(old) = current.get(key) else {
                patch.insert(key.clone(), new.clone());
                continue;
            };
            if old == new {
                continue;
            }
            path.push(key.clone());
            match (old, new) {
                (Value::Object(old), Value::Object(new)) => {
                    let sub = self.delta(path, old, new);
                    if !sub.is_empty() {
                        patch.insert(key.clone(), Value::Object(sub));
                    }
                }
                (Value::Array(old), Value::Array(new)) => match self.strategy(path) {
                    ListStrategy::MergeByKey(merge_key) if keyed(new, &merge_key) && keyed(old, &merge_key) => {
                        let mut elements = Vec::new();
                        for element in new {
                            let id = &element[&merge_key];
                            match old.iter().find(|candidate| &candidate[&merge_key] == id) {
                                None => elements.push(element.clone()),
                                Some(existing) => {
                                    let mut sub = self.delta(path, as_map(existing), as_map(element));
                                    if !sub.is_empty() {
                                        sub.insert(merge_key.clone(), id.clone());
                                        elements.push(Value::Object(sub));
                                    }
                                }
                            }
                        }
                        let order = new.iter().map(|element| key_only(&merge_key, &element[&merge_key])).collect();
                        if !elements.is_empty() || !same_order(old, new, &merge_key) {
                            patch.insert(format!("$setElementOrder/{key}"), Value::Array(order));
                        }
                        if !elements.is_empty() {
                            patch.insert(key.clone(), Value::Array(elements));
                        }
                    }
                    ListStrategy::MergePrimitives => {
                        let added: Vec<Value> = new.iter().filter(|item| !old.contains(item)).cloned().collect();
                        patch.insert(format!("$setElementOrder/{key}"), Value::Array(new.clone()));
                        if !added.is_empty() {
                            patch.insert(key.clone(), Value::Array(added));
                        }
                    }
                    _ => {
                        patch.insert(key.clone(), Value::Array(new.clone()));
                    }
                },
                _ => {
                    patch.insert(key.clone(), new.clone());
                }
            }
            path.pop();
        }
        patch
    }

    /// What `original` had that `modified` dropped: `null` for fields, `$patch: delete` for
    /// keyed list elements, `$deleteFromPrimitiveList` for set members.
    fn deletions(
        &self,
        path: &mut Vec<String>,
        original: &Map<String, Value>,
        modified: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut patch = Map::new();
        for (key, old) in original {
            let Some(new) = modified.get(key) else {
                patch.insert(key.clone(), Value::Null);
                continue;
            };
            path.push(key.clone());
            match (old, new) {
                (Value::Object(old), Value::Object(new)) => {
                    let sub = self.deletions(path, old, new);
                    if !sub.is_empty() {
                        patch.insert(key.clone(), Value::Object(sub));
                    }
                }
                (Value::Array(old), Value::Array(new)) => match self.strategy(path) {
                    ListStrategy::MergeByKey(merge_key) if keyed(new, &merge_key) && keyed(old, &merge_key) => {
                        let mut elements = Vec::new();
                        for element in old {
                            let id = &element[&merge_key];
                            match new.iter().find(|candidate| &candidate[&merge_key] == id) {
                                None => {
                                    let mut gone = key_only(&merge_key, id);
                                    gone["$patch"] = Value::String("delete".into());
                                    elements.push(gone);
                                }
                                Some(kept) => {
                                    let mut sub = self.deletions(path, as_map(element), as_map(kept));
                                    if !sub.is_empty() {
                                        sub.insert(merge_key.clone(), id.clone());
                                        elements.push(Value::Object(sub));
                                    }
                                }
                            }
                        }
                        if !elements.is_empty() {
                            patch.insert(key.clone(), Value::Array(elements));
                        }
                    }
                    ListStrategy::MergePrimitives => {
                        let removed: Vec<Value> = old.iter().filter(|item| !new.contains(item)).cloned().collect();
                        if !removed.is_empty() {
                            patch.insert(format!("$deleteFromPrimitiveList/{key}"), Value::Array(removed));
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
            path.pop();
        }
        patch
    }

    /// The deletions and the delta as one patch: maps merged, keyed lists merged by key, the
    /// delta winning elsewhere.
    fn combine(
        &self,
        path: &mut Vec<String>,
        mut deletions: Map<String, Value>,
        delta: Map<String, Value>,
    ) -> Map<String, Value> {
        for (key, change) in delta {
            let Some(removal) = deletions.remove(&key) else {
                deletions.insert(key, change);
                continue;
            };
            path.push(key.clone());
            let merged = match (removal, change) {
                (Value::Object(removal), Value::Object(change)) => Value::Object(self.combine(path, removal, change)),
                (Value::Array(removal), Value::Array(change)) => match self.strategy(path) {
                    ListStrategy::MergeByKey(merge_key) => {
                        let mut elements = removal;
                        for element in change {
                            let id = element[&merge_key].clone();
                            match elements.iter_mut().find(|candidate| candidate[&merge_key] == id) {
                                Some(Value::Object(existing)) => {
                                    let merged = self.combine(path, std::mem::take(existing), as_map(&element).clone());
                                    *existing = merged;
                                }
                                _ => elements.push(element),
                            }
                        }
                        Value::Array(elements)
                    }
                    _ => Value::Array(change),
                },
                (_, change) => change,
            };
            path.pop();
            deletions.insert(key, merged);
        }
        deletions
    }
}

/// Whether every element is a map holding `merge_key`.
fn keyed(list: &[Value], merge_key: &str) -> bool {
    list.iter().all(|element| element.get(merge_key).is_some())
}

fn same_order(old: &[Value], new: &[Value], merge_key: &str) -> bool {
    let ids = |list: &[Value]| list.iter().map(|element| element[merge_key].clone()).collect::<Vec<_>>();
    let (old, new) = (ids(old), ids(new));
    old.iter().filter(|id| new.contains(id)).eq(new.iter().filter(|id| old.contains(id)))
}

fn key_only(merge_key: &str, id: &Value) -> Value {
    let mut map = Map::new();
    map.insert(merge_key.to_owned(), id.clone());
    Value::Object(map)
}

fn as_map(value: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value.as_object().unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{BuiltinSchema, NoSchema, apply};

    fn deployment(containers: Value, extra: Value) -> Value {
        let mut object = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": containers}}}
        });
        crate::apply(&mut object, &extra, &NoSchema).unwrap();
        object
    }

    #[test]
    fn a_three_way_patch_keeps_what_others_added_and_drops_what_the_chart_dropped() {
        let original = deployment(
            json!([{"name": "app", "image": "app:1", "args": ["-v"]}]),
            json!({"metadata": {"labels": {"tier": "web"}}}),
        );
        let modified = deployment(json!([{"name": "app", "image": "app:2"}]), json!({}));
        // Live: someone scaled it and injected a sidecar.
        let mut current = original.clone();
        apply(&mut current, &json!({"spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "proxy", "image": "envoy"}]}}}}), &BuiltinSchema).unwrap();

        let patch = three_way(&original, &modified, &current, &BuiltinSchema);
        assert_eq!(
            patch,
            json!({
                "metadata": {"labels": null},
                "spec": {"replicas": 1, "template": {"spec": {
                    "$setElementOrder/containers": [{"name": "app"}],
                    "containers": [{"name": "app", "args": null, "image": "app:2"}]
                }}}
            })
        );
        let mut patched = current.clone();
        apply(&mut patched, &patch, &BuiltinSchema).unwrap();
        let containers = &patched["spec"]["template"]["spec"]["containers"];
        assert_eq!(containers, &json!([{"name": "app", "image": "app:2"}, {"name": "proxy", "image": "envoy"}]));
        assert_eq!(patched["spec"]["replicas"], 1);
        assert!(patched["metadata"].get("labels").is_none());
        assert_eq!(three_way(&modified, &modified, &patched, &BuiltinSchema), json!({}), "nothing left to do");
    }

    #[test]
    fn a_container_the_chart_dropped_is_deleted_by_its_key() {
        let original = deployment(json!([{"name": "app", "image": "a"}, {"name": "worker", "image": "w"}]), json!({}));
        let modified = deployment(json!([{"name": "app", "image": "a"}]), json!({}));
        let patch = three_way(&original, &modified, &original, &BuiltinSchema);
        assert_eq!(patch["spec"]["template"]["spec"]["containers"], json!([{"name": "worker", "$patch": "delete"}]));
        let mut patched = original.clone();
        apply(&mut patched, &patch, &BuiltinSchema).unwrap();
        assert_eq!(patched, modified);
    }

    #[test]
    fn a_two_way_merge_patch_is_rfc_7386() {
        let original = json!({"spec": {"a": 1, "b": [1, 2], "c": {"d": 1, "e": 2}}});
        let modified = json!({"spec": {"a": 1, "b": [2], "c": {"d": 3}, "f": true}});
        assert_eq!(two_way(&original, &modified), json!({"spec": {"b": [2], "c": {"d": 3, "e": null}, "f": true}}));
        assert_eq!(two_way(&modified, &modified), json!({}));
    }
}
