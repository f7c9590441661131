//! The YAML store: a parser that keeps comments where sops (through go-yaml v3)
//! puts them in the tree, and an emitter that prints what `sops -d` prints
//! (4-space indent, sequences indented under their key, go-yaml v3's scalar
//! styles, no line folding).
//!
//! Comments become tree entries: in a mapping an [`Item::Comment`], in a
//! sequence a [`Value::Comment`] element. sops moves line comments in front of
//! the entry they follow and prints every comment on its own line; a comment
//! block just before a dedent goes to the end of the innermost block that
//! closes when it is indented deeper than the next token, as go-yaml does.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};

use base64::Engine;

use weir_go_yaml::{GoInt, is_break, is_yaml_float};

use crate::error::SopsError;
use crate::tree::{Item, Value};

/// The indentation sops' YAML store uses by default.
const INDENT: usize = 4;
const MAX_DEPTH: usize = 256;

fn err(msg: impl Into<String>) -> SopsError {
    SopsError::InvalidDocument(format!("YAML: {}", msg.into()))
}

// ------------------------------------------------------------------ parser

/// The keys of one mapping seen so far, by hash: a duplicate is found without
/// comparing each key with every earlier one.
struct Keys {
    hashes: HashSet<u64>,
    state: RandomState,
}

impl Keys {
    fn new() -> Self {
        Keys { hashes: HashSet::new(), state: RandomState::new() }
    }

    /// Whether `key` is already an entry of `items` (whose keys were all added here).
    fn defined(&mut self, items: &[Item], key: &str) -> bool {
        // A hash seen before is a duplicate or a collision: only then compare.
        !self.hashes.insert(self.state.hash_one(key))
            && items.iter().any(|i| matches!(i, Item::Entry(k, _) if k == key))
    }
}

/// Where a block value sits; it decides where its comments go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    MapValue,
    SeqItem,
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// Full-line comments not yet placed: (column, text after `#`).
    pending: Vec<(usize, String)>,
    anchors: HashMap<String, Value>,
    depth: usize,
}

