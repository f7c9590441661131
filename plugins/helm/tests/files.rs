//! `.Files` methods as Helm's `engine.files` has them.

use weir_gotemplate::{Object, Value};
use weir_helm::chart::File;
use weir_helm::files::Files;

fn files() -> Files {
    let file = |name: &str, data: &str| File { name: name.into(), data: data.as_bytes().to_vec() };
    Files::new(&[
        file("config/a.yaml", "a: 1\n"),
        file("config/sub/b.yaml", "b: 2"),
        file("config/c.txt", "line1\nline2\n"),
        file("empty", ""),
    ])
}

fn call(object: &dyn Object, name: &str, arg: &str) -> Result<Value, String> {
    let args = [Value::from(arg)];
    object.member(name, if arg.is_empty() { &[] } else { &args }).unwrap()
}

#[test]
fn get_and_get_bytes() {
    let f = files();
    assert_eq!(call(&f, "Get", "config/a.yaml").unwrap().as_str(), Some("a: 1\n"));
    assert_eq!(call(&f, "Get", "missing").unwrap().as_str(), Some(""));
    let Value::Bytes(bytes) = call(&f, "GetBytes", "config/sub/b.yaml").unwrap() else { panic!() };
    assert_eq!(&bytes[..], b"b: 2");
    let Value::Bytes(bytes) = call(&f, "GetBytes", "missing").unwrap() else { panic!() };
    assert!(bytes.is_empty());
    assert_eq!(f.type_name(), "engine.files");
}

#[test]
fn lines_drop_one_final_newline() {
    let f = files();
    assert_eq!(call(&f, "Lines", "config/c.txt").unwrap().to_string(), "[line1 line2]");
    assert_eq!(call(&f, "Lines", "missing").unwrap().to_string(), "[]");
    assert!(call(&f, "Lines", "empty").is_err());
}

fn glob_names(pattern: &str) -> Vec<String> {
    let Value::Object(found) = call(&files(), "Glob", pattern).unwrap() else { panic!() };
    let Value::Map(map) = found.to_data() else { panic!() };
    map.borrow().keys().cloned().collect()
}

#[test]
fn glob_stars_stop_at_slashes_double_stars_do_not() {
    assert_eq!(glob_names("config/*"), ["config/a.yaml", "config/c.txt"]);
    assert_eq!(glob_names("config/**"), ["config/a.yaml", "config/c.txt", "config/sub/b.yaml"]);
    assert_eq!(glob_names("**.yaml"), ["config/a.yaml", "config/sub/b.yaml"]);
    assert_eq!(glob_names("config/{a,c}.*"), ["config/a.yaml", "config/c.txt"]);
    assert_eq!(glob_names("config/[!a]*"), ["config/c.txt"]);
    assert_eq!(glob_names("config/?.yaml"), ["config/a.yaml"]);
    // A pattern that does not compile matches everything, as Helm falls back to `**`.
    assert_eq!(glob_names("config/[").len(), 4);
}

#[test]
fn as_config_and_as_secrets_key_by_base_name() {
    let Value::Object(yaml) = call(&files(), "Glob", "config/*.yaml").unwrap() else { panic!() };
    assert_eq!(call(yaml.as_ref(), "AsConfig", "").unwrap().as_str(), Some("a.yaml: |\n  a: 1"));
    assert_eq!(call(yaml.as_ref(), "AsSecrets", "").unwrap().as_str(), Some("a.yaml: YTogMQo="));
    let Value::Object(none) = call(&files(), "Glob", "nothing").unwrap() else { panic!() };
    assert_eq!(call(none.as_ref(), "AsConfig", "").unwrap().as_str(), Some("{}"));
}
