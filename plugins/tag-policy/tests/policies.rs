//! `select` end to end. Expectations follow image-reflector-controller's
//! internal/policy tests and code, and fluxd's for expressions.

use weir_tag_policy::{Candidate, Order, PolicyError, PolicyRequest, Selection, TagFilter, select};

fn candidates(tags: &[&str]) -> Vec<Candidate> {
    tags.iter().map(|tag| Candidate { tag: (*tag).to_owned(), created: None }).collect()
}

fn run(selection: Selection, tags: &[&str], filter: Option<(&str, Option<&str>)>) -> Result<String, PolicyError> {
    select(&PolicyRequest {
        candidates: candidates(tags),
        selection,
        filter: filter
            .map(|(pattern, extract)| TagFilter { pattern: pattern.to_owned(), extract: extract.map(str::to_owned) }),
    })
}

fn semver(range: &str) -> Selection {
    Selection::Semver(range.to_owned())
}

#[derive(Debug)]
enum Expect {
    Tag(&'static str),
    InvalidPolicy,
    InvalidTag,
    NoMatch,
}

fn assert_outcome(case: &str, got: Result<String, PolicyError>, expected: &Expect) {
    let ok = match (&got, expected) {
        (Ok(tag), Expect::Tag(want)) => tag == want,
        (Err(PolicyError::InvalidPolicy(_)), Expect::InvalidPolicy)
        | (Err(PolicyError::InvalidTag(_)), Expect::InvalidTag)
        | (Err(PolicyError::NoMatch(_)), Expect::NoMatch) => true,
        _ => false,
    };
    assert!(ok, "{case}: expected {expected:?}, got {got:?}");
}

#[test]
fn semver_policies() {
    use Expect::*;
    let table: &[(&str, &str, &[&str], Expect)] = &[
        // semver_test.go TestSemVer_Latest.
        ("regular", "1.0.x", &["1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"], Tag("1.0.1")),
        ("v prefix kept", "1.0.x", &["v1.2.3", "v1.0.0", "v0.1.0"], Tag("v1.0.0")),
        ("invalid prefix", "1.0.x", &["b1.2.3", "b1.0.0", "b0.1.0"], NoMatch),
        ("empty list", "1.0.x", &[], NoMatch),
        ("nothing matches", "1.0.x", &["1.2.0"], NoMatch),
        // Strict tags only: partial versions and leading zeros are skipped.
        ("partial tags skipped", ">=1.0.0", &["2", "2.1", "1.5.0", "02.0.0"], Tag("1.5.0")),
        ("prereleases need a prerelease range", ">=1.0.0", &["1.1.0", "1.2.0-rc.1"], Tag("1.1.0")),
        ("prerelease range admits them", ">=1.0.0-0", &["1.1.0", "1.2.0-rc.1"], Tag("1.2.0-rc.1")),
        (
            "prerelease identifiers compare numerically",
            ">=1.0.0-0",
            &["1.0.0-rc.9", "1.0.0-rc.10", "1.0.0-rc.2"],
            Tag("1.0.0-rc.10"),
        ),
        ("release beats its prereleases", "*-0", &["1.0.0-rc.1", "1.0.0", "1.0.0-alpha"], Tag("1.0.0")),
        // semver.go: `GreaterThan` is strict, so the first of equals wins.
        ("tie keeps first listed", "^1", &["1.2.3", "v1.2.3", "1.2.3+build"], Tag("1.2.3")),
        ("tie keeps first listed (v first)", "^1", &["v1.2.3", "1.2.3"], Tag("v1.2.3")),
        ("metadata ignored in ordering", "^1", &["1.2.3+zzz", "1.2.3+aaa"], Tag("1.2.3+zzz")),
        ("double v skipped", "*", &["vv9.0.0", "1.0.0"], Tag("1.0.0")),
        ("caret on zero major", "^0.2", &["0.2.9", "0.3.0", "0.2.10"], Tag("0.2.10")),
        ("tilde", "~1.2.3", &["1.2.2", "1.2.8", "1.3.0"], Tag("1.2.8")),
        ("hyphen range", "1.2 - 1.4", &["1.4.9", "1.5.0", "1.1.0"], Tag("1.4.9")),
        ("or", "<1.0.0 || >=3.0.0 <4", &["2.0.0", "0.9.0", "3.5.1", "4.0.0"], Tag("3.5.1")),
        ("not equal", ">=1.0.0, !=1.5.0", &["1.5.0", "1.4.0"], Tag("1.4.0")),
        ("invalid range", "^1.x.y", &["1.0.0"], InvalidPolicy),
        ("empty range", "", &["1.0.0"], InvalidPolicy),
    ];
    for (case, range, tags, expected) in table {
        assert_outcome(case, run(semver(range), tags, None), expected);
    }
}

#[test]
fn alphabetical_policies() {
    use Expect::*;
    use Order::*;
    // alphabetical_test.go TestAlphabetical_Latest.
    let calver: &[&str] = &["16.04", "16.04.1", "16.10", "20.04", "20.10"];
    let names: &[&str] = &["xenial", "yakkety", "zesty", "artful", "bionic"];
    let stamps: &[&str] = &["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"];
    let table: &[(&str, Order, &[&str], Expect)] = &[
        ("calver", Asc, calver, Tag("20.10")),
        ("calver desc", Desc, calver, Tag("16.04")),
        ("code names", Asc, names, Tag("zesty")),
        ("code names desc", Desc, names, Tag("artful")),
        ("timestamps", Asc, stamps, Tag("1606364286")),
        ("timestamps desc", Desc, stamps, Tag("1606234201")),
        ("prefixed", Asc, &["rel-1606234201", "rel-1606364286", "rel-1606334092"], Tag("rel-1606364286")),
        // Go compares strings byte-wise: uppercase sorts before lowercase.
        ("byte order", Asc, &["Zeta", "alpha"], Tag("alpha")),
        ("empty list", Asc, &[], NoMatch),
    ];
    for (case, order, tags, expected) in table {
        assert_outcome(case, run(Selection::Alphabetical(*order), tags, None), expected);
    }
}

#[test]
fn numerical_policies() {
    use Expect::*;
    use Order::*;
    let table: &[(&str, Order, &[&str], Expect)] = &[
        // numerical_test.go TestNumerical_Latest.
        ("integers", Asc, &["-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"], Tag("73")),
        ("integers desc", Desc, &["5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"], Tag("-78")),
        (
            "floats",
            Asc,
            &["47.40896403322944", "-27.8520927455902", "53.47333823144817", "3.2008658570411086"],
            Tag("53.47333823144817"),
        ),
        (
            "floats desc",
            Desc,
            &["-65.27202780220686", "57.82948329142309", "-90.29082099756083"],
            Tag("-90.29082099756083"),
        ),
        ("timestamps", Asc, &["1606234201", "1606364286", "1606334092"], Tag("1606364286")),
        ("single", Desc, &["1"], Tag("1")),
        ("invalid value fails all", Asc, &["0", "1a", "b"], InvalidTag),
        ("empty list", Asc, &[], NoMatch),
        // strconv.ParseFloat syntax.
        ("hex float", Asc, &["0x1p-2", "0.3"], Tag("0.3")),
        ("hex float with fraction", Asc, &["0x1.8p1", "2.9"], Tag("0x1.8p1")),
        ("hex needs exponent", Asc, &["0x1", "1"], InvalidTag),
        ("exponent", Asc, &["1e3", "999"], Tag("1e3")),
        ("underscores between digits", Asc, &["1_000", "999"], Tag("1_000")),
        ("underscore after hex prefix", Asc, &["0x_1p0", "0.5"], Tag("0x_1p0")),
        ("doubled underscore", Asc, &["1__0"], InvalidTag),
        ("leading underscore", Asc, &["_1"], InvalidTag),
        ("trailing underscore", Asc, &["1_"], InvalidTag),
        ("infinity", Asc, &["1e308", "Inf", "5"], Tag("Inf")),
        ("signed infinity desc", Desc, &["+inf", "-Infinity", "0"], Tag("-Infinity")),
        ("partial infinity", Asc, &["infin"], InvalidTag),
        ("nan accepted", Asc, &["NaN"], Tag("NaN")),
        ("signed nan rejected", Asc, &["-nan"], InvalidTag),
        ("overflow is an error", Asc, &["1e400"], InvalidTag),
        ("underflow is zero", Asc, &["1e-400", "-1"], Tag("1e-400")),
        ("leading dot and trailing dot", Asc, &[".5", "5."], Tag("5.")),
        ("lone dot", Asc, &["."], InvalidTag),
        ("plus sign", Desc, &["+2", "3"], Tag("+2")),
        ("equal values keep first", Asc, &["1.0", "1", "1e0"], Tag("1.0")),
        ("nan never beats a number", Asc, &["NaN", "3", "NaN"], Tag("3")),
    ];
    for (case, order, tags, expected) in table {
        assert_outcome(case, run(Selection::Numerical(*order), tags, None), expected);
    }
}

#[test]
fn numerical_error_names_the_tag() {
    let error = run(Selection::Numerical(Order::Asc), &["1", "abc"], None).unwrap_err();
    assert_eq!(error, PolicyError::InvalidTag("tag \"abc\" is not a number".to_owned()));
    let error = run(Selection::Numerical(Order::Asc), &["build-x1"], Some(("build-(.*)", Some("$1")))).unwrap_err();
    assert_eq!(error, PolicyError::InvalidTag("tag \"build-x1\" is not a number (extracted value \"x1\")".to_owned()));
}

#[test]
fn error_messages_name_the_offender() {
    let error = run(semver("^1.x.y"), &["1.0.0"], None).unwrap_err().to_string();
    assert!(error.starts_with("invalid semver range \"^1.x.y\": "), "{error}");
    let error = run(semver("1.0.x"), &["2.0.0"], None).unwrap_err().to_string();
    assert_eq!(error, "no tag satisfies semver range \"1.0.x\"");
    let error = run(semver("*"), &["a"], Some(("(", None))).unwrap_err().to_string();
    assert!(error.starts_with("invalid filter pattern \"(\": "), "{error}");
}