fn is_blank(c: Option<u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\t' | b'\n'))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn peek_at(&self, n: usize) -> Option<u8> {
        self.b.get(self.i + n).copied()
    }
    fn line_no(&self) -> usize {
        self.b[..self.i.min(self.b.len())].iter().filter(|&&c| c == b'\n').count() + 1
    }
    fn fail(&self, msg: &str) -> SopsError {
        err(format!("{msg} (line {})", self.line_no()))
    }
    fn col_of(&self, pos: usize) -> usize {
        pos - self.s[..pos].rfind('\n').map_or(0, |p| p + 1)
    }
    fn col(&self) -> usize {
        self.col_of(self.i)
    }
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn rest_of_line(&mut self) -> &'a str {
        let start = self.i;
        self.i += crate::scan::find_any(&self.b[start..], [b'\n']).unwrap_or(self.b.len() - start);
        &self.s[start..self.i]
    }
    /// Whether a `---` or `...` marker starts at the current position (column 0).
    fn at_doc_marker(&self) -> bool {
        self.col() == 0
            && (self.s[self.i..].starts_with("---") || self.s[self.i..].starts_with("..."))
            && is_blank(self.peek_at(3))
    }
    /// Skips the rest of the current line: spaces, then an optional comment,
    /// which is returned; anything else is an error.
    fn finish_line(&mut self) -> Result<Option<String>, SopsError> {
        self.skip_space();
        let comment = match self.peek() {
            Some(b'#') => {
                self.i += 1;
                Some(self.rest_of_line().to_string())
            }
            None | Some(b'\n') => None,
            Some(_) => return Err(self.fail("unexpected content after a value")),
        };
        if self.peek() == Some(b'\n') {
            self.i += 1;
        }
        Ok(comment)
    }
    /// Moves to the next content token across blank and comment lines, which
    /// are kept in `pending`. Returns false at the end of input.
    fn next_token(&mut self) -> bool {
        loop {
            self.skip_space();
            match self.peek() {
                None => return false,
                Some(b'\n') => self.i += 1,
                Some(b'#') => {
                    let col = self.col();
                    self.i += 1;
                    let text = self.rest_of_line().to_string();
                    self.pending.push((col, text));
                }
                Some(_) => return true,
            }
        }
    }
    fn take_pending(&mut self) -> Vec<String> {
        self.pending.drain(..).map(|(_, t)| t).collect()
    }
    /// The comments that end a closing block: the leading run of pending
    /// comments indented deeper than the next token (`next_col`).
    fn take_foot(&mut self, next_col: usize) -> Vec<String> {
        let n = self.pending.iter().take_while(|(c, _)| *c > next_col).count();
        self.pending.drain(..n).map(|(_, t)| t).collect()
    }
    /// The column of the next token, 0 at the end of input or a document marker.
    fn next_col(&mut self) -> Option<usize> {
        if !self.next_token() || self.at_doc_marker() { None } else { Some(self.col()) }
    }
    fn at_seq_dash(&self) -> bool {
        self.peek() == Some(b'-') && is_blank(self.peek_at(1))
    }

    /// Whether the current line holds a mapping key at the current position.
    fn at_key_line(&self) -> bool {
        let rest = &self.b[self.i..];
        let mut j = 0;
        match rest.first() {
            None => return false,
            Some(b'"') | Some(b'\'') => {
                let q = rest[0];
                j = 1;
                while j < rest.len() && rest[j] != b'\n' {
                    if rest[j] == b'\\' && q == b'"' {
                        j += 2;
                        continue;
                    }
                    if rest[j] == q {
                        if q == b'\'' && rest.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                j += 1;
                while matches!(rest.get(j), Some(b' ' | b'\t')) {
                    j += 1;
                }
                return rest.get(j) == Some(&b':') && is_blank(rest.get(j + 1).copied());
            }
            Some(b'[' | b'{' | b'#' | b'|' | b'>' | b'`' | b'@' | b'%') => return false,
            _ => {}
        }
        while j < rest.len() && rest[j] != b'\n' {
            if rest[j] == b':' && is_blank(rest.get(j + 1).copied()) {
                return true;
            }
            if rest[j] == b'#' && j > 0 && matches!(rest[j - 1], b' ' | b'\t') {
                return false;
            }
            j += 1;
        }
        false
    }

    /// `&anchor` and `!tag` before a node.
    fn properties(&mut self) -> (Option<String>, Option<String>) {
        let (mut anchor, mut tag) = (None, None);
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'&') if anchor.is_none() => {
                    self.i += 1;
                    anchor = Some(self.word());
                }
                Some(b'!') if tag.is_none() => tag = Some(self.word()),
                _ => return (anchor, tag),
            }
        }
    }
    fn word(&mut self) -> String {
        let start = self.i;
        while !is_blank(self.peek()) && !matches!(self.peek(), Some(b',' | b'[' | b']' | b'{' | b'}')) {
            self.i += 1;
        }
        self.s[start..self.i].to_string()
    }
    fn alias(&mut self) -> Result<Value, SopsError> {
        self.i += 1;
        let name = self.word();
        self.anchors.get(&name).cloned().ok_or_else(|| self.fail(&format!("unknown anchor `{name}`")))
    }

    fn documents(&mut self) -> Result<Vec<Vec<Item>>, SopsError> {
        if self.s.starts_with('\u{feff}') {
            self.i = 3;
        }
        let mut docs = Vec::new();
        loop {
            let mut explicit = false;
            // Directives and the document start marker.
            loop {
                if !self.next_token() {
                    if explicit {
                        let mut doc: Vec<Item> = Vec::new();
                        doc.extend(self.take_pending().into_iter().map(Item::Comment));
                        docs.push(doc);
                    } else if let Some(last) = docs.last_mut() {
                        last.extend(self.take_pending().into_iter().map(Item::Comment));
                    }
                    return Ok(docs);
                }
                if self.col() == 0 && self.peek() == Some(b'%') && !explicit {
                    self.rest_of_line();
                    continue;
                }
                if self.at_doc_marker() && self.b[self.i] == b'-' {
                    if explicit {
                        // `---` right after `---`: an empty document.
                        let doc = self.take_pending().into_iter().map(Item::Comment).collect();
                        docs.push(doc);
                    }
                    explicit = true;
                    self.i += 3;
                    self.skip_space();
                    if self.peek() == Some(b'#') {
                        self.i += 1;
                        let c = self.rest_of_line().to_string();
                        self.pending.push((0, c));
                    }
                    continue;
                }
                if self.at_doc_marker() {
                    // `...` ends a document that had no content.
                    self.i += 3;
                    if explicit {
                        docs.push(self.take_pending().into_iter().map(Item::Comment).collect());
                        explicit = false;
                    }
                    continue;
                }
                break;
            }
            let doc = self.root()?;
            docs.push(doc);
            // After the root: the end, `...` or the next `---`.
            let more = self.next_token();
            let foot = self.take_foot(0);
            let rest = self.take_pending();
            if let Some(last) = docs.last_mut() {
                last.extend(foot.into_iter().chain(rest).map(Item::Comment));
            }
            if !more {
                return Ok(docs);
            }
            if !self.at_doc_marker() {
                return Err(self.fail("unexpected content after the document"));
            }
            if self.b[self.i] == b'.' {
                self.i += 3;
                self.finish_line()?;
            }
        }
    }

    fn root(&mut self) -> Result<Vec<Item>, SopsError> {
        let (anchor, _tag) = self.properties();
        if self.at_seq_dash() || self.peek() == Some(b'[') {
            return Err(err("YAML documents that are sequences are not supported"));
        }
        let col = self.col();
        let items = if self.peek() == Some(b'{') {
            let mut head = self.take_pending();
            let v = self.flow_node()?;
            if let Some(c) = self.finish_line()? {
                head.push(c);
            }
            let Value::Map(items) = v else { return Err(self.fail("expected a mapping")) };
            head.into_iter().map(Item::Comment).chain(items).collect()
        } else if self.at_key_line() {
            self.block_map(col)?
        } else {
            let v = self.block_scalar_or_plain(0, None)?.0;
            if v != Value::Null {
                return Err(err("YAML documents that are values are not supported"));
            }
            Vec::new()
        };
        if let Some(a) = anchor {
            self.anchors.insert(a, Value::Map(items.clone()));
        }
        Ok(items)
    }

    fn enter(&mut self) -> Result<(), SopsError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(self.fail("nesting too deep")) } else { Ok(()) }
    }

    /// A block mapping whose keys are at column `indent`; the current position is its first key.
    fn block_map(&mut self, indent: usize) -> Result<Vec<Item>, SopsError> {
        self.enter()?;
        let mut items: Vec<Item> = self.take_pending().into_iter().map(Item::Comment).collect();
        let mut keys = Keys::new();
        loop {
            let key = self.map_key()?;
            let (before, value) = self.block_value(indent, Ctx::MapValue)?;
            items.extend(before.into_iter().map(Item::Comment));
            if keys.defined(&items, &key) {
                return Err(self.fail(&format!("mapping key `{key}` already defined")));
            }
            items.push(Item::Entry(key, value));
            match self.next_col() {
                Some(c) if c == indent => {
                    if self.at_seq_dash() {
                        return Err(self.fail("a sequence item where a mapping key was expected"));
                    }
                    items.extend(self.take_pending().into_iter().map(Item::Comment));
                }
                Some(c) if c > indent => return Err(self.fail("bad indentation of a mapping entry")),
                next => {
                    items.extend(self.take_foot(next.unwrap_or(0)).into_iter().map(Item::Comment));
                    self.depth -= 1;
                    return Ok(items);
                }
            }
        }
    }

    /// A block sequence whose dashes are at column `indent`. An indentless
    /// sequence (dashes at its key's column) leaves trailing comments to its parent.
    fn block_seq(&mut self, indent: usize, indentless: bool) -> Result<Vec<Value>, SopsError> {
        self.enter()?;
        let mut list: Vec<Value> = self.take_pending().into_iter().map(Value::Comment).collect();
        loop {
            self.i += 1; // the dash
            let (before, value) = self.block_value(indent, Ctx::SeqItem)?;
            list.extend(before.into_iter().map(Value::Comment));
            list.push(value);
            match self.next_col() {
                Some(c) if c == indent && self.at_seq_dash() => {
                    list.extend(self.take_pending().into_iter().map(Value::Comment));
                }
                Some(c) if c > indent => return Err(self.fail("bad indentation of a sequence item")),
                Some(c) if c == indent && !indentless => {
                    return Err(self.fail("a mapping key where a sequence item was expected"));
                }
                next => {
                    if !indentless {
                        list.extend(self.take_foot(next.unwrap_or(0)).into_iter().map(Value::Comment));
                    }
                    self.depth -= 1;
                    return Ok(list);
                }
            }
        }
    }

    fn map_key(&mut self) -> Result<String, SopsError> {
        let (_anchor, tag) = self.properties();
        if self.peek() == Some(b'?') && is_blank(self.peek_at(1)) {
            return Err(SopsError::Unsupported("YAML complex mapping keys (`? `) are not supported".into()));
        }
        let (text, quoted) = match self.peek() {
            Some(b'"') => (self.double_quoted()?, true),
            Some(b'\'') => (self.single_quoted()?, true),
            _ => {
                let start = self.i;
                while !(self.peek() == Some(b':') && is_blank(self.peek_at(1))) {
                    if matches!(self.peek(), None | Some(b'\n')) {
                        return Err(self.fail("expected `:` after a mapping key"));
                    }
                    self.i += 1;
                }
                (self.s[start..self.i].trim_end().to_string(), false)
            }
        };
        self.skip_space();
        if self.peek() != Some(b':') {
            return Err(self.fail("expected `:` after a mapping key"));
        }
        self.i += 1;
        key_string(resolve(text, quoted, tag.as_deref()))
    }

    /// The value after `key:` or `-`; returns the comments sops places before
    /// the entry (line comments) and the value.
    fn block_value(&mut self, n: usize, ctx: Ctx) -> Result<(Vec<String>, Value), SopsError> {
        let mut before = Vec::new();
        let (anchor, tag) = self.properties();
        let value = match self.peek() {
            None | Some(b'\n') | Some(b'#') => {
                if let Some(c) = self.finish_line()? {
                    before.push(c);
                }
                match self.next_col() {
                    Some(c) if c > n || (c == n && ctx == Ctx::MapValue && self.at_seq_dash()) => {
                        if ctx == Ctx::SeqItem {
                            before.extend(self.take_pending());
                        }
                        if self.at_seq_dash() {
                            Value::List(self.block_seq(c, c == n)?)
                        } else if self.at_key_line() {
                            Value::Map(self.block_map(c)?)
                        } else if matches!(self.peek(), Some(b'[' | b'{')) {
                            let v = self.flow_node()?;
                            if let Some(c) = self.finish_line()? {
                                before.push(c);
                            }
                            v
                        } else if self.peek() == Some(b'*') {
                            let v = self.alias()?;
                            if let Some(c) = self.finish_line()? {
                                before.push(c);
                            }
                            v
                        } else {
                            before.extend(self.take_pending());
                            let (v, c) = self.block_scalar_or_plain(n, tag.as_deref())?;
                            before.extend(c);
                            v
                        }
                    }
                    _ => resolve(String::new(), false, tag.as_deref()),
                }
            }
            Some(b'|' | b'>') => {
                let (text, c) = self.block_scalar(n)?;
                before.extend(c);
                resolve(text, true, tag.as_deref())
            }
            Some(b'*') => {
                let v = self.alias()?;
                if let Some(c) = self.finish_line()? {
                    before.push(c);
                }
                v
            }
            Some(b'[' | b'{') => {
                let v = self.flow_node()?;
                if let Some(c) = self.finish_line()? {
                    // A flow collection's line comment: first inside it as a map
                    // value, before the item as a sequence item.
                    match (ctx, v) {
                        (Ctx::MapValue, Value::Map(items)) => {
                            let mut m = vec![Item::Comment(c)];
                            m.extend(items);
                            Value::Map(m)
                        }
                        (Ctx::MapValue, Value::List(list)) => {
                            let mut l = vec![Value::Comment(c)];
                            l.extend(list);
                            Value::List(l)
                        }
                        (_, v) => {
                            before.push(c);
                            v
                        }
                    }
                } else {
                    v
                }
            }
            Some(_) if ctx == Ctx::SeqItem && self.at_seq_dash() => {
                let c = self.col();
                Value::List(self.block_seq(c, false)?)
            }
            Some(_) if ctx == Ctx::SeqItem && self.at_key_line() => {
                let c = self.col();
                Value::Map(self.block_map(c)?)
            }
            Some(_) => {
                let (v, c) = self.block_scalar_or_plain(n, tag.as_deref())?;
                before.extend(c);
                v
            }
        };
        if let Some(a) = anchor {
            self.anchors.insert(a, value.clone());
        }
        Ok((before, value))
    }

    /// A quoted or plain scalar in block context (plain ones may continue on
    /// lines indented deeper than `n`), and its line comment.
    fn block_scalar_or_plain(&mut self, n: usize, tag: Option<&str>) -> Result<(Value, Option<String>), SopsError> {
        match self.peek() {
            Some(b'"') => {
                let s = self.double_quoted()?;
                Ok((resolve(s, true, tag), self.finish_line()?))
            }
            Some(b'\'') => {
                let s = self.single_quoted()?;
                Ok((resolve(s, true, tag), self.finish_line()?))
            }
            Some(b'|' | b'>') => {
                let (s, c) = self.block_scalar(n)?;
                Ok((resolve(s, true, tag), c))
            }
            _ => {
                let (s, c) = self.plain_multiline(n)?;
                Ok((resolve(s, false, tag), c))
            }
        }
    }

    fn plain_line(&mut self) -> &'a str {
        let start = self.i;
        let rest = &self.b[start..];
        // Up to the line's end or a comment: a `#` after a blank (not at the value's start).
        let mut from = 0;
        let len = loop {
            let Some(at) = crate::scan::find_any(&rest[from..], [b'\n', b'#']) else {
                break rest.len();
            };
            let at = from + at;
            if rest[at] == b'\n' || (at > 0 && matches!(rest[at - 1], b' ' | b'\t')) {
                break at;
            }
            from = at + 1;
        };
        self.i += len;
        self.s[start..self.i].trim_end()
    }

    fn plain_multiline(&mut self, n: usize) -> Result<(String, Option<String>), SopsError> {
        let mut text = self.plain_line().to_string();
        loop {
            if self.peek() == Some(b'#') {
                self.i += 1;
                let c = self.rest_of_line().to_string();
                if self.peek() == Some(b'\n') {
                    self.i += 1;
                }
                return Ok((text, Some(c)));
            }
            // Look ahead for a continuation line.
            let save = self.i;
            if self.peek() == Some(b'\n') {
                self.i += 1;
            }
            let mut breaks = 0;
            loop {
                let line_start = self.i;
                self.skip_space();
                match self.peek() {
                    Some(b'\n') => {
                        self.i += 1;
                        breaks += 1;
                    }
                    None => {
                        self.i = save;
                        return Ok((text, None));
                    }
                    Some(b'#') => {
                        self.i = save;
                        if self.peek() == Some(b'\n') {
                            self.i += 1;
                        }
                        return Ok((text, None));
                    }
                    Some(_) => {
                        let col = self.i - line_start;
                        self.i = line_start;
                        if col <= n || self.at_doc_marker() || (col == 0 && n == 0) {
                            self.i = save;
                            if self.peek() == Some(b'\n') {
                                self.i += 1;
                            }
                            return Ok((text, None));
                        }
                        self.skip_space();
                        break;
                    }
                }
            }
            if breaks == 0 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', breaks));
            }
            text.push_str(self.plain_line());
        }
    }

    fn single_quoted(&mut self) -> Result<String, SopsError> {
        self.i += 1;
        let mut raw = String::new();
        loop {
            match self.peek() {
                None => return Err(self.fail("unterminated single-quoted string")),
                Some(b'\'') if self.peek_at(1) == Some(b'\'') => {
                    raw.push('\'');
                    self.i += 2;
                }
                Some(b'\'') => {
                    self.i += 1;
                    return Ok(fold_quoted(&raw));
                }
                Some(_) => {
                    let ch = self.s[self.i..].chars().next().unwrap_or('\u{fffd}');
                    raw.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn double_quoted(&mut self) -> Result<String, SopsError> {
        self.i += 1;
        // Escapes are decoded into `out`; literal line breaks are folded, as
        // in single-quoted strings, segment by segment.
        let mut out = String::new();
        let mut segment = String::new();
        loop {
            match self.peek() {
                None => return Err(self.fail("unterminated double-quoted string")),
                Some(b'"') => {
                    self.i += 1;
                    out.push_str(&fold_quoted(&segment));
                    return Ok(out);
                }
                Some(b'\\') => {
                    let e = self.peek_at(1).ok_or_else(|| self.fail("unterminated escape"))?;
                    self.i += 2;
                    if e == b'\n' {
                        // An escaped line break: joins lines, dropping leading blanks.
                        out.push_str(&fold_quoted(segment.trim_end_matches([' ', '\t'])));
                        segment.clear();
                        self.skip_space();
                        continue;
                    }
                    out.push_str(&fold_quoted(&segment));
                    segment.clear();
                    let hex = |p: &mut Self, len: usize| -> Result<char, SopsError> {
                        let h = p.s.get(p.i..p.i + len).ok_or_else(|| p.fail("truncated escape"))?;
                        let v = u32::from_str_radix(h, 16).map_err(|_| p.fail("invalid escape"))?;
                        p.i += len;
                        char::from_u32(v).ok_or_else(|| p.fail("invalid escape"))
                    };
                    let ch = match e {
                        b'0' => '\0',
                        b'a' => '\u{7}',
                        b'b' => '\u{8}',
                        b't' | b'\t' => '\t',
                        b'n' => '\n',
                        b'v' => '\u{b}',
                        b'f' => '\u{c}',
                        b'r' => '\r',
                        b'e' => '\u{1b}',
                        b' ' => ' ',
                        b'"' => '"',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'N' => '\u{85}',
                        b'_' => '\u{a0}',
                        b'L' => '\u{2028}',
                        b'P' => '\u{2029}',
                        b'x' => hex(self, 2)?,
                        b'u' => hex(self, 4)?,
                        b'U' => hex(self, 8)?,
                        _ => return Err(self.fail("invalid escape in a double-quoted string")),
                    };
                    out.push(ch);
                }
                Some(_) => {
                    let ch = self.s[self.i..].chars().next().unwrap_or('\u{fffd}');
                    segment.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar; `n` is the parent's indentation.
    fn block_scalar(&mut self, n: usize) -> Result<(String, Option<String>), SopsError> {
        let folded = self.peek() == Some(b'>');
        self.i += 1;
        let (mut chomp, mut explicit) = (b' ', None);
        for _ in 0..2 {
            match self.peek() {
                Some(c @ (b'+' | b'-')) => {
                    chomp = c;
                    self.i += 1;
                }
                Some(c @ b'1'..=b'9') => {
                    explicit = Some((c - b'0') as usize);
                    self.i += 1;
                }
                _ => {}
            }
        }
        let comment = self.finish_line()?;
        // Content lines: the indentation is explicit or that of the first non-empty line.
        let mut lines: Vec<&str> = Vec::new();
        let mut indent = explicit.map(|e| n + e);
        while self.i < self.b.len() {
            let line_start = self.i;
            let line = self.rest_of_line();
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if self.peek() == Some(b'\n') {
                self.i += 1;
            }
            if line.trim().is_empty() {
                lines.push("");
                continue;
            }
            let ind = *indent.get_or_insert(spaces);
            if spaces < ind || ind <= n {
                self.i = line_start;
                break;
            }
            lines.push(&line[ind..]);
        }
        let content_len = lines.iter().rposition(|l| !l.is_empty()).map_or(0, |p| p + 1);
        let trailing = lines.len() - content_len;
        let mut text = String::new();
        let (mut empties, mut started, mut prev_more) = (0usize, false, false);
        for line in &lines[..content_len] {
            if line.is_empty() {
                empties += 1;
                continue;
            }
            let more = line.starts_with([' ', '\t']);
            if !started {
                text.extend(std::iter::repeat_n('\n', empties));
            } else if folded && !prev_more && !more {
                // Folding: one break becomes a space; empty lines stay breaks.
                if empties == 0 {
                    text.push(' ');
                } else {
                    text.extend(std::iter::repeat_n('\n', empties));
                }
            } else {
                text.extend(std::iter::repeat_n('\n', empties + 1));
            }
            text.push_str(line);
            (empties, started, prev_more) = (0, true, more);
        }
        match chomp {
            b'-' => {}
            b'+' => {
                if content_len > 0 {
                    text.push('\n');
                }
                text.extend(std::iter::repeat_n('\n', trailing));
            }
            _ => {
                if content_len > 0 {
                    text.push('\n');
                }
            }
        }
        Ok((text, comment))
    }

    fn skip_flow_space(&mut self, comments: &mut Vec<String>) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.i += 1,
                Some(b'#') => {
                    self.i += 1;
                    comments.push(self.rest_of_line().to_string());
                }
                _ => return,
            }
        }
    }

    fn flow_node(&mut self) -> Result<Value, SopsError> {
        self.enter()?;
        let (anchor, tag) = self.properties();
        let v = match self.peek() {
            Some(b'[') => {
                self.i += 1;
                let mut list = Vec::new();
                loop {
                    let mut comments = Vec::new();
                    self.skip_flow_space(&mut comments);
                    list.extend(comments.drain(..).map(Value::Comment));
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        break;
                    }
                    list.push(self.flow_node()?);
                    self.skip_flow_space(&mut comments);
                    list.extend(comments.drain(..).map(Value::Comment));
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err(self.fail("expected `,` or `]` in a flow sequence")),
                    }
                }
                Value::List(list)
            }
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                let mut keys = Keys::new();
                loop {
                    let mut comments = Vec::new();
                    self.skip_flow_space(&mut comments);
                    items.extend(comments.drain(..).map(Item::Comment));
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        break;
                    }
                    let (_a, ktag) = self.properties();
                    let key = match self.peek() {
                        Some(b'"') => resolve(self.double_quoted()?, true, ktag.as_deref()),
                        Some(b'\'') => resolve(self.single_quoted()?, true, ktag.as_deref()),
                        _ => resolve(self.flow_plain(), false, ktag.as_deref()),
                    };
                    let key = key_string(key)?;
                    self.skip_flow_space(&mut comments);
                    let value = if self.peek() == Some(b':') {
                        self.i += 1;
                        self.skip_flow_space(&mut comments);
                        if matches!(self.peek(), Some(b',' | b'}')) { Value::Null } else { self.flow_node()? }
                    } else {
                        Value::Null
                    };
                    items.extend(comments.drain(..).map(Item::Comment));
                    if keys.defined(&items, &key) {
                        return Err(self.fail(&format!("mapping key `{key}` already defined")));
                    }
                    items.push(Item::Entry(key, value));
                    self.skip_flow_space(&mut comments);
                    items.extend(comments.drain(..).map(Item::Comment));
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err(self.fail("expected `,` or `}` in a flow mapping")),
                    }
                }
                Value::Map(items)
            }
            Some(b'"') => resolve(self.double_quoted()?, true, tag.as_deref()),
            Some(b'\'') => resolve(self.single_quoted()?, true, tag.as_deref()),
            Some(b'*') => self.alias()?,
            None => return Err(self.fail("unexpected end of input in a flow collection")),
            _ => resolve(self.flow_plain(), false, tag.as_deref()),
        };
        if let Some(a) = anchor {
            self.anchors.insert(a, v.clone());
        }
        self.depth -= 1;
        Ok(v)
    }

    fn flow_plain(&mut self) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            let stop = match c {
                b',' | b'[' | b']' | b'{' | b'}' | b'\n' => true,
                b':' => is_blank(self.peek_at(1)) || matches!(self.peek_at(1), Some(b',' | b']' | b'}')),
                b'#' => self.i > start && matches!(self.b[self.i - 1], b' ' | b'\t'),
                _ => false,
            };
            if stop {
                break;
            }
            self.i += 1;
        }
        self.s[start..self.i].trim().to_string()
    }
}

