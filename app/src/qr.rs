//! QR codes for TOTP enrolment, drawn as an SVG path (no image files, no `data:` URLs, nothing inline
//! that a strict CSP would have to allow).

/// The QR code of `text`: its side length in modules (with a 4-module quiet zone) and an SVG path that
/// draws its dark modules at one unit per module.
#[cfg(feature = "ssr")]
pub fn svg_path(text: &str) -> Option<(u32, String)> {
    use qrcodegen::{QrCode, QrCodeEcc};
    const QUIET: i32 = 4;
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Some(((size + 2 * QUIET) as u32, path))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    /// Proves: ID7
    fn qr_codes_have_a_quiet_zone_and_modules() {
        let (size, path) = super::svg_path("otpauth://totp/Strongroom:a@example.com?secret=ABC").unwrap();
        assert!(size >= 21 + 8);
        assert!(path.starts_with('M') && path.contains("h1v1h-1z"));
    }
}
