//! Streaming documents through a scorer in bounded windows: a reader thread
//! parses input ahead (so a slow producer on stdin still gets prompt answers),
//! the caller's scorer takes whatever is ready up to a window at a time, and
//! results are emitted in input order.

use std::sync::mpsc;

use anyhow::Result;

use crate::input::{Doc, ErrorKind, InputError};

/// What a streaming run reports. Items carry their position in the input
/// (`seq`, counting documents and bad records alike); documents come in order.
pub enum Event<R> {
    Scored { seq: usize, doc: Doc, result: R },
    /// A non-fatal input problem (skipped row, unreadable input).
    InputError { seq: usize, error: InputError },
    /// Everything received so far has been emitted: a safe point to checkpoint.
    WindowDone,
}

/// Runs `score` over windows of at most `window` documents. A fatal input
/// error ends the run after the documents before it are emitted.
pub fn stream<I, R>(
    items: I,
    window: usize,
    mut score: impl FnMut(&[Doc]) -> Result<Vec<R>>,
    mut emit: impl FnMut(Event<R>) -> Result<()>,
) -> Result<()>
where
    I: Iterator<Item = (usize, Result<Doc, InputError>)> + Send + 'static,
{
    let window = window.max(1);
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<Doc, InputError>)>(window * 2);
    // Not joined: if we stop early (an error, a closed stdout) the reader may be
    // blocked on a terminal; it ends with the process.
    std::thread::spawn(move || {
        for item in items {
            if tx.send(item).is_err() {
                break;
            }
        }
    });
    let mut docs: Vec<Doc> = Vec::new();
    let mut seqs: Vec<usize> = Vec::new();
    let mut fatal: Option<InputError> = None;
    let mut done = false;
    while !done {
        let mut take = |item: (usize, Result<Doc, InputError>), docs: &mut Vec<Doc>, seqs: &mut Vec<usize>| {
            match item {
                (seq, Ok(doc)) => {
                    docs.push(doc);
                    seqs.push(seq);
                }
                (_, Err(error)) if error.kind == ErrorKind::Fatal => return Ok(Some(error)),
                (seq, Err(error)) => emit(Event::InputError { seq, error })?,
            }
            anyhow::Ok(None)
        };
        // Block for the first item, then take what is already waiting.
        match rx.recv() {
            Ok(item) => fatal = take(item, &mut docs, &mut seqs)?,
            Err(_) => done = true,
        }
        while !done && docs.len() < window && fatal.is_none() {
            match rx.try_recv() {
                Ok(item) => fatal = take(item, &mut docs, &mut seqs)?,
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => done = true,
            }
        }
        if !docs.is_empty() {
            let results = score(&docs)?;
            for ((seq, doc), result) in seqs.drain(..).zip(docs.drain(..)).zip(results) {
                emit(Event::Scored { seq, doc, result })?;
            }
        }
        emit(Event::WindowDone)?;
        if let Some(e) = fatal.take() {
            return Err(e.into());
        }
    }
    Ok(())
}