/// Folds the line breaks of a quoted scalar: one break becomes a space, n
/// breaks n-1 newlines; blanks around breaks go.
fn fold_quoted(raw: &str) -> String {
    if !raw.contains('\n') {
        return raw.to_string();
    }
    let lines: Vec<&str> = raw.split('\n').collect();
    let mut out = String::new();
    let last = lines.len() - 1;
    let mut empties = 0;
    for (k, line) in lines.iter().enumerate() {
        let mut l = *line;
        if k > 0 {
            l = l.trim_start_matches([' ', '\t']);
        }
        if k < last {
            l = l.trim_end_matches([' ', '\t']);
        }
        if k > 0 && k < last && l.is_empty() {
            empties += 1;
            continue;
        }
        if k > 0 {
            if empties == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', empties));
            }
            empties = 0;
        }
        out.push_str(l);
    }
    out
}

fn key_string(v: Value) -> Result<String, SopsError> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(err(format!(
            "a mapping key is a {} ({}); only string keys are supported, as in sops",
            type_name(&other),
            scalar_text(&other)
        ))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Time(_) => "timestamp",
        _ => "collection",
    }
}

/// The value of a scalar as go-yaml v3 decodes it into an `interface{}`.
fn resolve(text: String, quoted: bool, tag: Option<&str>) -> Value {
    let tag = tag.map(|t| t.strip_prefix("tag:yaml.org,2002:").map_or(t.to_string(), |s| format!("!!{s}")));
    match tag.as_deref() {
        Some("!!str") => return Value::Str(text),
        Some("!!binary") => {
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            return match base64::engine::general_purpose::STANDARD.decode(clean) {
                Ok(bytes) => Value::Str(String::from_utf8_lossy(&bytes).into_owned()),
                Err(_) => Value::Str(text),
            };
        }
        Some("!!int" | "!!float" | "!!bool" | "!!null" | "!!timestamp") => return resolve_plain(text),
        _ => {}
    }
    if quoted { Value::Str(text) } else { resolve_plain(text) }
}

