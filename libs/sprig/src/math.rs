//! Sprig's arithmetic. The integer functions convert every operand with
//! `cast.ToInt64` (so `"3"` is 3 and `2.9` is 2) and wrap on overflow as Go
//! does; the `…f` functions go through shopspring/decimal, so `addf 1.1 2.2`
//! is exactly 3.3.

use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, Result, define, divide_by_zero, fail, int, string, wrong_type};
use weir_go_compat::strconv;

use crate::convert::{strval, to_float64, to_int64};

pub fn register(map: &mut FuncMap) {
    define(map, "add1", Arity::Exact(1), |args| Ok(Value::Int(to_int64(&args[0]).wrapping_add(1))));
    define(map, "add", Arity::AtLeast(0), |args| Ok(Value::Int(args.iter().map(to_int64).fold(0, i64::wrapping_add))));
    define(map, "sub", Arity::Exact(2), |args| Ok(Value::Int(to_int64(&args[0]).wrapping_sub(to_int64(&args[1])))));
    define(map, "mul", Arity::AtLeast(1), |args| {
        Ok(Value::Int(args[1..].iter().map(to_int64).fold(to_int64(&args[0]), i64::wrapping_mul)))
    });
    define(map, "div", Arity::Exact(2), |args| {
        let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
        if b == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int(a.wrapping_div(b)))
    });
    define(map, "mod", Arity::Exact(2), |args| {
        let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
        if b == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int(a.wrapping_rem(b)))
    });
    for name in ["max", "biggest"] {
        define(map, name, Arity::AtLeast(1), |args| Ok(Value::Int(args.iter().map(to_int64).fold(i64::MIN, i64::max))));
    }
    define(map, "min", Arity::AtLeast(1), |args| Ok(Value::Int(args.iter().map(to_int64).fold(i64::MAX, i64::min))));
    define(map, "maxf", Arity::AtLeast(1), |args| Ok(Value::Float(fold_floats(args, go_max))));
    define(map, "minf", Arity::AtLeast(1), |args| Ok(Value::Float(fold_floats(args, go_min))));
    define(map, "ceil", Arity::Exact(1), |args| Ok(Value::Float(to_float64(&args[0]).ceil())));
    define(map, "floor", Arity::Exact(1), |args| Ok(Value::Float(to_float64(&args[0]).floor())));
    define(map, "round", Arity::AtLeast(2), |args| {
        let (value, places) = (to_float64(&args[0]), int(&args[1])?);
        let round_on = match args.get(2) {
            Some(v) => float(v)?,
            None => 0.5,
        };
        Ok(Value::Float(round(value, places as f64, round_on)))
    });
    define(map, "add1f", Arity::Exact(1), |args| decimal_op(&args[0], &[Value::Int(1)], Op::Add));
    define(map, "addf", Arity::AtLeast(0), |args| decimal_op(&Value::Float(0.0), args, Op::Add));
    define(map, "subf", Arity::AtLeast(1), |args| decimal_op(&args[0], &args[1..], Op::Sub));
    define(map, "mulf", Arity::AtLeast(1), |args| decimal_op(&args[0], &args[1..], Op::Mul));
    define(map, "divf", Arity::AtLeast(1), |args| decimal_op(&args[0], &args[1..], Op::Div));
    define(map, "randInt", Arity::Exact(2), |args| {
        let (min, max) = (int(&args[0])?, int(&args[1])?);
        let span = max.wrapping_sub(min);
        if span <= 0 {
            return Err(fail("invalid argument to Intn"));
        }
        Ok(Value::Int(min + (crate::random::below(span.unsigned_abs()) as i64)))
    });
    define(map, "atoi", Arity::Exact(1), |args| Ok(Value::Int(atoi(&string(&args[0])?))));
    define(map, "int64", Arity::Exact(1), |args| Ok(Value::Int(to_int64(&args[0]))));
    define(map, "int", Arity::Exact(1), |args| Ok(Value::Int(to_int64(&args[0]))));
    define(map, "float64", Arity::Exact(1), |args| Ok(Value::Float(to_float64(&args[0]))));
    // `strconv.ParseInt(fmt.Sprint(v), 8, 64)`, 0 on any error.
    define(map, "toDecimal", Arity::Exact(1), |args| {
        let text = strval(&args[0]);
        let digits = text.strip_prefix(['+', '-']).unwrap_or(&text);
        let valid = !digits.is_empty() && digits.bytes().all(|b| (b'0'..=b'7').contains(&b));
        Ok(Value::Int(if valid { i64::from_str_radix(&text, 8).unwrap_or(0) } else { 0 }))
    });
}

/// A float64 parameter: Go's template converts integer constants to it.
fn float(value: &Value) -> Result<f64> {
    match value {
        Value::Float(x) => Ok(*x),
        Value::Int(i) => Ok(*i as f64),
        other => Err(wrong_type("float64", other)),
    }
}

