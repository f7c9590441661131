//! YAML as Helm reads and writes it.
//!
//! Helm goes through sigs.k8s.io/yaml: a document is decoded by go-yaml v2
//! (YAML 1.1 scalars: `yes`/`on`/`y` are booleans, `012` is octal), turned
//! into JSON and decoded again into `interface{}`, so every number ends up a
//! float64 and every key a string. Writing is the reverse: `json.Marshal`,
//! then go-yaml v2's encoder (sorted keys, width-80 folding, `|-` blocks).
//! `toYamlPretty` uses go-yaml v3's encoder directly instead.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use weir_go_yaml::{
    GoInt, analyze, double_quoted_escape, format_float_g, is_base60_float, is_break, is_timestamp, is_yaml_float,
    parse_int,
};
use weir_gotemplate::{Map, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::json::JsonNumber;

/// Decodes the first document of `text` as Helm's `fromYaml` and values files
/// do (sigs.k8s.io/yaml `Unmarshal` into `interface{}`): numbers become
/// floats, keys strings; an empty document is `Nil`. Errors read as Go's
/// (`error converting YAML to JSON: yaml: line 3: …`).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    decode(text, Numbers::Float64)
}

/// [`from_yaml`] with the JSON decoder's `UseNumber`: every number becomes a
/// [`JsonNumber`] holding its JSON text. Helm 3.18 reads a chart's
/// `values.yaml` this way (`chartutil.ReadValues`), so templates see such
/// numbers as strings of kind `json.Number`: `0` is true, `1000000` prints as is.
pub fn from_yaml_use_number(text: &str) -> Result<Value, String> {
    decode(text, Numbers::JsonNumber)
}

/// How decoded numbers are typed, as Go's JSON decoder would type them.
#[derive(Clone, Copy)]
enum Numbers {
    Float64,
    JsonNumber,
}

fn decode(text: &str, numbers: Numbers) -> Result<Value, String> {
    let node = load_first_document(text).map_err(|e| format!("error converting YAML to JSON: yaml: {e}"))?;
    let mut budget = EXPANSION_BUDGET;
    to_json_value(&node, &mut budget, numbers).map_err(|e| format!("error converting YAML to JSON: {e}"))
}

/// `yaml.Marshal` of sigs.k8s.io/yaml (JSON first, then go-yaml v2), ending
/// in a newline; empty when JSON cannot hold the value (NaN, infinities), as
/// Helm's `toYaml` swallows that error. [`marshal`] reports it.
pub fn to_yaml(value: &Value) -> String {
    marshal(value).unwrap_or_default()
}

/// [`to_yaml`] with its error: `json: unsupported value: NaN`.
pub fn marshal(value: &Value) -> Result<String, String> {
    let node = Out::from_json_value(value, 0)?;
    Ok(Emitter::new(Flavor::V2).document(&node))
}

/// Helm's `toYamlPretty`: go-yaml v3's encoder with a 2-space indent, fed the
/// value directly (no JSON round trip, so 1e6 stays `1e+06`).
pub fn to_yaml_pretty(value: &Value) -> String {
    Emitter::new(Flavor::V3).document(&Out::from_value_v3(value, 0))
}

/// How many nodes aliases may expand to (go-yaml refuses "excessive aliasing").
const EXPANSION_BUDGET: usize = 5_000_000;

// ---------------------------------------------------------------- decoding

enum Node {
    Scalar { value: String, style: TScalarStyle, tag: Option<Tag> },
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
}

fn load_first_document(text: &str) -> Result<Rc<Node>, String> {
    let mut loader = Loader { parser: Parser::new_from_str(text), anchors: HashMap::new() };
    loop {
        let (event, mark) = loader.next()?;
        match event {
            Event::StreamStart | Event::DocumentStart | Event::Nothing => continue,
            Event::StreamEnd | Event::DocumentEnd => {
                return Ok(Rc::new(Node::Scalar { value: String::new(), style: TScalarStyle::Plain, tag: None }));
            }
            event => return loader.node(event, mark, 0),
        }
    }
}

struct Loader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Rc<Node>>,
}

