//! The QR code of a certificate page, as inline SVG.

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG image of a QR code for `url`, or an empty string when the URL does not fit.
pub fn svg_for(url: &str) -> String {
    match QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build()
            // Inline in HTML: no XML declaration.
            .split_once("<svg")
            .map(|(_, rest)| format!("<svg{rest}"))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg_image() {
        let svg = super::svg_for("http://127.0.0.1:8080/e/019a0000-0000-7000-8000-000000000000");
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{svg}");
    }
}
