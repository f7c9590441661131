//! weir-sops encrypts; the real sops (and weir-sops) decrypt it back.
mod common;
use common::*;
use weir_sops::{EncryptOptions, Format, SopsError};

/// Already in the form sops prints, so `sops -d` must give back these bytes.
const JSON: &str = "{\n\t\"a\": {\n\t\t\"b\": \"x\",\n\t\t\"n\": 5,\n\t\t\"f\": 1.5,\n\t\t\"t\": true,\n\t\t\"z\": null,\n\t\t\"arr\": [\n\t\t\t1,\n\t\t\t\"two\",\n\t\t\t{\n\t\t\t\t\"c\": \"d\"\n\t\t\t}\n\t\t],\n\t\t\"empty\": \"\",\n\t\t\"eo\": {},\n\t\t\"ea\": []\n\t},\n\t\"u_unencrypted\": \"plain\",\n\t\"token_enc\": \"t0k3n\",\n\t\"ü\": \"ñ ☃ \\u003c\\u0026\\u003e\",\n\t\"big\": 1e+21\n}\n";
const ENV: &str =
    "# comment ☃\nDB_USER=admin\nDB_PASSWORD=s3cr3t\nEMPTY=\nMULTI=a\\nb\n#\nTOKEN_unencrypted=visible\nX=y=z\n";

fn opts(k: &[&AgeKey]) -> EncryptOptions {
    EncryptOptions { age_recipients: k.iter().map(|k| k.recipient.clone()).collect(), ..Default::default() }
}

fn roundtrip(doc: &str, format: Format, o: &EncryptOptions, keys: &[&AgeKey]) -> String {
    let d = tempdir();
    let enc = weir_sops::encrypt(doc.as_bytes(), format, o).unwrap_or_else(|e| panic!("encrypt: {e}"));
    for k in keys {
        let by_sops = sops_decrypt(d.path(), &enc, format, k).unwrap_or_else(|e| panic!("sops -d failed: {e}"));
        assert_eq!(String::from_utf8_lossy(&by_sops), doc, "options {o:?}");
        let by_weir = weir_sops::decrypt(&enc, format, &[key(k)]).unwrap();
        assert_eq!(by_weir, doc.as_bytes());
    }
    String::from_utf8(enc).unwrap()
}

#[test]
fn json_default_rules_several_recipients() {
    let d = tempdir();
    let (k1, k2) = (age_key(d.path(), "k1"), age_key(d.path(), "k2"));
    let enc = roundtrip(JSON, Format::Json, &opts(&[&k1, &k2]), &[&k1, &k2]);
    assert!(enc.contains("\"u_unencrypted\": \"plain\""));
    assert!(!enc.contains("t0k3n") && !enc.contains("\"x\""));
    assert!(enc.contains("\"unencrypted_suffix\": \"_unencrypted\""));
    assert!(enc.contains(&k2.recipient));
}

#[test]
fn json_each_rule_and_mac_only_encrypted() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let base = opts(&[&k]);
    let variants = [
        EncryptOptions { encrypted_regex: Some("^(a|big)$".into()), ..base.clone() },
        EncryptOptions { unencrypted_regex: Some("^b$".into()), ..base.clone() },
        EncryptOptions { encrypted_suffix: Some("_enc".into()), ..base.clone() },
        EncryptOptions { unencrypted_suffix: Some("_plain".into()), ..base.clone() },
        EncryptOptions { mac_only_encrypted: true, ..base.clone() },
        EncryptOptions { mac_only_encrypted: true, encrypted_suffix: Some("_enc".into()), ..base.clone() },
    ];
    for o in &variants {
        roundtrip(JSON, Format::Json, o, &[&k]);
    }
    let enc = roundtrip(JSON, Format::Json, &variants[2], &[&k]);
    assert!(enc.contains("\"b\": \"x\"") && !enc.contains("t0k3n"));
}

#[test]
fn dotenv_roundtrip() {
    let d = tempdir();
    let (k1, k2) = (age_key(d.path(), "k1"), age_key(d.path(), "k2"));
    let enc = roundtrip(ENV, Format::Dotenv, &opts(&[&k1, &k2]), &[&k1, &k2]);
    assert!(enc.contains("TOKEN_unencrypted=visible\n") && enc.contains("sops_age__list_1__map_recipient="));
    let k = &k1;
    for o in [
        EncryptOptions { encrypted_regex: Some("^DB_".into()), ..opts(&[k]) },
        EncryptOptions { mac_only_encrypted: true, ..opts(&[k]) },
    ] {
        roundtrip(ENV, Format::Dotenv, &o, &[k]);
    }
}

#[test]
fn sops_reencrypted_output_matches() {
    // A non-canonical JSON input: weir's encryption must decrypt (by sops) to
    // what sops' own encryption decrypts to.
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = r#"{"x": 1.50, "y": [1e3, "é"], "z": {"w": false}}"#;
    let ours = weir_sops::encrypt(doc.as_bytes(), Format::Json, &opts(&[&k])).unwrap();
    let theirs = sops_encrypt(d.path(), doc.as_bytes(), Format::Json, &[&k], &[]);
    assert_eq!(
        sops_decrypt(d.path(), &ours, Format::Json, &k).unwrap(),
        sops_decrypt(d.path(), &theirs, Format::Json, &k).unwrap()
    );
}

#[test]
fn encrypt_errors() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let none = EncryptOptions::default();
    assert!(matches!(weir_sops::encrypt(b"{}", Format::Json, &none), Err(SopsError::InvalidKey(_))));
    let bad = EncryptOptions { age_recipients: vec!["age1nope".into()], ..Default::default() };
    assert!(matches!(weir_sops::encrypt(b"{}", Format::Json, &bad), Err(SopsError::InvalidKey(_))));
    let two = EncryptOptions { encrypted_regex: Some("a".into()), encrypted_suffix: Some("b".into()), ..opts(&[&k]) };
    assert!(matches!(weir_sops::encrypt(b"{}", Format::Json, &two), Err(SopsError::InvalidKey(_))));
    let re = EncryptOptions { encrypted_regex: Some("(".into()), ..opts(&[&k]) };
    assert!(matches!(weir_sops::encrypt(b"{}", Format::Json, &re), Err(SopsError::InvalidKey(_))));
    let enc = weir_sops::encrypt(b"{\"a\": 1}", Format::Json, &opts(&[&k])).unwrap();
    assert!(matches!(weir_sops::encrypt(&enc, Format::Json, &opts(&[&k])), Err(SopsError::InvalidDocument(_))));
    assert!(matches!(weir_sops::encrypt(b"[1]", Format::Json, &opts(&[&k])), Err(SopsError::InvalidDocument(_))));
    assert!(matches!(weir_sops::encrypt(b"- 1\n", Format::Yaml, &opts(&[&k])), Err(SopsError::InvalidDocument(_))));
}
