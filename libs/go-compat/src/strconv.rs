//! Go's `strconv` number parsing: `ParseInt(s, 0, 64)`, `ParseUint(s, 0, 64)`
//! and `ParseFloat(s, 64)`.
//!
//! Rust's parsers differ: they know no base prefixes or `_` digit
//! separators, `f64::from_str` has no hexadecimal floats, accepts a signed
//! `NaN`, and returns infinity where Go reports an out-of-range error. The
//! syntax is therefore checked here; only well-formed digits reach Rust's
//! (correctly rounded) parsers.

/// The value of `text` read as Go's `ParseInt(text, 0, 64)`: an optional
/// sign, a base prefix (`0x`, `0o`, `0b`, or a bare leading `0` for octal),
/// `_` only between digits; `None` where Go returns an error.
pub fn parse_int(text: &str) -> Option<i64> {
    let (negative, unsigned) = split_sign(text);
    let magnitude = parse_uint(unsigned)?;
    if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
}

/// The value of `text` read as Go's `ParseUint(text, 0, 64)`: as
/// [`parse_int`] but without a sign.
pub fn parse_uint(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let (radix, digits) = match bytes {
        [b'0', b'x' | b'X', ..] => (16, &text[2..]),
        [b'0', b'o' | b'O', ..] => (8, &text[2..]),
        [b'0', b'b' | b'B', ..] => (2, &text[2..]),
        [b'0', _, ..] => (8, &text[1..]),
        _ => (10, text),
    };
    if text.contains('_') && !underscores_ok(text) {
        return None;
    }
    let digits = digits.replace('_', "");
    // from_str_radix alone would accept a sign.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    }
}

/// The value of `text` read as Go's `ParseFloat(text, 64)`, or `None` where
/// Go returns an error (bad syntax, or a finite number too large for f64).
pub fn parse_float(text: &str) -> Option<f64> {
    let (negative, unsigned) = split_sign(text);
    let magnitude = if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if unsigned.eq_ignore_ascii_case("nan") {
        // Go accepts `NaN` only without a sign.
        if unsigned.len() != text.len() {
            return None;
        }
        f64::NAN
    } else {
        if text.contains('_') && !underscores_ok(text) {
            return None;
        }
        let bytes = unsigned.as_bytes();
        let finite = if bytes.len() > 2 && bytes[0] == b'0' && bytes[1].eq_ignore_ascii_case(&b'x') {
            parse_hex(&unsigned[2..])?
        } else {
            parse_decimal(unsigned)?
        };
        // Go reports overflow as an error rather than returning infinity.
        if finite.is_infinite() {
            return None;
        }
        finite
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Go's rule for `_`: only between digits, or between a base prefix and a
/// digit.
fn underscores_ok(text: &str) -> bool {
    #[derive(PartialEq)]
    enum Seen {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let bytes = unsigned.as_bytes();
    let mut seen = Seen::Start;
    let mut at = 0;
    let mut hex = false;
    if bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        at = 2;
        seen = Seen::Digit;
        hex = bytes[1].eq_ignore_ascii_case(&b'x');
    }
    for &b in &bytes[at..] {
        if b.is_ascii_digit() || (hex && b.is_ascii_hexdigit()) {
            seen = Seen::Digit;
        } else if b == b'_' {
            if seen != Seen::Digit {
                return false;
            }
            seen = Seen::Underscore;
        } else if seen == Seen::Underscore {
            return false;
        } else {
            seen = Seen::Other;
        }
    }
    seen != Seen::Underscore
}

/// `digits[.digits][(e|E)[+-]digits]` with at least one mantissa digit;
/// underscores were validated by the caller and are dropped here.
fn parse_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let (mut digits, mut dot) = (false, false);
    while let Some(&b) = bytes.get(at) {
        match b {
            b'0'..=b'9' => digits = true,
            b'_' => {}
            b'.' if !dot => dot = true,
            _ => break,
        }
        at += 1;
    }
    if !digits {
        return None;
    }
    if at < bytes.len() {
        if !bytes[at].eq_ignore_ascii_case(&b'e') {
            return None;
        }
        exponent_digits(&text[at + 1..])?;
    }
    text.replace('_', "").parse().ok()
}

/// Checks `[+-]digit(digit|_)*` and returns its value, saturated far beyond
/// any exponent that still changes an f64.
fn exponent_digits(text: &str) -> Option<i64> {
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => (1, text),
    };
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => value = (value * 10 + i64::from(b - b'0')).min(1_000_000),
            b'_' => {}
            _ => return None,
        }
    }
    Some(sign * value)
}

