//! Arbitrary input must give output or an error, never a panic.

use std::collections::BTreeMap;

use weir_gotemplate::{FuncMap, Templates, Value, sprintf};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ".",
    ".a",
    ".b",
    ".l",
    "\"s\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "0x1F",
    "1.5e3",
    "nil",
    "true",
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "print",
    "printf",
    "println",
    "html",
    "js",
    "urlquery",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "call",
    ",",
    "\"%d %s %v %[2]q %*x %-08.3f %!\"",
    "é",
    "\\",
    "\"",
    "'",
    "`",
    "#",
    "x",
    "0",
    "-",
    "{{ define \"t\" }}",
    "{{ template \"t\" . }}",
];

#[test]
fn random_templates_never_panic() {
    let data = Value::map(BTreeMap::from([
        ("a".to_string(), Value::from("x")),
        ("b".to_string(), Value::Nil),
        ("l".to_string(), Value::list(vec![Value::Int(1), Value::from("y"), Value::Nil])),
    ]));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let n = 1 + rng.next() % 24;
        let text: String = (0..n).map(|_| rng.pick(PIECES)).collect();
        let mut t = Templates::new(FuncMap::new());
        if t.parse("x", &text).is_ok() {
            let _ = t.execute("x", data.clone());
        }
        let args =
            [Value::Int(rng.next() as i64), Value::Float(f64::from_bits(rng.next())), Value::from(text.as_str())];
        let _ = sprintf(&text, &args);
    }
}
