//! Sprig's lenient conversions (spf13/cast and its own `strval`), which turn
//! anything into a number or a string without failing: unparsable text is 0,
//! `true` is 1, nil is 0 or "".

use weir_go_compat::strconv;
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
        Value::String(s) => strconv::parse_int(trim_zero_decimal(s)).unwrap_or(0),
        // cast reads a `json.Number` as its text.
        Value::Object(o) if o.kind_name() == "string" => {
            strconv::parse_int(trim_zero_decimal(&o.display())).unwrap_or(0)
        }
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
        Value::String(s) => strconv::parse_float(s).unwrap_or(0.0),
        Value::Object(o) if o.kind_name() == "string" => strconv::parse_float(&o.display()).unwrap_or(0.0),
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
