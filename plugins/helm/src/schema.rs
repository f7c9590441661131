//! `values.schema.json` validation as Helm 3.18 does it: JSON Schema (draft 4
//! to 7) through xeipuuv/gojsonschema, whose error texts and check order this
//! follows. Each chart's schema sees its own part of the values; subcharts
//! are validated after their parent.
//!
//! gojsonschema walks `properties` in Go map order, which varies from run to
//! run; this walks them sorted by name, so the order of errors is stable.

use std::fmt::Write;

use regex::Regex;
use serde_json::Value as Json;
use weir_gotemplate::{Map, Value};

use crate::chart::Chart;

/// Values that fail a chart's schema (or a schema that cannot be used). The
/// text is Helm's: per failing chart, `name:` and one `- field: problem` line per error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(pub String);

/// `$ref`s followed in one chain before the schema is refused as cyclic.
const MAX_REF_DEPTH: usize = 64;

/// Helm's `ValidateAgainstSchema`: `values` (the coalesced tree of `chart`)
/// against the chart's schema and, recursively, each subchart's section
/// against the subchart's.
pub fn validate(chart: &Chart, values: &Map) -> Result<(), SchemaError> {
    let mut report = String::new();
    collect(chart, values, &mut report);
    if report.is_empty() { Ok(()) } else { Err(SchemaError(report)) }
}

fn collect(chart: &Chart, values: &Map, report: &mut String) {
    if let Some(schema) = &chart.schema
        && let Err(errors) = validate_single(schema, values)
    {
        let _ = write!(report, "{}:\n{errors}", chart.name());
    }
    for sub in &chart.dependencies {
        let section = match values.get(sub.name()) {
            Some(Value::Map(m)) => m.borrow().clone(),
            _ => Map::new(),
        };
        collect(sub, &section, report);
    }
}

/// Helm's `ValidateAgainstSingleSchema`: the `- field: problem` lines, one per error.
pub fn validate_single(schema: &[u8], values: &Map) -> Result<(), String> {
    let schema: Json = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    let node = to_json(&Value::map(values.clone()));
    let validator = Validator { root: &schema };
    let mut outcome = Outcome::default();
    validator.validate(&schema, &node, &mut Vec::new(), &mut outcome, 0)?;
    if outcome.errors.is_empty() {
        return Ok(());
    }
    Err(outcome.errors.iter().map(|e| format!("- {e}\n")).collect())
}

/// The values as JSON, the way Helm round-trips them through YAML: integral
/// floats become integers.
fn to_json(value: &Value) -> Json {
    match value {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Json::from(*f as i64),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(m.borrow().iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Value::Object(o) => to_json(&o.to_data()),
    }
}

/// Errors found and gojsonschema's "score" (checks passed), which picks the
/// closest alternative of `anyOf` / `oneOf` / `contains` to report.
#[derive(Default)]
struct Outcome {
    errors: Vec<String>,
    score: u32,
}

impl Outcome {
    fn add(&mut self, path: &[String], description: String) {
        self.errors.push(format!("{}: {description}", field(path)));
    }
}

/// gojsonschema's field name of a context: `(root)`, `a.b`, `list.0`.
fn field(path: &[String]) -> String {
    if path.is_empty() { "(root)".into() } else { path.join(".") }
}

struct Validator<'s> {
    root: &'s Json,
}

type Path = Vec<String>;

impl<'s> Validator<'s> {
    fn sub(&self, schema: &Json, node: &Json, path: &mut Path, depth: usize) -> Result<Outcome, String> {
        let mut outcome = Outcome::default();
        self.validate(schema, node, path, &mut outcome, depth)?;
        Ok(outcome)
    }

