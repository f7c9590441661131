//! sops' value encoding: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM
//! with a 32-byte IV and the tree path as additional data.

use std::sync::OnceLock;

use aes_gcm::aead::consts::U32;
use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::aes::Aes256;
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

use crate::error::SopsError;
use crate::tree::{Value, path_display};

type Gcm = AesGcm<Aes256, U32>;
const IV_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// Standard alphabet, padded, lenient about trailing bits as Go's `StdEncoding` is.
const B64: GeneralPurpose =
    GeneralPurpose::new(&base64::alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));

fn enc_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]").expect("static regex")
    })
}

/// Why one value failed to decrypt; turned into a [`SopsError`] naming its path.
#[derive(Debug)]
pub enum ValueError {
    /// Not in sops' encrypted-value format.
    Format(String),
    /// AES-GCM authentication failed (tampered value, wrong key or wrong path).
    Auth,
    /// Decrypted, but the plaintext does not parse as its declared type.
    Type(String),
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueError::Format(m) => write!(f, "not a sops-encrypted value ({m})"),
            ValueError::Auth => f.write_str("AES-GCM authentication failed"),
            ValueError::Type(m) => write!(f, "{m}"),
        }
    }
}

impl ValueError {
    pub fn at(self, path: &[String]) -> SopsError {
        let p = path_display(path);
        match self {
            ValueError::Auth => {
                SopsError::MacMismatch(format!("value at `{p}` fails authentication: it was tampered with or moved"))
            }
            other => SopsError::InvalidDocument(format!("value at `{p}`: {other}")),
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, no exponent.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else {
        format!("{f}")
    }
}

fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn open(ciphertext: &str, key: &[u8; 32], aad: &str) -> Result<(Vec<u8>, String), ValueError> {
    let caps =
        enc_re().captures(ciphertext).ok_or_else(|| ValueError::Format("no ENC[AES256_GCM,…] envelope".into()))?;
    let field =
        |i: usize, name: &str| B64.decode(&caps[i]).map_err(|e| ValueError::Format(format!("base64 in {name}: {e}")));
    let mut data = field(1, "data")?;
    let iv = field(2, "iv")?;
    let tag = field(3, "tag")?;
    if iv.len() != IV_LEN {
        return Err(ValueError::Format(format!("IV of {} bytes, expected {IV_LEN}", iv.len())));
    }
    data.extend_from_slice(&tag);
    if data.len() < TAG_LEN {
        return Err(ValueError::Format("ciphertext shorter than the GCM tag".into()));
    }
    let gcm = Gcm::new(key.into());
    let plain = gcm
        .decrypt(Nonce::<U32>::from_slice(&iv), Payload { msg: &data, aad: aad.as_bytes() })
        .map_err(|_| ValueError::Auth)?;
    Ok((plain, caps[4].to_string()))
}

/// Decrypts one value; the empty string stays empty, as in sops.
pub fn decrypt_value(ciphertext: &str, key: &[u8; 32], aad: &str) -> Result<Value, ValueError> {
    if ciphertext.is_empty() {
        return Ok(Value::Str(String::new()));
    }
    let (plain, ty) = open(ciphertext, key, aad)?;
    let text = || String::from_utf8(plain.clone()).map_err(|_| ValueError::Type(format!("{ty} value is not UTF-8")));
    Ok(match ty.as_str() {
        // Binary documents hold arbitrary bytes in their one string.
        "str" => String::from_utf8(plain).map_or_else(|e| Value::Bytes(e.into_bytes()), Value::Str),
        "comment" => Value::Comment(text()?),
        "time" => {
            let t = text()?;
            Value::Time(
                crate::yaml::parse_timestamp(&t).ok_or_else(|| ValueError::Type("time value does not parse".into()))?,
            )
        }
        "int" | "int64" => {
            let t = text()?;
            Value::Int(t.parse().map_err(|_| ValueError::Type("int value does not parse".into()))?)
        }
        "float" => {
            let t = text()?;
            Value::Float(t.parse().map_err(|_| ValueError::Type("float value does not parse".into()))?)
        }
        "bool" => {
            Value::Bool(parse_go_bool(&text()?).ok_or_else(|| ValueError::Type("bool value does not parse".into()))?)
        }
        "bytes" => Value::Bytes(plain),
        other => return Err(ValueError::Type(format!("unknown datatype `{other}`"))),
    })
}

fn seal(plain: &[u8], ty: &str, key: &[u8; 32], aad: &str) -> Result<String, SopsError> {
    let mut iv = [0u8; IV_LEN];
    OsRng
        .try_fill_bytes(&mut iv)
        .map_err(|e| SopsError::Unsupported(format!("no randomness source for the IV: {e}")))?;
    let gcm = Gcm::new(key.into());
    let out = gcm
        .encrypt(Nonce::<U32>::from_slice(&iv), Payload { msg: plain, aad: aad.as_bytes() })
        .map_err(|_| SopsError::InvalidDocument("AES-GCM encryption failed".into()))?;
    let (data, tag) = out.split_at(out.len() - TAG_LEN);
    Ok(format!("ENC[AES256_GCM,data:{},iv:{},tag:{},type:{ty}]", B64.encode(data), B64.encode(iv), B64.encode(tag)))
}

/// Encrypts one leaf value; the empty string stays empty, as in sops.
pub fn encrypt_value(v: &Value, key: &[u8; 32], aad: &str) -> Result<String, SopsError> {
    let (bytes, ty): (Vec<u8>, &str) = match v {
        Value::Str(s) if s.is_empty() => return Ok(String::new()),
        Value::Str(s) => (s.as_bytes().to_vec(), "str"),
        Value::Int(i) => (i.to_string().into_bytes(), "int"),
        Value::Float(f) => (format_float(*f).into_bytes(), "float"),
        Value::Bool(b) => ((if *b { "True" } else { "False" }).as_bytes().to_vec(), "bool"),
        Value::Bytes(b) if b.is_empty() => return Ok(String::new()),
        Value::Bytes(b) => (b.clone(), "str"),
        Value::Time(t) => (t.as_bytes().to_vec(), "time"),
        Value::Comment(c) => return encrypt_comment(c, key, aad),
        Value::Null | Value::Map(_) | Value::List(_) => {
            return Err(SopsError::InvalidDocument("cannot encrypt a non-leaf value".into()));
        }
    };
    seal(&bytes, ty, key, aad)
}

/// Encrypts a comment (type `comment`).
pub fn encrypt_comment(c: &str, key: &[u8; 32], aad: &str) -> Result<String, SopsError> {
    if c.is_empty() {
        return Ok(String::new());
    }
    seal(c.as_bytes(), "comment", key, aad)
}

/// A fresh random 32-byte data key.
pub fn random_data_key() -> Result<[u8; 32], SopsError> {
    let mut k = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut k)
        .map_err(|e| SopsError::Unsupported(format!("no randomness source for the data key: {e}")))?;
    Ok(k)
}
