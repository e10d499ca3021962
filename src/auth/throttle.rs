//! Login throttling: failed attempts are counted per (client address, tenant, username) and
//! per address, in memory, within a fixed window.
//!
//! Why it is shaped this way:
//! - Only failures count. A township office behind one address, where hundreds of staff log
//!   in every morning, is never throttled by successes.
//! - The guessing key includes the client address, so an attacker hammering a username
//!   blocks only themselves, not the real user logging in from elsewhere; and every block
//!   ends when its window does (`login_window`, five minutes by default).
//! - Attempts on a (address, tenant, username) key still being checked count against the
//!   limit with its failures, so a burst of parallel guesses cannot slip past it while the
//!   first ones are still hashing. Such a refusal is not a block: it says "retry in a second",
//!   not "in five minutes".
//! - IPv6 clients are counted by their /64 network: one host owns a whole /64.
//! - Memory is bounded: expired entries are pruned, and past `MAX_KEYS` the oldest go.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::config::Settings;

/// Most keys kept per map; about 100 bytes each.
const MAX_KEYS: usize = 100_000;
/// Expired entries are swept every this many attempts.
const SWEEP_EVERY: u64 = 1024;

pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_failures: u32,
    pub max_failures_per_ip: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    /// Failures in this window.
    count: u32,
    /// Attempts begun and not yet settled (user keys only).
    in_flight: u32,
}

type UserKey = (IpAddr, String, String);

#[derive(Default)]
struct Counters {
    by_user: HashMap<UserKey, Window>,
    by_ip: HashMap<IpAddr, Window>,
    attempts: u64,
}

pub struct LoginThrottle {
    limits: Limits,
    clock: Clock,
    counters: Mutex<Counters>,
}

/// A login attempt in progress. Report its outcome with `failed` or `succeeded`; dropped
/// without either (the database was unreachable), it is refunded.
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    key: UserKey,
    settled: bool,
}

impl LoginThrottle {
    pub fn new(settings: &Settings) -> LoginThrottle {
        LoginThrottle::with_clock(
            Limits {
                max_failures: settings.login_max_failures,
                max_failures_per_ip: settings.login_max_failures_per_ip,
                window: settings.login_window,
            },
            Arc::new(Instant::now),
        )
    }

    pub fn with_clock(limits: Limits, clock: Clock) -> LoginThrottle {
        LoginThrottle {
            limits,
            clock,
            counters: Mutex::new(Counters::default()),
        }
    }

    fn counters(&self) -> MutexGuard<'_, Counters> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts an attempt, or `Err(seconds)` until the caller may try again.
    pub fn begin(&self, ip: IpAddr, tenant: &str, username: &str) -> Result<Attempt<'_>, u64> {
        let now = (self.clock)();
        let ip = network(ip);
        let key = (ip, tenant.to_owned(), username.to_owned());
        let limits = self.limits;
        let mut counters = self.counters();
        counters.attempts += 1;
        if counters.attempts % SWEEP_EVERY == 0
            || counters.by_user.len() >= MAX_KEYS
            || counters.by_ip.len() >= MAX_KEYS
        {
            counters.sweep(now, limits.window);
        }
        let by_ip = current(&mut counters.by_ip, ip, now, limits.window);
        if by_ip.count >= limits.max_failures_per_ip {
            return Err(retry_after(by_ip, now, limits.window));
        }
        let by_user = current(&mut counters.by_user, key.clone(), now, limits.window);
        if by_user.count >= limits.max_failures {
            return Err(retry_after(by_user, now, limits.window));
        }
        if by_user.count + by_user.in_flight >= limits.max_failures {
            return Err(1);
        }
        by_user.in_flight += 1;
        Ok(Attempt {
            throttle: self,
            key,
            settled: false,
        })
    }

    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        let counters = self.counters();
        (counters.by_user.len(), counters.by_ip.len())
    }
}

