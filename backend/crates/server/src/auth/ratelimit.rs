//! Failed-login rate limiting per account and per source IP, in memory (per replica).
//! A sliding window of failure times per key; a key at its limit is refused until its
//! oldest failure leaves the window, and the refusal says how long that is.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct LoginLimiter {
    window: Duration,
    per_account: u32,
    per_ip: u32,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(window: Duration, per_account: u32, per_ip: u32) -> Self {
        Self { window, per_account, per_ip, failures: Mutex::new(HashMap::new()) }
    }

    fn keys(account: &str, ip: Option<&str>) -> [Option<String>; 2] {
        [Some(format!("acct:{}", account.to_lowercase())), ip.map(|ip| format!("ip:{ip}"))]
    }

    /// `Err(wait)` when either the account or the IP is at its limit.
    pub fn check(&self, account: &str, ip: Option<&str>) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else { return Ok(()) };
        let mut wait = Duration::ZERO;
        for (key, limit) in Self::keys(account, ip).into_iter().zip([self.per_account, self.per_ip])
        {
            let Some(key) = key else { continue };
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                    q.pop_front();
                }
                if q.len() as u32 >= limit
                    && let Some(oldest) = q.front()
                {
                    wait = wait.max(self.window - now.duration_since(*oldest));
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    pub fn record_failure(&self, account: &str, ip: Option<&str>) {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() > 100_000 {
            // Bounded memory under a spray of usernames: drop what has expired.
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        for key in Self::keys(account, ip).into_iter().flatten() {
            let q = map.entry(key).or_default();
            q.push_back(now);
            if q.len() > 1000 {
                q.pop_front();
            }
        }
    }

    /// A successful login clears the account's failures (not the IP's).
    pub fn record_success(&self, account: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("acct:{}", account.to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_ip_limits() {
        let l = LoginLimiter::new(Duration::from_secs(60), 2, 3);
        l.record_failure("alice", Some("1.1.1.1"));
        assert!(l.check("alice", Some("1.1.1.1")).is_ok());
        l.record_failure("Alice", Some("1.1.1.1"));
        let wait = l.check("alice", Some("2.2.2.2")).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(55));
        // Another account from the same IP: one more failure trips the IP limit.
        assert!(l.check("bob", Some("1.1.1.1")).is_ok());
        l.record_failure("bob", Some("1.1.1.1"));
        assert!(l.check("carol", Some("1.1.1.1")).is_err());
        assert!(l.check("carol", Some("3.3.3.3")).is_ok());
        l.record_success("alice");
        assert!(l.check("alice", Some("4.4.4.4")).is_ok());
    }
}

/// A plain sliding-window limit per key (e.g. agent announcements per source IP).
pub struct Window {
    window: Duration,
    limit: u32,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Window {
    pub fn new(window: Duration, limit: u32) -> Self {
        Self { window, limit, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts a hit; `Err(wait)` (and no count) when the key is at its limit.
    pub fn hit(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut map) = self.hits.lock() else { return Ok(()) };
        if map.len() > 100_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let q = map.entry(key.to_string()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            q.pop_front();
        }
        if q.len() as u32 >= self.limit {
            let oldest = q.front().copied().unwrap_or(now);
            return Err(self
                .window
                .saturating_sub(now.duration_since(oldest))
                .max(Duration::from_secs(1)));
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;

    #[test]
    fn window_limits_per_key() {
        let w = Window::new(Duration::from_secs(3600), 2);
        assert!(w.hit("a").is_ok() && w.hit("a").is_ok());
        assert!(w.hit("a").unwrap_err() > Duration::from_secs(3500));
        assert!(w.hit("b").is_ok());
    }
}
