//! Calling registered functions outside a template.

use weir_gotemplate::{Context, FuncError, Value};

/// A context for functions that never reach back into the template.
struct NoTemplates;

impl Context for NoTemplates {
    fn execute_template(&mut self, _: &str, _: Value) -> Result<String, weir_gotemplate::Error> {
        panic!("Sprig functions do not execute templates")
    }

    fn parse_and_execute(&mut self, _: &str, _: &str, _: Value) -> Result<String, weir_gotemplate::Error> {
        panic!("Sprig functions do not parse templates")
    }

    fn template_name(&self) -> &str {
        "test"
    }
}

pub fn call(name: &str, args: &[Value]) -> Result<Value, FuncError> {
    let functions = weir_sprig::functions();
    let f = functions.get(name).unwrap_or_else(|| panic!("{name} is not registered"));
    f(&mut NoTemplates, args)
}
