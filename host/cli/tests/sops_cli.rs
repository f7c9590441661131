//! `weir sops decrypt|encrypt` as a user runs it, against the real sops:
//! files sops encrypts decrypt byte for byte as `sops -d` prints them, files
//! weir encrypts decrypt with sops, and failures print nothing on stdout.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn weir(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = weir_testkit::paths::weir(env!("CARGO_BIN_EXE_weir"));
    command
        .current_dir(dir)
        .args(args)
        .env("HOME", dir)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("SOPS_AGE_KEY")
        .env_remove("SOPS_AGE_KEY_FILE");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("weir runs")
}

fn sops(dir: &Path, args: &[&str], key: Option<&Path>) -> Output {
    let mut c = Command::new("sops");
    c.current_dir(dir)
        .args(args)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .env("HOME", dir)
        .env_remove("SOPS_AGE_KEY")
        .env_remove("SOPS_AGE_RECIPIENTS")
        .env_remove("SOPS_AGE_KEY_FILE");
    if let Some(k) = key {
        c.env("SOPS_AGE_KEY_FILE", k);
    }
    c.output().expect("sops (install with scripts/install-sops)")
}

/// A throwaway age key: (key file, recipient).
fn age_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let file = dir.join(format!("{name}.agekey"));
    let out = Command::new("age-keygen").arg("-o").arg(&file).output().expect("age-keygen");
    assert!(out.status.success());
    let out = Command::new("age-keygen").arg("-y").arg(&file).output().unwrap();
    (file, String::from_utf8(out.stdout).unwrap().trim().to_string())
}

fn ok(out: Output) -> Vec<u8> {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

const YAML: &str = "# Secret\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app # name\nstringData:\n  password: hunter2\n  cert: |\n    -----BEGIN-----\n    abc\n  port: 5432\n  on: true\nlist: [a, {b: c}]\n---\nsecond: doc\n";

fn fixtures() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("secret.yaml", YAML.as_bytes()),
        ("config.json", br#"{"a": {"b": [1, "two", true, null]}, "c": 1.5}"#),
        ("app.env", b"# comment\nDB_USER=admin\nDB_PASSWORD=s3cr3t\n"),
        ("app.ini", b"[db]\nuser = admin\npassword = s3cr3t\n"),
        ("blob.bin", b"\x00\x01binary\xff"),
    ]
}

#[test]
fn decrypts_every_format_as_sops_does() {
    let d = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(d.path(), "k");
    for (name, plain) in fixtures() {
        std::fs::write(d.path().join(name), plain).unwrap();
        let enc = ok(sops(d.path(), &["-e", "--age", &recipient, name], None));
        let enc_name = format!("enc.{name}");
        std::fs::write(d.path().join(&enc_name), enc).unwrap();
        let want = ok(sops(d.path(), &["-d", &enc_name], Some(&key)));
        let got = ok(weir(d.path(), &["sops", "decrypt", &enc_name], &[("SOPS_AGE_KEY_FILE", &key)]));
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{name}");
        assert_eq!(got, want, "{name}");
        // The same key through --age-key-file.
        let got = ok(weir(d.path(), &["sops", "decrypt", "--age-key-file", key.to_str().unwrap(), &enc_name], &[]));
        assert_eq!(got, want, "{name} with --age-key-file");
    }
}

#[test]
fn output_type_and_extract() {
    let d = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(d.path(), "k");
    // One document: sops's --extract on a stream appends the later documents unchanged, a quirk left unmatched.
    let single = YAML.split("---\n").next().unwrap();
    std::fs::write(d.path().join("s.yaml"), single).unwrap();
    std::fs::write(d.path().join("enc.yaml"), ok(sops(d.path(), &["-e", "--age", &recipient, "s.yaml"], None)))
        .unwrap();
    for args in [
        &["--extract", "[\"stringData\"][\"password\"]"][..],
        &["--extract", "[\"stringData\"]"][..],
        &["--extract", "[\"metadata\"]", "--output-type", "json"][..],
        &["--output-type", "json"][..],
    ] {
        let mut sops_args = vec!["-d"];
        sops_args.extend_from_slice(args);
        sops_args.push("enc.yaml");
        let want = ok(sops(d.path(), &sops_args, Some(&key)));
        let mut weir_args = vec!["sops", "decrypt"];
        weir_args.extend_from_slice(args);
        weir_args.push("enc.yaml");
        let got = ok(weir(d.path(), &weir_args, &[("SOPS_AGE_KEY_FILE", &key)]));
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{args:?}");
    }
}

#[test]
fn weir_encryption_decrypts_with_sops() {
    let d = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(d.path(), "k");
    let (key2, recipient2) = age_key(d.path(), "k2");
    for (name, plain) in fixtures() {
        std::fs::write(d.path().join(name), plain).unwrap();
        let theirs = ok(sops(d.path(), &["-e", "--age", &recipient, name], None));
        std::fs::write(d.path().join(format!("theirs.{name}")), theirs).unwrap();
        let want = ok(sops(d.path(), &["-d", &format!("theirs.{name}")], Some(&key)));
        let both = format!("{recipient},{recipient2}");
        for flags in
            [&[][..], &["--encrypted-regex", "^(password|DB_PASSWORD|data|a)$"][..], &["--mac-only-encrypted"][..]]
        {
            let mut args = vec!["sops", "encrypt", "--age", &both];
            args.extend_from_slice(flags);
            args.push(name);
            let ours = ok(weir(d.path(), &args, &[]));
            std::fs::write(d.path().join(format!("ours.{name}")), ours).unwrap();
            for k in [&key, &key2] {
                let got = ok(sops(d.path(), &["-d", &format!("ours.{name}")], Some(k)));
                assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{name} {flags:?}");
            }
        }
    }
}

