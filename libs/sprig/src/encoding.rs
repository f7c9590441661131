//! Sprig's base64/base32 functions, and the base64 Go's JSON uses for `[]byte`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, define, string};

pub fn register(map: &mut FuncMap) {
    define(map, "b64enc", Arity::Exact(1), |args| Ok(Value::from(base64_std(string(&args[0])?.as_bytes()))));
    // Sprig returns the error text itself when decoding fails.
    define(map, "b64dec", Arity::Exact(1), |args| {
        let text = string(&args[0])?;
        Ok(Value::from(match STANDARD.decode(text.as_bytes()) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => base64_error(&e),
        }))
    });
    define(map, "b32enc", Arity::Exact(1), |args| {
        Ok(Value::from(data_encoding::BASE32.encode(string(&args[0])?.as_bytes())))
    });
    define(map, "b32dec", Arity::Exact(1), |args| {
        let text = string(&args[0])?;
        Ok(Value::from(match data_encoding::BASE32.decode(text.as_bytes()) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => format!("illegal base32 data at input byte {}", e.position),
        }))
    });
}

pub fn base64_std(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn base64_std_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.as_bytes()).ok()
}

/// Go's `base64.CorruptInputError` message.
fn base64_error(error: &base64::DecodeError) -> String {
    let at = match error {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => *at,
        base64::DecodeError::InvalidLength(len) => *len,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {at}")
}
