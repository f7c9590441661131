//! Helm's `--set`, `--set-string`, `--set-file`, `--set-json` and
//! `--set-literal` parser (`pkg/strvals`): `a.b=1,c[0]=x,d={x,y}`.

use std::rc::Rc;

use weir_gotemplate::{Map, Value};

use crate::decode::go_type;

/// Helm refuses list indices above this (`strvals.MaxIndex`).
const MAX_INDEX: i64 = 65536;
/// Helm refuses keys nested deeper than this (`strvals.MaxNestedNameLevel`).
const MAX_NESTED_NAME_LEVEL: usize = 30;

/// A `--set` style line Helm would refuse, with Helm's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrvalsError {
    #[error("key {0:?} has no value")]
    NoValue(String),
    #[error("key {0:?} has no value (cannot end with ,)")]
    NoValueBeforeComma(String),
    #[error("key map {0:?} has no value")]
    EmptyMap(String),
    #[error("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}")]
    TooDeep,
    /// `[` with no `]` after it.
    #[error("error parsing index: EOF")]
    UnclosedIndex,
    #[error("error parsing index: strconv.Atoi: parsing {0:?}: {1}")]
    BadIndex(String, &'static str),
    #[error("negative {0} index not allowed")]
    NegativeIndex(i64),
    #[error("index of {0} is greater than maximum supported index of {MAX_INDEX}")]
    IndexTooLarge(i64),
    /// Text between `]` and the next `.`, `[` or `=`; shown as Go's `%q` of runes.
    #[error("unexpected data at end of array index: [{}]", .0.chars().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(" "))]
    DataAfterIndex(String),
    #[error("list must terminate with '}}'")]
    UnterminatedList,
    /// Helm assumes the existing value is a map or list and recovers Go's panic.
    #[error("unable to parse key: interface conversion: interface {{}} is {found}, not {expected}")]
    TypeMismatch { found: &'static str, expected: &'static str },
    #[error("{0}")]
    Json(String),
    /// The `--set-file` reader failed.
    #[error("{0}")]
    File(String),
}

/// How values are read after `=`.
enum Mode<'r> {
    /// `--set`: `true`, `null`, integers are typed.
    Typed,
    /// `--set-string`: always strings.
    String,
    /// `--set-file`: the value is a path, replaced by the file's contents.
    File(&'r mut dyn FnMut(&str) -> Result<String, String>),
    /// `--set-json`: the value is JSON.
    Json,
    /// `--set-literal`: everything after the first `=` is the string; no escapes.
    Literal,
}

/// Parses a `--set` line into `into`.
pub fn parse_set(line: &str, into: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(line, Mode::Typed).parse(into)
}

/// Parses a `--set-string` line into `into`.
pub fn parse_set_string(line: &str, into: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(line, Mode::String).parse(into)
}

/// Parses a `--set-file` line into `into`; `read` returns a file's contents.
pub fn parse_set_file(
    line: &str,
    into: &mut Map,
    mut read: impl FnMut(&str) -> Result<String, String>,
) -> Result<(), StrvalsError> {
    Parser::new(line, Mode::File(&mut read)).parse(into)
}

/// Parses a `--set-json` line (`key=<json>,…`) into `into`.
pub fn parse_set_json(line: &str, into: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(line, Mode::Json).parse(into)
}

/// Parses a `--set-literal` line into `into`.
pub fn parse_set_literal(line: &str, into: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(line, Mode::Literal).parse(into)
}

/// What ended a run of runes: a stop rune, or the end of the line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Rune(char),
    End,
}

struct Parser<'r> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'r>,
}

/// The parse reached the end of the line: not an error, the loop stops.
type Step = Result<bool, StrvalsError>;

impl<'r> Parser<'r> {
    fn new(line: &str, mode: Mode<'r>) -> Parser<'r> {
        Parser { chars: line.chars().collect(), pos: 0, mode }
    }

    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn parse(mut self, data: &mut Map) -> Result<(), StrvalsError> {
        while self.key(data, 0)? {}
        Ok(())
    }

    /// Go's `runesUntil`: reads to a stop rune, `\` escaping the next rune
    /// (except in literal mode).
    fn runes_until(&mut self, stops: &[char]) -> (String, Stop) {
        let mut out = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if stops.contains(&c) {
                return (out, Stop::Rune(c));
            }
            if c == '\\' && !self.literal() {
                match self.chars.get(self.pos) {
                    Some(&next) => {
                        self.pos += 1;
                        out.push(next);
                    }
                    None => return (out, Stop::End),
                }
                continue;
            }
            out.push(c);
        }
        (out, Stop::End)
    }

