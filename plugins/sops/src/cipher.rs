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

/// A data key ready for AES-256-GCM: the key schedules and the GHASH key are
/// computed once per document, not once per value.
pub struct Cipher {
    /// Opens values (see [`crate::gcm`]).
    open: crate::gcm::Gcm,
    /// Seals them.
    seal: Gcm,
}

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Cipher { open: crate::gcm::Gcm::new(key), seal: Gcm::new(key.into()) }
    }
}

/// The `data`, `iv`, `tag` and `type` fields of an encrypted value, exactly as
/// the envelope regex captures them.
fn envelope(s: &str) -> Option<[&str; 4]> {
    if let Some(fields) = envelope_fast(s) {
        return Some(fields);
    }
    let caps = enc_re().captures(s)?;
    let field = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    Some([field(1), field(2), field(3), field(4)])
}

/// The envelope as sops writes it (base64 fields, a type without commas),
/// split without the regex. In that shape the regex has only one way to match,
/// so the fields are the same; any other shape is left to the regex.
fn envelope_fast(s: &str) -> Option<[&str; 4]> {
    let rest = s.strip_prefix("ENC[AES256_GCM,data:")?;
    // One pass over the first line (`.` stops at a line break, so the match
    // never reaches past it): exactly three commas, and the last `]` after them.
    let b = rest.as_bytes();
    let mut commas = [0usize; 3];
    let mut n = 0;
    let mut close = None;
    let mut i = 0;
    while let Some(at) = crate::scan::find_any(&b[i..], [b'\n', b',', b']']) {
        let at = i + at;
        match b[at] {
            b'\n' => break,
            b',' if n == 3 => return None,
            b',' => {
                commas[n] = at;
                n += 1;
            }
            // The last group is greedy: it ends at the line's last `]`.
            _ if n == 3 => close = Some(at),
            _ => {}
        }
        i = at + 1;
    }
    if n != 3 {
        return None;
    }
    let data = &rest[..commas[0]];
    let iv = rest[commas[0] + 1..commas[1]].strip_prefix("iv:")?;
    let tag = rest[commas[1] + 1..commas[2]].strip_prefix("tag:")?;
    let ty = rest[commas[2] + 1..close?].strip_prefix("type:")?;
    if data.is_empty() || iv.is_empty() || tag.is_empty() || ty.is_empty() {
        return None;
    }
    Some([data, iv, tag, ty])
}

fn open<'a>(ciphertext: &'a str, cipher: &Cipher, aad: &str) -> Result<(Vec<u8>, &'a str), ValueError> {
    let [data, iv, tag, ty] =
        envelope(ciphertext).ok_or_else(|| ValueError::Format("no ENC[AES256_GCM,…] envelope".into()))?;
    let error = |name: &str, e: base64::DecodeError| ValueError::Format(format!("base64 in {name}: {e}"));
    // The ciphertext with its tag appended, decrypted in place.
    let mut buffer = Vec::with_capacity(data.len() / 4 * 3 + 3 + TAG_LEN);
    B64.decode_vec(data, &mut buffer).map_err(|e| error("data", e))?;
    let iv = B64.decode(iv).map_err(|e| error("iv", e))?;
    B64.decode_vec(tag, &mut buffer).map_err(|e| error("tag", e))?;
    let iv: &[u8; IV_LEN] = iv
        .as_slice()
        .try_into()
        .map_err(|_| ValueError::Format(format!("IV of {} bytes, expected {IV_LEN}", iv.len())))?;
    if buffer.len() < TAG_LEN {
        return Err(ValueError::Format("ciphertext shorter than the GCM tag".into()));
    }
    cipher.open.open(iv, aad.as_bytes(), &mut buffer).map_err(|()| ValueError::Auth)?;
    Ok((buffer, ty))
}

