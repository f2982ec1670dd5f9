//! Following many objects of one namespace at once with a single label-selected watch (one
//! LIST and one WATCH however many objects), instead of one watcher per object.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::time::Duration;

use anyhow::Context as _;
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, ListParams};
use kube::runtime::watcher::{self, Event};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;

use super::wait::{Step, WaitOptions, api_code};

/// How a wait on many objects ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Every object's check said Done.
    AllDone,
    /// The timeout passed first.
    TimedOut,
    /// Ctrl-C was pressed.
    Interrupted,
}

/// Each object as last seen (`None`: not seen, or deleted) and whether its check said Done.
#[derive(Debug, Clone)]
pub struct ManyResult<K> {
    pub ended: Ended,
    pub last: BTreeMap<String, Option<K>>,
    pub done: BTreeSet<String>,
}

/// Waits until `check` says Done for every one of `names`, all carrying the label
/// `selector`, the timeout passes or Ctrl-C. `check` sees each change of one of `names`
/// (`None` = it was deleted); objects the selector matches beyond `names` are ignored.
/// Polls the selector's list only when watching is forbidden.
pub async fn wait_for_many<K, F>(
    api: Api<K>,
    selector: &str,
    names: &[String],
    opts: WaitOptions,
    mut check: F,
) -> anyhow::Result<ManyResult<K>>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    F: FnMut(&str, Option<&K>) -> Step,
{
    let mut state = ManyResult {
        ended: Ended::AllDone,
        last: names.iter().map(|n| (n.clone(), None)).collect(),
        done: BTreeSet::new(),
    };
    if names.is_empty() {
        return Ok(state);
    }
    let deadline = tokio::time::sleep(opts.timeout);
    tokio::pin!(deadline);
    let ctrl_c = crate::interrupt::pressed(crate::interrupt::arm());
    tokio::pin!(ctrl_c);
    if futures::poll!(ctrl_c.as_mut()).is_ready() {
        state.ended = Ended::Interrupted;
        return Ok(state);
    }
    // Seen since the last (re)list: after a relist, the ones not listed were deleted.
    let mut listed: BTreeSet<String> = BTreeSet::new();
    let config = || watcher::Config::default().labels(selector);
    let mut stream = watcher::watcher(api.clone(), config()).boxed();
    let mut failures: u32 = 0;
    let mut poll = false;
    let mut see = |state: &mut ManyResult<K>, name: &str, obj: Option<K>| {
        if !state.last.contains_key(name) || state.done.contains(name) {
            return;
        }
        if check(name, obj.as_ref()) == Step::Done {
            state.done.insert(name.to_owned());
        }
        state.last.insert(name.to_owned(), obj);
    };
    loop {
        if state.done.len() == state.last.len() {
            return Ok(state);
        }
        if poll {
            let list = api
                .list(&ListParams::default().labels(selector))
                .await
                .with_context(|| format!("failed to list objects labelled {selector}"))?;
            let mut found: BTreeMap<String, K> =
                list.items.into_iter().map(|o| (o.name_any(), o)).collect();
            for name in names {
                see(&mut state, name, found.remove(name));
            }
            if state.done.len() == state.last.len() {
                return Ok(state);
            }
            tokio::select! {
                _ = &mut deadline => { state.ended = Ended::TimedOut; return Ok(state) }
                _ = &mut ctrl_c => { state.ended = Ended::Interrupted; return Ok(state) }
                _ = tokio::time::sleep(opts.poll_interval) => {}
            }
            continue;
        }
        let item = tokio::select! {
            _ = &mut deadline => { state.ended = Ended::TimedOut; return Ok(state) }
            _ = &mut ctrl_c => { state.ended = Ended::Interrupted; return Ok(state) }
            item = stream.try_next() => item,
        };
        match item {
            Ok(Some(event)) => {
                failures = 0;
                match event {
                    Event::Init => listed.clear(),
                    Event::InitApply(o) => {
                        let name = o.name_any();
                        listed.insert(name.clone());
                        see(&mut state, &name, Some(o));
                    }
                    Event::InitDone => {
                        for name in names {
                            if !listed.contains(name) {
                                see(&mut state, name, None);
                            }
                        }
                    }
                    Event::Apply(o) => {
                        let name = o.name_any();
                        see(&mut state, &name, Some(o));
                    }
                    Event::Delete(o) => see(&mut state, &o.name_any(), None),
                }
            }
            // The watcher stream never ends; restart it if it ever does.
            Ok(None) => stream = watcher::watcher(api.clone(), config()).boxed(),
            Err(err) => match api_code(&err) {
                Some(403) => poll = true,
                Some(401) | Some(404) => {
                    return Err(anyhow::Error::new(err))
                        .context(format!("failed to watch objects labelled {selector}"));
                }
                // Dropped connections, 410 Gone and 5xx: the watcher relists or resumes on
                // its next poll; back off a little so a broken server is not hammered.
                _ => {
                    failures += 1;
                    let backoff = Duration::from_millis(100 * 2u64.pow(failures.min(6)));
                    tokio::select! {
                        _ = &mut deadline => { state.ended = Ended::TimedOut; return Ok(state) }
                        _ = &mut ctrl_c => { state.ended = Ended::Interrupted; return Ok(state) }
                        _ = tokio::time::sleep(backoff.min(Duration::from_secs(5))) => {}
                    }
                }
            },
        }
    }
}
