//! The certificate PDF's fonts, read once from `certificate_font` and kept for the process.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use krilla::text::Font;

/// Largest font file read (Noto Sans CJK Regular is 19 MB).
const MAX_FONT_BYTES: u64 = 64 << 20;

/// The proportional face for text and the monospaced one for hashes and commands.
#[derive(Clone)]
pub struct Fonts {
    pub text: Font,
    pub mono: Font,
}

/// Why the font cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    /// The file is not there (Debian: `apt-get install fonts-noto-cjk`).
    #[error("the certificate font {0} is missing: install Debian's fonts-noto-cjk or set certificate_font")]
    Missing(PathBuf),
    /// The file cannot be read or is too large.
    #[error("the certificate font {0}: {1}")]
    Unreadable(PathBuf, String),
    /// The file is not an OpenType font or collection.
    #[error("the certificate font {0} is not an OpenType font or collection")]
    NotAFont(PathBuf),
}

static LOADED: Mutex<Option<(PathBuf, Fonts)>> = Mutex::new(None);

impl Fonts {
    /// The fonts of `path`, read on first use. In Noto's CJK collections (ten faces) the
    /// Simplified Chinese faces are 2 (Noto Sans CJK SC) and 7 (Noto Sans Mono CJK SC); in any
    /// other file the first face serves both.
    pub fn load(path: &Path) -> Result<Self, FontError> {
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((p, fonts)) = loaded.as_ref()
            && p == path
        {
            return Ok(fonts.clone());
        }
        let unreadable = |e: &dyn std::fmt::Display| FontError::Unreadable(path.to_owned(), e.to_string());
        let meta = std::fs::metadata(path).map_err(|_| FontError::Missing(path.to_owned()))?;
        if meta.len() > MAX_FONT_BYTES {
            return Err(unreadable(&format!("larger than {MAX_FONT_BYTES} bytes")));
        }
        let data = Arc::new(std::fs::read(path).map_err(|e| unreadable(&e))?);
        let (text, mono) = if faces(&data) >= 10 { (2, 7) } else { (0, 0) };
        let face = |i| Font::new(data.clone().into(), i).ok_or_else(|| FontError::NotAFont(path.to_owned()));
        let fonts = Self { text: face(text)?, mono: face(mono)? };
        *loaded = Some((path.to_owned(), fonts.clone()));
        Ok(fonts)
    }
}

/// The number of faces of a font collection (`ttcf`), 1 for a single font.
fn faces(data: &[u8]) -> u32 {
    match data {
        [b't', b't', b'c', b'f', _, _, _, _, a, b, c, d, ..] => u32::from_be_bytes([*a, *b, *c, *d]),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_the_faces_of_a_collection() {
        assert_eq!(super::faces(b"ttcf\0\x02\0\0\0\0\0\x0a...."), 10);
        assert_eq!(super::faces(b"OTTO...."), 1);
    }
}
