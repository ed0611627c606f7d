//! newskg: French news articles → an RDF knowledge graph in Oxigraph.
//!
//! The data flows `ingest → text → extract (gazetteer, names, relations) →
//! rdf → store → query / export / diagram`; see ARCHITECTURE.md.

pub mod build;
pub mod diagram;
pub mod entities;
pub mod error;
pub mod export;
pub mod extract;
pub mod gazetteer;
pub mod ingest;
pub mod lexicon;
pub mod mapper;
pub mod normalize;
pub mod push;
pub mod query;
pub mod rdf;
pub mod rules;
pub mod serve;
pub mod stats;
pub mod store;
pub mod text;
pub mod wordmap;
