//! The sops tree: ordered branches of items, walked in document order.

use sha2::{Digest, Sha512};

use crate::cipher;
use crate::error::SopsError;

/// A value in the tree, typed as sops types it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Bytes(Vec<u8>),
    /// A timestamp (YAML), as Go's `time.RFC3339Nano` prints it.
    Time(String),
    Null,
    Map(Vec<Item>),
    List(Vec<Value>),
    /// A comment line inside a sequence (YAML); never part of the MAC.
    Comment(String),
}

/// One entry of a branch: a key with its value, or a comment line.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Entry(String, Value),
    Comment(String),
}

/// sops' `MACOnlyEncryptedInitialization`: SHA-256 of `sops`, fed first into the
/// MAC when `mac_only_encrypted` is set.
const MAC_ONLY_ENCRYPTED_INIT: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b, 0x0b, 0x97, 0x5b,
    0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// Which values are encrypted: at most one rule is set (sops refuses more).
#[derive(Debug, Clone)]
pub enum Rule {
    UnencryptedSuffix(String),
    EncryptedSuffix(String),
    UnencryptedRegex(regex::Regex),
    EncryptedRegex(regex::Regex),
}

impl Rule {
    /// Whether the leaf at `path` is (to be) encrypted, as sops decides it: any
    /// key on the path matching the rule counts.
    pub fn encrypts(&self, path: &[String]) -> bool {
        match self {
            Rule::UnencryptedSuffix(s) => !path.iter().any(|k| k.ends_with(s.as_str())),
            Rule::EncryptedSuffix(s) => path.iter().any(|k| k.ends_with(s.as_str())),
            Rule::UnencryptedRegex(r) => !path.iter().any(|k| r.is_match(k)),
            Rule::EncryptedRegex(r) => path.iter().any(|k| r.is_match(k)),
        }
    }
}

/// The additional data sops authenticates a value with: the keys joined by `:`, plus `:`.
pub fn path_aad(path: &[String]) -> String {
    let mut s = path.join(":");
    s.push(':');
    s
}

/// Display form of a path for error messages (`a.b.c`, or `<top level>`).
pub fn path_display(path: &[String]) -> String {
    if path.is_empty() { "<top level>".to_string() } else { path.join(".") }
}

/// The bytes a plaintext leaf contributes to the MAC (sops' `ToBytes`).
pub fn mac_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Str(s) => s.as_bytes().to_vec(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Float(f) => cipher::format_float(*f).into_bytes(),
        Value::Bool(true) => b"True".to_vec(),
        Value::Bool(false) => b"False".to_vec(),
        Value::Bytes(b) => b.clone(),
        Value::Time(t) => t.as_bytes().to_vec(),
        Value::Null | Value::Map(_) | Value::List(_) | Value::Comment(_) => Vec::new(),
    }
}

fn finish(h: Sha512) -> String {
    h.finalize().iter().map(|b| format!("{b:02X}")).collect()
}

fn new_hash(mac_only_encrypted: bool) -> Sha512 {
    let mut h = Sha512::new();
    if mac_only_encrypted {
        h.update(MAC_ONLY_ENCRYPTED_INIT);
    }
    h
}

/// Decrypts every encrypted leaf of every document in place and returns the
/// MAC (upper-case hex SHA-512) computed over the plaintext, as sops does.
pub fn decrypt_tree(docs: &mut [Vec<Item>], key: &[u8; 32], rule: &Rule, mac_only: bool) -> Result<String, SopsError> {
    walk(docs, key, rule, mac_only, Direction::Decrypt)
}

/// Encrypts every leaf the rule selects in place and returns the MAC over the plaintext.
pub fn encrypt_tree(docs: &mut [Vec<Item>], key: &[u8; 32], rule: &Rule, mac_only: bool) -> Result<String, SopsError> {
    walk(docs, key, rule, mac_only, Direction::Encrypt)
}

/// Which way values go; the walk itself (paths, rules, the MAC over the
/// plaintext) is the same both ways.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Decrypt,
    Encrypt,
}

/// What stays fixed during one walk.
struct Walk<'a> {
    cipher: cipher::Cipher,
    rule: &'a Rule,
    mac_only: bool,
    direction: Direction,
}

fn walk(
    docs: &mut [Vec<Item>],
    key: &[u8; 32],
    rule: &Rule,
    mac_only: bool,
    direction: Direction,
) -> Result<String, SopsError> {
    // One MAC over all documents of a stream, in order.
    let mut h = new_hash(mac_only);
    let walk = Walk { cipher: cipher::Cipher::new(key), rule, mac_only, direction };
    for branch in docs {
        walk.branch(branch, &mut Vec::new(), &mut h)?;
    }
    Ok(finish(h))
}

impl Walk<'_> {
    fn branch(&self, items: &mut [Item], path: &mut Vec<String>, h: &mut Sha512) -> Result<(), SopsError> {
        for item in items.iter_mut() {
            match item {
                Item::Comment(c) if self.rule.encrypts(path) && !c.is_empty() => match self.direction {
                    // Comments are decrypted when they look encrypted; sops keeps a
                    // comment that fails to decrypt as it is. Never part of the MAC.
                    Direction::Decrypt => {
                        if let Ok(Value::Comment(plain)) = cipher::decrypt_value(c, &self.cipher, &path_aad(path)) {
                            *c = plain;
                        }
                    }
                    Direction::Encrypt => *c = cipher::encrypt_comment(c, &self.cipher, &path_aad(path))?,
                },
                Item::Comment(_) => {}
                Item::Entry(k, v) => {
                    path.push(k.clone());
                    let r = self.value(v, path, h);
                    path.pop();
                    r?;
                }
            }
        }
        Ok(())
    }

    fn value(&self, v: &mut Value, path: &mut Vec<String>, h: &mut Sha512) -> Result<(), SopsError> {
        match v {
            Value::Map(items) => self.branch(items, path, h),
            Value::List(list) => {
                for e in list.iter_mut() {
                    self.value(e, path, h)?;
                }
                Ok(())
            }
            Value::Null => Ok(()),
            // A comment in a sequence: encrypted in place (it then reads back
            // as an encrypted string of type `comment`), never in the MAC.
            Value::Comment(c) => {
                if self.rule.encrypts(path) && !c.is_empty() {
                    match self.direction {
                        Direction::Decrypt => {
                            if let Ok(Value::Comment(plain)) = cipher::decrypt_value(c, &self.cipher, &path_aad(path)) {
                                *c = plain;
                            }
                        }
                        Direction::Encrypt => {
                            *v = Value::Str(cipher::encrypt_comment(c, &self.cipher, &path_aad(path))?)
                        }
                    }
                }
                Ok(())
            }
            leaf => {
                let encrypted = self.rule.encrypts(path);
                if encrypted && self.direction == Direction::Decrypt {
                    let Value::Str(s) = &*leaf else {
                        return Err(SopsError::InvalidDocument(format!(
                            "value at `{}` should be encrypted but is not a string",
                            path_display(path)
                        )));
                    };
                    *leaf = cipher::decrypt_value(s, &self.cipher, &path_aad(path)).map_err(|e| e.at(path))?;
                    if matches!(leaf, Value::Comment(_)) {
                        return Ok(());
                    }
                }
                // The MAC covers the plaintext: after decrypting, before encrypting.
                if !self.mac_only || encrypted {
                    h.update(mac_bytes(leaf));
                }
                if encrypted && self.direction == Direction::Encrypt {
                    *leaf = Value::Str(cipher::encrypt_value(leaf, &self.cipher, &path_aad(path))?);
                }
                Ok(())
            }
        }
    }
}
