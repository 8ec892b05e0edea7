//! Progress coalescing: restic prints ~60 status lines a second, the server wants at most two.
//! Pure and clock-free (callers pass `now`), so it is tested without sleeping.

use std::time::{Duration, Instant};

/// Forwards the first item at once, then at most one per `interval`, always the latest; what
/// is held back can be taken with [`Coalescer::finish`] so the final state is never lost.
#[derive(Debug)]
pub struct Coalescer<T> {
    interval: Duration,
    last_sent: Option<Instant>,
    pending: Option<T>,
}

impl<T> Coalescer<T> {
    pub fn new(interval: Duration) -> Self {
        Self { interval, last_sent: None, pending: None }
    }

    /// A new item arrived at `now`: returns it if it may go out now, else keeps it (replacing
    /// any older held item) until [`Coalescer::due`].
    pub fn offer(&mut self, item: T, now: Instant) -> Option<T> {
        match self.last_sent {
            Some(t) if now < t + self.interval => {
                self.pending = Some(item);
                None
            }
            _ => {
                self.last_sent = Some(now);
                self.pending = None;
                Some(item)
            }
        }
    }

    /// The held item, if its time has come.
    pub fn due(&mut self, now: Instant) -> Option<T> {
        let deadline = self.deadline()?;
        if now >= deadline {
            self.last_sent = Some(now);
            self.pending.take()
        } else {
            None
        }
    }

    /// When the held item becomes due; `None` if nothing is held.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending.as_ref()?;
        // An item is only ever held after one was sent, so last_sent is set here.
        self.last_sent.map(|t| t + self.interval)
    }

    /// The held item regardless of time: the final state before a summary or at exit.
    pub fn finish(&mut self) -> Option<T> {
        self.pending.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HALF: Duration = Duration::from_millis(500);

    /// Feeds `n` items evenly over `span`, polling `due` before each like the runner's loop.
    fn feed(c: &mut Coalescer<u32>, t0: Instant, n: u32, span: Duration) -> Vec<(u32, Duration)> {
        let mut out = Vec::new();
        for i in 0..n {
            let now = t0 + span * i / n;
            if let Some(x) = c.due(now) {
                out.push((x, now - t0));
            }
            if let Some(x) = c.offer(i, now) {
                out.push((x, now - t0));
            }
        }
        out
    }

    #[test]
    fn sixty_lines_in_a_second_become_at_most_three_and_the_last_is_kept() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(HALF);
        let sent = feed(&mut c, t0, 60, Duration::from_secs(1));
        assert!(sent.len() <= 3 && sent.len() >= 2, "{sent:?}");
        assert_eq!(sent[0], (0, Duration::ZERO), "first goes out immediately");
        for w in sent.windows(2) {
            assert!(w[1].1 - w[0].1 >= HALF, "spacing {sent:?}");
        }
        assert_eq!(c.finish(), Some(59), "the final state is never dropped");
        assert_eq!(c.finish(), None);
    }

    #[test]
    fn held_item_is_the_latest_and_becomes_due_after_the_interval() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(HALF);
        assert_eq!(c.offer(1, t0), Some(1));
        assert_eq!(c.offer(2, t0 + Duration::from_millis(100)), None);
        assert_eq!(c.offer(3, t0 + Duration::from_millis(200)), None);
        assert_eq!(c.deadline(), Some(t0 + HALF));
        assert_eq!(c.due(t0 + Duration::from_millis(499)), None);
        assert_eq!(c.due(t0 + HALF), Some(3), "latest wins");
        assert_eq!(c.deadline(), None);
        // The next one must wait for another interval from the last send.
        assert_eq!(c.offer(4, t0 + Duration::from_millis(600)), None);
        assert_eq!(c.offer(5, t0 + Duration::from_millis(1000)), Some(5));
    }

    #[test]
    fn long_run_rate_is_bounded() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(HALF);
        let sent = feed(&mut c, t0, 600, Duration::from_secs(10));
        assert!(sent.len() <= 21, "{} forwarded in 10 s", sent.len());
        assert!(sent.len() >= 19, "{} forwarded in 10 s", sent.len());
    }
}
