//! The metadata object an image record commits to (through the leaf's `meta` hash): what the
//! owner said, facts of the file and the picture, and the fingerprints a court compares a
//! suspect copy with (`notarium compare`). Nothing else from the file, EXIF included, is copied.
//!
//! ```json
//! { "title": "Red dress, front", "author": "Studio Lin",
//!   "file": { "name": "dress.jpg", "size": 2480115, "sha256": "…" },
//!   "image": { "format": "jpeg", "width": 4000, "height": 3000, "captured": "2026-11-02T09:14:03" },
//!   "fingerprints": { "algorithm": "pdq-multi/1", "threshold": 40, "quality": 100, "hashes": ["…", …] } }
//! ```

use image::ImageFormat;
use serde_json::{Value, json};

use super::analyse::Analysis;
use crate::domain::Metadata;
use crate::fingerprint::pdq::Pdq;
use crate::fingerprint::set::{ALGORITHM, Fingerprints, THRESHOLD};

/// What the owner says of the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub title: String,
    pub author: Option<String>,
}

/// Facts of the uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub name: Option<String>,
    pub size: u64,
    pub sha256: String,
}

pub fn image_metadata(described: &Described, file: &FileFacts, analysis: &Analysis) -> Metadata {
    let mut image =
        json!({ "format": format_name(analysis.format), "width": analysis.width, "height": analysis.height });
    if let Some(captured) = &analysis.captured {
        image["captured"] = json!(captured);
    }
    let fingerprints = &analysis.fingerprints;
    let mut m = Metadata::new();
    m.insert("title".into(), json!(described.title));
    if let Some(author) = &described.author {
        m.insert("author".into(), json!(author));
    }
    m.insert("file".into(), json!({ "name": file.name, "size": file.size, "sha256": file.sha256 }));
    m.insert("image".into(), image);
    m.insert(
        "fingerprints".into(),
        json!({
            "algorithm": ALGORITHM,
            "threshold": THRESHOLD,
            "quality": fingerprints.quality,
            "hashes": fingerprints.hashes.iter().map(Pdq::to_hex).collect::<Vec<_>>(),
        }),
    );
    m
}

/// The fingerprints a record's metadata commits to (with their quality; 0 when absent), with
/// their algorithm; why not when the metadata holds none (another kind, or a receipt without
/// metadata) or holds them malformed.
pub fn committed_fingerprints(metadata: &Metadata) -> Result<(String, Fingerprints), String> {
    let f = metadata.get("fingerprints").ok_or("the metadata holds no fingerprints")?;
    let algorithm = f.get("algorithm").and_then(Value::as_str).ok_or("fingerprints.algorithm is missing")?;
    let hashes = f.get("hashes").and_then(Value::as_array).ok_or("fingerprints.hashes is missing")?;
    let hashes = hashes
        .iter()
        .enumerate()
        .map(|(i, h)| h.as_str().and_then(Pdq::from_hex).ok_or(format!("fingerprints.hashes[{i}] is not a PDQ hash")))
        .collect::<Result<Vec<_>, _>>()?;
    if hashes.is_empty() {
        return Err("fingerprints.hashes is empty".into());
    }
    let quality = f.get("quality").and_then(Value::as_u64).map_or(0, |q| q.min(100) as u8);
    Ok((algorithm.to_owned(), Fingerprints { hashes, quality }))
}

pub fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(captured: Option<&str>) -> Analysis {
        Analysis {
            format: ImageFormat::Png,
            width: 40,
            height: 30,
            fingerprints: Fingerprints { hashes: vec![Pdq([1, 2, 3, 4]), Pdq([5, 6, 7, 8])], quality: 77 },
            thumbnail: None,
            captured: captured.map(str::to_owned),
            steps: Vec::new(),
        }
    }

    #[test]
    fn the_committed_fingerprints_read_back() {
        let file = FileFacts { name: Some("a.png".into()), size: 9, sha256: "00".into() };
        let described = Described { title: "T".into(), author: None };
        let m = image_metadata(&described, &file, &analysis(Some("2026-01-02T03:04:05")));
        let stored = Fingerprints { hashes: vec![Pdq([1, 2, 3, 4]), Pdq([5, 6, 7, 8])], quality: 77 };
        assert_eq!(committed_fingerprints(&m), Ok((ALGORITHM.to_owned(), stored)));
        assert_eq!(m["image"]["captured"], "2026-01-02T03:04:05");
        assert!(!m.contains_key("author"));
        let m = image_metadata(&described, &file, &analysis(None));
        assert!(m["image"].get("captured").is_none());
    }

    #[test]
    fn malformed_fingerprints_are_named() {
        let of = |v: Value| committed_fingerprints(v.as_object().expect("object"));
        assert_eq!(of(json!({})), Err("the metadata holds no fingerprints".into()));
        assert_eq!(
            of(json!({ "fingerprints": { "algorithm": "pdq-multi/1", "hashes": ["zz"] } })),
            Err("fingerprints.hashes[0] is not a PDQ hash".into())
        );
        assert_eq!(
            of(json!({ "fingerprints": { "algorithm": "pdq-multi/1", "hashes": [] } })),
            Err("fingerprints.hashes is empty".into())
        );
    }
}
