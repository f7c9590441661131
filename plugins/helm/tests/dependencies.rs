//! Dependency processing (conditions, tags, aliases, import-values), checked
//! against `helm template` 3.18: `toJson .Values` of the top chart and which
//! subcharts rendered.

mod common;

use common::{json, load, set};
use weir_gotemplate::Map;
use weir_helm::chart::Chart;
use weir_helm::dependencies::{check_present, process};
use weir_helm::values::coalesce;

const CHART_YAML: &str = r#"apiVersion: v2
name: dp
version: 1.0.0
dependencies:
- name: a
  version: 1.0.0
  condition: nope.enabled,a.enabled
  tags: [front]
- name: b
  version: "^1"
  tags: [back, front]
  import-values:
  - data
  - child: conf.inner
    parent: imported.fromb
- name: c
  version: 1.x
  alias: cee
  condition: cee.use
- name: e
  version: 1.0.0
  tags: [back]
"#;

fn chart() -> Chart {
    load(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.yaml",
            "a: {enabled: false}\ncee: {use: true, v: 1}\nimported: {fromb: {keep: parent}}\ntags: {back: false}\n",
        ),
        ("charts/a/Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\n"),
        ("charts/b/Chart.yaml", "apiVersion: v2\nname: b\nversion: 1.0.0\n"),
        ("charts/b/values.yaml", "exports:\n  data: {exported: 1, keep: child}\nconf:\n  inner: {k: v, keep: child}\n"),
        (
            "charts/c/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: d\n  version: 1.0.0\n  condition: d.enabled\n",
        ),
        ("charts/c/values.yaml", "d: {enabled: true}\n"),
        ("charts/c/charts/d/Chart.yaml", "apiVersion: v2\nname: d\nversion: 1.0.0\n"),
        ("charts/e/Chart.yaml", "apiVersion: v2\nname: e\nversion: 1.0.0\n"),
    ])
}

/// The subcharts left, as template paths would name them.
fn rendered(chart: &Chart, prefix: &str, out: &mut Vec<String>) {
    for sub in &chart.dependencies {
        let path = format!("{prefix}/charts/{}", sub.name());
        out.push(path.clone());
        rendered(sub, &path, out);
    }
}

fn run(user: Map) -> (String, Vec<String>, Vec<String>, Chart) {
    let mut chart = chart();
    check_present(&chart).unwrap();
    let mut warnings = Vec::new();
    process(&mut chart, &user, &mut warnings).unwrap();
    let values = coalesce(&chart, user).unwrap();
    let mut subcharts = Vec::new();
    rendered(&chart, "dp", &mut subcharts);
    (json(&values), subcharts, warnings, chart)
}

