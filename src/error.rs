//! Error types of the library, one enum per stage. The binary adds context
//! with `anyhow` and maps them to exit codes.

use std::path::PathBuf;
use thiserror::Error;

/// The data under `ontology/` could not be loaded.
#[derive(Debug, Error)]
pub enum LexiconError {
    /// A data file could not be read.
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A data file is malformed or refers to something unknown.
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// An input file could not be turned into a document.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The file could not be read (missing, permissions, a directory loop…).
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The file holds no text.
    #[error("{path}: empty file")]
    Empty { path: PathBuf },
    /// The file is binary (NUL bytes or a known binary signature).
    #[error("{path}: binary file ({kind}), skipped")]
    Binary { path: PathBuf, kind: String },
    /// The bytes are not valid UTF-8 (nor UTF-16 with a BOM).
    #[error("{path}: invalid UTF-8 at byte {offset}")]
    InvalidUtf8 { path: PathBuf, offset: usize },
}

/// The store could not be opened, read or written.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No store at this path (for commands that only read).
    #[error("no store at {0} (run `newskg build` first, or pass --store)")]
    Missing(PathBuf),
    /// Another process holds the store's write lock.
    #[error("store {0} is busy: another newskg process has it open (a build or update writing it, or a long read)")]
    Locked(PathBuf),
    /// The directory exists but is not an Oxigraph store.
    #[error("{0} is not a newskg store")]
    NotAStore(PathBuf),
    #[error("store I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("storage: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    #[error("loading RDF: {0}")]
    Loader(#[from] oxigraph::store::LoaderError),
    #[error("serializing RDF: {0}")]
    Serializer(#[from] oxigraph::store::SerializerError),
    /// A query the library runs on its own (e.g. to rebuild the entities graph) failed.
    #[error("reading the store: {0}")]
    Read(String),
}

/// A SPARQL query or update failed.
#[derive(Debug, Error)]
pub enum QueryError {
    /// The query text does not parse.
    #[error("SPARQL syntax error: {0}")]
    Syntax(String),
    /// The query ran longer than the allowed time.
    #[error("query timed out after {0} s")]
    Timeout(u64),
    /// The process outgrew the memory a query may use (MB): the query was stopped.
    #[error("query stopped: it needed more than the {0} MB of memory allowed (--max-memory); narrow it (FILTER, LIMIT, a smaller GROUP BY) or allow more")]
    MemoryLimit(u64),
    #[error("query evaluation: {0}")]
    Evaluation(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing results: {0}")]
    Io(#[from] std::io::Error),
    /// The result kind cannot be written in the requested format.
    #[error("{0}")]
    Format(String),
}
