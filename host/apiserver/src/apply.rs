//! Field ownership: server-side apply (merge the applied configuration,
//! detect conflicts with other managers, remove what a manager stopped
//! applying) and the bookkeeping every other write does in
//! `metadata.managedFields`.

use serde_json::{Value, json};
use weir_strategic_merge::ListStrategy;

use crate::fieldset::{self, FieldSet, Path, Step, TypeContext};
use crate::objects;

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    manager: String,
    /// `Apply` or `Update`.
    operation: String,
    api_version: String,
    time: String,
    fields: FieldSet,
}

fn read_entries(object: &Value) -> Vec<Entry> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| Entry {
            manager: entry["manager"].as_str().unwrap_or("").to_owned(),
            operation: entry["operation"].as_str().unwrap_or("Update").to_owned(),
            api_version: entry["apiVersion"].as_str().unwrap_or("").to_owned(),
            time: entry["time"].as_str().unwrap_or("").to_owned(),
            fields: fieldset::from_fields_v1(&entry["fieldsV1"]),
        })
        .collect()
}

fn write_entries(object: &mut Value, entries: Vec<Entry>) {
    let entries: Vec<Value> = entries
        .into_iter()
        .filter(|entry| !entry.fields.is_empty())
        .map(|entry| {
            json!({
                "manager": entry.manager,
                "operation": entry.operation,
                "apiVersion": entry.api_version,
                "time": entry.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": fieldset::to_fields_v1(&entry.fields),
            })
        })
        .collect();
    object["metadata"]["managedFields"] = Value::Array(entries);
}

/// A field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub manager: String,
    pub api_version: String,
    /// `.spec.replicas`, `.spec.containers[name="web"].image`.
    pub field: String,
}

