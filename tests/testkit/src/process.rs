//! What benchmarks report about their own process.

/// The process's peak resident set size (VmHWM), in KiB; 0 where `/proc` does not say.
pub fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

/// The process's resident set size now (VmRSS), in KiB; 0 where `/proc` does not say.
pub fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
