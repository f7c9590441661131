//! Key groups with a Shamir threshold, encrypted by the real sops from a `.sops.yaml`.
mod common;
use std::process::Command;

use common::*;
use weir_sops::{Format, SopsError};

fn sops_encrypt_with_config(dir: &std::path::Path, name: &str, plain: &[u8], format: &str) -> Vec<u8> {
    std::fs::write(dir.join(name), plain).unwrap();
    let out = Command::new("sops")
        .current_dir(dir)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .env_remove("SOPS_AGE_RECIPIENTS")
        .args(["-e", "--input-type", format, "--output-type", format, name])
        .output()
        .expect("sops");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn two_of_three_key_groups() {
    let d = tempdir();
    let k: Vec<AgeKey> = (1..=3).map(|i| age_key(d.path(), &format!("k{i}"))).collect();
    let config = format!(
        "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: ['{}']\n      - age: ['{}']\n      - age: ['{}']\n",
        k[0].recipient, k[1].recipient, k[2].recipient
    );
    std::fs::write(d.path().join(".sops.yaml"), config).unwrap();
    // sops reads keys for both groups from one file
    let both = AgeKey { identity: String::new(), recipient: String::new(), file: d.path().join("k13.agekey") };
    std::fs::write(&both.file, format!("{}\n{}\n", k[0].identity, k[2].identity)).unwrap();

    for (name, format, fmt, plain) in [
        ("p.json", Format::Json, "json", &br#"{"a": {"b": [1, "two"]}, "c": true}"#[..]),
        ("p.env", Format::Dotenv, "dotenv", &b"#c\nA=1\nB=two words\n"[..]),
    ] {
        let enc = sops_encrypt_with_config(d.path(), name, plain, fmt);
        assert!(String::from_utf8_lossy(&enc).contains("shamir_threshold"));
        let want = sops_decrypt(d.path(), &enc, format, &both).unwrap();
        let got = weir_sops::decrypt(&enc, format, &[key(&k[0]), key(&k[2])]).unwrap();
        assert_eq!(got, want);
        let got = weir_sops::decrypt(&enc, format, &[key(&k[2]), key(&k[1])]).unwrap();
        assert_eq!(got, want);
        let one = weir_sops::decrypt(&enc, format, &[key(&k[1])]);
        assert!(matches!(one, Err(SopsError::NoMatchingKey(m)) if m.contains("1 of 3")), "{name}");
    }
}
