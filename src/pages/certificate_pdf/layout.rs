//! Drawing the certificate on one A4 page: a cursor that goes down the page, lines wrapped to
//! the width left beside the QR code, labels and values in two columns.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use qrcode::{Color, QrCode};

use super::fonts::Fonts;
use crate::pages::certificate_view::CertificateView;

/// A4 in points.
pub const A4_WIDTH: f32 = 595.28;
pub const A4_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 42.0;
const RIGHT: f32 = A4_WIDTH - MARGIN;
const LABEL_WIDTH: f32 = 132.0;
const QR_SIZE: f32 = 104.0;
const QR_LEFT: f32 = RIGHT - QR_SIZE;
/// Below this the text runs the full width (the QR code and its caption end above).
const QR_BOTTOM: f32 = MARGIN + QR_SIZE + 40.0;

const INK: (u8, u8, u8) = (29, 36, 51);
const MUTED: (u8, u8, u8) = (91, 100, 117);

pub struct Writer<'a, 'b> {
    surface: &'a mut Surface<'b>,
    fonts: &'a Fonts,
    y: f32,
}

impl<'a, 'b> Writer<'a, 'b> {
    pub fn new(surface: &'a mut Surface<'b>, fonts: &'a Fonts) -> Self {
        Self { surface, fonts, y: MARGIN }
    }

    /// The whole certificate.
    pub fn certificate(&mut self, v: &CertificateView) {
        let (t, c) = (v.lang.messages(), v.c());
        self.qr(&v.page_url, t.qr_caption);
        self.text(t.evidence_title, 18.0, INK, false, 24.0);
        self.pair(c.evidence_id, &v.id, true);
        self.heading(c.operator);
        self.pair(c.operator_name, &v.operator.legal_name, false);
        self.pair(c.operator_address, &v.operator.address, false);
        self.pair(c.operator_registration, &v.operator.registration, false);
        if v.operator.development {
            self.text(c.development_operator, 8.0, MUTED, false, 11.0);
        }
        self.heading(c.anchoring);
        self.pair(t.kind, v.kind, false);
        self.pair(t.registered, &v.received, false);
        self.pair(t.status, v.status, false);
        if let Some(b) = &v.block {
            self.pair(c.block_height, &b.height.to_string(), false);
            self.pair(t.sealed, &b.sealed, false);
            if let Some((utc, local)) = &b.anchored {
                self.pair(c.anchored_utc, utc, false);
                self.pair(c.anchored_local, local, false);
            }
            self.pair(c.block_hash, &b.block_hash, true);
            self.pair(c.root, &b.root, true);
            self.pair(c.leaf_hash, &v.leaf_hash, true);
        }
        match &v.content_hash {
            Some(h) => self.pair(c.content_hash, h, true),
            None => self.pair(c.content_hash, c.content_hash_owner_only, false),
        }
        self.heading(t.witnesses);
        if v.witnesses.is_empty() {
            self.text(t.not_anchored_yet, 9.0, INK, false, 12.0);
        }
        for w in &v.witnesses {
            self.text(&format!("{} · {} · {} {}", w.name, w.role, t.signed_at, w.signed), 9.0, INK, false, 12.0);
            self.pair(c.organisation, &w.organisation, false);
            self.pair(c.subject, &w.subject, false);
            self.pair(c.fingerprint, &w.fingerprint, true);
        }
        self.heading(c.statement_title);
        self.text(&v.statement, 9.0, INK, false, 12.5);
        self.heading(c.not_proved_title);
        self.text(c.not_proved, 8.5, INK, false, 12.0);
        self.heading(c.verify_title);
        self.text(&format!("1. {}", c.verify_qr), 8.5, INK, false, 12.0);
        self.text(&format!("2. {}", c.verify_zip), 8.5, INK, false, 12.0);
        self.text(&format!("3. {}", c.verify_command), 8.5, INK, false, 12.0);
        self.text(v.verify_command(), 8.5, INK, true, 12.0);
        self.y += 6.0;
        self.text(c.pdf_signed_by, 7.5, MUTED, false, 10.0);
    }

    fn heading(&mut self, text: &str) {
        self.y += 7.0;
        self.text(text, 11.0, INK, false, 15.0);
    }

    /// A label in the left column and its value, wrapped, in the right one.
    fn pair(&mut self, label: &str, value: &str, mono: bool) {
        let top = self.y;
        let label_lines = wrap(label, 8.0, LABEL_WIDTH - 6.0, false);
        for (i, line) in label_lines.iter().enumerate() {
            self.draw(line, MARGIN, top + i as f32 * 10.5, 8.0, MUTED, false);
        }
        let width = self.right_edge(top) - MARGIN - LABEL_WIDTH;
        let value_lines = wrap(value, 8.5, width, mono);
        for (i, line) in value_lines.iter().enumerate() {
            self.draw(line, MARGIN + LABEL_WIDTH, top + i as f32 * 11.0, 8.5, INK, mono);
        }
        self.y = top + (label_lines.len() as f32 * 10.5).max(value_lines.len() as f32 * 11.0) + 1.5;
    }