impl Loader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), String> {
        self.parser.next_token().map_err(|e| go_yaml_error(e.marker().line(), e.info()))
    }

    fn node(&mut self, event: Event, mark: Marker, depth: usize) -> Result<Rc<Node>, String> {
        if depth > crate::MAX_DEPTH {
            return Err(format!("line {}: exceeded max depth of {}", mark.line(), crate::MAX_DEPTH));
        }
        let (node, anchor) = match event {
            Event::Alias(id) => {
                return self.anchors.get(&id).cloned().ok_or_else(|| format!("line {}: unknown anchor", mark.line()));
            }
            Event::Scalar(value, style, anchor, tag) => (Rc::new(Node::Scalar { value, style, tag }), anchor),
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if let Event::SequenceEnd = event {
                        break;
                    }
                    items.push(self.node(event, mark, depth + 1)?);
                }
                (Rc::new(Node::Seq(items)), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut pairs = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if let Event::MappingEnd = event {
                        break;
                    }
                    let key = self.node(event, mark, depth + 1)?;
                    let (event, mark) = self.next()?;
                    let value = self.node(event, mark, depth + 1)?;
                    pairs.push((key, value));
                }
                (Rc::new(Node::Map(pairs)), anchor)
            }
            _ => return Err(format!("line {}: did not find expected node content", mark.line())),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

/// yaml-rust2's error in go-yaml's words. go-yaml drops the "while …"
/// context and numbers lines its own way: from the 0-based line of the
/// problem, plus one for scanner errors, and none at all on the first line.
fn go_yaml_error(line: usize, info: &str) -> String {
    let (context, problem) = info.split_once(", ").unwrap_or(("", info));
    let problem = if problem.starts_with("expected ") { format!("did not find {problem}") } else { problem.to_owned() };
    let zero_based = line.saturating_sub(1);
    if zero_based == 0 {
        return problem;
    }
    let shown = if context.starts_with("while parsing") { zero_based } else { zero_based + 1 };
    format!("line {shown}: {problem}")
}

/// A scalar as go-yaml v2 resolves it.
#[derive(Debug, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Int(GoInt),
    Float(f64),
    Str(String),
}

/// go-yaml v2's implicit resolution of a plain scalar (YAML 1.1 booleans,
/// `0x`/`0o`/`0b`/leading-zero octal integers, underscores ignored in numbers).
fn resolve_plain(s: &str) -> Scalar {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Scalar::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Scalar::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => {
            if is_yaml_float(s)
                && let Ok(x) = s.parse::<f64>()
            {
                return Scalar::Float(x);
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            let plain = s.replace('_', "");
            if let Some(i) = parse_int(&plain) {
                return Scalar::Int(i);
            }
            // Go's ParseFloat refuses what overflows; such text stays a string.
            if is_yaml_float(&plain)
                && let Ok(x) = plain.parse::<f64>()
                && x.is_finite()
            {
                return Scalar::Float(x);
            }
        }
        _ => {}
    }
    Scalar::Str(s.to_owned())
}

fn resolve_node_scalar(value: &str, style: TScalarStyle, tag: Option<&Tag>) -> Scalar {
    match tag {
        Some(tag) if tag.handle == "tag:yaml.org,2002:" => match tag.suffix.as_str() {
            "str" => Scalar::Str(value.to_owned()),
            "binary" => match crate::encoding::base64_std_decode(value.trim()) {
                Some(bytes) => Scalar::Str(String::from_utf8_lossy(&bytes).into_owned()),
                None => Scalar::Str(value.to_owned()),
            },
            _ => resolve_plain(value),
        },
        // A custom or non-specific tag leaves the text a string, as in go-yaml.
        Some(_) => Scalar::Str(value.to_owned()),
        None if style == TScalarStyle::Plain => resolve_plain(value),
        None => Scalar::Str(value.to_owned()),
    }
}

fn is_merge_key(node: &Node) -> bool {
    matches!(node, Node::Scalar { value, style: TScalarStyle::Plain, tag: None } if value == "<<")
}

