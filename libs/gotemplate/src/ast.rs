//! Parse trees, and their `String()` forms as Go prints them in error contexts.

use std::fmt::{self, Display, Formatter, Write};
use std::rc::Rc;

use crate::{Func, Value};

/// The text a tree was parsed from, for error locations (Go's `ParseName`, `text`).
pub(crate) struct Source {
    pub name: String,
    pub text: String,
}

pub(crate) struct Tree {
    pub name: String,
    pub source: Rc<Source>,
    pub root: Vec<Node>,
    /// The length of its top-level text: a guess at the output's size.
    pub text_len: usize,
}

pub(crate) enum Node {
    Text(Box<str>),
    Action(Pipe),
    If(Box<Branch>),
    With(Box<Branch>),
    Range(Box<Branch>),
    Template { pos: usize, name: Box<str>, pipe: Option<Pipe> },
    Break,
    Continue,
}

pub(crate) struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<Box<str>>,
    pub cmds: Vec<Cmd>,
}

pub(crate) struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Call,
}

impl Builtin {
    pub fn lookup(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "len" => Builtin::Len,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            "call" => Builtin::Call,
            _ => return None,
        })
    }
}

/// A function resolved at parse time, so execution needs no name lookup.
#[derive(Clone)]
pub(crate) enum FuncRef {
    Builtin(Builtin),
    User(Func),
}

pub(crate) enum Arg {
    Field {
        pos: usize,
        idents: Vec<Box<str>>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<Box<str>>,
    },
    Var {
        pos: usize,
        name: Box<str>,
        fields: Vec<Box<str>>,
    },
    Func {
        pos: usize,
        name: Box<str>,
        func: FuncRef,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        value: bool,
    },
    /// The literal, and its value or the error Go reports when it is used.
    Number {
        pos: usize,
        text: Box<str>,
        value: Result<Value, String>,
    },
    Str {
        pos: usize,
        quoted: Box<str>,
        value: Value,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Var { pos, .. }
            | Arg::Func { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::Str { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

fn write_fields(f: &mut Formatter<'_>, fields: &[Box<str>]) -> fmt::Result {
    for field in fields {
        f.write_char('.')?;
        f.write_str(field)?;
    }
    Ok(())
}

impl Display for Arg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => write_fields(f, idents),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = &**node {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                write_fields(f, fields)
            }
            Arg::Var { name, fields, .. } => {
                f.write_str(name)?;
                write_fields(f, fields)
            }
            Arg::Func { name, .. } => f.write_str(name),
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Bool { value, .. } => write!(f, "{value}"),
            Arg::Number { text, .. } => f.write_str(text),
            Arg::Str { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl Display for Cmd {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl Display for Pipe {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(v)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

pub(crate) struct ListDisplay<'a>(pub &'a [Node]);

impl Display for ListDisplay<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for n in self.0 {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

fn write_branch(f: &mut Formatter<'_>, word: &str, b: &Branch) -> fmt::Result {
    write!(f, "{{{{{word} {}}}}}{}", b.pipe, ListDisplay(&b.list))?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{}", ListDisplay(e))?;
    }
    f.write_str("{{end}}")
}

impl Display for Node {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => f.write_str(t),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => write_branch(f, "if", b),
            Node::With(b) => write_branch(f, "with", b),
            Node::Range(b) => write_branch(f, "range", b),
            Node::Template { name, pipe, .. } => {
                write!(f, "{{{{template {}", crate::fmt::quote(name))?;
                if let Some(p) = pipe {
                    write!(f, " {p}")?;
                }
                f.write_str("}}")
            }
            Node::Break => f.write_str("{{break}}"),
            Node::Continue => f.write_str("{{continue}}"),
        }
    }
}

/// Go's `parse.IsEmptyTree`: only blank text (and comments).
pub(crate) fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| matches!(n, Node::Text(t) if t.trim_matches(|c: char| c.is_whitespace()).is_empty()))
}
