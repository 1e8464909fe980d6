//! Calculations spread over every core of the machine: one contiguous chunk of the work
//! per core, answers in input order, a panic on any thread carried on to the caller.

/// The cores this process may use.
pub fn available() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// `work` over `items`, cut into one contiguous chunk per core (each chunk's answers in
/// its items' order, the chunks' in theirs). On the calling thread alone when there is
/// one core or fewer than `at_least` items.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], at_least: usize, work: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = available();
    if threads <= 1 || items.len() < at_least.max(2) {
        return work(items);
    }
    let work = &work;
    std::thread::scope(|scope| {
        let parts: Vec<_> =
            items.chunks(items.len().div_ceil(threads)).map(|part| scope.spawn(move || work(part))).collect();
        parts.into_iter().flat_map(|part| rejoin(part.join())).collect()
    })
}

/// `first` and `second` at the same time, `first` on a thread of its own (one after the
/// other when there is one core).
pub fn join<A: Send, B>(first: impl FnOnce() -> A + Send, second: impl FnOnce() -> B) -> (A, B) {
    if available() <= 1 {
        return (first(), second());
    }
    std::thread::scope(|scope| {
        let first = scope.spawn(first);
        let second = second();
        (rejoin(first.join()), second)
    })
}

/// A thread's answer, or its panic carried on.
fn rejoin<T>(result: std::thread::Result<T>) -> T {
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_in_input_order_whatever_the_chunks() {
        let items: Vec<u32> = (0..1_001).collect();
        for at_least in [0, 10, 5_000] {
            let doubled = map_chunks(&items, at_least, |part| part.iter().map(|n| n * 2).collect());
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert_eq!(join(|| 1, || 2), (1, 2));
    }

    #[test]
    #[should_panic(expected = "chunk failed")]
    fn a_panic_on_a_thread_reaches_the_caller() {
        let items: Vec<u32> = (0..100).collect();
        map_chunks(&items, 2, |part| {
            assert!(!part.contains(&99), "chunk failed");
            part.to_vec()
        });
    }
}
