//! Work space and counters shared by a factorisation's concurrent solves
//! (docs/theory.md section 1: the solves of [`super::Factorization`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Buffers handed out to concurrent solves and given back, so repeated
/// solves reuse their memory: fresh buffers of tens of MB were mapped and
/// faulted in on every call on a 10^6-node network (77 000 to 98 000 page
/// faults per timed iteration of `imprint bench train`, its floor included;
/// 11 000 with the pools and the kept factorisation scratch). The pool
/// holds at most one buffer per concurrent use and keeps the largest sizes
/// asked for until the factorisation is dropped. A clone starts empty.
#[derive(Debug)]
pub(super) struct Pool<T>(Mutex<Vec<Vec<T>>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<T> Clone for Pool<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T: Clone> Pool<T> {
    /// An empty buffer with room for `capacity` elements: the free one of
    /// least capacity that holds them, else the largest (grown), else a new
    /// one.
    pub(super) fn take_empty(&self, capacity: usize) -> Vec<T> {
        let mut buffer = {
            let mut free = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let fits = (0..free.len())
                .filter(|&b| free[b].capacity() >= capacity)
                .min_by_key(|&b| free[b].capacity());
            let pick = fits.or_else(|| (0..free.len()).max_by_key(|&b| free[b].capacity()));
            pick.map(|b| free.swap_remove(b)).unwrap_or_default()
        };
        buffer.clear();
        buffer.reserve(capacity);
        buffer
    }

    /// A buffer of `len` copies of `fill` ([`Self::take_empty`], filled).
    pub(super) fn take(&self, len: usize, fill: T) -> Vec<T> {
        let mut buffer = self.take_empty(len);
        buffer.resize(len, fill);
        buffer
    }

    /// Drops every buffer held for later calls.
    pub(super) fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Returns a buffer for later calls.
    pub(super) fn give(&self, buffer: Vec<T>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buffer);
    }
}

/// A counter of solve pairs or residuals ([`Factorization::solve_pairs`],
/// [`Factorization::refinement_residuals`]); a clone
/// starts at zero, as its factorisation's solves are its own.
#[derive(Debug, Default)]
pub(super) struct SolveCount(AtomicUsize);

impl Clone for SolveCount {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl SolveCount {
    pub(super) fn add(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }

    pub(super) fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}
