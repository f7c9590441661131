//! `.helmignore` rules as Helm's `pkg/ignore` applies them (not gitignore's).

use weir_helm::ignore::{IgnoreRules, go_match};

fn rules(text: &str) -> IgnoreRules {
    let mut rules = IgnoreRules::parse(text).unwrap();
    rules.add_defaults();
    rules
}

#[test]
fn patterns_without_a_slash_match_base_names_anywhere() {
    let r = rules("*.txt\n# comment\n\n  secret.yaml  \n");
    assert!(r.ignore("a.txt", false));
    assert!(r.ignore("docs/deep/b.txt", false));
    assert!(r.ignore("templates/secret.yaml", false));
    assert!(!r.ignore("a.yaml", false));
}

#[test]
fn patterns_with_a_slash_match_the_whole_path() {
    let r = rules("docs/*.md\n/top.txt\n");
    assert!(r.ignore("docs/a.md", false));
    assert!(!r.ignore("other/docs/a.md", false));
    assert!(!r.ignore("docs/sub/a.md", false));
    assert!(r.ignore("top.txt", false));
    assert!(!r.ignore("sub/top.txt", false));
}

#[test]
fn trailing_slash_matches_directories_only() {
    let r = rules("build/\n");
    assert!(r.ignore("build", true));
    assert!(!r.ignore("build", false));
}

#[test]
fn a_negation_ignores_everything_it_does_not_match() {
    // Helm's quirk: `!keep.txt` is reached for every file `*.txt` did not catch,
    // and ignores all of them (so Chart.yaml too); the first matching rule
    // decides, so a negation never brings back what an earlier rule ignored.
    let r = rules("*.txt\n!keep.txt\n");
    assert!(r.ignore("other.txt", false));
    assert!(r.ignore("Chart.yaml", false));
    assert!(r.ignore("keep.txt", false));
    let r = rules("!keep.txt\n");
    assert!(!r.ignore("keep.txt", false));
    assert!(r.ignore("values.yaml", false));
}

#[test]
fn dot_files_in_templates_are_ignored_by_default() {
    let r = rules("");
    assert!(r.ignore("templates/.hidden", false));
    assert!(!r.ignore("templates/x.yaml", false));
    assert!(!r.ignore("charts/sub/templates/.hidden", false));
    assert!(!r.ignore(".helmignore", false));
}

#[test]
fn bad_rules_are_refused_with_helms_messages() {
    assert_eq!(IgnoreRules::parse("**/foo").unwrap_err().to_string(), "double-star (**) syntax is not supported");
    assert_eq!(IgnoreRules::parse("[a").unwrap_err().to_string(), "syntax error in pattern");
}

#[test]
fn go_filepath_match() {
    assert_eq!(go_match("*.txt", "a.txt"), Ok(true));
    assert_eq!(go_match("*", "a/b"), Ok(false));
    assert_eq!(go_match("a?c", "abc"), Ok(true));
    assert_eq!(go_match("a?c", "a/c"), Ok(false));
    assert_eq!(go_match("[a-c]x", "bx"), Ok(true));
    assert_eq!(go_match("[^a-c]x", "bx"), Ok(false));
    assert_eq!(go_match(r"\*", "*"), Ok(true));
    assert_eq!(go_match("a*b*c", "axxbyyc"), Ok(true));
    assert!(go_match("[", "abc").is_err());
    assert!(go_match("a[", "x").is_err());
}
