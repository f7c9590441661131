//! The built-in tag-policy plugin, loaded from its .wasm, answers as Flux's
//! image-reflector-controller would. Expectations come from Flux's and
//! Masterminds/semver's documented behaviour, not from running our code.

mod common;

use weir_plugin_host::tag_policy::{Candidate, Order, PolicyRequest, Selection, TagFilter, TagPolicyPlugin};
use weir_plugin_host::types::{Error, ErrorCode};

/// What a case expects.
#[derive(Debug)]
enum Expect {
    Tag(&'static str),
    InvalidPolicy,
    InvalidFilter,
    InvalidTag,
    NoMatch,
}
use Expect::*;

struct Case {
    name: &'static str,
    tags: &'static [&'static str],
    /// Creation times (ms) by position, for Flux v1 regex/glob expressions.
    created: &'static [i64],
    selection: Selection,
    filter: Option<(&'static str, Option<&'static str>)>,
    expect: Expect,
}

fn semver(name: &'static str, range: &str, tags: &'static [&'static str], expect: Expect) -> Case {
    Case { name, tags, created: &[], selection: Selection::Semver(range.into()), filter: None, expect }
}

fn ordered(name: &'static str, selection: Selection, tags: &'static [&'static str], expect: Expect) -> Case {
    Case { name, tags, created: &[], selection, filter: None, expect }
}

fn filtered(mut case: Case, pattern: &'static str, extract: Option<&'static str>) -> Case {
    case.filter = Some((pattern, extract));
    case
}

fn expression(
    name: &'static str,
    expr: &str,
    tags: &'static [&'static str],
    created: &'static [i64],
    expect: Expect,
) -> Case {
    Case { name, tags, created, selection: Selection::Expression(expr.into()), filter: None, expect }
}

fn alphabetical(order: Order) -> Selection {
    Selection::Alphabetical(order)
}

fn numerical(order: Order) -> Selection {
    Selection::Numerical(order)
}

fn cases() -> Vec<Case> {
    use Order::{Asc, Desc};
    let release = &["1.0.0", "1.2.3", "2.0.0"];
    vec![
        // semver: operators and ranges (Masterminds/semver v3 syntax)
        semver("caret major.minor", "^1.0", release, Tag("1.2.3")),
        semver("space-separated AND", ">=1.0.0 <2.0.0", release, Tag("1.2.3")),
        semver("comma-separated AND", ">=1.0.0, <2.0.0", release, Tag("1.2.3")),
        semver("operator followed by a space", ">= 1.2.3", &["1.2.3", "1.4.0"], Tag("1.4.0")),
        semver("tilde patch", "~1.2.3", &["1.2.3", "1.2.9", "1.3.0"], Tag("1.2.9")),
        semver("tilde minor", "~1.2", &["1.2.0", "1.2.5", "1.3.0"], Tag("1.2.5")),
        semver("tilde major", "~1", &["1.0.0", "1.9.0", "2.0.0"], Tag("1.9.0")),
        semver("tilde arrow", "~>1.2", &["1.2.0", "1.2.9", "1.3.0"], Tag("1.2.9")),
        semver("caret 0.x", "^0.2.3", &["0.2.3", "0.2.9", "0.3.0"], Tag("0.2.9")),
        semver("caret 0.0.x", "^0.0.3", &["0.0.3", "0.0.4"], Tag("0.0.3")),
        semver("x wildcard minor", "1.x", &["1.0.0", "1.9.9", "2.0.0"], Tag("1.9.9")),
        semver("x wildcard patch", "1.2.x", &["1.2.0", "1.2.7", "1.3.0"], Tag("1.2.7")),
        semver("star wildcard patch", "1.2.*", &["1.2.0", "1.2.7", "1.3.0"], Tag("1.2.7")),
        semver("star matches any release", "*", &["0.1.0", "3.2.1", "1.0.0"], Tag("3.2.1")),
        semver("equals", "=1.2.3", &["1.2.3", "1.2.4"], Tag("1.2.3")),
        semver("bare version", "1.2.3", &["1.2.3", "1.2.4"], Tag("1.2.3")),
        semver("not equal", "!=1.2.4", &["1.2.3", "1.2.4"], Tag("1.2.3")),
        semver("greater than", ">1.2.3", &["1.2.3", "1.2.4"], Tag("1.2.4")),
        semver("less than", "<1.2.4", &["1.0.0", "1.2.3", "1.2.4"], Tag("1.2.3")),
        semver("less than or equal", "<=1.2.4", &["1.2.3", "1.2.4", "1.2.5"], Tag("1.2.4")),
        semver("greater than or equal, arrow form", "=>1.2.0", &["1.1.0", "1.2.0"], Tag("1.2.0")),
        semver("OR of carets", "^1.2 || ^3.0", &["1.5.0", "2.5.0", "3.1.0"], Tag("3.1.0")),
        semver(
            "OR picks the highest over all branches",
            "<1.1 || >=3",
            &["1.0.5", "2.0.0", "3.4.0", "1.2.0"],
            Tag("3.4.0"),
        ),
        semver("hyphen range", "1.2 - 1.4", &["1.1.0", "1.3.0", "1.4.0", "1.5.0"], Tag("1.4.0")),
        semver("leading v in the range", ">=v1.0.0", &["0.9.0", "1.5.0"], Tag("1.5.0")),
        // semver: which tags count
        semver("leading v in tags, reported as written", "^1", &["v1.0.0", "v1.1.0"], Tag("v1.1.0")),
        semver("non-strict tags are skipped", "*", &["1.0", "1.2.3.4", "latest", "01.2.3", "1.2.3"], Tag("1.2.3")),
        semver("only one leading v is trimmed", "*", &["vv2.0.0", "1.0.0"], Tag("1.0.0")),
        semver("capital V is not a prefix", "*", &["V2.0.0", "1.0.0"], Tag("1.0.0")),
        semver("leading zero in a prerelease number is invalid", "*", &["2.0.0-01", "1.0.0"], Tag("1.0.0")),
        // semver: prereleases
        semver("star skips prereleases", "*", &["1.0.0", "2.0.0-rc.1"], Tag("1.0.0")),
        semver("caret skips prereleases", "^1", &["1.5.0", "1.6.0-rc.1"], Tag("1.5.0")),
        semver("a prerelease range admits prereleases", ">=1.0.0-0", &["1.0.0-rc.1", "0.9.0"], Tag("1.0.0-rc.1")),
        semver("release beats its prereleases", ">=1.0.0-alpha", &["1.0.0-alpha", "1.0.0-beta", "1.0.0"], Tag("1.0.0")),
        semver(
            "prerelease identifiers in order",
            ">=1.0.0-alpha",
            &["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-rc.1", "1.0.0-beta"],
            Tag("1.0.0-rc.1"),
        ),
        semver(
            "numeric prerelease identifiers compare as numbers",
            ">=1.0.0-alpha",
            &["1.0.0-alpha.9", "1.0.0-alpha.10"],
            Tag("1.0.0-alpha.10"),
        ),
        semver(
            "alphanumeric beats numeric identifier",
            ">=1.0.0-alpha",
            &["1.0.0-alpha.beta", "1.0.0-alpha.1"],
            Tag("1.0.0-alpha.beta"),
        ),
        // semver: ties go to the first listed
        semver("build metadata tie, first wins", "*", &["1.0.0+build.2", "1.0.0+build.1"], Tag("1.0.0+build.2")),
        semver("v and no v tie, first wins", "*", &["v1.0.0", "1.0.0"], Tag("v1.0.0")),
        semver("no v and v tie, first wins", "*", &["1.0.0", "v1.0.0"], Tag("1.0.0")),
        // semver: failures
        semver("invalid wildcard range", "^1.x.y", release, InvalidPolicy),
        semver("gibberish range", "not-a-range", release, InvalidPolicy),
        semver("doubled operator", ">>1.0", release, InvalidPolicy),
        semver("nothing in range", "^5", release, NoMatch),
        semver("below every tag", "<1.0.0", release, NoMatch),
        semver("no tags", "*", &[], NoMatch),
        semver("no semver tags", "*", &["latest", "main"], NoMatch),
        // alphabetical (byte order; asc selects the greatest)
        ordered("alphabetical asc", alphabetical(Asc), &["a", "c", "b"], Tag("c")),
        ordered("alphabetical desc", alphabetical(Desc), &["b", "a", "c"], Tag("a")),
        ordered("alphabetical is byte order", alphabetical(Asc), &["alpha", "Zeta"], Tag("alpha")),
        ordered(
            "alphabetical dated releases",
            alphabetical(Asc),
            &["RELEASE.2024-05-02", "RELEASE.2023-01-01"],
            Tag("RELEASE.2024-05-02"),
        ),
        ordered("alphabetical compares digits as text", alphabetical(Desc), &["9", "10"], Tag("10")),
        ordered("alphabetical of nothing", alphabetical(Asc), &[], NoMatch),
        // numerical (Go ParseFloat; asc selects the greatest)
        ordered("numerical asc", numerical(Asc), &["1", "10", "9"], Tag("10")),
        ordered("numerical desc", numerical(Desc), &["10", "1", "9"], Tag("1")),
        ordered("numerical decimals and negatives", numerical(Asc), &["1.5", "1.25", "-3"], Tag("1.5")),
        ordered("numerical exponent", numerical(Asc), &["1e3", "999"], Tag("1e3")),
        ordered("numerical desc with decimals", numerical(Desc), &["3", "2.5"], Tag("2.5")),
        ordered("numerical fails on a word", numerical(Asc), &["1", "two"], InvalidTag),
        ordered("numerical fails on a version", numerical(Asc), &["1", "1.2.3"], InvalidTag),
        ordered("numerical of nothing", numerical(Asc), &[], NoMatch),
        // filterTags
        filtered(
            ordered(
                "extract a timestamp",
                numerical(Asc),
                &["main-abc1234-100", "main-def5678-200", "dev-1111111-300"],
                NoMatch,
            ),
            "^main-[a-f0-9]+-(?P<ts>[0-9]+)",
            Some("$ts"),
        )
        .expecting(Tag("main-def5678-200")),
        filtered(
            ordered("extract with braces", numerical(Asc), &["main-a-5", "main-b-40", "main-c-300"], NoMatch),
            "^main-[a-z]-(?P<ts>[0-9]+)$",
            Some("${ts}"),
        )
        .expecting(Tag("main-c-300")),
        filtered(
            semver("extract a version", "^1", &["app-1.2.3", "app-1.10.0", "other-2.0.0"], NoMatch),
            "^app-(?P<version>.*)$",
            Some("$version"),
        )
        .expecting(Tag("app-1.10.0")),
        filtered(
            semver("extract with a (?<name>) group", "*", &["r-1.0.0", "r-1.1.0"], NoMatch),
            "^r-(?<v>.+)$",
            Some("$v"),
        )
        .expecting(Tag("r-1.1.0")),
        filtered(semver("pattern without extract", "*", &["1.0.0", "2.0.0"], NoMatch), r"^1\.", None)
            .expecting(Tag("1.0.0")),
        filtered(
            ordered("pattern is unanchored", alphabetical(Asc), &["1.0-rc1", "2.0", "1.1-rc2"], NoMatch),
            "rc",
            None,
        )
        .expecting(Tag("1.1-rc2")),
        filtered(ordered("pattern matches nothing", alphabetical(Asc), &["a", "b"], NoMatch), "^z", None),
        filtered(ordered("invalid pattern", alphabetical(Asc), &["a"], NoMatch), "(", None).expecting(InvalidFilter),
        filtered(
            ordered("numerical only sees filtered tags", numerical(Asc), &["latest", "7", "12"], NoMatch),
            "^[0-9]+$",
            None,
        )
        .expecting(Tag("12")),
        // Flux v1 annotation expressions
        expression("v1 semver", "semver:~1.0.5", &["1.0.5", "1.0.9", "1.1.0"], &[], Tag("1.0.9")),
        expression(
            "v1 glob, newest wins",
            "glob:staging-*",
            &["staging-a", "staging-b", "prod-c"],
            &[100, 300, 500],
            Tag("staging-b"),
        ),
        expression(
            "v1 regex, newest wins",
            "regex:^[a-f0-9]{7}$",
            &["abc1234", "def5678", "latest"],
            &[200, 100, 999],
            Tag("abc1234"),
        ),
        expression("v1 glob without times, smallest tag wins", "glob:*", &["b", "a", "c"], &[], Tag("a")),
        expression("v1 glob matching nothing", "glob:prod-*", &["staging-a"], &[1], NoMatch),
        expression("v1 unknown prefix", "foo:bar", &["a"], &[], InvalidPolicy),
        expression("v1 invalid regex", "regex:(", &["a"], &[], InvalidPolicy),
    ]
}

impl Case {
    fn expecting(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }

    fn request(&self) -> PolicyRequest {
        PolicyRequest {
            candidates: self
                .tags
                .iter()
                .enumerate()
                .map(|(index, tag)| Candidate { tag: (*tag).into(), created: self.created.get(index).copied() })
                .collect(),
            selection: self.selection.clone(),
            filter: self
                .filter
                .map(|(pattern, extract)| TagFilter { pattern: pattern.into(), extract: extract.map(Into::into) }),
        }
    }
}

/// The plugin tells the failures apart by code and by the request field at fault.
fn matches(expect: &Expect, outcome: &Result<String, Error>) -> bool {
    match (expect, outcome) {
        (Tag(tag), Ok(selected)) => tag == selected,
        (Tag(_), Err(_)) | (_, Ok(_)) => false,
        (expect, Err(error)) => {
            let path = error.path.as_deref();
            match expect {
                InvalidPolicy => error.code == ErrorCode::InvalidInput && path == Some("selection"),
                InvalidFilter => error.code == ErrorCode::InvalidInput && path == Some("filter.pattern"),
                InvalidTag => error.code == ErrorCode::InvalidInput && path.is_none(),
                NoMatch => error.code == ErrorCode::NoMatch,
                Tag(_) => unreachable!("handled above"),
            }
        }
    }
}

#[tokio::test]
async fn selects_as_flux_does() {
    let runtime = common::runtime();
    let policy = TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, "tag-policy")).unwrap();
    let cases = cases();
    assert!(cases.len() >= 60, "the table must keep at least 60 cases, has {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = policy.select("default", &case.request()).await.expect("the plugin call itself succeeds");
        if !matches(&case.expect, &outcome) {
            failures.push(format!("{}: expected {:?}, got {:?}", case.name, case.expect, outcome));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[tokio::test]
async fn errors_explain_themselves() {
    let runtime = common::runtime();
    let policy = TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, "tag-policy")).unwrap();
    let request = semver("", "^1.x.y", &["1.0.0"], InvalidPolicy).request();
    match policy.select("default", &request).await.unwrap() {
        Err(error) if error.code == ErrorCode::InvalidInput => {
            assert!(error.message.contains("^1.x.y"), "the message names the range: {}", error.message);
        }
        other => panic!("expected an invalid policy, got {other:?}"),
    }
}

