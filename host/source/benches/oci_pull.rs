//! Pulling a big OCI artifact into the store, as an OCIRepository does: resolve the tag, fetch
//! the manifest, stream the layer (digest checked) to a temporary file, unpack it into the
//! artifact store. The artifact is 50 MB of incompressible files (5 MB when run as a test),
//! pushed to a real registry on loopback. Printed: the pull's time (median of 3) and how far
//! the process's peak resident memory rose above what it was before the pulls — the layer is
//! streamed, so that stays far below the artifact's size.

use std::time::{Duration, Instant};

use weir_registry::{ClientOptions, Reference, RegistryClient};
use weir_source::oci::{self, LayerSelection, OciReference, artifact};
use weir_source::{ArtifactOwner, ArtifactStore, IgnoreRules};
use weir_testkit::oci::incompressible_tree;
use weir_testkit::process::peak_rss_kib;
use weir_testkit::registry::{Registry, RegistryOptions};

const FILE_SIZE: usize = 1 << 20;

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (files, rounds) = if full { (50, 3) } else { (5, 1) };
    let registry = Registry::start(&RegistryOptions::default());
    let client = RegistryClient::new(ClientOptions { plain_http: true, ..Default::default() }).unwrap();
    let repository = Reference::parse(&format!("{}/bench/big", registry.host)).unwrap();
    let work = tempfile::tempdir().unwrap();
    let layer_size = push_artifact(&client, &repository, files, work.path());

    let store = ArtifactStore::new(work.path().join("store")).unwrap();
    let wanted = OciReference::Tag("v1".into());
    let before = peak_rss_kib();
    let mut times = Vec::new();
    for round in 0..rounds {
        let owner = ArtifactOwner::new("OCIRepository", "bench", &format!("big-{round}")).unwrap();
        let started = Instant::now();
        let resolved = oci::resolve(&client, &repository, &wanted, None).unwrap();
        let pulled =
            oci::pull(&client, &resolved, &LayerSelection::default(), &IgnoreRules::default(), &store, &owner).unwrap();
        times.push(started.elapsed());
        assert_eq!(pulled.artifact.size, (files * FILE_SIZE) as u64);
    }
    times.sort();
    let median = times[times.len() / 2];
    let grown = peak_rss_kib().saturating_sub(before);
    println!(
        "pull+extract of {} MB ({} MB gzipped layer, {files} files): median {:.1} ms of {rounds} ({:.0} MB/s), \
         peak RSS grew {:.1} MiB (from {:.1} MiB)",
        files * FILE_SIZE / 1_000_000,
        layer_size / 1_000_000,
        millis(median),
        (files * FILE_SIZE) as f64 / median.as_secs_f64() / 1e6,
        grown as f64 / 1024.0,
        before as f64 / 1024.0,
    );
}

/// Pushes `files` files of random bytes as a Flux artifact tagged `v1`; the layer's size.
fn push_artifact(client: &RegistryClient, repository: &Reference, files: usize, work: &std::path::Path) -> u64 {
    let content = work.join("content");
    incompressible_tree(&content, files, FILE_SIZE);
    let pushed = artifact::push(client, &repository.with_tag("v1"), &content, &[], &artifact::Metadata::default());
    let layer_size = pushed.unwrap().layer.size;
    std::fs::remove_dir_all(&content).unwrap();
    layer_size
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
