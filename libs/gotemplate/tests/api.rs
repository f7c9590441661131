//! The public API as the Sprig and Helm crates use it: functions that run
//! templates through `Context`, objects, definitions across `parse` calls,
//! missingkey modes and limits. Messages marked "Go" were checked against
//! Go 1.24 (`helm template` v3.18).

use std::collections::BTreeMap;
use std::rc::Rc;

use weir_gotemplate::{Context, Func, FuncError, FuncMap, Object, Templates, Value, quote, sprint, sprintf, sprintln};

fn map(entries: &[(&str, Value)]) -> Value {
    Value::map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>())
}

/// Helm's `include` and `tpl`, reduced to what exercises `Context`.
fn helm_like_funcs() -> FuncMap {
    let mut funcs = FuncMap::new();
    let include: Func = Rc::new(|ctx: &mut dyn Context, args: &[Value]| {
        let name = args.first().and_then(Value::as_str).unwrap_or_default().to_string();
        let data = args.get(1).cloned().unwrap_or(Value::Nil);
        ctx.execute_template(&name, data).map(Value::from).map_err(|e| FuncError::Call(e.to_string()))
    });
    let tpl: Func = Rc::new(|ctx: &mut dyn Context, args: &[Value]| {
        let text = args.first().and_then(Value::as_str).unwrap_or_default().to_string();
        let data = args.get(1).cloned().unwrap_or(Value::Nil);
        ctx.parse_and_execute("gotpl", &text, data)
            .map(Value::from)
            .map_err(|e| FuncError::Call(format!("error during tpl function execution for {}: {e}", quote(&text))))
    });
    let name: Func = Rc::new(|ctx: &mut dyn Context, _: &[Value]| Ok(Value::from(ctx.template_name())));
    let fail: Func = Rc::new(|_: &mut dyn Context, args: &[Value]| Err(FuncError::Call(sprint(args))));
    let strict: Func = Rc::new(|_: &mut dyn Context, args: &[Value]| match args {
        [Value::String(s)] => Ok(Value::String(s.clone())),
        [Value::Nil] => Err(FuncError::Args("wrong type for value; expected string; got interface {}".into())),
        [other] => Err(FuncError::Args(format!("wrong type for value; expected string; got {}", other.type_name()))),
        _ => Err(FuncError::Args(format!("wrong number of args for strict: want 1 got {}", args.len()))),
    });
    funcs.insert("include".into(), include);
    funcs.insert("tpl".into(), tpl);
    funcs.insert("name".into(), name);
    funcs.insert("fail".into(), fail);
    funcs.insert("strict".into(), strict);
    funcs
}

fn render(text: &str, data: Value) -> Result<String, String> {
    let mut t = Templates::new(helm_like_funcs());
    t.parse("t/templates/x.yaml", text).map_err(|e| e.to_string())?;
    t.execute("t/templates/x.yaml", data).map_err(|e| e.to_string())
}

fn values() -> Value {
    map(&[("Values", map(&[("m", map(&[("a", Value::from("x"))])), ("s", Value::from("hi"))]))])
}

