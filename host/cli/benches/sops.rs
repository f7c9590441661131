//! `weir sops decrypt` against `sops -d`, whole process, on a small
//! (Kubernetes Secret) and a large (2,000 keys) YAML file encrypted by sops:
//! each tool's median time and their ratio.
//!
//! `cargo bench -p weir-cli --bench sops` (after scripts/build-plugins);
//! under `cargo test` it runs each file once, as a smoke test.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn time(command: &mut Command, runs: usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let output = command.output().expect("runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        times.push(started.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let runs = if std::env::args().any(|arg| arg == "--bench") { 11 } else { 1 };
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let plugin_dir = std::env::var_os("WEIR_PLUGIN_DIR").map_or_else(|| target.join("plugins"), Into::into);
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
        let mut weir = Command::new(env!("CARGO_BIN_EXE_weir"));
        weir.args(["sops", "decrypt"]).arg(&enc_file).env("SOPS_AGE_KEY_FILE", &key);
        weir.env("WEIR_PLUGIN_DIR", &plugin_dir).env("WEIR_CACHE_DIR", target.join("plugin-cache"));
        let mut sops = Command::new("sops");
        sops.arg("-d").arg(&enc_file).env("SOPS_AGE_KEY_FILE", &key).env("SOPS_DISABLE_VERSION_CHECK", "1");
        let (w, s) = (time(&mut weir, runs), time(&mut sops, runs));
        println!(
            "sops decrypt, {name} file ({} bytes), median of {runs} runs: weir {w:.2?}, sops {s:.2?}, ratio (sops/weir) {:.2}x",
            plain.len(),
            s.as_secs_f64() / w.as_secs_f64()
        );
    }
}
