//! One Ctrl-C listener for the rest of the run, installed by the first wait.
//!
//! Before any wait, Ctrl-C keeps its default effect (the process ends; nothing is half
//! done that a message could explain). Once a wait has taken over SIGINT, tokio keeps the
//! handler for good, so every later Ctrl-C must be noticed by someone: waits end with
//! "what continues" and retry pauses stop instead of resending. The listener lives on the
//! current thread's runtime (the binary runs a current-thread runtime; each test its own).

use std::cell::RefCell;
use std::fmt;

use futures::FutureExt as _;
use tokio::sync::watch;

thread_local! {
    static FLAG: RefCell<Option<watch::Receiver<bool>>> = const { RefCell::new(None) };
}

/// Takes over Ctrl-C (once per runtime thread) and returns its flag. The handler is
/// installed before this returns, so a Ctrl-C right after is not lost.
pub fn arm() -> watch::Receiver<bool> {
    FLAG.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some(rx) = slot.as_ref().filter(|rx| rx.has_changed().is_ok()) {
            return rx.clone();
        }
        let (tx, rx) = watch::channel(false);
        let mut first = Box::pin(tokio::signal::ctrl_c());
        // The first poll registers the signal handler.
        let already = first.as_mut().now_or_never().is_some();
        if already {
            let _ = tx.send(true);
        }
        tokio::spawn(async move {
            if !already && first.await.is_ok() {
                let _ = tx.send(true);
            }
            // Later presses change nothing, but must not fall back to the default either.
            while tokio::signal::ctrl_c().await.is_ok() {}
        });
        *slot = Some(rx.clone());
        rx
    })
}

/// Whether a wait has taken over Ctrl-C on this thread.
pub fn armed() -> Option<watch::Receiver<bool>> {
    FLAG.with(|cell| cell.borrow().clone())
}

/// Resolves once Ctrl-C has been pressed (never, if the listener is gone).
pub async fn pressed(mut rx: watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A request given up because of Ctrl-C: a write not sent, or a retry not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stopped by Ctrl-C before the request was sent")
    }
}

impl std::error::Error for Interrupted {}
