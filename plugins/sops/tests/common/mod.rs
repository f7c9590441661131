//! Helpers: throwaway age keys and the real `sops` binary as the oracle.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use weir_sops::Format;

pub struct AgeKey {
    pub identity: String,
    pub recipient: String,
    pub file: PathBuf,
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("weir-sops-test").tempdir().expect("tempdir")
}

/// A fresh age key made by `age-keygen`, saved in `dir` for sops to read.
pub fn age_key(dir: &Path, name: &str) -> AgeKey {
    let file = dir.join(format!("{name}.agekey"));
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&file)
        .output()
        .expect("age-keygen (install with scripts/install-sops)");
    assert!(out.status.success(), "age-keygen failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    let identity = text.lines().find(|l| l.starts_with("AGE-SECRET-KEY-")).unwrap().to_string();
    let out = Command::new("age-keygen").arg("-y").arg(&file).output().unwrap();
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_string();
    AgeKey { identity, recipient, file }
}

fn type_name(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Dotenv => "dotenv",
        Format::Yaml => "yaml",
        Format::Ini => "ini",
        Format::Binary => "binary",
    }
}

fn ext(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Dotenv => "env",
        Format::Yaml => "yaml",
        Format::Ini => "ini",
        Format::Binary => "bin",
    }
}

fn sops(dir: &Path) -> Command {
    let mut c = Command::new("sops");
    c.current_dir(dir)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .env_remove("SOPS_AGE_KEY")
        .env_remove("SOPS_AGE_KEY_FILE")
        .env_remove("SOPS_AGE_KEY_CMD")
        .env_remove("SOPS_AGE_RECIPIENTS")
        .env_remove("SOPS_PGP_FP");
    c
}

/// `sops -e` with the given recipients and extra flags.
pub fn sops_encrypt(dir: &Path, plain: &[u8], format: Format, recipients: &[&AgeKey], extra: &[&str]) -> Vec<u8> {
    let input = dir.join(format!("plain.{}", ext(format)));
    std::fs::write(&input, plain).unwrap();
    let recips: Vec<&str> = recipients.iter().map(|k| k.recipient.as_str()).collect();
    let out = sops(dir)
        .args(["-e", "--input-type", type_name(format), "--output-type", type_name(format)])
        .args(["--age", &recips.join(",")])
        .args(extra)
        .arg(&input)
        .output()
        .expect("sops (install with scripts/install-sops)");
    std::fs::remove_file(&input).unwrap();
    assert!(out.status.success(), "sops -e failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// `sops -d` with the given key file; Err(stderr) on failure.
pub fn sops_decrypt(dir: &Path, enc: &[u8], format: Format, key: &AgeKey) -> Result<Vec<u8>, String> {
    let input = dir.join(format!("enc.{}", ext(format)));
    std::fs::write(&input, enc).unwrap();
    let out = sops(dir)
        .env("SOPS_AGE_KEY_FILE", &key.file)
        .args(["-d", "--input-type", type_name(format), "--output-type", type_name(format)])
        .arg(&input)
        .output()
        .expect("sops");
    std::fs::remove_file(&input).unwrap();
    if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

pub fn key(k: &AgeKey) -> weir_sops::Key {
    weir_sops::Key::AgeIdentity(k.identity.clone())
}

/// Encrypts with sops, decrypts with both, and asserts byte equality.
pub fn check_decrypt(
    dir: &Path,
    plain: &[u8],
    format: Format,
    recipients: &[&AgeKey],
    extra: &[&str],
    with: &AgeKey,
) -> Vec<u8> {
    let enc = sops_encrypt(dir, plain, format, recipients, extra);
    let want = sops_decrypt(dir, &enc, format, with).expect("sops -d");
    let got = weir_sops::decrypt(&enc, format, &[key(with)]).unwrap_or_else(|e| panic!("weir decrypt failed: {e}"));
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "flags {extra:?}");
    assert_eq!(got, want);
    enc
}
