//! Sprig and Helm functions called directly, with the results Helm 3.18
//! printed for the same calls (`{{ fn args… }}`, shown with `%v`).

mod common;

use common::call;
use weir_gotemplate::{FuncError, Value};

fn s(text: &str) -> Value {
    Value::from(text)
}

fn i(n: i64) -> Value {
    Value::Int(n)
}

fn f(x: f64) -> Value {
    Value::Float(x)
}

fn list(items: &[Value]) -> Value {
    Value::list(items.to_vec())
}

fn dict(pairs: &[(&str, Value)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

/// Calls `name` and shows the result as a template would.
fn show(name: &str, args: &[Value]) -> String {
    match call(name, args) {
        Ok(v) => v.to_string(),
        Err(FuncError::Call(m)) => format!("error calling {name}: {m}"),
        Err(FuncError::Args(m)) => m,
    }
}

fn check(cases: &[(&str, &[Value], &str)]) {
    let mut failures = Vec::new();
    for (name, args, expected) in cases {
        let got = show(name, args);
        if got != *expected {
            failures.push(format!("{name} {args:?}: got {got:?}, want {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn strings() {
    check(&[
        ("trunc", &[i(5), s("hello world")], "hello"),
        ("trunc", &[i(-5), s("hello world")], "world"),
        ("trunc", &[i(50), s("hi")], "hi"),
        ("trunc", &[i(-50), s("hi")], "hi"),
        ("abbrev", &[i(5), s("hello world")], "he..."),
        ("abbrev", &[i(3), s("hello")], "hello"),
        ("abbrev", &[i(20), s("hi")], "hi"),
        ("abbrevboth", &[i(5), i(10), s("1234 5678 9123")], "...5678..."),
        ("initials", &[s("First Try")], "FT"),
        ("initials", &[s("a  b-c")], "ab"),
        ("substr", &[i(1), i(3), s("hello")], "el"),
        ("substr", &[i(-1), i(3), s("hello")], "hel"),
        ("substr", &[i(2), i(100), s("hello")], "llo"),
        ("substr", &[i(3), i(1), s("hello")], "error calling substr: runtime error: slice bounds out of range [3:1]"),
        ("wrap", &[i(5), s("Hello world how are you")], "Hello\nworld\nhow\nare\nyou"),
        (
            "wrap",
            &[i(10), s("a very long sentence goes here, yes indeed")],
            "a very\nlong\nsentence\ngoes here,\nyes indeed",
        ),
        ("wrap", &[i(3), s("abcdefgh")], "abcdefgh"),
        ("wrapWith", &[i(5), s("\t"), s("Hello World")], "Hello\tWorld"),
        ("nospace", &[s(" a b\tc\n")], "abc"),
        ("title", &[s("hello wORLD-x y_z")], "Hello WORLD-X Y_z"),
        ("untitle", &[s("Hello World")], "hello world"),
        ("swapcase", &[s("This Is A.Test")], "tHIS iS a.tEST"),
        ("snakecase", &[s("FirstName")], "first_name"),
        ("snakecase", &[s("HTTPServer")], "http_server"),
        ("snakecase", &[s("Some Words here")], "some_words_here"),
        ("snakecase", &[s("a1B2")], "a1_b2"),
        ("camelcase", &[s("http_server")], "HttpServer"),
        ("camelcase", &[s("some-words here")], "SomeWordsHere"),
        ("camelcase", &[s("_a_b")], "_AB"),
        ("kebabcase", &[s("FirstName")], "first-name"),
        ("kebabcase", &[s("HTTPServer_x y")], "http-server-x-y"),
        ("plural", &[s("one"), s("many"), i(1)], "one"),
        ("plural", &[s("one"), s("many"), i(2)], "many"),
        ("indent", &[i(2), s("a\nb")], "  a\n  b"),
        ("nindent", &[i(2), s("a\n\nb")], "\n  a\n  \n  b"),
        ("replace", &[s(" "), s("-"), s("a b c")], "a-b-c"),
        ("cat", &[s("a"), Value::Nil, i(1), s("b")], "a 1 b"),
        ("repeat", &[i(3), s("ab")], "ababab"),
        ("trimAll", &[s("$"), s("$5.00$")], "5.00"),
        ("trimPrefix", &[s("-"), s("--a")], "-a"),
        ("trimSuffix", &[s("-"), s("a--")], "a-"),
        ("trim", &[s("  a  ")], "a"),
        ("upper", &[s("aé")], "AÉ"),
        ("lower", &[s("AÉ")], "aé"),
        ("quote", &[Value::Nil], ""),
        (
            "quote",
            &[i(1), s("a\tb\u{a0}é\u{1}"), Value::Bool(true), f(1.5)],
            "\"1\" \"a\\tb\\u00a0é\\x01\" \"true\" \"1.5\"",
        ),
        ("squote", &[Value::Nil, i(2)], "'2'"),
        ("contains", &[s("b"), s("abc")], "true"),
        ("hasPrefix", &[s("a"), s("abc")], "true"),
        ("hasSuffix", &[s("c"), s("abc")], "true"),
        ("sha1sum", &[s("x")], "11f6ad8ec52a2984abaafd7c3b516503785c2072"),
        ("sha256sum", &[s("x")], "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
        ("adler32sum", &[s("x")], "7929977"),
        (
            "sha512sum",
            &[s("x")],
            "a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62",
        ),
        ("toString", &[f(1.5)], "1.5"),
        ("toString", &[list(&[i(1), s("a")])], "[1 a]"),
        ("split", &[s(","), s("a,b")], "map[_0:a _1:b]"),
        ("splitList", &[s(","), s("a,b")], "[a b]"),
        ("splitn", &[s(","), i(2), s("a,b,c")], "map[_0:a _1:b,c]"),
        ("toStrings", &[list(&[i(1), s("a"), Value::Nil])], "[1 a]"),
        ("join", &[s("-"), list(&[i(1), s("a"), Value::Nil, f(2.5)])], "1-a-2.5"),
        ("join", &[s("-"), s("abc")], "abc"),
        ("sortAlpha", &[list(&[s("b"), s("a"), i(3)])], "[3 a b]"),
        ("upper", &[i(1)], "wrong type for value; expected string; got int64"),
        ("upper", &[Value::Nil], "wrong type for value; expected string; got interface {}"),
        ("first", &[i(1), i(2)], "wrong number of args for first: want 1 got 2"),
    ]);
}

#[test]
fn conversions_and_math() {
    check(&[
        ("int", &[s("010")], "8"),
        ("int", &[s("1.0")], "1"),
        ("int", &[s("1.5")], "0"),
        ("int", &[f(1.9)], "1"),
        ("int", &[f(-1.9)], "-1"),
        ("int", &[Value::Bool(true)], "1"),
        ("int", &[Value::Nil], "0"),
        ("int", &[s("0x10")], "16"),
        ("int", &[s(" 3")], "0"),
        ("int64", &[s("1e3")], "0"),
        ("float64", &[s("1e3")], "1000"),
        ("float64", &[s("x")], "0"),
        ("float64", &[Value::Bool(true)], "1"),
        ("int", &[s("-0b11")], "-3"),
        ("int", &[s("1_000")], "1000"),
        ("atoi", &[s("12")], "12"),
        ("atoi", &[s("x")], "0"),
        ("toDecimal", &[s("0777")], "511"),
        ("toDecimal", &[i(777)], "511"),
        ("toDecimal", &[s("x")], "0"),
        ("add", &[i(1), s("2"), f(1.9), Value::Bool(true), Value::Nil], "5"),
        ("add", &[], "0"),
        ("sub", &[i(5), f(2.5)], "3"),
        ("mul", &[i(2), s("3")], "6"),
        ("div", &[i(7), i(2)], "3"),
        ("div", &[i(1), i(0)], "error calling div: runtime error: integer divide by zero"),
        ("mod", &[i(-7), i(3)], "-1"),
        ("mod", &[i(1), i(0)], "error calling mod: runtime error: integer divide by zero"),
        ("add1", &[s("x")], "1"),
        ("max", &[i(1), i(5), s("3")], "5"),
        ("min", &[i(1), i(5), i(-3)], "-3"),
        ("biggest", &[i(2)], "2"),
        ("addf", &[f(1.1), f(2.2)], "3.3"),
        ("subf", &[i(1), f(0.9)], "0.1"),
        ("mulf", &[f(1.1), i(3)], "3.3"),
        ("divf", &[i(1), i(3)], "0.3333333333333333"),
        ("divf", &[i(10), i(4)], "2.5"),
        ("maxf", &[i(1), f(2.5)], "2.5"),
        ("minf", &[i(1), f(2.5)], "1"),
        ("round", &[f(2.5), i(0)], "3"),
        ("round", &[f(2.555), i(2)], "2.56"),
        ("floor", &[s("1.5")], "1"),
        ("ceil", &[f(1.1)], "2"),
        ("add1f", &[f(1.5)], "2.5"),
    ]);
}

#[test]
fn defaults_dicts_and_lists() {
    check(&[
        ("empty", &[i(0)], "true"),
        ("empty", &[s("")], "true"),
        ("empty", &[list(&[])], "true"),
        ("empty", &[dict(&[])], "true"),
        ("empty", &[Value::Bool(false)], "true"),
        ("empty", &[Value::Nil], "true"),
        ("empty", &[f(0.0)], "true"),
        ("empty", &[s("0")], "false"),
        ("empty", &[dict(&[("a", i(1))])], "false"),
        ("default", &[s("d"), Value::Nil], "d"),
        ("default", &[s("d"), s("")], "d"),
        ("default", &[s("d"), i(0)], "d"),
        ("default", &[s("d"), s("x")], "x"),
        ("default", &[s("d")], "d"),
        ("coalesce", &[Value::Nil, s(""), i(0), s("x")], "x"),
        ("coalesce", &[], "<nil>"),
        ("all", &[i(1), s("")], "false"),
        ("all", &[], "true"),
        ("any", &[i(0), s("")], "false"),
        ("any", &[i(0), i(1)], "true"),
        ("compact", &[list(&[i(1), i(0), s(""), Value::Nil, s("a"), Value::Bool(false), list(&[])])], "[1 a]"),
        ("ternary", &[s("a"), s("b"), Value::Bool(true)], "a"),
        ("ternary", &[s("a"), s("b"), Value::Bool(false)], "b"),
        ("ternary", &[i(1), i(2), Value::Nil], "wrong type for value; expected bool; got interface {}"),
        ("dig", &[s("a"), s("b"), s("def"), dict(&[("a", dict(&[("b", i(1))]))])], "1"),
        ("dig", &[s("a"), s("x"), s("def"), dict(&[("a", dict(&[("b", i(1))]))])], "def"),
        ("pluck", &[s("a"), dict(&[("a", i(1))]), dict(&[("b", i(2))]), dict(&[("a", i(3))])], "[1 3]"),
        ("pick", &[dict(&[("a", i(1)), ("b", i(2)), ("c", i(3))]), s("a"), s("c"), s("z")], "map[a:1 c:3]"),
        ("omit", &[dict(&[("a", i(1)), ("b", i(2))]), s("a")], "map[b:2]"),
        ("values", &[dict(&[("a", i(1))])], "[1]"),
        ("get", &[dict(&[("a", i(1))]), s("b")], ""),
        ("unset", &[dict(&[("a", i(1)), ("b", i(2))]), s("a")], "map[b:2]"),
        ("dict", &[s("a"), i(1), s("b")], "map[a:1 b:]"),
        ("dict", &[i(1), i(2)], "map[1:2]"),
        ("hasKey", &[dict(&[("a", Value::Nil)]), s("a")], "true"),
        ("hasKey", &[Value::Nil, s("a")], "wrong type for value; expected map[string]interface {}; got interface {}"),
        ("set", &[dict(&[]), s("a"), i(1)], "map[a:1]"),
        (
            "first",
            &[Value::Nil],
            "error calling first: runtime error: invalid memory address or nil pointer dereference",
        ),
        ("first", &[s("abc")], "error calling first: Cannot find first on type string"),
        ("first", &[list(&[i(1), i(2)])], "1"),
        ("last", &[list(&[i(1), i(2)])], "2"),
        ("rest", &[list(&[i(1), i(2)])], "[2]"),
        ("initial", &[list(&[i(1), i(2)])], "[1]"),
        ("append", &[list(&[i(1)]), i(2)], "[1 2]"),
        ("prepend", &[list(&[i(1)]), i(2)], "[2 1]"),
        ("reverse", &[list(&[i(1), i(2)])], "[2 1]"),
        ("uniq", &[list(&[i(1), i(2), i(1)])], "[1 2]"),
        ("without", &[list(&[i(1), i(2), i(3)]), i(2)], "[1 3]"),
        ("has", &[i(2), list(&[i(1), i(2)])], "true"),
        ("slice", &[list(&[i(1), i(2), i(3)]), i(1)], "[2 3]"),
        ("slice", &[list(&[i(1), i(2), i(3)]), i(1), i(2)], "[2]"),
        ("chunk", &[i(2), list(&[i(1), i(2), i(3)])], "[[1 2] [3]]"),
        ("concat", &[list(&[i(1)]), list(&[i(2)])], "[1 2]"),
        ("until", &[i(3)], "[0 1 2]"),
        ("untilStep", &[i(0), i(10), i(3)], "[0 3 6 9]"),
        ("seq", &[i(3)], "1 2 3"),
        ("seq", &[i(2), i(-2)], "2 1 0 -1 -2"),
        ("seq", &[i(0), i(2), i(6)], "0 2 4 6"),
        ("typeOf", &[s("x")], "string"),
        ("kindOf", &[list(&[])], "slice"),
        ("kindIs", &[s("map"), dict(&[])], "true"),
        ("typeIsLike", &[s("string"), s("x")], "true"),
        ("deepEqual", &[list(&[i(1)]), list(&[i(1)])], "true"),
        ("deepEqual", &[i(1), f(1.0)], "false"),
    ]);
}

#[test]
fn merge_as_mergo() {
    let dst = || {
        dict(&[
            ("a", i(0)),
            ("b", s("")),
            ("c", Value::Bool(false)),
            ("d", dict(&[("x", i(1)), ("z", dict(&[("k", i(1))]))])),
            ("e", Value::Nil),
            ("f", list(&[])),
            ("h", list(&[i(1)])),
            ("i", i(1)),
        ])
    };
    let src = dict(&[
        ("a", i(1)),
        ("b", s("B")),
        ("c", Value::Bool(true)),
        ("d", dict(&[("x", i(2)), ("y", i(3)), ("z", s("str"))])),
        ("e", i(5)),
        ("f", list(&[i(1)])),
        ("g", i(7)),
        ("h", list(&[i(2)])),
        ("i", dict(&[])),
    ]);
    let json = |v: Value| call("toJson", &[v]).unwrap().to_string();
    assert_eq!(
        json(call("merge", &[dst(), src.clone()]).unwrap()),
        r#"{"a":1,"b":"B","c":true,"d":{"x":1,"y":3,"z":{"k":1}},"e":5,"f":[1],"g":7,"h":[1],"i":1}"#
    );
    assert_eq!(
        json(call("mergeOverwrite", &[dst(), src]).unwrap()),
        r#"{"a":1,"b":"B","c":true,"d":{"x":2,"y":3,"z":"str"},"e":5,"f":[1],"g":7,"h":[2],"i":{}}"#
    );
    let over = dict(&[("a", i(1)), ("b", dict(&[("x", i(1))])), ("c", s("x")), ("d", i(1))]);
    let empties = dict(&[("a", i(0)), ("b", Value::Nil), ("c", s("")), ("d", Value::Nil)]);
    assert_eq!(json(call("mergeOverwrite", &[over, empties]).unwrap()), r#"{"a":0,"b":null,"c":"","d":null}"#);
    // `set` changes the map every holder sees.
    let shared = dict(&[]);
    call("set", &[shared.clone(), s("k"), i(1)]).unwrap();
    assert_eq!(shared.to_string(), "map[k:1]");
}

#[test]
fn data_functions() {
    check(&[
        (
            "toJson",
            &[dict(&[
                ("a", s("<&>\u{2028}")),
                ("b", f(1e21)),
                ("c", f(1e20)),
                ("d", f(0.000001)),
                ("e", f(0.0000001)),
                ("f", list(&[])),
                ("g", Value::Nil),
                ("h", f(1.5)),
            ])],
            r#"{"a":"\u003c\u0026\u003e\u2028","b":1e+21,"c":100000000000000000000,"d":0.000001,"e":1e-7,"f":[],"g":null,"h":1.5}"#,
        ),
        (
            "fromJson",
            &[s("[1]")],
            "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]",
        ),
        ("fromJson", &[s("{")], "map[Error:unexpected end of JSON input]"),
        ("fromJsonArray", &[s("[1,\"a\"]")], "[1 a]"),
        ("fromJsonArray", &[s("{}")], "[json: cannot unmarshal object into Go value of type []interface {}]"),
        ("fromYamlArray", &[s("- 1\n- a")], "[1 a]"),
        (
            "fromYamlArray",
            &[s("a: 1")],
            "[error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}]",
        ),
        (
            "fromYaml",
            &[s("- 1")],
            "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]",
        ),
        ("fromYaml", &[s("a: .inf")], "map[Error:error converting YAML to JSON: json: unsupported value: +Inf]"),
        ("fromYaml", &[s("")], "map[]"),
        ("toYaml", &[s("plain")], "plain"),
        ("toYaml", &[i(3)], "3"),
        ("toYaml", &[Value::Nil], "null"),
        ("toYaml", &[dict(&[("a", s("x\n\n"))])], "a: |+\n  x\n"),
        ("toYaml", &[list(&[s("x\n\n")])], "- |+\n  x\n"),
        ("toYaml", &[s("x\n\n")], "|+\n  x\n"),
        ("toYaml", &[dict(&[("a", list(&[list(&[])]))])], "a:\n- []"),
        ("toYamlPretty", &[s("plain")], "plain"),
        ("toYamlPretty", &[dict(&[("a", s("x\n\n"))])], "a: |+\n  x\n"),
        (
            "toYamlPretty",
            &[dict(&[
                ("a", list(&[i(1), dict(&[("b", i(2))])])),
                ("c", dict(&[("d", s("x\ny"))])),
                ("e", f(1.5e6)),
                ("f", s("yes")),
                ("g", list(&[])),
            ])],
            "a:\n  - 1\n  - b: 2\nc:\n  d: |-\n    x\n    y\ne: 1.5e+06\nf: \"yes\"\ng: []",
        ),
        ("toToml", &[list(&[i(1)])], "[1]"),
        ("toToml", &[s("x")], "\"x\""),
        ("toToml", &[dict(&[("a", list(&[Value::Nil]))])], "toml: cannot encode array with nil element"),
        ("toToml", &[dict(&[("a", list(&[dict(&[("b", i(1))]), i(2)]))])], "a = [{b = 1}, 2]\n"),
        ("toToml", &[Value::Nil], "error calling toToml: reflect: call of reflect.Value.Type on zero Value"),
    ]);
}

#[test]
fn toml_tables() {
    let value = dict(&[
        ("a", i(1)),
        (
            "b",
            dict(&[
                ("c", s("x")),
                ("d", list(&[i(1), i(2)])),
                ("n", dict(&[("deep", i(1)), ("t", dict(&[("z", i(2))]))])),
                ("m", list(&[dict(&[("q", i(1))])])),
            ]),
        ),
        ("e", f(1.0)),
        ("f", Value::Bool(true)),
        ("g", list(&[dict(&[("h", i(1))]), dict(&[("h", i(2))])])),
        ("i", s("q\"u\n\té")),
        ("j k", i(2)),
        ("l.m", i(3)),
        ("n", Value::Nil),
        ("o", list(&[])),
        ("p", list(&[s("a"), i(1)])),
        ("q", f(1e21)),
        ("r", f(-0.5)),
        ("s", dict(&[])),
        ("t", list(&[list(&[i(1)]), list(&[s("x")])])),
    ]);
    let expected = "a = 1\ne = 1.0\nf = true\ni = \"q\\\"u\\n\\té\"\n\"j k\" = 2\n\"l.m\" = 3\no = []\np = [\"a\", 1]\nq = 1000000000000000000000.0\nr = -0.5\nt = [[1], [\"x\"]]\n\n[b]\n  c = \"x\"\n  d = [1, 2]\n\n  [[b.m]]\n    q = 1\n  [b.n]\n    deep = 1\n    [b.n.t]\n      z = 2\n\n[[g]]\n  h = 1\n\n[[g]]\n  h = 2\n\n[s]\n";
    assert_eq!(show("toToml", &[value]), expected);
    let parsed =
        call("fromToml", &[s("a = 1\nb = 1.5\n[t]\nx = \"y\"\nd = 1979-05-27T07:32:00Z\n[[arr]]\nk = true")]).unwrap();
    assert_eq!(
        show("toJson", &[parsed]),
        r#"{"a":1,"arr":[{"k":true}],"b":1.5,"t":{"d":"1979-05-27T07:32:00Z","x":"y"}}"#
    );
}

#[test]
fn dates() {
    let date = |layout: &str, text: &str| call("toDate", &[s(layout), s(text)]).unwrap();
    let feb3 = date("2006-01-02", "2024-02-03");
    check(&[
        (
            "date",
            &[s("2006-01-02 15:04:05 MST Mon Jan _2 3PM .000 -07:00"), i(0)],
            "1970-01-01 00:00:00 UTC Thu Jan  1 12AM .000 +00:00",
        ),
        ("date", &[s("2006"), i(86400)], "1970"),
        ("htmlDate", &[i(0)], "1970-01-01"),
        ("dateInZone", &[s("15:04 MST"), i(0), s("Bad/Zone")], "00:00 UTC"),
        ("unixEpoch", std::slice::from_ref(&feb3), "1706918400"),
        ("dateModify", &[s("+1h"), feb3.clone()], "2024-02-03 01:00:00 +0000 UTC"),
        ("dateModify", &[s("bad"), feb3.clone()], "2024-02-03 00:00:00 +0000 UTC"),
        ("dateModify", &[s("-1.5h"), feb3.clone()], "2024-02-02 22:30:00 +0000 UTC"),
        ("mustDateModify", &[s("bad"), feb3.clone()], "error calling mustDateModify: time: invalid duration \"bad\""),
        (
            "mustToDate",
            &[s("2006-01-02"), s("x")],
            "error calling mustToDate: parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\"",
        ),
        ("duration", &[s("3700")], "1h1m40s"),
        ("durationRound", &[s("2h10m")], "2h"),
        ("durationRound", &[i(90_000_000_000)], "1m"),
        ("typeOf", std::slice::from_ref(&feb3), "time.Time"),
    ]);
    assert_eq!(feb3.to_string(), "2024-02-03 00:00:00 +0000 UTC");
    assert_eq!(date("2006-01-02", "x").to_string(), "0001-01-01 00:00:00 +0000 UTC");
    let zoned = date("2006-01-02T15:04:05Z07:00", "2024-02-03T10:11:12.5+02:00");
    assert_eq!(zoned.to_string(), "2024-02-03 10:11:12.5 +0200 +0200");
    assert_eq!(show("date", &[s("Jan 2, 2006 at 3:04pm (MST)"), zoned.clone()]), "Feb 3, 2024 at 8:11am (UTC)");
    assert_eq!(show("toJson", &[zoned]), "\"2024-02-03T10:11:12.5+02:00\"");
    assert_eq!(show("toYaml", &[feb3]), "\"2024-02-03T00:00:00Z\"");
}

/// Exactly the names Helm 3.18's engine gets from Sprig and its own data
/// functions (the engine adds `include`, `tpl`, `required`, `lookup`).
#[test]
fn registers_helms_function_names() {
    let expected = "abbrev abbrevboth add add1 add1f addf adler32sum ago all any append atoi b32dec b32enc b64dec b64enc \
        base bcrypt biggest buildCustomCert camelcase cat ceil chunk clean coalesce compact concat contains date \
        dateInZone dateModify date_in_zone date_modify decryptAES deepCopy deepEqual default derivePassword dict dig dir \
        div divf duration durationRound empty encryptAES ext fail first float64 floor fromJson fromJsonArray fromToml \
        fromYaml fromYamlArray genCA genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert \
        genSignedCertWithKey get getHostByName has hasKey hasPrefix hasSuffix hello htmlDate htmlDateInZone htpasswd \
        indent initial initials int int64 isAbs join kebabcase keys kindIs kindOf last list lower max maxf merge \
        mergeOverwrite min minf mod mul mulf mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst \
        mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush mustRegexFind \
        mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest \
        mustReverse mustSlice mustToDate mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout \
        must_date_modify nindent nospace now omit osBase osClean osDir osExt osIsAbs pick pluck plural prepend push \
        quote randAlpha randAlphaNum randAscii randBytes randInt randNumeric regexFind regexFindAll regexMatch \
        regexQuoteMeta regexReplaceAll regexReplaceAllLiteral regexSplit repeat replace rest reverse round semver \
        semverCompare seq set sha1sum sha256sum sha512sum shuffle slice snakecase sortAlpha split splitList splitn \
        squote sub subf substr swapcase ternary title toDate toDecimal toJson toPrettyJson toRawJson toString \
        toStrings toToml toYaml toYamlPretty trim trimAll trimPrefix trimSuffix trimall trunc tuple typeIs typeIsLike \
        typeOf uniq unixEpoch unset until untilStep untitle upper urlJoin urlParse uuidv4 values without wrap \
        wrapWith";
    let mut expected: Vec<&str> = expected.split_whitespace().collect();
    expected.sort();
    let functions = weir_sprig::functions();
    let mut names: Vec<&str> = functions.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, expected);
}

#[test]
fn encodings_paths_urls_regex_semver_crypto() {
    let url = "https://user:pass@host.com:8080/p/a?x=1&y=2#frag";
    check(&[
        ("b64enc", &[s("hi")], "aGk="),
        ("b64dec", &[s("aGk=")], "hi"),
        ("b64dec", &[s("!!")], "illegal base64 data at input byte 0"),
        ("b32enc", &[s("hi")], "NBUQ===="),
        ("b32dec", &[s("NBUQ====")], "hi"),
        ("b32dec", &[s("1")], "illegal base32 data at input byte 0"),
        ("base", &[s("/a/b.txt")], "b.txt"),
        ("dir", &[s("/a/b.txt")], "/a"),
        ("ext", &[s("/a/b.txt")], ".txt"),
        ("clean", &[s("/a/../b//c/")], "/b/c"),
        ("isAbs", &[s("a")], "false"),
        ("base", &[s("")], "."),
        ("dir", &[s("")], "."),
        ("clean", &[s("")], "."),
        ("base", &[s("/")], "/"),
        ("osBase", &[s("a/b")], "b"),
        ("osDir", &[s("a/b/")], "a/b"),
        ("osExt", &[s("x.tar.gz")], ".gz"),
        ("osClean", &[s("a/./b")], "a/b"),
        ("osIsAbs", &[s("/x")], "true"),
        ("regexQuoteMeta", &[s("a.b*c")], "a\\.b\\*c"),
        ("regexSplit", &[s(","), s("a,b,,c"), i(-1)], "[a b  c]"),
        ("regexSplit", &[s(","), s("a,b,c"), i(2)], "[a b,c]"),
        ("regexFindAll", &[s("[0-9]"), s("a1b2c3"), i(2)], "[1 2]"),
        // Go's Perl classes are ASCII: Arabic-Indic digits and accented letters are not \d or \w.
        ("regexFindAll", &[s("\\d+"), s("a\u{663}4 56"), i(-1)], "[4 56]"),
        ("regexMatch", &[s("^\\w+$"), s("h\u{e9}llo")], "false"),
        ("regexReplaceAll", &[s("[\\d\\s]"), s("1 a\u{663}"), s("X")], "XXa\u{663}"),
        ("regexMatch", &[s("\\b\u{e9}"), s("\u{e9}")], "false"),
        ("regexReplaceAll", &[s("a(x*)b"), s("-ab-axxb-"), s("${1}W")], "-W-xxW-"),
        ("regexReplaceAllLiteral", &[s("a(x*)b"), s("-ab-"), s("$1")], "-$1-"),
        ("regexMatch", &[s("^a"), s("abc")], "true"),
        ("regexMatch", &[s("("), s("x")], "false"),
        ("regexFind", &[s("b+"), s("abbbc")], "bbb"),
        (
            "regexFind",
            &[s("("), s("x")],
            "error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`",
        ),
        ("mustRegexFind", &[s("a)"), s("x")], "error calling mustRegexFind: error parsing regexp: unexpected ): `a)`"),
        (
            "mustRegexFind",
            &[s("[a"), s("x")],
            "error calling mustRegexFind: error parsing regexp: missing closing ]: `[a`",
        ),
        (
            "mustRegexFind",
            &[s("*"), s("x")],
            "error calling mustRegexFind: error parsing regexp: missing argument to repetition operator: `*`",
        ),
        ("semverCompare", &[s("^1.2.0"), s("1.2.3")], "true"),
        ("semverCompare", &[s(">=1.20.0-0"), s("v1.21.1-gke.1")], "true"),
        (
            "semverCompare",
            &[s("bad constraint !"), s("1.0.0")],
            "error calling semverCompare: improper constraint: bad constraint !",
        ),
        ("semverCompare", &[s("^1"), s("bad")], "error calling semverCompare: Invalid Semantic Version"),
        ("semver", &[s("x")], "error calling semver: Invalid Semantic Version"),
        ("semver", &[s("v1.2")], "1.2.0"),
        ("derivePassword", &[i(1), s("long"), s("password"), s("user"), s("example.com")], "ZedaFaxcZaso9*"),
        ("derivePassword", &[i(3), s("pin"), s("p"), s("u"), s("s")], "3444"),
        ("derivePassword", &[i(1), s("x"), s("p"), s("u"), s("s")], "cannot find password template x"),
        ("htpasswd", &[s("a:b"), s("p")], "invalid username: a:b"),
        ("decryptAES", &[s("k"), s("")], ""),
        (
            "decryptAES",
            &[s("k"), s("YWJj")],
            "error calling decryptAES: runtime error: slice bounds out of range [:16] with capacity 3",
        ),
        (
            "urlJoin",
            &[dict(&[
                ("scheme", s("https")),
                ("host", s("h:1")),
                ("path", s("/a b")),
                ("query", s("x=1")),
                ("fragment", s("f")),
                ("userinfo", s("u:p")),
            ])],
            "https://u:p@h:1/a%20b?x=1#f",
        ),
        ("getHostByName", &[s("localhost")], ""),
    ]);
    assert_eq!(
        show("toJson", &[call("urlParse", &[s(url)]).unwrap()]),
        r#"{"fragment":"frag","host":"host.com:8080","hostname":"host.com","opaque":"","path":"/p/a","query":"x=1\u0026y=2","scheme":"https","userinfo":"user:pass"}"#
    );
    assert_eq!(
        show("toJson", &[call("urlParse", &[s("rel/path")]).unwrap()]),
        r#"{"fragment":"","host":"","hostname":"","opaque":"","path":"rel/path","query":"","scheme":"","userinfo":""}"#
    );
    let version = call("semver", &[s("1.2.3-beta+m")]).unwrap();
    let Value::Object(object) = &version else { panic!("semver gives an object") };
    assert_eq!(object.member("Major", &[]).unwrap().unwrap().to_string(), "1");
    assert_eq!(object.member("Prerelease", &[]).unwrap().unwrap().to_string(), "beta");
    assert_eq!(show("toJson", &[call("semver", &[s("1.2.3")]).unwrap()]), "\"1.2.3\"");
    let secret = call("encryptAES", &[s("secretkey"), s("plaintext")]).unwrap();
    assert_eq!(show("decryptAES", &[s("secretkey"), secret]), "plaintext");
    let hash = show("bcrypt", &[s("x")]);
    assert!(hash.len() == 60 && hash.starts_with("$2a$10$"), "{hash}");
    assert!(show("htpasswd", &[s("u"), s("p")]).starts_with("u:$2a$10$"));
}

#[test]
fn self_containing_maps_end_in_errors() {
    let map = dict(&[]);
    call("set", &[map.clone(), s("self"), map.clone()]).unwrap();
    assert!(
        show("deepCopy", std::slice::from_ref(&map)).starts_with("error calling deepCopy: runtime: goroutine stack")
    );
    assert_eq!(show("toJson", std::slice::from_ref(&map)), "");
    assert!(show("mustToJson", std::slice::from_ref(&map)).contains("encountered a cycle"));
    assert_eq!(show("toYaml", std::slice::from_ref(&map)), "");
    assert_eq!(show("deepEqual", &[map.clone(), map.clone()]), "true");
    let other = dict(&[]);
    call("set", &[other.clone(), s("self"), other.clone()]).unwrap();
    assert_eq!(show("deepEqual", &[map.clone(), other.clone()]), "false");
    call("merge", &[map.clone(), other]).unwrap();
    assert_eq!(show("toToml", &[map]), "toml: value nested too deeply");
}
