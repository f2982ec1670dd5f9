//! The simulator's clock: wall time for timestamps and a time scale for scripted durations.

use std::time::Duration;

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

    /// Now, as Kubernetes writes timestamps (`2026-11-26T10:00:00Z`).
    pub fn now_rfc3339(&self) -> String {
        crate::store::now_rfc3339()
    }
}
