//! `filterTags` (image-reflector-controller filter.go, Go's regexp) and
//! Flux v1 expressions (fluxd pkg/policy/pattern.go, pkg/image/image.go).

use weir_tag_policy::{Candidate, Order, PolicyError, PolicyRequest, Selection, TagFilter, select};

fn request(selection: Selection, candidates: &[(&str, Option<i64>)], filter: Option<(&str, &str)>) -> PolicyRequest {
    PolicyRequest {
        candidates: candidates
            .iter()
            .map(|(tag, created)| Candidate { tag: (*tag).to_owned(), created: *created })
            .collect(),
        selection,
        filter: filter
            .map(|(pattern, extract)| TagFilter { pattern: pattern.to_owned(), extract: Some(extract.to_owned()) }),
    }
}

fn untimed(tags: &[&'static str]) -> Vec<(&'static str, Option<i64>)> {
    tags.iter().map(|tag| (*tag, None)).collect()
}

fn alphabetical_with(pattern: &str, extract: &str, tags: &[&'static str]) -> Result<String, PolicyError> {
    select(&request(Selection::Alphabetical(Order::Asc), &untimed(tags), Some((pattern, extract))))
}

#[test]
fn filters() {
    // (pattern, extract, tags, selected by alphabetical asc over the
    // compared values). filter_test.go, filter.go and Go's regexp docs.
    let table: &[(&str, &str, &[&'static str], &str)] = &[
        ("^ver", "", &["ver1", "ver2", "ver3", "rel1"], "ver3"),
        (r"ver(\d+)", "$1", &["ver1", "ver2", "ver3", "rel9"], "ver3"),
        // Unanchored: matches anywhere in the tag.
        ("ver", "", &["zz", "a-ver-1"], "a-ver-1"),
        (r"(?P<n>\d+)$", "$n", &["a-9", "b-10"], "a-9"),
        (r"(?<n>\d+)$", "${n}", &["a-9", "b-10"], "a-9"),
        // `$nx` names group "nx" (unknown: empty), so both tags extract ""
        // and the one listed last is reported; `${n}x` appends an x.
        (r"(?P<n>\d)", "$nx", &["2", "1"], "1"),
        (r"(?P<n>\d)-(\w)", "${n}x$2", &["1-b", "2-a"], "2-a"),
        // `$$` is a literal dollar; a dangling `$` stays text.
        (r"(\d)", "$$$1$", &["1", "2"], "2"),
        // Go reads `$01` as a group *named* "01" (none: empty value, so both
        // tags tie on "" and the one listed last is reported).
        (r"(\d)", "$01", &["1", "2"], "2"),
        // Tags that extract the same value: the last listed is reported.
        (r"^(\d+)-", "$1", &["7-a", "7-b", "3-c"], "7-b"),
        // Go's `\Q…\E` quotes literal text.
        (r"^\Qv1.\E", "", &["v1.2", "v102"], "v1.2"),
        // Inside a Go class `[` and `&&` are literals.
        (r"^[&[a]+$", "", &["a[", "b"], "a["),
        // A `{` that starts no repetition is a literal in Go.
        (r"^v{x", "", &["v{x", "vv"], "v{x"),
        (r"^a{2}$", "", &["aa", "a"], "aa"),
    ];
    for (pattern, extract, tags, expected) in table {
        let got = alphabetical_with(pattern, extract, tags);
        assert_eq!(got.as_deref(), Ok(*expected), "pattern {pattern:?} extract {extract:?}");
    }
}

#[test]
fn extracted_values_drive_every_policy() {
    let tags = untimed(&["main-3-aaa", "main-10-bbb", "dev-99-ccc"]);
    let filter = Some((r"^main-(?P<ts>\d+)-", "$ts"));
    let numerical = select(&request(Selection::Numerical(Order::Asc), &tags, filter)).unwrap();
    assert_eq!(numerical, "main-10-bbb");
    // Alphabetically "3" > "10".
    let alphabetical = select(&request(Selection::Alphabetical(Order::Asc), &tags, filter)).unwrap();
    assert_eq!(alphabetical, "main-3-aaa");
    let semver_tags = untimed(&["app-v1.2.3", "app-v1.10.0", "other-v9.0.0"]);
    let semver = select(&request(Selection::Semver("^1".into()), &semver_tags, Some(("^app-(.*)$", "$1")))).unwrap();
    assert_eq!(semver, "app-v1.10.0");
}

#[test]
fn filter_errors() {
    for pattern in ["(", "[a", "a{1001}", "a{3,2}", "(?x)a", "(?=a)", r"\8"] {
        let got = alphabetical_with(pattern, "", &["a"]);
        assert!(matches!(got, Err(PolicyError::InvalidFilter(_))), "{pattern:?}: {got:?}");
    }
    let got = alphabetical_with("^x", "", &["a", "b"]);
    assert_eq!(got, Err(PolicyError::NoMatch("no tag matches the filter pattern \"^x\"".into())));
}

fn expression(text: &str, candidates: &[(&str, Option<i64>)]) -> Result<String, PolicyError> {
    select(&request(Selection::Expression(text.to_owned()), candidates, None))
}

#[test]
fn expressions() {
    const DAY: i64 = 86_400_000;
    let timed: &[(&str, Option<i64>)] =
        &[("master-a", Some(DAY)), ("master-b", Some(3 * DAY)), ("dev-c", Some(9 * DAY))];
    let table: &[(&str, &[(&str, Option<i64>)], Result<&str, ()>)] = &[
        // glob: newest created wins; only `*` is special.
        ("glob:master-*", timed, Ok("master-b")),
        ("glob:*", timed, Ok("dev-c")),
        ("glob:master-?", timed, Err(())),
        ("glob:dev-c", timed, Ok("dev-c")),
        // regex: (and the older regexp:) match unanchored.
        ("regex:^master-", timed, Ok("master-b")),
        ("regexp:a$", timed, Ok("master-a")),
        // Equal times: the smaller tag (image.NewerByCreated).
        ("glob:*", &[("b", Some(5)), ("a", Some(5))], Ok("a")),
        // A missing time is Go's zero time, older than any real one.
        ("glob:*", &[("old", Some(-DAY)), ("unknown", None)], Ok("old")),
        ("glob:*", &[("zz", None), ("aa", None)], Ok("aa")),
        // `latest` is skipped unless asked for by `glob:latest`.
        ("glob:*", &[("latest", Some(9 * DAY)), ("v1", Some(DAY))], Ok("v1")),
        ("glob:latest", &[("latest", Some(DAY)), ("v1", Some(9 * DAY))], Ok("latest")),
        ("regex:.*", &[("LATEST", Some(9 * DAY)), ("v1", Some(DAY))], Ok("v1")),
        // go-glob quirk: the final part goes unchecked once the subject is used up.
        ("glob:v*1", &[("v", Some(DAY)), ("v2", Some(9 * DAY))], Ok("v")),
        // semver: lenient tags, highest version, equal versions: greater tag.
        ("semver:~1", &untimed(&["v1", "1.2", "1.2.3", "2.0.0"]), Ok("1.2.3")),
        ("semver:*", &untimed(&["1.10", "1.10.0"]), Ok("1.10.0")),
        ("semver:*", &untimed(&["1.10.0", "1.10"]), Ok("1.10.0")),
        ("semver:2.0.1-alpha.1", &untimed(&["2.0.1", "2.0.1-alpha.1"]), Ok("2.0.1-alpha.1")),
        ("semver:*", &untimed(&["latest", "2.0.1-alpha.1"]), Err(())),
    ];
    for (text, candidates, expected) in table {
        let got = expression(text, candidates);
        match expected {
            Ok(tag) => assert_eq!(got.as_deref(), Ok(*tag), "{text}"),
            Err(()) => assert!(matches!(got, Err(PolicyError::NoMatch(_))), "{text}: {got:?}"),
        }
    }
}

#[test]
fn invalid_expressions() {
    for text in ["foo:bar", "master-*", "semver:^1.x.y", "regex:(", "regexp:[", "SEMVER:1"] {
        let got = expression(text, &[("1.0.0", None)]);
        assert!(matches!(got, Err(PolicyError::InvalidPolicy(_))), "{text}: {got:?}");
    }
}

#[test]
fn filter_applies_before_expressions() {
    let candidates = [("keep-1", Some(1)), ("drop-2", Some(2))];
    let got = select(&request(Selection::Expression("glob:*".into()), &candidates, Some(("^keep-", ""))));
    assert_eq!(got.as_deref(), Ok("keep-1"));
}

#[test]
fn empty_candidates_are_no_match() {
    let got = expression("glob:*", &[]);
    assert_eq!(got, Err(PolicyError::NoMatch("there are no tags to choose from".into())));
}
