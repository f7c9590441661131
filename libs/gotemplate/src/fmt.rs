//! Go's `fmt` (`Sprint`, `Sprintln`, `Sprintf`) and the bits of `strconv`
//! (quoting, float formatting) it relies on, over [`Value`].

use crate::Value;

const NIL: &str = "<nil>";

/// Go's `fmt.Sprint`: operands formatted with `%v`, a space between two
/// operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// Go's `fmt.Sprintln`: spaces between all operands, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// Go's `fmt.Sprintf`, including its in-band error notes (`%!d(string=x)`,
/// `%!s(MISSING)`, `%!(EXTRA …)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

fn quote_with(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        escape_rune(&mut out, c, q, ascii_only);
    }
    out.push(q);
    out
}

fn escape_rune(out: &mut String, c: char, q: char, ascii_only: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if if ascii_only { c.is_ascii() && is_print(c) } else { is_print(c) } {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space. Rust has no general categories, so the non-printing
/// classes are listed: controls, separators, format characters, private use.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000.. | 0xFFFE | 0xFFFF)
}

/// `%#U` of a rune: `U+0041 'A'`, or just `U+000A` when not printable.
pub(crate) fn sharp_u(c: char) -> String {
    if is_print(c) { format!("U+{:04X} '{c}'", c as u32) } else { format!("U+{:04X}", c as u32) }
}

/// `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c.is_control())))
}