impl Attempt<'_> {
    /// Wrong tenant, user or password: a failure for the key and for the address.
    pub fn failed(mut self) {
        self.settled = true;
        let throttle = self.throttle;
        let now = (throttle.clock)();
        let window = throttle.limits.window;
        let mut counters = throttle.counters();
        let by_user = current(&mut counters.by_user, self.key.clone(), now, window);
        by_user.in_flight = by_user.in_flight.saturating_sub(1);
        by_user.count += 1;
        current(&mut counters.by_ip, self.key.0, now, window).count += 1;
    }

    /// The right password: the key's failures are forgotten.
    pub fn succeeded(mut self) {
        self.settled = true;
        self.throttle.counters().by_user.remove(&self.key);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            if let Some(window) = self.throttle.counters().by_user.get_mut(&self.key) {
                window.in_flight = window.in_flight.saturating_sub(1);
            }
        }
    }
}

impl Counters {
    fn sweep(&mut self, now: Instant, window: Duration) {
        let live = |w: &Window| now.saturating_duration_since(w.started) < window;
        self.by_user.retain(|_, w| live(w));
        self.by_ip.retain(|_, w| live(w));
        evict_oldest(&mut self.by_user);
        evict_oldest(&mut self.by_ip);
    }
}

/// Past the cap even after the sweep (a flood from very many addresses): drop the oldest
/// half, which are the closest to expiring anyway.
fn evict_oldest<K: Clone + Eq + std::hash::Hash>(map: &mut HashMap<K, Window>) {
    if map.len() < MAX_KEYS {
        return;
    }
    let mut starts: Vec<Instant> = map.values().map(|w| w.started).collect();
    starts.sort_unstable();
    let cutoff = starts[starts.len() / 2];
    map.retain(|_, w| w.started > cutoff);
}

/// The key's window, restarted if the old one is over.
fn current<K: Eq + std::hash::Hash>(
    map: &mut HashMap<K, Window>,
    key: K,
    now: Instant,
    window: Duration,
) -> &mut Window {
    let entry = map.entry(key).or_insert(Window {
        started: now,
        count: 0,
        in_flight: 0,
    });
    if now.saturating_duration_since(entry.started) >= window {
        // A new window of failures; attempts still being checked stay in flight.
        *entry = Window {
            started: now,
            count: 0,
            in_flight: entry.in_flight,
        };
    }
    entry
}

fn retry_after(window: &Window, now: Instant, length: Duration) -> u64 {
    let left = (window.started + length).saturating_duration_since(now);
    // Round up: "try again in 0 seconds" would invite an immediate, refused retry.
    (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1)
}

