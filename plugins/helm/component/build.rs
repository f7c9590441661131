//! Templates recurse (`include` inside `include`, up to Helm's limit of 1000
//! levels, ~2 KB of stack each): the component gets an 8 MiB stack instead of
//! wasm-ld's 1 MiB default, so deep charts end in Helm's error, not a trap.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg=-zstack-size=8388608");
    }
}
