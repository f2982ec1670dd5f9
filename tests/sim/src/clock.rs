//! The simulator's clock: timestamps (wall time, or from a fixed start) and a time scale for
//! scripted durations.

use std::sync::RwLock;
use std::time::{Duration, Instant};

/// A fixed start for the timestamps the simulator writes. Process-wide, because controllers
/// and the store stamp objects through [`now`] without a handle to their simulator.
static START: RwLock<Option<Start>> = RwLock::new(None);

#[derive(Clone, Copy, Debug)]
struct Start {
    at: jiff::Timestamp,
    since: Instant,
    time_scale: f64,
}

/// Makes every timestamp the simulator writes from now on start at `at` and advance by
/// simulated time (real time divided by `time_scale`; with a zero scale the clock stands
/// still at `at`), so transcripts of a run are reproducible. Applies to the whole process.
pub fn start_at(at: jiff::Timestamp, time_scale: f64) {
    let start = Start {
        at,
        since: Instant::now(),
        time_scale: SimClock::new(time_scale).time_scale,
    };
    *START.write().unwrap_or_else(|e| e.into_inner()) = Some(start);
}

/// Now in the simulated cluster: wall time, or the fixed start plus simulated time.
pub fn now() -> jiff::Timestamp {
    let start = *START.read().unwrap_or_else(|e| e.into_inner());
    let Some(start) = start else {
        return jiff::Timestamp::now();
    };
    if start.time_scale == 0.0 {
        return start.at;
    }
    let elapsed = start.since.elapsed().div_f64(start.time_scale);
    jiff::SignedDuration::try_from(elapsed)
        .ok()
        .and_then(|d| start.at.checked_add(d).ok())
        .unwrap_or(start.at)
}

/// The real time that has passed since the simulated instant `ts`, less one second of
/// timestamp precision: simulated time times the time scale with a fixed start, wall time
/// otherwise. Zero for an instant in the future.
pub fn real_time_since(ts: jiff::Timestamp) -> Duration {
    let start = *START.read().unwrap_or_else(|e| e.into_inner());
    let simulated = now()
        .duration_since(ts)
        .checked_sub(jiff::SignedDuration::from_secs(1))
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or_default();
    match start {
        Some(s) => simulated.mul_f64(s.time_scale),
        None => simulated,
    }
}

/// [`now`] as Kubernetes writes timestamps: RFC 3339, second precision (`2026-11-26T10:00:00Z`).
pub fn now_rfc3339() -> String {
    let now = now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Real time passed since `at`, a timestamp of this simulator (e.g. a creationTimestamp):
/// simulated time times the time scale when timestamps run on simulated time ([`start_at`]),
/// else wall time. Zero for a future `at`.
pub fn real_since(at: jiff::Timestamp) -> Duration {
    let start = *START.read().unwrap_or_else(|e| e.into_inner());
    let passed = Duration::try_from(now().duration_since(at)).unwrap_or_default();
    match start {
        Some(s) => passed.mul_f64(s.time_scale),
        None => passed,
    }
}

/// Scripted durations (controller delays, deadlines) are multiplied by `time_scale`;
/// tests use 0.01 or 0 so a "3s" restore takes 30ms or nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimClock {
    pub time_scale: f64,
}

impl Default for SimClock {
    fn default() -> Self {
        SimClock { time_scale: 1.0 }
    }
}

impl SimClock {
    pub fn new(time_scale: f64) -> Self {
        SimClock {
            time_scale: if time_scale.is_finite() && time_scale >= 0.0 {
                time_scale
            } else {
                1.0
            },
        }
    }

    /// A scripted duration in real time.
    pub fn scaled(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale)
    }

    /// Sleep for a scripted duration (returns at once with a zero scale).
    pub async fn sleep(&self, d: Duration) {
        let real = self.scaled(d);
        if !real.is_zero() {
            tokio::time::sleep(real).await;
        }
    }

    /// Now in the simulated cluster (see [`now`]).
    pub fn now(&self) -> jiff::Timestamp {
        now()
    }

    /// Now, as Kubernetes writes timestamps (`2026-11-26T10:00:00Z`).
    pub fn now_rfc3339(&self) -> String {
        now_rfc3339()
    }
}
