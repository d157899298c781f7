//! A NumPy `.npy` file: one float32 row per document, the row count written
//! into the header at the end.

use super::Render;
use crate::engine::Embedding;
use crate::input::Doc;

/// Size of the header we write: fixed, so the row count can be filled in at
/// the end without moving the data.
pub const HEADER: usize = 128;

/// A NumPy v1.0 header for a little-endian float32 array `rows x cols`.
pub fn header(rows: usize, cols: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    let len = HEADER - 10;
    h.extend_from_slice(&(len as u16).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    h.resize(HEADER - 1, b' ');
    h.push(b'\n');
    h
}

pub fn row(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub struct Embed {
    pub hidden: usize,
}

impl Render<Embedding> for Embed {
    fn preamble(&self) -> Vec<u8> {
        header(0, self.hidden)
    }

    fn record(&self, _: &Doc, e: &Embedding, _: usize) -> Vec<u8> {
        match e {
            Embedding::Pooled(v) => row(v),
            Embedding::Tokens(_) => unreachable!("config refuses .npy without --pool"),
        }
    }

    fn patch(&self, written: usize) -> Option<(u64, Vec<u8>)> {
        Some((0, header(written, self.hidden)))
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::Npy { cols: self.hidden }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_parsable() {
        let h = header(12345, 768);
        assert_eq!(h.len(), HEADER);
        assert_eq!(h.len() % 64, 0);
        let text = std::str::from_utf8(&h[10..]).unwrap();
        assert!(text.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (12345, 768), }"));
        assert!(text.ends_with('\n'));
    }
}