#[test]
fn include_runs_a_template_of_the_set_and_chains_errors_as_go() {
    assert_eq!(
        render(r#"{{ define "inc" }}[{{ .s }}]{{ end }}{{ include "inc" .Values | printf "%s!" }}"#, values()),
        Ok("[hi]!".into())
    );
    // Go: the nested message follows "error calling include: ".
    assert_eq!(
        render(r#"{{ define "inc" }}{{ .a.b }}{{ end }}{{ include "inc" .Values }}"#, values()),
        Err(r#"template: t/templates/x.yaml:1:40: executing "t/templates/x.yaml" at <include "inc" .Values>: error calling include: template: t/templates/x.yaml:1:23: executing "inc" at <.a.b>: nil pointer evaluating interface {}.b"#.into())
    );
    assert_eq!(
        render(r#"{{ include "x" 1 }}"#, Value::Nil),
        Err(r#"template: t/templates/x.yaml:1:3: executing "t/templates/x.yaml" at <include "x" 1>: error calling include: template: no template "x" associated with template "gotpl""#.into())
    );
}

#[test]
fn tpl_parses_into_a_copy_of_the_set() {
    assert_eq!(
        render(r#"{{ tpl "{{ .Values.s }}-{{ include \"d\" . }}" . }}{{ define "d" }}D{{ end }}"#, values()),
        Ok("hi-D".into())
    );
    // Go: Helm's own wording around the nested error.
    assert_eq!(
        render(r#"{{ tpl "{{ .Values.m.a.x }}" . }}"#, values()),
        Err(r#"template: t/templates/x.yaml:1:3: executing "t/templates/x.yaml" at <tpl "{{ .Values.m.a.x }}" .>: error calling tpl: error during tpl function execution for "{{ .Values.m.a.x }}": template: gotpl:1:10: executing "gotpl" at <.Values.m.a.x>: can't evaluate field x in type interface {}"#.into())
    );
    // The text's definitions override the set's for that run only.
    let mut t = Templates::new(helm_like_funcs());
    t.parse("x", r#"{{ define "d" }}old{{ end }}{{ tpl "{{ define \"d\" }}new{{ end }}{{ template \"d\" }}" . }}|{{ template "d" }}"#).unwrap();
    assert_eq!(t.execute("x", Value::Nil).unwrap(), "new|old");
    assert!(!t.contains("gotpl"));
}

#[test]
fn functions_see_the_running_template_name() {
    assert_eq!(
        render(r#"{{ name }} {{ template "n" }}{{ define "n" }}{{ name }}{{ end }}"#, Value::Nil),
        Ok("t/templates/x.yaml n".into())
    );
}

#[test]
fn function_errors_are_reported_as_go_reports_them() {
    assert_eq!(
        render(r#"{{ fail "boom" }}"#, Value::Nil),
        Err(r#"template: t/templates/x.yaml:1:3: executing "t/templates/x.yaml" at <fail "boom">: error calling fail: boom"#.into())
    );
    // Go: argument errors carry no "error calling"; counts are blamed on the
    // function, types on the argument, literals in their own words.
    assert_eq!(
        render(r#"{{ strict 1 }}"#, Value::Nil),
        Err(r#"template: t/templates/x.yaml:1:10: executing "t/templates/x.yaml" at <1>: expected string; found 1"#
            .into())
    );
    assert_eq!(
        render(r#"{{ 2 | strict }}"#, Value::Nil),
        Err(r#"template: t/templates/x.yaml:1:7: executing "t/templates/x.yaml" at <strict>: wrong type for value; expected string; got int64"#.into())
    );
    assert_eq!(
        render(r#"{{ strict .l }}"#, map(&[("l", Value::list(vec![]))])),
        Err(r#"template: t/templates/x.yaml:1:10: executing "t/templates/x.yaml" at <.l>: wrong type for value; expected string; got []interface {}"#.into())
    );
    let nil = |text: &str| render(text, map(&[("n", Value::Nil)])).unwrap_err();
    assert!(nil("{{ strict nil }}").ends_with("at <nil>: cannot assign nil to string"));
    assert!(nil("{{ strict .n }}").ends_with("at <.n>: wrong type for value; expected string; got interface {}"));
    assert!(nil("{{ $x := .n }}{{ strict $x }}").ends_with("at <$x>: invalid value; expected string"));
    assert_eq!(
        render(r#"{{ print (strict "a" 1) }}"#, Value::Nil),
        Err(r#"template: t/templates/x.yaml:1:10: executing "t/templates/x.yaml" at <strict>: wrong number of args for strict: want 1 got 2"#.into())
    );
    // User functions override builtins, even the short-circuiting ones.
    let mut funcs = FuncMap::new();
    let and: Func = Rc::new(|_: &mut dyn Context, args: &[Value]| Ok(Value::from(args.len() as i64)));
    funcs.insert("and".into(), and);
    let mut t = Templates::new(funcs);
    t.parse("x", "{{ and 0 1 2 }}").unwrap();
    assert_eq!(t.execute("x", Value::Nil).unwrap(), "3");
}

#[test]
fn later_definitions_replace_earlier_ones_unless_empty() {
    let mut t = Templates::new(FuncMap::new());
    t.parse("a.yaml", r#"{{ define "x" }}A{{ end }}"#).unwrap();
    t.parse("b.yaml", r#"{{ define "x" }}B{{ end }}"#).unwrap();
    t.parse("c.yaml", r#"{{ define "x" }}  {{ end }}{{ template "x" }}"#).unwrap();
    assert_eq!(t.execute("c.yaml", Value::Nil).unwrap(), "B");
    let mut names: Vec<&str> = t.names().collect();
    names.sort();
    assert_eq!(names, ["a.yaml", "b.yaml", "c.yaml", "x"]);
    assert!(t.contains("x") && !t.contains("y"));
    // An empty template exists: it may still be executed.
    t.parse("empty", "").unwrap();
    assert_eq!(t.execute("empty", Value::Nil).unwrap(), "");
    // Within one text, two non-empty definitions are an error.
    let err = t.parse("d.yaml", r#"{{ define "y" }}1{{ end }}{{ define "y" }}2{{ end }}"#).unwrap_err();
    assert!(err.is_parse());
    assert_eq!(err.message(), r#"template: d.yaml:1: template: multiple definition of template "y""#);
}

#[test]
fn missing_keys_in_both_modes() {
    let data = map(&[("a", map(&[("b", Value::from("x"))])), ("n", Value::Nil)]);
    let run = |strict: bool, text: &str| {
        let mut t = Templates::new(FuncMap::new());
        t.set_missing_key_error(strict);
        t.parse("x", text).unwrap();
        t.execute("x", data.clone()).map_err(|e| e.to_string())
    };
    assert_eq!(run(false, "{{ .nope }}|{{ .a.nope }}|{{ .n }}"), Ok("<no value>|<no value>|<no value>".into()));
    assert_eq!(
        run(true, "{{ .a.nope }}"),
        Err(r#"template: x:1:5: executing "x" at <.a.nope>: map has no entry for key "nope""#.into())
    );
    // A key present with a nil value is not missing.
    assert_eq!(run(true, "{{ .n }}"), Ok("<no value>".into()));
    assert_eq!(
        run(true, "{{ $x := .n }}{{ $x.y }}"),
        Err(r#"template: x:1:19: executing "x" at <$x.y>: nil data; no entry for key "y""#.into())
    );
    assert_eq!(run(false, "{{ $x := .n }}{{ $x.y }}"), Ok("<no value>".into()));
    assert_eq!(
        run(false, "{{ .n.y }}"),
        Err(r#"template: x:1:5: executing "x" at <.n.y>: nil pointer evaluating interface {}.y"#.into())
    );
    // index never consults missingkey.
    assert_eq!(run(true, r#"{{ index .a "nope" }}"#), Ok("<no value>".into()));
}

struct Files;

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn member(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match (name, args) {
            ("Get", [Value::String(p)]) if &**p == "bad" => Some(Err("no such file".into())),
            ("Get", [p]) => Some(Ok(Value::from(format!("content of {p}")))),
            ("Count", []) => Some(Ok(Value::Int(2))),
            ("Meta", []) => Some(Ok(map(&[("k", Value::from("v"))]))),
            ("Nothing", []) => Some(Ok(Value::Nil)),
            _ => None,
        }
    }
    fn arity(&self, name: &str) -> Option<usize> {
        Some(usize::from(name == "Get"))
    }
    fn display(&self) -> String {
        "map[]".into()
    }
    fn to_data(&self) -> Value {
        Value::list(vec![Value::from("a.txt"), Value::from("b.txt")])
    }
}

#[test]
fn objects_have_fields_and_methods() {
    let data = map(&[("Files", Value::Object(Rc::new(Files)))]);
    let run = |text: &str| render(text, data.clone());
    assert_eq!(
        run(r#"{{ .Files.Get "a" }}|{{ "b" | .Files.Get }}|{{ .Files.Count }}|{{ .Files.Meta.k }}|{{ .Files }}"#),
        Ok("content of a|content of b|2|v|map[]".into())
    );
    assert_eq!(
        run("{{ .Files.Get }}"),
        Err(r#"template: t/templates/x.yaml:1:9: executing "t/templates/x.yaml" at <.Files.Get>: wrong number of args for Get: want 1 got 0"#.into())
    );
    assert_eq!(
        run(r#"{{ .Files.Get "bad" }}"#),
        Err(r#"template: t/templates/x.yaml:1:9: executing "t/templates/x.yaml" at <.Files.Get>: error calling Get: no such file"#.into())
    );
    assert_eq!(
        run("{{ .Files.Nope }}"),
        // Go names the static type, and `.Files` was taken from a map: `interface {}`.
        Err(r#"template: t/templates/x.yaml:1:9: executing "t/templates/x.yaml" at <.Files.Nope>: can't evaluate field Nope in type interface {}"#.into())
    );
    assert_eq!(
        run("{{ .Files.Nothing.x }}"),
        Err(r#"template: t/templates/x.yaml:1:9: executing "t/templates/x.yaml" at <.Files.Nothing.x>: nil pointer evaluating interface {}.x"#.into())
    );
    // Ranging, indexing and len go through the object's data.
    assert_eq!(
        run("{{ range .Files }}{{ . }};{{ end }}{{ index .Files 1 }}{{ len .Files }}"),
        Ok("a.txt;b.txt;b.txt2".into())
    );
    assert!(run("{{ .Files.Count.x }}").unwrap_err().ends_with("can't evaluate field x in type int64"));
}

/// Runs `f` on a thread with a stack as large as a Helm plugin should be
/// given: the limits below are Go's wasm figures, which need a few MB.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(64 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn runaway_recursion_is_an_error() {
    with_big_stack(runaway_recursion);
}

fn runaway_recursion() {
    let err = render(r#"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#, Value::Nil).unwrap_err();
    assert_eq!(
        err,
        r#"template: t/templates/x.yaml:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100000)"#
    );
}

#[test]
fn deep_nesting_is_refused_while_parsing() {
    with_big_stack(deep_nesting);
}

fn deep_nesting() {
    let text = "{{ ".to_string() + &"(".repeat(2000) + "1" + &")".repeat(2000) + " }}";
    let err = Templates::new(FuncMap::new()).parse("x", &text).unwrap_err();
    assert_eq!(err.message(), "template: x:1: max expression depth exceeded");
    let text = "{{ if 1 }}".repeat(2000) + &"{{ end }}".repeat(2000);
    let err = Templates::new(FuncMap::new()).parse("x", &text).unwrap_err();
    assert_eq!(err.message(), "template: x:1: max expression depth exceeded");
}

#[test]
fn errors_say_what_failed() {
    let mut t = Templates::new(FuncMap::new());
    let err = t.parse("x", "a\n{{ if }}").unwrap_err();
    assert!(err.is_parse());
    assert_eq!(err.to_string(), "template: x:2: missing value for if");
    t.parse("x", "{{ .a.b }}").unwrap();
    let err = t.execute("x", map(&[])).unwrap_err();
    assert!(!err.is_parse());
    assert_eq!(err.message(), r#"template: x:1:5: executing "x" at <.a.b>: nil pointer evaluating interface {}.b"#);
    assert_eq!(
        t.execute("nope", Value::Nil).unwrap_err().message(),
        r#"template: no template "nope" associated with template "gotpl""#
    );
    // Go: a lexer error inside a multi-line action names where the action began.
    assert_eq!(
        t.parse("y", "{{ if\n\n \"unterminated\n }}{{ end }}").unwrap_err().message(),
        "template: y:3: unterminated quoted string in action started at y:1"
    );
}

#[test]
fn fmt_functions_for_sprig() {
    assert_eq!(
        sprintf("%s=%d %v %5.2f%%", &[Value::from("a"), Value::Int(1), Value::Nil, Value::Float(2.5)]),
        "a=1 <nil>  2.50%"
    );
    assert_eq!(sprint(&[Value::Int(1), Value::Int(2), Value::from("a"), Value::Int(3)]), "1 2a3");
    assert_eq!(sprintln(&[Value::from("a"), Value::Int(1)]), "a 1\n");
    assert_eq!(sprintf("%d", &[]), "%!d(MISSING)");
    assert_eq!(sprintf("%s", &[Value::Bytes(Rc::from(&b"hi"[..]))]), "hi");
    assert_eq!(
        sprintf("%v|%x", &[Value::Bytes(Rc::from(&b"hi"[..])), Value::Bytes(Rc::from(&b"hi"[..]))]),
        "[104 105]|6869"
    );
}

/// Go's builtin `slice` (Helm replaces it with Sprig's, so these follow
/// Go's funcs.go rather than the oracle).
#[test]
fn go_builtin_slice() {
    let l = map(&[("l", Value::list(vec![Value::from("a"), Value::from("b"), Value::from("c")]))]);
    let run = |text: &str| render(text, l.clone());
    assert_eq!(
        run(r#"{{ slice "hello" 1 3 }} {{ slice "hello" 2 }} {{ slice .l 1 }} {{ slice .l 0 1 2 }} {{ slice .l }}"#),
        Ok("el llo [b c] [a] [a b c]".into())
    );
    let err = |text: &str| {
        let e = run(text).unwrap_err();
        e.split_once("error calling slice: ").map(|(_, m)| m.to_string()).unwrap_or(e)
    };
    assert_eq!(err(r#"{{ slice "hello" 3 1 }}"#), "invalid slice index: 3 > 1");
    assert_eq!(err(r#"{{ slice "hello" 1 2 3 }}"#), "cannot 3-index slice a string");
    assert_eq!(err("{{ slice .l 4 }}"), "index out of range: 4");
    assert_eq!(err("{{ slice .l 0 1 2 3 }}"), "too many slice indexes: 4");
    assert_eq!(err("{{ slice 3 1 }}"), "can't slice item of type int64");
    assert_eq!(err("{{ slice nil }}"), "slice of untyped nil");
}