    /// One `key=value` (or nested key); `Ok(false)` at the end of the line.
    fn key(&mut self, data: &mut Map, level: usize) -> Step {
        let stops: &[char] = if self.literal() { &['=', '[', '.'] } else { &['=', '[', ',', '.'] };
        let (k, last) = self.runes_until(stops);
        match last {
            Stop::End if k.is_empty() => Ok(false),
            Stop::End => Err(StrvalsError::NoValue(k)),
            Stop::Rune('[') => {
                let i = self.key_index()?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(existing) => expect_list(existing)?,
                };
                let (list, result) = self.list_item(list, i, level);
                set(data, &k, Value::list(list));
                result.map(|()| true)
            }
            Stop::Rune('=') => self.value(data, k),
            Stop::Rune(',') => {
                set(data, &k, Value::string(""));
                Err(StrvalsError::NoValueBeforeComma(k))
            }
            Stop::Rune(_) => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(StrvalsError::TooDeep);
                }
                let mut inner = match data.get(&k) {
                    None => Map::new(),
                    Some(existing) => expect_map(existing)?,
                };
                let result = self.key(&mut inner, level);
                if matches!(result, Ok(true)) && inner.is_empty() {
                    return Err(StrvalsError::EmptyMap(k));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::map(inner));
                }
                // The end of the line inside a nested key ends the whole parse.
                result
            }
        }
    }

    /// The value after `key=`.
    fn value(&mut self, data: &mut Map, k: String) -> Step {
        match self.mode {
            Mode::Literal => {
                let rest: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                set(data, &k, Value::from(rest));
                Ok(true)
            }
            Mode::Json => {
                let value = self.json_value()?;
                set(data, &k, value);
                Ok(true)
            }
            _ => match self.value_list()? {
                ListOrNot::List(list) => {
                    set(data, &k, Value::list(list));
                    Ok(true)
                }
                ListOrNot::End => {
                    set(data, &k, Value::string(""));
                    Ok(false)
                }
                ListOrNot::NotList => {
                    let (raw, _) = self.runes_until(&[',']);
                    let result = self.read(&raw);
                    let (value, outcome) = match result {
                        Ok(v) => (v, Ok(true)),
                        // Helm sets the (empty) value, then fails.
                        Err(e) => (Value::string(""), Err(e)),
                    };
                    set(data, &k, value);
                    outcome
                }
            },
        }
    }

    /// A JSON value at the cursor (or nothing, meaning null), then blanks and a comma.
    fn json_value(&mut self) -> Result<Value, StrvalsError> {
        if self.empty_value() {
            return Ok(Value::Nil);
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let json = match stream.next() {
            Some(Ok(json)) => json,
            Some(Err(e)) => return Err(StrvalsError::Json(e.to_string())),
            None => return Err(StrvalsError::Json("unexpected EOF".into())),
        };
        let consumed = rest[..stream.byte_offset()].chars().count();
        self.pos += consumed;
        self.empty_value();
        Ok(json_to_value(&json))
    }

    /// Skips blanks up to a comma or the end (true: nothing there); stops
    /// before anything else (false).
    fn empty_value(&mut self) -> bool {
        while let Some(&c) = self.chars.get(self.pos) {
            if c == ',' {
                self.pos += 1;
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
            self.pos += 1;
        }
        true
    }

    fn read(&mut self, raw: &str) -> Result<Value, StrvalsError> {
        match &mut self.mode {
            Mode::Typed => Ok(typed_value(raw)),
            Mode::String | Mode::Literal | Mode::Json => Ok(Value::from(raw)),
            Mode::File(read) => read(raw).map(Value::from).map_err(StrvalsError::File),
        }
    }

    /// `{a,b}` after `=`.
    fn value_list(&mut self) -> Result<ListOrNot, StrvalsError> {
        match self.chars.get(self.pos) {
            None => return Ok(ListOrNot::End),
            Some('{') => self.pos += 1,
            Some(_) => return Ok(ListOrNot::NotList),
        }
        let mut list = Vec::new();
        loop {
            let (raw, last) = self.runes_until(&[',', '}']);
            match last {
                Stop::End => return Err(StrvalsError::UnterminatedList),
                Stop::Rune('}') => {
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    list.push(self.read(&raw)?);
                    return Ok(ListOrNot::List(list));
                }
                Stop::Rune(_) => list.push(self.read(&raw)?),
            }
        }
    }

    /// The index inside `[...]`, read with Go's `strconv.Atoi`.
    fn key_index(&mut self) -> Result<i64, StrvalsError> {
        let (raw, last) = self.runes_until(&[']']);
        if last == Stop::End {
            return Err(StrvalsError::UnclosedIndex);
        }
        atoi(&raw).map_err(|why| StrvalsError::BadIndex(raw, why))
    }

    /// What follows `name[i]`: `=value`, `.key…` or another `[j]`.
    fn list_item(&mut self, mut list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, Result<(), StrvalsError>) {
        if i < 0 {
            return (list, Err(StrvalsError::NegativeIndex(i)));
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return (list, Err(StrvalsError::DataAfterIndex(k)));
        }
        match last {
            // Go returns io.EOF here, which ends the parse without an error.
            Stop::End => (list, Ok(())),
            Stop::Rune('=') => {
                let value = match self.mode {
                    Mode::Literal => {
                        let rest: String = self.chars[self.pos..].iter().collect();
                        self.pos = self.chars.len();
                        Ok(Value::from(rest))
                    }
                    Mode::Json => self.json_value(),
                    _ => match self.value_list() {
                        Ok(ListOrNot::List(items)) => Ok(Value::list(items)),
                        Ok(ListOrNot::End) => Ok(Value::string("")),
                        Ok(ListOrNot::NotList) => {
                            let (raw, _) = self.runes_until(&[',']);
                            self.read(&raw)
                        }
                        Err(e) => Err(e),
                    },
                };
                match value {
                    Ok(v) => set_index(list, i, v),
                    Err(e) => (list, Err(e)),
                }
            }
            Stop::Rune('[') => {
                let next = match self.key_index() {
                    Ok(next) => next,
                    Err(e) => return (list, Err(e)),
                };
                let current = match list.get(i as usize) {
                    None | Some(Value::Nil) => Vec::new(),
                    Some(existing) => match expect_list(existing) {
                        Ok(l) => l,
                        Err(e) => return (list, Err(e)),
                    },
                };
                let (inner, result) = self.list_item(current, next, level);
                if let Err(e) = result {
                    return (list, Err(e));
                }
                set_index(list, i, Value::list(inner))
            }
            Stop::Rune(_) => {
                let mut inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.borrow().clone(),
                    _ => Map::new(),
                };
                if let Some(slot) = list.get_mut(i as usize)
                    && !matches!(slot, Value::Map(_))
                {
                    *slot = Value::map(Map::new());
                }
                if let Err(e) = self.key(&mut inner, level) {
                    return (list, Err(e));
                }
                set_index(list, i, Value::map(inner))
            }
        }
    }
}

