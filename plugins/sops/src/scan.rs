//! Finding bytes in long lines: the parser and the value envelope look for a
//! few ASCII bytes in base64 text that has none of them. In wasm a byte loop
//! costs several instructions a byte; this tests eight at a time (SWAR).

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The position of the first byte of `bytes` that is one of `needles`.
#[inline]
pub fn find_any<const N: usize>(bytes: &[u8], needles: [u8; N]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    for (n, chunk) in chunks.by_ref().enumerate() {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let mut hits = 0;
        for needle in needles {
            // A zero byte of `x` is a needle; the lowest flagged byte is exact
            // (borrows only ever flag bytes above a real zero).
            let x = word ^ (LO * u64::from(needle));
            hits |= x.wrapping_sub(LO) & !x & HI;
        }
        if hits != 0 {
            return Some(n * 8 + (hits.trailing_zeros() / 8) as usize);
        }
    }
    let rest = chunks.remainder();
    rest.iter().position(|c| needles.contains(c)).map(|p| bytes.len() - rest.len() + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_byte_loop_finds() {
        let alphabet = b"ab,]\n#\x00\x7f\x80\xff \t";
        let mut state = 0x1234_5678_9abc_def1_u64;
        for _ in 0..50_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            let bytes: Vec<u8> =
                (0..len).map(|k| alphabet[((state >> (k % 16 * 4)) as usize + k) % alphabet.len()]).collect();
            let naive = |needles: &[u8]| bytes.iter().position(|c| needles.contains(c));
            assert_eq!(find_any(&bytes, [b'\n', b',', b']']), naive(b"\n,]"), "{bytes:?}");
            assert_eq!(find_any(&bytes, [b'\n', b'#']), naive(b"\n#"), "{bytes:?}");
            assert_eq!(find_any(&bytes, [b'\n']), naive(b"\n"), "{bytes:?}");
            assert_eq!(find_any(&bytes, [0x80, 0xff]), naive(&[0x80, 0xff]), "{bytes:?}");
        }
    }
}
