//! Sprig's defaults and flow helpers: `default`, `empty`, `coalesce`,
//! `all`, `any`, `ternary`, and `fail`.

use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, boolean, define, fail, string};

pub fn register(map: &mut FuncMap) {
    define(map, "default", Arity::AtLeast(1), |args| {
        Ok(match args.get(1) {
            Some(given) if !is_empty(given) => given.clone(),
            _ => args[0].clone(),
        })
    });
    define(map, "empty", Arity::Exact(1), |args| Ok(Value::Bool(is_empty(&args[0]))));
    define(map, "coalesce", Arity::AtLeast(0), |args| {
        Ok(args.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
    });
    define(map, "all", Arity::AtLeast(0), |args| Ok(Value::Bool(args.iter().all(|v| !is_empty(v)))));
    define(map, "any", Arity::AtLeast(0), |args| Ok(Value::Bool(args.iter().any(|v| !is_empty(v)))));
    define(map, "ternary", Arity::Exact(3), |args| {
        Ok(if boolean(&args[2])? { args[0].clone() } else { args[1].clone() })
    });
    define(map, "fail", Arity::Exact(1), |args| Err(fail(string(&args[0])?.to_string())));
}

/// Sprig's `empty`: nil, false, zero numbers and empty strings, slices and
/// maps. Structs (objects) are never empty.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        other => !other.is_true(),
    }
}
