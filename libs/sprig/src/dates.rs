//! Sprig's date functions over Go's `time.Time` and its layout strings
//! (`2006-01-02 15:04:05 MST`). The local zone is UTC, as in Helm's usual
//! container; named zones come from the IANA database built into the plugin
//! (there is no /usr/share/zoneinfo in the sandbox).

use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use weir_go_compat::timestamp::{civil_from_days, days_from_civil, days_in_month};
use weir_gotemplate::{FuncMap, Object, Value, quote};

use crate::args::{Arity, Result, define, fail, string, wrong_type};

pub fn register(map: &mut FuncMap) {
    define(map, "now", Arity::Exact(0), |_| Ok(GoTime::now().into_value()));
    define(map, "date", Arity::Exact(2), |args| Ok(Value::from(date_in_zone(&string(&args[0])?, &args[1]))));
    for name in ["dateInZone", "date_in_zone"] {
        define(map, name, Arity::Exact(3), |args| {
            let (layout, zone) = (string(&args[0])?, string(&args[2])?);
            Ok(Value::from(lenient_time(&args[1]).in_zone(&zone).format(&layout)))
        });
    }
    define(map, "htmlDate", Arity::Exact(1), |args| Ok(Value::from(date_in_zone("2006-01-02", &args[0]))));
    define(map, "htmlDateInZone", Arity::Exact(2), |args| {
        let zone = string(&args[1])?;
        Ok(Value::from(lenient_time(&args[0]).in_zone(&zone).format("2006-01-02")))
    });
    for name in ["dateModify", "date_modify"] {
        define(map, name, Arity::Exact(2), |args| {
            let (change, time) = (string(&args[0])?, time_arg(&args[1])?);
            Ok(match parse_duration(&change) {
                Ok(nanos) => time.add(nanos),
                Err(_) => time,
            }
            .into_value())
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        define(map, name, Arity::Exact(2), |args| {
            let (change, time) = (string(&args[0])?, time_arg(&args[1])?);
            Ok(time.add(parse_duration(&change).map_err(fail)?).into_value())
        });
    }
    define(map, "ago", Arity::Exact(1), |args| {
        let since = GoTime::now().nanos_since(&lenient_time(&args[0]));
        Ok(Value::from(format_duration(round_to_second(since))))
    });
    define(map, "toDate", Arity::Exact(2), |args| {
        let (layout, text) = (string(&args[0])?, string(&args[1])?);
        Ok(parse_time(&layout, &text).unwrap_or_else(|_| GoTime::zero()).into_value())
    });
    define(map, "mustToDate", Arity::Exact(2), |args| {
        let (layout, text) = (string(&args[0])?, string(&args[1])?);
        Ok(parse_time(&layout, &text).map_err(fail)?.into_value())
    });
    define(map, "unixEpoch", Arity::Exact(1), |args| Ok(Value::from(time_arg(&args[0])?.seconds.to_string())));
    // Seconds as an int64 or a decimal string; anything else is 0.
    define(map, "duration", Arity::Exact(1), |args| {
        let seconds = match &args[0] {
            Value::Int(i) => *i,
            Value::String(s) => s.parse().unwrap_or(0),
            _ => 0,
        };
        Ok(Value::from(format_duration(seconds.wrapping_mul(1_000_000_000))))
    });
    define(map, "durationRound", Arity::Exact(1), |args| {
        let nanos = match &args[0] {
            Value::Int(i) => *i,
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Object(_) => match time_arg(&args[0]) {
                Ok(t) => GoTime::now().nanos_since(&t),
                Err(_) => 0,
            },
            _ => 0,
        };
        Ok(Value::from(duration_round(nanos)))
    });
}

/// A Go `time.Time`: an instant and the zone it is shown in.
#[derive(Clone)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    seconds: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
    /// The zone's abbreviation; empty for a fixed offset read from text.
    zone: String,
}

impl GoTime {
    fn now() -> GoTime {
        let (seconds, nanos) = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => (-(e.duration().as_secs() as i64), 0),
        };
        GoTime { seconds, nanos, offset: 0, zone: "UTC".into() }
    }

    /// Go's zero time, January 1, year 1, UTC.
    fn zero() -> GoTime {
        GoTime { seconds: -62_135_596_800, nanos: 0, offset: 0, zone: "UTC".into() }
    }

    fn unix(seconds: i64) -> GoTime {
        GoTime { seconds, nanos: 0, offset: 0, zone: "UTC".into() }
    }

    fn utc(&self) -> GoTime {
        GoTime { offset: 0, zone: "UTC".into(), ..self.clone() }
    }

    /// The same instant shown in the IANA zone `name` (from the zone database
    /// built into the plugin). Sprig falls back to UTC for a zone Go cannot
    /// load; `""`, `UTC` and `Local` (the local zone is UTC) are UTC.
    fn in_zone(&self, name: &str) -> GoTime {
        if matches!(name, "" | "UTC" | "Local") {
            return self.utc();
        }
        let (Ok(zone), Ok(instant)) = (jiff::tz::TimeZone::get(name), jiff::Timestamp::from_second(self.seconds))
        else {
            return self.utc();
        };
        let info = zone.to_offset_info(instant);
        GoTime { offset: info.offset().seconds(), zone: info.abbreviation().to_owned(), ..self.clone() }
    }

    fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    fn total_nanos(&self) -> i128 {
        i128::from(self.seconds) * 1_000_000_000 + i128::from(self.nanos)
    }

    fn add(&self, nanos: i64) -> GoTime {
        let total = self.total_nanos() + i128::from(nanos);
        GoTime {
            seconds: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            ..self.clone()
        }
    }

    /// `self - earlier` in nanoseconds, saturating like Go's `Sub`.
    fn nanos_since(&self, earlier: &GoTime) -> i64 {
        (self.total_nanos() - earlier.total_nanos()).clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    fn fields(&self) -> Fields {
        let local = self.seconds.saturating_add(i64::from(self.offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Fields {
            year,
            month: i64::from(month),
            day: i64::from(day),
            hour: secs / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
            nanos: self.nanos,
            weekday: (days + 4).rem_euclid(7),
            year_day: days - days_from_civil(year, 1, 1) + 1,
        }
    }

    /// `Time.Format`.
    pub fn format(&self, layout: &str) -> String {
        let f = self.fields();
        let mut out = String::new();
        for chunk in chunks(layout) {
            match chunk {
                Chunk::Literal(text) => out.push_str(text),
                Chunk::Std(std) => self.format_std(&mut out, std, &f),
            }
        }
        out
    }

    fn format_std(&self, out: &mut String, std: Std, f: &Fields) {
        use std::fmt::Write;
        let hour12 = if f.hour % 12 == 0 { 12 } else { f.hour % 12 };
        let _ = match std {
            Std::LongYear => write!(out, "{:04}", f.year),
            Std::Year => write!(out, "{:02}", f.year.rem_euclid(100)),
            Std::LongMonth => write!(out, "{}", MONTHS[(f.month - 1) as usize]),
            Std::Month => write!(out, "{}", &MONTHS[(f.month - 1) as usize][..3]),
            Std::NumMonth => write!(out, "{}", f.month),
            Std::ZeroMonth => write!(out, "{:02}", f.month),
            Std::LongWeekDay => write!(out, "{}", WEEKDAYS[f.weekday as usize]),
            Std::WeekDay => write!(out, "{}", &WEEKDAYS[f.weekday as usize][..3]),
            Std::Day => write!(out, "{}", f.day),
            Std::UnderDay => write!(out, "{:>2}", f.day),
            Std::ZeroDay => write!(out, "{:02}", f.day),
            Std::UnderYearDay => write!(out, "{:>3}", f.year_day),
            Std::ZeroYearDay => write!(out, "{:03}", f.year_day),
            Std::Hour => write!(out, "{:02}", f.hour),
            Std::Hour12 => write!(out, "{hour12}"),
            Std::ZeroHour12 => write!(out, "{hour12:02}"),
            Std::Minute => write!(out, "{}", f.minute),
            Std::ZeroMinute => write!(out, "{:02}", f.minute),
            Std::Second => write!(out, "{}", f.second),
            Std::ZeroSecond => write!(out, "{:02}", f.second),
            Std::PM => write!(out, "{}", if f.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => write!(out, "{}", if f.hour >= 12 { "pm" } else { "am" }),
            Std::Tz => {
                if self.zone.is_empty() {
                    write!(out, "{}", offset_text(self.offset, false, false, true))
                } else {
                    write!(out, "{}", self.zone)
                }
            }
            Std::Offset { iso, colon, seconds, minutes } => {
                if iso && self.offset == 0 {
                    write!(out, "Z")
                } else {
                    write!(out, "{}", offset_text(self.offset, colon, seconds, minutes))
                }
            }
            Std::Fraction { digits, trim, separator } => {
                let text = format!("{:09}", f.nanos);
                let mut text = &text[..digits.min(9)];
                if trim {
                    text = text.trim_end_matches('0');
                    if text.is_empty() {
                        return;
                    }
                }
                write!(out, "{separator}{text}")
            }
        };
    }
}

/// `-0700`-style text for an offset (`+0200`, `-07:00`, `+05`).
fn offset_text(offset: i32, colon: bool, seconds: bool, minutes: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let sep = if colon { ":" } else { "" };
    let mut text = format!("{sign}{:02}", abs / 3600);
    if minutes {
        text.push_str(&format!("{sep}{:02}", abs / 60 % 60));
    }
    if seconds {
        text.push_str(&format!("{sep}{:02}", abs % 60));
    }
    text
}

struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    weekday: i64,
    year_day: i64,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn member(&self, name: &str, args: &[Value]) -> Option<std::result::Result<Value, String>> {
        let f = self.fields();
        Some(Ok(match name {
            "Format" => match args {
                [Value::String(layout)] => Value::from(self.format(layout)),
                [other] => {
                    return Some(Err(format!("wrong type for value; expected string; got {}", other.type_name())));
                }
                _ => return Some(Err(format!("wrong number of args for Format: want 1 got {}", args.len()))),
            },
            "Unix" => Value::Int(self.seconds),
            "UnixNano" => Value::Int(self.total_nanos() as i64),
            "Year" => Value::Int(f.year),
            "Month" => Value::from(MONTHS[(f.month - 1) as usize]),
            "Day" => Value::Int(f.day),
            "Hour" => Value::Int(f.hour),
            "Minute" => Value::Int(f.minute),
            "Second" => Value::Int(f.second),
            "Nanosecond" => Value::Int(i64::from(f.nanos)),
            "YearDay" => Value::Int(f.year_day),
            "Weekday" => Value::from(WEEKDAYS[f.weekday as usize]),
            "IsZero" => Value::Bool(self.total_nanos() == GoTime::zero().total_nanos()),
            "UTC" => self.utc().into_value(),
            "String" => Value::from(self.display()),
            _ => return None,
        }))
    }

    fn arity(&self, name: &str) -> Option<usize> {
        match name {
            "Format" => Some(1),
            "Unix" | "UnixNano" | "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond"
            | "YearDay" | "Weekday" | "IsZero" | "UTC" | "String" => Some(0),
            _ => None,
        }
    }

    fn display(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// `json.Marshal` uses `MarshalJSON`: RFC 3339 with nanoseconds.
    fn to_data(&self) -> Value {
        Value::from(self.format(RFC3339_NANO))
    }
}

/// A TOML datetime as BurntSushi/toml decodes it: local forms are in the
/// local zone (UTC), a time of day alone falls on year 0.
pub fn from_toml_datetime(text: &str) -> Option<Value> {
    let text = text.replacen(' ', "T", 1);
    let full = match (text.contains('T'), text.contains(':')) {
        (true, _) => text,
        (false, true) => format!("0000-01-01T{text}"),
        (false, false) => format!("{text}T00:00:00"),
    };
    let time_part = full.split_once('T').map_or("", |(_, t)| t);
    let zoned = time_part.ends_with(['Z', 'z']) || time_part.contains(['+', '-']);
    let full = if zoned { full } else { format!("{full}Z") };
    parse_time(RFC3339_NANO, &full).ok().map(GoTime::into_value)
}

const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// A `time.Time` parameter.
fn time_arg(value: &Value) -> Result<GoTime> {
    if let Value::Object(o) = value
        && o.type_name() == "time.Time"
    {
        // A time's data is its RFC 3339 text, which parses back to the same instant and offset.
        if let Value::String(text) = o.to_data() {
            return parse_time(RFC3339_NANO, &text).map_err(|_| wrong_type("time.Time", value));
        }
    }
    Err(wrong_type("time.Time", value))
}

/// `date`'s argument: a time, Unix seconds, or anything else for now.
fn lenient_time(value: &Value) -> GoTime {
    match value {
        Value::Int(seconds) => GoTime::unix(*seconds),
        Value::Object(_) => time_arg(value).unwrap_or_else(|_| GoTime::now()),
        _ => GoTime::now(),
    }
}

fn date_in_zone(layout: &str, value: &Value) -> String {
    lenient_time(value).utc().format(layout)
}

// ---------------------------------------------------------------- layouts

#[derive(Clone, Copy, PartialEq, Debug)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    /// `-0700`, `-07:00`, `-07`, `-070000`, `-07:00:00`; `iso` for the `Z…` forms.
    Offset {
        iso: bool,
        colon: bool,
        seconds: bool,
        minutes: bool,
    },
    /// `.000` (kept zeros) or `.999` (trimmed), with `.` or `,`.
    Fraction {
        digits: usize,
        trim: bool,
        separator: char,
    },
}

enum Chunk<'a> {
    Literal(&'a str),
    Std(Std),
}

/// Go's `nextStdChunk`, applied over the whole layout.
fn chunks(layout: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut rest = layout;
    while !rest.is_empty() {
        match next_std(rest) {
            Some((at, std, len)) => {
                if at > 0 {
                    out.push(Chunk::Literal(&rest[..at]));
                }
                out.push(Chunk::Std(std));
                rest = &rest[at + len..];
            }
            None => {
                out.push(Chunk::Literal(rest));
                break;
            }
        }
    }
    out
}

/// The first layout element in `s`: where it starts, what it is, its length.
fn next_std(s: &str) -> Option<(usize, Std, usize)> {
    let b = s.as_bytes();
    let at = |i: usize, p: &str| s.get(i..).is_some_and(|r| r.starts_with(p));
    let lower_after = |i: usize| b.get(i).is_some_and(u8::is_ascii_lowercase);
    for i in 0..b.len() {
        let found = match b[i] {
            b'J' if at(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if at(i, "Jan") && !lower_after(i + 3) => Some((Std::Month, 3)),
            b'M' if at(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if at(i, "Mon") && !lower_after(i + 3) => Some((Std::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Std::Tz, 3)),
            b'0' if matches!(b.get(i + 1), Some(b'1'..=b'6')) => {
                let std = [Std::ZeroMonth, Std::ZeroDay, Std::ZeroHour12, Std::ZeroMinute, Std::ZeroSecond, Std::Year];
                Some((std[(b[i + 1] - b'1') as usize], 2))
            }
            b'0' if at(i, "002") => Some((Std::ZeroYearDay, 3)),
            b'1' if at(i, "15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            // `_2006` is a literal `_` and a year.
            b'_' if at(i, "_2006") => return Some((i + 1, Std::LongYear, 4)),
            b'_' if at(i, "_2") => Some((Std::UnderDay, 2)),
            b'_' if at(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if at(i, "PM") => Some((Std::PM, 2)),
            b'p' if at(i, "pm") => Some((Std::Pm, 2)),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let offset = |colon, seconds, minutes| Std::Offset { iso, colon, seconds, minutes };
                if at(i + 1, "070000") {
                    Some((offset(false, true, true), 7))
                } else if at(i + 1, "07:00:00") {
                    Some((offset(true, true, true), 9))
                } else if at(i + 1, "0700") {
                    Some((offset(false, false, true), 5))
                } else if at(i + 1, "07:00") {
                    Some((offset(true, false, true), 6))
                } else if at(i + 1, "07") {
                    Some((offset(false, false, false), 3))
                } else {
                    None
                }
            }
            sep @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let digit = b[i + 1];
                let digits = b[i + 1..].iter().take_while(|c| **c == digit).count();
                // Only a run of repeated digits that ends there is a fraction.
                if b.get(i + 1 + digits).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    Some((Std::Fraction { digits, trim: digit == b'9', separator: char::from(sep) }, digits + 1))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((i, std, len));
        }
    }
    None
}

/// `time.ParseInLocation(layout, text, time.Local)` with Local = UTC.
fn parse_time(layout: &str, text: &str) -> std::result::Result<GoTime, String> {
    let cannot = |rest: &str, element: &str| {
        format!("parsing time {} as {}: cannot parse {} as {}", quote(text), quote(layout), quote(rest), quote(element))
    };
    let (mut year, mut month, mut day, mut hour, mut minute, mut second, mut nanos) =
        (1i64, 1i64, 1i64, 0i64, 0i64, 0i64, 0u32);
    let mut pm: Option<bool> = None;
    let mut offset: Option<i32> = None;
    let mut zone = String::new();
    let mut rest = text;
    let mut layout_rest = layout;
    loop {
        let (literal, next) = match next_std(layout_rest) {
            Some((at, std, len)) => {
                let parts = (&layout_rest[..at], Some((std, &layout_rest[at..at + len])));
                layout_rest = &layout_rest[at + len..];
                parts
            }
            None => (std::mem::take(&mut layout_rest), None),
        };
        rest = skip_literal(rest, literal).ok_or_else(|| cannot(rest, literal))?;
        let Some((std, element)) = next else { break };
        let before = rest;
        let bad = || cannot(before, element);
        match std {
            Std::LongYear => {
                if rest.len() < 4 || !rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                year = rest[..4].parse().map_err(|_| bad())?;
                rest = &rest[4..];
            }
            Std::Year => {
                let (n, r) = digits(rest, 2, 2).ok_or_else(bad)?;
                year = if n >= 69 { 1900 + n } else { 2000 + n };
                rest = r;
            }
            Std::LongMonth | Std::Month => {
                let len = if std == Std::Month { 3 } else { 0 };
                let (m, r) = lookup_name(rest, &MONTHS, len).ok_or_else(bad)?;
                month = m as i64 + 1;
                rest = r;
            }
            Std::LongWeekDay | Std::WeekDay => {
                let len = if std == Std::WeekDay { 3 } else { 0 };
                rest = lookup_name(rest, &WEEKDAYS, len).ok_or_else(bad)?.1;
            }
            Std::NumMonth | Std::ZeroMonth => {
                (month, rest) = digits(rest, if std == Std::ZeroMonth { 2 } else { 1 }, 2).ok_or_else(bad)?;
                if !(1..=12).contains(&month) {
                    return Err(format!("parsing time {}: month out of range", quote(text)));
                }
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay {
                    rest = rest.strip_prefix(' ').unwrap_or(rest);
                }
                (day, rest) = digits(rest, if std == Std::ZeroDay { 2 } else { 1 }, 2).ok_or_else(bad)?;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                rest = rest.trim_start_matches(' ');
                rest = digits(rest, 1, 3).ok_or_else(bad)?.1;
            }
            Std::Hour => {
                (hour, rest) = digits(rest, 1, 2).ok_or_else(bad)?;
                if hour > 23 {
                    return Err(format!("parsing time {}: hour out of range", quote(text)));
                }
            }
            Std::Hour12 | Std::ZeroHour12 => {
                (hour, rest) = digits(rest, if std == Std::ZeroHour12 { 2 } else { 1 }, 2).ok_or_else(bad)?;
                if hour > 12 {
                    return Err(format!("parsing time {}: hour out of range", quote(text)));
                }
            }
            Std::Minute | Std::ZeroMinute => {
                (minute, rest) = digits(rest, if std == Std::ZeroMinute { 2 } else { 1 }, 2).ok_or_else(bad)?;
                if minute > 59 {
                    return Err(format!("parsing time {}: minute out of range", quote(text)));
                }
            }
            Std::Second | Std::ZeroSecond => {
                (second, rest) = digits(rest, if std == Std::ZeroSecond { 2 } else { 1 }, 2).ok_or_else(bad)?;
                if second > 59 {
                    return Err(format!("parsing time {}: second out of range", quote(text)));
                }
                // Go reads a fraction after the seconds even when the layout has none.
                if !matches!(next_std(layout_rest), Some((0, Std::Fraction { .. }, _)))
                    && let Some(r) = rest.strip_prefix(['.', ','])
                    && r.starts_with(|c: char| c.is_ascii_digit())
                {
                    let n = r.bytes().take_while(u8::is_ascii_digit).count();
                    nanos = fraction_nanos(&r[..n]);
                    rest = &r[n..];
                }
            }
            Std::Fraction { digits: count, trim, .. } => {
                let Some(r) = rest.strip_prefix(['.', ',']) else {
                    if trim {
                        continue;
                    }
                    return Err(bad());
                };
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if (!trim && n != count) || n == 0 {
                    return Err(bad());
                }
                nanos = fraction_nanos(&r[..n]);
                rest = &r[n..];
            }
            Std::PM | Std::Pm => {
                let word = rest.get(..2).ok_or_else(bad)?;
                pm = Some(match word.to_ascii_uppercase().as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(bad()),
                });
                rest = &rest[2..];
            }
            Std::Offset { iso, colon, seconds, minutes } => {
                if iso && rest.starts_with('Z') {
                    offset = Some(0);
                    zone = "UTC".into();
                    rest = &rest[1..];
                    continue;
                }
                let sign = match rest.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(bad()),
                };
                let mut r = &rest[1..];
                let (h, next) = digits(r, 2, 2).ok_or_else(bad)?;
                r = next;
                let mut total = h * 3600;
                for (present, unit) in [(minutes, 60), (seconds, 1)] {
                    if present {
                        if colon {
                            r = r.strip_prefix(':').ok_or_else(bad)?;
                        }
                        let (n, next) = digits(r, 2, 2).ok_or_else(bad)?;
                        total += n * unit;
                        r = next;
                    }
                }
                offset = Some((sign * total) as i32);
                rest = r;
            }
            Std::Tz => {
                let n = rest.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(bad());
                }
                zone = rest[..n].to_owned();
                offset.get_or_insert(0);
                rest = &rest[n..];
            }
        }
    }
    if !rest.is_empty() {
        return Err(format!("parsing time {}: extra text: {}", quote(text), quote(rest)));
    }
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    // The month is 1 to 12 here: a layout's month element takes nothing else.
    if day < 1 || day > i64::from(days_in_month(year, month as u32)) {
        return Err(format!("parsing time {}: day out of range", quote(text)));
    }
    let offset = offset.unwrap_or(0);
    let local = days_from_civil(year, month as u32, day as u32) * 86_400 + hour * 3600 + minute * 60 + second;
    // An offset of zero is the local zone (UTC); another keeps its offset under the given name, if any.
    let zone = if offset == 0 { "UTC".to_owned() } else { zone };
    Ok(GoTime { seconds: local - i64::from(offset), nanos, offset, zone })
}

/// Go's `skip`: literal text must match, where a space in the layout
/// matches any run of spaces (at least one) in the value.
fn skip_literal<'a>(mut value: &'a str, literal: &str) -> Option<&'a str> {
    let mut prefix = literal;
    while let Some(c) = prefix.chars().next() {
        if c == ' ' {
            if !value.starts_with(' ') && !value.is_empty() {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        value = value.strip_prefix(c)?;
        prefix = &prefix[c.len_utf8()..];
    }
    Some(value)
}

/// Between `min` and `max` leading digits as a number.
fn digits(s: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn fraction_nanos(digits: &str) -> u32 {
    let mut padded: String = digits.chars().take(9).collect();
    while padded.len() < 9 {
        padded.push('0');
    }
    padded.parse().unwrap_or(0)
}

/// A month or weekday name at the start of `s` (case-insensitive, as Go),
/// in full or, with `len` 3, abbreviated.
fn lookup_name<'a>(s: &'a str, names: &[&str], len: usize) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, name)| {
        let name = if len > 0 { &name[..len] } else { name };
        let head = s.get(..name.len())?;
        head.eq_ignore_ascii_case(name).then(|| (i, &s[name.len()..]))
    })
}

