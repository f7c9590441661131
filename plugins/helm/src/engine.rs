//! Rendering a chart's templates, as Helm's engine does: every template of
//! the chart and its subcharts parsed into one set (so `define`s are shared),
//! then each non-partial template executed with its own chart's scope.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use weir_gotemplate::{Context, Func, FuncError, FuncMap, Map, Templates, Value};

use crate::chart::{Chart, ChartObject};
use crate::files::Files;

/// What Go's parse tree set is called in Helm's engine; `tpl` names its
/// templates after it, so it shows in their error messages.
const SET_NAME: &str = "gotpl";

/// Helm's limit on one template `include`-ing itself.
const MAX_INCLUDE_DEPTH: usize = 1000;

/// Brackets the messages of `required` and `fail`, so that the error cleanup
/// can find them inside Go's nested execution errors.
const ERR_START: &str = "HELM_ERR_START";
const ERR_END: &str = "HELM_ERR_END";

/// A template to execute, with the data its chart sees.
struct Renderable {
    text: String,
    /// The chart's scope (`.Values`, `.Chart`, `.Files`, …), shared by all its templates.
    scope: Value,
    base_path: String,
}

/// Renders every template of `chart` (with its subcharts) with `top`, the
/// top-level scope holding `Values`, `Release` and `Capabilities`. Returns
/// each non-partial template's output by name (`chart/templates/x.yaml`).
pub fn render(chart: &Chart, top: &Map) -> Result<BTreeMap<String, String>, String> {
    let mut renderables = BTreeMap::new();
    collect(chart, top, None, &mut renderables);
    let names = parse_order(renderables.keys().cloned().collect());

    let mut templates = Templates::new(functions());
    for name in &names {
        templates.parse(name, &renderables[name].text).map_err(|err| parse_error(name, &err.to_string()))?;
    }
    let mut rendered = BTreeMap::new();
    for name in &names {
        if base_name(name).starts_with('_') {
            continue;
        }
        let renderable = &renderables[name];
        if let Value::Map(scope) = &renderable.scope {
            let mut template = Map::new();
            template.insert("Name".into(), Value::from(name.as_str()));
            template.insert("BasePath".into(), Value::from(renderable.base_path.as_str()));
            scope.borrow_mut().insert("Template".into(), Value::map(template));
        }
        let output = templates.execute(name, renderable.scope.clone()).map_err(|err| exec_error(name, &err))?;
        // Go prints a missing value as `<no value>` even with missingkey=zero; Helm blanks it.
        rendered.insert(name.clone(), output.replace("<no value>", ""));
    }
    Ok(rendered)
}

