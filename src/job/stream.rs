//! Streaming documents through a scorer in bounded windows: a reader thread
//! parses input ahead (so a slow producer on stdin still gets prompt answers),
//! the caller's scorer takes whatever is ready up to a window at a time, and
//! results are emitted in input order.
//!
//! Memory is bounded by count and by bytes: at most `window` documents are
//! scored at once, and the reader stops reading ahead once the documents in
//! flight hold [`IN_FLIGHT_BYTES`] (one enormous document still goes alone).

use std::sync::{mpsc, Arc, Condvar, Mutex};

use anyhow::Result;

use crate::input::{Doc, ErrorKind, InputError};

/// Text held by documents read but not yet written, before the reader waits.
pub const IN_FLIGHT_BYTES: usize = 64 << 20;

/// Most documents queued between the reader and the scorer.
const QUEUE: usize = 1024;

/// What a streaming run reports. Items carry their position in the input
/// (`seq`, counting documents and bad records alike); documents come in order.
pub enum Event<R> {
    Scored { seq: usize, doc: Doc, result: R },
    /// A non-fatal input problem (skipped row, unreadable input).
    InputError { seq: usize, error: InputError },
    /// Everything received so far has been emitted: a safe point to checkpoint.
    WindowDone,
    /// The first input item arrived (once).
    Started,
}

/// Bytes of documents in flight, and a way to wait for room.
#[derive(Default)]
struct Budget {
    used: Mutex<usize>,
    freed: Condvar,
}

impl Budget {
    fn take(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + n > IN_FLIGHT_BYTES {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += n;
    }

    fn give(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(n);
        self.freed.notify_all();
    }
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
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<Doc, InputError>, usize)>(QUEUE.min(window * 2));
    let budget = Arc::new(Budget::default());
    let reader_budget = budget.clone();
    // Not joined: if we stop early (an error, a closed stdout) the reader may be
    // blocked on a terminal; it ends with the process.
    std::thread::spawn(move || {
        for (seq, item) in items {
            let weight = item.as_ref().map_or(0, Doc::weight);
            reader_budget.take(weight);
            if tx.send((seq, item, weight)).is_err() {
                break;
            }
        }
    });
    let mut docs: Vec<Doc> = Vec::new();
    let mut seqs: Vec<(usize, usize)> = Vec::new();
    let mut fatal: Option<InputError> = None;
    let mut done = false;
    let mut started = false;
    while !done {
        // Block for the first item, then take what is already waiting.
        let first = rx.recv();
        if !started {
            started = true;
            emit(Event::Started)?;
        }
        let mut take = |item: (usize, Result<Doc, InputError>, usize), docs: &mut Vec<Doc>, seqs: &mut Vec<(usize, usize)>| {
            match item {
                (seq, Ok(doc), weight) => {
                    docs.push(doc);
                    seqs.push((seq, weight));
                }
                (_, Err(error), _) if error.kind == ErrorKind::Fatal => return Ok(Some(error)),
                (seq, Err(error), _) => emit(Event::InputError { seq, error })?,
            }
            anyhow::Ok(None)
        };
        match first {
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
            for (((seq, weight), mut doc), result) in seqs.drain(..).zip(docs.drain(..)).zip(results) {
                // The text is scored; writing needs only the id and the raw record.
                doc.text = String::new();
                doc.pair = None;
                emit(Event::Scored { seq, doc, result })?;
                budget.give(weight);
            }
        }
        emit(Event::WindowDone)?;
        if let Some(e) = fatal.take() {
            return Err(e.into());
        }
    }
    Ok(())
}
