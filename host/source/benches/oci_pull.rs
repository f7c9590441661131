//! Pulling a big OCI artifact into the store, as an OCIRepository does: resolve the tag, fetch
//! the manifest, stream the layer (digest checked) to a temporary file, unpack it into the
//! artifact store. The artifact is 50 MB of incompressible files (5 MB when run as a test),
//! pushed to a real registry on loopback. Printed: the pull's time (median of 3) and how far
//! the process's peak resident memory rose above what it was before the pulls — the layer is
//! streamed, so that stays far below the artifact's size.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use weir_registry::{ClientOptions, Reference, RegistryClient, sha256_digest};
use weir_source::oci::{self, FLUX_CONFIG_MEDIA_TYPE, FLUX_CONTENT_MEDIA_TYPE, LayerSelection, OciReference};
use weir_source::{ArtifactOwner, ArtifactStore, IgnoreRules};
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
    let layer_path = work.join("layer.tgz");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    {
        let gzip =
            flate2::write::GzEncoder::new(BufWriter::new(File::create(&layer_path).unwrap()), Default::default());
        let mut archive = tar::Builder::new(gzip);
        let mut content = vec![0u8; FILE_SIZE];
        for index in 0..files {
            for chunk in content.chunks_mut(8) {
                // xorshift64: incompressible, so the layer is as big as the files.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            let mut header = tar::Header::new_gnu();
            header.set_size(FILE_SIZE as u64);
            header.set_mode(0o644);
            archive.append_data(&mut header, format!("data/file-{index:03}.bin"), content.as_slice()).unwrap();
        }
        archive.into_inner().unwrap().finish().unwrap().flush().unwrap();
    }
    let layer_digest = {
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        std::io::copy(&mut File::open(&layer_path).unwrap(), &mut hasher).unwrap();
        format!("sha256:{}", hex::encode(sha2::Digest::finalize(hasher)))
    };
    let layer_size = std::fs::metadata(&layer_path).unwrap().len();
    client.push_blob(repository, &mut File::open(&layer_path).unwrap(), layer_size, &layer_digest).unwrap();
    let config = b"{}";
    let config_digest = sha256_digest(config);
    client.push_blob(repository, &mut config.as_slice(), config.len() as u64, &config_digest).unwrap();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": FLUX_CONFIG_MEDIA_TYPE, "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": FLUX_CONTENT_MEDIA_TYPE, "digest": layer_digest, "size": layer_size}],
    });
    let bytes = serde_json::to_vec(&manifest).unwrap();
    client.push_manifest(&repository.with_tag("v1"), "application/vnd.oci.image.manifest.v1+json", &bytes).unwrap();
    layer_size
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
