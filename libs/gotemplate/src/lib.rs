//! Go's `text/template` (Go 1.24), as Helm configures it: the same syntax,
//! output and error messages, over the dynamic [`Value`] model.
//!
//! ```
//! use weir_gotemplate::{FuncMap, Templates, Value};
//!
//! let mut set = Templates::new(FuncMap::new());
//! set.parse("x.yaml", r#"{{ define "greet" }}hi {{ . }}{{ end }}{{ template "greet" .name }}"#).unwrap();
//! let data = Value::map([("name".to_string(), Value::from("you"))].into());
//! assert_eq!(set.execute("x.yaml", data).unwrap(), "hi you");
//! ```
//!
//! Templates are parsed once into shared trees and executed by walking them
//! into one output buffer. Functions (Sprig, Helm's `include`/`tpl`) are
//! resolved while parsing and receive a [`Context`] to run templates of the set.

mod ast;
mod builtins;
mod exec;
mod fmt;
mod func;
mod lex;
mod parse;
mod value;

use std::collections::HashMap;
use std::rc::Rc;

pub use fmt::{quote, sprint, sprintf, sprintln};
pub use func::{Context, Func, FuncError, FuncMap};
pub use value::{Map, Object, Value, format_float};

/// A template error, its `Display` exactly Go's message.
#[derive(Debug, Clone)]
pub struct Error {
    message: String,
    parse: bool,
}

impl Error {
    fn parse(message: String) -> Error {
        Error { message, parse: true }
    }

    fn exec(message: String) -> Error {
        Error { message, parse: false }
    }

    /// Whether parsing failed (Helm words those differently from execution errors).
    pub fn is_parse(&self) -> bool {
        self.parse
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A set of named templates sharing their definitions, like Go's
/// `*template.Template` and its associated templates. Cloning is cheap (Helm's
/// `tpl` clones the set on every call): names and trees are shared.
#[derive(Clone)]
pub struct Templates {
    trees: HashMap<Rc<str>, Rc<ast::Tree>>,
    funcs: Rc<FuncMap>,
    missing_key_error: bool,
}

/// The name Helm gives its root template, which Go names in "no template" errors.
const ROOT_NAME: &str = "gotpl";

impl Templates {
    /// A set with Go's builtins; `funcs` adds to them and overrides them.
    pub fn new(funcs: FuncMap) -> Templates {
        Templates { trees: HashMap::new(), funcs: Rc::new(funcs), missing_key_error: false }
    }

    /// `missingkey=error` (Helm's `--strict`); the default is `missingkey=zero`.
    pub fn set_missing_key_error(&mut self, on: bool) {
        self.missing_key_error = on;
    }

    /// Go's `t.New(name).Parse(text)`: adds `name` and every template `text`
    /// defines. A later definition replaces an earlier one, except that an
    /// empty body does not replace a non-empty one.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let trees = parse::parse(name, text, &self.funcs).map_err(Error::parse)?;
        for tree in trees {
            let keep_old = ast::is_empty_tree(&tree.root) && self.trees.contains_key(tree.name.as_str());
            if !keep_old {
                self.trees.insert(tree.name.as_str().into(), Rc::new(tree));
            }
        }
        Ok(())
    }

    /// Go's `ExecuteTemplate(w, name, data)` into a string.
    pub fn execute(&self, name: &str, data: Value) -> Result<String, Error> {
        let Some(tree) = self.trees.get(name) else {
            return Err(Error::exec(format!(
                "template: no template {} associated with template {}",
                quote(name),
                quote(ROOT_NAME)
            )));
        };
        exec::execute(self, tree, data)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.trees.keys().map(|k| &**k)
    }
}
