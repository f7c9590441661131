//! `semver` and `semverCompare`, on Masterminds/semver's rules as
//! weir-semver implements them.

use std::rc::Rc;

use weir_gotemplate::{FuncMap, Object, Value};
use weir_semver::{Constraints, Version, VersionError};

use crate::args::{Arity, define, fail, string};

pub fn register(map: &mut FuncMap) {
    define(map, "semver", Arity::Exact(1), |args| {
        let original = string(&args[0])?;
        let version = parse(&original).map_err(fail)?;
        Ok(Value::Object(Rc::new(SemVer { version, original: original.to_string() })))
    });
    define(map, "semverCompare", Arity::Exact(2), |args| {
        let (range, version) = (string(&args[0])?, string(&args[1])?);
        let constraints = Constraints::parse(&range).map_err(|_| fail(format!("improper constraint: {range}")))?;
        let version = parse(&version).map_err(fail)?;
        Ok(Value::Bool(constraints.matches(&version)))
    });
}

/// Masterminds' `NewVersion` with its error texts.
fn parse(text: &str) -> Result<Version, String> {
    Version::parse_lenient(text).map_err(|e| {
        match e {
            VersionError::Prerelease => "Invalid Prerelease string",
            VersionError::LeadingZero => "Version segment starts with 0",
            VersionError::Metadata => "Invalid Metadata string",
            _ => "Invalid Semantic Version",
        }
        .to_owned()
    })
}

/// A `*semver.Version`: `.Major`, `.Minor`, `.Patch`, `.Prerelease`,
/// `.Metadata`, `.Original`, `.String` and the comparison methods.
struct SemVer {
    version: Version,
    original: String,
}

impl SemVer {
    /// The version another method was given (a `*semver.Version` prints as its text).
    fn other(args: &[Value]) -> Result<Version, String> {
        match args {
            [Value::Object(o)] if o.type_name() == "*semver.Version" => parse(&o.display()),
            [other] => Err(format!("wrong type for value; expected *semver.Version; got {}", other.type_name())),
            _ => Err(format!("wrong number of args: want 1 got {}", args.len())),
        }
    }
}

impl Object for SemVer {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    fn member(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let v = &self.version;
        let number = |n: u64| Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int));
        Some(match name {
            "Major" => number(v.major()),
            "Minor" => number(v.minor()),
            "Patch" => number(v.patch()),
            "Prerelease" => Ok(Value::from(v.prerelease())),
            "Metadata" => Ok(Value::from(v.metadata())),
            "Original" => Ok(Value::from(self.original.as_str())),
            "String" => Ok(Value::from(v.to_string())),
            "Compare" => SemVer::other(args).map(|o| Value::Int(v.cmp(&o) as i64)),
            "LessThan" => SemVer::other(args).map(|o| Value::Bool(*v < o)),
            "GreaterThan" => SemVer::other(args).map(|o| Value::Bool(*v > o)),
            "Equal" => SemVer::other(args).map(|o| Value::Bool(*v == o)),
            _ => return None,
        })
    }

    fn arity(&self, name: &str) -> Option<usize> {
        match name {
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String" => Some(0),
            "Compare" | "LessThan" | "GreaterThan" | "Equal" => Some(1),
            _ => None,
        }
    }

    fn display(&self) -> String {
        self.version.to_string()
    }

    /// `json.Marshal` uses the version's `MarshalJSON`: its text.
    fn to_data(&self) -> Value {
        Value::from(self.version.to_string())
    }
}
