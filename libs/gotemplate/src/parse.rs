//! The parser: Go's `text/template/parse/parse.go`, producing the trees of one
//! `Parse` call (the named template and its `define`s and `block`s).

use std::rc::Rc;

use weir_go_compat::strconv;

use crate::FuncMap;
use crate::Value;
use crate::ast::{Arg, Branch, Builtin, Cmd, FuncRef, Node, Pipe, Source, Tree, is_empty_tree};
use crate::fmt::quote;
use crate::lex::{Item, T, lex};

/// How deeply parentheses and control structures may nest. Go limits
/// parentheses to 10000 (1000 on wasm); we are a wasm guest with a small stack
/// and recurse for control structures too, so we take Go's wasm figure for both.
const MAX_DEPTH: usize = 1000;

/// What an action parsed to: a node, or the `{{end}}`/`{{else}}` that closes a list.
enum Parsed {
    Node(Node),
    End,
    Else,
}

impl Parsed {
    fn describe(&self) -> String {
        match self {
            Parsed::Node(n) => n.to_string(),
            Parsed::End => "{{end}}".into(),
            Parsed::Else => "{{else}}".into(),
        }
    }
}

struct Parser<'f> {
    toks: Vec<Item>,
    i: usize,
    /// The furthest token read: Go reports parse errors at its line.
    far: usize,
    source: Rc<Source>,
    funcs: &'f FuncMap,
    vars: Vec<String>,
    range_depth: usize,
    action_line: usize,
    depth: usize,
    trees: Vec<Tree>,
}

type PResult<T> = Result<T, String>;

/// Parses `text` as template `name`; returns the template and every template it defines.
pub(crate) fn parse(name: &str, text: &str, funcs: &FuncMap) -> PResult<Vec<Tree>> {
    let mut toks = lex(text);
    if toks.is_empty() {
        toks.push(Item { typ: T::Eof, pos: text.len(), val: String::new(), line: 1 });
    }
    let source = Rc::new(Source { name: name.to_string(), text: text.to_string() });
    let mut p = Parser {
        toks,
        i: 0,
        far: 0,
        source,
        funcs,
        vars: vec!["$".into()],
        range_depth: 0,
        action_line: 0,
        depth: 0,
        trees: Vec::new(),
    };
    let root = p.parse_top()?;
    p.add(name.to_string(), root)?;
    Ok(p.trees)
}

