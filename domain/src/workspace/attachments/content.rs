//! What an uploaded file is, decided by its bytes alone (DATA4): PDF, PNG, JPEG and WebP by their magic
//! bytes (the `infer` crate), plain text and CSV by being UTF-8 without NULs or other control
//! characters and not starting like markup. The name and the declared type are never asked; the name
//! only chooses between the two text labels (`.csv` or not), which are equally inert. Anything else
//! (HTML, SVG, scripts, archives, executables) is refused.
//!
//! Also here: the name a file is shown and downloaded under — the last part of what was sent, without
//! control or path characters, cut short, and ending in the extension of what the file really is, so a
//! downloaded file never opens as something else. It is never used as a path.

/// The types Strongroom keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Csv,
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 6] = [Self::Pdf, Self::Png, Self::Jpeg, Self::Webp, Self::Csv, Self::Text];

    /// The `Content-Type` it is stored and served with.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.mime() == mime)
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Webp => &["webp"],
            Self::Csv => &["csv"],
            Self::Text => &["txt", "text", "log", "md"],
        }
    }
}

/// The kind of `bytes`, or `None` when it is not one Strongroom keeps. `name` is consulted only for
/// text, to label it CSV or plain text.
pub fn sniff(bytes: &[u8], name: &str) -> Option<FileKind> {
    if bytes.is_empty() {
        return None;
    }
    if let Some(found) = infer::get(bytes) {
        return match found.mime_type() {
            "application/pdf" => Some(FileKind::Pdf),
            "image/png" => Some(FileKind::Png),
            "image/jpeg" => Some(FileKind::Jpeg),
            "image/webp" => Some(FileKind::Webp),
            // Everything else infer recognises (HTML, XML, scripts, archives, executables…) is refused.
            _ => None,
        };
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let inert = text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    let body = text.trim_start_matches('\u{feff}').trim_start();
    // Markup (HTML, SVG, XML) is not text to us, whatever it is called.
    if !inert || body.starts_with('<') {
        return None;
    }
    Some(if extension(name).as_deref() == Some("csv") { FileKind::Csv } else { FileKind::Text })
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// Longest name kept, in characters.
pub const NAME_MAX: usize = 120;

/// The name a file of `kind` is shown and downloaded under, from the name it was sent with.
pub fn display_name(sent: &str, kind: FileKind) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*' | '%') { '_' } else { c })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let mut name: String = trimmed.chars().take(NAME_MAX).collect();
    if name.is_empty() {
        name = "file".to_owned();
    }
    match extension(&name) {
        Some(ext) if kind.extensions().contains(&ext.as_str()) => name,
        _ => format!("{name}.{}", kind.extensions()[0]),
    }
}

/// `Content-Disposition: attachment` for `name` (RFC 6266): an ASCII `filename` fallback and the exact
/// name as `filename*` (RFC 8187, UTF-8, percent-encoded).
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in name.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => encoded.push(*byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

    #[test]
    /// Proves: DATA4
    fn types_come_from_the_bytes_never_from_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "x.txt"), Some(FileKind::Pdf));
        assert_eq!(sniff(PNG, "report.pdf"), Some(FileKind::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0", "a"), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 ", "a"), Some(FileKind::Webp));
        assert_eq!(sniff("name;amount\nÄpfel;3\n".as_bytes(), "list.csv"), Some(FileKind::Csv));
        assert_eq!(sniff(b"just words", "notes"), Some(FileKind::Text));
        assert_eq!(sniff(b"<!DOCTYPE html><script>alert(1)</script>", "invoice.pdf"), None, "HTML named .pdf");
        assert_eq!(sniff(b"  <svg xmlns=\"http://www.w3.org/2000/svg\"><script>x</script></svg>", "a.png"), None);
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><a/>", "a.txt"), None);
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0\x08\0", "a.csv"), None, "zip");
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", "a.pdf"), None, "executable");
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /\n", "a.txt"), None, "script");
        assert_eq!(sniff(b"a\0b", "a.txt"), None, "NUL");
        assert_eq!(sniff(b"\xff\xfe\xfa", "a.txt"), None, "not UTF-8");
        assert_eq!(sniff(b"", "a.txt"), None);
    }

    #[test]
    /// Proves: DATA4
    fn names_lose_their_path_and_end_in_what_the_file_is() {
        assert_eq!(display_name("../../x", FileKind::Text), "x.txt");
        assert_eq!(display_name("..\\..\\windows\\evil.pdf", FileKind::Pdf), "evil.pdf");
        assert_eq!(display_name("page.html", FileKind::Png), "page.html.png");
        assert_eq!(display_name("a\u{0}b\n\"c\".JPG", FileKind::Jpeg), "a_b__c_.JPG");
        assert_eq!(display_name("...", FileKind::Pdf), "file.pdf");
        assert_eq!(display_name(&"x".repeat(500), FileKind::Csv).chars().count(), NAME_MAX + 4);
        assert_eq!(display_name("Größe.csv", FileKind::Csv), "Größe.csv");
    }

    #[test]
    fn the_disposition_is_an_attachment_with_both_names() {
        assert_eq!(
            content_disposition("Größe 1.csv"),
            "attachment; filename=\"Gr__e 1.csv\"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%201.csv"
        );
    }
}
