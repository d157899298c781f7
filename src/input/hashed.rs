//! A reader that hashes every byte as it is consumed, so a checkpoint can
//! record a fingerprint of exactly the input read so far and `--resume` can
//! prove it is reading the same input (stdin included).
//!
//! xxh3 (xxhash-rust): fast enough to hash every input byte; it guards against
//! accidental changes, not adversaries.

use std::io::{BufRead, Read};
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::Xxh3;

/// The running hash of all input consumed, shared by the readers of each
/// source in turn.
#[derive(Clone)]
pub struct InputHash(Arc<Mutex<(Xxh3, u64)>>);

impl Default for InputHash {
    fn default() -> Self {
        InputHash(Arc::new(Mutex::new((Xxh3::new(), 0))))
    }
}

impl InputHash {
    fn update(&self, bytes: &[u8]) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.0.update(bytes);
        g.1 += bytes.len() as u64;
    }

    /// Bytes consumed so far and their hash.
    pub fn position(&self) -> Position {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Position { bytes: g.1, digest: g.0.digest() }
    }
}

/// How far into the input, and a fingerprint of everything before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub bytes: u64,
    pub digest: u64,
}

/// `BufRead` over `inner` that feeds consumed bytes to the hash.
pub struct Hashed<R> {
    inner: R,
    hash: InputHash,
}

impl<R: BufRead> Hashed<R> {
    pub fn new(inner: R, hash: InputHash) -> Self {
        Hashed { inner, hash }
    }
}

impl<R: BufRead> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Hashed<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // Nothing to hash: do not ask for more (at the end of a terminal's
        // input another read would wait for the next line).
        if amt == 0 {
            return;
        }
        // `amt` bytes are buffered, so this returns them without reading.
        if let Ok(buf) = self.inner.fill_buf() {
            self.hash.update(&buf[..amt.min(buf.len())]);
        }
        self.inner.consume(amt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_what_is_consumed_not_what_is_buffered() {
        let (h1, h2) = (InputHash::default(), InputHash::default());
        let mut a = Hashed::new(std::io::BufReader::with_capacity(4, &b"hello world"[..]), h1.clone());
        let mut line = Vec::new();
        a.read_until(b' ', &mut line).unwrap();
        let mut b = Hashed::new(&b"hello there"[..], h2.clone());
        let mut line2 = Vec::new();
        b.read_until(b' ', &mut line2).unwrap();
        assert_eq!(h1.position(), h2.position());
        assert_eq!(h1.position().bytes, 6);
        let mut rest = Vec::new();
        a.read_to_end(&mut rest).unwrap();
        b.read_to_end(&mut rest).unwrap();
        assert_ne!(h1.position().digest, h2.position().digest);
    }
}
