//! Helm's values coalescing (`pkg/chartutil/coalesce.go`): user values over
//! chart defaults, subcharts' sections with the parent's `global` copied in.

use weir_gotemplate::{Map, Value};

use crate::chart::Chart;

/// The key whose map every subchart inherits from its parent.
pub const GLOBAL_KEY: &str = "global";

/// Values Helm cannot coalesce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    /// A subchart's section is not a map; `shown` is Go's `%t` of the value.
    #[error("type mismatch on {name}: {shown}")]
    TypeMismatch { name: String, shown: String },
}

/// Helm's `CoalesceValues`: the full values tree of `chart` (subcharts'
/// values under their names) with `user` values over the defaults. A `null`
/// user value deletes the key's default.
pub fn coalesce(chart: &Chart, user: Map) -> Result<Map, ValuesError> {
    coalesce_with_warnings(chart, user, &mut Vec::new())
}

/// [`coalesce`], collecting the warnings Helm logs (tables over scalars …).
pub fn coalesce_with_warnings(chart: &Chart, user: Map, warnings: &mut Vec<String>) -> Result<Map, ValuesError> {
    let mut dest = deep_copy_map(&user);
    coalesce_chart(chart, &mut dest, "", false, warnings)?;
    Ok(dest)
}

/// Helm's `MergeValues`: as [`coalesce`], but `null`s are kept.
pub fn merge_values(chart: &Chart, user: Map, warnings: &mut Vec<String>) -> Result<Map, ValuesError> {
    let mut dest = deep_copy_map(&user);
    coalesce_chart(chart, &mut dest, "", true, warnings)?;
    Ok(dest)
}

fn coalesce_chart(
    chart: &Chart,
    dest: &mut Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<String>,
) -> Result<(), ValuesError> {
    coalesce_values(chart, dest, prefix, merge, warnings);
    coalesce_dependencies(chart, dest, prefix, merge, warnings)
}

/// Chart defaults under `dest`, which wins.
fn coalesce_values(chart: &Chart, dest: &mut Map, prefix: &str, merge: bool, warnings: &mut Vec<String>) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    for (key, default) in deep_copy_map(&chart.values) {
        match dest.get(&key) {
            None => {
                dest.insert(key, default);
            }
            // A user null removes the default (coalescing only).
            Some(Value::Nil) if !merge => {
                dest.remove(&key);
            }
            Some(Value::Map(user)) => match default {
                Value::Map(default) => {
                    // Subchart sections are merged, never pruned, at this level.
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    let mut table = user.borrow().clone();
                    coalesce_tables(
                        &mut table,
                        default.borrow().clone(),
                        &concat_prefix(&sub_prefix, &key),
                        merge,
                        warnings,
                    );
                    dest.insert(key, Value::map(table));
                }
                Value::Nil => {}
                _ => warnings.push(format!("warning: skipped value for {sub_prefix}.{key}: Not a table.")),
            },
            Some(_) => {}
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `src` under `dst`, recursively.
fn coalesce_tables(dst: &mut Map, mut src: Map, prefix: &str, merge: bool, warnings: &mut Vec<String>) {
    // A null in dst must also drop the key from src, or src would bring it back.
    for (key, value) in dst.iter() {
        if matches!(value, Value::Nil) {
            src.insert(key.clone(), Value::Nil);
        }
    }
    for (key, value) in src {
        let full_key = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(Value::Nil) if !merge => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, value);
            }
            Some(existing) => match (&value, existing) {
                (Value::Map(src_table), Value::Map(dst_table)) => {
                    let mut table = dst_table.borrow().clone();
                    coalesce_tables(&mut table, src_table.borrow().clone(), &full_key, merge, warnings);
                    dst.insert(key, Value::map(table));
                }
                (Value::Map(_), _) => {
                    warnings.push(format!("warning: cannot overwrite table with non table for {full_key} ({value})"))
                }
                (_, Value::Map(_)) if !matches!(value, Value::Nil) => warnings.push(format!(
                    "warning: destination for {full_key} is a table. Ignoring non-table value ({value})"
                )),
                _ => {}
            },
        }
    }
}

fn coalesce_dependencies(
    chart: &Chart,
    dest: &mut Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<String>,
) -> Result<(), ValuesError> {
    for sub in &chart.dependencies {
        let mut section = match dest.get(sub.name()) {
            None => Map::new(),
            Some(Value::Map(m)) => m.borrow().clone(),
            Some(other) => {
                return Err(ValuesError::TypeMismatch { name: sub.name().into(), shown: go_bool_verb(other) });
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(&mut section, dest, &sub_prefix, warnings);
        coalesce_chart(sub, &mut section, &sub_prefix, merge, warnings)?;
        dest.insert(sub.name().to_owned(), Value::map(section));
    }
    Ok(())
}

/// Copies the parent's `global` into the subchart's section; the parent's
/// entries win, its tables merged over the subchart's.
fn coalesce_globals(dest: &mut Map, src: &Map, prefix: &str, warnings: &mut Vec<String>) {
    let mut dest_globals = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.borrow().clone(),
        Some(_) => {
            warnings.push(format!("warning: skipping globals because destination {GLOBAL_KEY} is not a table."));
            return;
        }
    };
    let src_globals = match src.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.borrow().clone(),
        Some(_) => {
            warnings.push(format!("warning: skipping globals because source {GLOBAL_KEY} is not a table."));
            return;
        }
    };
    for (key, value) in src_globals {
        match (&value, dest_globals.get(&key)) {
            (Value::Map(table), None) => {
                dest_globals.insert(key, Value::map(deep_copy_map(&table.borrow())));
            }
            (Value::Map(table), Some(Value::Map(existing))) => {
                let mut merged = deep_copy_map(&table.borrow());
                let existing = existing.borrow().clone();
                coalesce_tables(&mut merged, existing, &concat_prefix(prefix, &key), true, warnings);
                dest_globals.insert(key, Value::map(merged));
            }
            (Value::Map(_), Some(_)) => {
                warnings.push(format!("Conflict: cannot merge map onto non-map for {key:?}. Skipping."))
            }
            (_, Some(Value::Map(_))) => warnings.push(format!("key {key} is table. Skipping")),
            _ => {
                dest_globals.insert(key, value);
            }
        }
    }
    dest.insert(GLOBAL_KEY.into(), Value::map(dest_globals));
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_owned() } else { format!("{a}.{b}") }
}

/// A copy with fresh storage for every nested map, so nothing is shared with
/// the chart's defaults or the caller's values.
pub fn deep_copy_map(map: &Map) -> Map {
    map.iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect()
}

/// Go's `%t` of a non-map value, as Helm's type-mismatch error prints it.
fn go_bool_verb(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Nil => "%!t(<nil>)".into(),
        other => format!("%!t({}={other})", crate::decode::go_type(other)),
    }
}

/// Helm's `MergeTables` / `CoalesceTables` (public ones, used for imported
/// values): `src` under `dst`; `merge` keeps `null`s.
pub fn coalesce_maps(dst: &mut Map, src: Map, merge: bool) {
    coalesce_tables(dst, src, "", merge, &mut Vec::new());
}
