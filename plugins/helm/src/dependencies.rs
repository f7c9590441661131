//! Helm's dependency processing (`pkg/chartutil/dependencies.go`): which
//! subcharts stay (`condition`, `tags`), their aliases, and `import-values`.

use weir_gotemplate::{Map, Value};

use crate::capabilities::is_compatible;
use crate::chart::{Chart, Dependency};
use crate::values::{ValuesError, coalesce_maps, coalesce_with_warnings, deep_copy_map, merge_values};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DependencyError {
    /// Chart.yaml lists dependencies that `charts/` does not hold.
    #[error("found in Chart.yaml, but missing in charts/ directory: {}", .0.join(", "))]
    Missing(Vec<String>),
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// An `import-values` entry Helm cannot read (Helm itself panics on these).
    #[error("invalid import-values for chart {chart}: {message}")]
    ImportValues { chart: String, message: String },
}

/// Helm's `CheckDependencies` for the top chart: every dependency of
/// Chart.yaml must be in `charts/` (by chart name; versions are not checked here).
pub fn check_present(chart: &Chart) -> Result<(), DependencyError> {
    let missing: Vec<String> = chart
        .metadata
        .dependencies()
        .filter(|req| !chart.dependencies.iter().any(|d| d.name() == req.name))
        .map(|req| req.name.clone())
        .collect();
    if missing.is_empty() { Ok(()) } else { Err(DependencyError::Missing(missing)) }
}

/// Helm's `ProcessDependenciesWithMerge`: drops disabled subcharts, renames
/// aliased ones, then imports children's values into parents.
pub fn process(chart: &mut Chart, user: &Map, warnings: &mut Vec<String>) -> Result<(), DependencyError> {
    process_enabled(chart, user, "", warnings)?;
    process_imports(chart, warnings)
}

fn process_enabled(
    chart: &mut Chart,
    values: &Map,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<(), DependencyError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let requests: Vec<Dependency> = chart.metadata.dependencies().cloned().collect();
    let matches =
        |req: &Dependency, sub: &Chart| req.name == sub.name() && is_compatible(&req.version, &sub.metadata.version);
    // Subcharts no dependency entry claims are kept as they are.
    let mut subcharts: Vec<Chart> =
        chart.dependencies.iter().filter(|sub| !requests.iter().any(|req| matches(req, sub))).cloned().collect();
    // Each entry takes its own copy of the first matching subchart, renamed to its alias.
    for req in &requests {
        if let Some(sub) = chart.dependencies.iter().find(|sub| matches(req, sub)) {
            let mut copy = sub.clone();
            if !req.alias.is_empty() {
                copy.metadata.name = req.alias.clone();
            }
            subcharts.push(copy);
        }
    }
    chart.dependencies = subcharts;
    for req in chart.metadata.dependencies.iter_mut().flatten() {
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }

    let coalesced = coalesce_with_warnings(chart, values.clone(), warnings)?;
    let mut requests: Vec<&mut Dependency> = chart.metadata.dependencies.iter_mut().flatten().collect();
    apply_tags(&mut requests, &coalesced, warnings);
    apply_conditions(&mut requests, &coalesced, path, warnings);

    let disabled: Vec<String> = requests.iter().filter(|r| !r.enabled).map(|r| r.name.clone()).collect();
    chart.dependencies.retain(|sub| !disabled.iter().any(|name| name == sub.name()));
    chart.metadata.dependencies.retain(|req| req.as_ref().is_some_and(|r| !disabled.contains(&r.name)));
    for sub in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &coalesced, &sub_path, warnings)?;
    }
    Ok(())
}

/// `tags:` of the values: any true tag enables a dependency; only false ones disable it.
fn apply_tags(requests: &mut [&mut Dependency], values: &Map, warnings: &mut Vec<String>) {
    let Ok(tags) = table(values, "tags") else { return };
    for req in requests.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for tag in &req.tags {
            match tags.get(tag) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => {
                    warnings.push(format!("Warning: Tag '{tag}' for chart {} returned non-bool value", req.name))
                }
                None => {}
            }
        }
        req.enabled = has_true || !has_false;
    }
}

/// `condition:`: the first of its comma-separated paths that holds a bool decides.
fn apply_conditions(requests: &mut [&mut Dependency], values: &Map, path: &str, warnings: &mut Vec<String>) {
    for req in requests.iter_mut() {
        let condition = req.condition.trim().to_owned();
        for c in condition.split(',').filter(|c| !c.is_empty()) {
            match path_value(values, &format!("{path}{c}")) {
                Some(Value::Bool(b)) => {
                    req.enabled = b;
                    break;
                }
                Some(_) => warnings
                    .push(format!("Warning: Condition path '{c}' for chart {} returned non-bool value", req.name)),
                None => {}
            }
        }
    }
}

/// Helm's `Values.Table`: the map at a dotted path.
fn table(values: &Map, path: &str) -> Result<Map, String> {
    let mut current = values.clone();
    for key in path.split('.') {
        match current.get(key) {
            Some(Value::Map(m)) => {
                let next = m.borrow().clone();
                current = next;
            }
            _ => return Err(format!("{key:?} is not a table")),
        }
    }
    Ok(current)
}

/// Helm's `Values.PathValue`: a non-map value at a dotted path.
fn path_value(values: &Map, path: &str) -> Option<Value> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (table(values, parent).ok()?, key),
        None => (values.clone(), path),
    };
    match parent.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(v) => Some(v.clone()),
    }
}

fn process_imports(chart: &mut Chart, warnings: &mut Vec<String>) -> Result<(), DependencyError> {
    for sub in &mut chart.dependencies {
        process_imports(sub, warnings)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let values = merge_values(chart, Map::new(), warnings)?;
    let mut imported = Map::new();
    for req in chart.metadata.dependencies.iter_mut().flatten() {
        let mut normalised = Vec::new();
        for entry in &req.import_values {
            let (child, parent, exports) = match entry {
                Value::Map(m) => {
                    let m = m.borrow();
                    let field = |key: &str| match m.get(key) {
                        Some(Value::String(s)) => Ok(s.to_string()),
                        other => Err(DependencyError::ImportValues {
                            chart: req.name.clone(),
                            message: format!(
                                "interface conversion: interface {{}} is {}, not string",
                                other.map_or("nil", crate::decode::go_type)
                            ),
                        }),
                    };
                    (field("child")?, field("parent")?, false)
                }
                Value::String(s) => (format!("exports.{s}"), ".".to_owned(), true),
                // Helm ignores entries of any other type.
                _ => continue,
            };
            let mut pair = Map::new();
            pair.insert("child".into(), Value::from(child.as_str()));
            pair.insert("parent".into(), Value::from(parent.as_str()));
            normalised.push(Value::map(pair));
            match table(&values, &format!("{}.{child}", req.name)) {
                // What is already imported wins over later imports.
                Ok(found) => coalesce_maps(&mut imported, path_to_map(&parent, found), true),
                Err(e) if exports => warnings.push(format!("Warning: ImportValues missing table: {e}")),
                Err(e) => warnings.push(format!("Warning: ImportValues missing table from chart {}: {e}", req.name)),
            }
        }
        req.import_values = normalised;
    }
    // The parent's own values win over what it imports.
    let mut merged = deep_copy_map(&values);
    coalesce_maps(&mut merged, imported, true);
    chart.values = merged;
    Ok(())
}

/// Nests `data` under the dotted `path` (`.` is the top level).
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut current = data;
    for key in path.split('.').rev() {
        let mut outer = Map::new();
        outer.insert(key.to_owned(), Value::map(current));
        current = outer;
    }
    current
}
