//! Opening sops values: AES-256-GCM with a 32-byte IV, composed from the
//! `aes` block cipher and a constant-time GHASH.
//!
//! `aes-gcm` gives the same result (sealing still uses it, and the tests check
//! that both agree), but in wasm32 its parts pick their 32-bit software
//! backends although wasm has native 64-bit integers: GHASH goes through
//! polyval's `soft32`, three times the multiplications of `soft64`, and the
//! tag mask costs an AES batch of its own. Decryption is most of the plugin's
//! time on a large file, so here GHASH is polyval's `soft64` arithmetic
//! (RustCrypto's constant-time `bmul64` Karatsuba multiplication, MIT or
//! Apache-2.0, copied unchanged) and the tag mask block is encrypted in the
//! same batch as the first keystream blocks.

use aes_gcm::aes::cipher::{BlockEncrypt, KeyInit};
use aes_gcm::aes::{Aes256, Block};

const TAG_LEN: usize = 16;
/// Keystream blocks encrypted per call (an even number: the software AES
/// encrypts blocks two at a time).
const CHUNK: usize = 16;

/// An AES-256 key with its GHASH key.
pub struct Gcm {
    aes: Aes256,
    h: U64x2,
}

impl Gcm {
    pub fn new(key: &[u8; 32]) -> Self {
        let aes = Aes256::new(key.into());
        let mut h = Block::default();
        aes.encrypt_block(&mut h);
        // GHASH as POLYVAL (RFC 8452, appendix A): the key byte-reversed, times x.
        let v = mulx(u128::from_be_bytes(h.into()));
        Gcm { aes, h: U64x2(v as u64, (v >> 64) as u64) }
    }

    /// Authenticates and decrypts `buffer` (the ciphertext, then its 16-byte
    /// tag) in place; on success the tag is cut off. A buffer that fails
    /// authentication is left as it was.
    pub fn open(&self, iv: &[u8; 32], aad: &[u8], buffer: &mut Vec<u8>) -> Result<(), ()> {
        // aes-gcm's limits (2^36 bytes), far beyond any sops value.
        if buffer.len() < TAG_LEN || buffer.len() as u64 > (1 << 36) + 16 || aad.len() as u64 > 1 << 36 {
            return Err(());
        }
        let len = buffer.len() - TAG_LEN;
        let (data, tag) = buffer.split_at_mut(len);

        // J0 = GHASH(IV, padded, then 0^64 || bit length of the IV).
        let mut ghash = Ghash::new(self.h);
        ghash.update_padded(iv);
        ghash.lengths(0, iv.len());
        let j0 = ghash.finalize();

        // Block 0 of the first chunk masks the tag; the rest is keystream.
        let mut keystream = [Block::default(); CHUNK];
        let first = (len.div_ceil(16) + 1).min(CHUNK);
        counter_blocks(&j0, 0, &mut keystream[..first]);
        self.aes.encrypt_blocks(&mut keystream[..first]);

        let mut ghash = Ghash::new(self.h);
        ghash.update_padded(aad);
        ghash.update_padded(data);
        ghash.lengths(aad.len(), len);
        let mut expected = ghash.finalize();
        let mut diff = 0u8;
        for ((e, m), t) in expected.iter_mut().zip(keystream[0].iter()).zip(tag.iter()) {
            *e ^= m;
            diff |= *e ^ t;
        }
        if std::hint::black_box(diff) != 0 {
            return Err(());
        }

        // The keystream side of each zip comes first: zip stops at its end
        // without taking a data block it cannot use.
        let mut blocks = data.chunks_mut(16);
        for (ks, chunk) in keystream[1..first].iter().zip(blocks.by_ref()) {
            xor(chunk, ks);
        }
        let mut next = first as u32;
        loop {
            let n = (len.div_ceil(16) + 1 - next as usize).min(CHUNK);
            if n == 0 {
                break;
            }
            counter_blocks(&j0, next, &mut keystream[..n]);
            self.aes.encrypt_blocks(&mut keystream[..n]);
            for (ks, chunk) in keystream[..n].iter().zip(blocks.by_ref()) {
                xor(chunk, ks);
            }
            next += n as u32;
        }
        buffer.truncate(len);
        Ok(())
    }
}

/// The counter blocks J0 + `start`, J0 + `start` + 1, …: GCM's `inc32` adds
/// to the last 32 bits only, wrapping.
fn counter_blocks(j0: &[u8; 16], start: u32, out: &mut [Block]) {
    let base = u32::from_be_bytes([j0[12], j0[13], j0[14], j0[15]]);
    for (i, block) in out.iter_mut().enumerate() {
        block[..12].copy_from_slice(&j0[..12]);
        block[12..].copy_from_slice(&base.wrapping_add(start).wrapping_add(i as u32).to_be_bytes());
    }
}