// ---------------------------------------------------------------- durations

/// `time.ParseDuration`, in nanoseconds.
fn parse_duration(text: &str) -> std::result::Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", quote(text));
    let (negative, mut s) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let n = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let number = &s[..n];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        s = &s[n..];
        let unit_len = s.bytes().take_while(|b| !b.is_ascii_digit() && *b != b'.').count();
        let unit = match &s[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {}", quote(text))),
            other => return Err(format!("time: unknown unit {} in duration {}", quote(other), quote(text))),
        };
        total += value * unit;
        s = &s[unit_len..];
    }
    if total > i64::MAX as f64 {
        return Err(invalid());
    }
    let nanos = total.round() as i64;
    Ok(if negative { -nanos } else { nanos })
}

fn round_to_second(nanos: i64) -> i64 {
    let second = 1_000_000_000;
    let r = nanos.rem_euclid(second);
    let down = nanos - r;
    if r + r < second { down } else { down.saturating_add(second) }
}

/// Go's `Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`.
fn format_duration(nanos: i64) -> String {
    let negative = nanos < 0;
    let u = nanos.unsigned_abs();
    let sign = if negative { "-" } else { "" };
    if u < 1_000_000_000 {
        let (unit, scale) = match u {
            0 => return "0s".into(),
            1..=999 => ("ns", 1),
            1_000..=999_999 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", decimal_fraction(u, scale));
    }
    let seconds = decimal_fraction(u % 60_000_000_000, 1_000_000_000);
    let minutes_total = u / 60_000_000_000;
    if minutes_total == 0 {
        return format!("{sign}{seconds}s");
    }
    let (hours, minutes) = (minutes_total / 60, minutes_total % 60);
    if hours == 0 {
        return format!("{sign}{minutes}m{seconds}s");
    }
    format!("{sign}{hours}h{minutes}m{seconds}s")
}

/// `value / scale` with the fraction's trailing zeros dropped.
fn decimal_fraction(value: u64, scale: u64) -> String {
    let (whole, fraction) = (value / scale, value % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s) a duration exceeds.
fn duration_round(nanos: i64) -> String {
    let u = nanos.unsigned_abs();
    let second = 1_000_000_000u64;
    let units = [
        (second * 3600 * 24 * 365, "y"),
        (second * 3600 * 24 * 30, "mo"),
        (second * 3600 * 24, "d"),
        (second * 3600, "h"),
        (second * 60, "m"),
        (second, "s"),
    ];
    units.iter().find(|(size, _)| u > *size).map_or_else(|| "0s".into(), |(size, unit)| format!("{}{unit}", u / size))
}
