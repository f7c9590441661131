//! `weir push artifact`'s work — tar the directory as fluxcd/pkg does, gzip it into a
//! temporary file, upload layer, config and manifest — against a real registry on loopback,
//! next to oras-py doing the same job (Python's tarfile builds the layer, oras-py uploads it),
//! the independent client that installs here in place of the flux CLI. The directory holds
//! 50 MB of incompressible files and 2,000 small manifests (5 MB and 200 when run as a test).
//! Printed: each side's median of 3 and the ratio.

use std::time::{Duration, Instant};

use weir_registry::{ClientOptions, Reference, RegistryClient};
use weir_source::oci::artifact;
use weir_testkit::oci::{incompressible_tree, push_directory};
use weir_testkit::registry::{Registry, RegistryOptions};

const FILE_SIZE: usize = 1 << 20;

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (files, manifests, rounds) = if full { (50, 2000, 3) } else { (5, 200, 1) };
    let registry = Registry::start(&RegistryOptions::default());
    let work = tempfile::tempdir().unwrap();
    let content = work.path().join("content");
    incompressible_tree(&content, files, FILE_SIZE);
    std::fs::create_dir_all(content.join("manifests")).unwrap();
    for index in 0..manifests {
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{index}\n  namespace: apps\ndata:\n  index: \"{index}\"\n"
        );
        std::fs::write(content.join(format!("manifests/settings-{index:04}.yaml")), manifest).unwrap();
    }

    // The tarball alone, to /dev/null: how much of a push is building it.
    let started = Instant::now();
    artifact::build(&content, &artifact::default_ignore_paths(), &mut std::io::sink()).unwrap();
    let build = started.elapsed();

    let client = RegistryClient::new(ClientOptions { plain_http: true, ..Default::default() }).unwrap();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for round in 0..rounds {
        // A repository of its own each round: no blob is already there to skip.
        let reference = Reference::parse(&format!("{}/weir/round-{round}:v1", registry.host)).unwrap();
        let started = Instant::now();
        let metadata = artifact::Metadata { source: "bench".into(), revision: "v1".into(), ..Default::default() };
        let pushed =
            artifact::push(&client, &reference, &content, &artifact::default_ignore_paths(), &metadata).unwrap();
        ours.push(started.elapsed());
        assert!(pushed.layer.size > (files * FILE_SIZE) as u64);
        let seconds = push_directory(&registry.host, &format!("oras/round-{round}:v1"), &content);
        theirs.push(Duration::from_secs_f64(seconds));
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "push of {} MB in {} files: weir median {:.1} ms, oras-py (tarfile + push) median {:.1} ms of {rounds}: \
         weir {:.2}x as fast; building the tarball alone {:.1} ms",
        files * FILE_SIZE / 1_000_000,
        files + manifests,
        ours.as_secs_f64() * 1000.0,
        theirs.as_secs_f64() * 1000.0,
        theirs.as_secs_f64() / ours.as_secs_f64(),
        build.as_secs_f64() * 1000.0,
    );
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