/// A float's decimal digits (no leading/trailing zeros) and decimal point
/// position, as strconv's `decimal` holds them: `digits` × 10^(dp - len).
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// Shortest digits that round-trip (`prec` None) or `prec` significant digits.
fn digits(v: f64, sig: Option<usize>) -> Digits {
    let v = v.abs();
    if v == 0.0 {
        return Digits { d: Vec::new(), dp: 0 };
    }
    let s = match sig {
        None => format!("{v:e}"),
        Some(n) => format!("{:.*e}", n.saturating_sub(1), v),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    Digits { d, dp: exp + 1 }
}

fn fmt_e(out: &mut String, dg: &Digits, prec: usize, e: char) {
    out.push(dg.d.first().map_or('0', |&b| b as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(dg.d.get(i).map_or('0', |&b| b as char));
        }
    }
    out.push(e);
    let exp = if dg.d.is_empty() { 0 } else { dg.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

fn fmt_f(out: &mut String, dg: &Digits, prec: usize) {
    if dg.dp > 0 {
        for i in 0..dg.dp as usize {
            out.push(dg.d.get(i).map_or('0', |&b| b as char));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i32 {
            let j = dg.dp - 1 + i;
            out.push(if j < 0 { '0' } else { dg.d.get(j as usize).map_or('0', |&b| b as char) });
        }
    }
}

/// `strconv.FormatFloat(v, verb, prec, 64)` for verbs e, E, f, g, G (prec -1 = shortest), with a sign.
fn format_float(v: f64, verb: char, prec: i32) -> String {
    let mut out = String::new();
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    let shortest = prec < 0;
    match verb {
        'x' | 'X' => fmt_hex_float(&mut out, v.abs(), prec, verb),
        'b' => {
            let (mant, exp) = binary_parts(v.abs());
            out.push_str(&format!("{mant}p{:+}", exp - 52));
        }
        'e' | 'E' => {
            let dg = digits(v, if shortest { None } else { Some(prec as usize + 1) });
            let p = if shortest { dg.d.len().saturating_sub(1) } else { prec as usize };
            fmt_e(&mut out, &dg, p, verb);
        }
        'f' => {
            if shortest {
                let dg = digits(v, None);
                fmt_f(&mut out, &dg, (dg.d.len() as i32 - dg.dp).max(0) as usize);
            } else {
                out.push_str(&format!("{:.*}", prec as usize, v.abs()));
            }
        }
        _ => {
            let mut p = if shortest { 0 } else { prec.max(1) };
            let dg = digits(v, if shortest { None } else { Some(p as usize) });
            let nd = dg.d.len() as i32;
            if shortest {
                p = nd;
            }
            let mut eprec = p;
            if eprec > nd && nd >= dg.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dg.dp - 1;
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                let e = if verb == 'G' { 'E' } else { 'e' };
                fmt_e(&mut out, &dg, (p - 1).max(0) as usize, e);
            } else {
                if p > dg.dp {
                    p = nd;
                }
                fmt_f(&mut out, &dg, (p - dg.dp).max(0) as usize);
            }
        }
    }
    out
}

/// A finite float's mantissa (with the implicit bit) and binary exponent, as strconv splits them.
fn binary_parts(v: f64) -> (u64, i32) {
    let bits = v.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    (mant, exp - 1023)
}

/// strconv's `%x` of a float: `0x1.yyyyp±dd`, shortest or rounded to `prec` hex digits.
fn fmt_hex_float(out: &mut String, v: f64, prec: i32, verb: char) {
    let (mut mant, mut exp) = binary_parts(v);
    if mant == 0 {
        exp = 0;
    }
    // Put the leading 1 (if any) at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = prec as u32 * 4;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if verb == 'X' { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    out.push('0');
    out.push(verb);
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    out.push(if verb == 'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
    reordered: bool,
    good_arg_num: bool,
}

/// Go refuses widths and precisions above 1e6.
const TOO_LARGE: usize = 1_000_000;

fn parse_num(s: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let mut num = 0usize;
    let mut any = false;
    while let Some(c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        if num > TOO_LARGE {
            return (None, s.len());
        }
        num = num * 10 + usize::from(c - b'0');
        any = true;
        i += 1;
    }
    (any.then_some(num), i)
}

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = s.chars().count();
        if n >= wid {
            self.buf.push_str(s);
        } else if self.f.minus {
            self.buf.push_str(s);
            // Padding on the right is always spaces.
            self.buf.extend(std::iter::repeat_n(' ', wid - n));
        } else {
            self.write_padding(wid - n);
            self.buf.push_str(s);
        }
    }

    /// Pads with spaces even when the zero flag is set.
    fn pad_spaces(&mut self, s: &str) {
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(s);
        self.f.zero = zero;
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let s = format.as_bytes();
        let end = s.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut i = 0;
        while i < end {
            self.good_arg_num = true;
            let last = i;
            while i < end && s[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.push_str(format.get(last..i).unwrap_or(""));
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match s[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            (arg_num, i, after_index) = self.arg_number(arg_num, s, i, args.len());
            if i < end && s[i] == b'*' {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if !ok {
                    self.buf.push_str("%!(BADWIDTH)");
                    self.f.wid = None;
                } else if n < 0 {
                    self.f.minus = true;
                    self.f.zero = false;
                    self.f.wid = Some(n.unsigned_abs() as usize);
                } else {
                    self.f.wid = Some(n as usize);
                }
                after_index = false;
            } else {
                let (w, next) = parse_num(s, i);
                self.f.wid = w;
                i = next;
                if after_index && w.is_some() {
                    self.good_arg_num = false;
                }
            }
            if i + 1 < end && s[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, s, i, args.len());
                if i < end && s[i] == b'*' {
                    i += 1;
                    let (n, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    self.f.prec = if ok && n >= 0 { Some(n as usize) } else { None };
                    if self.f.prec.is_none() {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, next) = parse_num(s, i);
                    i = next;
                    self.f.prec = Some(p.unwrap_or(0));
                }
            }
            if !after_index {
                (arg_num, i, _) = self.arg_number(arg_num, s, i, args.len());
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format.get(i..).and_then(|r| r.chars().next()).unwrap_or('?');
            i += verb.len_utf8();
            if verb == '%' {
                self.buf.push('%');
            } else if !self.good_arg_num {
                self.buf.push_str(&format!("%!{verb}(BADINDEX)"));
            } else if arg_num >= args.len() {
                self.buf.push_str(&format!("%!{verb}(MISSING)"));
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (k, arg) in args.iter().skip(arg_num).enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                if let Value::Nil = arg {
                    self.buf.push_str(NIL);
                } else {
                    self.buf.push_str(arg.type_name());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }

    /// `[n]` argument index at `i`: the new argument number, position, and whether one was found.
    fn arg_number(&mut self, arg_num: usize, s: &[u8], i: usize, nargs: usize) -> (usize, usize, bool) {
        if s.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let rest = &s[i..];
        let (index, wid, ok) = parse_arg_number(rest);
        if ok && index.is_some_and(|x| x < nargs) {
            return (index.unwrap_or(0), i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }

    fn bad_verb(&mut self, verb: char, arg: &Value) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if let Value::Nil = arg {
            self.buf.push_str(NIL);
        } else {
            self.buf.push_str(arg.type_name());
            self.buf.push('=');
            let f = std::mem::take(&mut self.f);
            self.print_arg(arg, 'v');
            self.f = f;
        }
        self.buf.push(')');
    }

    fn print_arg(&mut self, arg: &Value, verb: char) {
        self.print_value(arg, verb, 0);
    }

    fn print_value(&mut self, arg: &Value, verb: char, depth: usize) {
        if verb == 'T' {
            let t = arg.type_name().to_string();
            self.fmt_s(&t);
            return;
        }
        match arg {
            Value::Nil => {
                if depth > 0 || verb == 'v' {
                    // Only a nil inside a container shows its interface type.
                    if self.f.sharp_v && depth > 0 {
                        self.pad("interface {}(nil)");
                    } else {
                        self.pad(NIL);
                    }
                } else {
                    self.bad_verb(verb, arg);
                }
            }
            _ if verb == 'p' => self.bad_verb(verb, arg),
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, arg),
            },
            Value::Int(i) => self.fmt_int(*i, verb, arg),
            Value::Float(x) => self.fmt_float(*x, verb, arg),
            Value::String(s) => self.fmt_string(s, verb, arg),
            Value::Bytes(b) => self.fmt_bytes(b, verb),
            Value::List(items) => {
                if self.f.sharp_v {
                    self.buf.push_str(arg.type_name());
                    self.buf.push('{');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.buf.push('}');
                    return;
                }
                self.buf.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push(']');
            }
            Value::Map(m) => {
                let m = m.borrow();
                if self.f.sharp_v {
                    self.buf.push_str(arg.type_name());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k, verb, &Value::from(k.as_str()));
                    self.buf.push(':');
                    self.print_value(v, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => match verb {
                // Go calls String() for the verbs that format strings.
                'v' | 's' | 'x' | 'X' | 'q' => {
                    let s = o.display();
                    self.fmt_string(&s, verb, arg);
                }
                _ => self.bad_verb(verb, arg),
            },
        }
    }

    fn fmt_s(&mut self, s: &str) {
        match self.f.prec {
            Some(p) => {
                let cut: String = s.chars().take(p).collect();
                self.pad(&cut);
            }
            None => self.pad(s),
        }
    }

    fn fmt_q(&mut self, s: &str) {
        let s: String = match self.f.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        };
        if self.f.sharp && can_backquote(&s) {
            self.pad(&format!("`{s}`"));
        } else {
            self.pad(&quote_with(&s, '"', self.f.plus));
        }
    }

    fn fmt_sx(&mut self, b: &[u8], upper: bool) {
        let digits: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
        let x = if upper { 'X' } else { 'x' };
        let length = match self.f.prec {
            Some(p) if p < b.len() => p,
            _ => b.len(),
        };
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let wid = self.f.wid.unwrap_or(0);
        if wid > width && !self.f.minus {
            self.write_padding(wid - width);
        }
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, c) in b.iter().take(length).enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            self.buf.push(digits[usize::from(c >> 4)] as char);
            self.buf.push(digits[usize::from(c & 15)] as char);
        }
        if wid > width && self.f.minus {
            self.write_padding(wid - width);
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char, arg: &Value) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sx(s.as_bytes(), false),
            'X' => self.fmt_sx(s.as_bytes(), true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char) {
        match verb {
            'v' | 'd' if self.f.sharp_v => {
                self.buf.push_str("[]byte{");
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(", ");
                    }
                    self.buf.push_str(&format!("{c:#x}"));
                }
                self.buf.push('}');
            }
            's' => self.fmt_s(&String::from_utf8_lossy(b)),
            'x' => self.fmt_sx(b, false),
            'X' => self.fmt_sx(b, true),
            'q' => self.fmt_q(&String::from_utf8_lossy(b)),
            _ => {
                self.buf.push('[');
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    let v = Value::Int(i64::from(*c));
                    self.fmt_int(i64::from(*c), if verb == 'v' { 'd' } else { verb }, &v);
                }
                self.buf.push(']');
            }
        }
    }

    fn fmt_int(&mut self, i: i64, verb: char, arg: &Value) {
        let (neg, u) = (i < 0, i.unsigned_abs());
        match verb {
            'v' | 'd' => self.fmt_integer(neg, u, 10, verb, false),
            'b' => self.fmt_integer(neg, u, 2, verb, false),
            'o' | 'O' => self.fmt_integer(neg, u, 8, verb, false),
            'x' => self.fmt_integer(neg, u, 16, verb, false),
            'X' => self.fmt_integer(neg, u, 16, verb, true),
            'c' => {
                let c = u32::try_from(i).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
                self.pad(c.encode_utf8(&mut [0; 4]));
            }
            'q' => {
                let c = u32::try_from(i).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
                let q = quote_with(c.encode_utf8(&mut [0; 4]), '\'', self.f.plus);
                self.pad(&q);
            }
            'U' => {
                let mut s = format!("U+{:04X}", i as u64);
                if let Some(p) = self.f.prec.filter(|&p| p > 4) {
                    let hex = format!("{:0p$X}", i as u64);
                    s = format!("U+{hex}");
                }
                if self.f.sharp
                    && let Some(c) = u32::try_from(i).ok().and_then(char::from_u32).filter(|&c| is_print(c))
                {
                    s.push_str(&format!(" '{c}'"));
                }
                self.pad_spaces(&s);
            }
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_integer(&mut self, neg: bool, u: u64, base: u32, verb: char, upper: bool) {
        let mut prec = 0;
        if let Some(p) = self.f.prec {
            if p == 0 && u == 0 {
                let w = self.f.wid.unwrap_or(0);
                let zero = std::mem::replace(&mut self.f.zero, false);
                self.write_padding(w);
                self.f.zero = zero;
                return;
            }
            prec = p;
        } else if self.f.zero
            && !self.f.minus
            && let Some(w) = self.f.wid
        {
            prec = w;
            if neg || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        if digits.len() < prec {
            digits = "0".repeat(prec - digits.len()) + &digits;
        }
        let mut s = String::new();
        if neg {
            s.push('-');
        } else if self.f.plus {
            s.push('+');
        } else if self.f.space {
            s.push(' ');
        }
        if self.f.sharp {
            match base {
                2 => s.push_str("0b"),
                8 if !digits.starts_with('0') => s.push('0'),
                16 => s.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            s.push_str("0o");
        }
        s.push_str(&digits);
        self.pad_spaces(&s);
    }

    fn fmt_float(&mut self, v: f64, verb: char, arg: &Value) {
        let (verb, prec) = match verb {
            'v' => ('g', -1),
            'g' | 'G' | 'x' | 'X' | 'b' => (verb, -1),
            'e' | 'E' | 'f' => (verb, 6),
            'F' => ('f', 6),
            _ => return self.bad_verb(verb, arg),
        };
        let prec = self.f.prec.map_or(prec, |p| p as i32);
        let mut num = format_float(v, verb, prec);
        if !num.starts_with(['-', '+']) {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(..1, " ");
        }
        if num[1..].starts_with(['I', 'N']) {
            if num[1..].starts_with('N') && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad_spaces(&num);
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(num, verb, prec);
        }
        if self.f.plus || !num.starts_with('+') {
            if self.f.zero && !self.f.minus && self.f.wid.is_some_and(|w| w > num.len()) {
                let w = self.f.wid.unwrap_or(0);
                self.buf.push_str(&num[..1]);
                self.write_padding(w - num.len());
                self.buf.push_str(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }
}

/// `%#g` and friends: always a decimal point; `g` and `x` keep their trailing zeros.
fn sharp_float(num: String, verb: char, prec: i32) -> String {
    let mut digits: i32 = match verb {
        'g' | 'G' | 'x' | 'X' => {
            if prec == -1 {
                6
            } else {
                prec
            }
        }
        _ => 0,
    };
    let exponent = if matches!(verb, 'x' | 'X') { num.find(['p', 'P']) } else { num.find(['e', 'E']) };
    let (mut body, tail) = match exponent {
        Some(i) => (num[..i].to_string(), num[i..].to_string()),
        None => (num, String::new()),
    };
    let mut has_point = false;
    let mut saw_nonzero = false;
    for c in body.chars().skip(1) {
        match c {
            '.' => has_point = true,
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
    }
    if !has_point {
        if body.len() == 2 && body.ends_with('0') {
            digits -= 1;
        }
        body.push('.');
    }
    while digits > 0 {
        body.push('0');
        digits -= 1;
    }
    body + &tail
}

/// `[n]`: the zero-based index, the bytes consumed, and whether it parsed.
fn parse_arg_number(s: &[u8]) -> (Option<usize>, usize, bool) {
    if s.len() < 3 {
        return (None, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (n, next) = parse_num(&s[..i], 1);
            return match n {
                Some(n) if next == i => (n.checked_sub(1), i + 1, true),
                _ => (None, i + 1, false),
            };
        }
    }
    (None, 1, false)
}

/// A `*` width or precision taken from the arguments.
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    match args.get(arg_num) {
        Some(Value::Int(n)) if n.unsigned_abs() <= TOO_LARGE as u64 => (*n, true, arg_num + 1),
        Some(_) => (0, false, arg_num + 1),
        None => (0, false, arg_num),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_strconv() {
        assert_eq!(format_float(1e6, 'g', -1), "1e+06");
        assert_eq!(format_float(123456.0, 'g', -1), "123456");
        assert_eq!(format_float(0.0001, 'g', -1), "0.0001");
        assert_eq!(format_float(0.00001, 'g', -1), "1e-05");
        assert_eq!(format_float(1.0, 'g', 3), "1");
        assert_eq!(format_float(1234.0, 'g', 3), "1.23e+03");
        assert_eq!(format_float(0.5, 'g', 5), "0.5");
        assert_eq!(format_float(1.23456, 'e', 2), "1.23e+00");
        assert_eq!(format_float(-2.5, 'f', 0), "-2");
        assert_eq!(format_float(0.0, 'e', 6), "0.000000e+00");
    }
}
