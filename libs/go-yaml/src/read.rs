//! Reading YAML as go-yaml v3 reads it into `interface{}`.
//!
//! yaml-rust2's event parser, with plain scalars resolved the way go-yaml v3
//! resolves them (legacy octal `012`, `0o`, `0x`, `0b`, `_` in numbers;
//! `yes`/`on` stay strings; timestamps stay strings), merge keys (`<<`)
//! folded in and aliases expanded. Values become `serde_json::Value`, whose
//! sorted maps match the order Go's encoders print maps in.
//!
//! The events are consumed in a loop, not by recursion, so deep input cannot
//! exhaust the stack; nesting beyond [`MAX_DEPTH`] and alias expansion beyond
//! go-yaml's ratio ("excessive aliasing") are errors.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use crate::resolve::{Kind, is_old_bool, plain_kind};

/// How deep sequences and mappings may nest (go-yaml allows 10,000). Deeper
/// than any Kubernetes object, and shallow enough that the recursive walks over
/// the values (drop, the writer, a plugin's transformers) stay within a
/// thread's or a wasm component's stack: writing 1,000 levels takes about 256 KiB
/// optimised, 512 KiB in a debug build.
pub const MAX_DEPTH: usize = 1000;

/// How a stream is read; the default is go-yaml v3 decoding into `interface{}`.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// YAML 1.1 booleans, as go-yaml v2 (sigs.k8s.io/yaml) reads them: plain
    /// `y`/`yes`/`on`/`n`/`no`/`off` values are booleans.
    pub yaml11_bools: bool,
    /// Mapping keys that are plain booleans (YAML 1.1 ones too with
    /// `yaml11_bools`) get this prefix, so the caller can refuse them where Go
    /// decodes into a map of strings. Other keys are their text.
    pub bool_key_mark: Option<&'static str>,
    /// Plain scalars in the top-level `metadata.labels` and
    /// `metadata.annotations` stay their source text (`1` stays `"1"`), as kustomize's kyaml keeps them.
    pub metadata_text: bool,
    /// An alias is an error instead of a copy of its anchor's value.
    pub reject_aliases: bool,
}

/// Why a stream could not be read, and in which document (counted from 1, empty ones included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub document: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Reads a (multi-document) YAML stream with the default options. Empty / null documents are dropped.
pub fn parse_stream(src: &str) -> Result<Vec<Value>, ParseError> {
    parse_stream_with(src, &ParseOptions::default())
}

/// [`parse_stream`] with `options`.
pub fn parse_stream_with(src: &str, options: &ParseOptions) -> Result<Vec<Value>, ParseError> {
    let mut docs = parse_documents(src, options)?;
    docs.retain(|d| !d.is_null());
    Ok(docs)
}

/// Every document of the stream in order, empty ones as `null`, so that a
/// caller can name documents by their position.
pub fn parse_documents(src: &str, options: &ParseOptions) -> Result<Vec<Value>, ParseError> {
    let mut reader = Reader {
        options,
        stack: Vec::new(),
        docs: Vec::new(),
        anchors: HashMap::new(),
        decoded: 0,
        aliased: 0,
        started: 0,
        in_document: false,
    };
    let mut parser = Parser::new_from_str(src);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| reader.error(e.to_string()))?;
        if event == Event::StreamEnd {
            return Ok(reader.docs);
        }
        reader
            .on_event(event)
            .map_err(|message| reader.error(format!("{message} at line {} column {}", mark.line(), mark.col() + 1)))?;
    }
}

/// The value of an untagged plain scalar with this text.
pub fn resolve_plain(s: String) -> Value {
    match plain_kind(&s) {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Int(i) => Value::Number(i.into()),
        Kind::Uint(u) => Value::Number(u.into()),
        Kind::Float(f) => Number::from_f64(f).map(Value::Number).unwrap_or(Value::String(s)),
        Kind::Str | Kind::Timestamp => Value::String(s),
    }
}

fn resolve_scalar(s: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(t) = tag
        && (t.handle == "!!" || t.handle == "tag:yaml.org,2002:")
    {
        return match t.suffix.as_str() {
            "str" | "binary" | "timestamp" => Value::String(s),
            "null" => Value::Null,
            _ => resolve_plain(s),
        };
    }
    if style != TScalarStyle::Plain {
        return Value::String(s);
    }
    resolve_plain(s)
}

/// A collection being read, with its anchor and how many nodes it holds so far.
struct Frame {
    items: Items,
    anchor: usize,
    nodes: usize,
}

enum Items {
    Seq(Vec<Value>),
    /// The entries so far and the key waiting for its value.
    Map(Map<String, Value>, Option<String>),
}

