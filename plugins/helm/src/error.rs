//! Why a chart could not be loaded, in Helm's words.

/// A chart loading failure; the messages are the ones `helm template` prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    /// Chart.yaml metadata refused by Helm's `Validate`.
    #[error("validation: {0}")]
    Validation(String),
    /// A special file (`Chart.yaml`, `values.yaml`, …) that does not decode.
    #[error("cannot load {file}: {message}")]
    Decode { file: String, message: String },
    /// A subchart under `charts/` failed; `source` says why.
    #[error("error unpacking subchart {name} in {parent}: {source}")]
    Subchart { name: String, parent: String, source: Box<ChartError> },
    /// A `.tgz` whose layout Helm refuses (absolute paths, `..`, no files, …).
    #[error("{0}")]
    Archive(String),
    /// A `.helmignore` rule Helm cannot parse.
    #[error("{0}")]
    Ignore(String),
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    Irregular(String),
    #[error("error evaluating symlink {path}: {message}")]
    Symlink { path: String, message: String },
    /// A file of a chart directory over Helm's per-file limit (`name` is its base name).
    #[error("chart file {name:?} is larger than the maximum file size {max}")]
    FileTooLarge { name: String, max: u64 },
    /// An archive entry over Helm's per-file limit (`name` is the entry's path).
    #[error("decompressed chart file {name:?} is larger than the maximum file size {max}")]
    ArchiveFileTooLarge { name: String, max: u64 },
    #[error("decompressed chart is larger than the maximum file size {max}")]
    ArchiveTooLarge { max: u64 },
    #[error("{0}")]
    Io(String),
}
