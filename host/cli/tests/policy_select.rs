//! `weir policy select`, as a user runs it: arguments or stdin in, the tag
//! on stdout and exit 0, or a message on stderr and a failing exit code.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn weir(args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = weir_testkit::paths::weir(env!("CARGO_BIN_EXE_weir"));
    command
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("weir runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn selected(args: &[&str]) -> String {
    let output = weir(args, None);
    assert!(output.status.success(), "weir {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn failure(args: &[&str], stdin: Option<&str>) -> String {
    let output = weir(args, stdin);
    assert!(!output.status.success(), "weir {args:?} should fail");
    assert!(output.stdout.is_empty(), "nothing on stdout when failing");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn semver_range() {
    assert_eq!(
        selected(&["policy", "select", "--semver", "^1.0", "1.0.0", "v1.2.3", "1.3.0-rc.1", "2.0.0"]),
        "v1.2.3\n"
    );
}

#[test]
fn alphabetical_and_numerical() {
    assert_eq!(selected(&["policy", "select", "--alphabetical", "desc", "b", "a", "c"]), "a\n");
    assert_eq!(selected(&["policy", "select", "--numerical", "asc", "9", "10", "1.5"]), "10\n");
}

#[test]
fn filter_tags_with_extract() {
    let args =
        ["policy", "select", "--numerical", "asc", "--pattern", "^main-[a-f0-9]+-(?P<ts>[0-9]+)", "--extract", "$ts"];
    let tags = ["main-abc1234-100", "main-def5678-200", "latest"];
    assert_eq!(selected(&[&args[..], &tags[..]].concat()), "main-def5678-200\n");
}

#[test]
fn flux_v1_expression() {
    assert_eq!(selected(&["policy", "select", "--expr", "semver:~1.0.5", "1.0.5", "1.0.9", "1.1.0"]), "1.0.9\n");
}

#[test]
fn tags_from_stdin() {
    let output = weir(&["policy", "select", "--semver", ">=1.0.0 <2.0.0"], Some("1.0.0\n\n1.9.0\n2.0.0\n"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "1.9.0\n");
}

#[test]
fn no_match_is_an_error() {
    let stderr = failure(&["policy", "select", "--semver", "^3", "1.0.0", "2.0.0"], None);
    assert!(stderr.contains("no tag selected"), "{stderr}");
}

#[test]
fn invalid_range_is_an_error_naming_it() {
    let stderr = failure(&["policy", "select", "--semver", "^1.x.y", "1.0.0"], None);
    assert!(stderr.contains("invalid policy") && stderr.contains("^1.x.y"), "{stderr}");
}

#[test]
fn invalid_pattern_is_an_error() {
    let stderr = failure(&["policy", "select", "--alphabetical", "asc", "--pattern", "(", "a"], None);
    assert!(stderr.contains("invalid filterTags"), "{stderr}");
}

#[test]
fn empty_stdin_is_an_error() {
    let stderr = failure(&["policy", "select", "--alphabetical", "asc"], Some(""));
    assert!(stderr.contains("no tag selected"), "{stderr}");
}

#[test]
fn a_policy_is_required_and_only_one() {
    failure(&["policy", "select", "1.0.0"], None);
    failure(&["policy", "select", "--semver", "*", "--alphabetical", "asc", "1.0.0"], None);
    failure(&["policy", "select", "--alphabetical", "asc", "--extract", "$x", "a"], None);
}

#[test]
fn a_missing_plugin_directory_is_explained() {
    let output = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["policy", "select", "--semver", "*", "1.0.0"])
        .env("WEIR_PLUGIN_DIR", "/nonexistent/weir-plugins")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("tag-policy.wasm not found in /nonexistent/weir-plugins"), "{stderr}");
}