struct Reader<'a> {
    options: &'a ParseOptions,
    stack: Vec<Frame>,
    docs: Vec<Value>,
    /// Anchored values of the current document, with their node counts.
    anchors: HashMap<usize, (Value, usize)>,
    /// go-yaml's counts for its alias ratio: nodes decoded, and of those, nodes decoded through an alias.
    decoded: usize,
    aliased: usize,
    started: usize,
    in_document: bool,
}

/// go-yaml v3's `allowedAliasRatio`: how large a share of the decoded nodes may come through aliases.
fn allowed_alias_ratio(decoded: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    match decoded {
        ..=LOW => 0.99,
        HIGH.. => 0.10,
        _ => 0.99 - 0.89 * ((decoded - LOW) as f64 / (HIGH - LOW) as f64),
    }
}

impl Reader<'_> {
    fn error(&self, message: String) -> ParseError {
        // Between documents, the error is in the next one.
        let document = if self.in_document { self.started } else { self.started + 1 };
        ParseError { document: document.max(1), message }
    }

    fn on_event(&mut self, event: Event) -> Result<(), String> {
        match event {
            Event::DocumentStart => {
                self.started += 1;
                self.in_document = true;
                self.anchors.clear();
                (self.decoded, self.aliased) = (0, 0);
            }
            Event::DocumentEnd => self.in_document = false,
            Event::Scalar(s, style, anchor, tag) => {
                self.decoded += 1;
                let v = self.scalar(s, style, tag.as_ref());
                self.push_value(v, anchor, 1)?;
            }
            Event::Alias(id) => {
                if self.options.reject_aliases {
                    return Err("aliases are not supported".into());
                }
                let Some((v, nodes)) = self.anchors.get(&id) else {
                    let cycle = self.stack.iter().any(|f| f.anchor == id);
                    return Err(if cycle { "anchor value contains itself" } else { "unknown anchor" }.into());
                };
                let nodes = *nodes;
                self.decoded += nodes;
                self.aliased += nodes;
                if self.aliased > 100
                    && self.decoded > 1000
                    && self.aliased as f64 / self.decoded as f64 > allowed_alias_ratio(self.decoded)
                {
                    return Err("document contains excessive aliasing".into());
                }
                let v = v.clone();
                self.push_value(v, 0, nodes)?;
            }
            Event::SequenceStart(anchor, _) => self.open(Items::Seq(Vec::new()), anchor)?,
            Event::MappingStart(anchor, _) => self.open(Items::Map(Map::new(), None), anchor)?,
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let v = match frame.items {
                        Items::Seq(items) => Value::Array(items),
                        Items::Map(map, _) => Value::Object(map),
                    };
                    self.push_value(v, frame.anchor, frame.nodes)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn open(&mut self, items: Items, anchor: usize) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("exceeded max depth of {MAX_DEPTH}"));
        }
        self.decoded += 1;
        self.stack.push(Frame { items, anchor, nodes: 1 });
        Ok(())
    }

    fn scalar(&self, s: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
        let plain = style == TScalarStyle::Plain;
        if matches!(self.stack.last(), Some(Frame { items: Items::Map(_, None), .. })) {
            let is_bool =
                |s: &str| (self.options.yaml11_bools && is_old_bool(s)) || matches!(plain_kind(s), Kind::Bool(_));
            return match self.options.bool_key_mark {
                Some(mark) if plain && is_bool(&s) => Value::String(format!("{mark}{s}")),
                _ => Value::String(s),
            };
        }
        if plain && tag.is_none() {
            if self.options.metadata_text && self.in_top_metadata_string_map() {
                return Value::String(s);
            }
            if self.options.yaml11_bools && is_old_bool(&s) {
                return Value::Bool(matches!(s.as_str(), "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"));
            }
        }
        resolve_scalar(s, style, tag)
    }

    /// Whether the next scalar is a value in the top-level `metadata.labels` or `metadata.annotations`.
    fn in_top_metadata_string_map(&self) -> bool {
        match self.stack.as_slice() {
            [a, b, Frame { items: Items::Map(_, Some(_)), .. }] => match (&a.items, &b.items) {
                (Items::Map(_, Some(a)), Items::Map(_, Some(b))) => {
                    a == "metadata" && (b == "labels" || b == "annotations")
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Adds a finished node of `nodes` nodes to its collection (or as a document).
    fn push_value(&mut self, v: Value, anchor: usize, nodes: usize) -> Result<(), String> {
        if anchor > 0 {
            self.anchors.insert(anchor, (v.clone(), nodes));
        }
        let Some(frame) = self.stack.last_mut() else {
            self.docs.push(v);
            return Ok(());
        };
        frame.nodes += nodes;
        match &mut frame.items {
            Items::Seq(items) => items.push(v),
            Items::Map(_, key @ None) => {
                *key = Some(match v {
                    Value::String(s) => s,
                    Value::Null => "null".to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err("complex mapping keys are not supported".into()),
                });
            }
            Items::Map(map, key @ Some(_)) => {
                let k = key.take().unwrap_or_default();
                if k == "<<" {
                    // A merge key folds the referenced mapping(s) in without overriding.
                    let sources = match v {
                        Value::Array(a) => a,
                        other => vec![other],
                    };
                    for s in sources {
                        if let Value::Object(m) = s {
                            for (mk, mv) in m {
                                map.entry(mk).or_insert(mv);
                            }
                        }
                    }
                } else {
                    map.insert(k, v);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_scalars_like_go_yaml_v3() {
        let v = parse_stream("a: [012, 0o12, 0x1F, 1_000, yes, '1', ~, true, 1.5, 2001-12-14, -0, 1e3]").unwrap();
        assert_eq!(v[0], json!({"a": [10, 10, 31, 1000, "yes", "1", null, true, 1.5, "2001-12-14", 0, 1000.0]}));
        let v = parse_stream("a: !!str 1\nb: !!int '2'\nc: !!null x\n\"d\": \"3\"\n").unwrap();
        assert_eq!(v[0], json!({"a": "1", "b": 2, "c": null, "d": "3"}));
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(parse_stream("a: [").is_err());
        assert!(parse_stream("[a, b]: 1\n").unwrap_err().message.starts_with("complex mapping keys"));
    }

    #[test]
    fn documents_are_counted_from_one_empty_ones_included() {
        let docs = parse_documents("---\na: 1\n---\n---\nb: 2\n", &ParseOptions::default()).unwrap();
        assert_eq!(docs, [json!({"a": 1}), Value::Null, json!({"b": 2})]);
        assert_eq!(parse_stream("a: 1\n---\n---\nb: [\n").unwrap_err().document, 3);
        assert_eq!(parse_stream("a: [\n").unwrap_err().document, 1);
        assert!(parse_stream("").unwrap().is_empty());
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = parse_stream("a: &x {p: 1, q: 2}\nb: *x\nc:\n  <<: *x\n  q: 3\n").unwrap();
        assert_eq!(v[0], json!({"a": {"p": 1, "q": 2}, "b": {"p": 1, "q": 2}, "c": {"p": 1, "q": 3}}));
        let reject = ParseOptions { reject_aliases: true, ..ParseOptions::default() };
        let error = parse_stream_with("a: &x 1\nb: *x\n", &reject).unwrap_err();
        assert_eq!(error.message, "aliases are not supported at line 2 column 4");
        // Anchors belong to their document.
        assert!(parse_stream("a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        // Each level holds ten of the one before: a billion nodes by the ninth.
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for pair in ["a", "b", "c", "d", "e", "f", "g", "h", "i"].windows(2) {
            bomb.push_str(&format!("{}: &{} [{}]\n", pair[1], pair[1], vec![format!("*{}", pair[0]); 10].join(", ")));
        }
        let error = parse_stream(&bomb).unwrap_err().message;
        assert!(error.starts_with("document contains excessive aliasing at line 4 "), "{error}");
        // A few aliases of a large anchor are fine.
        let items: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
        let fine = format!("a: &a [{}]\nb: *a\n", items.join(", "));
        assert!(parse_stream(&fine).is_ok());

        let nested = |depth: usize| format!("{}{}", "- ".repeat(depth), "x");
        // Reading, writing and dropping the deepest document fit a small thread.
        let ok = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(move || {
                let v = parse_stream(&nested(MAX_DEPTH)).unwrap();
                crate::emit_document(&v[0]).len()
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(ok > MAX_DEPTH);
        let error = parse_stream(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(error.message.starts_with("exceeded max depth of 1000"), "{error}");
    }

    #[test]
    fn kustomize_options() {
        let options = ParseOptions {
            yaml11_bools: true,
            bool_key_mark: Some("!"),
            metadata_text: true,
            ..ParseOptions::default()
        };
        let v =
            parse_stream_with("on: yes\nx: [n, 'y', true]\nmetadata:\n  labels:\n    a: 1\n    b: true\n", &options)
                .unwrap();
        assert_eq!(
            v[0],
            json!({"!on": true, "x": [false, "y", true], "metadata": {"labels": {"a": "1", "b": "true"}}})
        );
        let v = parse_stream("on: yes\nmetadata:\n  labels:\n    a: 1\n").unwrap();
        assert_eq!(v[0], json!({"on": "yes", "metadata": {"labels": {"a": 1}}}));
    }
}