/// The unit an attacker controls: an IPv4 address, or an IPv6 /64 network.
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        throttle: LoginThrottle,
        now: Arc<Mutex<Instant>>,
    }

    impl Fixture {
        fn new(max_failures: u32, max_failures_per_ip: u32) -> Fixture {
            let now = Arc::new(Mutex::new(Instant::now()));
            let clock_now = now.clone();
            let throttle = LoginThrottle::with_clock(
                Limits {
                    max_failures,
                    max_failures_per_ip,
                    window: Duration::from_secs(300),
                },
                Arc::new(move || *clock_now.lock().unwrap()),
            );
            Fixture { throttle, now }
        }

        fn advance(&self, seconds: u64) {
            *self.now.lock().unwrap() += Duration::from_secs(seconds);
        }

        fn fail(&self, ip: &str, user: &str) -> Result<(), u64> {
            self.throttle
                .begin(ip.parse().unwrap(), "xindai", user)
                .map(Attempt::failed)
        }

        fn succeed(&self, ip: &str, user: &str) -> Result<(), u64> {
            self.throttle
                .begin(ip.parse().unwrap(), "xindai", user)
                .map(Attempt::succeeded)
        }
    }

    #[test]
    fn a_guessed_username_is_blocked_after_the_limit_until_the_window_ends() {
        let f = Fixture::new(3, 100);
        for _ in 0..3 {
            f.fail("10.0.0.1", "admin").unwrap();
        }
        assert_eq!(f.fail("10.0.0.1", "admin"), Err(300));
        f.advance(100);
        assert_eq!(f.succeed("10.0.0.1", "admin"), Err(200));
        f.advance(200);
        f.succeed("10.0.0.1", "admin").unwrap();
    }

    #[test]
    fn the_real_user_elsewhere_and_other_users_are_not_locked_out() {
        let f = Fixture::new(3, 100);
        for _ in 0..5 {
            let _ = f.fail("203.0.113.9", "admin");
        }
        f.succeed("10.0.0.1", "admin").unwrap();
        f.succeed("203.0.113.9", "leader1").unwrap();
        // Another township's user of the same name is another key.
        f.throttle
            .begin("203.0.113.9".parse().unwrap(), "other", "admin")
            .unwrap()
            .succeeded();
    }

    #[test]
    fn successes_are_never_counted_and_clear_the_users_failures() {
        let f = Fixture::new(3, 5);
        for i in 0..1000 {
            f.succeed("10.0.0.1", &format!("staff{i}")).unwrap();
        }
        f.fail("10.0.0.1", "admin").unwrap();
        f.fail("10.0.0.1", "admin").unwrap();
        f.succeed("10.0.0.1", "admin").unwrap();
        for _ in 0..2 {
            f.fail("10.0.0.1", "admin").unwrap();
        }
        // Cleared by the success: two more failures are still allowed before the block.
        f.succeed("10.0.0.1", "admin").unwrap();
    }

    #[test]
    fn an_address_spraying_many_usernames_is_blocked() {
        let f = Fixture::new(3, 5);
        for i in 0..5 {
            f.fail("10.0.0.1", &format!("user{i}")).unwrap();
        }
        assert_eq!(f.fail("10.0.0.1", "someone-else"), Err(300));
        assert_eq!(f.succeed("10.0.0.1", "staff"), Err(300));
        f.succeed("10.0.0.2", "staff").unwrap();
        f.advance(301);
        f.succeed("10.0.0.1", "staff").unwrap();
    }

    #[test]
    fn parallel_attempts_cannot_exceed_the_limit_and_unsettled_ones_are_refunded() {
        let f = Fixture::new(3, 100);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = f.throttle.begin(ip, "xindai", "admin").unwrap();
        let b = f.throttle.begin(ip, "xindai", "admin").unwrap();
        let c = f.throttle.begin(ip, "xindai", "admin").unwrap();
        // Refused while the three are checked, but only for a moment: not a block.
        assert_eq!(f.throttle.begin(ip, "xindai", "admin").err(), Some(1));
        drop(c);
        let d = f.throttle.begin(ip, "xindai", "admin").unwrap();
        a.failed();
        b.failed();
        d.failed();
        assert_eq!(f.throttle.begin(ip, "xindai", "admin").err(), Some(300));
    }

    #[test]
    fn parallel_right_passwords_are_asked_to_retry_at_once_and_then_get_in() {
        let f = Fixture::new(3, 100);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let first: Vec<_> = (0..3)
            .map(|_| f.throttle.begin(ip, "xindai", "leader").unwrap())
            .collect();
        assert_eq!(f.throttle.begin(ip, "xindai", "leader").err(), Some(1));
        first.into_iter().for_each(Attempt::succeeded);
        for _ in 0..10 {
            f.succeed("10.0.0.1", "leader").unwrap();
        }
    }

    #[test]
    fn ipv6_hosts_are_counted_by_their_network() {
        let f = Fixture::new(2, 3);
        f.fail("2001:db8:1:2::1", "a").unwrap();
        f.fail("2001:db8:1:2::2", "b").unwrap();
        f.fail("2001:db8:1:2:ffff::3", "c").unwrap();
        assert!(f.fail("2001:db8:1:2::4", "d").is_err());
        f.succeed("2001:db8:1:3::1", "d").unwrap();
    }

    #[test]
    fn memory_stays_bounded() {
        let f = Fixture::new(3, 3);
        for i in 0..(MAX_KEYS as u32 + 10) {
            let ip = IpAddr::from(i.to_be_bytes());
            let _ = f.fail(&ip.to_string(), "admin");
        }
        let (users, ips) = f.throttle.len();
        assert!(users <= MAX_KEYS && ips <= MAX_KEYS, "{users} {ips}");
        f.advance(301);
        f.fail("10.9.9.9", "x").unwrap();
        for _ in 0..SWEEP_EVERY {
            let _ = f.succeed("10.9.9.9", "y");
        }
        let (users, ips) = f.throttle.len();
        assert!(users < 10 && ips < 10, "{users} {ips}");
    }
}
