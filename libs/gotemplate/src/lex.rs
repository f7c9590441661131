//! The lexer: Go's `text/template/parse/lex.go`, run to completion up front
//! (Go's lexer is independent of the parser, so lexing eagerly yields the same
//! items; the parser stops at the first error item it reaches).

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(crate) enum T {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords: everything from here on prints as `<word>` in messages.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub typ: T,
    pub pos: usize,
    pub val: String,
    pub line: usize,
}

impl std::fmt::Display for Item {
    /// Go's `item.String()`, used in "unexpected X in Y".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            T::Eof => f.write_str("EOF"),
            T::Error => f.write_str(&self.val),
            t if t >= T::Block => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                write!(f, "{}...", crate::fmt::quote(&head))
            }
            _ => f.write_str(&crate::fmt::quote(&self.val)),
        }
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

pub(crate) fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn keyword(word: &str) -> Option<T> {
    Some(match word {
        "." => T::Dot,
        "block" => T::Block,
        "break" => T::Break,
        "continue" => T::Continue,
        "define" => T::Define,
        "else" => T::Else,
        "end" => T::End,
        "if" => T::If,
        "range" => T::Range,
        "nil" => T::Nil,
        "template" => T::Template,
        "with" => T::With,
        _ => return None,
    })
}

/// `{{- ` : a trim marker must be followed by a space.
fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

/// ` -}}`'s first two bytes.
fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

enum State {
    Text,
    LeftDelim,
    Inside,
    Done,
}

struct Lexer<'s> {
    input: &'s str,
    start: usize,
    pos: usize,
    paren_depth: i32,
    items: Vec<Item>,
    // Line counting is incremental: positions only move forward.
    line_pos: usize,
    line: usize,
}

pub(crate) fn lex(input: &str) -> Vec<Item> {
    let mut l = Lexer { input, start: 0, pos: 0, paren_depth: 0, items: Vec::new(), line_pos: 0, line: 1 };
    let mut state = State::Text;
    loop {
        state = match state {
            State::Text => l.lex_text(),
            State::LeftDelim => l.lex_left_delim(),
            State::Inside => l.lex_inside(),
            State::Done => return l.items,
        }
    }
}

