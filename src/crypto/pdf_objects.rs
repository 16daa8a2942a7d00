//! Just enough of a PDF's structure to append an update to it: the last trailer (`/Size`,
//! `/Root`, `/Info`, `/ID`), the `startxref` offset, and an object's dictionary by number. For
//! PDFs our own writer made (classic cross-reference table, one revision); anything else is
//! refused with what was missing.

/// What a PDF lacks for an update to be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfShapeError {
    /// A part that our writer always makes is not there.
    #[error("the PDF has no {0}")]
    Missing(&'static str),
    /// The object is not a plain dictionary, or already has the key the update adds.
    #[error("object {0} is not a dictionary an update can extend")]
    NotExtensible(u32),
}

/// The parts of a PDF an update needs.
#[derive(Debug)]
pub struct Objects<'a> {
    pdf: &'a [u8],
    /// The trailer's `/Size`: the first free object number.
    pub size: u32,
    /// The catalog's object number.
    pub root: u32,
    pub info: Option<u32>,
    /// The `/ID` array as written (`[<…> <…>]` or literal strings).
    pub id: Option<&'a [u8]>,
    /// The offset of the last cross-reference section.
    pub xref: usize,
}

impl<'a> Objects<'a> {
    pub fn read(pdf: &'a [u8]) -> Result<Self, PdfShapeError> {
        let start = rfind(pdf, b"startxref").ok_or(PdfShapeError::Missing("startxref"))?;
        let xref = number(&pdf[start + b"startxref".len()..]).ok_or(PdfShapeError::Missing("startxref offset"))?;
        let at = rfind(&pdf[..start], b"trailer").ok_or(PdfShapeError::Missing("trailer"))?;
        let trailer = &pdf[at..start];
        Ok(Self {
            pdf,
            size: key_number(trailer, b"/Size").ok_or(PdfShapeError::Missing("/Size in the trailer"))? as u32,
            root: key_number(trailer, b"/Root").ok_or(PdfShapeError::Missing("/Root in the trailer"))? as u32,
            info: key_number(trailer, b"/Info").map(|n| n as u32),
            id: id_array(trailer),
            xref: xref as usize,
        })
    }

    /// The dictionary of object `n` (`<< … >>`), as written.
    pub fn dictionary(&self, n: u32) -> Result<&'a [u8], PdfShapeError> {
        let head = format!("\n{n} 0 obj");
        let start =
            rfind(self.pdf, head.as_bytes()).ok_or(PdfShapeError::Missing("an object the catalog names"))? + head.len();
        let len = find(&self.pdf[start..], b"endobj").ok_or(PdfShapeError::Missing("endobj"))?;
        let body = self.pdf[start..start + len].trim_ascii();
        if body.starts_with(b"<<") && body.ends_with(b">>") && find(body, b"stream").is_none() {
            Ok(body)
        } else {
            Err(PdfShapeError::NotExtensible(n))
        }
    }

    /// Object `n`'s dictionary with `entry` (`/Key value`) added; refused when it has the key.
    pub fn extended(&self, n: u32, entry: &str) -> Result<String, PdfShapeError> {
        let body = self.dictionary(n)?;
        let key = entry.split(' ').next().unwrap_or(entry);
        if find(body, key.as_bytes()).is_some() {
            return Err(PdfShapeError::NotExtensible(n));
        }
        let inner = String::from_utf8_lossy(&body[..body.len() - 2]);
        Ok(format!("{} {entry} >>", inner.trim_end()))
    }

    /// The first page: the catalog's `/Pages`, its first `/Kids` entry.
    pub fn first_page(&self) -> Result<u32, PdfShapeError> {
        let pages = key_number(self.dictionary(self.root)?, b"/Pages").ok_or(PdfShapeError::Missing("/Pages"))?;
        let kids = self.dictionary(pages as u32)?;
        let at = find(kids, b"/Kids").ok_or(PdfShapeError::Missing("/Kids"))?;
        let list = kids[at + 5..].trim_ascii_start().strip_prefix(b"[").ok_or(PdfShapeError::Missing("/Kids"))?;
        number(list).map(|n| n as u32).ok_or(PdfShapeError::Missing("a page"))
    }
}

/// The number after `key` in a dictionary (`/Root 1 0 R` gives 1).
fn key_number(dict: &[u8], key: &[u8]) -> Option<u64> {
    let mut from = 0;
    while let Some(at) = find(&dict[from..], key) {
        let after = from + at + key.len();
        // `/Size` must not match `/SizeX`.
        if dict.get(after).is_some_and(|b| b.is_ascii_whitespace()) {
            return number(&dict[after..]);
        }
        from = after;
    }
    None
}

/// The decimal number after optional whitespace.
fn number(text: &[u8]) -> Option<u64> {
    let text = text.trim_ascii_start();
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&text[..digits]).ok()?.parse().ok()
}

/// The `/ID [ … ]` array, strings read as PDF strings so that a `]` inside one is not its end.
fn id_array(trailer: &[u8]) -> Option<&[u8]> {
    let at = find(trailer, b"/ID")? + 3;
    let rest = &trailer[at..];
    let open = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    if rest[open] != b'[' {
        return None;
    }
    let (mut depth, mut escaped) = (0u32, false);
    for (i, &b) in rest.iter().enumerate().skip(open + 1) {
        match (depth, b) {
            (_, _) if escaped => escaped = false,
            (1.., b'\\') => escaped = true,
            (_, b'(') => depth += 1,
            (1.., b')') => depth -= 1,
            (0, b']') => return Some(&rest[open..=i]),
            _ => {}
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n\
xref\n0 4\n0000000000 65535 f\r\n\
trailer\n<< /Size 4 /Root 1 0 R /ID [(a]\\)b) <00ff>] >>\nstartxref\n170\n%%EOF";

    #[test]
    fn reads_the_trailer_the_catalog_and_the_first_page() {
        let o = Objects::read(PDF).unwrap();
        assert_eq!((o.size, o.root, o.info, o.xref), (4, 1, None, 170));
        assert_eq!(o.id, Some(&b"[(a]\\)b) <00ff>]"[..]));
        assert_eq!(o.first_page().unwrap(), 3);
        assert_eq!(
            o.extended(3, "/Annots [5 0 R]").unwrap(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [5 0 R] >>"
        );
        assert_eq!(o.extended(1, "/Pages 9 0 R"), Err(PdfShapeError::NotExtensible(1)), "a key it has");
        assert!(o.dictionary(7).is_err());
    }

    #[test]
    fn refuses_what_our_writer_never_makes() {
        assert_eq!(Objects::read(b"%PDF-1.7\n").unwrap_err(), PdfShapeError::Missing("startxref"));
        let no_root = b"trailer\n<< /Size 4 >>\nstartxref\n9\n%%EOF";
        assert_eq!(Objects::read(no_root).unwrap_err(), PdfShapeError::Missing("/Root in the trailer"));
        assert_eq!(key_number(b"<< /SizeX 3 /Size 4 >>", b"/Size"), Some(4));
    }
}
