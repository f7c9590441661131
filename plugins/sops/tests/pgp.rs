//! PGP master keys: throwaway gpg keys, documents encrypted by the real sops.
mod common;
use std::path::Path;
use std::process::Command;

use common::*;
use weir_sops::{Format, Key, SopsError};

struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::Builder::new().prefix("wsg").tempdir_in("/tmp").unwrap();
        Gpg { home }
    }
    fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg");
        assert!(out.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }
    /// A new key; returns its fingerprint.
    fn new_key(&self, uid: &str, algo: &str) -> String {
        self.run(&["--quick-gen-key", uid, algo, "cert", "never"]);
        let fp = self.fingerprint(uid);
        let sub = if algo == "ed25519" { "cv25519" } else { algo };
        self.run(&["--quick-add-key", &fp, sub, "encr", "never"]);
        fp
    }
    fn fingerprint(&self, uid: &str) -> String {
        let out = String::from_utf8(self.run(&["--with-colons", "--list-keys", uid])).unwrap();
        out.lines().find(|l| l.starts_with("fpr:")).unwrap().split(':').nth(9).unwrap().to_string()
    }
    fn secret(&self, fp: &str) -> String {
        String::from_utf8(self.run(&["--armor", "--export-secret-keys", fp])).unwrap()
    }
    fn sops(&self, dir: &Path, args: &[&str], input: &Path) -> Result<Vec<u8>, String> {
        let out = Command::new("sops")
            .current_dir(dir)
            .env("SOPS_DISABLE_VERSION_CHECK", "1")
            .env("GNUPGHOME", self.home.path())
            .env_remove("SOPS_AGE_KEY_FILE")
            .env_remove("SOPS_AGE_KEY")
            .args(args)
            .arg(input)
            .output()
            .expect("sops");
        if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").arg("--homedir").arg(self.home.path()).args(["--kill", "gpg-agent"]).output();
    }
}

#[test]
fn pgp_and_age_recipients() {
    let d = tempdir();
    let gpg = Gpg::new();
    let fp_ed = gpg.new_key("weir ed <ed@example.com>", "ed25519");
    let fp_rsa = gpg.new_key("weir rsa <rsa@example.com>", "rsa2048");
    let age = age_key(d.path(), "age");
    for (name, format, ty, plain) in [
        ("p.json", Format::Json, "json", &br#"{"a": {"b": [1, "two"]}, "c": true, "s": "p\u00e4ss"}"#[..]),
        ("p.env", Format::Dotenv, "dotenv", &b"#c\nA=1\nB=two words\n"[..]),
    ] {
        let input = d.path().join(name);
        std::fs::write(&input, plain).unwrap();
        let pgp_list = format!("{fp_ed},{fp_rsa}");
        let enc = gpg
            .sops(
                d.path(),
                &["-e", "--input-type", ty, "--output-type", ty, "--pgp", &pgp_list, "--age", &age.recipient],
                &input,
            )
            .unwrap();
        let enc_path = d.path().join(format!("enc-{name}"));
        std::fs::write(&enc_path, &enc).unwrap();
        let want = gpg.sops(d.path(), &["-d", "--input-type", ty, "--output-type", ty], &enc_path).unwrap();
        for fp in [&fp_ed, &fp_rsa] {
            let got = weir_sops::decrypt(&enc, format, &[Key::PgpSecretKey(gpg.secret(fp))]).unwrap();
            assert_eq!(got, want, "{name} with {fp}");
        }
        // age and PGP mixed in one key list
        let got = weir_sops::decrypt(&enc, format, &[key(&age), Key::PgpSecretKey(gpg.secret(&fp_rsa))]).unwrap();
        assert_eq!(got, want);
    }
}

#[test]
fn wrong_or_malformed_pgp_key() {
    let d = tempdir();
    let gpg = Gpg::new();
    let fp = gpg.new_key("weir a <a@example.com>", "ed25519");
    let other = gpg.new_key("weir b <b@example.com>", "ed25519");
    let input = d.path().join("p.json");
    std::fs::write(&input, br#"{"k": "v"}"#).unwrap();
    let enc = gpg.sops(d.path(), &["-e", "--pgp", &fp], &input).unwrap();
    let r = weir_sops::decrypt(&enc, Format::Json, &[Key::PgpSecretKey(gpg.secret(&other))]);
    assert!(matches!(r, Err(SopsError::NoMatchingKey(m)) if m.contains(&fp)));
    let r = weir_sops::decrypt(&enc, Format::Json, &[Key::PgpSecretKey("-----BEGIN PGP garbage".into())]);
    assert!(matches!(r, Err(SopsError::InvalidKey(_))));
    // an age identity alone cannot open a PGP-only document
    let age = age_key(d.path(), "age");
    assert!(matches!(weir_sops::decrypt(&enc, Format::Json, &[key(&age)]), Err(SopsError::NoMatchingKey(_))));
}

#[test]
fn weir_encrypts_to_pgp_keys_sops_decrypts() {
    let d = tempdir();
    let gpg = Gpg::new();
    let fp_ed = gpg.new_key("weir ed <ed@example.com>", "ed25519");
    let fp_rsa = gpg.new_key("weir rsa <rsa@example.com>", "rsa2048");
    let public = |fp: &str| String::from_utf8(gpg.run(&["--armor", "--export", fp])).unwrap();
    let opts =
        weir_sops::EncryptOptions { pgp_public_keys: vec![public(&fp_ed), public(&fp_rsa)], ..Default::default() };
    for (name, format, ty, plain) in [
        ("e.json", Format::Json, "json", "{\n\t\"a\": {\n\t\t\"b\": \"c\"\n\t},\n\t\"n\": 1.5\n}\n"),
        ("e.env", Format::Dotenv, "dotenv", "#c\nA=1\nB=two words\n"),
    ] {
        let enc = weir_sops::encrypt(plain.as_bytes(), format, &opts).unwrap();
        let text = String::from_utf8(enc.clone()).unwrap();
        assert!(text.contains(&fp_ed) && text.contains(&fp_rsa), "{text}");
        let path = d.path().join(name);
        std::fs::write(&path, &enc).unwrap();
        let by_sops = gpg.sops(d.path(), &["-d", "--input-type", ty, "--output-type", ty], &path).unwrap();
        assert_eq!(String::from_utf8(by_sops).unwrap(), plain);
        for fp in [&fp_ed, &fp_rsa] {
            let got = weir_sops::decrypt(&enc, format, &[Key::PgpSecretKey(gpg.secret(fp))]).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), plain);
        }
    }
    let bad = weir_sops::EncryptOptions { pgp_public_keys: vec!["nope".into()], ..Default::default() };
    assert!(matches!(weir_sops::encrypt(b"{}", Format::Json, &bad), Err(SopsError::InvalidKey(_))));
}