/// Gathers the templates of `chart` and its subcharts; returns the chart's scope.
fn collect(chart: &Chart, parent: &Map, path: Option<&str>, out: &mut BTreeMap<String, Renderable>) -> Value {
    let is_root = path.is_none();
    let full_path = match path {
        None => chart.name().to_owned(),
        Some(parent_path) => format!("{parent_path}/charts/{}", chart.name()),
    };
    let values = if is_root {
        parent.get("Values").cloned().unwrap_or_else(|| Value::map(Map::new()))
    } else {
        // A subchart sees its own part of its parent's values, or nothing when that is not a map.
        match parent.get("Values") {
            Some(Value::Map(values)) => match values.borrow().get(chart.name()) {
                Some(own @ Value::Map(_)) => own.clone(),
                _ => Value::map(Map::new()),
            },
            _ => Value::map(Map::new()),
        }
    };
    let subcharts = Value::map(Map::new());
    let mut scope = Map::new();
    scope.insert(
        "Chart".into(),
        Value::Object(Rc::new(ChartObject { metadata: Rc::new(chart.metadata.clone()), is_root })),
    );
    scope.insert("Files".into(), Value::Object(Rc::new(Files::new(&chart.files))));
    for key in ["Release", "Capabilities"] {
        scope.insert(key.into(), parent.get(key).cloned().unwrap_or(Value::Nil));
    }
    scope.insert("Values".into(), values);
    scope.insert("Subcharts".into(), subcharts.clone());
    for dependency in &chart.dependencies {
        let child = collect(dependency, &scope, Some(&full_path), out);
        if let Value::Map(subcharts) = &subcharts {
            subcharts.borrow_mut().insert(dependency.name().to_owned(), child);
        }
    }
    let scope = Value::map(scope);
    let library = chart.metadata.chart_type == "library";
    for template in &chart.templates {
        // A library chart contributes its partials only.
        if library && !base_name(&template.name).starts_with('_') {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", template.name),
            Renderable {
                text: String::from_utf8_lossy(&template.data).into_owned(),
                scope: scope.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    scope
}

/// Helm's parse (and execution) order: deeper paths first, then reverse
/// lexical order, so a parent chart's definitions are parsed last and win.
fn parse_order(mut names: Vec<String>) -> Vec<String> {
    names.sort_by(|a, b| {
        let depth = |name: &str| name.matches('/').count();
        depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
    });
    names
}

fn base_name(name: &str) -> &str {
    name.rsplit_once('/').map_or(name, |(_, base)| base)
}

/// Helm's message for a template that does not parse:
/// `parse error at (chart/templates/x.yaml:3): MESSAGE`.
fn parse_error(name: &str, message: &str) -> String {
    let tokens: Vec<&str> = message.split(": ").collect();
    match tokens.as_slice() {
        [_, location, .., last] => format!("parse error at ({location}): {last}"),
        [_, location] => format!("parse error at ({location}): {location}"),
        _ => format!("parse error in ({name}): {message}"),
    }
}

/// Helm's cleanup of an execution error: a `required`/`fail` message anywhere
/// in the chain is reported at the outer template's location; anything else as Go wrote it.
fn exec_error(name: &str, error: &weir_gotemplate::Error) -> String {
    let message = error.to_string();
    if error.is_parse() {
        return message;
    }
    let tokens: Vec<&str> = message.splitn(3, ": ").collect();
    let [_, location, rest] = tokens.as_slice() else {
        return format!("execution error in ({name}): {message}");
    };
    match rest.find(ERR_START).and_then(|start| Some((start, rest.rfind(ERR_END)?))) {
        Some((start, end)) if start + ERR_START.len() <= end => {
            format!("execution error at ({location}): {}", &rest[start + ERR_START.len()..end])
        }
        _ => message,
    }
}

/// Sprig's and Helm's functions, with the engine's own: `include`, `tpl`,
/// `required`, `fail` and `lookup` (always empty: there is no cluster).
fn functions() -> FuncMap {
    let mut functions = weir_sprig::functions();
    let depth: Rc<RefCell<HashMap<String, usize>>> = Rc::default();
    let include_depth = depth.clone();
    functions.insert("include".into(), func(move |ctx, args| include(ctx, args, &include_depth)));
    functions.insert("tpl".into(), func(tpl));
    functions.insert("required".into(), func(required));
    functions.insert("fail".into(), func(fail));
    functions.insert("lookup".into(), func(lookup));
    functions
}

fn func(f: impl Fn(&mut dyn Context, &[Value]) -> Result<Value, FuncError> + 'static) -> Func {
    Rc::new(f)
}

/// Go's reflection checks, for functions with fixed string-then-any parameters.
fn string_arg<'a>(name: &str, args: &'a [Value], want: usize, index: usize) -> Result<&'a str, FuncError> {
    if args.len() != want {
        return Err(FuncError::Args(format!("wrong number of args for {name}: want {want} got {}", args.len())));
    }
    match &args[index] {
        Value::String(s) => Ok(s),
        other => Err(FuncError::Args(format!("wrong type for value; expected string; got {}", other.type_name()))),
    }
}

fn include(ctx: &mut dyn Context, args: &[Value], depth: &RefCell<HashMap<String, usize>>) -> Result<Value, FuncError> {
    let name = string_arg("include", args, 2, 0)?;
    {
        let mut depth = depth.borrow_mut();
        let count = depth.entry(name.to_owned()).or_insert(0);
        if *count > MAX_INCLUDE_DEPTH {
            return Err(FuncError::Call(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        *count += 1;
    }
    let result = ctx.execute_template(name, args[1].clone());
    if let Some(count) = depth.borrow_mut().get_mut(name) {
        *count -= 1;
    }
    result.map(Value::from).map_err(|err| FuncError::Call(err.to_string()))
}

fn tpl(ctx: &mut dyn Context, args: &[Value]) -> Result<Value, FuncError> {
    let text = string_arg("tpl", args, 2, 0)?;
    match ctx.parse_and_execute(SET_NAME, text, args[1].clone()) {
        Ok(output) => Ok(Value::from(output.replace("<no value>", ""))),
        Err(err) if err.is_parse() => Err(FuncError::Call(format!("cannot parse template {text:?}: {err}"))),
        Err(err) => Err(FuncError::Call(format!("error during tpl function execution for {text:?}: {err}"))),
    }
}

fn required(_: &mut dyn Context, args: &[Value]) -> Result<Value, FuncError> {
    let warning = string_arg("required", args, 2, 0)?;
    match &args[1] {
        Value::Nil => Err(FuncError::Call(format!("{ERR_START}{warning}{ERR_END}"))),
        Value::String(s) if s.is_empty() => Err(FuncError::Call(format!("{ERR_START}{warning}{ERR_END}"))),
        value => Ok(value.clone()),
    }
}

fn fail(_: &mut dyn Context, args: &[Value]) -> Result<Value, FuncError> {
    let message = string_arg("fail", args, 1, 0)?;
    Err(FuncError::Call(format!("{ERR_START}{message}{ERR_END}")))
}

fn lookup(_: &mut dyn Context, args: &[Value]) -> Result<Value, FuncError> {
    for index in 0..4 {
        string_arg("lookup", args, 4, index)?;
    }
    Ok(Value::map(Map::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_templates_parse_last() {
        let names = vec![
            "top/templates/a.yaml".to_owned(),
            "top/charts/sub/templates/_helpers.tpl".to_owned(),
            "top/templates/_helpers.tpl".to_owned(),
            "top/templates/b.yaml".to_owned(),
        ];
        assert_eq!(
            parse_order(names),
            [
                "top/charts/sub/templates/_helpers.tpl",
                "top/templates/b.yaml",
                "top/templates/a.yaml",
                "top/templates/_helpers.tpl",
            ]
        );
    }

    #[test]
    fn errors_are_cleaned_up_as_helm_does() {
        assert_eq!(
            parse_error("c/templates/a.yaml", r#"template: c/templates/a.yaml:1: function "nope" not defined"#),
            r#"parse error at (c/templates/a.yaml:1): function "nope" not defined"#
        );
    }
}
