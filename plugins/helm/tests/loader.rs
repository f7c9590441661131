//! Loading charts from directories and archives, with the errors `helm template` 3.18 prints.

use std::fs;
use std::path::Path;

use weir_gotemplate::Value;
use weir_helm::chart::Chart;
use weir_helm::loader::{load_archive, load_dir};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

fn chart_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    dir
}

fn load(files: &[(&str, &str)]) -> Result<Chart, String> {
    let dir = chart_dir(files);
    load_dir(dir.path()).map_err(|e| e.to_string())
}

const CHART: &str = "apiVersion: v2\nname: demo\nversion: 1.0.0\n";

#[test]
fn a_directory_splits_into_templates_values_schema_and_files() {
    let chart = load(&[
        ("Chart.yaml", CHART),
        ("values.yaml", "v: 1\n---\nw: 2\n"),
        ("values.schema.json", "{}"),
        (".helmignore", "*.txt\n"),
        ("notes.txt", "ignored"),
        ("docs/x.md", "doc"),
        ("crds/c.yaml", "kind: CustomResourceDefinition"),
        ("templates/a.yaml", "a"),
        ("templates/_helpers.tpl", "h"),
        ("templates/NOTES.txt", "ignored too: *.txt matches base names"),
        ("templates/tests/t.yaml", "t"),
        ("templates/.hidden", "dot files in templates/ are ignored"),
    ])
    .unwrap();
    let names = |files: &[weir_helm::chart::File]| files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&chart.files), [".helmignore", "crds/c.yaml", "docs/x.md"]);
    assert_eq!(names(&chart.templates), ["templates/_helpers.tpl", "templates/a.yaml", "templates/tests/t.yaml"]);
    // Helm 3.18 reads only the first document of values.yaml.
    assert_eq!(chart.values.keys().collect::<Vec<_>>(), ["v"]);
    assert_eq!(chart.schema.as_deref(), Some(&b"{}"[..]));
    assert_eq!(chart.crd_objects().iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["demo/crds/c.yaml"]);
}