fn fold_floats(args: &[Value], f: fn(f64, f64) -> f64) -> f64 {
    args[1..].iter().map(to_float64).fold(to_float64(&args[0]), f)
}

/// Go's `math.Max`: NaN wins, +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b && a == 0.0 {
        if a.is_sign_negative() { b } else { a }
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b && a == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else {
        a.min(b)
    }
}

/// Sprig's `round`: round up when the fraction at `places` reaches `round_on`.
fn round(value: f64, places: f64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places);
    let digit = pow * value;
    let rounded = if digit.fract() >= round_on { digit.ceil() } else { digit.floor() };
    rounded / pow
}

/// `strconv.Atoi` with Sprig's ignored error: 0 for bad syntax, the nearest
/// bound when out of range.
fn atoi(text: &str) -> i64 {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    strconv::parse_int(text.trim_start_matches('+')).unwrap_or(if text.starts_with('-') { i64::MIN } else { i64::MAX })
}

/// An exact decimal `mantissa × 10^exponent`, as shopspring/decimal holds it.
#[derive(Clone, Copy)]
struct Decimal {
    mantissa: i128,
    exponent: i32,
}

/// shopspring's `DivisionPrecision`: quotients keep 16 decimal places.
const DIVISION_PRECISION: i32 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `x`.
    fn from_float(x: f64) -> Option<Decimal> {
        let text = format!("{x:e}");
        let (mantissa, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let fraction_digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        Some(Decimal { mantissa: mantissa.replace('.', "").parse().ok()?, exponent: exponent - fraction_digits })
    }

    fn to_float(self) -> f64 {
        format!("{}e{}", self.mantissa, self.exponent).parse().unwrap_or(f64::NAN)
    }

    fn scaled(self, exponent: i32) -> Option<i128> {
        self.mantissa.checked_mul(10i128.checked_pow(u32::try_from(self.exponent - exponent).ok()?)?)
    }

    fn aligned(a: Decimal, b: Decimal) -> Option<(i128, i128, i32)> {
        let exponent = a.exponent.min(b.exponent);
        Some((a.scaled(exponent)?, b.scaled(exponent)?, exponent))
    }

    fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, exponent) = Decimal::aligned(a, b)?;
        Some(Decimal { mantissa: x.checked_add(y)?, exponent })
    }

    fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, exponent) = Decimal::aligned(a, b)?;
        Some(Decimal { mantissa: x.checked_sub(y)?, exponent })
    }

    fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
        Some(Decimal { mantissa: a.mantissa.checked_mul(b.mantissa)?, exponent: a.exponent.checked_add(b.exponent)? })
    }

    /// The quotient rounded half away from zero to 16 places; the caller has
    /// ruled out a zero divisor.
    fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
        let shift = a.exponent - b.exponent + DIVISION_PRECISION;
        let power = |n: i32| 10i128.checked_pow(n.unsigned_abs());
        let (numerator, denominator) = if shift >= 0 {
            (a.mantissa.checked_mul(power(shift)?)?, b.mantissa)
        } else {
            (a.mantissa, b.mantissa.checked_mul(power(shift)?)?)
        };
        let (quotient, remainder) = (numerator / denominator, numerator % denominator);
        let away = remainder.unsigned_abs().checked_mul(2)? >= denominator.unsigned_abs();
        let sign = if (numerator < 0) != (denominator < 0) { -1 } else { 1 };
        Some(Decimal { mantissa: if away { quotient + sign } else { quotient }, exponent: -DIVISION_PRECISION })
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn exact(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        match self {
            Op::Add => Decimal::add(a, b),
            Op::Sub => Decimal::sub(a, b),
            Op::Mul => Decimal::mul(a, b),
            Op::Div => Decimal::div(a, b),
        }
    }

    fn float(self, a: f64, b: f64) -> f64 {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div => a / b,
        }
    }
}

/// Sprig's `execDecimalOp`: fold the operands as decimals, then back to
/// float64. Once a result outgrows the exact representation the rest is
/// float arithmetic.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<Value> {
    let decimal = |v: &Value| {
        let x = to_float64(v);
        Decimal::from_float(x)
            .ok_or_else(|| fail(format!("Cannot create a Decimal from {}", weir_gotemplate::format_float(x))))
    };
    let mut exact = Some(decimal(first)?);
    let mut result = to_float64(first);
    for operand in rest {
        let d = decimal(operand)?;
        if op == Op::Div && d.mantissa == 0 {
            return Err(fail("decimal division by 0"));
        }
        exact = exact.and_then(|acc| op.exact(acc, d));
        result = match exact {
            Some(acc) => acc.to_float(),
            None => op.float(result, d.to_float()),
        };
    }
    Ok(Value::Float(exact.map_or(result, Decimal::to_float)))
}