enum ListOrNot {
    List(Vec<Value>),
    NotList,
    End,
}

fn set(data: &mut Map, key: &str, value: Value) {
    // Helm never stores an empty key (`--set =1` is a no-op).
    if !key.is_empty() {
        data.insert(key.to_owned(), value);
    }
}

fn set_index(mut list: Vec<Value>, index: i64, value: Value) -> (Vec<Value>, Result<(), StrvalsError>) {
    if index < 0 {
        return (list, Err(StrvalsError::NegativeIndex(index)));
    }
    if index > MAX_INDEX {
        return (list, Err(StrvalsError::IndexTooLarge(index)));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = value;
    (list, Ok(()))
}

/// Go's `strconv.Atoi` (64-bit): an optional sign and decimal digits.
fn atoi(s: &str) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    s.parse::<i64>().map_err(|_| "value out of range")
}

/// `--set` typing: booleans and null case-insensitively, integers without a
/// leading zero; everything else stays a string.
fn typed_value(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::Int(0);
    }
    if !s.is_empty()
        && !s.starts_with('0')
        && let Ok(i) = s.parse::<i64>()
    {
        return Value::Int(i);
    }
    Value::from(s)
}

/// Go's JSON decoding into `interface{}`: every number is a float64.
pub fn json_to_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::string(s.as_str()),
        serde_json::Value::Array(items) => Value::list(items.iter().map(json_to_value).collect()),
        serde_json::Value::Object(map) => Value::map(map.iter().map(|(k, v)| (k.clone(), json_to_value(v))).collect()),
    }
}

fn expect_map(value: &Value) -> Result<Map, StrvalsError> {
    match value {
        Value::Map(m) => Ok(m.borrow().clone()),
        other => Err(StrvalsError::TypeMismatch { found: go_type(other), expected: "map[string]interface {}" }),
    }
}

fn expect_list(value: &Value) -> Result<Vec<Value>, StrvalsError> {
    match value {
        Value::List(l) => Ok(Rc::unwrap_or_clone(l.clone())),
        other => Err(StrvalsError::TypeMismatch { found: go_type(other), expected: "[]interface {}" }),
    }
}