#[test]
fn metadata_is_validated_as_helm_does() {
    let cases = [
        ("apiVersion: v2\nversion: 0.1.0\n", "validation: chart.metadata.name is required"),
        ("apiVersion: v2\nname: e3\n", "validation: chart.metadata.version is required"),
        ("apiVersion: v2\nname: e5\nversion: abc\n", r#"validation: chart.metadata.version "abc" is invalid"#),
        ("apiVersion: v2\nname: e\nversion: true\n", r#"validation: chart.metadata.version "true" is invalid"#),
        (
            "apiVersion: v2\nname: e6\nversion: 1.0.0\ntype: foo\n",
            "validation: chart.metadata.type must be application or library",
        ),
        ("apiVersion: v2\nname: a/b\nversion: 1.0.0\n", r#"validation: chart.metadata.name "a/b" is invalid"#),
        ("apiVersion: v2\nname: ..\nversion: 1.0.0\n", r#"validation: chart.metadata.name ".." is not allowed"#),
        (
            "apiVersion: v2\nname: e\nversion: 1.0.0\ndependencies:\n- name: sub\n  alias: a.b\n",
            r#"validation: dependency "sub" has disallowed characters in the alias"#,
        ),
        (
            "apiVersion: v2\nname: e\nversion: 1.0.0\ndependencies:\n- name: sub\n- name: x\n  alias: sub\n",
            r#"validation: more than one dependency with name or alias "sub""#,
        ),
        (
            "apiVersion: v2\nname: e10\nversion: 1.0.0\nkeywords: a\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.keywords of type []string",
        ),
        (
            "apiVersion: v2\nname: e18\nversion: 1.0.0\ndeprecated: \"yes\"\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.deprecated of type bool",
        ),
        (
            "apiVersion: v2\nname: m\nversion: 1.0.0\nmaintainers: foo\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.maintainers of type []*chart.Maintainer",
        ),
        (
            "apiVersion: v2\nname: m\nversion: 1.0.0\ndependencies: [1]\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field Metadata.dependencies of type chart.Dependency",
        ),
        (
            "apiVersion: v2\nname: m\nversion: 1.0.0\nmaintainers: [{name: [x]}]\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field Maintainer.maintainers.name of type string",
        ),
        (
            "apiVersion: v2\nname: m\nversion: 1.0.0\nannotations: {a: [1]}\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field Metadata.annotations of type string",
        ),
    ];
    for (chart_yaml, want) in cases {
        assert_eq!(load(&[("Chart.yaml", chart_yaml)]).unwrap_err(), want, "{chart_yaml}");
    }
    assert_eq!(load(&[("values.yaml", "a: 1")]).unwrap_err(), "Chart.yaml file is missing");
    let err = load(&[("Chart.yaml", "apiVersion: v2\nname: e9\nversion: 1.0.0\nfoo: [\n")]).unwrap_err();
    assert!(err.starts_with("cannot load Chart.yaml: error converting YAML to JSON: yaml: "), "{err}");
}

#[test]
fn metadata_scalars_become_strings_and_api_version_defaults_to_v1() {
    for (text, want) in [("1.0", "1"), ("1.10", "1.1"), ("1", "1"), ("1e3", "1000"), ("0x10", "16"), ("010", "8")] {
        let chart = load(&[("Chart.yaml", &format!("name: v\nversion: {text}\nappVersion: {text}\n"))]).unwrap();
        assert_eq!((chart.metadata.version.as_str(), chart.metadata.app_version.as_str()), (want, want), "{text}");
        assert_eq!(chart.metadata.api_version, "v1");
    }
}

#[test]
fn lock_and_requirements_errors() {
    let err = load(&[("Chart.yaml", CHART), ("Chart.lock", "x\n")]).unwrap_err();
    assert_eq!(
        err,
        "cannot load Chart.lock: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type chart.Lock"
    );
    let err = load(&[("Chart.yaml", CHART), ("values.yaml", "- a\n- b\n")]).unwrap_err();
    assert_eq!(
        err,
        "cannot load values.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    let err = load(&[("Chart.yaml", CHART), ("requirements.yaml", "x: [\n")]).unwrap_err();
    assert!(err.starts_with("cannot load requirements.yaml: error converting YAML to JSON: yaml: "), "{err}");
}

#[test]
fn v1_charts_take_dependencies_from_requirements_yaml() {
    let chart = load(&[
        ("Chart.yaml", "apiVersion: v1\nname: old\nversion: 1.0.0\n"),
        ("requirements.yaml", "dependencies:\n- name: sub\n  version: 1.0.0\n  condition: sub.enabled\n"),
        ("charts/sub/Chart.yaml", "name: sub\nversion: 1.0.0\n"),
    ])
    .unwrap();
    let deps: Vec<_> = chart.metadata.dependencies().map(|d| (d.name.as_str(), d.condition.as_str())).collect();
    assert_eq!(deps, [("sub", "sub.enabled")]);
    // A v1 chart keeps requirements.yaml among its files.
    assert_eq!(chart.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["requirements.yaml"]);
    assert_eq!(chart.dependencies[0].name(), "sub");
}

#[test]
fn subchart_errors_name_the_subchart_and_parent() {
    let err =
        load(&[("Chart.yaml", CHART), ("charts/sub/Chart.yaml", "apiVersion: v2\nversion: 1.0.0\n")]).unwrap_err();
    assert_eq!(err, "error unpacking subchart sub in demo: validation: chart.metadata.name is required");
    let err = load(&[("Chart.yaml", CHART), ("charts/README", "x")]).unwrap_err();
    assert_eq!(err, "error unpacking subchart README in demo: Chart.yaml file is missing");
    let err = load(&[("Chart.yaml", CHART), ("charts/bad.tgz", "garbage\n")]).unwrap_err();
    assert_eq!(err, "error unpacking subchart bad.tgz in demo: unexpected EOF");
    // `_` and `.` entries of charts/ are not subcharts.
    let chart = load(&[("Chart.yaml", CHART), ("charts/_x/a", "x"), ("charts/.y/b", "y")]).unwrap();
    assert!(chart.dependencies.is_empty());
}

#[test]
fn symbolic_links_are_followed() {
    let dir = chart_dir(&[("Chart.yaml", CHART), ("real/x", "a: 1")]);
    std::os::unix::fs::symlink("Chart.yaml", dir.path().join("templates-l.yaml")).unwrap();
    fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::os::unix::fs::symlink("../real", dir.path().join("templates/dirlink")).unwrap();
    let chart = load_dir(dir.path()).unwrap();
    assert_eq!(chart.templates[0].name, "templates/dirlink/x");
    assert!(chart.files.iter().any(|f| f.name == "templates-l.yaml" && f.data == CHART.as_bytes()));

    std::os::unix::fs::symlink("/nonexist", dir.path().join("templates/link.yaml")).unwrap();
    let err = load_dir(dir.path()).unwrap_err().to_string();
    let link = dir.path().canonicalize().unwrap().join("templates/link.yaml");
    assert_eq!(err, format!("error evaluating symlink {}: lstat /nonexist: no such file or directory", link.display()));
}

#[test]
fn a_byte_order_mark_is_dropped() {
    let chart = load(&[("Chart.yaml", &format!("\u{feff}{CHART}")), ("values.yaml", "\u{feff}a: 1\n")]).unwrap();
    assert_eq!(chart.name(), "demo");
    assert!(chart.values.contains_key("a"));
}

fn tgz(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()));
    for (name, text) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`; write the raw name as a hostile archive would.
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, text.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn archives_load_with_their_top_directory_dropped() {
    let bytes = tgz(&[
        ("demo/Chart.yaml", CHART),
        ("demo/.helmignore", "*.md\n"),
        ("demo/README.md", "kept: archives ignore .helmignore"),
        ("demo/templates/a.yaml", "a"),
    ]);
    let chart = load_archive(&bytes).unwrap();
    assert_eq!(chart.name(), "demo");
    assert_eq!(chart.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), [".helmignore", "README.md"]);
    assert_eq!(chart.templates[0].name, "templates/a.yaml");
}

#[test]
fn packaged_subcharts_load_from_charts() {
    let sub = tgz(&[("sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 2.0.0\n")]);
    let dir = chart_dir(&[("Chart.yaml", CHART)]);
    fs::create_dir_all(dir.path().join("charts")).unwrap();
    fs::write(dir.path().join("charts/sub-2.0.0.tgz"), sub).unwrap();
    let chart = load_dir(dir.path()).unwrap();
    assert_eq!(chart.dependencies[0].metadata.version, "2.0.0");
}

#[test]
fn unsafe_archives_are_refused() {
    let err = |entries: &[(&str, &str)]| load_archive(&tgz(entries)).unwrap_err().to_string();
    // A file outside any directory cleans to `.`, which Helm reports before the Chart.yaml check.
    assert_eq!(
        err(&[("Chart.yaml", CHART)]),
        r#"chart illegally contains content outside the base directory: "Chart.yaml""#
    );
    assert_eq!(err(&[("Chart.yaml/x", CHART)]), "chart yaml not in base directory");
    assert_eq!(err(&[("demo/../../x", "x")]), "chart illegally references parent directory");
    assert_eq!(err(&[("demo//etc/passwd", "x")]), "chart illegally contains absolute paths");
    assert_eq!(err(&[("demo/c:/x", "x")]), "chart contains illegally named files");
    assert_eq!(err(&[]), "no files in chart archive");
    assert_eq!(load_archive(b"garbage, not gzip at all").unwrap_err().to_string(), "gzip: invalid header");
}

#[test]
fn chart_object_matches_helms_view() {
    use weir_gotemplate::Object;
    let chart = load(&[("Chart.yaml", CHART)]).unwrap();
    let object = weir_helm::chart::ChartObject { metadata: std::rc::Rc::new(chart.metadata), is_root: true };
    assert_eq!(object.type_name(), "struct { chart.Metadata; IsRoot bool }");
    assert_eq!(object.display(), "{{demo  [] 1.0.0  [] []  v2    false map[]  [] } true}");
    let name = object.member("Name", &[]).unwrap().unwrap();
    assert_eq!(name.as_str(), Some("demo"));
    let Value::Map(data) = object.to_data() else { panic!() };
    assert_eq!(data.borrow().keys().collect::<Vec<_>>(), ["IsRoot", "apiVersion", "name", "version"]);
}

#[test]
fn chart_dependencies_and_maintainers_answer_to_go_field_names() {
    use weir_gotemplate::Object;
    let chart = load(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 1.0.0\nmaintainers:\n- name: me\n  email: me@x\ndependencies:\n- name: sub\n  version: 1.0.0\n  alias: s\n",
        ),
        ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
    ])
    .unwrap();
    let object = weir_helm::chart::ChartObject { metadata: std::rc::Rc::new(chart.metadata), is_root: true };
    let Value::List(deps) = object.member("Dependencies", &[]).unwrap().unwrap() else { panic!() };
    let Value::Object(dep) = &deps[0] else { panic!() };
    assert_eq!(dep.member("Alias", &[]).unwrap().unwrap().as_str(), Some("s"));
    assert!(matches!(dep.member("ImportValues", &[]).unwrap().unwrap(), Value::Nil));
    let Value::Map(data) = dep.to_data() else { panic!() };
    assert_eq!(data.borrow().keys().collect::<Vec<_>>(), ["alias", "name", "repository", "version"]);
    let Value::List(maintainers) = object.member("Maintainers", &[]).unwrap().unwrap() else { panic!() };
    let Value::Object(me) = &maintainers[0] else { panic!() };
    assert_eq!(me.member("Email", &[]).unwrap().unwrap().as_str(), Some("me@x"));
    assert_eq!(me.display(), "&{me me@x }");
}

#[test]
fn files_over_helms_size_limit_are_refused() {
    let big = "x".repeat(5 * 1024 * 1024 + 1);
    let err = load(&[("Chart.yaml", CHART), ("sub/blob", &big)]).unwrap_err();
    assert_eq!(err, r#"chart file "blob" is larger than the maximum file size 5242880"#);
    let err = load_archive(&tgz(&[("pk/Chart.yaml", CHART), ("pk/blob", &big)])).unwrap_err().to_string();
    assert_eq!(err, r#"decompressed chart file "pk/blob" is larger than the maximum file size 5242880"#);
}

#[test]
fn chart_display_follows_gos_struct_order_and_sanitises_whitespace() {
    use weir_gotemplate::Object;
    let chart = load(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: md\nversion: 1.2.3\nappVersion: \"2.0\"\ndescription: \"A  desc\\twith tab\"\nkeywords: [a, b]\nhome: https://h\nsources: [https://s1, https://s2]\nicon: https://i\ndeprecated: true\nkubeVersion: \">=1.0.0-0\"\nannotations: {x: \"1\", a: b}\ntype: application\n",
    )])
    .unwrap();
    let object = weir_helm::chart::ChartObject { metadata: std::rc::Rc::new(chart.metadata), is_root: true };
    assert_eq!(
        object.display(),
        "{{md https://h [https://s1 https://s2] 1.2.3 A  desc with tab [a b] [] https://i v2   2.0 true map[a:b x:1] >=1.0.0-0 [] application} true}"
    );
}
