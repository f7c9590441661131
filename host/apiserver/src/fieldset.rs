//! Sets of field paths, as server-side apply tracks ownership in
//! `metadata.managedFields` (the `FieldsV1` format: `f:name`, `k:{...}`,
//! `v:value`, and `.` for a list item itself).

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use weir_strategic_merge::{ListStrategy, MergeSchema};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// A field of a map: `f:name`.
    Field(String),
    /// An item of a list keyed by its merge keys: `k:{"name":"web"}` (the JSON of the keys).
    Key(String),
    /// An item of a set: `v:"value"` (the JSON of the value).
    Value(String),
}

pub type Path = Vec<Step>;

/// Paths owned: leaves (scalars, atomic lists, empty maps) and list items.
pub type FieldSet = BTreeSet<Path>;

/// Where a list sits, for the merge schema: field names from the root.
fn field_names(path: &Path) -> Vec<&str> {
    path.iter().filter_map(|step| if let Step::Field(name) = step { Some(name.as_str()) } else { None }).collect()
}

/// The schema context of an object: its apiVersion and kind.
pub struct TypeContext<'a> {
    pub api_version: String,
    pub kind: &'a str,
    pub schema: &'a dyn MergeSchema,
}

impl TypeContext<'_> {
    pub fn list_strategy(&self, path: &Path) -> ListStrategy {
        self.schema.list_strategy(&self.api_version, self.kind, &field_names(path))
    }
}

/// The key step of `item` in a list merged by `key`.
pub fn item_step(key: &str, item: &Value) -> Option<Step> {
    let value = item.get(key)?;
    let mut keys = Map::new();
    keys.insert(key.to_owned(), value.clone());
    Some(Step::Key(Value::Object(keys).to_string()))
}

/// Every path `value` sets (apiVersion, kind, and server-owned metadata excluded).
pub fn of_object(value: &Value, context: &TypeContext<'_>) -> FieldSet {
    let mut set = FieldSet::new();
    if let Some(fields) = value.as_object() {
        for (name, field) in fields {
            if matches!(name.as_str(), "apiVersion" | "kind") {
                continue;
            }
            let path = vec![Step::Field(name.clone())];
            if name == "metadata" {
                for owned in ["labels", "annotations", "finalizers", "ownerReferences"] {
                    if let Some(inner) = field.get(owned) {
                        collect(inner, vec![Step::Field(name.clone()), Step::Field(owned.into())], context, &mut set);
                    }
                }
                continue;
            }
            collect(field, path, context, &mut set);
        }
    }
    set
}

fn collect(value: &Value, path: Path, context: &TypeContext<'_>, set: &mut FieldSet) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (name, field) in fields {
                let mut child = path.clone();
                child.push(Step::Field(name.clone()));
                collect(field, child, context, set);
            }
        }
        Value::Array(items) => match context.list_strategy(&path) {
            ListStrategy::MergeByKey(key) => {
                let mut any = false;
                for item in items {
                    if let Some(step) = item_step(&key, item) {
                        any = true;
                        let mut item_path = path.clone();
                        item_path.push(step);
                        set.insert(item_path.clone());
                        if let Some(fields) = item.as_object() {
                            for (name, field) in fields {
                                let mut child = item_path.clone();
                                child.push(Step::Field(name.clone()));
                                collect(field, child, context, set);
                            }
                        }
                    }
                }
                if !any {
                    set.insert(path);
                }
            }
            ListStrategy::MergePrimitives => {
                for item in items {
                    let mut item_path = path.clone();
                    item_path.push(Step::Value(item.to_string()));
                    set.insert(item_path);
                }
                if items.is_empty() {
                    set.insert(path);
                }
            }
            ListStrategy::Replace => {
                set.insert(path);
            }
        },
        _ => {
            set.insert(path);
        }
    }
}

