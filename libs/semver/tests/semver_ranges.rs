//! The range engine against Masterminds/semver v3's own test tables
//! (constraints_test.go, version_test.go); each row's expectation is
//! upstream's.

use std::cmp::Ordering;

use weir_semver::{Constraints, Version};

fn check(range: &str, version: &str) -> bool {
    let constraints = Constraints::parse(range).unwrap_or_else(|e| panic!("range {range:?} rejected: {e}"));
    // Upstream's tables build versions with the lenient `NewVersion`.
    let version = Version::parse_lenient(version).unwrap_or_else(|e| panic!("version {version:?} rejected: {e}"));
    constraints.matches(&version)
}

fn assert_table(table: &[(&str, &str, bool)]) {
    let failures: Vec<String> = table
        .iter()
        .filter(|(range, version, expected)| check(range, version) != *expected)
        .map(|(range, version, expected)| format!("{range:?} vs {version:?}: expected {expected}"))
        .collect();
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn single_constraints() {
    // constraints_test.go TestConstraintCheck.
    assert_table(&[
        ("=2.0.0", "1.2.3", false),
        ("=2.0.0", "2.0.0", true),
        ("=2.0", "1.2.3", false),
        ("=2.0", "2.0.0", true),
        ("=2.0", "2.0.1", true),
        ("4.1", "4.1.0", true),
        ("!=4.1.0", "4.1.0", false),
        ("!=4.1.0", "4.1.1", true),
        ("!=4.1", "4.1.0", false),
        ("!=4.1", "4.1.1", false),
        ("!=4.1", "5.1.0-alpha.1", false),
        ("!=4.1-alpha", "4.1.0", true),
        ("!=4.1", "5.1.0", true),
        ("<11", "0.1.0", true),
        ("<11", "11.1.0", false),
        ("<1.1", "0.1.0", true),
        ("<1.1", "1.1.0", false),
        ("<1.1", "1.1.1", false),
        ("<=11", "1.2.3", true),
        ("<=11", "12.2.3", false),
        ("<=11", "11.2.3", true),
        ("<=1.1", "1.2.3", false),
        ("<=1.1", "0.1.0", true),
        ("<=1.1", "1.1.0", true),
        ("<=1.1", "1.1.1", true),
        (">1.1", "4.1.0", true),
        (">1.1", "1.1.0", false),
        (">0", "0", false),
        (">0", "1", true),
        (">0", "0.0.1-alpha", false),
        (">0.0", "0.0.1-alpha", false),
        (">0-0", "0.0.1-alpha", false),
        (">0.0-0", "0.0.1-alpha", false),
        (">0", "0.0.0-alpha", false),
        (">0-0", "0.0.0-alpha", false),
        (">0.0.0-0", "0.0.0-alpha", true),
        (">1.2.3-alpha.1", "1.2.3-alpha.2", true),
        (">1.2.3-alpha.1", "1.3.3-alpha.2", true),
        (">11", "11.1.0", false),
        (">11.1", "11.1.0", false),
        (">11.1", "11.1.1", false),
        (">11.1", "11.2.1", true),
        (">=11", "11.1.2", true),
        (">=11.1", "11.1.2", true),
        (">=11.1", "11.0.2", false),
        (">=1.1", "4.1.0", true),
        (">=1.1", "1.1.0", true),
        (">=1.1", "0.0.9", false),
        (">=0", "0.0.1-alpha", false),
        (">=0.0", "0.0.1-alpha", false),
        (">=0-0", "0.0.1-alpha", true),
        (">=0.0-0", "0.0.1-alpha", true),
        (">=0", "0.0.0-alpha", false),
        (">=0-0", "0.0.0-alpha", true),
        (">=0.0.0-0", "0.0.0-alpha", true),
        (">=0.0.0-0", "1.2.3", true),
        (">=0.0.0-0", "3.4.5-beta.1", true),
        ("<0", "0.0.0-alpha", false),
        ("<0-z", "0.0.0-alpha", true),
        (">=0", "0", true),
        ("=0", "1", false),
        ("*", "1", true),
        ("*", "4.5.6", true),
        ("*", "1.2.3-alpha.1", false),
        ("*-0", "1.2.3-alpha.1", true),
        ("2.*", "1", false),
        ("2.*", "3.4.5", false),
        ("2.*", "2.1.1", true),
        ("2.1.*", "2.1.1", true),
        ("2.1.*", "2.2.1", false),
        ("2", "1", false),
        ("2", "3.4.5", false),
        ("2", "2.1.1", true),
        ("2.1", "2.1.1", true),
        ("2.1", "2.2.1", false),
        ("~1.2.3", "1.2.4", true),
        ("~1.2.3", "1.3.4", false),
        ("~1.2", "1.2.4", true),
        ("~1.2", "1.3.4", false),
        ("~1", "1.2.4", true),
        ("~1", "2.3.4", false),
        ("~0.2.3", "0.2.5", true),
        ("~0.2.3", "0.3.5", false),
        ("~1.2.3-beta.2", "1.2.3-beta.4", true),
        ("~1.2.3-beta.2", "1.2.4-beta.2", true),
        ("~1.2.3-beta.2", "1.3.4-beta.2", false),
        ("^1.2.3", "1.8.9", true),
        ("^1.2.3", "2.8.9", false),
        ("^1.2.3", "1.2.1", false),
        ("^1.1.0", "2.1.0", false),
        ("^1.2.0", "2.2.1", false),
        ("^1.2.0", "1.2.1-alpha.1", false),
        ("^1.2.0-alpha.0", "1.2.1-alpha.1", true),
        ("^1.2.0-alpha.0", "1.2.1-alpha.0", true),
        ("^1.2.0-alpha.2", "1.2.0-alpha.1", false),
        ("^1.2", "1.8.9", true),
        ("^1.2", "2.8.9", false),
        ("^1", "1.8.9", true),
        ("^1", "2.8.9", false),
        ("^0.2.3", "0.2.5", true),
        ("^0.2.3", "0.5.6", false),
        ("^0.2", "0.2.5", true),
        ("^0.2", "0.5.6", false),
        ("^0.0.3", "0.0.3", true),
        ("^0.0.3", "0.0.4", false),
        ("^0.0", "0.0.3", true),
        ("^0.0", "0.1.4", false),
        ("^0.0", "1.0.4", false),
        ("^0", "0.2.3", true),
        ("^0", "1.1.4", false),
        ("^0.2.3-beta.2", "0.2.3-beta.4", true),
        ("^0.2.3-beta.2", "0.2.4-beta.2", true),
        ("^0.2.3-beta.2", "0.3.4-beta.2", false),
        ("^0.2.3-beta.2", "0.2.3-beta.2", true),
    ]);
}

#[test]
fn constraint_groups() {
    // constraints_test.go TestConstraintsCheck.
    assert_table(&[
        ("*", "1.2.3", true),
        ("~0.0.0", "1.2.3", true),
        ("0.x.x", "1.2.3", false),
        ("0.0.x", "1.2.3", false),
        ("0.0.0", "1.2.3", false),
        ("^0.0.0", "1.2.3", false),
        ("= 2.0", "1.2.3", false),
        ("= 2.0", "2.0.0", true),
        ("4.1.x", "4.1.3", true),
        ("1.x", "1.4", true),
        ("!=4.1-alpha", "4.1.0-alpha", false),
        ("!=4.1-alpha", "4.1.1-alpha", false),
        ("!=4.x", "5.1.0", true),
        ("!=4.x", "4.1.0", false),
        ("!=4.1.x", "4.2.0", true),
        ("!=4.2.x", "4.2.3", false),
        ("<1.x", "1.1.1", false),
        ("<1.x", "0.1.1", true),
        ("<1.x", "2.0.0", false),
        ("<1.1.x", "1.2.1", false),
        ("<1.1.x", "1.1.500", false),
        ("<1.1.x", "1.0.500", true),
        ("<1.2.x", "1.1.1", true),
        (">=1.1", "4.1.0-beta", false),
        ("<=1.1", "0.1.0-alpha", false),
        ("<=1.1-a", "0.1.0-alpha", true),
        ("<=1.x", "1.1.0", true),
        ("<=2.x", "3.0.0", false),
        ("<=1.1.x", "1.2.500", false),
        ("<=4.5", "3.4.0", true),
        ("<=4.5", "3.7.0", true),
        ("<=4.5", "4.6.3", false),
        (">1.1, <2", "1.1.1", false),
        (">1.1, <2", "1.2.1", true),
        (">1.1, <3", "4.3.2", false),
        (">=1.1, <2, !=1.2.3", "1.2.3", false),
        (">1.1 <2", "1.2.1", true),
        (">1.1    <3", "4.3.2", false),
        (">=1.1    <2    !=1.2.3", "1.2.3", false),
        (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
        (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
        (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
        (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
        (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
        ("> 1.1, <     2", "1.1.1", false),
        (">   1.1, <2", "1.2.1", true),
        (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true),
        (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false),
        ("1.1 - 2", "1.1.1", true),
        ("1.5.0 - 4.5", "3.7.0", true),
        // Without spaces around `-` it is a prerelease, not a range.
        ("1.1-3", "4.3.2", false),
        ("^1.1", "1.1.1", true),
        ("^1.1", "4.3.2", false),
        ("^1.x", "1.1.1", true),
        ("^2.x", "1.1.1", false),
        ("^1.x", "2.1.1", false),
        ("^1.x", "1.1.1-beta1", false),
        ("^1.1.2-alpha", "1.2.1-beta1", true),
        ("^1.2.x-alpha", "1.1.1-beta1", false),
        ("^0.0.1", "0.0.1", true),
        ("^0.0.1", "0.3.1", false),
        ("~*", "2.1.1", true),
        ("~1", "2.1.1", false),
        ("~1", "1.3.5", true),
        ("~1.x", "2.1.1", false),
        ("~1.x", "1.3.5", true),
        ("~1.1", "1.1.1-alpha", false),
        ("~1.1-alpha", "1.1.1-beta", true),
        ("~1.1.1-beta", "1.1.1-alpha", false),
        ("~1.1.1-beta", "1.1.1", true),
        ("~1.2.3", "1.2.2", false),
        ("~1.3", "2.4.5", false),
        ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
        ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true),
        // TestConstraintsValidate.
        ("~1.3.6-alpha", "1.3.5-beta", false),
        ("~1.3.5-alpha", "1.3.5-beta", true),
        ("~1.3.5-beta", "1.3.5-alpha", false),
    ]);
}

#[test]
fn prereleases_are_admitted_per_or_group() {
    // constraints.go (v3.2+): a prerelease anywhere in an AND-group lets
    // prereleases through every constraint of that group, not of others.
    assert_table(&[
        (">=1.0.0-0 <2.0.0", "1.5.0-beta", true),
        (">=1.0.0 <2.0.0", "1.5.0-beta", false),
        (">=1.0.0 <2.0.0 || >=3.0.0-0", "1.5.0-beta", false),
        (">=1.0.0 <2.0.0 || >=3.0.0-0", "3.1.0-rc.1", true),
        ("v1.2.3", "1.2.3", true),
        ("=> 1.2", "1.2.0", true),
        ("=< 1.2", "1.2.9", true),
        ("~> 1.2", "1.2.9", true),
        ("~> 1.2", "1.3.0", false),
        // Build metadata takes no part in comparisons.
        ("=1.2.3+build.7", "1.2.3", true),
        ("1.2.3", "1.2.3+other", true),
    ]);
}

#[test]
fn invalid_ranges_are_rejected() {
    // image-reflector-controller semver_test.go TestNewSemVer and
    // constraints_test.go TestNewConstraint.
    for range in [
        "1.0.0p",
        "1x",
        "x1",
        "-1",
        "a",
        "",
        ">= bar",
        "BAR >= 1.2.3",
        "12.3.4.1234",
        "12.23.4.1234",
        "12.3.34~ 1.2.3",
        "^1.x.y",
        "1.2 ||",
        ">=1.0,",
        ">=1.0,,<2",
        ">1<2",
        "1.0.0-01",
        "99999999999999999999.0.0",
        "1|2",
        ">=1 - 2",
    ] {
        assert!(Constraints::parse(range).is_err(), "range {range:?} should be rejected");
    }
    for range in [
        "1.0.x",
        "^1.0",
        "=1.0.0",
        "~1.0",
        ">=1.0",
        ">0,<2.0",
        ">= 1.1",
        ">40.50.60, < 50.70",
        "2.0",
        "v2.3.5-20161202202307-sha.e8fc5e5",
        ">= 1.2.3 < 2.0 || => 3.0 < 4",
        "3 - 4 || => 3.0, < 4",
        "12.3.34 ~1.2.3",
        "1.0.0 - 2.0.0, <=2.0.0",
        " >=1.0 ",
    ] {
        assert!(Constraints::parse(range).is_ok(), "range {range:?} should be accepted");
    }
}

#[test]
fn strict_versions() {
    // version_test.go TestStrictNewVersion.
    let valid =
        ["1.2.3", "1.2.3-alpha.01x", "1.2.3+test.01", "1.2.3-alpha.-1", "1.0.0-alpha+001", "1.2.3-0.a", "0.0.0"];
    let invalid = [
        "1.2",
        "1",
        "v1.2.3",
        "1.2.3.4",
        "1.2.beta",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "1.2.3-alpha.01",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-a..b",
        "1.2.3+a..b",
        "",
        "1.2.3-!",
        "18446744073709551616.0.0",
    ];
    for text in valid {
        assert!(Version::parse_strict(text).is_ok(), "{text:?} should parse");
    }
    for text in invalid {
        assert!(Version::parse_strict(text).is_err(), "{text:?} should be rejected");
    }
    let version = Version::parse_strict("1.2.3-beta.1+build-5.x").unwrap();
    assert_eq!(
        (version.major(), version.minor(), version.patch(), version.prerelease(), version.metadata()),
        (1, 2, 3, "beta.1", "build-5.x")
    );
    // Metadata is split off first, so its `-` starts no prerelease.
    assert_eq!(Version::parse_strict("1.2.3+a-b").unwrap().prerelease(), "");
}

#[test]
fn tags_drop_exactly_one_v() {
    // fluxcd/pkg version.ParseVersion: TrimPrefix("v") then StrictNewVersion.
    assert!(Version::parse_tag("v1.2.3").is_ok());
    assert!(Version::parse_tag("vv1.2.3").is_err());
    assert!(Version::parse_tag("V1.2.3").is_err());
    assert!(Version::parse_tag("v1.2").is_err());
}

#[test]
fn precedence() {
    // version_test.go TestCompare and SemVer 2.0 section 11.
    let table = [
        ("1.2.3", "1.5.1", Ordering::Less),
        ("2.2.3", "1.5.1", Ordering::Greater),
        ("2.2.3", "2.2.2", Ordering::Greater),
        ("3.2.0-beta", "3.2.0-beta", Ordering::Equal),
        ("1.3.0", "1.1.4", Ordering::Greater),
        ("4.2.0", "4.2.0-beta", Ordering::Greater),
        ("4.2.0-beta", "4.2.0", Ordering::Less),
        ("4.2.0-alpha", "4.2.0-beta", Ordering::Less),
        ("4.2.0-alpha", "4.2.0-alpha", Ordering::Equal),
        ("4.2.0-beta.2", "4.2.0-beta.1", Ordering::Greater),
        ("4.2.0-beta2", "4.2.0-beta1", Ordering::Greater),
        ("4.2.0-beta", "4.2.0-beta.2", Ordering::Less),
        ("4.2.0-beta", "4.2.0-beta.foo", Ordering::Less),
        ("4.2.0-beta.2", "4.2.0-beta", Ordering::Greater),
        ("4.2.0-beta.foo", "4.2.0-beta", Ordering::Greater),
        ("1.2.0+bar", "1.2.0+baz", Ordering::Equal),
        ("1.0.0-beta.4", "1.0.0-beta.-2", Ordering::Less),
        ("1.0.0-beta.-2", "1.0.0-beta.-3", Ordering::Less),
        ("1.0.0-beta.-3", "1.0.0-beta.5", Ordering::Greater),
        ("1.0.0-alpha.11", "1.0.0-alpha.2", Ordering::Greater),
        ("1.0.0-rc.1", "1.0.0-beta.11", Ordering::Greater),
    ];
    for (left, right, expected) in table {
        let (l, r) = (Version::parse_strict(left).unwrap(), Version::parse_strict(right).unwrap());
        assert_eq!(l.cmp(&r), expected, "{left} vs {right}");
    }
}

#[test]
fn lenient_versions() {
    // version_test.go TestNewVersion (coercing): partial versions and a `v`.
    for (text, expected) in
        [("1", "1.0.0"), ("1.2", "1.2.0"), ("v1.2.3", "1.2.3"), ("01.02.03", "1.2.3"), ("1.2-rc.1", "1.2.0-rc.1")]
    {
        assert_eq!(Version::parse_lenient(text).unwrap().to_string(), expected, "{text}");
    }
    for text in ["1.2.3.4", "foo", "1.2.3-01", "v", "1.2.3-"] {
        assert!(Version::parse_lenient(text).is_err(), "{text:?} should be rejected");
    }
}

#[test]
fn highest_tag_reads_tags_as_flux() {
    let range = Constraints::parse(">=1.0.0 <2.0.0").unwrap();
    let tags = ["latest", "0.9.0", "v1.2.0", "1.10.0-rc.1", "1.9.3", "2.0.0", "01.9.4", "1.2"];
    // Prereleases need a prerelease range, leading zeros and short versions are not tags Flux reads.
    assert_eq!(range.highest_tag(tags), Some("1.9.3"));
    // Equal versions: the greater name, whatever the listing order.
    assert_eq!(range.highest_tag(["v1.5.0", "1.5.0"]), Some("v1.5.0"));
    assert_eq!(range.highest_tag(["1.5.0", "v1.5.0"]), Some("v1.5.0"));
    assert_eq!(range.highest_tag(["2.1.0", "nightly"]), None);
}
