//! Tamper tests of the backup file format: every change to a file makes it refused.

use super::*;

fn header() -> Header {
    Header {
        backup_id: uuid::Uuid::new_v4(),
        scope: Scope::Workspace(uuid::Uuid::new_v4()),
        source: Source::Sqlite,
        taken_at: Utc::now(),
        key: WrappedKey::WorkspaceDataKey { version: 1, sealed: "x".into() },
        nonce: random_nonce(),
        compression: "zstd".into(),
        chunk_bytes: CHUNK_BYTES as u32,
    }
}

/// Data that compresses to several chunks (random bytes do not compress).
fn data(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
    bytes
}

fn sealed(plain: &[u8], key: &[u8; 32]) -> (Header, Vec<u8>) {
    let header = header();
    let (file, _) = seal(plain, Vec::new(), &header, key, BTreeMap::new(), &|_| {}).unwrap();
    (header, file)
}

fn opened(file: &[u8], key: &[u8; 32]) -> Result<Vec<u8>, String> {
    let mut input = file;
    let (header, aad) = read_header(&mut input).map_err(|e| e.to_string())?;
    open(input, Vec::new(), &header, aad, key, &|_| {}).map(|(out, _)| out).map_err(|e| e.to_string())
}

/// The byte offset and length of each frame.
fn frames(file: &[u8]) -> Vec<(usize, usize)> {
    let mut input = file;
    read_header(&mut input).unwrap();
    let mut at = file.len() - input.len();
    let mut frames = Vec::new();
    while at < file.len() {
        let len = (u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) & !LAST) as usize;
        frames.push((at, 4 + len));
        at += 4 + len;
    }
    frames
}

#[test]
fn a_backup_opens_with_its_key_and_the_manifest_describes_it() {
    let key = rand::random::<[u8; 32]>();
    let mut plain = data(CHUNK_BYTES * 2 + 1234);
    plain.extend(std::iter::repeat_n(b'a', 3 * CHUNK_BYTES)); // compressible too
    let header = header();
    let (file, manifest) = seal(&plain[..], Vec::new(), &header, &key, BTreeMap::new(), &|_| {}).unwrap();
    assert_eq!(manifest.snapshot_bytes, plain.len() as u64);
    assert!(file.len() < plain.len(), "compressed");
    assert_eq!(opened(&file, &key).unwrap(), plain);
    assert!(opened(&file, &rand::random()).is_err(), "another key");
    let empty = sealed(b"", &key).1;
    assert_eq!(opened(&empty, &key).unwrap(), b"");
}

#[test]
/// Proves: OPS1
fn a_flipped_byte_anywhere_makes_the_backup_refused() {
    let key = rand::random::<[u8; 32]>();
    let plain = data(CHUNK_BYTES * 2 + 99);
    let (_, file) = sealed(&plain, &key);
    let header_end = frames(&file)[0].0;
    // In the header (its JSON), in each frame's length, in the ciphertext, in a tag.
    let mut spots = vec![20, header_end - 2, header_end + 1, header_end + 100, file.len() - 1];
    for (at, len) in frames(&file) {
        spots.extend([at + 3, at + len / 2, at + len - 1]);
    }
    for spot in spots {
        let mut bad = file.clone();
        bad[spot] ^= 0x01;
        assert!(opened(&bad, &key).is_err(), "a flipped bit at {spot} of {} went unnoticed", file.len());
    }
}

#[test]
/// Proves: OPS1
fn a_truncated_backup_is_refused() {
    let key = rand::random::<[u8; 32]>();
    let plain = data(CHUNK_BYTES * 3);
    let (_, file) = sealed(&plain, &key);
    let frames = frames(&file);
    // Cut at every frame boundary (a whole number of valid chunks) and inside frames.
    let mut cuts: Vec<usize> = frames.iter().map(|(at, _)| *at).collect();
    cuts.extend([file.len() - 1, frames[1].0 + 10, 5]);
    for cut in cuts {
        assert!(opened(&file[..cut], &key).is_err(), "a backup cut at {cut} of {} was accepted", file.len());
    }
    let mut longer = file.clone();
    longer.push(0);
    assert_eq!(opened(&longer, &key).unwrap_err(), FormatError::TrailingData.to_string());
}

#[test]
/// Proves: OPS1
fn swapped_reordered_or_spliced_chunks_are_refused() {
    let key = rand::random::<[u8; 32]>();
    let (_, file) = sealed(&data(CHUNK_BYTES * 3), &key);
    let f = frames(&file);
    assert_eq!(f.len(), 5, "4 data chunks (3 and a bit, as random data grows a little) and the manifest");
    let piece = |i: usize| &file[f[i].0..f[i].0 + f[i].1];
    let head = &file[..f[0].0];
    let assemble = |order: &[usize]| {
        let mut out = head.to_vec();
        for i in order {
            out.extend_from_slice(piece(*i));
        }
        out
    };
    assert_eq!(opened(&assemble(&[0, 1, 2, 3, 4]), &key).unwrap().len(), CHUNK_BYTES * 3, "reassembled as is");
    for order in [&[1, 0, 2, 3, 4][..], &[0, 2, 1, 3, 4], &[0, 1, 3, 2, 4], &[0, 1, 2, 4], &[0, 0, 1, 2, 3, 4]] {
        assert!(opened(&assemble(order), &key).is_err(), "chunks in order {order:?} were accepted");
    }
    // A chunk from another backup made with the same key (and so only a different nonce) does not fit.
    let (_, other) = sealed(&data(CHUNK_BYTES * 3), &key);
    let g = frames(&other);
    let mut spliced = assemble(&[0]);
    spliced.extend_from_slice(&other[g[1].0..g[1].0 + g[1].1]);
    for i in [2, 3, 4] {
        spliced.extend_from_slice(piece(i));
    }
    assert!(opened(&spliced, &key).is_err());
    // Another file's header in front of these chunks (say, to change which workspace it belongs to).
    let mut reheaded = other[..g[0].0].to_vec();
    reheaded.extend_from_slice(&file[f[0].0..]);
    assert!(opened(&reheaded, &key).is_err());
}

#[test]
fn streaming_holds_one_chunk_at_a_time() {
    // The writer never holds more than a chunk, whatever it is given.
    let key = rand::random::<[u8; 32]>();
    let mut writer = ChunkWriter::new(Vec::new(), &key, [0; NONCE_BYTES], [0; 32]);
    let big = data(CHUNK_BYTES * 4 + 5);
    writer.write_all(&big).unwrap();
    assert!(writer.buffer.capacity() <= CHUNK_BYTES * 2);
    assert_eq!(writer.chunks, 4);
}
