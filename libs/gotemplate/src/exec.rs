//! The executor: Go's `text/template/exec.go` over [`Value`].
//!
//! Go distinguishes an invalid `reflect.Value` (no value at all: nil data, a
//! variable holding nil, a pipeline's nil result) from a nil *interface* value
//! (what a map lookup or a range element yields). The difference shows in
//! messages: a field of the first is `<no value>`, of the second a "nil
//! pointer evaluating interface {}" error. Values here carry that as `iface`.
//!
//! The walk recurses for every nested template call and `include`, on a wasm
//! guest's stack. The less common steps are kept out of line
//! (`#[inline(never)]`) so that each level's frames hold only what that level
//! uses; inlined, every frame would be as large as all of them together.

use std::fmt::Write;

use crate::ast::{Arg, Branch, Builtin, Cmd, FuncRef, Node, Pipe, Tree};
use crate::builtins;
use crate::fmt::quote;
use crate::{Context, Error, Func, FuncError, Templates, Value};

/// Go stops runaway `{{template}}` recursion at 100000 calls (1000 on wasm).
/// We run as a wasm guest whose stack holds far fewer of our frames, so we stop
/// at Go's wasm depth; the message keeps Go's native figure, which is what
/// Helm users see.
const MAX_EXEC_DEPTH: usize = 1000;

/// Why a walk stopped early: an error, or `{{break}}`/`{{continue}}` unwinding to their range.
pub(crate) enum Ctl {
    Err(Error),
    Break,
    Continue,
}

type R<T> = Result<T, Ctl>;

#[derive(Clone)]
struct Dot {
    v: Value,
    iface: bool,
}

struct Var<'a> {
    name: &'a str,
    value: Value,
    iface: bool,
}