    /// A paragraph, wrapped to the width left at the cursor.
    fn text(&mut self, text: &str, size: f32, colour: (u8, u8, u8), mono: bool, leading: f32) {
        for line in wrap(text, size, self.right_edge(self.y) - MARGIN, mono) {
            self.draw(&line, MARGIN, self.y, size, colour, mono);
            self.y += leading;
        }
    }

    fn right_edge(&self, y: f32) -> f32 {
        if y < QR_BOTTOM { QR_LEFT - 12.0 } else { RIGHT }
    }

    /// One line with its top at `top`.
    fn draw(&mut self, line: &str, x: f32, top: f32, size: f32, colour: (u8, u8, u8), mono: bool) {
        let font: Font = if mono { self.fonts.mono.clone() } else { self.fonts.text.clone() };
        self.fill(colour);
        let baseline = top + size * 0.88;
        self.surface.draw_text(Point::from_xy(x, baseline), font, size, line, false, TextDirection::Auto);
    }

    fn fill(&mut self, (r, g, b): (u8, u8, u8)) {
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(r, g, b).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
    }

    /// The QR code of `url` in the top right corner, with the caption and the URL below it.
    fn qr(&mut self, url: &str, caption: &str) {
        let Ok(code) = QrCode::new(url.as_bytes()) else { return };
        let modules = code.width();
        // A quiet zone of 4 modules on each side, as the standard asks.
        let unit = QR_SIZE / (modules + 8) as f32;
        let mut path = PathBuilder::new();
        for (i, colour) in code.to_colors().iter().enumerate() {
            if *colour == Color::Dark {
                let (x, y) = ((i % modules + 4) as f32 * unit, (i / modules + 4) as f32 * unit);
                if let Some(r) = Rect::from_xywh(QR_LEFT + x, MARGIN + y, unit, unit) {
                    path.push_rect(r);
                }
            }
        }
        if let Some(path) = path.finish() {
            self.fill((0, 0, 0));
            self.surface.draw_path(&path);
        }
        let mut y = MARGIN + QR_SIZE + 2.0;
        for line in wrap(caption, 7.0, QR_SIZE, false).into_iter().chain(wrap(url, 6.5, QR_SIZE, true)) {
            self.draw(&line, QR_LEFT, y, 7.0, MUTED, false);
            y += 9.0;
        }
    }
}

/// The width of `c` in ems: CJK and full-width forms are one em, half-width characters half
/// an em in the monospaced face and at most 0.62 em (a safe bound) in the proportional one.
fn em(c: char, mono: bool) -> f32 {
    match (c as u32 >= 0x2E80, mono) {
        (true, _) => 1.0,
        (false, true) => 0.5,
        (false, false) => 0.62,
    }
}

/// `text` in lines no wider than `width` points: broken at the last space that fits, or
/// anywhere in a word too long for a line (hashes) and between CJK characters.
pub fn wrap(text: &str, size: f32, width: f32, mono: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = em(c, mono) * size;
        if used + w > width && !line.is_empty() {
            let cut = line.rfind(' ').filter(|&i| i > 0 && c != ' ');
            match cut {
                Some(i) => {
                    let rest = line.split_off(i + 1);
                    lines.push(line.trim_end().to_owned());
                    line = rest;
                }
                None => lines.push(std::mem::take(&mut line)),
            }
            used = line.chars().map(|c| em(c, mono) * size).sum();
            if c == ' ' && line.is_empty() {
                continue;
            }
        }
        line.push(c);
        used += w;
    }
    if !line.trim().is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_within_words_too_long_and_between_cjk_characters() {
        // 10 pt, 0.62 em a letter: 6.2 pt; 40 pt holds 6 letters.
        assert_eq!(wrap("aaa bbb ccc", 10.0, 40.0, false), ["aaa", "bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 10.0, 40.0, false), ["abcdef", "ghij"]);
        assert_eq!(wrap("存证证书运营方", 10.0, 30.0, false), ["存证证", "书运营", "方"]);
        let hash = "0123456789abcdef".repeat(4);
        let lines = wrap(&hash, 10.0, 160.0, true);
        assert_eq!(lines.concat(), hash, "a hash is cut, never changed");
        assert!(lines.iter().all(|l| l.len() <= 32), "{lines:?}");
        assert!(wrap("", 10.0, 40.0, false).is_empty());
    }
}
