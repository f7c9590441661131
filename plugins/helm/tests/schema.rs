//! `values.schema.json` validation, with the messages `helm template` 3.18
//! prints (gojsonschema's). Helm walks properties in random order, so errors
//! of different properties are compared as sets; the order within one
//! property is gojsonschema's.

mod common;

use common::{load, set};
use weir_gotemplate::Map;
use weir_helm::schema::validate;
use weir_helm::values::coalesce;

const SCHEMA: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["name", "port"],
  "properties": {
    "name": {"type": "string", "minLength": 3},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "mode": {"enum": ["a", "b"]},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    "obj": {"type": "object", "additionalProperties": false, "properties": {"x": {"type": "number"}}},
    "pat": {"type": "string", "pattern": "^[a-z]+$"},
    "c": {"const": 5}
  }
}"#;

fn check(schema: &str, values_yaml: &str, user: Map) -> Result<(), String> {
    let chart = load(&[
        ("Chart.yaml", "apiVersion: v2\nname: sc\nversion: 1.0.0\n"),
        ("values.schema.json", schema),
        ("values.yaml", values_yaml),
        ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
        (
            "charts/sub/values.schema.json",
            r#"{"type": "object", "properties": {"replicas": {"type": "integer"}}, "required": ["must"]}"#,
        ),
    ]);
    let values = coalesce(&chart, user).unwrap();
    validate(&chart, &values).map_err(|e| e.to_string())
}

fn sorted(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    lines
}

#[test]
fn each_failing_chart_gets_a_header_and_one_line_per_error() {
    let err = check(SCHEMA, "name: ab\nport: 0\n", set(&["name=null"])).unwrap_err();
    assert_eq!(
        err,
        "sc:\n- (root): name is required\n- port: Must be greater than or equal to 1\nsub:\n- (root): must is required\n"
    );
    let err = check(SCHEMA, "name: ab\nport: 0\n", set(&["sub.must=1"])).unwrap_err();
    assert_eq!(
        err,
        "sc:\n- name: String length must be greater than or equal to 3\n- port: Must be greater than or equal to 1\n"
    );
    assert_eq!(check(SCHEMA, "name: abc\nport: 80\n", set(&["sub.must=1"])), Ok(()));
}

#[test]
fn keyword_messages_match_gojsonschema() {
    let user =
        set(&["mode=c", "tags={1,2,3}", "obj.y=1", "obj.x=str", "pat=ABC", "c=4", "sub.replicas=1.5", "sub.must=1"]);
    let err = check(SCHEMA, "name: ab\nport: 0\n", user).unwrap_err();
    let (top, sub) = err.split_once("sub:\n").unwrap();
    assert_eq!(
        sorted(top),
        sorted(
            r#"sc:
- port: Must be greater than or equal to 1
- mode: mode must be one of the following: "a", "b"
- tags.0: Invalid type. Expected: string, given: integer
- tags.1: Invalid type. Expected: string, given: integer
- tags.2: Invalid type. Expected: string, given: integer
- tags: Array must have at most 2 items
- obj: Additional property y is not allowed
- obj.x: Invalid type. Expected: number, given: string
- pat: Does not match pattern '^[a-z]+$'
- c: c does not match: 5
- name: String length must be greater than or equal to 3"#
        )
    );
    assert!(top.contains(
        "- tags.2: Invalid type. Expected: string, given: integer\n- tags: Array must have at most 2 items\n"
    ));
    assert_eq!(sub, "- replicas: Invalid type. Expected: integer, given: string\n");
}

const COMBINATORS: &str = r##"{
  "type": "object",
  "definitions": {"port": {"type": "integer", "exclusiveMinimum": 0}},
  "properties": {
    "a": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 10}]},
    "o": {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 100}]},
    "n": {"not": {"type": "string"}},
    "r": {"$ref": "#/definitions/port"},
    "f": {"type": "string", "format": "ipv4"},
    "m": {"type": "number", "multipleOf": 0.5, "maximum": 10, "exclusiveMaximum": 9},
    "u": {"type": "array", "uniqueItems": true, "minItems": 5, "contains": {"type": "boolean"}},
    "t": {"type": ["string", "null", "boolean"]},
    "p": {"type": "object", "minProperties": 3, "patternProperties": {"^x": {"type": "string"}}, "propertyNames": {"maxLength": 3}, "dependencies": {"aa": ["bb"]}},
    "i": {"if": {"type": "string"}, "then": {"minLength": 5}, "else": {"type": "integer"}},
    "e": {"enum": [1, "x", null, {"k": 1}]},
    "fa": false,
    "ai": {"type": "array", "items": [{"type": "string"}], "additionalItems": false}
  }
}"##;

#[test]
fn combinators_refs_formats_and_arrays() {
    let user = set(&[
        "a=5",
        "o=s",
        "n=s",
        "r=0",
        "f=1.2.3",
        "m=9.7",
        "u={1,1}",
        "t=1",
        "p.xa=1",
        "p.aa=1",
        "p.long=2",
        "i=abc",
        "e=2",
        "fa=1",
        "ai={a,b}",
        "sub.must=1",
    ]);
    let err = check(COMBINATORS, "", user).unwrap_err();
    let expected = r#"sc:
- a: Must validate at least one schema (anyOf)
- a: Must be greater than or equal to 10
- o: Must validate one and only one schema (oneOf)
- n: Must not validate the schema (not)
- f: Does not match format 'ipv4'
- t: Invalid type. Expected: [string,null,boolean], given: integer
- p: Has a dependency on bb
- p.xa: Invalid type. Expected: string, given: integer
- p: Property name of "long" does not match
- p: String length must be less than or equal to 3
- i: Must validate "then" as "if" was valid
- i: String length must be greater than or equal to 5
- e: e must be one of the following: 1, "x", null, {"k":1}
- r: Must be greater than 0
- m: Invalid type. Expected: number, given: string
- u: Array must have at least 5 items
- u: array items[0,1] must be unique
- u: At least one of the items must match
- u.0: Invalid type. Expected: boolean, given: integer
- fa: False always fails validation
- ai: No additional items allowed on array"#;
    assert_eq!(sorted(&err), sorted(expected));
    // Within one property, gojsonschema's order.
    for run in [
        "- a: Must validate at least one schema (anyOf)\n- a: Must be greater than or equal to 10\n",
        "- p: Has a dependency on bb\n- p.xa: Invalid type. Expected: string, given: integer\n- p: Property name of \"long\" does not match\n- p: String length must be less than or equal to 3\n",
        "- u: Array must have at least 5 items\n- u: array items[0,1] must be unique\n- u: At least one of the items must match\n- u.0: Invalid type. Expected: boolean, given: integer\n",
    ] {
        assert!(err.contains(run), "{run}");
    }
}

#[test]
fn else_branch_and_json_values() {
    let mut user = set(&["i=true", "sub.must=1"]);
    weir_helm::strvals::parse_set_json(r#"e={"k":1}"#, &mut user).unwrap();
    weir_helm::strvals::parse_set_json("u=[1,2,3,4,true]", &mut user).unwrap();
    weir_helm::strvals::parse_set_json("m=8.5", &mut user).unwrap();
    let err = check(COMBINATORS, "", user).unwrap_err();
    assert_eq!(
        err,
        "sc:\n- i: Must validate \"else\" as \"if\" was not valid\n- i: Invalid type. Expected: integer, given: boolean\n"
    );
}
