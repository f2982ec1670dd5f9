//! One listener for SIGINT, SIGTERM and SIGHUP for the rest of the run, installed by the
//! first write or wait.
//!
//! Before any write or wait, the signals keep their default effect (the process ends; nothing
//! is half done that a message could explain). Once armed, tokio keeps the handlers for good,
//! so every later signal must be noticed by someone: waits end with "what continues", retry
//! pauses stop and the next write is not sent. `timeout` and CI cancellation send SIGTERM, an
//! SSH drop SIGHUP: they are handled exactly like Ctrl-C, only the exit code differs
//! (128 + the signal's number, as shells report it). The listener lives on the current
//! thread's runtime (the binary runs a current-thread runtime; each test its own).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// How long the plugin spends putting a VM back after a signal, at most.
pub const RECOVERY_BOUND: Duration = Duration::from_secs(5);

/// The signal that stopped the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: `timeout`, `kill`, a CI job cancelled.
    Terminate,
    /// SIGHUP: the terminal or SSH session went away.
    Hangup,
}

impl Signal {
    /// The signal's number on Linux and macOS.
    pub fn number(self) -> i32 {
        match self {
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
            Signal::Hangup => 1,
        }
    }

    /// 128 + the signal's number: 130, 143, 129.
    pub fn exit_code(self) -> i32 {
        128 + self.number()
    }

    /// How messages name it: "Ctrl-C", "SIGTERM", "SIGHUP".
    pub fn cause(self) -> &'static str {
        match self {
            Signal::Interrupt => "Ctrl-C",
            Signal::Terminate => "SIGTERM",
            Signal::Hangup => "SIGHUP",
        }
    }
}

thread_local! {
    static FLAG: RefCell<Option<watch::Receiver<Option<Signal>>>> = const { RefCell::new(None) };
    static RECOVERING: Cell<bool> = const { Cell::new(false) };
}

/// Takes over SIGINT, SIGTERM and SIGHUP (once per runtime thread) and returns the flag. The
/// handlers are installed before this returns, so a signal right after is not lost.
pub fn arm() -> watch::Receiver<Option<Signal>> {
    FLAG.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some(rx) = slot.as_ref().filter(|rx| rx.has_changed().is_ok()) {
            return rx.clone();
        }
        let (tx, rx) = watch::channel(None);
        listen(tx);
        *slot = Some(rx.clone());
        rx
    })
}

/// Registers the handlers now and spawns the task that records the first signal. Later
/// signals change nothing, but must not fall back to the default effect either.
#[cfg(unix)]
fn listen(tx: watch::Sender<Option<Signal>>) {
    use tokio::signal::unix::{SignalKind, signal};
    // Creating each stream registers its handler. One that cannot be registered keeps its
    // default effect, which is what happened before this listener existed.
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    async fn next(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
        match s {
            Some(s) => s.recv().await,
            None => std::future::pending().await,
        }
    }
    tokio::spawn(async move {
        loop {
            let got = tokio::select! {
                Some(()) = next(&mut int) => Signal::Interrupt,
                Some(()) = next(&mut term) => Signal::Terminate,
                Some(()) = next(&mut hup) => Signal::Hangup,
                else => return,
            };
            tx.send_if_modified(|seen| {
                let first = seen.is_none();
                if first {
                    *seen = Some(got);
                }
                first
            });
        }
    });
}

#[cfg(not(unix))]
fn listen(tx: watch::Sender<Option<Signal>>) {
    use futures::FutureExt as _;
    let mut first = Box::pin(tokio::signal::ctrl_c());
    // The first poll registers the handler.
    let already = first.as_mut().now_or_never().is_some();
    if already {
        let _ = tx.send(Some(Signal::Interrupt));
    }
    tokio::spawn(async move {
        if !already && first.await.is_ok() {
            let _ = tx.send(Some(Signal::Interrupt));
        }
        while tokio::signal::ctrl_c().await.is_ok() {}
    });
}

/// Whether a write or wait has taken over the signals on this thread.
pub fn armed() -> Option<watch::Receiver<Option<Signal>>> {
    FLAG.with(|cell| cell.borrow().clone())
}

/// The signal received on this thread, if any.
pub fn received() -> Option<Signal> {
    armed().and_then(|rx| *rx.borrow())
}

/// The signal that must stop the next write or retry: the one received, unless the command
/// is putting a VM back as it was ([`recover`]).
pub fn stopping() -> Option<Signal> {
    received().filter(|_| !recovering())
}

/// Whether the command is putting a VM back as it was ([`recover`]).
pub fn recovering() -> bool {
    RECOVERING.with(Cell::get)
}

/// Resolves with the signal once one has been received (never, if the listener is gone).
pub async fn pressed(mut rx: watch::Receiver<Option<Signal>>) -> Signal {
    loop {
        if let Some(sig) = *rx.borrow_and_update() {
            return sig;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Runs `undo` (the writes that put a VM back as it was after a signal) with writes allowed
/// again, for at most [`RECOVERY_BOUND`]; None when the bound passed first.
pub async fn recover<T>(undo: impl Future<Output = T>) -> Option<T> {
    RECOVERING.with(|r| r.set(true));
    let out = tokio::time::timeout(RECOVERY_BOUND, undo).await.ok();
    RECOVERING.with(|r| r.set(false));
    out
}

/// A request given up because of a signal: a write not sent, or a retry not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted(pub Signal);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stopped by {} before the request was sent",
            self.0.cause()
        )
    }
}

impl std::error::Error for Interrupted {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(Signal::Interrupt.exit_code(), 130);
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::Hangup.exit_code(), 129);
    }
}