    fn validate(
        &self,
        schema: &Json,
        node: &Json,
        path: &mut Path,
        out: &mut Outcome,
        depth: usize,
    ) -> Result<(), String> {
        let schema = match schema {
            Json::Bool(true) => return Ok(()),
            Json::Bool(false) => {
                out.add(path, "False always fails validation".into());
                return Ok(());
            }
            Json::Object(map) => map,
            _ => return Err("Invalid schema: a schema must be an object or a boolean".into()),
        };
        if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
            if depth >= MAX_REF_DEPTH {
                return Err(format!("Invalid schema: $ref {reference} loops"));
            }
            let target = self.resolve(reference)?;
            return self.validate(target, node, path, out, depth + 1);
        }
        let types = types(schema);
        let given = json_type(node);
        let type_ok = types.is_empty() || types.iter().any(|t| t == given || (t == "number" && given == "integer"));
        if !type_ok {
            out.add(path, format!("Invalid type. Expected: {}, given: {given}", type_list(&types)));
            return Ok(());
        }
        self.validate_schema(schema, node, path, out, depth)?;
        match node {
            Json::Array(items) => {
                self.validate_array(schema, items, path, out, depth)?;
                validate_common(schema, node, path, out);
            }
            Json::Object(map) => {
                self.validate_object(schema, map, path, out, depth)?;
                validate_common(schema, node, path, out);
                if let Some(Json::Object(properties)) = schema.get("properties") {
                    for (name, sub) in properties {
                        if let Some(value) = map.get(name) {
                            path.push(name.clone());
                            let result = self.validate(sub, value, path, out, depth);
                            path.pop();
                            result?;
                        }
                    }
                }
            }
            _ => {
                validate_number(schema, node, path, out);
                validate_common(schema, node, path, out);
                validate_string(schema, node, path, out)?;
            }
        }
        out.score += 1;
        Ok(())
    }

    /// A local `$ref` (`#`, `#/definitions/x`, any JSON pointer into this schema).
    fn resolve(&self, reference: &str) -> Result<&'s Json, String> {
        let pointer =
            reference.strip_prefix('#').ok_or_else(|| format!("Invalid schema: cannot resolve $ref {reference}"))?;
        let pointer = percent_decode(pointer);
        self.root.pointer(&pointer).ok_or_else(|| format!("Invalid schema: cannot resolve $ref {reference}"))
    }

    /// anyOf, oneOf, allOf, not, dependencies, if/then/else.
    fn validate_schema(
        &self,
        schema: &serde_json::Map<String, Json>,
        node: &Json,
        path: &mut Path,
        out: &mut Outcome,
        depth: usize,
    ) -> Result<(), String> {
        if let Some(Json::Array(any_of)) = schema.get("anyOf") {
            let mut best: Option<Outcome> = None;
            let mut valid = false;
            for sub in any_of {
                let result = self.sub(sub, node, path, depth)?;
                if result.errors.is_empty() {
                    valid = true;
                    break;
                }
                if best.as_ref().is_none_or(|b| result.score > b.score) {
                    best = Some(result);
                }
            }
            if !valid {
                out.add(path, "Must validate at least one schema (anyOf)".into());
                if let Some(best) = best {
                    out.errors.extend(best.errors);
                }
            }
        }
        if let Some(Json::Array(one_of)) = schema.get("oneOf") {
            let mut valid = 0;
            let mut best: Option<Outcome> = None;
            for sub in one_of {
                let result = self.sub(sub, node, path, depth)?;
                if result.errors.is_empty() {
                    valid += 1;
                } else if valid == 0 && best.as_ref().is_none_or(|b| result.score > b.score) {
                    best = Some(result);
                }
            }
            if valid != 1 {
                out.add(path, "Must validate one and only one schema (oneOf)".into());
                if valid == 0
                    && let Some(best) = best
                {
                    out.errors.extend(best.errors);
                }
            }
        }
        if let Some(Json::Array(all_of)) = schema.get("allOf") {
            let mut valid = 0;
            for sub in all_of {
                let result = self.sub(sub, node, path, depth)?;
                if result.errors.is_empty() {
                    valid += 1;
                }
                out.errors.extend(result.errors);
            }
            if valid != all_of.len() {
                out.add(path, "Must validate all the schemas (allOf)".into());
            }
        }
        if let Some(not) = schema.get("not")
            && self.sub(not, node, path, depth)?.errors.is_empty()
        {
            out.add(path, "Must not validate the schema (not)".into());
        }
        if let (Some(Json::Object(dependencies)), Json::Object(map)) = (schema.get("dependencies"), node) {
            for key in map.keys() {
                match dependencies.get(key) {
                    Some(Json::Array(required)) => {
                        for other in required.iter().filter_map(Json::as_str) {
                            if !map.contains_key(other) {
                                out.add(path, format!("Has a dependency on {other}"));
                            }
                        }
                    }
                    Some(sub @ (Json::Object(_) | Json::Bool(_))) => self.validate(sub, node, path, out, depth)?,
                    _ => {}
                }
            }
        }
        if let Some(condition) = schema.get("if") {
            let holds = self.sub(condition, node, path, depth)?.errors.is_empty();
            let (branch, message) = if holds {
                ("then", "Must validate \"then\" as \"if\" was valid")
            } else {
                ("else", "Must validate \"else\" as \"if\" was not valid")
            };
            if let Some(sub) = schema.get(branch) {
                let result = self.sub(sub, node, path, depth)?;
                if !result.errors.is_empty() {
                    out.add(path, message.into());
                    out.errors.extend(result.errors);
                }
            }
        }
        out.score += 1;
        Ok(())
    }

    fn validate_array(
        &self,
        schema: &serde_json::Map<String, Json>,
        items: &[Json],
        path: &mut Path,
        out: &mut Outcome,
        depth: usize,
    ) -> Result<(), String> {
        let mut at = |index: usize, sub: &Json, out: &mut Outcome| -> Result<Outcome, String> {
            path.push(index.to_string());
            let result = self.sub(sub, &items[index], path, depth);
            path.pop();
            let result = result?;
            out.errors.extend(result.errors.iter().cloned());
            Ok(result)
        };
        match schema.get("items") {
            Some(Json::Array(tuple)) => {
                for (i, sub) in tuple.iter().enumerate().take(items.len()) {
                    at(i, sub, out)?;
                }
                if tuple.len() < items.len() {
                    match schema.get("additionalItems") {
                        Some(Json::Bool(false)) => out.add(path, "No additional items allowed on array".into()),
                        Some(sub @ Json::Object(_)) => {
                            for i in tuple.len()..items.len() {
                                at(i, sub, out)?;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some(sub @ (Json::Object(_) | Json::Bool(_))) => {
                for i in 0..items.len() {
                    at(i, sub, out)?;
                }
            }
            _ => {}
        }
        if let Some(min) = integer(schema, "minItems")
            && (items.len() as u64) < min
        {
            out.add(path, format!("Array must have at least {min} items"));
        }
        if let Some(max) = integer(schema, "maxItems")
            && (items.len() as u64) > max
        {
            out.add(path, format!("Array must have at most {max} items"));
        }
        if schema.get("uniqueItems") == Some(&Json::Bool(true)) {
            let mut seen: Vec<(String, usize)> = Vec::new();
            for (j, item) in items.iter().enumerate() {
                let canonical = canonical(item);
                if let Some((_, i)) = seen.iter().rev().find(|(c, _)| *c == canonical) {
                    out.add(path, format!("array items[{i},{j}] must be unique"));
                }
                seen.push((canonical, j));
            }
        }
        if let Some(contains) = schema.get("contains") {
            let mut best: Option<Outcome> = None;
            let mut found = false;
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                let result = self.sub(contains, item, path, depth);
                path.pop();
                let result = result?;
                if result.errors.is_empty() {
                    found = true;
                    break;
                }
                if best.as_ref().is_none_or(|b| result.score > b.score) {
                    best = Some(result);
                }
            }
            if !found {
                out.add(path, "At least one of the items must match".into());
                if let Some(best) = best {
                    out.errors.extend(best.errors);
                }
            }
        }
        out.score += 1;
        Ok(())
    }

    fn validate_object(
        &self,
        schema: &serde_json::Map<String, Json>,
        map: &serde_json::Map<String, Json>,
        path: &mut Path,
        out: &mut Outcome,
        depth: usize,
    ) -> Result<(), String> {
        if let Some(min) = integer(schema, "minProperties")
            && (map.len() as u64) < min
        {
            out.add(path, format!("Must have at least {min} properties"));
        }
        if let Some(max) = integer(schema, "maxProperties")
            && (map.len() as u64) > max
        {
            out.add(path, format!("Must have at most {max} properties"));
        }
        if let Some(Json::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Json::as_str) {
                if map.contains_key(name) {
                    out.score += 1;
                } else {
                    out.add(path, format!("{name} is required"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Json::as_object);
        let patterns = schema.get("patternProperties").and_then(Json::as_object);
        for (key, value) in map {
            let described = properties.is_some_and(|p| p.contains_key(key));
            let mut matched = false;
            for (pattern, sub) in patterns.into_iter().flatten() {
                let re = Regex::new(pattern).map_err(|e| format!("Invalid schema: {e}"))?;
                if re.is_match(key) {
                    matched = true;
                    path.push(key.clone());
                    let result = self.sub(sub, value, path, depth);
                    path.pop();
                    out.errors.extend(result?.errors);
                }
            }
            if matched {
                out.score += 1;
            }
            if !described && !matched {
                match schema.get("additionalProperties") {
                    Some(Json::Bool(false)) => out.add(path, format!("Additional property {key} is not allowed")),
                    Some(sub @ Json::Object(_)) => {
                        path.push(key.clone());
                        let result = self.validate(sub, value, path, out, depth);
                        path.pop();
                        result?;
                    }
                    _ => {}
                }
            }
        }
        if let Some(names) = schema.get("propertyNames") {
            for key in map.keys() {
                let result = self.sub(names, &Json::String(key.clone()), path, depth)?;
                if !result.errors.is_empty() {
                    out.add(path, format!("Property name of {key:?} does not match"));
                    out.errors.extend(result.errors);
                }
            }
        }
        out.score += 1;
        Ok(())
    }
}

/// `type` as a list (one string or several).
fn types(schema: &serde_json::Map<String, Json>) -> Vec<String> {
    match schema.get("type") {
        Some(Json::String(t)) => vec![t.clone()],
        Some(Json::Array(list)) => list.iter().filter_map(Json::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// gojsonschema's rendering of the expected types: one name, or `[a,b]`.
fn type_list(types: &[String]) -> String {
    if types.len() == 1 { types[0].clone() } else { format!("[{}]", types.join(",")) }
}

fn json_type(node: &Json) -> &'static str {
    match node {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn integer(schema: &serde_json::Map<String, Json>, key: &str) -> Option<u64> {
    schema.get(key).and_then(|v| v.as_u64().or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)))
}

fn number(schema: &serde_json::Map<String, Json>, key: &str) -> Option<f64> {
    schema.get(key).and_then(Json::as_f64)
}

/// multipleOf, maximum / exclusiveMaximum, minimum / exclusiveMinimum (draft 4's
/// boolean form included), format.
fn validate_number(schema: &serde_json::Map<String, Json>, node: &Json, path: &Path, out: &mut Outcome) {
    let Some(value) = node.as_f64() else { return };
    if let Some(multiple) = number(schema, "multipleOf")
        && multiple != 0.0
        && (value / multiple).fract().abs() > 1e-9
    {
        out.add(path, format!("Must be a multiple of {}", weir_gotemplate::format_float(multiple)));
    }
    let draft4_exclusive = |key: &str| schema.get(key) == Some(&Json::Bool(true));
    let (maximum, exclusive_maximum) = match (number(schema, "maximum"), draft4_exclusive("exclusiveMaximum")) {
        (Some(max), true) => (None, Some(max)),
        (max, _) => (max, number(schema, "exclusiveMaximum")),
    };
    let (minimum, exclusive_minimum) = match (number(schema, "minimum"), draft4_exclusive("exclusiveMinimum")) {
        (Some(min), true) => (None, Some(min)),
        (min, _) => (min, number(schema, "exclusiveMinimum")),
    };
    let show = weir_gotemplate::format_float;
    if let Some(max) = maximum
        && value > max
    {
        out.add(path, format!("Must be less than or equal to {}", show(max)));
    }
    if let Some(max) = exclusive_maximum
        && value >= max
    {
        out.add(path, format!("Must be less than {}", show(max)));
    }
    if let Some(min) = minimum
        && value < min
    {
        out.add(path, format!("Must be greater than or equal to {}", show(min)));
    }
    if let Some(min) = exclusive_minimum
        && value <= min
    {
        out.add(path, format!("Must be greater than {}", show(min)));
    }
    out.score += 1;
}

/// minLength, maxLength (in characters), pattern, format.
fn validate_string(
    schema: &serde_json::Map<String, Json>,
    node: &Json,
    path: &Path,
    out: &mut Outcome,
) -> Result<(), String> {
    let Json::String(s) = node else { return Ok(()) };
    let length = s.chars().count() as u64;
    if let Some(min) = integer(schema, "minLength")
        && length < min
    {
        out.add(path, format!("String length must be greater than or equal to {min}"));
    }
    if let Some(max) = integer(schema, "maxLength")
        && length > max
    {
        out.add(path, format!("String length must be less than or equal to {max}"));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Json::as_str) {
        let re = Regex::new(pattern).map_err(|e| format!("Invalid schema: {e}"))?;
        if !re.is_match(s) {
            out.add(path, format!("Does not match pattern '{pattern}'"));
        }
    }
    if let Some(format) = schema.get("format").and_then(Json::as_str)
        && !format_holds(format, s)
    {
        out.add(path, format!("Does not match format '{format}'"));
    }
    out.score += 1;
    Ok(())
}

/// const and enum, compared as canonical JSON.
fn validate_common(schema: &serde_json::Map<String, Json>, node: &Json, path: &Path, out: &mut Outcome) {
    let value = canonical(node);
    if let Some(constant) = schema.get("const") {
        let allowed = canonical(constant);
        if value != allowed {
            out.add(path, format!("{} does not match: {allowed}", field(path)));
        }
    }
    if let Some(Json::Array(options)) = schema.get("enum")
        && !options.is_empty()
    {
        let allowed: Vec<String> = options.iter().map(canonical).collect();
        if !allowed.contains(&value) {
            out.add(path, format!("{} must be one of the following: {}", field(path), allowed.join(", ")));
        }
    }
    out.score += 1;
}

/// Go's `json.Marshal` form: sorted keys, numbers as float64 prints them.
fn canonical(node: &Json) -> String {
    match node {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i128),
            Some(f) => weir_gotemplate::format_float(f),
            None => n.to_string(),
        },
        Json::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| *k);
            let inner: Vec<String> =
                entries.iter().map(|(k, v)| format!("{}:{}", Json::String((*k).clone()), canonical(v))).collect();
            format!("{{{}}}", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// gojsonschema's format checkers, approximately; unknown formats pass.
fn format_holds(format: &str, s: &str) -> bool {
    let matches = |re: &str| Regex::new(re).is_ok_and(|re| re.is_match(s));
    match format {
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok(),
        "email" | "idn-email" => s.split_once('@').is_some_and(|(user, host)| !user.is_empty() && !host.is_empty()),
        "date-time" => matches(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"),
        "date" => matches(r"^\d{4}-\d{2}-\d{2}$"),
        "time" => matches(r"^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$"),
        "hostname" => {
            s.len() <= 253
                && matches(
                    r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$",
                )
        }
        "uri" | "iri" => matches(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$"),
        "uri-reference" | "iri-reference" => !s.chars().any(char::is_whitespace),
        "uuid" => matches(r"^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
        "regex" => Regex::new(s).is_ok(),
        "json-pointer" => s.is_empty() || s.starts_with('/'),
        _ => true,
    }
}

/// `%xx` escapes in a `$ref` fragment.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
