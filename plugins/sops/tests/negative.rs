//! Tampering, wrong or missing keys, malformed documents: the right error, no plaintext.
mod common;
use common::*;
use weir_sops::{Format, SopsError};

const DOC: &str = r#"{"db": {"user": "admin", "password": "s3cr3t"}, "port": 5432}"#;

fn setup() -> (tempfile::TempDir, AgeKey, String) {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let enc = String::from_utf8(sops_encrypt(d.path(), DOC.as_bytes(), Format::Json, &[&k], &[])).unwrap();
    (d, k, enc)
}

fn dec(doc: &str, k: &AgeKey) -> Result<Vec<u8>, SopsError> {
    weir_sops::decrypt(doc.as_bytes(), Format::Json, &[key(k)])
}

/// The `data:` field of the line containing `"name":`.
fn data_of(doc: &str, name: &str) -> String {
    let line = doc.lines().find(|l| l.contains(&format!("\"{name}\":"))).unwrap();
    let start = line.find("data:").unwrap() + 5;
    let end = start + line[start..].find(',').unwrap();
    line[start..end].to_string()
}

fn flip_first_char(b64: &str) -> String {
    let mut c: Vec<char> = b64.chars().collect();
    c[0] = if c[0] == 'A' { 'B' } else { 'A' };
    c.into_iter().collect()
}

#[test]
fn flipped_ciphertext_byte_is_detected() {
    let (d, k, enc) = setup();
    let data = data_of(&enc, "password");
    let bad = enc.replacen(&data, &flip_first_char(&data), 1);
    let err = dec(&bad, &k).unwrap_err();
    assert!(matches!(&err, SopsError::MacMismatch(m) if m.contains("db.password")), "{err}");
    assert!(!err.to_string().contains("s3cr3t"));
    assert!(sops_decrypt(d.path(), bad.as_bytes(), Format::Json, &k).is_err(), "sops agrees");
}

#[test]
fn changed_mac_is_detected() {
    let (d, k, enc) = setup();
    let data = data_of(&enc, "mac");
    let bad = enc.replacen(&data, &flip_first_char(&data), 1);
    assert!(matches!(dec(&bad, &k), Err(SopsError::MacMismatch(_))));
    assert!(sops_decrypt(d.path(), bad.as_bytes(), Format::Json, &k).is_err());
}

#[test]
fn swapped_values_fail_authentication() {
    // Values are bound to their path: moving one to another key must fail.
    let (_d, k, enc) = setup();
    let user_line = enc.lines().find(|l| l.contains("\"user\":")).unwrap();
    let pw_line = enc.lines().find(|l| l.contains("\"password\":")).unwrap();
    let user_val = user_line.split_once(": ").unwrap().1.trim_end_matches(',');
    let pw_val = pw_line.split_once(": ").unwrap().1.trim_end_matches(',');
    let bad = enc.replacen(user_val, pw_val, 1);
    assert!(matches!(dec(&bad, &k), Err(SopsError::MacMismatch(m)) if m.contains("db.user")));
}

#[test]
fn removed_value_changes_the_mac() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let enc = sops_encrypt(d.path(), br#"{"a": "1", "b": "2"}"#, Format::Json, &[&k], &[]);
    let enc = String::from_utf8(enc).unwrap();
    let b_line = enc.lines().find(|l| l.contains("\"b\":")).unwrap().to_string();
    // `a` keeps its trailing comma, now before `sops`: the JSON stays valid.
    let bad = enc.replace(&format!("{b_line}\n"), "");
    assert!(matches!(dec(&bad, &k), Err(SopsError::MacMismatch(_))), "{bad}");
}

#[test]
fn wrong_key_and_no_keys() {
    let (d, _k, enc) = setup();
    let other = age_key(d.path(), "other");
    assert!(matches!(dec(&enc, &other), Err(SopsError::NoMatchingKey(_))));
    assert!(matches!(weir_sops::decrypt(enc.as_bytes(), Format::Json, &[]), Err(SopsError::NoMatchingKey(_))));
}

#[test]
fn malformed_identity_is_invalid_key() {
    let (_d, _k, enc) = setup();
    let r =
        weir_sops::decrypt(enc.as_bytes(), Format::Json, &[weir_sops::Key::AgeIdentity("AGE-SECRET-KEY-1NOPE".into())]);
    assert!(matches!(r, Err(SopsError::InvalidKey(m)) if !m.contains("NOPE")));
}

#[test]
fn not_a_sops_file() {
    let (_d, k, _enc) = setup();
    assert!(matches!(dec(DOC, &k), Err(SopsError::NotEncrypted(_))));
    let r = weir_sops::decrypt(b"A=1\nB=2\n", Format::Dotenv, &[key(&k)]);
    assert!(matches!(r, Err(SopsError::NotEncrypted(_))));
}

#[test]
fn truncated_and_garbage_documents() {
    let (_d, k, enc) = setup();
    for cut in [1, enc.len() / 3, enc.len() / 2, enc.len() - 3] {
        let r = dec(&enc[..cut], &k);
        assert!(matches!(r, Err(SopsError::InvalidDocument(_))), "cut at {cut}: {r:?}");
    }
    for bad in ["", "[1,2]", "\"str\"", "{\"a\": }", "{\"a\": 1} x", "{\"a\": 1e999}", "\u{1}"] {
        assert!(matches!(dec(bad, &k), Err(SopsError::InvalidDocument(_))), "{bad:?}");
    }
    let r = weir_sops::decrypt(b"A=1\nnot a pair\n", Format::Dotenv, &[key(&k)]);
    assert!(matches!(r, Err(SopsError::InvalidDocument(m)) if m.contains("line 2")));
}

