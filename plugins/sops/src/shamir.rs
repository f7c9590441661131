//! Recombining Shamir shares of the data key, as sops' key groups split it:
//! byte-wise over GF(2^8) (the AES field), each share ending with its x coordinate.

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

/// Multiplicative inverse (a^254); 0 maps to 0.
fn inv(a: u8) -> u8 {
    let mut r = 1u8;
    let mut base = a;
    let mut e = 254u32;
    while e != 0 {
        if e & 1 != 0 {
            r = mul(r, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    r
}

/// Lagrange interpolation at x = 0 of every byte position.
pub fn combine(parts: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    if parts.len() < 2 {
        return Err("fewer than two shares".into());
    }
    let len = parts[0].len();
    if len < 2 || parts.iter().any(|p| p.len() != len) {
        return Err("shares of different or too short lengths".into());
    }
    let xs: Vec<u8> = parts.iter().map(|p| p[len - 1]).collect();
    for (i, x) in xs.iter().enumerate() {
        if xs[..i].contains(x) {
            return Err("duplicate share".into());
        }
    }
    let mut secret = vec![0u8; len - 1];
    for (byte, out) in secret.iter_mut().enumerate() {
        let mut acc = 0u8;
        for i in 0..parts.len() {
            let mut basis = 1u8;
            for j in 0..parts.len() {
                if i != j {
                    // (0 - x_j) / (x_i - x_j); subtraction is xor
                    basis = mul(basis, mul(xs[j], inv(xs[i] ^ xs[j])));
                }
            }
            acc ^= mul(parts[i][byte], basis);
        }
        *out = acc;
    }
    Ok(secret)
}

/// Splits `secret` into `n` shares, any `threshold` of which recombine it:
/// per byte a random polynomial of degree `threshold - 1`, evaluated at
/// distinct random non-zero x coordinates (appended to each share).
pub fn split(
    secret: &[u8],
    n: usize,
    threshold: usize,
    random: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<Vec<u8>>, String> {
    if !(2..=255).contains(&n) || threshold < 2 || threshold > n {
        return Err(format!("cannot split into {n} shares with threshold {threshold}"));
    }
    // Distinct x coordinates: a random permutation of 1..=255 (Fisher-Yates).
    let mut xs: Vec<u8> = (1..=255).collect();
    let mut r = [0u8; 2];
    for i in (1..xs.len()).rev() {
        random(&mut r);
        let j = usize::from(u16::from_le_bytes(r)) % (i + 1);
        xs.swap(i, j);
    }
    let mut shares: Vec<Vec<u8>> = xs[..n].iter().map(|_| Vec::with_capacity(secret.len() + 1)).collect();
    let mut coeffs = vec![0u8; threshold - 1];
    for &s in secret {
        random(&mut coeffs);
        for (share, &x) in shares.iter_mut().zip(&xs[..n]) {
            // Horner's rule: ((c_k x + c_{k-1}) x + ...) x + s
            let mut y = 0u8;
            for &c in coeffs.iter().rev() {
                y = mul(y, x) ^ c;
            }
            share.push(mul(y, x) ^ s);
        }
    }
    for (share, &x) in shares.iter_mut().zip(&xs[..n]) {
        share.push(x);
    }
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_inverse() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, inv(a)), 1, "{a}");
        }
        assert_eq!(mul(0x57, 0x83), 0xc1); // FIPS-197 example
    }

    #[test]
    fn combines_a_hand_made_split() {
        // f(x) = s + 7x per byte, shares at x = 1, 2, 3; any two recover s.
        let secret = [0u8, 1, 42, 255];
        let share = |x: u8| {
            let mut v: Vec<u8> = secret.iter().map(|s| s ^ mul(7, x)).collect();
            v.push(x);
            v
        };
        assert_eq!(combine(&[share(1), share(3)]).unwrap(), secret);
        assert_eq!(combine(&[share(2), share(1), share(3)]).unwrap(), secret);
        assert!(combine(&[share(1)]).is_err());
        assert!(combine(&[share(1), share(1)]).is_err());
    }

    #[test]
    fn split_then_combine() {
        let mut state = 7u32;
        let mut random = |buf: &mut [u8]| {
            for b in buf {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *b = (state >> 16) as u8;
            }
        };
        let secret: Vec<u8> = (0..32).collect();
        let shares = split(&secret, 3, 2, &mut random).unwrap();
        assert_eq!(combine(&shares[..2]).unwrap(), secret);
        assert_eq!(combine(&[shares[2].clone(), shares[0].clone()]).unwrap(), secret);
        assert_ne!(combine(&shares[..1].iter().chain(&shares[..1]).cloned().collect::<Vec<_>>()).ok(), Some(secret));
    }
}
