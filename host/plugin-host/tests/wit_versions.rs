//! The released `weir:plugin` packages under `wit/`: each folder holds the version it is
//! named after, and a release within the same `0.x` line only adds to the one before it
//! (every world of the older release type-checks against the newer one, as
//! `wasm-tools component semver-check` decides), so a component built against an older
//! release keeps loading.

use std::path::PathBuf;

use wit_parser::{PackageId, Resolve};

/// A release's version, `(major, minor, patch)`.
type Version = (u64, u64, u64);

/// The release folders, oldest first.
fn releases() -> Vec<(Version, PathBuf)> {
    let wit = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let mut releases: Vec<_> = std::fs::read_dir(&wit)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let parts: Vec<u64> = name.split('.').filter_map(|part| part.parse().ok()).collect();
            let [major, minor, patch] = parts[..] else { panic!("wit/{name} is not a version") };
            let version = (major, minor, patch);
            (version, path)
        })
        .collect();
    releases.sort();
    releases
}

#[test]
fn each_release_folder_holds_its_version() {
    for (version, path) in releases() {
        let mut resolve = Resolve::default();
        let (package, _) = resolve.push_dir(&path).unwrap();
        let name = &resolve.packages[package].name;
        assert_eq!((name.namespace.as_str(), name.name.as_str()), ("weir", "plugin"), "{}", path.display());
        let (major, minor, patch) = version;
        let expected = format!("{major}.{minor}.{patch}");
        assert_eq!(name.version.as_ref().map(ToString::to_string), Some(expected), "{}", path.display());
    }
}

#[test]
fn a_release_in_the_same_line_only_adds() {
    let releases = releases();
    let mut checked = 0;
    for pair in releases.windows(2) {
        let [(old_version, old_path), (new_version, new_path)] = pair else { continue };
        if (old_version.0, old_version.1) != (new_version.0, new_version.1) {
            continue;
        }
        let mut resolve = Resolve::default();
        let (old, _) = resolve.push_dir(old_path).unwrap();
        let (new, _) = resolve.push_dir(new_path).unwrap();
        for (name, world) in worlds(&resolve, old) {
            let newer = worlds(&resolve, new)
                .into_iter()
                .find(|(newer, _)| *newer == name)
                .unwrap_or_else(|| panic!("{new_version:?} drops world {name} of {old_version:?}"))
                .1;
            wit_component::semver_check(resolve.clone(), world, newer).unwrap_or_else(|error| {
                panic!("world {name}: {new_version:?} is not compatible with {old_version:?}: {error:#}")
            });
            checked += 1;
        }
    }
    assert!(checked > 0, "no two releases of one line to compare");
}

fn worlds(resolve: &Resolve, package: PackageId) -> Vec<(String, wit_parser::WorldId)> {
    resolve.packages[package].worlds.iter().map(|(name, world)| (name.clone(), *world)).collect()
}