#[test]
fn unknown_version_is_unsupported() {
    let (_d, k, enc) = setup();
    let bad = enc.replace("\"version\": \"3.11.0\"", "\"version\": \"4.0.0\"");
    assert_ne!(bad, enc);
    assert!(matches!(dec(&bad, &k), Err(SopsError::Unsupported(m)) if m.contains("4.0.0")));
    let bad = enc.replace("\"version\": \"3.11.0\"", "\"version\": 1");
    assert!(matches!(dec(&bad, &k), Err(SopsError::Unsupported(_))));
}

#[test]
fn yaml_tampering_truncation_and_versions() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let enc = sops_encrypt(d.path(), b"db:\n  password: s3cr3t\n  user: admin\n", Format::Yaml, &[&k], &[]);
    let enc = String::from_utf8(enc).unwrap();
    let ydec = |doc: &str| weir_sops::decrypt(doc.as_bytes(), Format::Yaml, &[key(&k)]);
    let line = enc.lines().find(|l| l.contains("password:")).unwrap();
    let start = line.find("data:").unwrap() + 5;
    let data = &line[start..start + line[start..].find(',').unwrap()];
    let bad = enc.replacen(data, &flip_first_char(data), 1);
    assert!(matches!(ydec(&bad), Err(SopsError::MacMismatch(m)) if m.contains("db.password")));
    for cut in [10, enc.len() / 2] {
        assert!(ydec(&enc[..cut]).is_err(), "cut at {cut}");
    }
    assert!(matches!(ydec("a: 1\n"), Err(SopsError::NotEncrypted(_))));
    let old = enc.replace("version: 3.11.0", "version: 2.0.0");
    assert!(matches!(ydec(&old), Err(SopsError::Unsupported(_))));
    let other = age_key(d.path(), "other");
    let r = weir_sops::decrypt(enc.as_bytes(), Format::Yaml, &[key(&other)]);
    assert!(matches!(r, Err(SopsError::NoMatchingKey(_))));
}

#[test]
fn plaintext_value_where_ciphertext_is_expected() {
    let (_d, k, enc) = setup();
    let data_line = enc.lines().find(|l| l.contains("\"user\":")).unwrap();
    let bad = enc.replace(data_line, "\t\t\"user\": \"admin\",");
    assert!(matches!(dec(&bad, &k), Err(SopsError::InvalidDocument(m)) if m.contains("db.user")));
    let bad = enc.replace(data_line, "\t\t\"user\": 7,");
    assert!(matches!(dec(&bad, &k), Err(SopsError::InvalidDocument(m)) if m.contains("db.user")));
}

#[test]
fn data_key_handed_in_directly() {
    let (d, k, enc) = setup();
    // recover the real data key with age-keygen's identity through the age CLI
    let meta_enc = enc.split("\"enc\": \"").nth(1).unwrap().split('"').next().unwrap().replace("\\n", "\n");
    let armored = d.path().join("dk.age");
    std::fs::write(&armored, meta_enc).unwrap();
    let out = std::process::Command::new("age").arg("-d").arg("-i").arg(&k.file).arg(&armored).output().unwrap();
    assert!(out.status.success());
    let data_key = out.stdout;
    assert_eq!(data_key.len(), 32);
    let want = dec(&enc, &k).unwrap();
    let wrong = weir_sops::Key::DataKey(vec![7; 32]);
    let got = weir_sops::decrypt(enc.as_bytes(), Format::Json, &[wrong.clone(), weir_sops::Key::DataKey(data_key)]);
    assert_eq!(got.unwrap(), want);
    assert!(matches!(weir_sops::decrypt(enc.as_bytes(), Format::Json, &[wrong]), Err(SopsError::NoMatchingKey(_))));
    let short = weir_sops::Key::DataKey(vec![1; 5]);
    assert!(matches!(weir_sops::decrypt(enc.as_bytes(), Format::Json, &[short]), Err(SopsError::InvalidKey(_))));
}

#[test]
fn every_truncation_and_byte_flip_errors_or_decrypts_identically() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    for (format, plain) in
        [(Format::Json, &br#"{"a": {"b": [1, "x"]}, "c_unencrypted": true}"#[..]), (Format::Dotenv, &b"#c\nA=1\n"[..])]
    {
        let enc = sops_encrypt(d.path(), plain, format, &[&k], &[]);
        let want = weir_sops::decrypt(&enc, format, &[key(&k)]).unwrap();
        for cut in 0..enc.len() {
            if let Ok(got) = weir_sops::decrypt(&enc[..cut], format, &[key(&k)]) {
                assert_eq!(got, want, "truncated at {cut}");
            }
        }
        for i in 0..enc.len() {
            let mut bad = enc.clone();
            bad[i] ^= 0x01;
            if let Ok(got) = weir_sops::decrypt(&bad, format, &[key(&k)])
                && got != want
            {
                // sops authenticates values, not the names of plain keys: such a change
                // must be accepted exactly as sops accepts it.
                let by_sops = sops_decrypt(d.path(), &bad, format, &k).expect("sops accepts it too");
                assert_eq!(got, by_sops, "byte {i} flipped");
            }
        }
    }
}