/// Server-side apply of `applied` by `manager` onto `current` (absent: a
/// create). Returns the new object, with its managedFields, or the
/// conflicts when `force` is off.
pub fn apply(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    context: &TypeContext<'_>,
) -> Result<Value, Vec<Conflict>> {
    let empty = json!({});
    let current = current.unwrap_or(&empty);
    let applied_set = fieldset::of_object(applied, context);
    let mut entries = read_entries(current);
    let previous = entries
        .iter()
        .find(|entry| entry.manager == manager && entry.operation == "Apply")
        .map(|entry| entry.fields.clone())
        .unwrap_or_default();

    let mut conflicts = Vec::new();
    for entry in entries.iter_mut().filter(|entry| !(entry.manager == manager && entry.operation == "Apply")) {
        let contested: Vec<Path> = entry
            .fields
            .intersection(&applied_set)
            .filter(|path| !matches!(path.last(), Some(Step::Key(_) | Step::Value(_))))
            .filter(|path| fieldset::get(current, path) != fieldset::get(applied, path))
            .cloned()
            .collect();
        if force {
            for path in &contested {
                entry.fields.remove(path);
            }
        } else {
            conflicts.extend(contested.iter().map(|path| Conflict {
                manager: entry.manager.clone(),
                api_version: entry.api_version.clone(),
                field: describe(path),
            }));
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }

    let mut merged = current.clone();
    merge(&mut merged, applied, &mut Vec::new(), context);
    let owned_by_others: FieldSet = entries
        .iter()
        .filter(|entry| !(entry.manager == manager && entry.operation == "Apply"))
        .flat_map(|entry| entry.fields.iter().cloned())
        .collect();
    // Sorted order removes a list item before its fields, which then are gone with it.
    for path in previous.difference(&applied_set) {
        if !owned_by_others.contains(path) && !owned_by_others.iter().any(|owned| owned.starts_with(path)) {
            fieldset::remove(&mut merged, path);
        }
    }

    let api_version = applied["apiVersion"].as_str().unwrap_or("").to_owned();
    entries.retain(|entry| !(entry.manager == manager && entry.operation == "Apply"));
    entries.push(Entry {
        manager: manager.to_owned(),
        operation: "Apply".into(),
        api_version,
        time: objects::now(),
        fields: applied_set,
    });
    write_entries(&mut merged, entries);
    Ok(merged)
}

/// Records a non-apply write by `manager`: it owns what it changed, and
/// other managers lose those fields.
pub fn track_update(old: Option<&Value>, new: &mut Value, manager: &str, context: &TypeContext<'_>) {
    let empty = json!({});
    let old = old.unwrap_or(&empty);
    let mut entries = read_entries(new);
    if entries.is_empty() {
        entries = read_entries(old);
    }
    let old_set = fieldset::of_object(old, context);
    let new_set = fieldset::of_object(new, context);
    let changed: FieldSet = new_set
        .iter()
        .filter(|path| fieldset::get(old, path) != fieldset::get(new, path))
        .chain(old_set.difference(&new_set))
        .cloned()
        .collect();
    if changed.is_empty() {
        write_entries(new, entries);
        return;
    }
    for entry in &mut entries {
        entry.fields.retain(|path| !changed.contains(path));
    }
    let api_version = new["apiVersion"].as_str().unwrap_or("").to_owned();
    let mine: FieldSet = changed.intersection(&new_set).cloned().collect();
    match entries.iter_mut().find(|entry| entry.manager == manager && entry.operation == "Update") {
        Some(entry) => {
            entry.fields.extend(mine);
            entry.time = objects::now();
        }
        None => entries.push(Entry {
            manager: manager.to_owned(),
            operation: "Update".into(),
            api_version,
            time: objects::now(),
            fields: mine,
        }),
    }
    write_entries(new, entries);
}

/// Applied values win; maps merge; lists merge as the schema says.
fn merge(target: &mut Value, applied: &Value, path: &mut Path, context: &TypeContext<'_>) {
    match (target, applied) {
        (Value::Object(target), Value::Object(applied)) => {
            for (name, value) in applied {
                if path.is_empty() && name == "metadata" {
                    merge_metadata(target, value);
                    continue;
                }
                path.push(Step::Field(name.clone()));
                match target.get_mut(name) {
                    Some(existing) => merge(existing, value, path, context),
                    None => {
                        target.insert(name.clone(), value.clone());
                    }
                }
                path.pop();
            }
        }
        (Value::Array(target), Value::Array(applied)) => match context.list_strategy(path) {
            ListStrategy::MergeByKey(key) => {
                for item in applied {
                    let existing = item
                        .get(&key)
                        .and_then(|wanted| target.iter_mut().find(|candidate| candidate.get(&key) == Some(wanted)));
                    match (existing, fieldset::item_step(&key, item)) {
                        (Some(existing), Some(step)) => {
                            path.push(step);
                            merge(existing, item, path, context);
                            path.pop();
                        }
                        _ => target.push(item.clone()),
                    }
                }
            }
            ListStrategy::MergePrimitives => {
                for item in applied {
                    if !target.contains(item) {
                        target.push(item.clone());
                    }
                }
            }
            ListStrategy::Replace => *target = applied.clone(),
        },
        (target, applied) => *target = applied.clone(),
    }
}

/// Of metadata, apply sets only what a user owns: labels, annotations,
/// finalizers, owner references (name and namespace come from the URL).
fn merge_metadata(target: &mut serde_json::Map<String, Value>, applied: &Value) {
    let metadata = target.entry("metadata").or_insert_with(|| json!({}));
    for owned in ["labels", "annotations"] {
        if let Some(values) = applied[owned].as_object() {
            let into = &mut metadata[owned];
            if !into.is_object() {
                *into = json!({});
            }
            for (key, value) in values {
                into[key] = value.clone();
            }
        }
    }
    if let Some(finalizers) = applied["finalizers"].as_array() {
        let into = metadata["finalizers"].as_array().cloned().unwrap_or_default();
        let mut merged = into;
        for finalizer in finalizers {
            if !merged.contains(finalizer) {
                merged.push(finalizer.clone());
            }
        }
        metadata["finalizers"] = Value::Array(merged);
    }
    if let Some(references) = applied.get("ownerReferences") {
        metadata["ownerReferences"] = references.clone();
    }
}

/// A path as kube-apiserver prints it in conflicts.
fn describe(path: &Path) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Field(name) => {
                text.push('.');
                text.push_str(name);
            }
            Step::Key(keys) => {
                let keys: serde_json::Map<String, Value> = serde_json::from_str(keys).unwrap_or_default();
                let parts: Vec<String> = keys.iter().map(|(key, value)| format!("{key}={value}")).collect();
                text.push_str(&format!("[{}]", parts.join(",")));
            }
            Step::Value(value) => text.push_str(&format!("[{value}]")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use weir_strategic_merge::BuiltinSchema;

    fn context() -> TypeContext<'static> {
        TypeContext { api_version: "apps/v1".into(), kind: "Deployment", schema: &BuiltinSchema }
    }

    fn deployment(replicas: i64, image: &str, extra_env: bool) -> Value {
        let mut env = vec![json!({"name": "A", "value": "1"})];
        if extra_env {
            env.push(json!({"name": "B", "value": "2"}));
        }
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": image, "env": env}]}}},
        })
    }

    #[test]
    fn fields_v1_round_trips() {
        let set = fieldset::of_object(&deployment(1, "nginx", true), &context());
        let tree = fieldset::to_fields_v1(&set);
        assert_eq!(tree["f:spec"]["f:template"]["f:spec"]["f:containers"][r#"k:{"name":"web"}"#]["."], json!({}));
        assert_eq!(tree["f:metadata"]["f:labels"]["f:app"], json!({}));
        assert_eq!(fieldset::from_fields_v1(&tree), set);
    }

    #[test]
    fn a_manager_owns_what_it_applied_and_removes_what_it_dropped() {
        let created = apply(None, &deployment(2, "nginx:1", true), "flux", false, &context()).unwrap();
        assert_eq!(created["spec"]["template"]["spec"]["containers"][0]["env"].as_array().unwrap().len(), 2);
        let updated = apply(Some(&created), &deployment(2, "nginx:2", false), "flux", false, &context()).unwrap();
        let container = &updated["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], "nginx:2");
        assert_eq!(container["env"], json!([{"name": "A", "value": "1"}]), "B was dropped by its only owner");
        assert_eq!(updated["metadata"]["managedFields"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn another_managers_different_value_conflicts_unless_forced() {
        let created = apply(None, &deployment(2, "nginx:1", false), "flux", false, &context()).unwrap();
        let mut edited = created.clone();
        edited["spec"]["replicas"] = json!(5);
        track_update(Some(&created), &mut edited, "kubectl-edit", &context());
        let conflicts = apply(Some(&edited), &deployment(2, "nginx:1", false), "flux", false, &context()).unwrap_err();
        assert_eq!(
            conflicts,
            [Conflict {
                manager: "kubectl-edit".into(),
                api_version: "apps/v1".into(),
                field: ".spec.replicas".into()
            }]
        );
        let same_value = apply(Some(&edited), &deployment(5, "nginx:1", false), "flux", false, &context());
        assert!(same_value.is_ok(), "an equal value is shared ownership, not a conflict");
        let forced = apply(Some(&edited), &deployment(2, "nginx:1", false), "flux", true, &context()).unwrap();
        assert_eq!(forced["spec"]["replicas"], 2);
        let managers: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["manager"].as_str().unwrap())
            .collect();
        assert_eq!(managers, ["flux"], "kubectl-edit lost its only field");
    }

    #[test]
    fn fields_another_manager_also_owns_are_kept_when_dropped() {
        let created = apply(None, &deployment(2, "nginx:1", true), "a", false, &context()).unwrap();
        let shared = apply(Some(&created), &deployment(2, "nginx:1", true), "b", false, &context()).unwrap();
        let dropped = apply(Some(&shared), &deployment(2, "nginx:1", false), "a", false, &context()).unwrap();
        assert_eq!(dropped["spec"]["template"]["spec"]["containers"][0]["env"].as_array().unwrap().len(), 2);
    }
}
