//! Registering functions and reading their arguments the way Go's
//! `text/template` hands them over: it checks the count and converts each
//! argument to the parameter's type by reflection, failing with its own
//! messages before the function runs.

use std::cell::RefCell;
use std::rc::Rc;

use weir_gotemplate::{Context, FuncError, FuncMap, Map, Value};

/// How many arguments a function takes.
#[derive(Clone, Copy)]
pub enum Arity {
    Exact(usize),
    /// Variadic with this many fixed parameters before the `...`.
    AtLeast(usize),
}

pub type Result<T> = std::result::Result<T, FuncError>;

/// Adds `name` to `map`, checking the argument count first as Go does.
pub fn define(map: &mut FuncMap, name: &'static str, arity: Arity, f: impl Fn(&[Value]) -> Result<Value> + 'static) {
    let checked = move |_: &mut dyn Context, args: &[Value]| {
        match arity {
            Arity::Exact(n) if args.len() != n => {
                return Err(FuncError::Args(format!("wrong number of args for {name}: want {n} got {}", args.len())));
            }
            Arity::AtLeast(n) if args.len() < n => {
                return Err(FuncError::Args(format!(
                    "wrong number of args for {name}: want at least {n} got {}",
                    args.len()
                )));
            }
            _ => {}
        }
        f(args)
    };
    map.insert(name.to_owned(), Rc::new(checked));
}

/// Registers `name` and its `mustName` twin: in Go one panics and the other
/// returns the error, which a template reports the same way.
pub fn both(map: &mut FuncMap, name: &'static str, must: &'static str, arity: Arity, f: fn(&[Value]) -> Result<Value>) {
    define(map, name, arity, f);
    define(map, must, arity, f);
}

/// The error of a function that ran and failed (Go: `error calling NAME: …`).
pub fn fail(message: impl Into<String>) -> FuncError {
    FuncError::Call(message.into())
}

/// Go's panic when an integer is divided by zero.
pub fn divide_by_zero() -> FuncError {
    fail("runtime error: integer divide by zero")
}

/// Go's panic when reflection is asked about a nil interface (`first nil`).
pub fn nil_dereference() -> FuncError {
    fail("runtime error: invalid memory address or nil pointer dereference")
}

/// What reflection says when an argument cannot become the parameter's type.
/// A nil from data reaches it as an empty `interface {}`.
pub fn wrong_type(expected: &str, got: &Value) -> FuncError {
    let got = if matches!(got, Value::Nil) { "interface {}" } else { got.type_name() };
    FuncError::Args(format!("wrong type for value; expected {expected}; got {got}"))
}

/// A `string` parameter.
pub fn string(value: &Value) -> Result<Rc<str>> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(wrong_type("string", other)),
    }
}

/// An `int` parameter.
pub fn int(value: &Value) -> Result<i64> {
    match value {
        Value::Int(i) => Ok(*i),
        other => Err(wrong_type("int", other)),
    }
}

/// A `bool` parameter.
pub fn boolean(value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong_type("bool", other)),
    }
}

/// A `map[string]interface{}` parameter.
pub fn map(value: &Value) -> Result<Rc<RefCell<Map>>> {
    match value {
        Value::Map(m) => Ok(m.clone()),
        other => Err(wrong_type("map[string]interface {}", other)),
    }
}

/// Arguments for a `...string` parameter.
pub fn strings(args: &[Value]) -> Result<Vec<Rc<str>>> {
    args.iter().map(string).collect()
}

/// The elements of a Go slice or array as reflection sees them; `None` for
/// other kinds. A `[]byte` yields its bytes as integers.
pub fn elements(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::List(items) => Some(items.as_ref().clone()),
        Value::Bytes(bytes) => Some(bytes.iter().map(|b| Value::Int(i64::from(*b))).collect()),
        _ => None,
    }
}

/// Sprig's reflection-based list functions: the elements, or Go's error
/// `Cannot {verb} on type {kind}` (a nil panics inside reflection).
pub fn list_for(verb: &str, value: &Value) -> Result<Vec<Value>> {
    match value {
        Value::Nil => Err(nil_dereference()),
        other => elements(other).ok_or_else(|| fail(format!("Cannot {verb} on type {}", other.kind_name()))),
    }
}