#[test]
fn conditions_tags_and_aliases_pick_the_subcharts() {
    let (values, subcharts, warnings, chart) = run(Map::new());
    assert_eq!(
        values,
        concat!(
            r#"{"a":{"enabled":false},"cee":{"d":{"enabled":true,"global":{}},"global":{},"use":true,"v":1},"#,
            r#""imported":{"fromb":{"keep":"parent"}},"tags":{"back":false}}"#
        )
    );
    assert_eq!(subcharts, ["dp/charts/cee", "dp/charts/cee/charts/d"]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let deps: Vec<_> = chart.metadata.dependencies().map(|d| (d.name.as_str(), d.enabled)).collect();
    assert_eq!(deps, [("cee", true)]);
}

#[test]
fn import_values_bring_child_values_under_the_parents() {
    let (values, subcharts, warnings, chart) = run(set(&["tags.front=true", "cee.d.enabled=false", "cee.use=1"]));
    assert_eq!(
        values,
        concat!(
            r#"{"a":{"enabled":false},"b":{"conf":{"inner":{"k":"v","keep":"child"}},"#,
            r#""exports":{"data":{"exported":1,"keep":"child"}},"global":{}},"#,
            r#""cee":{"d":{"enabled":false},"global":{},"use":1,"v":1},"exported":1,"#,
            r#""imported":{"fromb":{"k":"v","keep":"parent"}},"keep":"child","tags":{"back":false,"front":true}}"#
        )
    );
    assert_eq!(subcharts, ["dp/charts/b", "dp/charts/cee"]);
    assert_eq!(warnings, ["Warning: Condition path 'cee.use' for chart cee returned non-bool value"]);
    let b = chart.metadata.dependencies().find(|d| d.name == "b").unwrap();
    let imports: Vec<String> = b.import_values.iter().map(|v| json(&[("x".to_owned(), v.clone())].into())).collect();
    assert_eq!(
        imports,
        [r#"{"x":{"child":"exports.data","parent":"."}}"#, r#"{"x":{"child":"conf.inner","parent":"imported.fromb"}}"#]
    );
}

#[test]
fn a_null_condition_is_not_a_bool_and_tags_decide() {
    let (values, subcharts, warnings, _) = run(set(&["cee.use=false", "tags.back=true", "a.enabled=null"]));
    assert_eq!(
        values,
        concat!(
            r#"{"a":{"enabled":null,"global":{}},"b":{"conf":{"inner":{"k":"v","keep":"child"}},"#,
            r#""exports":{"data":{"exported":1,"keep":"child"}},"global":{}},"cee":{"use":false,"v":1},"#,
            r#""e":{"global":{}},"exported":1,"imported":{"fromb":{"k":"v","keep":"parent"}},"keep":"child","#,
            r#""tags":{"back":true}}"#
        )
    );
    assert_eq!(subcharts, ["dp/charts/a", "dp/charts/b", "dp/charts/e"]);
    assert_eq!(warnings, ["Warning: Condition path 'a.enabled' for chart a returned non-bool value"]);
}

#[test]
fn unclaimed_subcharts_stay_and_unmatched_versions_drop() {
    let mut chart = load(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: d\nversion: 1.0.0\ndependencies:\n- name: sub\n  alias: ali\n- name: sub\n  version: '>=2.0.0'\n  alias: ali2\n- name: sub\n  version: '~1.0'\n  alias: ali3\n",
        ),
        ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
        ("charts/other/Chart.yaml", "apiVersion: v2\nname: other\nversion: 1.0.0\n"),
    ]);
    check_present(&chart).unwrap();
    process(&mut chart, &Map::new(), &mut Vec::new()).unwrap();
    let names: Vec<_> = chart.dependencies.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["other", "ali3"]);
    let values = coalesce(&chart, Map::new()).unwrap();
    assert_eq!(json(&values), r#"{"ali3":{"global":{}},"other":{"global":{}}}"#);
}

#[test]
fn listed_dependencies_must_be_in_charts() {
    let chart = load(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: e11\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 1.0.0\n- name: two\n",
    )]);
    assert_eq!(
        check_present(&chart).unwrap_err().to_string(),
        "found in Chart.yaml, but missing in charts/ directory: sub, two"
    );
}

#[test]
fn imports_chain_up_from_grandchildren_and_missing_tables_warn() {
    let mut chart = load(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: iv\nversion: 1.0.0\ndependencies:\n- name: mid\n  version: 1.0.0\n  import-values:\n  - child: fromleaf\n    parent: got\n  - missing\n  - child: nope.x\n    parent: yy\n",
        ),
        (
            "charts/mid/Chart.yaml",
            "apiVersion: v2\nname: mid\nversion: 1.0.0\ndependencies:\n- name: leaf\n  version: 1.0.0\n  alias: lf\n  import-values:\n  - child: data\n    parent: fromleaf\n",
        ),
        ("charts/mid/values.yaml", "fromleaf: {b: 2}\n"),
        ("charts/mid/charts/leaf/Chart.yaml", "apiVersion: v2\nname: leaf\nversion: 1.0.0\n"),
        ("charts/mid/charts/leaf/values.yaml", "data: {a: 1, b: null}\n"),
    ]);
    let mut warnings = Vec::new();
    process(&mut chart, &Map::new(), &mut warnings).unwrap();
    assert_eq!(
        warnings,
        [
            r#"Warning: ImportValues missing table: "exports" is not a table"#,
            r#"Warning: ImportValues missing table from chart mid: "nope" is not a table"#,
        ]
    );
    let values = coalesce(&chart, Map::new()).unwrap();
    assert_eq!(
        json(&values),
        r#"{"got":{"a":1,"b":2},"mid":{"fromleaf":{"a":1,"b":2},"global":{},"lf":{"data":{"a":1},"global":{}}}}"#
    );
}
