//! Where log lines go: a buffer the request workers append to, written out by a thread
//! of its own every [`FLUSH_INTERVAL`] (or as soon as [`WRITE_AT`] bytes wait).
//!
//! A queue with a line per message (tracing-appender's) woke the writer thread for
//! nearly every line at thousands of requests a second: a futex wake and a context
//! switch per request, more than formatting the line. Here a worker takes an uncontended
//! lock and copies its line; the writer wakes on its clock. No line is ever dropped:
//! when [`BACKLOG`] bytes wait, workers wait for the writer.

use std::{
    io::Write,
    mem,
    sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError},
    thread::{self, JoinHandle},
    time::Duration,
};

use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait before it is written.
const FLUSH_INTERVAL: Duration = Duration::from_millis(20);
/// Waiting bytes that wake the writer before its time.
const WRITE_AT: usize = 256 * 1024;
/// Waiting bytes beyond which workers wait for the writer (nothing is dropped).
const BACKLOG: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    closing: bool,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when bytes reach [`WRITE_AT`], and at closing.
    ready: Condvar,
    /// Signalled when the writer has taken the bytes.
    taken: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A worker that panicked while holding the lock left whole lines: keep going.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The workers' side: a [`MakeWriter`] appending lines to the shared buffer.
#[derive(Clone)]
pub struct LineBuffer {
    shared: Arc<Shared>,
}

/// Writes out what waits and stops the writer thread when dropped: keep it until the
/// process ends.
pub struct WriterGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A buffer of lines, and the guard of the thread writing them to `out`.
pub fn off_workers(out: impl Write + Send + 'static) -> std::io::Result<(LineBuffer, WriterGuard)> {
    let shared = Arc::new(Shared::default());
    let thread = thread::Builder::new().name("hallpass-log".into()).spawn({
        let shared = Arc::clone(&shared);
        move || write_until_closed(&shared, out)
    })?;
    Ok((
        LineBuffer {
            shared: Arc::clone(&shared),
        },
        WriterGuard {
            shared,
            thread: Some(thread),
        },
    ))
}

/// The writer thread: takes what waits whenever it is due, writes it, until closing.
fn write_until_closed(shared: &Shared, mut out: impl Write) {
    let mut writing = Vec::new();
    loop {
        let closing = {
            let pending = shared.lock();
            let (mut pending, _) = shared
                .ready
                .wait_timeout_while(pending, FLUSH_INTERVAL, |pending| {
                    pending.bytes.len() < WRITE_AT && !pending.closing
                })
                .unwrap_or_else(PoisonError::into_inner);
            mem::swap(&mut pending.bytes, &mut writing);
            pending.closing
        };
        shared.taken.notify_all();
        if !writing.is_empty() {
            // Nowhere to report a failing log output: the lines are lost, not the server.
            let _ = out.write_all(&writing).and_then(|()| out.flush());
            writing.clear();
        }
        if closing {
            return;
        }
    }
}

impl Write for LineBuffer {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut pending = self.shared.lock();
        while pending.bytes.len() >= BACKLOG && !pending.closing {
            self.shared.ready.notify_one();
            pending = self
                .shared
                .taken
                .wait(pending)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let was = pending.bytes.len();
        pending.bytes.extend_from_slice(line);
        if was < WRITE_AT && pending.bytes.len() >= WRITE_AT {
            self.shared.ready.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LineBuffer {
    type Writer = LineBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.ready.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` whose bytes the test can read.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_guard_is_dropped() {
        let sink = Sink::default();
        let (lines, guard) = off_workers(sink.clone()).unwrap();
        // More than the backlog, from two threads: workers wait, nothing is dropped.
        let line = |thread: usize, i: usize| format!("{thread} {i:07} {}\n", "x".repeat(100));
        let count = 2 * BACKLOG / 100;
        let writers: Vec<_> = (0..2)
            .map(|thread| {
                let mut lines = lines.clone();
                std::thread::spawn(move || {
                    for i in 0..count {
                        lines.write_all(line(thread, i).as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        drop(guard);
        let written = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        for thread in 0..2 {
            let own: Vec<&str> = written
                .lines()
                .filter(|l| l.starts_with(&format!("{thread} ")))
                .collect();
            assert_eq!(own.len(), count, "thread {thread} lost lines");
            assert!(
                own.iter()
                    .enumerate()
                    .all(|(i, l)| l.as_bytes()[2..9].eq(format!("{i:07}").as_bytes()))
            );
        }
    }

    #[test]
    fn lines_are_written_within_the_interval_without_a_flush() {
        let sink = Sink::default();
        let (mut lines, _guard) = off_workers(sink.clone()).unwrap();
        lines.write_all(b"one line\n").unwrap();
        let waited = std::time::Instant::now();
        while sink.0.lock().unwrap().is_empty() {
            assert!(waited.elapsed() < Duration::from_secs(5), "never written");
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(sink.0.lock().unwrap().as_slice(), b"one line\n");
    }
}
