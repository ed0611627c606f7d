//! The Oxigraph store on disk. Only this module (and `query`/`export`, which
//! use its handle) knows about Oxigraph's storage: writers take an exclusive
//! lock file so a second build says "busy" instead of failing deep inside
//! RocksDB; readers open read-only and never block a running build.

use crate::error::StoreError;
use crate::rdf::{nkg, ONTOLOGY_GRAPH};
use fs2::FileExt;
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::store::Store;
use std::fs::File;
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = "newskg.lock";

/// An open store.
pub struct KgStore {
    pub store: Store,
    pub path: PathBuf,
    _lock: Option<File>,
}

fn looks_like_store(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

impl KgStore {
    /// Opens (or creates) a store for writing. Fails with `Locked` when
    /// another build holds it, `NotAStore` when the directory holds something else.
    pub fn open_write(path: &Path) -> Result<KgStore, StoreError> {
        if path.exists() {
            if !path.is_dir() {
                return Err(StoreError::NotAStore(path.to_path_buf()));
            }
            let non_empty = std::fs::read_dir(path)?.next().is_some();
            if non_empty && !looks_like_store(path) && !path.join(LOCK_FILE).exists() {
                return Err(StoreError::NotAStore(path.to_path_buf()));
            }
        }
        std::fs::create_dir_all(path)?;
        let lock = File::options().create(true).truncate(false).write(true).open(path.join(LOCK_FILE))?;
        if lock.try_lock_exclusive().is_err() {
            return Err(StoreError::Locked(path.to_path_buf()));
        }
        let store = Store::open(path).map_err(|e| {
            if e.to_string().to_lowercase().contains("lock") {
                StoreError::Locked(path.to_path_buf())
            } else {
                StoreError::Storage(e)
            }
        })?;
        Ok(KgStore { store, path: path.to_path_buf(), _lock: Some(lock) })
    }

    /// Opens an existing store read-only; works while a build writes it.
    pub fn open_read(path: &Path) -> Result<KgStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        if !looks_like_store(path) {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        // While a build compacts, a table file named in the manifest can vanish before a
        // read-only open reaches it: that error is transient, so try again a few times.
        let mut attempt = 0;
        let store = loop {
            match Store::open_read_only(path) {
                Ok(s) => break s,
                Err(_) if attempt < 10 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e.into()),
            }
        };
        Ok(KgStore { store, path: path.to_path_buf(), _lock: None })
    }

    /// Opens an existing store for writing (updates): missing is an error.
    pub fn open_existing_write(path: &Path) -> Result<KgStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        Self::open_write(path)
    }

    /// Replaces a named graph by `quads` in one transaction: readers see the
    /// old graph or the new one, never half of it.
    pub fn replace_graph(&self, graph: &NamedNode, quads: &[Quad]) -> Result<(), StoreError> {
        let mut tx = self.store.start_transaction()?;
        tx.clear_graph(graph)?;
        for q in quads {
            tx.insert(q);
        }
        tx.commit()?;
        Ok(())
    }

    /// The content hash recorded for a document graph, if the graph exists.
    pub fn recorded_hash(&self, graph: &NamedNode, doc: &NamedNode) -> Result<Option<String>, StoreError> {
        let p = nkg("contentHash");
        for q in self.store.quads_for_pattern(Some(doc.as_ref().into()), Some(p.as_ref()), None, Some(GraphNameRef::NamedNode(graph.as_ref()))) {
            if let Term::Literal(l) = q?.object {
                return Ok(Some(l.value().to_string()));
            }
        }
        Ok(None)
    }

    /// Loads the ontology Turtle into its own graph (replacing the old one).
    pub fn load_ontology(&self, ttl: &str) -> Result<(), StoreError> {
        let g = NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH);
        let mut quads = Vec::new();
        for t in oxigraph::io::RdfParser::from_format(RdfFormat::Turtle).for_slice(ttl.as_bytes()) {
            let t = t.map_err(|e| StoreError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("ontology: {e}"))))?;
            quads.push(Quad::new(t.subject, t.predicate, t.object, g));
        }
        self.replace_graph(&g.into_owned(), &quads)
    }

    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.store.len()?)
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.store.is_empty()?)
    }
}
