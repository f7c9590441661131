//! Random text and numbers for `randAlpha*`, `randInt`, `shuffle`,
//! `uuidv4` and `randBytes` (Sprig draws them from crypto/rand).

use weir_gotemplate::{FuncMap, Value};

use crate::args::{Arity, define, fail, int, string};

pub fn register(map: &mut FuncMap) {
    const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
    const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const DIGITS: &str = "0123456789";
    define(map, "randAlphaNum", Arity::Exact(1), |args| {
        random_text(int(&args[0])?, &format!("{LOWER}{UPPER}{DIGITS}"))
    });
    define(map, "randAlpha", Arity::Exact(1), |args| random_text(int(&args[0])?, &format!("{LOWER}{UPPER}")));
    define(map, "randNumeric", Arity::Exact(1), |args| random_text(int(&args[0])?, DIGITS));
    // goutils' CryptoRandomAscii: printable ASCII from space to `~`.
    define(map, "randAscii", Arity::Exact(1), |args| {
        let printable: String = (' '..='~').collect();
        random_text(int(&args[0])?, &printable)
    });
    define(map, "randBytes", Arity::Exact(1), |args| {
        let count = count(int(&args[0])?)?;
        Ok(Value::from(crate::encoding::base64_std(&bytes(count))))
    });
    define(map, "shuffle", Arity::Exact(1), |args| {
        let mut chars: Vec<char> = string(&args[0])?.chars().collect();
        for i in (1..chars.len()).rev() {
            chars.swap(i, below(i as u64 + 1) as usize);
        }
        Ok(Value::from(chars.into_iter().collect::<String>()))
    });
    define(map, "uuidv4", Arity::Exact(0), |_| {
        let mut b = bytes(16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex = hex::encode(&b);
        Ok(Value::from(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])))
    });
}

/// Counts beyond this are refused rather than exhausting memory.
const MAX_COUNT: i64 = 1 << 24;

fn count(n: i64) -> Result<usize, weir_gotemplate::FuncError> {
    if n < 0 {
        return Err(fail(format!("Requested random count {n} is less than 0.")));
    }
    if n > MAX_COUNT {
        return Err(fail(format!("Requested random count {n} is too large")));
    }
    Ok(n as usize)
}

fn random_text(n: i64, alphabet: &str) -> Result<Value, weir_gotemplate::FuncError> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let n = count(n)?;
    Ok(Value::from((0..n).map(|_| alphabet[below(alphabet.len() as u64) as usize]).collect::<String>()))
}

pub fn bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // Without an entropy source the bytes stay zero; there is nothing better to offer.
    let _ = getrandom::fill(&mut buf);
    buf
}

/// A uniform number in `0..bound` (`bound` > 0), by rejection sampling.
pub fn below(bound: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % bound;
    loop {
        let mut raw = [0u8; 8];
        let _ = getrandom::fill(&mut raw);
        let v = u64::from_le_bytes(raw);
        if v < zone {
            return v % bound;
        }
    }
}
