//! Sprig's hashing and crypto functions: digests, `derivePassword`, the AES
//! pair, and `bcrypt`/`htpasswd` in Go's `$2a$` format at cost 10. Keys and
//! certificates are in `certs`.

use aes::Aes256;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray};
use blowfish::Blowfish;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, Result, define, fail, string};

pub fn register(map: &mut FuncMap) {
    define(map, "sha1sum", Arity::Exact(1), |args| {
        Ok(Value::from(hex::encode(Sha1::digest(string(&args[0])?.as_bytes()))))
    });
    define(map, "sha256sum", Arity::Exact(1), |args| {
        Ok(Value::from(hex::encode(Sha256::digest(string(&args[0])?.as_bytes()))))
    });
    define(map, "sha512sum", Arity::Exact(1), |args| {
        Ok(Value::from(hex::encode(Sha512::digest(string(&args[0])?.as_bytes()))))
    });
    define(map, "adler32sum", Arity::Exact(1), |args| {
        Ok(Value::from(adler32(string(&args[0])?.as_bytes()).to_string()))
    });
    define(map, "derivePassword", Arity::Exact(5), |args| {
        let counter = match &args[0] {
            Value::Int(n) => u32::try_from(*n).map_err(|_| crate::args::wrong_type("uint32", &args[0]))?,
            other => return Err(crate::args::wrong_type("uint32", other)),
        };
        let (kind, password, user, site) = (string(&args[1])?, string(&args[2])?, string(&args[3])?, string(&args[4])?);
        Ok(Value::from(derive_password(counter, &kind, &password, &user, &site)))
    });
    define(map, "bcrypt", Arity::Exact(1), |args| Ok(Value::from(bcrypt(string(&args[0])?.as_bytes()))));
    define(map, "htpasswd", Arity::Exact(2), |args| {
        let (user, password) = (string(&args[0])?, string(&args[1])?);
        Ok(Value::from(if user.contains(':') {
            format!("invalid username: {user}")
        } else {
            format!("{user}:{}", bcrypt(password.as_bytes()))
        }))
    });
    define(map, "encryptAES", Arity::Exact(2), |args| {
        Ok(Value::from(encrypt_aes(&string(&args[0])?, &string(&args[1])?)))
    });
    define(map, "decryptAES", Arity::Exact(2), |args| {
        decrypt_aes(&string(&args[0])?, &string(&args[1])?).map(Value::from)
    });
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Master Password's templates per password type (Sprig's `derivePassword`).
fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The Master Password algorithm: scrypt of the password salted with the
/// user, HMAC of the site and counter, then characters by template.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let Some(templates) = templates(kind) else { return format!("cannot find password template {kind}") };
    let with_length = |text: &str| {
        let mut buffer = SEED.to_vec();
        buffer.extend_from_slice(&(text.len() as u32).to_be_bytes());
        buffer.extend_from_slice(text.as_bytes());
        buffer
    };
    let mut key = [0u8; 64];
    let params = scrypt::Params::new(15, 8, 2, 64).expect("constant scrypt parameters are valid");
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &with_length(user), &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut message = with_length(site);
    message.extend_from_slice(&counter.to_be_bytes());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = template_characters(class);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

/// Go's bcrypt: `$2a$10$`, the salt and the hash in bcrypt's base64.
fn bcrypt(password: &[u8]) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".into();
    }
    let salt: [u8; 16] = crate::random::bytes(16).try_into().unwrap_or([0; 16]);
    bcrypt_with(password, &salt, 10)
}

fn bcrypt_with(password: &[u8], salt: &[u8; 16], cost: u32) -> String {
    let mut key = password.to_vec();
    key.push(0);
    let mut state = Blowfish::bc_init_state();
    state.salted_expand_key(salt, &key);
    for _ in 0..1u32 << cost {
        state.bc_expand_key(&key);
        state.bc_expand_key(salt);
    }
    let magic = b"OrpheanBeholderScryDoubt";
    let mut words: Vec<u32> = magic.chunks(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
    for _ in 0..64 {
        for pair in words.chunks_mut(2) {
            let [l, r] = state.bc_encrypt([pair[0], pair[1]]);
            pair[0] = l;
            pair[1] = r;
        }
    }
    let hash: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
    let encoding = bcrypt_base64();
    format!("$2a${cost:02}${}{}", encoding.encode(salt), encoding.encode(&hash[..23]))
}

/// bcrypt's own base64 alphabet, unpadded.
fn bcrypt_base64() -> data_encoding::Encoding {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    spec.check_trailing_bits = false;
    spec.encoding().expect("a 64-symbol alphabet is a valid base64 specification")
}

/// The password, zero-padded or cut to an AES-256 key, as Sprig does.
fn aes_key(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let n = bytes.len().min(32);
    key[..n].copy_from_slice(&bytes[..n]);
    Aes256::new(&GenericArray::from(key))
}

/// AES-256-CBC with PKCS#7 padding and a random IV in front, base64-encoded.
fn encrypt_aes(password: &str, plaintext: &str) -> String {
    if plaintext.is_empty() {
        return String::new();
    }
    let cipher = aes_key(password);
    let mut content = plaintext.as_bytes().to_vec();
    let padding = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let mut out = crate::random::bytes(16);
    let mut previous: [u8; 16] = out[..16].try_into().unwrap_or([0; 16]);
    for block in content.chunks(16) {
        let mut b = GenericArray::clone_from_slice(block);
        for (x, p) in b.iter_mut().zip(previous.iter()) {
            *x ^= p;
        }
        cipher.encrypt_block(&mut b);
        previous.copy_from_slice(&b);
        out.extend_from_slice(&b);
    }
    crate::encoding::base64_std(&out)
}

/// Sprig's `decryptAES`, including its panics on malformed input.
fn decrypt_aes(password: &str, encoded: &str) -> Result<String> {
    if encoded.is_empty() {
        return Ok(String::new());
    }
    let data = crate::encoding::base64_std_decode(encoded).ok_or_else(|| fail("illegal base64 data"))?;
    if data.len() < 16 {
        return Err(fail(format!("runtime error: slice bounds out of range [:16] with capacity {}", data.len())));
    }
    let (iv, body) = data.split_at(16);
    if body.len() % 16 != 0 {
        return Err(fail("crypto/cipher: input not full blocks"));
    }
    let cipher = aes_key(password);
    let mut previous: [u8; 16] = iv.try_into().unwrap_or([0; 16]);
    let mut plain = Vec::with_capacity(body.len());
    for block in body.chunks(16) {
        let mut b = GenericArray::clone_from_slice(block);
        cipher.decrypt_block(&mut b);
        for (x, p) in b.iter_mut().zip(previous.iter()) {
            *x ^= p;
        }
        previous.copy_from_slice(block);
        plain.extend_from_slice(&b);
    }
    let Some(&last) = plain.last() else {
        return Err(fail("runtime error: index out of range [-1]"));
    };
    let keep = plain.len().checked_sub(usize::from(last)).ok_or_else(|| {
        fail(format!("runtime error: slice bounds out of range [:{}]", plain.len() as i64 - i64::from(last)))
    })?;
    Ok(String::from_utf8_lossy(&plain[..keep]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_matches_the_reference_vector() {
        let salt: [u8; 16] = bcrypt_base64().decode(b"CCCCCCCCCCCCCCCCCCCCC.").unwrap().try_into().unwrap();
        assert_eq!(bcrypt_with(b"U*U", &salt, 5), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");
    }

    #[test]
    fn adler32_as_go() {
        assert_eq!(adler32(b"x"), 7929977);
    }
}