fn xor(data: &mut [u8], keystream: &Block) {
    for (d, k) in data.iter_mut().zip(keystream.iter()) {
        *d ^= k;
    }
}

/// GHASH, computed as POLYVAL over byte-reversed blocks (as the `ghash` crate does).
struct Ghash {
    h: U64x2,
    s: U64x2,
}

impl Ghash {
    fn new(h: U64x2) -> Self {
        Ghash { h, s: U64x2(0, 0) }
    }

    fn block(&mut self, b: &[u8; 16]) {
        let x = U64x2(
            u64::from_be_bytes(b[8..].try_into().expect("8 bytes")),
            u64::from_be_bytes(b[..8].try_into().expect("8 bytes")),
        );
        self.s = (self.s + x) * self.h;
    }

    /// The bytes, the last block padded with zeros.
    fn update_padded(&mut self, bytes: &[u8]) {
        let mut blocks = bytes.chunks_exact(16);
        for b in blocks.by_ref() {
            self.block(b.try_into().expect("16 bytes"));
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 16];
            b[..rest.len()].copy_from_slice(rest);
            self.block(&b);
        }
    }

    /// The closing block: both lengths in bits, big-endian.
    fn lengths(&mut self, a: usize, b: usize) {
        let mut block = [0u8; 16];
        block[..8].copy_from_slice(&(a as u64 * 8).to_be_bytes());
        block[8..].copy_from_slice(&(b as u64 * 8).to_be_bytes());
        self.block(&block);
    }

    fn finalize(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.s.1.to_be_bytes());
        out[8..].copy_from_slice(&self.s.0.to_be_bytes());
        out
    }
}

/// polyval's `mulx`: multiplication by x in POLYVAL's field.
fn mulx(mut v: u128) -> u128 {
    let v_hi = v >> 127;
    v <<= 1;
    v ^ v_hi ^ (v_hi << 127) ^ (v_hi << 126) ^ (v_hi << 121)
}

// From here on polyval 0.6's `backend/soft64.rs`, unchanged but for comments,
// `#[inline(always)]` and clippy's `rotate_right`.

#[derive(Copy, Clone, Debug, Default, Eq, PartialEq)]
struct U64x2(u64, u64);

#[allow(clippy::suspicious_arithmetic_impl)]
impl std::ops::Add for U64x2 {
    type Output = Self;

    /// Addition in GF(2^128) is XOR.
    fn add(self, rhs: Self) -> Self::Output {
        U64x2(self.0 ^ rhs.0, self.1 ^ rhs.1)
    }
}

#[allow(clippy::suspicious_arithmetic_impl)]
impl std::ops::Mul for U64x2 {
    type Output = Self;

    /// Constant-time multiplication in POLYVAL's field (BearSSL's `ctmul64`):
    /// Karatsuba over 64-bit carry-less multiplications made of integer
    /// multiplications with holes in the operands, then Montgomery reduction.
    fn mul(self, rhs: Self) -> Self {
        let h0 = self.0;
        let h1 = self.1;
        let h0r = rev64(h0);
        let h1r = rev64(h1);
        let h2 = h0 ^ h1;
        let h2r = h0r ^ h1r;

        let y0 = rhs.0;
        let y1 = rhs.1;
        let y0r = rev64(y0);
        let y1r = rev64(y1);
        let y2 = y0 ^ y1;
        let y2r = y0r ^ y1r;
        let z0 = bmul64(y0, h0);
        let z1 = bmul64(y1, h1);

        let mut z2 = bmul64(y2, h2);
        let mut z0h = bmul64(y0r, h0r);
        let mut z1h = bmul64(y1r, h1r);
        let mut z2h = bmul64(y2r, h2r);

        z2 ^= z0 ^ z1;
        z2h ^= z0h ^ z1h;
        z0h = rev64(z0h) >> 1;
        z1h = rev64(z1h) >> 1;
        z2h = rev64(z2h) >> 1;

        let v0 = z0;
        let mut v1 = z0h ^ z2;
        let mut v2 = z1 ^ z2h;
        let mut v3 = z1h;

        v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
        v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
        v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
        v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);

        U64x2(v2, v3)
    }
}

