//! The values templates work on: Go's `interface{}` as Helm's data holds it.
//!
//! Maps have Go's reference semantics (Sprig's `set` on `.Values` is seen by
//! every later template), so they sit behind `Rc<RefCell<…>>`. Lists are
//! copied on change in Go's functions (`append` returns a new slice), so a
//! shared immutable `Rc<Vec<…>>` is enough.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A Go `map[string]interface{}`: ranged over in key order, as Go's templates do.
pub type Map = BTreeMap<String, Value>;

#[derive(Clone)]
pub enum Value {
    /// Go's nil: a missing map key (Helm runs with `missingkey=zero`), a nil interface.
    Nil,
    Bool(bool),
    /// Every Go integer kind (`int`, `int64`, …).
    Int(i64),
    Float(f64),
    String(Rc<str>),
    /// A Go `[]byte` (`.Files.GetBytes`).
    Bytes(Rc<[u8]>),
    /// A Go slice (`[]interface{}`, `[]string`, …).
    List(Rc<Vec<Value>>),
    /// A Go `map[string]interface{}`, shared by reference.
    Map(Rc<RefCell<Map>>),
    /// A Go struct or pointer with fields and methods (`.Chart`, `.Files`, `.Capabilities`).
    Object(Rc<dyn Object>),
}

/// A Go value with fields and methods, reached by `.Name` or `.Name arg…`.
pub trait Object {
    /// Go's type name, for error messages: `*chart.Metadata`, `engine.files`.
    fn type_name(&self) -> &str;
    /// Field or method `name` called with `args` (empty for `.Field` and niladic
    /// methods). `None` when there is no such field or method; `Some(Err(message))`
    /// when the method itself fails.
    fn member(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// Whether a method takes arguments, so `.Files.Get` without any can be refused
    /// as Go does; fields and niladic methods answer 0.
    fn arity(&self, name: &str) -> Option<usize> {
        let _ = name;
        Some(0)
    }
    /// Go's `reflect.Kind` of the type, for Sprig's `kindOf`/`kindIs` and Go's
    /// comparison rules: `ptr` for most, `string` for `json.Number`.
    fn kind_name(&self) -> &str {
        "ptr"
    }
    /// What `%v` / `print` shows (Go calls `String()` when the type has one).
    fn display(&self) -> String;
    /// What an action `{{ . }}` prints. Usually [`Object::display`]; Go's
    /// template printer also reaches `String()` methods on a struct field's
    /// pointer, which functions given the field by value do not see.
    fn print(&self) -> String {
        self.display()
    }
    /// The plain data behind it, for `toYaml`, `toJson`, `range`, `index`:
    /// a struct as a map under its JSON names, `VersionSet` as a list.
    fn to_data(&self) -> Value;
}

impl Value {
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn map(map: Map) -> Value {
        Value::Map(Rc::new(RefCell::new(map)))
    }

    /// Go's truth (`if`, `and`, `or`, `not`): the zero value of its type is false.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(_) => true,
        }
    }

    /// Go's type name, as `printf "%T"` and Sprig's `typeOf` show it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name, as Sprig's `kindOf` and `kindIs` use it.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A deep copy: maps get fresh storage (Sprig's `deepCopy`).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(items) => Value::list(items.iter().map(Value::deep_copy).collect()),
            Value::Map(map) => Value::map(map.borrow().iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect()),
            other => other.clone(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

/// Go's `%v`: what `print`, `printf "%v"` and Sprig's string conversions show.
/// (A template's own output of nil is `<no value>`; that is the executor's.)
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("<nil>"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(*x)),
            Value::String(s) => f.write_str(s),
            Value::Bytes(bytes) => {
                f.write_str("[")?;
                for (i, b) in bytes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{b}")?;
                }
                f.write_str("]")
            }
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("map[")?;
                for (i, (k, v)) in map.borrow().iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{k}:{v}")?;
                }
                f.write_str("]")
            }
            Value::Object(o) => f.write_str(&o.display()),
        }
    }
}

/// Go's `%v` of a float64: `strconv.FormatFloat(x, 'g', -1, 64)`, so 1e6 prints `1e+06`.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else {
        weir_go_yaml::format_float_g(x)
    }
}