#[tokio::test]
async fn a_plugin_of_another_world_is_refused_at_load() {
    let runtime = common::runtime();
    let outcome = TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, "hostile"));
    assert!(matches!(outcome, Err(weir_plugin_host::LoadError::WrongWorld { world: "tag-policy", .. })));
}

/// The SDK's example (examples/plugins/newest-build) is a working plugin.
#[tokio::test]
async fn a_third_party_policy_plugin_runs() {
    let runtime = common::runtime();
    let policy = TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, "example-newest-build")).unwrap();
    let tags = &["main-a-build.9", "main-b-build.12", "latest", "main-c-build.12"];
    let request = ordered("", alphabetical(Order::Asc), tags, NoMatch).request();
    assert_eq!(policy.select("default", &request).await.unwrap().unwrap(), "main-b-build.12");
}

#[tokio::test]
async fn errors_name_the_request_field() {
    let runtime = common::runtime();
    let policy = TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, "tag-policy")).unwrap();
    let bad_range = semver("", ">>1", &["1.0.0"], InvalidPolicy).request();
    let bad_pattern = filtered(ordered("", alphabetical(Order::Asc), &["a"], InvalidFilter), "(", None).request();
    for (request, field) in [(bad_range, "selection"), (bad_pattern, "filter.pattern")] {
        match policy.select("default", &request).await.unwrap() {
            Err(error) => assert_eq!((error.code, error.path.as_deref()), (ErrorCode::InvalidInput, Some(field))),
            other => panic!("expected an invalid {field}, got {other:?}"),
        }
    }
}
