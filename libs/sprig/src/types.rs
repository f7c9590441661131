//! Sprig's reflection functions, answered from the value model's Go type
//! and kind names.

use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, define, string};

pub fn register(map: &mut FuncMap) {
    define(map, "typeOf", Arity::Exact(1), |args| Ok(Value::from(args[0].type_name())));
    define(map, "typeIs", Arity::Exact(2), |args| Ok(Value::Bool(*string(&args[0])? == *args[1].type_name())));
    define(map, "typeIsLike", Arity::Exact(2), |args| {
        let (target, actual) = (string(&args[0])?, args[1].type_name());
        Ok(Value::Bool(*target == *actual || actual.strip_prefix('*') == Some(&*target)))
    });
    define(map, "kindOf", Arity::Exact(1), |args| Ok(Value::from(args[0].kind_name())));
    define(map, "kindIs", Arity::Exact(2), |args| Ok(Value::Bool(*string(&args[0])? == *args[1].kind_name())));
    define(map, "deepEqual", Arity::Exact(2), |args| Ok(Value::Bool(deep_equal(&args[0], &args[1]))));
}

/// Go's `reflect.DeepEqual`: same type and equal contents, so an int64 1 is
/// not a float64 1.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    equal_within(a, b, 0)
}

fn equal_within(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > crate::MAX_DEPTH {
        return false;
    }
    let deep_equal = |a: &Value, b: &Value| equal_within(a, b, depth + 1);
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        // NaN is unequal to itself in Go too.
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            std::rc::Rc::ptr_eq(x, y) || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| deep_equal(a, b)))
        }
        (Value::Map(x), Value::Map(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && equal_within(&x.to_data(), &y.to_data(), depth + 1)
        }
        _ => false,
    }
}