/// A hexadecimal float after its `0x`: `hexdigits[.hexdigits](p|P)exponent`;
/// the binary exponent is mandatory, as in Go.
fn parse_hex(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut mantissa: u64 = 0;
    // Power of two applied to `mantissa`, and whether nonzero digits were
    // dropped for lack of room (they only matter for rounding).
    let mut exponent: i64 = 0;
    let mut inexact = false;
    let (mut digits, mut dot) = (false, false);
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'_' => {}
            b'.' if !dot => dot = true,
            _ if b.is_ascii_hexdigit() => {
                digits = true;
                let digit = u64::from((b as char).to_digit(16)?);
                if mantissa >> 60 == 0 {
                    mantissa = mantissa * 16 + digit;
                    exponent -= if dot { 4 } else { 0 };
                } else {
                    inexact |= digit != 0;
                    exponent += if dot { 0 } else { 4 };
                }
            }
            _ => break,
        }
        at += 1;
    }
    if !digits || !bytes.get(at)?.eq_ignore_ascii_case(&b'p') {
        return None;
    }
    Some(compose_binary(mantissa, exponent + exponent_digits(&text[at + 1..])?, inexact))
}

/// `mantissa * 2^exponent` rounded to the nearest f64 (ties to even), where
/// `inexact` says the true mantissa had more nonzero bits below the kept
/// ones. Overflow gives infinity, which the caller reports as Go's error.
fn compose_binary(mantissa: u64, exponent: i64, inexact: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let leading = mantissa.leading_zeros();
    let normalized = u128::from(mantissa << leading);
    // Weight of the leading bit: 2^top.
    let mut top = exponent + 63 - i64::from(leading);
    // Bits of precision available: 53, fewer once subnormal.
    let kept = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    let shift = 64 - kept;
    if shift > 127 {
        return 0.0;
    }
    let mut rounded = normalized >> shift;
    let remainder = normalized & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if remainder > half || (remainder == half && (inexact || rounded & 1 == 1)) {
        rounded += 1;
    }
    let bits = if top >= -1022 {
        if rounded == 1 << 53 {
            rounded >>= 1;
            top += 1;
        }
        if top > 1023 {
            return f64::INFINITY;
        }
        ((top + 1023) as u64) << 52 | (rounded as u64 & ((1 << 52) - 1))
    } else {
        // Subnormal: the exponent field is 0, or 1 if rounding carried into
        // the smallest normal, which the addition produces by itself.
        rounded as u64
    };
    f64::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexadecimal_rounding_matches_ieee() {
        // Go's atofHex rounds to nearest, ties to even, into subnormals, and
        // reports overflow (strconv atof_test.go hex rows).
        let table: &[(&str, Option<f64>)] = &[
            ("0x1p-2", Some(0.25)),
            ("0x1.fffffffffffffp1023", Some(f64::MAX)),
            ("0x1.fffffffffffff8p1023", None),
            ("0x1p1024", None),
            ("0x1p-1022", Some(f64::MIN_POSITIVE)),
            ("0x1p-1074", Some(f64::from_bits(1))),
            ("0x1p-1075", Some(0.0)),
            ("0x1.8p-1075", Some(f64::from_bits(1))),
            ("0x3p-1075", Some(f64::from_bits(2))),
            ("0x1.00000000000008p0", Some(1.0)),
            ("0x1.00000000000018p0", Some(1.0 + 2.0 * f64::EPSILON)),
            ("0x1.000000000000080000001p0", Some(1.0 + f64::EPSILON)),
            ("-0x0p0", Some(-0.0)),
            ("0X1P+2", Some(4.0)),
            ("0x.8p1", Some(1.0)),
            ("0xp1", None),
            ("0x1p", None),
        ];
        for (text, expected) in table {
            let got = parse_float(text);
            assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "{text}");
        }
    }

    #[test]
    fn decimal_syntax() {
        let table: &[(&str, Option<f64>)] = &[
            ("1.e5", Some(1e5)),
            ("1e+5", Some(1e5)),
            ("1e", None),
            ("1e+", None),
            ("1e_5", None),
            ("1e1_0", Some(1e10)),
            ("1._5", None),
            ("1_.5", None),
            ("1..5", None),
            ("infinity", Some(f64::INFINITY)),
            ("-INF", Some(f64::NEG_INFINITY)),
            ("+NaN", None),
            ("", None),
            ("+", None),
            (" 1", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_float(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn integers_as_go() {
        let table: &[(&str, Option<i64>)] = &[
            ("010", Some(8)),
            ("0x1F", Some(31)),
            ("-0b11", Some(-3)),
            ("0o17", Some(15)),
            ("1_000", Some(1000)),
            ("0x_1", Some(1)),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("0x", None),
            ("+-1", None),
            ("", None),
            (" 1", None),
            ("08", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_int(text), *expected, "{text:?}");
        }
        assert_eq!(parse_uint("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_uint("+1"), None);
    }
}
