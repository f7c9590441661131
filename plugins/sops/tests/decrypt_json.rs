//! Documents encrypted by the real sops, decrypted by weir-sops: byte-identical to `sops -d`.
mod common;
use common::*;
use weir_sops::Format;

const NESTED: &str = r#"{
  "a": {"b": "x", "n": 5, "f": 1.50, "e": 1e3, "t": true, "no": false, "z": null,
        "arr": [1, "two", {"c": "d"}, [true, null]], "empty": "", "eo": {}, "ea": []},
  "u_unencrypted": "plain", "nested_unencrypted": {"k": "stays", "l": [1, 2]},
  "ü": "ñ ☃ 😀", "html": "<a href='x'>&amp;</a>", "esc": "tab\tnl\nquote\"back\\slash\u0001\u2028",
  "nums": [0, -0, 0.1, -2.5, 1e-7, 1e21, 123456789012345678, 1.7976931348623157e308, 5e-324, 100, 1e20],
  "sops_like": "sops", "dup": 1, "dup": 2
}
"#;

#[test]
fn nested_types_unicode_and_numbers() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), NESTED.as_bytes(), Format::Json, &[&k], &[], &k);
}

#[test]
fn any_of_several_recipients() {
    let d = tempdir();
    let keys: Vec<AgeKey> = (0..3).map(|i| age_key(d.path(), &format!("k{i}"))).collect();
    let refs: Vec<&AgeKey> = keys.iter().collect();
    let enc = check_decrypt(d.path(), NESTED.as_bytes(), Format::Json, &refs, &[], &keys[2]);
    // only the middle key, and a wrong key before a right one
    let other = age_key(d.path(), "other");
    let a = weir_sops::decrypt(&enc, Format::Json, &[key(&keys[1])]).unwrap();
    let b = weir_sops::decrypt(&enc, Format::Json, &[key(&other), key(&keys[0])]).unwrap();
    assert_eq!(a, b);
}

#[test]
fn encrypted_regex() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let enc = check_decrypt(d.path(), NESTED.as_bytes(), Format::Json, &[&k], &["--encrypted-regex", "^(a|esc)$"], &k);
    let text = String::from_utf8(enc).unwrap();
    assert!(text.contains("\"u_unencrypted\": \"plain\""));
    assert!(text.contains("\"html\": \"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\""), "{text}");
}

#[test]
fn unencrypted_regex() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), NESTED.as_bytes(), Format::Json, &[&k], &["--unencrypted-regex", "^(nums|b)$"], &k);
}

#[test]
fn encrypted_suffix() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = r#"{"password_enc": "s3cr3t", "user": "admin", "nested": {"token_enc": {"x": [1, "y"]}, "plain": 3}}"#;
    let enc = check_decrypt(d.path(), doc.as_bytes(), Format::Json, &[&k], &["--encrypted-suffix", "_enc"], &k);
    assert!(String::from_utf8(enc).unwrap().contains("\"user\": \"admin\""));
}

#[test]
fn custom_unencrypted_suffix() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = r#"{"visible_plain": "hello", "secret": "s3cr3t", "deep": {"x_plain": {"y": 1}, "z": false}}"#;
    check_decrypt(d.path(), doc.as_bytes(), Format::Json, &[&k], &["--unencrypted-suffix", "_plain"], &k);
}

#[test]
fn mac_only_encrypted() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), NESTED.as_bytes(), Format::Json, &[&k], &["--mac-only-encrypted"], &k);
    check_decrypt(
        d.path(),
        NESTED.as_bytes(),
        Format::Json,
        &[&k],
        &["--mac-only-encrypted", "--encrypted-regex", "^a$"],
        &k,
    );
}

#[test]
fn empty_object_and_key_with_colon() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), b"{}", Format::Json, &[&k], &[], &k);
    check_decrypt(d.path(), br#"{"a:b": {"c:": "v"}, "": "empty key"}"#, Format::Json, &[&k], &[], &k);
}
