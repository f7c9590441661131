//! Go's `time.Time` as its JSON carries it: RFC 3339 with nanoseconds
//! (`time.RFC3339Nano`) and the writer's UTC offset. With the `serde` feature it
//! (de)serializes as Go does, also reading `""` as the zero time, which Helm 3's
//! `helm.sh/helm/v3/pkg/time` wrapper writes.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds from 0001-01-01 to 1970-01-01: Go's zero time in Unix seconds.
const ZERO_UNIX: i64 = -62_135_596_800;
/// Seconds from 1970-01-01 to 10000-01-01, the first instant Go's JSON refuses.
const YEAR_10000_UNIX: i64 = 253_402_300_800;
/// Go's JSON refuses years before 0 as well.
const YEAR_0_UNIX: i64 = -62_167_219_200;

/// An instant with the UTC offset it was written in, as Go's `time.Time`
/// round-trips through JSON. Equality compares the representation (instant
/// and offset), as Go's `==` does, not `time.Time.Equal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    unix_seconds: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

/// Why a timestamp did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an RFC 3339 time (2006-01-02T15:04:05.999999999Z07:00) between years 0 and 9999")]
pub struct TimestampError(String);

impl Timestamp {
    /// Go's zero `time.Time`, 0001-01-01T00:00:00Z.
    pub const ZERO: Timestamp = Timestamp { unix_seconds: ZERO_UNIX, nanos: 0, offset: 0 };

    /// The current time, in UTC.
    pub fn now() -> Self {
        // A clock before 1970 is a broken clock; Go's zero stands in for it.
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Self::from_unix(since_epoch.as_secs() as i64, since_epoch.subsec_nanos()).unwrap_or(Self::ZERO)
    }

    /// The instant `seconds` + `nanos` after the Unix epoch, in UTC; `None`
    /// outside the years 0 to 9999 (which Go's JSON cannot carry) or when
    /// `nanos` is a second or more.
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Self> {
        Self::with_offset(seconds, nanos, 0)
    }

    /// Like [`Timestamp::from_unix`], written in a zone `offset` seconds east of UTC.
    pub fn with_offset(unix_seconds: i64, nanos: u32, offset: i32) -> Option<Self> {
        let local = unix_seconds.checked_add(i64::from(offset))?;
        let in_range = (YEAR_0_UNIX..YEAR_10000_UNIX).contains(&local);
        (in_range && nanos < 1_000_000_000 && offset.unsigned_abs() < 24 * 3600).then_some(Self {
            unix_seconds,
            nanos,
            offset,
        })
    }

    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The writer's UTC offset, in seconds east of UTC.
    pub fn offset_seconds(&self) -> i32 {
        self.offset
    }

    /// Go's `Time.IsZero`: the zero instant, whatever the offset.
    pub fn is_zero(&self) -> bool {
        self.unix_seconds == ZERO_UNIX && self.nanos == 0
    }
}

impl Default for Timestamp {
    fn default() -> Self {
        Self::ZERO
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The days of `month` (1 to 12) in `year`.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's `time.RFC3339Nano` layout: fraction without trailing zeros (none
/// when whole), `Z` for a zero offset.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.unix_seconds + i64::from(self.offset);
        let (year, month, day) = civil_from_days(local.div_euclid(86_400));
        let second_of_day = local.rem_euclid(86_400);
        let (hour, minute, second) = (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
        write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")?;
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        if self.offset == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let minutes = self.offset.unsigned_abs() / 60;
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// What Go's `Time.UnmarshalJSON` accepts: `2006-01-02T15:04:05Z07:00` with an
/// optional fraction after the seconds (digits past the ninth are dropped).
impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text.as_bytes()).ok_or_else(|| TimestampError(text.to_owned()))
    }
}

fn parse(text: &[u8]) -> Option<Timestamp> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits.iter().all(u8::is_ascii_digit).then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let punctuation = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if text.len() < 20 || punctuation.iter().any(|&(at, byte)| text[at] != byte) {
        return None;
    }
    let year = i64::from(number(0..4)?);
    let (month, day) = (number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos = 0;
    if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
        let digits = rest[1..].iter().take_while(|d| d.is_ascii_digit()).count();
        for place in 0..9 {
            let digit = if place < digits { u32::from(rest[1 + place] - b'0') } else { 0 };
            nanos = nanos * 10 + digit;
        }
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [h1, h2, m1, m2];
            if !digits.iter().all(|d| d.is_ascii_digit()) {
                return None;
            }
            let hours = i32::from(h1 - b'0') * 10 + i32::from(h2 - b'0');
            let minutes = i32::from(m1 - b'0') * 10 + i32::from(m2 - b'0');
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let local = days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Timestamp::with_offset(local - i64::from(offset), nanos, offset)
}

#[cfg(feature = "serde")]
/// As the standard library's `time.Time` writes itself: always a time, the
/// zero one as `0001-01-01T00:00:00Z`.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(feature = "serde")]
/// Also takes `""` (as the zero time), which Helm 3 writes and Helm 4 reads.
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        if text.is_empty() {
            return Ok(Self::ZERO);
        }
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Option<String> {
        text.parse::<Timestamp>().ok().map(|time| time.to_string())
    }

    #[test]
    fn times_parse_and_print_as_go() {
        assert_eq!(round_trip("1970-01-01T00:00:00Z").as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(round_trip("2024-02-29T10:00:00.500000Z").as_deref(), Some("2024-02-29T10:00:00.5Z"));
        assert_eq!(round_trip("2024-01-01T10:00:00+00:00").as_deref(), Some("2024-01-01T10:00:00Z"));
        assert_eq!(round_trip("2024-01-01T10:00:00-07:00").as_deref(), Some("2024-01-01T10:00:00-07:00"));
        for bad in ["2023-02-29T00:00:00Z", "2024-01-01 10:00:00Z", "2024-01-01T10:00:00", "yesterday"] {
            assert_eq!(round_trip(bad), None, "{bad}");
        }
        assert_eq!(Timestamp::from_unix(0, 0).unwrap().to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::from_unix(1_709_210_096, 0).unwrap().to_string(), "2024-02-29T12:34:56Z");
        assert_eq!(Timestamp::ZERO.to_string(), "0001-01-01T00:00:00Z");
    }
}