/// Decrypts one value; the empty string stays empty, as in sops.
pub fn decrypt_value(ciphertext: &str, cipher: &Cipher, aad: &str) -> Result<Value, ValueError> {
    if ciphertext.is_empty() {
        return Ok(Value::Str(String::new()));
    }
    let (plain, ty) = open(ciphertext, cipher, aad)?;
    let text = || String::from_utf8(plain.clone()).map_err(|_| ValueError::Type(format!("{ty} value is not UTF-8")));
    Ok(match ty {
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

fn seal(plain: &[u8], ty: &str, cipher: &Cipher, aad: &str) -> Result<String, SopsError> {
    let mut iv = [0u8; IV_LEN];
    OsRng
        .try_fill_bytes(&mut iv)
        .map_err(|e| SopsError::Unsupported(format!("no randomness source for the IV: {e}")))?;
    let out = cipher
        .seal
        .encrypt(Nonce::<U32>::from_slice(&iv), Payload { msg: plain, aad: aad.as_bytes() })
        .map_err(|_| SopsError::InvalidDocument("AES-GCM encryption failed".into()))?;
    let (data, tag) = out.split_at(out.len() - TAG_LEN);
    Ok(format!("ENC[AES256_GCM,data:{},iv:{},tag:{},type:{ty}]", B64.encode(data), B64.encode(iv), B64.encode(tag)))
}

/// Encrypts one leaf value; the empty string stays empty, as in sops.
pub fn encrypt_value(v: &Value, cipher: &Cipher, aad: &str) -> Result<String, SopsError> {
    let (bytes, ty): (Vec<u8>, &str) = match v {
        Value::Str(s) if s.is_empty() => return Ok(String::new()),
        Value::Str(s) => (s.as_bytes().to_vec(), "str"),
        Value::Int(i) => (i.to_string().into_bytes(), "int"),
        Value::Float(f) => (format_float(*f).into_bytes(), "float"),
        Value::Bool(b) => ((if *b { "True" } else { "False" }).as_bytes().to_vec(), "bool"),
        Value::Bytes(b) if b.is_empty() => return Ok(String::new()),
        Value::Bytes(b) => (b.clone(), "str"),
        Value::Time(t) => (t.as_bytes().to_vec(), "time"),
        Value::Comment(c) => return encrypt_comment(c, cipher, aad),
        Value::Null | Value::Map(_) | Value::List(_) => {
            return Err(SopsError::InvalidDocument("cannot encrypt a non-leaf value".into()));
        }
    };
    seal(&bytes, ty, cipher, aad)
}

/// Encrypts a comment (type `comment`).
pub fn encrypt_comment(c: &str, cipher: &Cipher, aad: &str) -> Result<String, SopsError> {
    if c.is_empty() {
        return Ok(String::new());
    }
    seal(c.as_bytes(), "comment", cipher, aad)
}

/// A fresh random 32-byte data key.
pub fn random_data_key() -> Result<[u8; 32], SopsError> {
    let mut k = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut k)
        .map_err(|e| SopsError::Unsupported(format!("no randomness source for the data key: {e}")))?;
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whenever the split finds the fields, they are what the regex captures:
    /// strings made of the envelope's own pieces, shuffled and repeated.
    #[test]
    fn envelope_split_agrees_with_the_regex() {
        let pieces =
            ["ENC[AES256_GCM,data:", "ab+/=", ",iv:", ",tag:", ",type:", "str", "]", ",", "\n", "x]", ":", "é", ""];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut split = 0;
        for n in 0..60_000 {
            let mut s = String::from(if n % 4 == 0 { "" } else { "ENC[AES256_GCM,data:" });
            let len = next() % 12;
            for _ in 0..len {
                s.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            // Also the well-formed shape with extras in its fields and after it.
            if n % 3 == 0 {
                let t = s.replace(',', "");
                let after = if n % 2 == 0 { &t } else { &s };
                s = format!("ENC[AES256_GCM,data:{t},iv:Zm9v{t},tag:YmFy,type:str{t}]{after}");
            }
            let caps = enc_re().captures(&s).map(|c| [1, 2, 3, 4].map(|i| c[i].to_string()));
            if let Some(fast) = envelope_fast(&s) {
                split += 1;
                assert_eq!(Some(fast.map(str::to_string)), caps, "{s:?}");
            }
            assert_eq!(envelope(&s).map(|f| f.map(str::to_string)), caps, "{s:?}");
        }
        assert!(split > 2_000, "the split handled only {split} strings");
    }
}