/// How go-yaml v3 resolves an untagged plain scalar.
fn resolve_plain(s: String) -> Value {
    match plain_kind(&s) {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Int(i) => Value::Int(i),
        Kind::Float(f) => Value::Float(f),
        Kind::Time(t) => Value::Time(t),
        Kind::Str => Value::Str(s),
    }
}

enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Time(String),
    Str,
}

fn plain_kind(s: &str) -> Kind {
    let Some(first) = s.chars().next() else { return Kind::Null };
    match first {
        '~' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' => match s {
            "true" | "True" | "TRUE" => Kind::Bool(true),
            "false" | "False" | "FALSE" => Kind::Bool(false),
            "~" | "null" | "Null" | "NULL" => Kind::Null,
            _ => Kind::Str,
        },
        '.' => match s {
            ".inf" | ".Inf" | ".INF" => Kind::Float(f64::INFINITY),
            ".nan" | ".NaN" | ".NAN" => Kind::Float(f64::NAN),
            _ => number_kind(s),
        },
        '+' | '-' | '0'..='9' => match s {
            "+.inf" | "+.Inf" | "+.INF" => Kind::Float(f64::INFINITY),
            "-.inf" | "-.Inf" | "-.INF" => Kind::Float(f64::NEG_INFINITY),
            _ => {
                if let Some(t) = parse_timestamp(s) {
                    return Kind::Time(t);
                }
                number_kind(s)
            }
        },
        _ => Kind::Str,
    }
}

