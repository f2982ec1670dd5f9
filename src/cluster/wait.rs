//! Following one object until a condition holds: watch, resume, relist, timeout, a signal,
//! credentials that stop working.
//!
//! Uses kube-runtime's single-object watcher (it resumes after a dropped connection and
//! relists after 410 Gone). Only when the watch is forbidden does it poll with GETs.

use std::fmt::Debug;
use std::time::Duration;

use anyhow::Context as _;
use futures::{StreamExt, TryStreamExt};
use kube::Resource;
use kube::api::Api;
use kube::runtime::watcher;
use serde::de::DeserializeOwned;

use crate::ui::Progress;

thread_local! {
    static UNAUTHORIZED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a wait on this thread ended because the API server stopped accepting the
/// credentials (401): its "stopped following" error is then a 401, not an interruption.
pub fn ended_unauthorized() -> bool {
    UNAUTHORIZED.with(std::cell::Cell::get)
}

/// What the caller's check says about the object as last seen (`None` = it does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Keep waiting; show this message.
    Continue(String),
    /// Finished (successfully or not: the caller inspects the object).
    Done,
}

/// How a wait ended. Each carries the object as last seen.
#[derive(Debug, Clone)]
pub enum WaitResult<K> {
    /// The check said Done.
    Done(Option<K>),
    /// The timeout passed first.
    TimedOut(Option<K>),
    /// A signal (Ctrl-C, SIGTERM, SIGHUP) was received, or the credentials were refused
    /// (see [`ended_unauthorized`]).
    Interrupted(Option<K>),
}

impl<K> WaitResult<K> {
    /// `timeout` when the wait timed out; None when it ended otherwise.
    pub fn timed_out(&self, timeout: Duration) -> Option<Duration> {
        matches!(self, WaitResult::TimedOut(_)).then_some(timeout)
    }
}

/// Limits of a wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// GET interval when watching is forbidden.
    pub poll_interval: Duration,
}

impl WaitOptions {
    /// A wait of `timeout`, polling every 2s if it has to.
    pub fn new(timeout: Duration) -> Self {
        WaitOptions {
            timeout,
            poll_interval: Duration::from_secs(2),
        }
    }
}

pub(super) fn api_code(err: &watcher::Error) -> Option<u16> {
    match err {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.code),
        watcher::Error::WatchError(s) => Some(s.code),
        _ => None,
    }
}

/// Waits on `name` in `api` until `check` says Done, the timeout passes or Ctrl-C.
pub async fn wait_for<K, F>(
    api: Api<K>,
    name: &str,
    opts: WaitOptions,
    progress: &mut dyn Progress,
    mut check: F,
) -> anyhow::Result<WaitResult<K>>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    F: FnMut(Option<&K>) -> Step,
{
    let deadline = tokio::time::sleep(opts.timeout);
    tokio::pin!(deadline);
    // The handler is installed before anything is shown: from the first progress message
    // on, Ctrl-C ends the wait with a message instead of killing us.
    let ctrl_c = crate::interrupt::pressed(crate::interrupt::arm());
    tokio::pin!(ctrl_c);
    if futures::poll!(ctrl_c.as_mut()).is_ready() {
        return Ok(WaitResult::Interrupted(None));
    }
    let mut last: Option<K> = None;
    let mut stream = watcher::watch_object(api.clone(), name).boxed();
    let mut failures: u32 = 0;
    let mut poll = false;
    loop {
        if poll {
            let got = match api.get_opt(&super::path_segment(name)).await {
                Err(kube::Error::Api(s)) if s.code == 401 => {
                    UNAUTHORIZED.with(|u| u.set(true));
                    return Ok(WaitResult::Interrupted(last));
                }
                got => got.with_context(|| format!("failed to get {name}"))?,
            };
            last = got.clone();
            match check(got.as_ref()) {
                Step::Done => return Ok(WaitResult::Done(got)),
                Step::Continue(msg) => progress.set_message(&msg),
            }
            tokio::select! {
                _ = &mut deadline => return Ok(WaitResult::TimedOut(last)),
                _ = &mut ctrl_c => return Ok(WaitResult::Interrupted(last)),
                _ = tokio::time::sleep(opts.poll_interval) => {}
            }
            continue;
        }
        let item = tokio::select! {
            _ = &mut deadline => return Ok(WaitResult::TimedOut(last)),
            _ = &mut ctrl_c => return Ok(WaitResult::Interrupted(last)),
            item = stream.try_next() => item,
        };
        match item {
            Ok(Some(obj)) => {
                failures = 0;
                last = obj.clone();
                match check(obj.as_ref()) {
                    Step::Done => return Ok(WaitResult::Done(obj)),
                    Step::Continue(msg) => progress.set_message(&msg),
                }
            }
            // The watcher stream never ends; restart it if it ever does.
            Ok(None) => stream = watcher::watch_object(api.clone(), name).boxed(),
            Err(err) => match api_code(&err) {
                Some(403) => poll = true,
                // The credentials expired or were revoked while following: what is followed
                // goes on, so the wait ends as an interrupted one does (its caller says what
                // continues and how to follow it), and the error says why.
                Some(401) => {
                    UNAUTHORIZED.with(|u| u.set(true));
                    return Ok(WaitResult::Interrupted(last));
                }
                Some(404) => {
                    return Err(anyhow::Error::new(err)).context(format!("failed to watch {name}"));
                }
                // Dropped connections, 410 Gone and 5xx: the watcher relists or resumes on
                // its next poll; back off a little so a broken server is not hammered.
                _ => {
                    failures += 1;
                    let backoff = Duration::from_millis(100 * 2u64.pow(failures.min(6)));
                    tokio::select! {
                        _ = &mut deadline => return Ok(WaitResult::TimedOut(last)),
                        _ = &mut ctrl_c => return Ok(WaitResult::Interrupted(last)),
                        _ = tokio::time::sleep(backoff.min(Duration::from_secs(5))) => {}
                    }
                }
            },
        }
    }
}
/// [`wait_for`] with the object as plain JSON (the domain's functions read JSON). An object
/// that cannot be read as JSON ends the wait with an error rather than passing for absent.
pub async fn wait_json(
    api: Api<kube::api::DynamicObject>,
    name: &str,
    opts: WaitOptions,
    progress: &mut dyn Progress,
    mut check: impl FnMut(Option<&serde_json::Value>) -> Step,
) -> anyhow::Result<WaitResult<serde_json::Value>> {
    let mut unreadable = None;
    let result = wait_for(api, name, opts, progress, |obj| {
        match obj.map(serde_json::to_value).transpose() {
            Ok(v) => check(v.as_ref()),
            Err(e) => {
                unreadable = Some(e);
                Step::Done
            }
        }
    })
    .await?;
    if let Some(e) = unreadable {
        return Err(e).with_context(|| format!("failed to read {name} as JSON"));
    }
    let json = |o: Option<kube::api::DynamicObject>| {
        o.map(serde_json::to_value)
            .transpose()
            .with_context(|| format!("failed to read {name} as JSON"))
    };
    Ok(match result {
        WaitResult::Done(o) => WaitResult::Done(json(o)?),
        WaitResult::TimedOut(o) => WaitResult::TimedOut(json(o)?),
        WaitResult::Interrupted(o) => WaitResult::Interrupted(json(o)?),
    })
}
