//! Proof of work: after repeated failed sign-ins, the server asks the browser to find a number that,
//! hashed with a server-issued challenge, gives a SHA-256 with enough leading zero bits. A person waits a
//! fraction of a second once; a password-guessing script pays that for every guess. Self-hosted: no
//! third-party CAPTCHA sees our users.
//!
//! The browser (WebAssembly) solves with [`solve`]; the server checks with [`leading_zero_bits`].

use sha2::{Digest as _, Sha256};

/// The hash a solution is judged by: SHA-256 of `challenge:solution`.
pub fn digest(challenge: &str, solution: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(challenge.as_bytes());
    hasher.update(b":");
    hasher.update(solution.to_string().as_bytes());
    hasher.finalize().into()
}

pub fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

/// Whether `solution` solves `challenge` at `difficulty` bits.
pub fn is_solution(challenge: &str, difficulty: u8, solution: u64) -> bool {
    leading_zero_bits(&digest(challenge, solution)) >= u32::from(difficulty)
}

/// Finds a solution by counting up from zero (expected 2^difficulty hashes).
pub fn solve(challenge: &str, difficulty: u8) -> u64 {
    (0..).find(|candidate| is_solution(challenge, difficulty, *candidate)).expect("a solution exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bits_are_counted_across_bytes() {
        assert_eq!(leading_zero_bits(&[0, 0, 0b0001_0000]), 19);
        assert_eq!(leading_zero_bits(&[0b1000_0000]), 0);
    }

    #[test]
    /// Proves: ID6
    fn solutions_are_found_and_checked() {
        let solution = solve("challenge", 10);
        assert!(is_solution("challenge", 10, solution));
        let unsolved = (0..).find(|c| !is_solution("challenge", 10, *c)).unwrap();
        assert!(!is_solution("challenge", 10, unsolved));
    }
}
