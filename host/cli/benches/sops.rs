//! `weir sops decrypt` against `sops -d`, whole process, on a small
//! (Kubernetes Secret) and a large (2,000 keys) YAML file encrypted by sops:
//! each tool's median time and their ratio.
//!
//! `cargo bench -p weir-cli --bench sops` (after scripts/build-plugins);
//! under `cargo test` it runs each file once, as a smoke test.

mod common;

use std::fmt::Write as _;
use std::process::Command;

fn main() {
    let runs = common::runs();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.agekey");
    assert!(Command::new("age-keygen").arg("-o").arg(&key).output().unwrap().status.success());
    let recipient = String::from_utf8(Command::new("age-keygen").arg("-y").arg(&key).output().unwrap().stdout).unwrap();
    let small =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: hunter2\n  token: abc\n";
    let mut large = String::from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\nstringData:\n");
    for i in 0..2000 {
        let _ = writeln!(large, "  # key {i}\n  key_{i}: value number {i} with some padding text");
    }
    for (name, plain) in [("small", small), ("large", large.as_str())] {
        let file = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&file, plain).unwrap();
        let enc = Command::new("sops")
            .env("SOPS_DISABLE_VERSION_CHECK", "1")
            .args(["-e", "--age", recipient.trim()])
            .arg(&file)
            .output()
            .unwrap();
        assert!(enc.status.success());
        let enc_file = dir.path().join(format!("{name}.enc.yaml"));
        std::fs::write(&enc_file, enc.stdout).unwrap();
        let mut weir = common::weir();
        weir.args(["sops", "decrypt"]).arg(&enc_file).env("SOPS_AGE_KEY_FILE", &key);
        let mut sops = Command::new("sops");
        sops.arg("-d").arg(&enc_file).env("SOPS_AGE_KEY_FILE", &key).env("SOPS_DISABLE_VERSION_CHECK", "1");
        let w = common::median_time(&mut weir, runs).expect("weir sops decrypt succeeds");
        let s = common::median_time(&mut sops, runs).expect("sops -d succeeds");
        println!(
            "sops decrypt, {name} file ({} bytes), median of {runs} runs: weir {w:.2?}, sops {s:.2?}, ratio (sops/weir) {:.2}x",
            plain.len(),
            s.as_secs_f64() / w.as_secs_f64()
        );
    }
}