impl<'s> Lexer<'s> {
    fn rest(&self) -> &'s str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn line_at(&mut self, pos: usize) -> usize {
        if pos >= self.line_pos {
            let added = self.input.get(self.line_pos..pos).map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count());
            self.line += added;
            self.line_pos = pos;
        }
        self.line
    }

    fn emit(&mut self, typ: T) {
        let val = self.input.get(self.start..self.pos).unwrap_or("").to_string();
        let line = self.line_at(self.start);
        self.items.push(Item { typ, pos: self.start, val, line });
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        let line = self.line_at(self.start);
        self.items.push(Item { typ: T::Error, pos: self.start, val: msg, line });
        State::Done
    }

    /// Whether the input is at `}}`, and whether it is trim-marked (` -}}`).
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim(rest) && rest.get(2..).is_some_and(|r| r.starts_with(RIGHT)) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.rest().find(LEFT) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + LEFT.len();
                let mut trim = 0;
                if has_left_trim(self.input.get(delim_end..).unwrap_or("")) {
                    let text = self.input.get(self.start..self.pos).unwrap_or("");
                    trim = text.len() - text.trim_end_matches(is_space).len();
                }
                self.pos -= trim;
                if self.pos > self.start {
                    self.emit(T::Text);
                }
                self.pos += trim;
                self.start = self.pos;
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(T::Text);
        }
        self.emit(T::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.rest().get(after..).is_some_and(|r| r.starts_with(LEFT_COMMENT)) {
            self.pos += after;
            self.start = self.pos;
            return self.lex_comment();
        }
        self.emit(T::LeftDelim);
        self.pos += after;
        self.start = self.pos;
        self.paren_depth = 0;
        State::Inside
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.skip_leading_space();
        }
        self.start = self.pos;
        State::Text
    }

    fn skip_leading_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(is_space).len();
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += RIGHT.len();
        self.emit(T::RightDelim);
        if trim {
            self.skip_leading_space();
            self.start = self.pos;
        }
        State::Text
    }

    fn lex_inside(&mut self) -> State {
        loop {
            let (delim, _) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    return self.lex_right_delim();
                }
                return self.error("unclosed left paren".into());
            }
            let Some(r) = self.next() else {
                return self.error("unclosed action".into());
            };
            match r {
                _ if is_space(r) => {
                    self.pos -= r.len_utf8();
                    if let Some(state) = self.lex_space() {
                        return state;
                    }
                }
                '=' => self.emit(T::Assign),
                ':' => {
                    if self.next() != Some('=') {
                        return self.error("expected :=".into());
                    }
                    self.emit(T::Declare);
                }
                '|' => self.emit(T::Pipe),
                '"' => {
                    if let Some(s) = self.lex_quote() {
                        return s;
                    }
                }
                '`' => {
                    if let Some(s) = self.lex_raw_quote() {
                        return s;
                    }
                }
                '$' => {
                    if let Some(s) = self.lex_field_or_variable(T::Variable) {
                        return s;
                    }
                }
                '\'' => {
                    if let Some(s) = self.lex_char() {
                        return s;
                    }
                }
                '.' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                    if let Some(s) = self.lex_field_or_variable(T::Field) {
                        return s;
                    }
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    if let Some(s) = self.lex_number() {
                        return s;
                    }
                }
                _ if is_alnum(r) => {
                    self.pos -= r.len_utf8();
                    if let Some(s) = self.lex_identifier() {
                        return s;
                    }
                }
                '(' => {
                    self.emit(T::LeftParen);
                    self.paren_depth += 1;
                }
                ')' => {
                    // An unbalanced paren is reported in place of the paren itself.
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.error("unexpected right paren".into());
                    }
                    self.emit(T::RightParen);
                }
                _ if r.is_ascii() && !r.is_ascii_control() => self.emit(T::Char),
                _ => return self.error(format!("unrecognized character in action: {}", crate::fmt::sharp_u(r))),
            }
        }
    }

    /// A run of spaces; `None` to continue inside the action.
    fn lex_space(&mut self) -> Option<State> {
        let mut n = 0;
        while self.peek().is_some_and(is_space) {
            self.next();
            n += 1;
        }
        // A space followed by `-}}` belongs to the trim-marked closing delimiter.
        let before = self.pos - 1;
        let tail = self.input.get(before..).unwrap_or("");
        if has_right_trim(tail) && tail.get(2..).is_some_and(|r| r.starts_with(RIGHT)) {
            self.pos = before;
            if n == 1 {
                return Some(self.lex_right_delim());
            }
        }
        self.emit(T::Space);
        None
    }

    fn lex_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => return Some(self.error("unterminated quoted string".into())),
                    Some(_) => {}
                },
                Some('\n') | None => return Some(self.error("unterminated quoted string".into())),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(T::String);
        None
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                None => return Some(self.error("unterminated raw quoted string".into())),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(T::RawString);
        None
    }

    fn lex_char(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => return Some(self.error("unterminated character constant".into())),
                    Some(_) => {}
                },
                Some('\n') | None => return Some(self.error("unterminated character constant".into())),
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(T::CharConstant);
        None
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_field_or_variable(&mut self, typ: T) -> Option<State> {
        if self.at_terminator() {
            self.emit(if typ == T::Variable { T::Variable } else { T::Dot });
            return None;
        }
        let mut last = None;
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                last = Some(c);
                break;
            }
            self.next();
        }
        if !self.at_terminator() {
            return Some(self.bad_char(last));
        }
        self.emit(typ);
        None
    }

    fn bad_char(&mut self, c: Option<char>) -> State {
        let shown = c.map_or_else(|| "U+FFFFFFFFFFFFFFFF".to_string(), crate::fmt::sharp_u);
        self.error(format!("bad character {shown}"))
    }

    fn lex_identifier(&mut self) -> Option<State> {
        let mut last = None;
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                last = Some(c);
                break;
            }
            self.next();
        }
        if !self.at_terminator() {
            return Some(self.bad_char(last));
        }
        let word = self.input.get(self.start..self.pos).unwrap_or("");
        let typ = match keyword(word) {
            Some(k) => k,
            None if word == "true" || word == "false" => T::Bool,
            None => T::Identifier,
        };
        self.emit(typ);
        None
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.next();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }

    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            let text = self.input.get(self.start..self.pos).unwrap_or("").to_string();
            return Some(self.error(format!("bad number syntax: {}", crate::fmt::quote(&text))));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // A complex constant such as 1+2i: no spaces, must end in 'i'.
            if !self.scan_number() || !self.input.get(..self.pos).is_some_and(|s| s.ends_with('i')) {
                let text = self.input.get(self.start..self.pos).unwrap_or("").to_string();
                return Some(self.error(format!("bad number syntax: {}", crate::fmt::quote(&text))));
            }
            self.emit(T::Complex);
        } else {
            self.emit(T::Number);
        }
        None
    }
}