/// sigs.k8s.io/yaml's YAML-to-JSON step followed by JSON decoding.
fn to_json_value(node: &Node, budget: &mut usize, numbers: Numbers) -> Result<Value, String> {
    if *budget == 0 {
        return Err("yaml: document contains excessive aliasing".into());
    }
    *budget -= 1;
    match node {
        Node::Scalar { value, style, tag } => Ok(match resolve_node_scalar(value, *style, tag.as_ref()) {
            Scalar::Null => Value::Nil,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(GoInt::Int(i)) => match numbers {
                Numbers::Float64 => Value::Float(i as f64),
                Numbers::JsonNumber => JsonNumber::value(i.to_string()),
            },
            Scalar::Int(GoInt::Uint(u)) => match numbers {
                Numbers::Float64 => Value::Float(u as f64),
                Numbers::JsonNumber => JsonNumber::value(u.to_string()),
            },
            Scalar::Float(x) if x.is_finite() => match numbers {
                Numbers::Float64 => Value::Float(x),
                Numbers::JsonNumber => JsonNumber::value(crate::json::format_float(x)?),
            },
            Scalar::Float(x) => return Err(crate::json::unsupported_float(x)),
            Scalar::Str(s) => Value::from(s),
        }),
        Node::Seq(items) => {
            Ok(Value::list(items.iter().map(|item| to_json_value(item, budget, numbers)).collect::<Result<_, _>>()?))
        }
        Node::Map(pairs) => {
            let mut map = Map::new();
            for (key, value) in pairs {
                if is_merge_key(key) {
                    merge_into(&mut map, value, budget, numbers)?;
                    continue;
                }
                let json_value = to_json_value(value, budget, numbers)?;
                map.insert(json_key(key, value)?, json_value);
            }
            Ok(Value::Map(Rc::new(RefCell::new(map))))
        }
    }
}

/// `<<: *anchor` or `<<: [*a, *b]`: go-yaml v2 sets the merged keys into the
/// map being built (earlier entries of a list win over later ones).
fn merge_into(map: &mut Map, source: &Node, budget: &mut usize, numbers: Numbers) -> Result<(), String> {
    let merge_map = |map: &mut Map, node: &Node, budget: &mut usize| match to_json_value(node, budget, numbers)? {
        Value::Map(merged) => {
            map.extend(merged.borrow().iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(())
        }
        _ => Err("yaml: map merge requires map or sequence of maps as the value".to_owned()),
    };
    match source {
        Node::Seq(items) => items.iter().rev().try_for_each(|item| merge_map(map, item, budget)),
        other => merge_map(map, other, budget),
    }
}

/// How sigs.k8s.io/yaml turns a decoded key into a JSON object key.
fn json_key(key: &Node, value_node: &Node) -> Result<String, String> {
    let Node::Scalar { value, style, tag } = key else {
        return Err(format!("yaml: invalid map key: {}", go_sharp_v(key)));
    };
    Ok(match resolve_node_scalar(value, *style, tag.as_ref()) {
        Scalar::Str(s) => s,
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(GoInt::Int(i)) => i.to_string(),
        Scalar::Int(GoInt::Uint(u)) => u.to_string(),
        // Go formats float keys with 32-bit precision: `strconv.FormatFloat(f, 'g', -1, 32)`.
        Scalar::Float(x) if x.is_nan() => ".nan".into(),
        Scalar::Float(x) if x.is_infinite() => if x > 0.0 { ".inf" } else { "-.inf" }.into(),
        Scalar::Float(x) => format_float_g(format!("{:e}", x as f32).parse().unwrap_or(x)),
        Scalar::Null => {
            return Err(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_sharp_v(value_node)
            ));
        }
    })
}

