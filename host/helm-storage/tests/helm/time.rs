//! Timestamps as Go's `time.Time` writes and parses RFC 3339.

use weir_helm_storage::Timestamp;

/// 10000-01-01T00:00:00Z in Unix seconds: the first instant Go's JSON refuses.
const YEAR_10000: i64 = 253_402_300_800;

#[test]
fn formats_as_go_rfc3339nano() {
    let cases = [
        (Timestamp::ZERO, "0001-01-01T00:00:00Z"),
        (Timestamp::from_unix(0, 0).unwrap(), "1970-01-01T00:00:00Z"),
        (Timestamp::from_unix(1_700_000_000, 120_000_000).unwrap(), "2023-11-14T22:13:20.12Z"),
        (Timestamp::from_unix(1_700_000_000, 1).unwrap(), "2023-11-14T22:13:20.000000001Z"),
        (Timestamp::with_offset(1_700_000_000, 0, 2 * 3600).unwrap(), "2023-11-15T00:13:20+02:00"),
        (
            Timestamp::with_offset(1_700_000_000, 500, -(5 * 3600 + 30 * 60)).unwrap(),
            "2023-11-14T16:43:20.0000005-05:30",
        ),
        (Timestamp::from_unix(951_782_400, 0).unwrap(), "2000-02-29T00:00:00Z"),
        (Timestamp::from_unix(YEAR_10000 - 1, 999_999_999).unwrap(), "9999-12-31T23:59:59.999999999Z"),
    ];
    for (time, text) in cases {
        assert_eq!(time.to_string(), text);
        assert_eq!(text.parse::<Timestamp>(), Ok(time), "{text}");
    }
}

#[test]
fn parses_what_go_parses() {
    let parsed: Timestamp = "2025-10-08T12:00:00.1234567891Z".parse().unwrap();
    assert_eq!((parsed.subsec_nanos(), parsed.to_string().as_str()), (123_456_789, "2025-10-08T12:00:00.123456789Z"));
    let offset: Timestamp = "2025-10-08T14:00:00+02:00".parse().unwrap();
    assert_eq!((offset.unix_seconds(), offset.offset_seconds()), (1_759_924_800, 7200));
    assert!(Timestamp::ZERO.is_zero() && !offset.is_zero());
    assert!(Timestamp::with_offset(-62_135_596_800, 0, 3600).unwrap().is_zero());
}

#[test]
fn refuses_what_go_refuses() {
    for text in [
        "",
        "2025-10-08",
        "2025-10-08 12:00:00Z",
        "2025-10-08T12:00:00",
        "2025-10-08T12:00:00z",
        "2025-13-08T12:00:00Z",
        "2025-02-29T12:00:00Z",
        "2025-10-08T24:00:00Z",
        "2025-10-08T12:60:00Z",
        "2025-10-08T12:00:60Z",
        "2025-10-08T12:00:00.Z",
        "2025-10-08T12:00:00+0200",
        "2025-10-08T12:00:00+24:00",
        "2025-10-08T12:00:00+02:60",
        "+2025-10-08T12:00:00Z",
        "2025-1a-08T12:00:00Z",
    ] {
        assert!(text.parse::<Timestamp>().is_err(), "{text:?} parsed");
    }
    assert_eq!(Timestamp::from_unix(YEAR_10000, 0), None);
    assert_eq!(Timestamp::from_unix(0, 1_000_000_000), None);
    assert_eq!(Timestamp::with_offset(0, 0, 24 * 3600), None);
    assert_eq!(Timestamp::with_offset(0, 0, i32::MIN), None);
    assert_eq!(Timestamp::with_offset(i64::MAX, 0, 1), None);
}

#[test]
fn now_is_utc_and_after_2020() {
    let now = Timestamp::now();
    assert_eq!(now.offset_seconds(), 0);
    assert!(now.unix_seconds() > 1_577_836_800, "{now}");
}