fn number_kind(s: &str) -> Kind {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    // sops keeps an integer beyond i64 as a float.
    if let Some(k) = weir_go_yaml::parse_int(&plain).map(|int| match int {
        GoInt::Int(value) => Kind::Int(value),
        GoInt::Uint(value) => Kind::Float(value as f64),
    }) {
        return k;
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Kind::Float(f);
    }
    Kind::Str
}

/// go-yaml v3's timestamps (`2006-1-2`, with `T`/`t`/space and `15:4:5.999999999`,
/// a `Z07:00` zone after `T`/`t`), printed as Go's `time.RFC3339Nano`.
pub fn parse_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let mut i = 5;
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - st < max {
            *i += 1;
        }
        if *i == st { None } else { s[st..*i].parse().ok() }
    };
    let year: u32 = s[..4].parse().ok()?;
    let month = num(&mut i, 2)?;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let day = num(&mut i, 2)?;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day < 1 || day > days[month as usize - 1] {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if i == b.len() {
        return Some(format!("{date}T00:00:00Z"));
    }
    let sep = b[i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    i += 1;
    let h = num(&mut i, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let m = num(&mut i, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let sec = num(&mut i, 2)?;
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let mut frac = String::new();
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = s[st..i].chars().take(9).collect::<String>().trim_end_matches('0').to_string();
    }
    let zone = if i == b.len() {
        if sep == b' ' { "Z".to_string() } else { return None }
    } else if sep == b' ' {
        return None;
    } else if &s[i..] == "Z" {
        "Z".to_string()
    } else {
        let z = &s[i..];
        let zb = z.as_bytes();
        if zb.len() != 6 || !matches!(zb[0], b'+' | b'-') || zb[3] != b':' {
            return None;
        }
        if !(zb[1..3].iter().chain(&zb[4..6]).all(u8::is_ascii_digit)) {
            return None;
        }
        if &z[1..] == "00:00" { "Z".to_string() } else { z.to_string() }
    };
    let frac = if frac.is_empty() { String::new() } else { format!(".{frac}") };
    Some(format!("{date}T{h:02}:{m:02}:{sec:02}{frac}{zone}"))
}

/// Parses a YAML stream into one branch per document, as sops loads it.
pub fn load_plain(doc: &[u8]) -> Result<Vec<Vec<Item>>, SopsError> {
    let text = std::str::from_utf8(doc).map_err(|e| err(format!("not UTF-8: {e}")))?;
    let normalised;
    let text = if text.contains('\r') {
        normalised = text.replace("\r\n", "\n");
        normalised.as_str()
    } else {
        text
    };
    let mut p = Parser { s: text, b: text.as_bytes(), i: 0, pending: Vec::new(), anchors: HashMap::new(), depth: 0 };
    let docs = p.documents()?;
    if docs.is_empty() {
        return Err(err("the document is empty"));
    }
    Ok(docs)
}

/// Parses an encrypted stream: the documents without their `sops` keys, and
/// the metadata (from the first document holding it).
pub fn load_encrypted(doc: &[u8]) -> Result<(Vec<Vec<Item>>, Value), SopsError> {
    let docs = load_plain(doc)?;
    let mut meta = None;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let mut branch = Vec::with_capacity(d.len());
        for item in d {
            match item {
                Item::Entry(k, v) if k == "sops" => {
                    if meta.is_none() {
                        meta = Some(v);
                    }
                }
                other => branch.push(other),
            }
        }
        out.push(branch);
    }
    match meta {
        None | Some(Value::Null) => Err(SopsError::NotEncrypted("no `sops` metadata key at the top level".into())),
        Some(m) => Ok((out, m)),
    }
}

// ----------------------------------------------------------------- emitter

fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        let g = &b[st..i];
        if !(g.len() == 1 || (g.len() == 2 && g[0] <= b'5')) {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Letters, digits, `_` and inner spaces only: libyaml's analysis allows every
/// style for such a string (no indicator, break, special character, nor
/// leading or trailing space), so it need not run.
fn is_simple(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0] != b' '
        && b[b.len() - 1] != b' '
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b' ')
}

