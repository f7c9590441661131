//! INI and binary documents, and YAML/INI/binary encryption by weir-sops that
//! the real sops decrypts to what its own encryption decrypts to.
mod common;
use common::*;
use weir_sops::{EncryptOptions, Format, RecipientGroup};

const INI: &str = "; top comment\nglobal = 1\n\n[db]\n# db comment\nuser = admin\npassword = s3cr3t ; inline\nempty =\nquoted = \"a b\"\nspaced = \" x \"\nsemi = `a;b`\n\n[other]\nkey_unencrypted = visible\nmulti = a=b\n";

#[test]
fn ini_decrypts_like_sops() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    for flags in [&[][..], &["--encrypted-regex", "^pass"][..], &["--mac-only-encrypted"][..]] {
        check_decrypt(d.path(), INI.as_bytes(), Format::Ini, &[&k], flags, &k);
    }
    check_decrypt(d.path(), b"[only]\na = 1\n", Format::Ini, &[&k], &[], &k);
}

#[test]
fn binary_decrypts_like_sops() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), b"hello\x00bin\xff\xfe\n", Format::Binary, &[&k], &[], &k);
    check_decrypt(d.path(), b"plain text, no newline", Format::Binary, &[&k], &[], &k);
}

fn opts(k: &AgeKey) -> EncryptOptions {
    EncryptOptions { age_recipients: vec![k.recipient.clone()], ..Default::default() }
}

/// weir encrypts, sops encrypts: `sops -d` gives the same for both.
fn same_as_sops(plain: &[u8], format: Format, o: &EncryptOptions, k: &AgeKey) -> Vec<u8> {
    let d = tempdir();
    let ours = weir_sops::encrypt(plain, format, o).unwrap_or_else(|e| panic!("encrypt: {e}"));
    let theirs = sops_encrypt(d.path(), plain, format, &[k], &[]);
    let by_sops = sops_decrypt(d.path(), &ours, format, k).unwrap_or_else(|e| panic!("sops -d: {e}"));
    assert_eq!(
        String::from_utf8_lossy(&by_sops),
        String::from_utf8_lossy(&sops_decrypt(d.path(), &theirs, format, k).unwrap())
    );
    assert_eq!(weir_sops::decrypt(&ours, format, &[key(k)]).unwrap(), by_sops);
    ours
}

#[test]
fn yaml_encryption_decrypts_with_sops() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = "# Secret\napiVersion: v1\nkind: Secret\nmetadata:\n  name: x # the name\nstringData:\n  a: |\n    multi\n    line\n  n: 5\n  f: 1.5\n  t: 2001-12-14\n  b: true\n  # before l\n  l: [1, x, {y: z}]\nother_unencrypted: plain\n---\nsecond: doc\n";
    let enc = String::from_utf8(same_as_sops(doc.as_bytes(), Format::Yaml, &opts(&k), &k)).unwrap();
    assert!(enc.contains("other_unencrypted: plain") && !enc.contains("multi"), "{enc}");
    for o in [
        EncryptOptions { encrypted_regex: Some("^(data|stringData)$".into()), ..opts(&k) },
        EncryptOptions { mac_only_encrypted: true, unencrypted_regex: Some("^kind$".into()), ..opts(&k) },
    ] {
        let enc = weir_sops::encrypt(doc.as_bytes(), Format::Yaml, &o).unwrap();
        let by_sops = sops_decrypt(d.path(), &enc, Format::Yaml, &k).unwrap();
        assert_eq!(weir_sops::decrypt(&enc, Format::Yaml, &[key(&k)]).unwrap(), by_sops);
    }
}

#[test]
fn ini_and_binary_encryption_decrypts_with_sops() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    same_as_sops(INI.as_bytes(), Format::Ini, &opts(&k), &k);
    same_as_sops(b"\x00\x01binary\xff", Format::Binary, &opts(&k), &k);
    same_as_sops(b"text\n", Format::Binary, &opts(&k), &k);
}

#[test]
fn key_groups_with_a_shamir_threshold() {
    let d = tempdir();
    let k: Vec<AgeKey> = (1..=3).map(|i| age_key(d.path(), &format!("k{i}"))).collect();
    let o = EncryptOptions {
        key_groups: k
            .iter()
            .map(|k| RecipientGroup { age_recipients: vec![k.recipient.clone()], ..Default::default() })
            .collect(),
        shamir_threshold: 2,
        ..Default::default()
    };
    let doc = b"a: secret\nb: [1, 2]\n";
    let enc = weir_sops::encrypt(doc, Format::Yaml, &o).unwrap();
    assert!(String::from_utf8_lossy(&enc).contains("shamir_threshold: 2"));
    let both = AgeKey { identity: String::new(), recipient: String::new(), file: d.path().join("k13.agekey") };
    std::fs::write(&both.file, format!("{}\n{}\n", k[0].identity, k[2].identity)).unwrap();
    let by_sops = sops_decrypt(d.path(), &enc, Format::Yaml, &both).unwrap();
    assert_eq!(by_sops, b"a: secret\nb:\n    - 1\n    - 2\n");
    assert!(sops_decrypt(d.path(), &enc, Format::Yaml, &k[1]).is_err(), "one group is not enough");
    assert_eq!(weir_sops::decrypt(&enc, Format::Yaml, &[key(&k[1]), key(&k[2])]).unwrap(), by_sops);
}