/// The node being evaluated, for error contexts.
#[derive(Clone, Copy)]
enum At<'a> {
    None,
    Node(&'a Node),
    Pipe(&'a Pipe),
    Cmd(&'a Cmd),
    Arg(&'a Arg),
}

pub(crate) struct Exec<'a> {
    set: &'a Templates,
    tree: &'a Tree,
    out: String,
    vars: Vec<Var<'a>>,
    /// Where the running template's variables start: templates inherit none.
    var_base: usize,
    depth: usize,
    at: At<'a>,
}

/// Runs `tree` of `set` with `data` as dot.
pub(crate) fn execute(set: &Templates, tree: &Tree, data: Value) -> Result<String, Error> {
    let mut ex = Exec {
        set,
        tree,
        out: String::with_capacity(tree.text_len + 64),
        vars: vec![Var { name: "$", value: data.clone(), iface: false }],
        var_base: 0,
        depth: 0,
        at: At::None,
    };
    match ex.walk_list(&Dot { v: data, iface: false }, &tree.root) {
        Err(Ctl::Err(e)) => Err(e),
        // The parser admits break/continue only inside a range, which stops them.
        Ok(()) | Err(Ctl::Break | Ctl::Continue) => Ok(ex.out),
    }
}

impl Context for Exec<'_> {
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, Error> {
        self.set.execute(name, data)
    }

    fn parse_and_execute(&mut self, name: &str, text: &str, data: Value) -> Result<String, Error> {
        let mut copy = self.set.clone();
        copy.parse(name, text)?;
        copy.execute(name, data)
    }

    fn template_name(&self) -> &str {
        &self.tree.name
    }
}

fn func_name(ident: &Arg) -> &str {
    match ident {
        Arg::Func { name, .. } => name,
        _ => "",
    }
}

fn node_pos(at: At<'_>) -> Option<usize> {
    Some(match at {
        At::None => return None,
        At::Node(n) => match n {
            Node::Action(p) => p.pos,
            Node::If(b) | Node::With(b) | Node::Range(b) => b.pipe.pos,
            Node::Template { pos, .. } => *pos,
            Node::Text(_) | Node::Break | Node::Continue => return None,
        },
        At::Pipe(p) => p.pos,
        At::Cmd(c) => c.pos,
        At::Arg(a) => a.pos(),
    })
}

impl<'a> Exec<'a> {
    // Errors are rare: keeping their formatting out of line keeps the
    // recursive evaluation frames small (templates recurse on a wasm stack).
    #[cold]
    #[inline(never)]
    fn errorf(&self, msg: impl std::fmt::Display) -> Ctl {
        let name = &self.tree.name;
        let text = match node_pos(self.at) {
            None => format!("template: {name}: {msg}"),
            Some(pos) => {
                let src = &self.tree.source;
                let before = src.text.get(..pos).unwrap_or(&src.text);
                let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
                let col = match before.rfind('\n') {
                    Some(nl) => pos - nl - 1,
                    None => pos,
                };
                let context = match self.at {
                    At::Node(n) => n.to_string(),
                    At::Pipe(p) => p.to_string(),
                    At::Cmd(c) => c.to_string(),
                    At::Arg(a) => a.to_string(),
                    At::None => String::new(),
                };
                format!("template: {}:{line}:{col}: executing {} at <{context}>: {msg}", src.name, quote(name))
            }
        };
        Ctl::Err(Error::exec(text))
    }

    fn walk_list(&mut self, dot: &Dot, list: &'a [Node]) -> R<()> {
        for node in list {
            self.walk(dot, node)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Dot, node: &'a Node) -> R<()> {
        match node {
            Node::Text(t) => self.out.push_str(t),
            Node::Action(pipe) => {
                self.at = At::Node(node);
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print(&v);
                }
            }
            Node::If(b) => {
                self.at = At::Node(node);
                self.walk_if_with(false, dot, b)?;
            }
            Node::With(b) => {
                self.at = At::Node(node);
                self.walk_if_with(true, dot, b)?;
            }
            Node::Range(b) => {
                self.at = At::Node(node);
                let mark = self.vars.len();
                let r = self.walk_range(dot, b);
                self.vars.truncate(mark);
                match r {
                    Err(Ctl::Break) => {}
                    other => other?,
                }
            }
            Node::Template { name, pipe, .. } => {
                self.at = At::Node(node);
                self.walk_template(dot, name, pipe.as_ref())?;
            }
            Node::Break => return Err(Ctl::Break),
            Node::Continue => return Err(Ctl::Continue),
        }
        Ok(())
    }

    /// An action's output: nil is `<no value>`, everything else `%v`.
    fn print(&mut self, v: &Value) {
        match v {
            Value::Nil => self.out.push_str("<no value>"),
            Value::String(s) => self.out.push_str(s),
            Value::Object(o) => self.out.push_str(&o.print()),
            other => {
                // Writing into a String cannot fail.
                let _ = write!(self.out, "{other}");
            }
        }
    }

    #[inline(never)]
    fn walk_if_with(&mut self, with: bool, dot: &Dot, b: &'a Branch) -> R<()> {
        let mark = self.vars.len();
        let r = self.if_with_body(with, dot, b);
        self.vars.truncate(mark);
        r
    }

    fn if_with_body(&mut self, with: bool, dot: &Dot, b: &'a Branch) -> R<()> {
        let v = self.eval_pipeline(dot, &b.pipe)?;
        if v.is_true() {
            if with { self.walk_list(&Dot { v, iface: false }, &b.list) } else { self.walk_list(dot, &b.list) }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(())
        }
    }

    #[inline(never)]
    fn walk_range(&mut self, dot: &Dot, b: &'a Branch) -> R<()> {
        let mut val = self.eval_pipeline(dot, &b.pipe)?;
        // Objects range over their data (`.Capabilities.APIVersions` is a Go slice).
        if let Value::Object(o) = &val {
            val = o.to_data();
        }
        let mark = self.vars.len();
        match &val {
            Value::List(items) if !items.is_empty() => {
                for (i, e) in items.iter().enumerate() {
                    self.one_iteration(b, mark, Value::Int(i as i64), e.clone(), true)?;
                }
                return Ok(());
            }
            Value::Bytes(bytes) if !bytes.is_empty() => {
                for (i, e) in bytes.iter().enumerate() {
                    self.one_iteration(b, mark, Value::Int(i as i64), Value::Int(i64::from(*e)), false)?;
                }
                return Ok(());
            }
            Value::Map(m) if !m.borrow().is_empty() => {
                // Go sorts a snapshot of the entries first, so the body may change the map.
                let entries: Vec<(Value, Value)> = if b.pipe.decl.len() > 1 {
                    m.borrow().iter().map(|(k, v)| (Value::from(k.as_str()), v.clone())).collect()
                } else {
                    m.borrow().values().map(|v| (Value::Nil, v.clone())).collect()
                };
                for (k, v) in entries {
                    self.one_iteration(b, mark, k, v, true)?;
                }
                return Ok(());
            }
            Value::Int(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.errorf(format!("can't use {n} to iterate over more than one variable")));
                }
                if *n > 0 {
                    for i in 0..*n {
                        self.one_iteration(b, mark, Value::Int(i), Value::Int(i), false)?;
                    }
                    return Ok(());
                }
            }
            Value::List(_) | Value::Bytes(_) | Value::Map(_) | Value::Nil => {}
            other => return Err(self.errorf(format!("range can't iterate over {other}"))),
        }
        if let Some(e) = &b.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn one_iteration(&mut self, b: &'a Branch, mark: usize, index: Value, elem: Value, iface: bool) -> R<()> {
        let decl = &b.pipe.decl;
        if let Some(first) = decl.first() {
            if b.pipe.is_assign {
                // With two variables the index comes first; with one, the element.
                if decl.len() > 1 {
                    self.set_var(first, index.clone(), false)?;
                } else {
                    self.set_var(first, elem.clone(), iface)?;
                }
            } else {
                self.set_top_var(1, elem.clone(), iface);
            }
        }
        if let Some(second) = decl.get(1) {
            if b.pipe.is_assign {
                self.set_var(second, elem.clone(), iface)?;
            } else {
                self.set_top_var(2, index, false);
            }
        }
        let r = self.walk_list(&Dot { v: elem, iface }, &b.list);
        self.vars.truncate(mark);
        match r {
            Err(Ctl::Continue) => Ok(()),
            other => other,
        }
    }

    #[inline(never)]
    fn walk_template(&mut self, dot: &Dot, name: &str, pipe: Option<&'a Pipe>) -> R<()> {
        let Some(tree) = self.set.trees.get(name) else {
            return Err(self.errorf(format!("template {} not defined", quote(name))));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.errorf("exceeded maximum template depth (100000)"));
        }
        // Variables declared by the pipeline persist in the caller.
        let v = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Nil,
        };
        let saved_base = self.var_base;
        let saved_tree = std::mem::replace(&mut self.tree, tree);
        let mark = self.vars.len();
        self.var_base = mark;
        self.vars.push(Var { name: "$", value: v.clone(), iface: false });
        self.depth += 1;
        let r = self.walk_list(&Dot { v, iface: false }, &tree.root);
        self.depth -= 1;
        self.vars.truncate(mark);
        self.var_base = saved_base;
        self.tree = saved_tree;
        r
    }

    fn find_var(&self, name: &str) -> Option<usize> {
        (self.var_base..self.vars.len()).rev().find(|&i| self.vars[i].name == name)
    }

    fn set_var(&mut self, name: &str, value: Value, iface: bool) -> R<()> {
        match self.find_var(name) {
            Some(i) => {
                self.vars[i].value = value;
                self.vars[i].iface = iface;
                Ok(())
            }
            None => Err(self.errorf(format!("undefined variable: {name}"))),
        }
    }

    fn set_top_var(&mut self, n: usize, value: Value, iface: bool) {
        let len = self.vars.len();
        if let Some(var) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            var.value = value;
            var.iface = iface;
        }
    }

    fn var_value(&self, name: &str) -> R<(Value, bool)> {
        match self.find_var(name) {
            Some(i) => Ok((self.vars[i].value.clone(), self.vars[i].iface)),
            None => Err(self.errorf(format!("undefined variable: {name}"))),
        }
    }

    fn eval_pipeline(&mut self, dot: &Dot, pipe: &'a Pipe) -> R<Value> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Value::Nil);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone(), false)?;
            } else {
                self.vars.push(Var { name, value: value.clone(), iface: false });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Cmd, fin: &Option<Value>) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            let first = cmd.args.first().map(|a| a.to_string()).unwrap_or_default();
            return Err(self.errorf(format!("can't give argument to non-function {first}")));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Dot, cmd: &'a Cmd, fin: Option<Value>) -> R<Value> {
        let Some(first) = cmd.args.first() else {
            return Ok(Value::Nil);
        };
        match first {
            Arg::Field { idents, .. } => {
                self.at = At::Arg(first);
                Ok(self.eval_field_chain(dot, dot.v.clone(), dot.iface, first, idents, &cmd.args, fin)?.0)
            }
            Arg::Chain { node, fields, .. } => Ok(self.eval_chain(dot, first, node, fields, &cmd.args, fin)?.0),
            Arg::Func { func, .. } => {
                self.at = At::Arg(first);
                self.eval_function(dot, first, func, cmd.args.get(1..).unwrap_or(&[]), At::Cmd(cmd), fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(cmd, &fin)?;
                self.eval_pipeline(dot, p)
            }
            Arg::Var { name, fields, .. } => {
                self.at = At::Arg(first);
                let (v, iface) = self.var_value(name)?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &fin)?;
                    return Ok(v);
                }
                Ok(self.eval_field_chain(dot, v, iface, first, fields, &cmd.args, fin)?.0)
            }
            Arg::Bool { value, .. } => {
                self.at = At::Arg(first);
                self.not_a_function(cmd, &fin)?;
                Ok(Value::Bool(*value))
            }
            Arg::Dot { .. } => {
                self.at = At::Arg(first);
                self.not_a_function(cmd, &fin)?;
                Ok(dot.v.clone())
            }
            Arg::Nil { .. } => {
                self.at = At::Arg(first);
                self.not_a_function(cmd, &fin)?;
                Err(self.errorf("nil is not a command"))
            }
            Arg::Number { value, .. } => {
                self.at = At::Arg(first);
                self.not_a_function(cmd, &fin)?;
                value.clone().map_err(|m| self.errorf(m))
            }
            Arg::Str { value, .. } => {
                self.at = At::Arg(first);
                self.not_a_function(cmd, &fin)?;
                Ok(value.clone())
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_chain(
        &mut self,
        dot: &Dot,
        chain: &'a Arg,
        node: &'a Arg,
        fields: &'a [Box<str>],
        args: &'a [Arg],
        fin: Option<Value>,
    ) -> R<(Value, bool)> {
        self.at = At::Arg(chain);
        if let Arg::Nil { .. } = node {
            return Err(self.errorf(format!("indirection through explicit nil in {chain}")));
        }
        let (v, iface) = self.eval_arg(dot, node)?;
        self.eval_field_chain(dot, v, iface, chain, fields, args, fin)
    }

    /// `.a.b.c` from `receiver`; the last field gets the command's arguments.
    /// Returns the value and whether it is an interface value (see the module doc).
    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Dot,
        receiver: Value,
        iface: bool,
        node: &'a Arg,
        idents: &'a [Box<str>],
        args: &'a [Arg],
        fin: Option<Value>,
    ) -> R<(Value, bool)> {
        let mut recv = (receiver, iface);
        let n = idents.len();
        for (i, ident) in idents.iter().enumerate() {
            recv = if i + 1 < n {
                self.eval_field(dot, ident, node, &[], None, recv.0, recv.1)?
            } else {
                return self.eval_field(dot, ident, node, args, fin, recv.0, recv.1);
            };
        }
        Ok(recv)
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn eval_field(
        &mut self,
        dot: &Dot,
        name: &str,
        node: &'a Arg,
        args: &'a [Arg],
        fin: Option<Value>,
        receiver: Value,
        iface: bool,
    ) -> R<(Value, bool)> {
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver {
            Value::Nil if !iface => {
                if self.set.missing_key_error {
                    return Err(self.errorf(format!("nil data; no entry for key {}", quote(name))));
                }
                Ok((Value::Nil, false))
            }
            Value::Nil => Err(self.errorf(format!("nil pointer evaluating interface {{}}.{name}"))),
            Value::Map(m) => {
                if has_args {
                    return Err(self.errorf(format!("{name} is not a method but has arguments")));
                }
                let found = m.borrow().get(name).cloned();
                match found {
                    Some(v) => Ok((v, true)),
                    None if self.set.missing_key_error => {
                        Err(self.errorf(format!("map has no entry for key {}", quote(name))))
                    }
                    None => Ok((Value::Nil, true)),
                }
            }
            Value::Object(o) => {
                let given = args.len().saturating_sub(1) + usize::from(fin.is_some());
                if let Some(want) = o.arity(name).filter(|&w| w != given) {
                    return Err(self.errorf(format!("wrong number of args for {name}: want {want} got {given}")));
                }
                let mut argv = Vec::with_capacity(given);
                for a in args.iter().skip(1) {
                    argv.push(self.eval_arg(dot, a)?.0);
                }
                argv.extend(fin);
                match o.member(name, &argv) {
                    Some(Ok(v)) => {
                        let nil = matches!(v, Value::Nil);
                        Ok((v, nil))
                    }
                    Some(Err(msg)) => {
                        self.at = At::Arg(node);
                        Err(self.errorf(format!("error calling {name}: {msg}")))
                    }
                    None => {
                        // Go names the static type: a value taken from a map is an `interface {}`.
                        let typ = if iface { "interface {}" } else { o.type_name() };
                        Err(self.errorf(format!("can't evaluate field {name} in type {typ}")))
                    }
                }
            }
            other => {
                let typ = if iface { "interface {}" } else { other.type_name() };
                Err(self.errorf(format!("can't evaluate field {name} in type {typ}")))
            }
        }
    }

    /// An argument as an `interface{}` parameter receives it.
    fn eval_arg(&mut self, dot: &Dot, arg: &'a Arg) -> R<(Value, bool)> {
        self.at = At::Arg(arg);
        Ok(match arg {
            Arg::Dot { .. } => (dot.v.clone(), dot.iface),
            Arg::Nil { .. } => (Value::Nil, false),
            Arg::Field { idents, .. } => {
                self.eval_field_chain(dot, dot.v.clone(), dot.iface, arg, idents, std::slice::from_ref(arg), None)?
            }
            Arg::Var { name, fields, .. } => {
                let (v, iface) = self.var_value(name)?;
                if fields.is_empty() {
                    (v, iface)
                } else {
                    self.eval_field_chain(dot, v, iface, arg, fields, &[], None)?
                }
            }
            Arg::Pipe(p) => (self.eval_pipeline(dot, p)?, false),
            Arg::Func { func, .. } => (self.eval_function(dot, arg, func, &[], At::Arg(arg), None)?, false),
            Arg::Chain { node, fields, .. } => self.eval_chain(dot, arg, node, fields, &[], None)?,
            Arg::Bool { value, .. } => (Value::Bool(*value), false),
            Arg::Number { value, .. } => (value.clone().map_err(|m| self.errorf(m))?, false),
            Arg::Str { value, .. } => (value.clone(), false),
        })
    }

    /// Calls the function named by `ident` with `args` (the command's operands
    /// after its name) and the piped-in `fin`; `call` is the node Go blames for
    /// the errors the function returns.
    fn eval_function(
        &mut self,
        dot: &Dot,
        ident: &'a Arg,
        func: &FuncRef,
        args: &'a [Arg],
        call: At<'a>,
        fin: Option<Value>,
    ) -> R<Value> {
        match func {
            FuncRef::Builtin(b) => self.call_builtin(dot, ident, *b, args, call, fin),
            FuncRef::User(f) => self.call_user(dot, ident, f.clone(), args, call, fin),
        }
    }

    #[inline(never)]
    fn call_user(
        &mut self,
        dot: &Dot,
        ident: &'a Arg,
        f: Func,
        args: &'a [Arg],
        call: At<'a>,
        fin: Option<Value>,
    ) -> R<Value> {
        let mut argv = Vec::with_capacity(args.len() + 1);
        // Whether the last operand is a missing value rather than a nil
        // interface: Go words a type error about it differently.
        let mut last_invalid = false;
        for a in args {
            let (v, iface) = self.eval_arg(dot, a)?;
            last_invalid = matches!(v, Value::Nil) && !iface;
            argv.push(v);
        }
        last_invalid &= fin.is_none();
        argv.extend(fin);
        match f(self, &argv) {
            Ok(v) => Ok(v),
            Err(FuncError::Call(msg)) => {
                self.at = call;
                Err(self.errorf(format!("error calling {}: {msg}", func_name(ident))))
            }
            Err(FuncError::Args(msg)) => Err(self.args_error(ident, msg, last_invalid)),
        }
    }

    #[inline(never)]
    fn call_builtin(
        &mut self,
        dot: &Dot,
        ident: &'a Arg,
        builtin: Builtin,
        args: &'a [Arg],
        call: At<'a>,
        fin: Option<Value>,
    ) -> R<Value> {
        let name = func_name(ident);
        let given = args.len() + usize::from(fin.is_some());
        let (fixed, variadic) = match builtin {
            Builtin::And | Builtin::Or | Builtin::Index | Builtin::Slice | Builtin::Eq | Builtin::Call => (1, true),
            Builtin::Printf => (1, true),
            Builtin::Print | Builtin::Println | Builtin::Html | Builtin::Js | Builtin::Urlquery => (0, true),
            Builtin::Not | Builtin::Len => (1, false),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => (2, false),
        };
        if variadic && given < fixed {
            return Err(
                self.errorf(format!("wrong number of args for {name}: want at least {fixed} got {}", args.len()))
            );
        }
        if !variadic && given != fixed {
            return Err(self.errorf(format!("wrong number of args for {name}: want {fixed} got {given}")));
        }
        if let Builtin::And | Builtin::Or = builtin {
            // They short-circuit, returning the deciding operand.
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg(dot, a)?.0;
                if v.is_true() == (builtin == Builtin::Or) {
                    return Ok(v);
                }
            }
            return Ok(fin.unwrap_or(v));
        }
        let mut argv: Vec<(Value, bool)> = Vec::with_capacity(given);
        if builtin == Builtin::Printf {
            argv.push((self.printf_format(dot, args.first(), &fin)?, false));
            for a in args.iter().skip(1) {
                argv.push(self.eval_arg(dot, a)?);
            }
            if !args.is_empty() {
                argv.extend(fin.map(|v| (v, false)));
            }
        } else {
            for a in args {
                argv.push(self.eval_arg(dot, a)?);
            }
            argv.extend(fin.map(|v| (v, false)));
        }
        let callee = args.first().map(|a| a.to_string()).unwrap_or_default();
        match builtins::call(builtin, &callee, &argv) {
            Ok(v) => Ok(v),
            Err(msg) => {
                self.at = call;
                Err(self.errorf(format!("error calling {name}: {msg}")))
            }
        }
    }

    /// Where and how Go reports a function's argument error: it checks the
    /// count before evaluating anything (so at the function's name), and the
    /// types while evaluating each argument, literals in their own words. We
    /// learn of it after evaluating all arguments, so a type error is put on
    /// the last argument, where it usually is (piped values come last).
    #[cold]
    #[inline(never)]
    fn args_error(&mut self, ident: &'a Arg, msg: String, last_invalid: bool) -> Ctl {
        if msg.starts_with("wrong number of args") {
            self.at = At::Arg(ident);
            return self.errorf(msg);
        }
        let want = msg.strip_prefix("wrong type for value; expected ").and_then(|r| r.split_once("; got "));
        match (self.at, want) {
            (At::Arg(lit @ (Arg::Number { .. } | Arg::Bool { .. })), Some((want, _))) => {
                self.errorf(format!("expected {want}; found {lit}"))
            }
            (At::Arg(Arg::Nil { .. }), Some((want, _))) => self.errorf(format!("cannot assign nil to {want}")),
            (_, Some((want, _))) if last_invalid => self.errorf(format!("invalid value; expected {want}")),
            _ => self.errorf(msg),
        }
    }

    /// printf's first parameter is a Go `string`: literals of other kinds and
    /// values of other types are refused as Go's reflection does.
    #[inline(never)]
    fn printf_format(&mut self, dot: &Dot, first: Option<&'a Arg>, fin: &Option<Value>) -> R<Value> {
        let (v, iface) = match first {
            None => (fin.clone().unwrap_or(Value::Nil), false),
            Some(arg @ (Arg::Bool { .. } | Arg::Number { .. })) => {
                self.at = At::Arg(arg);
                return Err(self.errorf(format!("expected string; found {arg}")));
            }
            Some(arg @ Arg::Nil { .. }) => {
                self.at = At::Arg(arg);
                return Err(self.errorf("cannot assign nil to string"));
            }
            Some(arg) => self.eval_arg(dot, arg)?,
        };
        match v {
            Value::String(_) => Ok(v),
            Value::Nil if iface => Err(self.errorf("wrong type for value; expected string; got interface {}")),
            Value::Nil => Err(self.errorf("invalid value; expected string")),
            other => Err(self.errorf(format!("wrong type for value; expected string; got {}", other.type_name()))),
        }
    }
}
