//! Functions templates call: Go's builtins and whatever the embedder registers
//! (Sprig, Helm's `include`/`tpl`).

use std::collections::HashMap;
use std::rc::Rc;

use crate::Value;

/// What a function sees of the running template, so that Helm's `include`
/// and `tpl` can execute templates of the same set.
pub trait Context {
    /// Executes the template `name` of the running set with `data` as dot
    /// (Go's `{{ template }}`, Helm's `include`).
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, crate::Error>;
    /// Parses `text` as a new template called `name` into a copy of the running
    /// set (its definitions may use and override the set's), then executes it
    /// with `data` (Helm's `tpl`).
    fn parse_and_execute(&mut self, name: &str, text: &str, data: Value) -> Result<String, crate::Error>;
    /// The name of the template being executed (`.Template.Name` is data; this is
    /// the executor's own view, for messages).
    fn template_name(&self) -> &str;
}

/// How a function call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    /// The function ran and returned an error: Go reports
    /// `error calling NAME: MESSAGE`.
    Call(String),
    /// The call itself was wrong, as Go's reflection finds before calling:
    /// reported as is, e.g. `wrong number of args for add1: want 1 got 2` or
    /// `wrong type for value; expected string; got int64`.
    Args(String),
}

/// A registered function; it gets its arguments already evaluated (Go's
/// `and`/`or` short-circuit and are the executor's own).
pub type Func = Rc<dyn Fn(&mut dyn Context, &[Value]) -> Result<Value, FuncError>>;

/// Functions by name. The parser refuses calls to names not in it, as Go does
/// (`function "x" not defined`).
pub type FuncMap = HashMap<String, Func>;
