//! Values coalescing, checked against `helm template` 3.18 (`toJson .Values` of each chart).

mod common;

use common::{json, load, set};
use weir_helm::values::{coalesce, coalesce_with_warnings};

fn chart() -> weir_helm::chart::Chart {
    load(&[
        ("Chart.yaml", "apiVersion: v2\nname: co\nversion: 1.0.0\n"),
        (
            "values.yaml",
            "a: {b: 1, c: {d: 2}}\nlist: [1, 2]\ntbl: {x: 1}\nscalar: 5\nsub:\n  x: 1\n  deep: {p: 1}\nglobal:\n  g: 1\n  t: {a: 1}\n",
        ),
        ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
        ("charts/sub/values.yaml", "a: 1\nx: 2\nz: 3\nglobal: {g: 2, h: 3, t: {b: 2}}\ndeep: {q: 2}\n"),
        ("charts/sub/charts/deep/Chart.yaml", "apiVersion: v2\nname: deep\nversion: 1.0.0\n"),
        ("charts/sub/charts/deep/values.yaml", "p: 0\nr: 3\nglobal: {t: {c: 3}, k: 4}\n"),
    ])
}

#[test]
fn defaults_nest_subcharts_and_copy_globals_down() {
    let values = coalesce(&chart(), Default::default()).unwrap();
    assert_eq!(
        json(&values),
        concat!(
            r#"{"a":{"b":1,"c":{"d":2}},"global":{"g":1,"t":{"a":1}},"list":[1,2],"scalar":5,"#,
            r#""sub":{"a":1,"deep":{"global":{"g":1,"h":3,"k":4,"t":{"a":1,"b":2,"c":3}},"p":1,"q":2,"r":3},"#,
            r#""global":{"g":1,"h":3,"t":{"a":1,"b":2}},"x":1,"z":3},"tbl":{"x":1}}"#
        )
    );
}

#[test]
fn user_values_win_and_nulls_delete_defaults() {
    let user = set(&["a.c=null", "tbl=3", "scalar.x=1", "list=null", "sub.deep.p=null", "global.t.a=null", "new=null"]);
    let mut warnings = Vec::new();
    let values = coalesce_with_warnings(&chart(), user, &mut warnings).unwrap();
    assert_eq!(
        json(&values),
        concat!(
            r#"{"a":{"b":1},"global":{"g":1,"t":{}},"new":null,"scalar":{"x":1},"#,
            r#""sub":{"a":1,"deep":{"global":{"g":1,"h":3,"k":4,"t":{"b":2,"c":3}},"q":2,"r":3},"#,
            r#""global":{"g":1,"h":3,"t":{"b":2}},"x":1,"z":3},"tbl":3}"#
        )
    );
    assert_eq!(warnings, ["warning: skipped value for co.scalar: Not a table."]);
}

#[test]
fn a_deleted_parent_global_falls_back_to_the_subcharts_own() {
    let values = coalesce(&chart(), set(&["global.g=null", "sub.x=null"])).unwrap();
    assert_eq!(
        json(&values),
        concat!(
            r#"{"a":{"b":1,"c":{"d":2}},"global":{"t":{"a":1}},"list":[1,2],"scalar":5,"#,
            r#""sub":{"a":1,"deep":{"global":{"g":2,"h":3,"k":4,"t":{"a":1,"b":2,"c":3}},"p":1,"q":2,"r":3},"#,
            r#""global":{"g":2,"h":3,"t":{"a":1,"b":2}},"z":3},"tbl":{"x":1}}"#
        )
    );
}

#[test]
fn a_subchart_section_that_is_not_a_map_is_refused() {
    let err = coalesce(&chart(), set(&["sub=foo"])).unwrap_err();
    assert_eq!(err.to_string(), "type mismatch on sub: %!t(string=foo)");
}