/// Whether go-yaml may write this string unquoted: it must read back as a string.
fn can_use_plain(s: &str) -> bool {
    matches!(plain_kind(s), Kind::Str) && !is_base60_float(s) && !is_old_bool(s)
}

/// A float as go-yaml prints it.
fn format_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    weir_go_yaml::format_float_g(f)
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Time(t) => t.clone(),
        Value::Str(s) | Value::Comment(s) => s.clone(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Map(_) => "{}".into(),
        Value::List(_) => "[]".into(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter {
    out: String,
}

fn round_up(indent: usize) -> usize {
    INDENT * ((indent + INDENT) / INDENT)
}

impl Emitter {
    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }
    fn comments(&mut self, comments: &[&str], indent: usize) {
        for c in comments {
            self.spaces(indent);
            self.out.push('#');
            self.out.push_str(c);
            self.out.push('\n');
        }
    }

    /// A scalar after `key: ` or `- `, or as a key; `indent` is where block
    /// scalar content goes. Ends the line unless it is a key.
    fn scalar(&mut self, v: &Value, indent: usize, key: bool) {
        match v {
            Value::Str(s) => self.string(s, indent, key),
            Value::Bytes(b) => self.string(&String::from_utf8_lossy(b), indent, key),
            other => {
                self.out.push_str(&scalar_text(other));
                if !key {
                    self.out.push('\n');
                }
            }
        }
    }

    /// A string scalar, in the style go-yaml picks for it.
    fn string(&mut self, s: &str, indent: usize, key: bool) {
        let a = if is_simple(s) {
            // What the analysis finds for these, without walking the characters again.
            weir_go_yaml::Analysis { block_plain_allowed: true, single_quoted_allowed: true, block_allowed: true }
        } else {
            let mut a = weir_go_yaml::analyze(s);
            // go-yaml v3 never leaves an empty string plain (libyaml would).
            a.block_plain_allowed &= !s.is_empty();
            a
        };
        let mut style = if !can_use_plain(s) {
            Style::Double
        } else if s.contains('\n') {
            Style::Literal
        } else {
            Style::Plain
        };
        if style == Style::Plain && !a.block_plain_allowed {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || key) {
            style = Style::Double;
        }
        match style {
            Style::Plain => self.out.push_str(s),
            Style::Single => {
                self.out.push('\'');
                self.out.push_str(&s.replace('\'', "''"));
                self.out.push('\'');
            }
            Style::Double => self.double(s),
            Style::Literal => {
                self.literal(s, indent);
                return;
            }
        }
        if !key {
            self.out.push('\n');
        }
    }

    fn double(&mut self, s: &str) {
        let o = &mut self.out;
        o.push('"');
        for c in s.chars() {
            if let Some(escaped) = weir_go_yaml::double_quoted_escape(c) {
                o.push_str(&escaped);
            } else {
                o.push(c);
            }
        }
        o.push('"');
    }

    fn literal(&mut self, s: &str, indent: usize) {
        self.out.push('|');
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.out.push_str(&INDENT.to_string());
        }
        let n = chars.len();
        if n == 0 || !is_break(chars[n - 1]) {
            self.out.push('-');
        } else if n == 1 || is_break(chars[n - 2]) {
            self.out.push('+');
        }
        self.out.push('\n');
        let mut at_line_start = true;
        for &c in &chars {
            if is_break(c) {
                self.out.push('\n');
                at_line_start = true;
            } else {
                if at_line_start {
                    self.spaces(indent);
                    at_line_start = false;
                }
                self.out.push(c);
            }
        }
        if !at_line_start {
            self.out.push('\n');
        }
    }

    /// Comments before the first entry of a collection (printed by the
    /// parent when the collection starts a sequence item).
    fn leading_comments(v: &Value) -> Vec<&str> {
        match v {
            Value::Map(items) => {
                items.iter().map_while(|i| if let Item::Comment(c) = i { Some(c.as_str()) } else { None }).collect()
            }
            Value::List(l) => {
                l.iter().map_while(|v| if let Value::Comment(c) = v { Some(c.as_str()) } else { None }).collect()
            }
            _ => Vec::new(),
        }
    }

    fn is_empty_collection(v: &Value) -> bool {
        match v {
            Value::Map(items) => !items.iter().any(|i| matches!(i, Item::Entry(..))),
            Value::List(l) => !l.iter().any(|v| !matches!(v, Value::Comment(_))),
            _ => false,
        }
    }

    /// A block mapping with keys at `indent`; with `inline`, the first key
    /// continues the current line (after `- `) and its leading comments were printed.
    fn map(&mut self, items: &[Item], indent: usize, inline: bool) {
        let mut comments: Vec<&str> = Vec::new();
        let mut first = true;
        for item in items {
            match item {
                Item::Comment(c) => comments.push(c),
                Item::Entry(k, v) => {
                    if first && inline {
                        comments.clear();
                    } else {
                        self.comments(&comments, indent);
                        comments.clear();
                        self.spaces(indent);
                    }
                    first = false;
                    self.string(k, indent, true);
                    self.out.push(':');
                    self.value_after_key(v, indent);
                }
            }
        }
        self.comments(&comments, indent);
    }

    fn value_after_key(&mut self, v: &Value, indent: usize) {
        let child = round_up(indent);
        match v {
            Value::Map(items) if !Self::is_empty_collection(v) => {
                self.out.push('\n');
                self.map(items, child, false);
            }
            Value::List(list) if !Self::is_empty_collection(v) => {
                self.out.push('\n');
                self.seq(list, child, false);
            }
            Value::Map(_) => self.out.push_str(" {}\n"),
            Value::List(_) => self.out.push_str(" []\n"),
            scalar => {
                self.out.push(' ');
                self.scalar(scalar, child, false);
            }
        }
    }

    /// A block sequence with dashes at `indent`.
    fn seq(&mut self, list: &[Value], indent: usize, inline: bool) {
        let mut comments: Vec<&str> = Vec::new();
        let mut first = true;
        let mut last_kind = 0; // 0 scalar, 1 collection
        for v in list {
            if let Value::Comment(c) = v {
                comments.push(c);
                continue;
            }
            let empty = Self::is_empty_collection(v);
            let hoisted = if empty { Vec::new() } else { Self::leading_comments(v) };
            if first && inline {
                comments.clear();
            } else {
                self.comments(&comments, indent);
                self.comments(&hoisted, indent);
                comments.clear();
                self.spaces(indent);
            }
            first = false;
            self.out.push_str("- ");
            last_kind = 0;
            match v {
                Value::Map(items) if !empty => {
                    last_kind = 1;
                    self.map(items, indent + 2, true);
                }
                Value::List(l) if !empty => {
                    last_kind = 1;
                    self.seq(l, indent + 2, true);
                }
                Value::Map(_) => self.out.push_str("{}\n"),
                Value::List(_) => self.out.push_str("[]\n"),
                scalar => self.scalar(scalar, indent + 2, false),
            }
        }
        // Trailing comments are the last item's foot: a collection prints it
        // at its own indentation.
        self.comments(&comments, if last_kind == 1 { indent + 2 } else { indent });
    }
}