impl Parser<'_> {
    fn tok(&self, k: usize) -> &Item {
        // `k` comes from next()/peek(), which clamp it to the last token.
        &self.toks[k.min(self.toks.len() - 1)]
    }

    fn typ(&self, k: usize) -> T {
        self.tok(k).typ
    }

    fn next(&mut self) -> usize {
        let k = self.i.min(self.toks.len() - 1);
        self.i += 1;
        self.far = self.far.max(k);
        k
    }

    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    fn peek(&mut self) -> usize {
        let k = self.next();
        self.backup();
        k
    }

    fn next_non_space(&mut self) -> usize {
        loop {
            let k = self.next();
            if self.typ(k) != T::Space {
                return k;
            }
        }
    }

    fn peek_non_space(&mut self) -> usize {
        let k = self.next_non_space();
        self.backup();
        k
    }

    fn errorf(&self, msg: impl std::fmt::Display) -> String {
        format!("template: {}:{}: {}", self.source.name, self.tok(self.far).line, msg)
    }

    fn unexpected<X>(&self, k: usize, context: &str) -> PResult<X> {
        let item = self.tok(k);
        if item.typ == T::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != item.line {
                extra = format!(" in action started at {}:{}", self.source.name, self.action_line);
                if item.val.ends_with(" action") {
                    extra = extra.split_off(" in action".len());
                }
            }
            return Err(self.errorf(format!("{item}{extra}")));
        }
        Err(self.errorf(format!("unexpected {item} in {context}")))
    }

    fn expect(&mut self, typ: T, context: &str) -> PResult<usize> {
        let k = self.next_non_space();
        if self.typ(k) != typ {
            return self.unexpected(k, context);
        }
        Ok(k)
    }

    fn add(&mut self, name: String, root: Vec<Node>) -> PResult<()> {
        let text_len = root.iter().map(|n| if let Node::Text(t) = n { t.len() } else { 0 }).sum();
        let tree = Tree { name, source: self.source.clone(), root, text_len };
        match self.trees.iter_mut().find(|t| t.name == tree.name) {
            None => self.trees.push(tree),
            Some(old) if is_empty_tree(&old.root) => *old = tree,
            Some(_) if !is_empty_tree(&tree.root) => {
                return Err(self.errorf(format!("template: multiple definition of template {}", quote(&tree.name))));
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        loop {
            let k = self.peek();
            if self.typ(k) == T::Eof {
                return Ok(root);
            }
            if self.typ(k) == T::LeftDelim {
                let delim = self.next();
                let d = self.next_non_space();
                if self.typ(d) == T::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = delim;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                other => return Err(self.errorf(format!("unexpected {}", other.describe()))),
            }
        }
    }

    /// Parses a nested template body (define/block) with its own variables.
    fn sub_tree(&mut self, context: &str) -> PResult<Vec<Node>> {
        let vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let range_depth = std::mem::replace(&mut self.range_depth, 0);
        let action_line = std::mem::replace(&mut self.action_line, 0);
        let (root, end) = self.item_list()?;
        self.vars = vars;
        self.range_depth = range_depth;
        self.action_line = action_line;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {context}", end.describe())));
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let k = self.next_non_space();
        if !matches!(self.typ(k), T::String | T::RawString) {
            return self.unexpected(k, CONTEXT);
        }
        let name = self.unquote(k)?;
        self.expect(T::RightDelim, CONTEXT)?;
        let root = self.sub_tree(CONTEXT)?;
        self.add(name, root)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, Parsed)> {
        let mut list = Vec::new();
        loop {
            let k = self.peek_non_space();
            if self.typ(k) == T::Eof {
                return Err(self.errorf("unexpected EOF"));
            }
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                end => return Ok((list, end)),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let k = self.next_non_space();
        match self.typ(k) {
            T::Text => Ok(Parsed::Node(Node::Text(self.tok(k).val.as_str().into()))),
            T::LeftDelim => {
                self.action_line = self.tok(k).line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(k, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let k = self.next_non_space();
        match self.typ(k) {
            T::Block => return self.block_control(),
            T::Break | T::Continue => {
                let is_break = self.typ(k) == T::Break;
                let word = if is_break { "{{break}}" } else { "{{continue}}" };
                let d = self.next_non_space();
                if self.typ(d) != T::RightDelim {
                    return self.unexpected(d, word);
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{word} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if is_break { Node::Break } else { Node::Continue }));
            }
            T::Else => {
                let p = self.peek_non_space();
                if !matches!(self.typ(p), T::If | T::With) {
                    self.expect(T::RightDelim, "else")?;
                }
                return Ok(Parsed::Else);
            }
            T::End => {
                self.expect(T::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            T::If => return Ok(Parsed::Node(Node::If(Box::new(self.parse_control("if")?)))),
            T::Range => return Ok(Parsed::Node(Node::Range(Box::new(self.parse_control("range")?)))),
            T::With => return Ok(Parsed::Node(Node::With(Box::new(self.parse_control("with")?)))),
            T::Template => return self.template_control(),
            _ => {}
        }
        self.backup();
        // Variables declared here persist until the enclosing {{end}}.
        Ok(Parsed::Node(Node::Action(self.pipeline("command", T::RightDelim)?)))
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.errorf("max expression depth exceeded"));
        }
        self.depth += 1;
        Ok(())
    }

    fn parse_control(&mut self, context: &str) -> PResult<Branch> {
        self.enter()?;
        let nvars = self.vars.len();
        let pipe = self.pipeline(context, T::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let else_list = match next {
            Parsed::Else => {
                // `{{else if}}`/`{{else with}}` is `{{else}}{{if}}…{{end}}{{end}}` with the
                // inner `{{end}}` doing for both.
                let k = self.peek();
                if context == "if" && self.typ(k) == T::If {
                    self.next();
                    Some(vec![Node::If(Box::new(self.parse_control("if")?))])
                } else if context == "with" && self.typ(k) == T::With {
                    self.next();
                    Some(vec![Node::With(Box::new(self.parse_control("with")?))])
                } else {
                    let (list, next) = self.item_list()?;
                    if !matches!(next, Parsed::End) {
                        return Err(self.errorf(format!("expected end; found {}", next.describe())));
                    }
                    Some(list)
                }
            }
            _ => None,
        };
        self.vars.truncate(nvars);
        self.depth -= 1;
        Ok(Branch { pipe, list, else_list })
    }

    fn template_name(&mut self, k: usize, context: &str) -> PResult<String> {
        match self.typ(k) {
            T::String | T::RawString => self.unquote(k),
            _ => self.unexpected(k, context),
        }
    }

    fn template_control(&mut self) -> PResult<Parsed> {
        const CONTEXT: &str = "template clause";
        let k = self.next_non_space();
        let name = self.template_name(k, CONTEXT)?;
        let d = self.next_non_space();
        let pipe = if self.typ(d) != T::RightDelim {
            self.backup();
            Some(self.pipeline(CONTEXT, T::RightDelim)?)
        } else {
            None
        };
        Ok(Parsed::Node(Node::Template { pos: self.tok(k).pos, name: name.into(), pipe }))
    }

    fn block_control(&mut self) -> PResult<Parsed> {
        const CONTEXT: &str = "block clause";
        let k = self.next_non_space();
        let name = self.template_name(k, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, T::RightDelim)?;
        self.enter()?;
        let root = self.sub_tree(CONTEXT)?;
        self.depth -= 1;
        self.add(name.clone(), root)?;
        Ok(Parsed::Node(Node::Template { pos: self.tok(k).pos, name: name.into(), pipe: Some(pipe) }))
    }

    fn pipeline(&mut self, context: &str, end: T) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe { pos: self.tok(start).pos, is_assign: false, decl: Vec::new(), cmds: Vec::new() };
        'decls: loop {
            let v = self.peek_non_space();
            if self.typ(v) != T::Variable {
                break;
            }
            self.next();
            // "$x foo" is an argument, "$x := foo" a declaration: look past the spaces.
            let n = self.peek_non_space();
            let name = self.tok(v).val.clone();
            match self.typ(n) {
                T::Assign | T::Declare => {
                    pipe.is_assign = self.typ(n) == T::Assign;
                    self.next_non_space();
                    pipe.decl.push(name.as_str().into());
                    self.vars.push(name);
                }
                T::Char if self.tok(n).val == "," => {
                    self.next_non_space();
                    pipe.decl.push(name.as_str().into());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        let k = self.peek_non_space();
                        if matches!(self.typ(k), T::Variable | T::RightDelim | T::RightParen) {
                            continue 'decls;
                        }
                        return Err(self.errorf("range can only initialize variables"));
                    }
                    return Err(self.errorf(format!("too many declarations in {context}")));
                }
                _ => self.i = v,
            }
            break;
        }
        loop {
            let k = self.next_non_space();
            match self.typ(k) {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                T::Bool
                | T::CharConstant
                | T::Complex
                | T::Dot
                | T::Field
                | T::Identifier
                | T::Number
                | T::Nil
                | T::RawString
                | T::String
                | T::Variable
                | T::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(k, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(Arg::Bool { .. } | Arg::Dot { .. } | Arg::Nil { .. } | Arg::Number { .. } | Arg::Str { .. })
            ) {
                return Err(self.errorf(format!("non executable command in pipeline stage {}", i + 1)));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Cmd> {
        let start = self.peek_non_space();
        let mut cmd = Cmd { pos: self.tok(start).pos, args: Vec::new() };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let k = self.next();
            match self.typ(k) {
                T::Space => continue,
                T::RightDelim | T::RightParen => self.backup(),
                T::Pipe => {}
                _ => return self.unexpected(k, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        let k = self.peek();
        if self.typ(k) != T::Field {
            return Ok(Some(node));
        }
        let pos = self.tok(k).pos;
        let mut more = Vec::new();
        while {
            let k = self.peek();
            self.typ(k) == T::Field
        } {
            let k = self.next();
            more.push(field_name(&self.tok(k).val));
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(more);
                Arg::Field { pos, idents }
            }
            Arg::Var { name, mut fields, .. } => {
                fields.extend(more);
                Arg::Var { pos, name, fields }
            }
            Arg::Bool { .. } | Arg::Str { .. } | Arg::Number { .. } | Arg::Nil { .. } | Arg::Dot { .. } => {
                return Err(self.errorf(format!("unexpected . after term {}", quote(&node.to_string()))));
            }
            other => Arg::Chain { pos, node: Box::new(other), fields: more },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let k = self.next_non_space();
        let pos = self.tok(k).pos;
        Ok(Some(match self.typ(k) {
            T::Identifier => {
                let name = self.tok(k).val.clone();
                let func = match (self.funcs.get(&name), Builtin::lookup(&name)) {
                    (Some(f), _) => FuncRef::User(f.clone()),
                    (None, Some(b)) => FuncRef::Builtin(b),
                    (None, None) => return Err(self.errorf(format!("function {} not defined", quote(&name)))),
                };
                Arg::Func { pos, name: name.into(), func }
            }
            T::Dot => Arg::Dot { pos },
            T::Nil => Arg::Nil { pos },
            T::Variable => {
                let name = self.tok(k).val.clone();
                if !self.vars.contains(&name) {
                    return Err(self.errorf(format!("undefined variable {}", quote(&name))));
                }
                Arg::Var { pos, name: name.into(), fields: Vec::new() }
            }
            T::Field => Arg::Field { pos, idents: vec![field_name(&self.tok(k).val)] },
            T::Bool => Arg::Bool { pos, value: self.tok(k).val == "true" },
            T::CharConstant | T::Complex | T::Number => {
                let text = self.tok(k).val.clone();
                let value = number(&text, self.typ(k)).map_err(|e| self.errorf(e))?;
                Arg::Number { pos, text: text.into(), value }
            }
            T::LeftParen => {
                self.enter()?;
                let pipe = self.pipeline("parenthesized pipeline", T::RightParen)?;
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe))
            }
            T::String | T::RawString => {
                let value = self.unquote(k)?;
                Arg::Str { pos, quoted: self.tok(k).val.as_str().into(), value: Value::from(value) }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn unquote(&self, k: usize) -> PResult<String> {
        unquote(&self.tok(k).val).ok_or_else(|| self.errorf("invalid syntax"))
    }
}

fn field_name(token: &str) -> Box<str> {
    token.strip_prefix('.').unwrap_or(token).into()
}

/// Go's `strconv.Unquote` for "…" and `…` literals. Byte escapes that do not
/// form UTF-8 become U+FFFD (our strings are UTF-8).
pub(crate) fn unquote(s: &str) -> Option<String> {
    if let Some(raw) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        return Some(raw.replace('\r', ""));
    }
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while !rest.is_empty() {
        let (bytes, tail) = unquote_char(rest, b'"')?;
        out.extend_from_slice(&bytes);
        rest = tail;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// One character of a quoted literal: its UTF-8 bytes (or the single byte of a
/// `\x`/octal escape) and the rest.
fn unquote_char(s: &str, quote: u8) -> Option<(Vec<u8>, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c as u32 == quote as u32 || c == '\n' {
        return None;
    }
    if c != '\\' {
        let mut buf = [0u8; 4];
        return Some((c.encode_utf8(&mut buf).as_bytes().to_vec(), chars.as_str()));
    }
    let e = chars.next()?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some(7u8),
        'b' => Some(8),
        'f' => Some(12),
        'n' => Some(b'\n'),
        'r' => Some(b'\r'),
        't' => Some(b'\t'),
        'v' => Some(11),
        '\\' => Some(b'\\'),
        '\'' | '"' if e as u32 == quote as u32 => Some(quote),
        _ => None,
    };
    if let Some(b) = simple {
        return Some((vec![b], rest));
    }
    let hex = |n: usize| -> Option<(u32, &str)> {
        let digits = rest.get(..n)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some((u32::from_str_radix(digits, 16).ok()?, rest.get(n..)?))
    };
    match e {
        'x' => {
            let (v, tail) = hex(2)?;
            Some((vec![v as u8], tail))
        }
        'u' | 'U' => {
            let (v, tail) = hex(if e == 'u' { 4 } else { 8 })?;
            let c = char::from_u32(v)?;
            let mut buf = [0u8; 4];
            Some((c.encode_utf8(&mut buf).as_bytes().to_vec(), tail))
        }
        '0'..='7' => {
            let digits = s.get(1..4)?;
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            let v = u32::from_str_radix(digits, 8).ok()?;
            if v > 255 {
                return None;
            }
            Some((vec![v as u8], s.get(4..)?))
        }
        _ => None,
    }
}

/// Go's `newNumber` then `idealConstant`: the literal's value, or the message
/// for a literal Go refuses while parsing (`Err` of the outer result).
fn number(text: &str, typ: T) -> Result<Result<Value, String>, String> {
    if typ == T::CharConstant {
        let inner = text.strip_prefix('\'').ok_or("invalid syntax")?;
        let (bytes, tail) = unquote_char(inner, b'\'').ok_or("invalid syntax")?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        // A one-byte escape is that byte's value; otherwise the rune's.
        let v = match std::str::from_utf8(&bytes) {
            Ok(s) if bytes.len() > 1 || bytes.first().is_some_and(|b| b.is_ascii()) => {
                s.chars().next().map_or(0, |c| c as i64)
            }
            _ => bytes.first().copied().map_or(0, i64::from),
        };
        return Ok(Ok(Value::Int(v)));
    }
    if typ == T::Complex || text.ends_with('i') {
        // Complex constants are valid Go but have no place in our value model.
        return Ok(Err(format!("complex constant {text} is not supported")));
    }
    let int = parse_go_int(text);
    let float_syntax = {
        let hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes().get(1), Some(b'x' | b'X'))
            && !text.contains(['p', 'P']);
        !hex_int && text.contains(['.', 'e', 'E', 'p', 'P'])
    };
    match int {
        Some(i) => {
            if float_syntax {
                return Ok(Ok(Value::Float(i as f64)));
            }
            match i64::try_from(i) {
                Ok(v) => Ok(Ok(Value::Int(v))),
                // Fits uint64 only.
                Err(_) => Ok(Err(format!("{text} overflows int"))),
            }
        }
        None => match strconv::parse_float(text) {
            Some(f) => {
                if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                    return Err(format!("integer overflow: {}", quote(text)));
                }
                Ok(Ok(Value::Float(f)))
            }
            None => Err(format!("illegal number syntax: {}", quote(text))),
        },
    }
}

/// `strconv.ParseInt(s, 0, 64)`, then `ParseUint`, as Go's parser reads a
/// number: uint64-only values come back too, for the caller to refuse.
fn parse_go_int(text: &str) -> Option<i128> {
    strconv::parse_int(text).map(i128::from).or_else(|| strconv::parse_uint(text).map(i128::from))
}
