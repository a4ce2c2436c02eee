//! Independent pieces of work spread over the cores, their results in the order of the work:
//! what a run reports never depends on how many threads did it, nor on which finished first.
//!
//! `std::thread::scope` rather than a thread-pool crate: a run has one batch of work (the
//! configurations to judge), each piece a few tens of microseconds to a few milliseconds, so
//! threads that take the next piece from a shared counter keep every core busy until the end,
//! and the work may borrow the run's rules and settings without reference counting.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `work` applied to every item, on one thread per core
/// ([`std::thread::available_parallelism`]); the results in the order of `items`. A panic in
/// `work` is a panic here.
pub fn map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    map_on(threads, items, work)
}

/// [`map`] on at most `threads` threads: on the calling thread alone when that is one, or
/// there is one item.
pub fn map_on<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            return done;
                        };
                        done.push((index, work(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_work_on_any_number_of_threads() {
        let items: Vec<u64> = (0..500).collect();
        // Uneven pieces, so that threads finish out of order.
        let work = |n: &u64| {
            let spins = (n * 7919) % 2000;
            (0..spins).fold(*n, |acc, i| acc.wrapping_mul(31).wrapping_add(i)) ^ n
        };
        let sequential: Vec<u64> = items.iter().map(work).collect();
        for threads in [1, 2, 3, 8, 1000] {
            assert_eq!(
                map_on(threads, &items, work),
                sequential,
                "{threads} threads"
            );
        }
        assert!(map_on(4, &[] as &[u64], work).is_empty());
    }
}
