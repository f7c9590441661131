//! `--set` and friends, checked against `helm template` 3.18 (values shown as toJson).

use weir_gotemplate::{Map, Value};
use weir_helm::strvals::{parse_set, parse_set_file, parse_set_json, parse_set_literal, parse_set_string};

/// Compact JSON of a values map, with ints and floats told apart as Go's toJson would not:
/// ints print bare, floats with `f`, so typing is checked too.
fn show(map: &Map) -> String {
    fn one(v: &Value) -> String {
        match v {
            Value::Nil => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f}f"),
            Value::String(s) => format!("{s:?}"),
            Value::List(l) => format!("[{}]", l.iter().map(one).collect::<Vec<_>>().join(",")),
            Value::Map(m) => {
                format!(
                    "{{{}}}",
                    m.borrow().iter().map(|(k, v)| format!("{k:?}:{}", one(v))).collect::<Vec<_>>().join(",")
                )
            }
            other => format!("{other:?}"),
        }
    }
    one(&Value::map(map.clone()))
}

fn set(lines: &[&str]) -> Result<String, String> {
    let mut map = Map::new();
    for line in lines {
        parse_set(line, &mut map).map_err(|e| e.to_string())?;
    }
    Ok(show(&map))
}

#[test]
fn scalars_are_typed_as_helm_types_them() {
    assert_eq!(
        set(&["a=1.5", "b=007", "c=TRUE", "d=NULL", "e=-3", "f=99999999999999999999", "g=0", "h=+5"]).unwrap(),
        r#"{"a":"1.5","b":"007","c":true,"d":null,"e":-3,"f":"99999999999999999999","g":0,"h":5}"#
    );
}