/// Go's `%#v` of what go-yaml decoded from `node`, for error messages.
fn go_sharp_v(node: &Node) -> String {
    match node {
        Node::Scalar { value, style, tag } => match resolve_node_scalar(value, *style, tag.as_ref()) {
            Scalar::Null => "interface {}(nil)".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(GoInt::Int(i)) => i.to_string(),
            Scalar::Int(GoInt::Uint(u)) => format!("0x{u:x}"),
            Scalar::Float(x) => weir_gotemplate::format_float(x),
            Scalar::Str(s) => weir_gotemplate::quote(&s),
        },
        Node::Seq(items) => {
            format!("[]interface {{}}{{{}}}", items.iter().map(|i| go_sharp_v(i)).collect::<Vec<_>>().join(", "))
        }
        Node::Map(pairs) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            pairs.iter().map(|(k, v)| format!("{}:{}", go_sharp_v(k), go_sharp_v(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

// ---------------------------------------------------------------- encoding

/// A value ready to be written: the encoder's view after Go's conversions.
enum Out {
    /// `null`, `true`, numbers: always written plain.
    Literal(String),
    Str(String),
    Seq(Vec<Out>),
    Map(Vec<(String, Out)>),
}

impl Out {
    /// The value after `json.Marshal` and go-yaml v2's decoding of that JSON:
    /// numbers are re-resolved from their JSON text (1e6 prints `1000000`, 1e-6 `1e-06`).
    fn from_json_value(value: &Value, depth: usize) -> Result<Out, String> {
        if depth > crate::MAX_DEPTH {
            return Err("json: unsupported value: nesting too deep".into());
        }
        Ok(match value {
            Value::Nil => Out::Literal("null".into()),
            Value::Bool(b) => Out::Literal(b.to_string()),
            Value::Int(i) => Out::Literal(i.to_string()),
            Value::Float(x) => {
                let text = crate::json::format_float(*x)?;
                Out::Literal(match parse_int(&text) {
                    Some(GoInt::Int(i)) => i.to_string(),
                    Some(GoInt::Uint(u)) => u.to_string(),
                    None => format_float_g(*x),
                })
            }
            Value::String(s) => Out::Str(reread_json_string(s)?),
            Value::Bytes(b) => Out::Str(crate::encoding::base64_std(b)),
            Value::List(items) => {
                Out::Seq(items.iter().map(|v| Out::from_json_value(v, depth + 1)).collect::<Result<_, _>>()?)
            }
            Value::Map(map) => {
                let entries = map
                    .borrow()
                    .iter()
                    .map(|(k, v)| Ok((reread_json_string(k)?, Out::from_json_value(v, depth + 1)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                Out::Map(sort_keys(entries))
            }
            Value::Object(o) => Out::from_json_value(&o.to_data(), depth + 1)?,
        })
    }

    /// The value as go-yaml v3 encodes Go data directly.
    fn from_value_v3(value: &Value, depth: usize) -> Out {
        if depth > crate::MAX_DEPTH {
            return Out::Literal("null".into());
        }
        match value {
            Value::Nil => Out::Literal("null".into()),
            Value::Bool(b) => Out::Literal(b.to_string()),
            Value::Int(i) => Out::Literal(i.to_string()),
            Value::Float(x) if x.is_nan() => Out::Literal(".nan".into()),
            Value::Float(x) if x.is_infinite() => Out::Literal(if *x > 0.0 { ".inf" } else { "-.inf" }.into()),
            Value::Float(x) => Out::Literal(format_float_g(*x)),
            Value::String(s) => Out::Str(s.to_string()),
            Value::Bytes(b) => Out::Str(String::from_utf8_lossy(b).into_owned()),
            Value::List(items) => Out::Seq(items.iter().map(|v| Out::from_value_v3(v, depth + 1)).collect()),
            Value::Map(map) => Out::Map(sort_keys(
                map.borrow().iter().map(|(k, v)| (k.clone(), Out::from_value_v3(v, depth + 1))).collect(),
            )),
            Value::Object(o) => Out::from_value_v3(&o.to_data(), depth + 1),
        }
    }
}

/// A string as go-yaml reads it back from `json.Marshal`'s text: JSON
/// escapes control characters below U+0020, but others reach go-yaml raw,
/// which refuses them; a raw NEL (U+0085) is a line break to YAML and folds
/// like one in a quoted scalar (one becomes a space, more become newlines,
/// with the blanks around them dropped).
fn reread_json_string(s: &str) -> Result<String, String> {
    let allowed = |c: char| {
        let v = c as u32;
        v < 0x20
            || (0x20..=0x7e).contains(&v)
            || v == 0x85
            || (0xa0..=0xd7ff).contains(&v)
            || (0xe000..=0xfffd).contains(&v)
            || v >= 0x10000
    };
    if !s.chars().all(allowed) {
        return Err("yaml: control characters are not allowed".into());
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\u{85}') {
        out.push_str(&rest[..at]);
        let run = rest[at..].chars().take_while(|c| *c == '\u{85}').count();
        let kept = out.trim_end_matches([' ', '\t']).len();
        out.truncate(kept);
        match run {
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
        rest = rest[at + run * '\u{85}'.len_utf8()..].trim_start_matches([' ', '\t']);
    }
    out.push_str(rest);
    Ok(out)
}

/// go-yaml's key order: runs of digits compare as numbers, letters sort
/// before other characters (`a9` < `a10`, `_` < `1`). A stable merge sort,
/// since that comparison need not be a total order (Rust's sort may panic on one).
fn sort_keys(mut entries: Vec<(String, Out)>) -> Vec<(String, Out)> {
    let keys: Vec<Vec<char>> = entries.iter().map(|(k, _)| k.chars().collect()).collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    merge_sort(&mut order, &|a, b| key_less(&keys[*a], &keys[*b]));
    let mut slots: Vec<Option<(String, Out)>> = entries.drain(..).map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn merge_sort<T: Copy>(items: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    if items.len() < 2 {
        return;
    }
    let mid = items.len() / 2;
    merge_sort(&mut items[..mid], less);
    merge_sort(&mut items[mid..], less);
    let (left, right) = (items[..mid].to_vec(), items[mid..].to_vec());
    let (mut i, mut j) = (0, 0);
    for slot in items.iter_mut() {
        let take_right = j < right.len() && (i == left.len() || less(&right[j], &left[i]));
        if take_right {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

/// go-yaml's `keyList.Less` for two string keys.
fn key_less(a: &[char], b: &[char]) -> bool {
    for i in 0..a.len().min(b.len()) {
        if a[i] == b[i] {
            continue;
        }
        let (al, bl) = (a[i].is_alphabetic(), b[i].is_alphabetic());
        if al && bl {
            return a[i] < b[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        // A number continuing earlier non-zero digits keeps its zeros significant.
        if (a[i] == '0' || b[i] == '0') && a[..i].iter().rev().take_while(|c| c.is_ascii_digit()).any(|c| *c != '0') {
            an = 1;
            bn = 1;
        }
        let number = |s: &[char], n: &mut i64| {
            let mut end = i;
            while end < s.len() && s[end].is_ascii_digit() {
                *n = n.wrapping_mul(10).wrapping_add(i64::from(s[end] as u8 - b'0'));
                end += 1;
            }
            end
        };
        let (ai, bi) = (number(a, &mut an), number(b, &mut bn));
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return a[i] < b[i];
    }
    a.len() < b.len()
}

/// Would go-yaml read this text back as something other than a string?
/// Then the encoder quotes it.
fn needs_quotes(s: &str) -> bool {
    !matches!(resolve_plain(s), Scalar::Str(_)) || is_timestamp(s) || is_base60_float(s)
}

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    /// go-yaml v2 (sigs.k8s.io/yaml): width 80, sequences flush under their key.
    V2,
    /// go-yaml v3 with `SetIndent(2)`: no folding, sequences indented under their key.
    V3,
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's numeric escape of a character that has no short one.
fn hex_escape(c: char) -> String {
    match c as u32 {
        v @ 0..=0xff => format!("\\x{v:02X}"),
        v @ 0x100..=0xffff => format!("\\u{v:04X}"),
        v => format!("\\U{v:08X}"),
    }
}

/// The parts of libyaml's emitter that block-style output goes through.
struct Emitter {
    flavor: Flavor,
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i32,
    indents: Vec<i32>,
}

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

impl Emitter {
    fn new(flavor: Flavor) -> Emitter {
        Emitter {
            flavor,
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: vec![],
        }
    }

    fn document(mut self, node: &Out) -> String {
        self.node(node, false, false);
        self.write_indent();
        self.out
    }

    fn node(&mut self, node: &Out, mapping_context: bool, simple_key: bool) {
        match node {
            Out::Literal(text) => self.scalar(text, Style::Plain, simple_key),
            Out::Str(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else if needs_quotes(s) {
                    Style::Double
                } else {
                    Style::Plain
                };
                self.scalar(s, style, simple_key);
            }
            Out::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Out::Map(entries) if entries.is_empty() => self.empty_flow("{", "}"),
            Out::Seq(items) => {
                let indentless = self.flavor == Flavor::V2 && mapping_context && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, false, false);
                }
                self.pop_indent();
            }
            Out::Map(entries) => {
                self.increase_indent(false, false);
                for (key, value) in entries {
                    self.write_indent();
                    // libyaml writes long or multi-line keys in the explicit `? key` form.
                    if key.chars().count() <= 128 && !key.chars().any(is_break) {
                        self.node(&Out::Str(key.clone()), true, true);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.node(&Out::Str(key.clone()), true, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(value, true, false);
                }
                self.pop_indent();
            }
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn scalar(&mut self, text: &str, requested: Style, simple_key: bool) {
        let analysis = analyze(text);
        let mut style = requested;
        if style == Style::Plain && (!analysis.block_plain_allowed || (text.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !analysis.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!analysis.block_allowed || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !simple_key && self.flavor == Flavor::V2;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::Single => self.write_single_quoted(text, allow_breaks),
            Style::Double => self.write_double_quoted(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.pop_indent();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    /// Whether a space at `i` may become a line break (libyaml folds at the
    /// first space past the width that is not followed by another space).
    fn may_fold(&self, allow_breaks: bool, spaces: bool, chars: &[char], i: usize) -> bool {
        allow_breaks && !spaces && self.column > BEST_WIDTH && chars.get(i + 1) != Some(&' ')
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if self.may_fold(allow_breaks, spaces, &chars, i) {
                    self.write_indent();
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if i != 0 && i + 1 != chars.len() && self.may_fold(allow_breaks, spaces, &chars, i) {
                    self.write_indent();
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        // go-yaml's BOM test looks at the start of the text whatever the position,
        // so after a leading BOM every character is escaped.
        let leading_bom = chars.first() == Some(&'\u{feff}');
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            let escape = double_quoted_escape(c).or_else(|| leading_bom.then(|| hex_escape(c)));
            if let Some(escape) = escape {
                for e in escape.chars() {
                    self.put(e);
                }
                spaces = false;
            } else if c == ' ' {
                // A folded space is dropped; a following space is protected by `\`.
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        if matches!(chars.first(), Some(&c) if c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let ends_in_break = chars.last().is_some_and(|&c| is_break(c));
        let ends_in_two = chars.len() >= 2 && is_break(chars[chars.len() - 2]);
        if !ends_in_break {
            self.write_indicator("-", false, false, false);
        } else if chars.len() == 1 || ends_in_two {
            self.write_indicator("+", false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in chars {
            if is_break(c) {
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_as_yaml_1_1() {
        assert_eq!(resolve_plain("yes"), Scalar::Bool(true));
        assert_eq!(resolve_plain("Off"), Scalar::Bool(false));
        assert_eq!(resolve_plain("012"), Scalar::Int(GoInt::Int(10)));
        assert_eq!(resolve_plain("1_000"), Scalar::Int(GoInt::Int(1000)));
        assert_eq!(resolve_plain("1e400"), Scalar::Str("1e400".into()));
        assert!(is_timestamp("2001-12-14") && is_timestamp("2001-12-14 10:00:00") && !is_timestamp("2001-12"));
        assert!(is_base60_float("1:20") && !is_base60_float("1:2:") && !is_base60_float("a:1"));
    }

    #[test]
    fn keys_sort_as_go_yaml() {
        let keys = ["a01", "a1b10", "a1", "_", "10", "2", "B", "a", "1", "A", "a1b2", "a9", "a10"];
        let sorted = sort_keys(keys.iter().map(|k| (k.to_string(), Out::Literal(String::new()))).collect());
        let sorted: Vec<&str> = sorted.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(sorted, ["_", "1", "2", "10", "A", "B", "a", "a1", "a1b2", "a1b10", "a01", "a9", "a10"]);
    }
}
