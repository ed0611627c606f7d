//! The Oxigraph store on disk. Only this module (and `query`/`export`, which
//! use its handle) knows about Oxigraph's storage.
//!
//! Locking, on `<store>/newskg.lock`: a writer (build, update, `serve
//! --writable`) holds it exclusively, so a second writer says "busy" instead
//! of failing deep inside RocksDB. A reader holds it shared while it reads the
//! live database. Oxigraph calls a read-only open beside a writing process
//! undefined behaviour (we saw readers crash), so a reader that finds a writer
//! at work opens the newest *snapshot* instead: a RocksDB checkpoint (hard
//! links) the writer publishes under `<store>/snapshots/` as it goes. Each
//! snapshot has its own lock file, held shared by its readers, so the writer
//! only deletes snapshots nobody reads.

use crate::error::StoreError;
use crate::rdf::{nkg, ONTOLOGY_GRAPH};
use fs2::FileExt;
use oxigraph::io::RdfFormat;
use oxigraph::model::{BlankNode, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use std::fs::File;
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = "newskg.lock";
const SNAPSHOTS: &str = "snapshots";
const SNAPSHOT_LOCK: &str = "newskg-snapshot.lock";

/// An open store.
pub struct KgStore {
    pub store: Store,
    pub path: PathBuf,
    _lock: Option<File>,
}

fn looks_like_store(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

/// The newest finished snapshot of a store, if any.
fn newest_snapshot(path: &Path) -> Result<Option<PathBuf>, StoreError> {
    let Ok(entries) = std::fs::read_dir(path.join(SNAPSHOTS)) else { return Ok(None) };
    let mut names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !n.starts_with('.')).collect();
    names.sort();
    Ok(names.pop().map(|n| path.join(SNAPSHOTS).join(n)))
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
        let lock = writer_lock(path)?;
        KgStore::open_write_locked(path, lock)
    }

    /// Opens an existing store read-only, but as its writer (the writers'
    /// lock held, so no one else writes meanwhile): for a build to find out
    /// whether it has anything to write before it opens RocksDB for writing,
    /// which starts compactions a no-op rebuild would wait for. `None` when
    /// there is no store yet.
    pub fn open_write_check(path: &Path) -> Result<Option<KgStore>, StoreError> {
        if !path.is_dir() || !looks_like_store(path) {
            return Ok(None);
        }
        let lock = writer_lock(path)?;
        let store = Store::open_read_only(path)?;
        Ok(Some(KgStore { store, path: path.to_path_buf(), _lock: Some(lock) }))
    }

    /// Turns a store opened by `open_write_check` into a writable one, the lock kept.
    pub fn reopen_write(self) -> Result<KgStore, StoreError> {
        let KgStore { store, path, _lock } = self;
        drop(store);
        let lock = _lock.ok_or_else(|| StoreError::Locked(path.clone()))?;
        KgStore::open_write_locked(&path, lock)
    }

    fn open_write_locked(path: &Path, lock: File) -> Result<KgStore, StoreError> {
        let store = Store::open(path).map_err(|e| {
            if e.to_string().to_lowercase().contains("lock") {
                StoreError::Locked(path.to_path_buf())
            } else {
                StoreError::Storage(e)
            }
        })?;
        let s = KgStore { store, path: path.to_path_buf(), _lock: Some(lock) };
        s.prune_snapshots(None)?;
        Ok(s)
    }

    /// Opens an existing store read-only. With no writer at work, reads the
    /// live database under a shared lock; while a build writes it, reads the
    /// newest snapshot that build published.
    pub fn open_read(path: &Path) -> Result<KgStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        if !looks_like_store(path) {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        let lock = File::options().create(true).truncate(false).write(true).open(path.join(LOCK_FILE)).or_else(|_| File::open(path.join(LOCK_FILE)))?;
        if lock.try_lock_shared().is_ok() {
            let store = Store::open_read_only(path)?;
            return Ok(KgStore { store, path: path.to_path_buf(), _lock: Some(lock) });
        }
        // A writer holds the store: take its newest snapshot. The writer may
        // delete an old one between our listing and our lock, so retry.
        for _ in 0..20 {
            let Some(snap) = newest_snapshot(path)? else {
                std::thread::sleep(std::time::Duration::from_millis(100));
                continue;
            };
            let Ok(slock) = File::open(snap.join(SNAPSHOT_LOCK)) else { continue };
            if slock.try_lock_shared().is_err() || !snap.join(SNAPSHOT_LOCK).exists() {
                continue;
            }
            let store = Store::open_read_only(&snap)?;
            return Ok(KgStore { store, path: path.to_path_buf(), _lock: Some(slock) });
        }
        Err(StoreError::Locked(path.to_path_buf()))
    }

    /// Publishes the current state as a snapshot for readers (a RocksDB
    /// checkpoint: hard links, cheap), then removes older snapshots that no
    /// reader holds. Writers call it as they commit.
    pub fn publish_snapshot(&self) -> Result<(), StoreError> {
        let dir = self.path.join(SNAPSHOTS);
        std::fs::create_dir_all(&dir)?;
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let name = format!("{stamp:024}");
        let tmp = dir.join(format!(".{name}"));
        self.store.backup(&tmp)?;
        File::create(tmp.join(SNAPSHOT_LOCK))?;
        std::fs::rename(&tmp, dir.join(&name))?;
        self.prune_snapshots(Some(&name))
    }

    /// Removes every snapshot but `keep` that no reader holds (and leftovers
    /// of a snapshot a killed writer was making).
    pub fn prune_snapshots(&self, keep: Option<&str>) -> Result<(), StoreError> {
        let dir = self.path.join(SNAPSHOTS);
        let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if Some(name.as_str()) == keep {
                continue;
            }
            let p = e.path();
            let free = match File::open(p.join(SNAPSHOT_LOCK)) {
                // Removing the lock file first tells late readers it is going.
                Ok(f) => f.try_lock_exclusive().is_ok() && std::fs::remove_file(p.join(SNAPSHOT_LOCK)).is_ok(),
                Err(_) => name.starts_with('.') || !p.join("CURRENT").exists(),
            };
            if free {
                let _ = std::fs::remove_dir_all(&p);
            }
        }
        Ok(())
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

    /// Replaces a document's graph by `quads` and adds `entities` (its
    /// entities' descriptions, to the entities graph) in one transaction:
    /// readers never see a document whose entities are not described.
    pub fn replace_document(&self, graph: &NamedNode, quads: &[Quad], entities: &[Quad]) -> Result<(), StoreError> {
        let mut tx = self.store.start_transaction()?;
        tx.clear_graph(graph)?;
        for q in quads.iter().chain(entities) {
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
        let quads = ontology_quads(ttl)?;
        self.replace_graph(&NamedNode::new_unchecked(ONTOLOGY_GRAPH), &quads)
    }

    /// True when the ontology graph holds exactly this Turtle's triples.
    pub fn ontology_is(&self, ttl: &str) -> Result<bool, StoreError> {
        let quads = ontology_quads(ttl)?;
        let g = GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH));
        let mut held = 0;
        for q in self.store.quads_for_pattern(None, None, None, Some(g)) {
            q?;
            held += 1;
        }
        for q in &quads {
            if !self.store.contains(q)? {
                return Ok(false);
            }
        }
        Ok(held == quads.len())
    }

    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.store.len()?)
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.store.is_empty()?)
    }
}