#[test]
fn nested_keys_lists_and_escapes() {
    assert_eq!(set(&["a.b.c=1,a.b.d=2,a.x[0]=1"]).unwrap(), r#"{"a":{"b":{"c":1,"d":2},"x":[1]}}"#);
    assert_eq!(set(&["a[0]=x,a[2]=y"]).unwrap(), r#"{"a":["x",null,"y"]}"#);
    assert_eq!(set(&["a[1].b=x"]).unwrap(), r#"{"a":[null,{"b":"x"}]}"#);
    assert_eq!(set(&["a[0]=1", "a[1][0]=2"]).unwrap(), r#"{"a":[1,[2]]}"#);
    assert_eq!(set(&["a[0]=1,a[0].b=2"]).unwrap(), r#"{"a":[{"b":2}]}"#);
    assert_eq!(set(&[r"a\.b=1,c=x\,y"]).unwrap(), r#"{"a.b":1,"c":"x,y"}"#);
    assert_eq!(set(&["a={b,c},e={1, true}"]).unwrap(), r#"{"a":["b","c"],"e":[1," true"]}"#);
    assert_eq!(set(&["d={}"]).unwrap(), r#"{"d":[""]}"#);
    assert_eq!(set(&["a=x=y"]).unwrap(), r#"{"a":"x=y"}"#);
    assert_eq!(set(&["a=,b=2"]).unwrap(), r#"{"a":"","b":2}"#);
    assert_eq!(set(&["a="]).unwrap(), r#"{"a":""}"#);
    assert_eq!(set(&["=1"]).unwrap(), "{}");
    assert_eq!(set(&["a.b=1", "a=null"]).unwrap(), r#"{"a":null}"#);
}

#[test]
fn errors_read_as_helms() {
    let cases = [
        (&["a"][..], r#"key "a" has no value"#),
        (&["a,b=1"][..], r#"key "a" has no value (cannot end with ,)"#),
        (&["a.=1"][..], r#"key map "a" has no value"#),
        (&["e={a"][..], "list must terminate with '}'"),
        (&["a[70000]=x"][..], "index of 70000 is greater than maximum supported index of 65536"),
        (&["a[-1]=x"][..], "negative -1 index not allowed"),
        (&["a[x]=1"][..], r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#),
        (&["a[ 0 ]=1"][..], r#"error parsing index: strconv.Atoi: parsing " 0 ": invalid syntax"#),
        (&["a[0]b=1"][..], "unexpected data at end of array index: ['b']"),
        (
            &["a=str", "a.b=1"][..],
            "unable to parse key: interface conversion: interface {} is string, not map[string]interface {}",
        ),
        (
            &["a=1", "a[0]=1"][..],
            "unable to parse key: interface conversion: interface {} is int64, not []interface {}",
        ),
        (
            &["a[0]=1", "a[0][0]=2"][..],
            "unable to parse key: interface conversion: interface {} is int64, not []interface {}",
        ),
    ];
    for (lines, want) in cases {
        assert_eq!(set(lines).unwrap_err(), want, "{lines:?}");
    }
}

#[test]
fn values_from_files_are_floats_and_block_nesting() {
    let mut map = Map::new();
    map.insert("a".into(), Value::Float(1.5));
    let err = parse_set("a.b=x", &mut map).unwrap_err().to_string();
    assert_eq!(err, "unable to parse key: interface conversion: interface {} is float64, not map[string]interface {}");
    let mut map = Map::new();
    map.insert("a".into(), Value::Nil);
    let err = parse_set("a.b=x", &mut map).unwrap_err().to_string();
    assert_eq!(err, "unable to parse key: interface conversion: interface {} is nil, not map[string]interface {}");
    let mut map = Map::new();
    map.insert("a".into(), Value::list(vec![Value::Float(1.0), Value::Float(2.0)]));
    parse_set("a[5]=x", &mut map).unwrap();
    assert_eq!(show(&map), r#"{"a":[1f,2f,null,null,null,"x"]}"#);
}

#[test]
fn set_string_keeps_strings() {
    let mut map = Map::new();
    parse_set_string("a=1,b=true,c=null,d={1,2}", &mut map).unwrap();
    assert_eq!(show(&map), r#"{"a":"1","b":"true","c":"null","d":["1","2"]}"#);
}

#[test]
fn set_literal_takes_the_rest_verbatim() {
    let lit = |line: &str| {
        let mut map = Map::new();
        parse_set_literal(line, &mut map).map(|()| show(&map)).map_err(|e| e.to_string())
    };
    assert_eq!(lit("a.b=x,y=z").unwrap(), r#"{"a":{"b":"x,y=z"}}"#);
    assert_eq!(lit("a[1].b={x}").unwrap(), r#"{"a":[null,{"b":"{x}"}]}"#);
    assert_eq!(lit(r"a\.b=1").unwrap(), r#"{"a\\":{"b":"1"}}"#);
    assert_eq!(lit("a").unwrap_err(), r#"key "a" has no value"#);
}

#[test]
fn set_json_values() {
    let json = |line: &str| {
        let mut map = Map::new();
        parse_set_json(line, &mut map).map(|()| show(&map)).map_err(|e| e.to_string())
    };
    assert_eq!(json(r#"a=[1,2], b={"x":null}"#).unwrap(), r#"{" b":{"x":null},"a":[1f,2f]}"#);
    assert_eq!(json("a.b[1]=3").unwrap(), r#"{"a":{"b":[null,3f]}}"#);
    assert_eq!(json("a=").unwrap(), r#"{"a":null}"#);
    assert!(json("a=[1").is_err());
}

#[test]
fn set_file_reads_through_the_callback() {
    let mut map = Map::new();
    parse_set_file("a=one.txt,b.c=two.txt", &mut map, |path| Ok(format!("<{path}>"))).unwrap();
    assert_eq!(show(&map), r#"{"a":"<one.txt>","b":{"c":"<two.txt>"}}"#);
    let err = parse_set_file("a=nonexist", &mut Map::new(), |p| Err(format!("open {p}: no such file or directory")));
    assert_eq!(err.unwrap_err().to_string(), "open nonexist: no such file or directory");
}