/// The value at `path` in `value`, if any.
pub fn get<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    let Some((first, rest)) = path.split_first() else { return Some(value) };
    let next = match first {
        Step::Field(name) => value.get(name)?,
        Step::Key(keys) => {
            let keys: Map<String, Value> = serde_json::from_str(keys).ok()?;
            value.as_array()?.iter().find(|item| keys.iter().all(|(key, wanted)| item.get(key) == Some(wanted)))?
        }
        Step::Value(wanted) => value.as_array()?.iter().find(|item| item.to_string() == *wanted)?,
    };
    get(next, rest)
}

/// Removes what `path` names from `value` (a field, a list item, a set value).
pub fn remove(value: &mut Value, path: &[Step]) {
    let Some((last, parents)) = path.split_last() else { return };
    let Some(parent) = get_mut(value, parents) else { return };
    match last {
        Step::Field(name) => {
            if let Some(fields) = parent.as_object_mut() {
                fields.remove(name);
            }
        }
        Step::Key(keys) => {
            let Ok(keys) = serde_json::from_str::<Map<String, Value>>(keys) else { return };
            if let Some(items) = parent.as_array_mut() {
                items.retain(|item| !keys.iter().all(|(key, wanted)| item.get(key) == Some(wanted)));
            }
        }
        Step::Value(wanted) => {
            if let Some(items) = parent.as_array_mut() {
                items.retain(|item| item.to_string() != *wanted);
            }
        }
    }
}

fn get_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let Some((first, rest)) = path.split_first() else { return Some(value) };
    let next = match first {
        Step::Field(name) => value.get_mut(name)?,
        Step::Key(keys) => {
            let keys: Map<String, Value> = serde_json::from_str(keys).ok()?;
            value
                .as_array_mut()?
                .iter_mut()
                .find(|item| keys.iter().all(|(key, wanted)| item.get(key) == Some(wanted)))?
        }
        Step::Value(wanted) => value.as_array_mut()?.iter_mut().find(|item| item.to_string() == *wanted)?,
    };
    get_mut(next, rest)
}

/// The `fieldsV1` tree of a set.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    'paths: for path in set {
        let mut node = &mut root;
        for step in path {
            let key = match step {
                Step::Field(name) => format!("f:{name}"),
                Step::Key(keys) => format!("k:{keys}"),
                Step::Value(value) => format!("v:{value}"),
            };
            match node.entry(key).or_insert_with(|| Value::Object(Map::new())) {
                Value::Object(child) => node = child,
                _ => continue 'paths,
            }
        }
        // A path that is also a prefix of others (a list item with fields) is marked with ".".
        if matches!(path.last(), Some(Step::Key(_)) | Some(Step::Value(_))) {
            node.insert(".".into(), Value::Object(Map::new()));
        }
    }
    clean_item_markers(&mut root);
    Value::Object(root)
}

/// An item with no fields of its own is written `{}`, not `{".":{}}`.
fn clean_item_markers(node: &mut Map<String, Value>) {
    for child in node.values_mut() {
        if let Some(child) = child.as_object_mut() {
            if child.len() == 1 && child.contains_key(".") {
                child.clear();
            } else {
                clean_item_markers(child);
            }
        }
    }
}

/// Reads a `fieldsV1` tree back into a set.
pub fn from_fields_v1(tree: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    walk_fields_v1(tree, &mut Vec::new(), &mut set);
    set
}

fn walk_fields_v1(node: &Value, path: &mut Path, set: &mut FieldSet) {
    let Some(children) = node.as_object() else { return };
    let is_item = matches!(path.last(), Some(Step::Key(_)) | Some(Step::Value(_)));
    if !path.is_empty() && (children.is_empty() || (is_item && children.contains_key("."))) {
        set.insert(path.clone());
    }
    for (key, child) in children {
        let step = if let Some(name) = key.strip_prefix("f:") {
            Step::Field(name.to_owned())
        } else if let Some(keys) = key.strip_prefix("k:") {
            Step::Key(keys.to_owned())
        } else if let Some(value) = key.strip_prefix("v:") {
            Step::Value(value.to_owned())
        } else {
            continue;
        };
        path.push(step);
        walk_fields_v1(child, path, set);
        path.pop();
    }
}