/// Takes the writers' lock. Readers hold it shared for the length of one
/// command: give them a moment before calling the store busy.
fn writer_lock(path: &Path) -> Result<File, StoreError> {
    let lock = File::options().create(true).truncate(false).write(true).open(path.join(LOCK_FILE))?;
    let mut waited = 0;
    while lock.try_lock_exclusive().is_err() {
        if waited >= 30 {
            return Err(StoreError::Locked(path.to_path_buf()));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    Ok(lock)
}

/// The ontology's triples in its graph, blank nodes named in order.
fn ontology_quads(ttl: &str) -> Result<Vec<Quad>, StoreError> {
    let g = NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH);
    let mut quads = Vec::new();
    // The parser names blank nodes at random; renaming them in order of
    // appearance keeps exports byte-identical from one build to the next.
    let mut names = std::collections::BTreeMap::new();
    let mut rename = |b: &BlankNode| {
        let n = names.len();
        names.entry(b.as_str().to_string()).or_insert_with(|| BlankNode::new_unchecked(format!("ont{n}"))).clone()
    };
    for t in oxigraph::io::RdfParser::from_format(RdfFormat::Turtle).for_slice(ttl.as_bytes()) {
        let t = t.map_err(|e| StoreError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("ontology: {e}"))))?;
        let subject = match t.subject {
            NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::BlankNode(rename(&b)),
            other => other,
        };
        let object = match t.object {
            Term::BlankNode(b) => Term::BlankNode(rename(&b)),
            other => other,
        };
        quads.push(Quad::new(subject, t.predicate, object, g));
    }
    Ok(quads)
}
