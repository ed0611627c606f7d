//! Reading inputs: walks directories (symlink loops and unreadable entries are
//! reported, not fatal), recognises binary files, decodes UTF-8 or UTF-16
//! with a BOM, and turns HTML into text with a real HTML parser.

use crate::error::IngestError;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bytes read from one file at most; the rest is ignored with a warning, so
/// memory stays bounded whatever the input.
pub const MAX_DOC_BYTES: u64 = 16 * 1024 * 1024;

/// A document ready for extraction.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: PathBuf,
    /// Stable name: the path relative to the input directory (or the file name).
    pub name: String,
    /// The text analysed; offsets in the RDF are character offsets in it. For
    /// `.txt`/`.md` it is the file's decoded text itself.
    pub body: String,
    /// SHA-256 of the file's bytes (hex).
    pub hash: String,
    pub html: bool,
    /// The file was longer than [`MAX_DOC_BYTES`] and was cut.
    pub truncated: bool,
}

impl Document {
    /// A plain-text document from memory (benchmarks, tests, library users).
    pub fn from_text(name: &str, body: &str) -> Document {
        let hash = hex(&Sha256::digest(body.as_bytes()));
        Document { path: PathBuf::from(name), name: name.to_string(), body: body.to_string(), hash, html: false, truncated: false }
    }

    /// The content hash as the store records it (`nkg:contentHash`).
    pub fn hash_tag(&self) -> String {
        format!("sha256:{}", self.hash)
    }
}

/// Lower-case hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [DIGITS[(b >> 4) as usize] as char, DIGITS[(b & 15) as usize] as char]).collect()
}

fn is_input(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref(), Some("txt" | "md" | "html" | "htm"))
}

/// Expands inputs into (path, name) pairs, sorted by name; problems found on
/// the way (unreadable directories, symlink loops) come back as errors.
pub fn collect(inputs: &[PathBuf]) -> (Vec<(PathBuf, String)>, Vec<IngestError>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => {
                let mut seen = HashSet::new();
                walk(input, input, &mut seen, &mut out, &mut errs);
            }
            Ok(_) => {
                let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| input.display().to_string());
                out.push((input.clone(), name));
            }
            Err(e) => errs.push(IngestError::Io { path: input.clone(), source: e }),
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    out.dedup_by(|a, b| a.0 == b.0);
    (out, errs)
}

fn walk(root: &Path, dir: &Path, seen: &mut HashSet<PathBuf>, out: &mut Vec<(PathBuf, String)>, errs: &mut Vec<IngestError>) {
    let canon = match dir.canonicalize() {
        Ok(c) => c,
        Err(e) => {
            errs.push(IngestError::Io { path: dir.to_path_buf(), source: e });
            return;
        }
    };
    if !seen.insert(canon) {
        errs.push(IngestError::Io { path: dir.to_path_buf(), source: std::io::Error::other("directory loop (symbolic link to a parent), skipped") });
        return;
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errs.push(IngestError::Io { path: dir.to_path_buf(), source: e });
            return;
        }
    };
    // The entry's own type needs no system call; only symbolic links are followed with a stat.
    let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> = rd.filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok().filter(|t| !t.is_symlink())))).collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (p, ty) in entries {
        let is_dir = match ty {
            Some(t) => Ok(t.is_dir()),
            None => std::fs::metadata(&p).map(|m| m.is_dir()),
        };
        match is_dir {
            Ok(true) => walk(root, &p, seen, out, errs),
            Ok(false) if is_input(&p) => {
                let name = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                out.push((p, name));
            }
            Ok(_) => {}
            Err(e) => {
                if is_input(&p) || std::fs::symlink_metadata(&p).is_ok() {
                    errs.push(IngestError::Io { path: p, source: e });
                }
            }
        }
    }
}

/// What kind of binary file the first bytes say, if any.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF"),
        (b"\x89PNG", "PNG"),
        (b"GIF8", "GIF"),
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"PK\x03\x04", "ZIP/Office"),
        (b"\x1F\x8B", "gzip"),
        (b"\x7FELF", "ELF executable"),
    ];
    for (m, k) in MAGIC {
        if head.starts_with(m) {
            return Some(k);
        }
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return None; // UTF-16 text
    }
    // `contains` on bytes is a memchr: the byte-by-byte walk showed in the profile.
    head[..head.len().min(8192)].contains(&0).then_some("NUL bytes")
}

fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, IngestError> {
    let utf16 = |le: bool, rest: &[u8]| -> Result<String, IngestError> {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) }).collect();
        String::from_utf16(&units).map_err(|_| IngestError::InvalidUtf8 { path: path.to_path_buf(), offset: 0 })
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(true, rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(false, rest);
    }
    String::from_utf8(bytes).map_err(|e| IngestError::InvalidUtf8 { path: path.to_path_buf(), offset: e.utf8_error().valid_up_to() })
}