#[test]
fn sops_yaml_creation_rules() {
    let d = tempfile::tempdir().unwrap();
    let keys: Vec<(PathBuf, String)> = (1..=3).map(|i| age_key(d.path(), &format!("k{i}"))).collect();
    let config = format!(
        "creation_rules:\n  - path_regex: groups/.*\\.yaml$\n    shamir_threshold: 2\n    key_groups:\n      - age: ['{}']\n      - age: ['{}']\n      - age: ['{}']\n  - path_regex: \\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: {}\n",
        keys[0].1, keys[1].1, keys[2].1, keys[0].1
    );
    std::fs::write(d.path().join(".sops.yaml"), config).unwrap();
    std::fs::create_dir_all(d.path().join("apps/groups")).unwrap();
    std::fs::write(d.path().join("apps/s.yaml"), YAML).unwrap();
    let enc = ok(weir(d.path(), &["sops", "encrypt", "apps/s.yaml"], &[]));
    let text = String::from_utf8_lossy(&enc);
    assert!(text.contains("kind: Secret") && text.contains("encrypted_regex: ^(data|stringData)$"), "{text}");
    assert!(!text.contains("hunter2"));
    std::fs::write(d.path().join("apps/enc.yaml"), &enc).unwrap();
    let plain = ok(sops(d.path(), &["-d", "apps/enc.yaml"], Some(&keys[0].0)));
    assert!(String::from_utf8_lossy(&plain).contains("password: hunter2"));

    std::fs::write(d.path().join("apps/groups/s.yaml"), "a: secret\n").unwrap();
    let enc = ok(weir(d.path().join("apps").as_path(), &["sops", "encrypt", "groups/s.yaml"], &[]));
    assert!(String::from_utf8_lossy(&enc).contains("shamir_threshold: 2"));
    std::fs::write(d.path().join("g.yaml"), &enc).unwrap();
    let two = d.path().join("two.agekey");
    std::fs::write(
        &two,
        format!("{}{}", std::fs::read_to_string(&keys[0].0).unwrap(), std::fs::read_to_string(&keys[2].0).unwrap()),
    )
    .unwrap();
    assert_eq!(ok(sops(d.path(), &["-d", "g.yaml"], Some(&two))), b"a: secret\n");
    assert!(!sops(d.path(), &["-d", "g.yaml"], Some(&keys[1].0)).status.success());
}

fn fails(out: Output, what: &str) -> String {
    assert!(!out.status.success(), "{what} should fail");
    assert!(out.stdout.is_empty(), "{what}: nothing on stdout");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn errors_print_no_plaintext() {
    let d = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(d.path(), "k");
    let (other, _) = age_key(d.path(), "other");
    std::fs::write(d.path().join("s.yaml"), "password: hunter2\nuser: admin\n").unwrap();
    let enc = String::from_utf8(ok(sops(d.path(), &["-e", "--age", &recipient, "s.yaml"], None))).unwrap();
    let write = |name: &str, text: &str| std::fs::write(d.path().join(name), text).unwrap();
    let dec = |name: &str, k: &Path| weir(d.path(), &["sops", "decrypt", name], &[("SOPS_AGE_KEY_FILE", k)]);

    write("wrong.yaml", &enc);
    let err = fails(dec("wrong.yaml", &other), "wrong key");
    assert!(err.contains("cannot decrypt the data key"), "{err}");
    let err = fails(weir(d.path(), &["sops", "decrypt", "wrong.yaml"], &[]), "no key");
    assert!(err.contains("cannot decrypt the data key"), "{err}");

    let line = enc.lines().find(|l| l.starts_with("password:")).unwrap();
    let start = line.find("data:").unwrap() + 5;
    let data = &line[start..start + line[start..].find(',').unwrap()];
    let flipped = format!("{}{}", if data.starts_with('A') { 'B' } else { 'A' }, &data[1..]);
    write("tampered.yaml", &enc.replacen(data, &flipped, 1));
    let err = fails(dec("tampered.yaml", &key), "tampered value");
    assert!(err.contains("tampered") && err.contains("password") && !err.contains("hunter2"), "{err}");

    let mac_line = enc.lines().find(|l| l.trim_start().starts_with("mac:")).unwrap();
    let start = mac_line.find("data:").unwrap() + 5;
    let mac = &mac_line[start..start + 8];
    write("mac.yaml", &enc.replacen(mac, "AAAAAAAA", 1));
    fails(dec("mac.yaml", &key), "MAC mismatch");

    write("truncated.yaml", &enc[..enc.len() / 2]);
    fails(dec("truncated.yaml", &key), "truncated");
    write("plain.yaml", "password: hunter2\n");
    let err = fails(dec("plain.yaml", &key), "not a sops file");
    assert!(err.contains("not a sops-encrypted file"), "{err}");
    write("old.yaml", &enc.replace("version: 3.11.0", "version: 1.0.0"));
    let err = fails(dec("old.yaml", &key), "unsupported version");
    assert!(err.contains("unsupported"), "{err}");
    fails(weir(d.path(), &["sops", "decrypt", "missing.yaml"], &[]), "missing file");
}
