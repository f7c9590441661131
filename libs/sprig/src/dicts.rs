//! Sprig's dictionary functions. Dictionaries are shared by reference, so
//! `set`, `unset` and the `merge` family change the map every holder sees,
//! as in Go.

use std::cell::RefCell;
use std::rc::Rc;

use weir_gotemplate::{FuncMap, Map, Value};

use crate::args::{Arity, Result, both, define, fail, map, string, strings};
use crate::convert::strval;
use crate::defaults::is_empty;

pub fn register(functions: &mut FuncMap) {
    define(functions, "dict", Arity::AtLeast(0), |args| {
        let mut dict = Map::new();
        for pair in args.chunks(2) {
            dict.insert(strval(&pair[0]), pair.get(1).cloned().unwrap_or_else(|| Value::from("")));
        }
        Ok(Value::map(dict))
    });
    define(functions, "get", Arity::Exact(2), |args| {
        let (dict, key) = (map(&args[0])?, string(&args[1])?);
        Ok(dict.borrow().get(&*key).cloned().unwrap_or_else(|| Value::from("")))
    });
    define(functions, "set", Arity::Exact(3), |args| {
        let (dict, key) = (map(&args[0])?, string(&args[1])?);
        dict.borrow_mut().insert(key.to_string(), args[2].clone());
        Ok(Value::Map(dict))
    });
    define(functions, "unset", Arity::Exact(2), |args| {
        let (dict, key) = (map(&args[0])?, string(&args[1])?);
        dict.borrow_mut().remove(&*key);
        Ok(Value::Map(dict))
    });
    define(functions, "hasKey", Arity::Exact(2), |args| {
        Ok(Value::Bool(map(&args[0])?.borrow().contains_key(&*string(&args[1])?)))
    });
    define(functions, "pluck", Arity::AtLeast(1), |args| {
        let key = string(&args[0])?;
        let dicts = args[1..].iter().map(map).collect::<Result<Vec<_>>>()?;
        Ok(Value::list(dicts.iter().filter_map(|d| d.borrow().get(&*key).cloned()).collect()))
    });
    // Go ranges over maps in random order; sorted order is one of its possibilities.
    define(functions, "keys", Arity::AtLeast(0), |args| {
        let dicts = args.iter().map(map).collect::<Result<Vec<_>>>()?;
        Ok(Value::list(
            dicts.iter().flat_map(|d| d.borrow().keys().map(|k| Value::from(k.as_str())).collect::<Vec<_>>()).collect(),
        ))
    });
    define(functions, "values", Arity::Exact(1), |args| {
        Ok(Value::list(map(&args[0])?.borrow().values().cloned().collect()))
    });
    define(functions, "pick", Arity::AtLeast(1), |args| {
        let (dict, keys) = (map(&args[0])?, strings(&args[1..])?);
        let dict = dict.borrow();
        Ok(Value::map(keys.iter().filter_map(|k| dict.get(&**k).map(|v| (k.to_string(), v.clone()))).collect()))
    });
    define(functions, "omit", Arity::AtLeast(1), |args| {
        let (dict, keys) = (map(&args[0])?, strings(&args[1..])?);
        let dict = dict.borrow();
        Ok(Value::map(
            dict.iter()
                .filter(|(k, _)| !keys.iter().any(|o| **o == ***k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    });
    both(functions, "merge", "mustMerge", Arity::AtLeast(1), |args| merge_all(args, false));
    both(functions, "mergeOverwrite", "mustMergeOverwrite", Arity::AtLeast(1), |args| merge_all(args, true));
    both(functions, "deepCopy", "mustDeepCopy", Arity::Exact(1), |args| match &args[0] {
        Value::Nil => Err(fail("reflect: call of reflect.Value.Type on zero Value")),
        value => deep_copy(value, 0),
    });
    define(functions, "dig", Arity::AtLeast(3), |args| {
        let (keys, rest) = args.split_at(args.len() - 2);
        let (default, dict) = (&rest[0], &rest[1]);
        let mut current = as_dict(dict)?;
        for (i, key) in keys.iter().enumerate() {
            let key = match key {
                Value::String(s) => s.clone(),
                other => return Err(interface_conversion(other, "string")),
            };
            let Some(step) = current.borrow().get(&*key).cloned() else { return Ok(default.clone()) };
            if i + 1 == keys.len() {
                return Ok(step);
            }
            current = as_dict(&step)?;
        }
        Ok(default.clone())
    });
}

/// A copy with fresh maps, refusing (as a stack overflow would end Go) a
/// map that contains itself.
fn deep_copy(value: &Value, depth: usize) -> Result<Value> {
    if depth > crate::MAX_DEPTH {
        return Err(fail("runtime: goroutine stack exceeds 1000000000-byte limit"));
    }
    Ok(match value {
        Value::List(items) => Value::list(items.iter().map(|v| deep_copy(v, depth + 1)).collect::<Result<_>>()?),
        Value::Map(map) => Value::map(
            map.borrow().iter().map(|(k, v)| Ok((k.clone(), deep_copy(v, depth + 1)?))).collect::<Result<_>>()?,
        ),
        other => other.clone(),
    })
}

/// Go's failed type assertion `v.(T)`.
fn interface_conversion(value: &Value, target: &str) -> weir_gotemplate::FuncError {
    let got = if matches!(value, Value::Nil) { "nil" } else { value.type_name() };
    fail(format!("interface conversion: interface {{}} is {got}, not {target}"))
}

fn as_dict(value: &Value) -> Result<Rc<RefCell<Map>>> {
    match value {
        Value::Map(m) => Ok(m.clone()),
        other => Err(interface_conversion(other, "map[string]interface {}")),
    }
}

/// mergo's deep merge of each source into the first map, which is returned.
/// Nested maps merge recursively; otherwise `merge` fills only keys that
/// are missing or empty, `mergeOverwrite` replaces every value. Sources are
/// `map[string]interface{}` parameters, so a nil one is a nil map.
fn merge_all(args: &[Value], overwrite: bool) -> Result<Value> {
    let dst = map(&args[0])?;
    for src in &args[1..] {
        match src {
            Value::Nil => {}
            other => merge_into(&dst, &map(other)?, overwrite, 0),
        }
    }
    Ok(Value::Map(dst))
}

fn merge_into(dst: &Rc<RefCell<Map>>, src: &Rc<RefCell<Map>>, overwrite: bool, depth: usize) {
    // Merging a map into itself changes nothing; borrowing it twice would fail.
    if Rc::ptr_eq(dst, src) || depth > crate::MAX_DEPTH {
        return;
    }
    let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (key, value) in entries {
        let existing = dst.borrow().get(&key).cloned();
        match (existing, &value) {
            (Some(Value::Map(inner_dst)), Value::Map(inner_src)) => {
                merge_into(&inner_dst, inner_src, overwrite, depth + 1)
            }
            (Some(current), _) if !overwrite && !is_empty(&current) => {}
            _ => {
                dst.borrow_mut().insert(key, value);
            }
        }
    }
}