/// Prints documents as sops prints YAML.
pub fn emit(docs: &[Vec<Item>]) -> Vec<u8> {
    let mut e = Emitter { out: String::new() };
    for (n, doc) in docs.iter().enumerate() {
        if n > 0 {
            e.out.push_str("---\n");
        }
        if doc.iter().any(|i| matches!(i, Item::Entry(..))) {
            e.map(doc, 0, false);
        } else {
            let comments: Vec<&str> =
                doc.iter().filter_map(|i| if let Item::Comment(c) = i { Some(c.as_str()) } else { None }).collect();
            e.comments(&comments, 0);
            e.out.push_str("{}\n");
        }
    }
    e.out.into_bytes()
}

/// Prints a single value as sops' `--extract` does for non-string leaves.
pub fn emit_value(v: &Value) -> Vec<u8> {
    let mut e = Emitter { out: String::new() };
    match v {
        Value::Map(items) if !Emitter::is_empty_collection(v) => e.map(items, 0, false),
        Value::List(l) if !Emitter::is_empty_collection(v) => e.seq(l, 0, false),
        other => e.scalar(other, 0, false),
    }
    e.out.into_bytes()
}

/// Prints encrypted documents, each with the metadata under `sops`.
pub fn emit_encrypted(mut docs: Vec<Vec<Item>>, meta: &Value) -> Vec<u8> {
    for d in &mut docs {
        d.push(Item::Entry("sops".into(), meta.clone()));
    }
    emit(&docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(src: &str) -> String {
        String::from_utf8(emit(&load_plain(src.as_bytes()).unwrap())).unwrap()
    }

    #[test]
    fn layout_and_comments() {
        let src = "# head\na: 1 # lc\nb:\n  # first\n  c: [1, x]\n  d:\n  - e: f\n    g: |\n      two\n      lines\n  # foot of b\nz: null\n";
        let want = "# head\n# lc\na: 1\nb:\n    # first\n    c:\n        - 1\n        - x\n    d:\n        - e: f\n          g: |\n            two\n            lines\n          # foot of b\nz: null\n";
        assert_eq!(roundtrip(src), want);
    }

    #[test]
    fn scalars_resolve_like_go_yaml() {
        let docs = load_plain(b"a: [012, 0o17, 0x1F, 1_000, yes, '1', ~, true, 1.5, 1e3, 2001-12-14, -0]").unwrap();
        let Item::Entry(_, Value::List(l)) = &docs[0][0] else { panic!() };
        assert_eq!(l[0], Value::Int(10));
        assert_eq!(l[1], Value::Int(15));
        assert_eq!(l[3], Value::Int(1000));
        assert_eq!(l[4], Value::Str("yes".into()));
        assert_eq!(l[6], Value::Null);
        assert_eq!(l[10], Value::Time("2001-12-14T00:00:00Z".into()));
        assert_eq!(format_float(1e21), "1e+21");
        assert_eq!(format_float(1000.0), "1000");
        assert_eq!(format_float(1.2345678901234569e23), "1.2345678901234569e+23");
    }

    #[test]
    fn errors() {
        assert!(load_plain(b"- 1\n").is_err());
        assert!(load_plain(b"a: [1\n").is_err());
        assert!(load_plain(b"1: a\n").is_err());
        assert!(load_plain(b"a: 1\na: 2\n").is_err());
        assert!(load_plain(b"").is_err());
    }

    /// The emitter's shortcut gives what libyaml's analysis would.
    #[test]
    fn simple_strings_analyse_as_unrestricted() {
        let pool = [" ", "a", "Z", "0", "9", "_", "  ", "x y", "-", ":", "#", ".", "\n", "é", "'"];
        let mut state = 0x9e37_79b9_u64;
        let mut simple = 0;
        for _ in 0..20_000 {
            let mut s = String::new();
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for k in 0..(state >> 60) {
                s.push_str(pool[((state >> (4 * k)) % pool.len() as u64) as usize]);
            }
            if is_simple(&s) {
                simple += 1;
                let a = weir_go_yaml::analyze(&s);
                assert!(a.block_plain_allowed && a.single_quoted_allowed && a.block_allowed, "{s:?}");
            }
        }
        assert!(simple > 1000, "only {simple} simple strings");
    }
}
