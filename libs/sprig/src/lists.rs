//! Sprig's list functions. They take any Go slice by reflection; the plain
//! variant panics on another kind, the `must` variant returns the error;
//! both reach the template as `error calling NAME: …`.

use weir_gotemplate::{FuncError, FuncMap, Value};

use crate::args::{Arity, Result, both, define, elements, fail, int, list_for};
use crate::convert::to_int64;
use crate::defaults::is_empty;
use crate::types::deep_equal;

pub fn register(map: &mut FuncMap) {
    for name in ["list", "tuple"] {
        define(map, name, Arity::AtLeast(0), |args| Ok(Value::list(args.to_vec())));
    }
    both(map, "first", "mustFirst", Arity::Exact(1), |args| {
        Ok(list_for("find first", &args[0])?.into_iter().next().unwrap_or(Value::Nil))
    });
    both(map, "last", "mustLast", Arity::Exact(1), |args| {
        Ok(list_for("find last", &args[0])?.pop().unwrap_or(Value::Nil))
    });
    both(map, "rest", "mustRest", Arity::Exact(1), |args| {
        let items = list_for("find rest", &args[0])?;
        Ok(Value::list(items.get(1..).unwrap_or_default().to_vec()))
    });
    both(map, "initial", "mustInitial", Arity::Exact(1), |args| {
        let mut items = list_for("find initial", &args[0])?;
        items.pop();
        Ok(Value::list(items))
    });
    for (name, must) in [("append", "mustAppend"), ("push", "mustPush")] {
        both(map, name, must, Arity::Exact(2), |args| {
            let mut items = list_for("push", &args[0])?;
            items.push(args[1].clone());
            Ok(Value::list(items))
        });
    }
    both(map, "prepend", "mustPrepend", Arity::Exact(2), |args| {
        let mut items = list_for("prepend", &args[0])?;
        items.insert(0, args[1].clone());
        Ok(Value::list(items))
    });
    both(map, "reverse", "mustReverse", Arity::Exact(1), |args| {
        let mut items = list_for("find reverse", &args[0])?;
        items.reverse();
        Ok(Value::list(items))
    });
    both(map, "uniq", "mustUniq", Arity::Exact(1), |args| {
        let mut unique: Vec<Value> = Vec::new();
        for item in list_for("find uniq", &args[0])? {
            if !unique.iter().any(|u| deep_equal(u, &item)) {
                unique.push(item);
            }
        }
        Ok(Value::list(unique))
    });
    both(map, "without", "mustWithout", Arity::AtLeast(1), |args| {
        let items = list_for("find without", &args[0])?;
        Ok(Value::list(items.into_iter().filter(|item| !args[1..].iter().any(|o| deep_equal(o, item))).collect()))
    });
    both(map, "has", "mustHas", Arity::Exact(2), |args| {
        if matches!(args[1], Value::Nil) {
            return Ok(Value::Bool(false));
        }
        Ok(Value::Bool(list_for("find has", &args[1])?.iter().any(|item| deep_equal(item, &args[0]))))
    });
    both(map, "compact", "mustCompact", Arity::Exact(1), |args| {
        Ok(Value::list(list_for("compact", &args[0])?.into_iter().filter(|v| !is_empty(v)).collect()))
    });
    both(map, "slice", "mustSlice", Arity::AtLeast(1), |args| {
        let items = match elements(&args[0]) {
            Some(items) => items,
            None => return Err(fail(format!("list should be type of slice or array but {}", args[0].kind_name()))),
        };
        if items.is_empty() {
            return Ok(Value::Nil);
        }
        let start = args.get(1).map_or(0, to_int64);
        let end = args.get(2).map_or(items.len() as i64, to_int64);
        if start < 0 || end < start || end > items.len() as i64 {
            return Err(fail("reflect.Value.Slice: slice index out of bounds"));
        }
        Ok(Value::list(items[start as usize..end as usize].to_vec()))
    });
    both(map, "chunk", "mustChunk", Arity::Exact(2), |args| {
        let size = int(&args[0])?;
        let items = match &args[1] {
            Value::Nil => return Err(crate::args::nil_dereference()),
            other => elements(other).ok_or_else(|| fail(format!("Cannot chunk type {}", other.kind_name())))?,
        };
        if items.is_empty() {
            return Ok(Value::list(vec![]));
        }
        if size <= 0 {
            return Err(fail("runtime error: makeslice: len out of range"));
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        Ok(Value::list(items.chunks(size).map(|c| Value::list(c.to_vec())).collect()))
    });
    define(map, "concat", Arity::AtLeast(0), |args| {
        let mut all = Vec::new();
        for list in args {
            match elements(list) {
                Some(items) => all.extend(items),
                None => return Err(fail(format!("Cannot concat type {} as list", list.kind_name()))),
            }
        }
        Ok(Value::list(all))
    });
    define(map, "until", Arity::Exact(1), |args| {
        let count = int(&args[0])?;
        ints(until_step(0, count, if count < 0 { -1 } else { 1 }))
    });
    define(map, "untilStep", Arity::Exact(3), |args| ints(until_step(int(&args[0])?, int(&args[1])?, int(&args[2])?)));
    define(map, "seq", Arity::AtLeast(0), |args| {
        let params = args.iter().map(int).collect::<Result<Vec<_>>>()?;
        Ok(Value::from(seq(&params)))
    });
}

/// More than this many numbers is refused instead of exhausting memory.
const MAX_RANGE: u64 = 10_000_000;

fn ints(values: std::result::Result<Vec<i64>, FuncError>) -> Result<Value> {
    Ok(Value::list(values?.into_iter().map(Value::Int).collect()))
}

/// Sprig's `untilStep`: from `start` towards `stop` (excluded) by `step`;
/// empty when the step points the wrong way.
fn until_step(start: i64, stop: i64, step: i64) -> std::result::Result<Vec<i64>, FuncError> {
    let wrong_way = if stop < start { step >= 0 } else { step <= 0 };
    if wrong_way {
        return Ok(vec![]);
    }
    let count = stop.abs_diff(start).div_ceil(step.unsigned_abs());
    if count > MAX_RANGE {
        return Err(fail(format!("runtime error: cannot allocate a list of {count} numbers")));
    }
    Ok((0..count as i64).map(|i| start + i * step).collect())
}

/// Sprig's `seq`, after GNU seq: `seq END`, `seq START END`, `seq START STEP END`.
fn seq(params: &[i64]) -> String {
    let numbers = match *params {
        [end] => {
            let step = if end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(step), step)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)
        }
        [start, step, end] => {
            let increment = if end < start { -1 } else { 1 };
            if end < start && step > 0 {
                return String::new();
            }
            until_step(start, end.wrapping_add(increment), step)
        }
        _ => return String::new(),
    };
    numbers.unwrap_or_default().iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}