/// Carry-less 64x64 multiplication, low half (constant time).
#[inline(always)]
fn bmul64(x: u64, y: u64) -> u64 {
    use std::num::Wrapping;
    let x0 = Wrapping(x & 0x1111_1111_1111_1111);
    let x1 = Wrapping(x & 0x2222_2222_2222_2222);
    let x2 = Wrapping(x & 0x4444_4444_4444_4444);
    let x3 = Wrapping(x & 0x8888_8888_8888_8888);
    let y0 = Wrapping(y & 0x1111_1111_1111_1111);
    let y1 = Wrapping(y & 0x2222_2222_2222_2222);
    let y2 = Wrapping(y & 0x4444_4444_4444_4444);
    let y3 = Wrapping(y & 0x8888_8888_8888_8888);

    let mut z0 = ((x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1)).0;
    let mut z1 = ((x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2)).0;
    let mut z2 = ((x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3)).0;
    let mut z3 = ((x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0)).0;

    z0 &= 0x1111_1111_1111_1111;
    z1 &= 0x2222_2222_2222_2222;
    z2 &= 0x4444_4444_4444_4444;
    z3 &= 0x8888_8888_8888_8888;

    z0 | z1 | z2 | z3
}

/// Bit-reverses a 64-bit word.
#[inline(always)]
fn rev64(mut x: u64) -> u64 {
    x = ((x & 0x5555_5555_5555_5555) << 1) | ((x >> 1) & 0x5555_5555_5555_5555);
    x = ((x & 0x3333_3333_3333_3333) << 2) | ((x >> 2) & 0x3333_3333_3333_3333);
    x = ((x & 0x0f0f_0f0f_0f0f_0f0f) << 4) | ((x >> 4) & 0x0f0f_0f0f_0f0f_0f0f);
    x = ((x & 0x00ff_00ff_00ff_00ff) << 8) | ((x >> 8) & 0x00ff_00ff_00ff_00ff);
    x = ((x & 0xffff_0000_ffff) << 16) | ((x >> 16) & 0xffff_0000_ffff);
    x.rotate_right(32)
}

#[cfg(test)]
mod tests {
    use aes_gcm::aead::consts::U32;
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{AesGcm, Nonce};

    use super::*;

    type Reference = AesGcm<Aes256, U32>;

    /// xorshift64*: reproducible test data.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    /// Every length from 0 to 300 bytes (several keystream chunks), random
    /// keys, IVs and additional data: what aes-gcm seals opens to the same
    /// plaintext, and any flipped bit (ciphertext, tag, IV, additional data)
    /// is refused.
    #[test]
    fn agrees_with_aes_gcm() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for len in 0..300 {
            let key: [u8; 32] = rng.bytes(32).try_into().unwrap();
            let iv: [u8; 32] = rng.bytes(32).try_into().unwrap();
            let aad_len = (rng.next() % 40) as usize;
            let aad = rng.bytes(aad_len);
            let plain = rng.bytes(len);
            let sealed = Reference::new(&key.into())
                .encrypt(Nonce::<U32>::from_slice(&iv), Payload { msg: &plain, aad: &aad })
                .unwrap();
            let gcm = Gcm::new(&key);
            let mut buffer = sealed.clone();
            gcm.open(&iv, &aad, &mut buffer).unwrap();
            assert_eq!(buffer, plain, "length {len}");

            let bit = (rng.next() as usize) % (sealed.len() * 8);
            let mut tampered = sealed.clone();
            tampered[bit / 8] ^= 1 << (bit % 8);
            assert!(gcm.open(&iv, &aad, &mut tampered.clone()).is_err(), "length {len}, bit {bit}");
            let mut other_iv = iv;
            other_iv[(rng.next() % 32) as usize] ^= 1;
            assert!(gcm.open(&other_iv, &aad, &mut sealed.clone()).is_err());
            let mut other_aad = aad.clone();
            other_aad.push(0);
            assert!(gcm.open(&iv, &other_aad, &mut sealed.clone()).is_err());
        }
        assert!(Gcm::new(&[0; 32]).open(&[0; 32], b"", &mut vec![0; 15]).is_err());
    }

    /// The counter wraps in its last 32 bits only (GCM's `inc32`, aes-gcm's `Ctr32BE`).
    #[test]
    fn counter_wraps_in_32_bits() {
        let mut j0 = [0xab; 16];
        j0[12..].copy_from_slice(&0xffff_fffe_u32.to_be_bytes());
        let mut blocks = [Block::default(); 4];
        counter_blocks(&j0, 1, &mut blocks);
        let counters: Vec<u32> = blocks.iter().map(|b| u32::from_be_bytes(b[12..].try_into().unwrap())).collect();
        assert_eq!(counters, [0xffff_ffff, 0, 1, 2]);
        assert!(blocks.iter().all(|b| b[..12] == [0xab; 12]));
    }
}
