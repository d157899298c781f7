//! Where documents come from: lines of stdin or of files, or whole files.
//! Documents stream out one at a time, in input order, each with an id that
//! names its source (`stdin:3`, `notes.txt`, `notes.txt:12`).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

/// One document to classify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    /// Position among all documents read, from 0.
    pub index: usize,
    pub id: String,
    pub text: String,
}

/// A problem with one input that does not stop the run: it is reported, the
/// input is skipped, and the exit code says an error happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct InputError {
    pub location: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub fn parse(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::File(PathBuf::from(arg))
        }
    }

    fn name(&self) -> String {
        match self {
            Source::Stdin => "stdin".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    fn open(&self) -> std::io::Result<Box<dyn BufRead + Send>> {
        Ok(match self {
            Source::Stdin => Box::new(BufReader::new(std::io::stdin())),
            Source::File(p) => Box::new(BufReader::new(File::open(p)?)),
        })
    }
}

/// How a source is cut into documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// One document per non-blank line.
    Lines,
    /// The whole source is one document.
    Whole,
}

/// Streams documents from sources in order.
pub struct Docs {
    sources: std::vec::IntoIter<(Source, Split)>,
    current: Option<(String, Box<dyn BufRead + Send>)>,
    line: usize,
    next_index: usize,
    buf: Vec<u8>,
}

impl Docs {
    /// Stdin is read line by line; files are whole documents unless `lines`.
    pub fn new(sources: Vec<Source>, lines: bool) -> Self {
        let sources: Vec<(Source, Split)> = sources
            .into_iter()
            .map(|s| {
                let split = if lines || s == Source::Stdin { Split::Lines } else { Split::Whole };
                (s, split)
            })
            .collect();
        Docs { sources: sources.into_iter(), current: None, line: 0, next_index: 0, buf: Vec::new() }
    }

    fn doc(&mut self, id: String, text: String) -> Doc {
        let d = Doc { index: self.next_index, id, text };
        self.next_index += 1;
        d
    }
}

impl Iterator for Docs {
    type Item = Result<Doc, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((name, reader)) = &mut self.current {
                self.buf.clear();
                match reader.read_until(b'\n', &mut self.buf) {
                    Ok(0) => {
                        self.current = None;
                        continue;
                    }
                    Ok(_) => {
                        self.line += 1;
                        let location = format!("{name}:{}", self.line);
                        let mut bytes = &self.buf[..];
                        if let Some(b) = bytes.strip_suffix(b"\n") {
                            bytes = b;
                        }
                        if let Some(b) = bytes.strip_suffix(b"\r") {
                            bytes = b;
                        }
                        match std::str::from_utf8(bytes) {
                            Ok(text) if text.trim().is_empty() => continue,
                            Ok(text) => {
                                let text = text.to_string();
                                return Some(Ok(self.doc(location, text)));
                            }
                            Err(e) => {
                                return Some(Err(InputError {
                                    location,
                                    message: format!("not valid UTF-8 (byte {}); line skipped", e.valid_up_to() + 1),
                                }))
                            }
                        }
                    }
                    Err(e) => {
                        let location = format!("{name}:{}", self.line + 1);
                        self.current = None;
                        return Some(Err(InputError { location, message: format!("read error: {e}") }));
                    }
                }
            }
            let (source, split) = self.sources.next()?;
            let name = source.name();
            let reader = match source.open() {
                Ok(r) => r,
                Err(e) => return Some(Err(InputError { location: name, message: format!("cannot open: {e}") })),
            };
            match split {
                Split::Lines => {
                    self.current = Some((name, reader));
                    self.line = 0;
                }
                Split::Whole => {
                    let mut bytes = Vec::new();
                    let mut reader = reader;
                    if let Err(e) = reader.read_to_end(&mut bytes) {
                        return Some(Err(InputError { location: name, message: format!("read error: {e}") }));
                    }
                    return Some(match String::from_utf8(bytes) {
                        Ok(text) => Ok(self.doc(name, text)),
                        Err(e) => Err(InputError {
                            location: name,
                            message: format!(
                                "not valid UTF-8 (byte {}); file skipped",
                                e.utf8_error().valid_up_to() + 1
                            ),
                        }),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_numbers_and_skip_blanks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"one\r\n\n  \nfour\n\xff\xfe\nsix").unwrap();
        let docs: Vec<_> = Docs::new(vec![Source::File(p.clone())], true).collect();
        let name = p.display().to_string();
        assert_eq!(docs[0], Ok(Doc { index: 0, id: format!("{name}:1"), text: "one".into() }));
        assert_eq!(docs[1], Ok(Doc { index: 1, id: format!("{name}:4"), text: "four".into() }));
        assert!(matches!(&docs[2], Err(e) if e.location == format!("{name}:5")));
        assert_eq!(docs[3], Ok(Doc { index: 2, id: format!("{name}:6"), text: "six".into() }));
        let whole: Vec<_> = Docs::new(vec![Source::File(p)], false).collect();
        assert!(whole[0].is_err());
    }
}
