//! Deleting snapshots one after the other and following them until they are gone: what
//! `delete` (and prune) do alike on every platform, around each platform's own delete call.

use std::future::Future;
use std::time::Duration;

use kube::Api;
use kube::api::DynamicObject;

use super::{Ctx, common, confirm};
use crate::cluster::{Step, WaitResult};
use crate::error::UserError;

/// Runs `delete(i)` for each of `names` in turn, stopping at the first that fails; when
/// some went before it, says which went and which were not tried, so a rerun is not
/// guesswork.
pub async fn delete_in_turn<F, Fut>(
    ctx: &mut Ctx<'_>,
    names: &[&str],
    mut delete: F,
) -> anyhow::Result<()>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    for i in 0..names.len() {
        if let Err(e) = delete(i).await {
            if i > 0 {
                ctx.say(&confirm::partial_delete_note(
                    &names[..i],
                    names[i],
                    &names[i + 1..],
                ));
            }
            return Err(e);
        }
    }
    Ok(())
}

/// A snapshot whose deletion was sent: where to watch it, its `resource` for the
/// `kubectl get` that follows it, and its name.
pub struct Sent {
    pub api: Api<DynamicObject>,
    pub resource: String,
    pub name: String,
}

impl Sent {
    pub fn new(api: Api<DynamicObject>, resource: impl Into<String>, name: &str) -> Self {
        Self {
            api,
            resource: resource.into(),
            name: name.to_owned(),
        }
    }
}

/// Follows each snapshot in `sent` until it is gone, one after the other, the progress line
/// saying what the platform is `still` removing; the first that stays past `timeout` (or a
/// signal) ends it with the error of [`snapshot_deleted`].
pub async fn follow_deletions(
    ctx: &mut Ctx<'_>,
    ns: &str,
    sent: Vec<Sent>,
    timeout: Duration,
    still: &str,
) -> anyhow::Result<()> {
    for s in sent {
        let name = &s.name;
        let title = format!("Deleting snapshot {name}");
        let result = common::follow_json(ctx, s.api, name, timeout, &title, |o| match o {
            None => Step::Done,
            Some(_) => Step::Continue(format!("Deleting snapshot {name}: waiting for {still}")),
        })
        .await?;
        let follow = format!("kubectl get {} {name} -n {ns} -w", s.resource);
        snapshot_deleted(result, timeout, name, &follow)?;
    }
    Ok(())
}

/// The end of a wait for snapshot `name` to be deleted: Ok once it is gone, else the error
/// of a wait cut short (the deletion goes on; `follow` is the command that follows it).
pub fn snapshot_deleted<K>(
    result: WaitResult<K>,
    timeout: Duration,
    name: &str,
    follow: &str,
) -> Result<(), UserError> {
    let timed_out = match result {
        WaitResult::Done(_) => return Ok(()),
        WaitResult::TimedOut(_) => Some(timeout),
        WaitResult::Interrupted(_) => None,
    };
    Err(common::wait_cut_short(
        timed_out,
        &format!("snapshot {name} to be deleted"),
        &format!("the deletion of snapshot {name}"),
        "the deletion",
        follow,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deletion_wait_ends_ok_or_says_it_goes_on_and_how_to_follow_it() {
        let follow = "kubectl get vmsnapshot s1 -n ns -w";
        let t = Duration::from_secs(120);
        assert!(snapshot_deleted(WaitResult::<()>::Done(None), t, "s1", follow).is_ok());
        let hint = format!("the deletion continues on the cluster; follow it with: {follow}");
        for (ended, exit, message) in [
            (
                WaitResult::<()>::TimedOut(None),
                4,
                "timed out after 2m waiting for snapshot s1 to be deleted",
            ),
            (
                WaitResult::<()>::Interrupted(None),
                130,
                "stopped following the deletion of snapshot s1",
            ),
        ] {
            let err = snapshot_deleted(ended, t, "s1", follow).expect_err(message);
            assert_eq!((err.exit_code(), err.message.as_str()), (exit, message));
            assert_eq!(err.hints, std::slice::from_ref(&hint));
        }
    }
}