/// Reads one file into a document.
pub fn read(path: &Path, name: &str) -> Result<Document, IngestError> {
    let io = |e| IngestError::Io { path: path.to_path_buf(), source: e };
    let f = std::fs::File::open(path).map_err(io)?;
    // Sized by the file's length, the buffer takes the file in one read: grown
    // from empty behind `take` (which hides the length from `read_to_end`), it
    // cost eight reads of 32, 64, … bytes for a 3 KB article.
    let size = f.metadata().map_or(0, |m| m.len()).min(MAX_DOC_BYTES + 1);
    let mut bytes = Vec::with_capacity(size as usize + 1);
    f.take(MAX_DOC_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    let truncated = bytes.len() as u64 > MAX_DOC_BYTES;
    if truncated {
        bytes.truncate(MAX_DOC_BYTES as usize);
        // Cut at a character boundary (UTF-8 continuation bytes are 10xxxxxx).
        while bytes.last().is_some_and(|b| b & 0xC0 == 0x80) {
            bytes.pop();
        }
        if bytes.last().is_some_and(|b| *b >= 0xC0) {
            bytes.pop();
        }
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty { path: path.to_path_buf() });
    }
    if let Some(kind) = binary_kind(&bytes) {
        return Err(IngestError::Binary { path: path.to_path_buf(), kind: kind.to_string() });
    }
    let hash = hex(&Sha256::digest(&bytes));
    let text = decode(path, bytes)?;
    let html = matches!(path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref(), Some("html" | "htm"));
    let body = if html { html_to_text(&text) } else { text };
    if body.trim().is_empty() {
        return Err(IngestError::Empty { path: path.to_path_buf() });
    }
    Ok(Document { path: path.to_path_buf(), name: name.to_string(), body, hash, html, truncated })
}

/// The readable text of an HTML page: the title, then one line per block
/// element, without scripts, styles, navigation, forms, headers and footers.
pub fn html_to_text(html: &str) -> String {
    use scraper::{Html, Node, Selector};
    let doc = Html::parse_document(html);
    let mut out = String::new();
    if let Ok(sel) = Selector::parse("title") {
        if let Some(t) = doc.select(&sel).next() {
            let t: String = t.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() {
                out.push_str(&t);
                out.push('\n');
            }
        }
    }
    const SKIP: &[&str] = &["script", "style", "nav", "footer", "header", "aside", "form", "noscript", "template", "svg", "iframe", "button", "select", "head"];
    const BLOCK: &[&str] = &["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "article", "section", "br", "tr", "td", "th", "figcaption", "pre", "dd", "dt", "main", "ul", "ol", "table"];
    // Iterative walk: a page with 10,000 nested elements must not overflow the stack.
    let mut stack = vec![(doc.tree.root().id(), false)];
    let mut line = String::new();
    while let Some((id, closing)) = stack.pop() {
        let node = doc.tree.get(id).unwrap();
        match node.value() {
            Node::Element(e) => {
                let name = e.name();
                let block = BLOCK.contains(&name);
                if closing {
                    if block {
                        flush(&mut line, &mut out);
                    }
                    continue;
                }
                if SKIP.contains(&name) {
                    continue;
                }
                if block {
                    flush(&mut line, &mut out);
                }
                stack.push((id, true));
                let children: Vec<_> = node.children().map(|c| c.id()).collect();
                for c in children.into_iter().rev() {
                    stack.push((c, false));
                }
            }
            Node::Text(t) if !closing => {
                line.push_str(t);
            }
            Node::Document | Node::Fragment if !closing => {
                let children: Vec<_> = node.children().map(|c| c.id()).collect();
                for c in children.into_iter().rev() {
                    stack.push((c, false));
                }
            }
            _ => {}
        }
    }
    flush(&mut line, &mut out);
    out
}

fn flush(line: &mut String, out: &mut String) {
    let t: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if !t.is_empty() {
        out.push_str(&t);
        out.push('\n');
    }
    line.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_blocks_and_drops_chrome() {
        let t = html_to_text("<html><head><title>Titre</title><script>var x;</script></head><body><nav>Menu</nav><p>Premier <b>paragraphe</b>.</p><div>Second</div><footer>pied</footer></body></html>");
        assert_eq!(t, "Titre\nPremier paragraphe.\nSecond\n");
    }

    #[test]
    fn deep_html_does_not_overflow() {
        let html = "<div>".repeat(10_000) + "texte" + &"</div>".repeat(10_000);
        assert!(html_to_text(&html).contains("texte"));
    }

    #[test]
    fn binary_signatures() {
        assert_eq!(binary_kind(b"%PDF-1.4"), Some("PDF"));
        assert_eq!(binary_kind(b"abc\0def"), Some("NUL bytes"));
        assert_eq!(binary_kind(b"\xFF\xFEa\0b\0"), None);
        assert_eq!(binary_kind("Texte français".as_bytes()), None);
    }

    #[test]
    fn decodes_utf16_and_reports_bad_utf8() {
        let p = Path::new("x");
        let mut v = vec![0xFF, 0xFE];
        for u in "Arménie".encode_utf16() {
            v.extend(u.to_le_bytes());
        }
        assert_eq!(decode(p, v).unwrap(), "Arménie");
        match decode(p, b"abc\xFFdef".to_vec()) {
            Err(IngestError::InvalidUtf8 { offset, .. }) => assert_eq!(offset, 3),
            other => panic!("{other:?}"),
        }
    }
}
