//! Sprig's lenient conversions (spf13/cast and its own `strval`), which turn
//! anything into a number or a string without failing: unparsable text is 0,
//! `true` is 1, nil is 0 or "".

use weir_gotemplate::Value;

/// Sprig's `strval`: a string as is, a `[]byte` as text, anything else `%v`.
pub fn strval(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.to_string(),
    }
}

/// `cast.ToInt64`: floats truncate, strings parse as Go integer literals
/// (`0x1F`, `010` octal, `1_000`, a `.0` suffix dropped), failures give 0.
pub fn to_int64(value: &Value) -> i64 {
    match value {
        Value::Int(i) => *i,
        Value::Float(x) => float_to_int(*x),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        // cast reads a `json.Number` as its text.
        Value::Object(o) if o.kind_name() == "string" => parse_go_int(trim_zero_decimal(&o.display())).unwrap_or(0),
        _ => 0,
    }
}

/// Go's `int64(f)` on amd64: truncation, and the "integer indefinite"
/// `math.MinInt64` for NaN and values out of range.
pub fn float_to_int(x: f64) -> i64 {
    // 2^63 as a float: the first value past the int64 range (NaN is in no range).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&x) { x as i64 } else { i64::MIN }
}

/// `cast.ToFloat64`: strings parse as Go floats, failures give 0.
pub fn to_float64(value: &Value) -> f64 {
    match value {
        Value::Int(i) => *i as f64,
        Value::Float(x) => *x,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Object(o) if o.kind_name() == "string" => parse_go_float(&o.display()).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"1.00"` reads as `"1"`.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b'.' if found_zero => return &s[..i],
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`: sign, base prefix (`0x`, `0o`, `0b`, a bare
/// leading `0` for octal), underscores between digits.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if !underscores_ok(digits, prefixed) {
        return None;
    }
    let digits = digits.replace('_', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
}

/// Go lets underscores only separate digits (or follow a base prefix).
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    let bytes = digits.as_bytes();
    let mut previous_is_digit = prefixed;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            if !previous_is_digit || bytes.get(i + 1).is_none_or(|n| *n == b'_') {
                return false;
            }
            previous_is_digit = false;
        } else {
            previous_is_digit = true;
        }
    }
    true
}

/// `strconv.ParseFloat(s, 64)`: decimal and `0x…p…` hexadecimal forms,
/// underscores between digits, `inf`/`nan` words; out of range fails.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let hex = lower.strip_prefix("0x");
            let digits = hex.unwrap_or(&lower);
            if !underscores_ok(digits, hex.is_some()) {
                return None;
            }
            let digits = digits.replace('_', "");
            let value = match hex {
                Some(_) => parse_hex_float(&digits)?,
                // Rust's parser also takes words Go refuses; Go's decimal grammar is this subset.
                None if digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-')) => {
                    digits.parse::<f64>().ok()?
                }
                None => return None,
            };
            if value.is_infinite() {
                return None;
            }
            value
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The part after `0x` of a Go hexadecimal float: hex digits with an
/// optional point, then a mandatory binary exponent `p±N`.
fn parse_hex_float(text: &str) -> Option<f64> {
    let (mantissa, exponent) = text.split_once('p')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in whole.chars().chain(fraction.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    Some(value * 2f64.powi(exponent - 4 * fraction.len() as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_as_spf13_cast() {
        for (text, n) in [("010", 8), ("1.0", 1), ("1.5", 0), ("0x10", 16), (" 3", 0), ("1e3", 0), ("-0b11", -3)] {
            assert_eq!(to_int64(&Value::from(text)), n, "{text}");
        }
        assert_eq!(to_int64(&Value::from("1_000")), 1000);
        assert_eq!(to_int64(&Value::from("1__0")), 0);
        assert_eq!(to_int64(&Value::Float(-1.9)), -1);
        assert_eq!(to_float64(&Value::from("1e3")), 1000.0);
        assert_eq!(to_float64(&Value::from("x")), 0.0);
    }
}
