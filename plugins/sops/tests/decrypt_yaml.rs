//! YAML documents encrypted by the real sops, decrypted by weir-sops:
//! byte-identical to `sops -d` (comments, order, styles, streams).
mod common;
use common::*;
use weir_sops::Format;

const SECRET: &str = r##"# A Kubernetes Secret, as Flux users encrypt them.
apiVersion: v1   # line comment
kind: Secret
metadata:
  name: app-secrets  # name comment
  namespace: default
  # comment before labels
  labels:
    app.kubernetes.io/name: app
    "y": yes
# top-level comment before stringData
type: Opaque
stringData:
  password: hunter2
  DATABASE_URL: "postgres://user:p@ss@db:5432/app?sslmode=require"
  multi: |
    line one
      indented
    line three
  folded: >
    folded text
    here

    new paragraph
  keep: |+
    kept

  strip: |-
    stripped
  quoted: "a: b"
  single: 'it''s'
  empty: ""
  tricky: ["true", "1", "", "- x", "  lead", "trail ", "#x", "x #y", "null", "~", "1.5", "0x1F", "012", "@x", "a\u00e9\u2603", "tab\there", "c\r\nd", "\x01", "\u0085", "line1\nline2\n", " lead\nx", "trailsp \nx", "---", "a\\b", "\"q\"", "2001-12-14", "emoji 😀"]
data:
  token: c2VjcmV0
list:
- a
- b   # lc b
# between items
- c: 1
  d: [1, 2.5, true, null]
- - nested
  - deeper
- {}
- []
nums: {i: 1, neg: -7, f: 1.5, e: 1e3, big: 1e21, small: 0.000001, b: false, n: null, o: 0o17, h: 0x1F, t: 2001-12-14, ts: 2024-01-02T03:04:05.120Z, tz: "2024-01-02 03:04:05", u: 1_000}
empty_map: {}
empty_list: []
null_value:
anchors:
  base: &base {q: 1, r: [x]}
  copy: *base
long: this is a very long string that goes on and on past the eighty column limit for sure yes it does, really
dq: "very long string very long string very long string very long string very long string very long string\tx"
# trailing comment
"##;

#[test]
fn kubernetes_secret_with_everything() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), SECRET.as_bytes(), Format::Yaml, &[&k], &[], &k);
}

#[test]
fn comment_placement() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = "a:\n  b:\n    c: 1\n  # foot at a level\nz: 1\nl:\n  -\n    # head of item map\n    k: v\n    j: w\n  - - x\n    # foot of inner seq\n  - q: [1]\n    # after q list\n  - k: v # c\n    j: w\n  - r: 2\n  # foot in list\nm:\n- 1\n  # after indentless\nn: {p: 1} # lc flow map\no: [1] # lc flow seq\np: # lc on key\n  x: 1\n# top end\n";
    for flags in [&[][..], &["--unencrypted-regex", "^(l|q|n)$"][..], &["--encrypted-regex", "^(c|k)$"][..]] {
        check_decrypt(d.path(), doc.as_bytes(), Format::Yaml, &[&k], flags, &k);
    }
}

#[test]
fn multi_document_streams() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = "# head of first\n---\na: 1\n---\n# c2\nb: {x: [1, 2]}\n# foot2\n---\n---\nc: [3]\n...\n";
    check_decrypt(d.path(), doc.as_bytes(), Format::Yaml, &[&k], &[], &k);
    check_decrypt(
        d.path(),
        b"apiVersion: v1\nkind: Secret\n---\napiVersion: v1\nkind: ConfigMap\n",
        Format::Yaml,
        &[&k],
        &[],
        &k,
    );
}

#[test]
fn suffix_and_regex_options() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    let doc = "user: admin\npassword_enc: s3cr3t\nnested:\n  token_enc: {x: [1, y]}\n  plain: 3\n  # comment\n  deep_unencrypted: {k: v}\nlist_plain: [a, b]\n";
    for flags in [
        &["--encrypted-suffix", "_enc"][..],
        &["--unencrypted-suffix", "_plain"][..],
        &["--encrypted-regex", "^(password_enc|nested)$"][..],
        &["--unencrypted-regex", "^user$"][..],
        &["--mac-only-encrypted"][..],
        &["--mac-only-encrypted", "--encrypted-suffix", "_enc"][..],
        &[][..],
    ] {
        check_decrypt(d.path(), doc.as_bytes(), Format::Yaml, &[&k], flags, &k);
    }
}

#[test]
fn indent_two_input_and_crlf() {
    let d = tempdir();
    let k = age_key(d.path(), "k");
    check_decrypt(d.path(), b"a:\r\n  b: 1\r\n  c:\r\n  - x\r\n", Format::Yaml, &[&k], &[], &k);
    check_decrypt(d.path(), b"top:\n    four:\n        - deep: [1]\n", Format::Yaml, &[&k], &[], &k);
}
