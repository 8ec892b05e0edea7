//! Exponential back-off with "equal jitter": 1 s, 2 s, 4 s … capped at 60 s, each wait
//! random between half the step and the whole step, so a fleet that lost its server does
//! not come back in lock-step and never spins in a tight loop.

use std::time::Duration;

use rand::Rng;

pub struct Backoff {
    attempt: u32,
    base: Duration,
    cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { attempt: 0, base: Duration::from_secs(1), cap: Duration::from_secs(60) }
    }
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff { attempt: 0, base, cap }
    }

    /// The next wait: uniform in [step/2, step], step = min(cap, base·2^attempt).
    pub fn next_delay(&mut self) -> Duration {
        let step = self.base.saturating_mul(1u32 << self.attempt.min(16)).min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let half = step / 2;
        half + Duration::from_millis(rand::rng().random_range(0..=half.as_millis() as u64))
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        let d: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        assert!(d[0] >= Duration::from_millis(500) && d[0] <= Duration::from_secs(1));
        assert!(d[3] >= Duration::from_secs(4) && d[3] <= Duration::from_secs(8));
        assert!(d[5] <= Duration::from_secs(8), "capped");
        assert!(d.iter().all(|x| *x >= Duration::from_millis(500)), "never a tight loop");
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }
}
