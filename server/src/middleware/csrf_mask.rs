//! Masking of the CSRF token in pages, so that compressing HTML does not leak it (BREACH).
//!
//! A page that is compressed and carries both a secret and text an attacker can influence lets someone
//! who watches response sizes guess the secret a character at a time. Every HTML answer is compressed
//! (UX5), and every page carries the CSRF token. So the token is never written into a page as it is:
//! each render gets `base64url(pad ‖ pad ⊕ token)` with a fresh random pad, which differs in every
//! response while unmasking to the same token. A request presents the masked form (from a page, or the
//! WebAssembly client, which reads it from the page); [`unmask`] recovers the token for the
//! constant-time comparison. This is the defence Rails and Django use.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;

/// A fresh masked form of `token`.
pub fn mask(token: &str) -> String {
    let token = token.as_bytes();
    let mut pad = vec![0u8; token.len()];
    rand::rng().fill_bytes(&mut pad);
    let masked: Vec<u8> = pad.iter().zip(token).map(|(p, t)| p ^ t).collect();
    pad.extend_from_slice(&masked);
    URL_SAFE_NO_PAD.encode(pad)
}

/// The token a masked form stands for; `None` for anything [`mask`] cannot have made.
pub fn unmask(presented: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(presented).ok()?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, masked) = bytes.split_at(bytes.len() / 2);
    String::from_utf8(pad.iter().zip(masked).map(|(p, m)| p ^ m).collect()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_token_differs_every_time_and_unmasks_to_the_token() {
        let token = "r4nd0m.t0k3n-with_a.mac";
        let (first, second) = (mask(token), mask(token));
        assert_ne!(first, second, "a fresh pad each time");
        assert!(!first.contains(token), "the token never appears as it is");
        assert_eq!(unmask(&first).as_deref(), Some(token));
        assert_eq!(unmask(&second).as_deref(), Some(token));
    }

    #[test]
    fn what_mask_cannot_have_made_unmasks_to_nothing() {
        assert_eq!(unmask(""), None);
        assert_eq!(unmask("not base64!"), None);
        assert_eq!(unmask("AA"), None, "an odd number of bytes");
    }
}
