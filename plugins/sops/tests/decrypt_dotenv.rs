//! dotenv documents encrypted by the real sops, decrypted by weir-sops: byte-identical to `sops -d`.
mod common;
use common::*;
use weir_sops::Format;

const ENV: &str = "# leading comment\nDB_USER=admin\nDB_PASSWORD=s3cr3t\n\nEMPTY=\nMULTI=line1\\nline2\nEQ=a=b=c\n  SPACED = padded value \nexport EXPORTED=x\nQUOTED=\"quoted value\"\n#\n# ünïcödé comment ☃\nUNICODE=ñ😀\nTOKEN_unencrypted=visible\nCR=trailing\r\n";

#[test]
fn dotenv_default() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let enc = check_decrypt(d.path(), ENV.as_bytes(), Format::Dotenv, &[&k], &[], &k);
    let text = String::from_utf8(enc).unwrap();
    assert!(text.contains("TOKEN_unencrypted=visible\n"));
    assert!(text.contains("type:comment]"));
}

#[test]
fn dotenv_with_rules() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let k2 = age_key(d.path(), "k2");
    for flags in [
        &["--encrypted-regex", "^DB_"][..],
        &["--unencrypted-regex", "USER$"][..],
        &["--encrypted-suffix", "PASSWORD"][..],
        &["--unencrypted-suffix", "_USER"][..],
        &["--mac-only-encrypted"][..],
    ] {
        check_decrypt(d.path(), ENV.as_bytes(), Format::Dotenv, &[&k, &k2], flags, &k2);
    }
}

#[test]
fn dotenv_only_comments_and_empty_values() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), b"#only\nA=\n", Format::Dotenv, &[&k], &[], &k);
}
