//! Templates whose output or error was recorded from Go 1.24 (`helm template`
//! v3.18 on a chart whose values are `values()` below). Helm rewords parse
//! errors to `parse error at (LOCATION): LAST-PART`; those are compared after
//! the same rewording.

use std::collections::BTreeMap;

use weir_gotemplate::{FuncMap, Templates, Value};

fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect::<BTreeMap<_, _>>())
        }
    }
}

/// The chart's values.yaml as Go saw it (`b: y` is YAML 1.1's true).
fn values() -> Value {
    from_json(&serde_json::json!({
        "Values": {
            "s": "hi", "e": "", "l": ["a", "b", "c"], "el": [], "m": {"a": "x", "b": true, "c": "z"},
            "em": {}, "nest": {"inner": {"deep": "v"}}, "z": null, "t": true, "f": false,
            "html": "<a href='x'>&\"</a>"
        }
    }))
}

/// Helm's cleanupParseError: location and the last ": "-separated part.
fn helm_parse_error(msg: &str) -> String {
    let tokens: Vec<&str> = msg.split(": ").collect();
    format!("template: {}: {}", tokens[1], tokens[tokens.len() - 1])
}

/// Where we knowingly differ or cannot compare: complex constants are not
/// implemented; Helm's top-level data has keys this test does not build;
/// Helm replaces Go's `slice` with Sprig's.
const KNOWN: &[&str] = &["len $", "Capabilities", "1i", "slice"];

#[test]
fn matches_go() {
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("oracle.json")).expect("oracle.json is valid JSON");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let text = case["t"].as_str().unwrap_or_default();
        let expected_text = case.to_string();
        if KNOWN.iter().any(|k| expected_text.contains(k)) {
            continue;
        }
        checked += 1;
        let mut t = Templates::new(FuncMap::new());
        let got = match t.parse("t/templates/x.yaml", text) {
            Err(e) => {
                assert!(e.is_parse());
                ("perr", helm_parse_error(e.message()))
            }
            Ok(()) => match t.execute("t/templates/x.yaml", values()) {
                Ok(out) => ("ok", out),
                Err(e) => ("err", e.to_string()),
            },
        };
        let want = ["ok", "err", "perr"]
            .iter()
            .find_map(|k| case[*k].as_str().map(|v| (*k, v.to_string())))
            .expect("case has an outcome");
        // Go types integer literals `int`; our one integer type is `int64`, and
        // the test data holds no other integers.
        let got = (got.0, got.1.replace("int64", "int"));
        if got != want {
            failures.push(format!("{text:?}\n   want {want:?}\n    got {got:?}"));
        }
    }
    assert!(checked > 320, "{checked}");
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
}
