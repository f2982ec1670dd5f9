//! The confirmation rules every platform's commands share.
//!
//! A plain write (create, delete) asks one yes/no question; replacing a VM's state (restore,
//! revert) demands the snapshot name typed exactly and then a final yes. `--yes` answers the
//! question, and for a replacement only together with `--confirm-name NAME`. Without a
//! terminal nothing is asked and nothing is written.

use super::Ctx;
use crate::cli::DryRun;
use crate::error::UserError;

/// The answer [`yes_no`] gives without asking anyone (`--yes`, a client dry run, no
/// terminal), or None when it will ask. A command that must write something only to show
/// the question (Deckhouse's DryRun operation) refuses before that write on `Some(Err)`.
pub fn yes_no_without_asking(ctx: &Ctx<'_>, yes_hint: &str) -> Option<anyhow::Result<()>> {
    if ctx.global.yes || ctx.dry_run() == DryRun::Client {
        return Some(Ok(()));
    }
    if !ctx.interactive {
        return Some(Err(nobody_to_ask(ctx).hint(yes_hint.to_string()).into()));
    }
    None
}

/// "confirmation required", and why nobody is asked: `--no-input` said not to, or there is no
/// terminal (a person at a terminal who passed `--no-input` would be misled by the latter).
pub fn nobody_to_ask(ctx: &Ctx<'_>) -> UserError {
    UserError::declined(format!("confirmation required: {}", why_not_asked(ctx)))
}

/// Why nothing is asked: "--no-input was given" or "no terminal to ask on".
pub fn why_not_asked(ctx: &Ctx<'_>) -> &'static str {
    if ctx.global.no_input {
        "--no-input was given"
    } else {
        "no terminal to ask on"
    }
}

/// The question before creating a snapshot, the same words on every platform.
pub fn create_snapshot(ctx: &mut Ctx<'_>, question: &str) -> anyhow::Result<()> {
    yes_no(
        ctx,
        question,
        "pass --yes to create the snapshot without asking",
        "snapshot cancelled; nothing was changed",
    )
}

/// One yes/no question before a write. `yes_hint` says which flags skip it.
pub fn yes_no(
    ctx: &mut Ctx<'_>,
    question: &str,
    yes_hint: &str,
    cancelled: &str,
) -> anyhow::Result<()> {
    if let Some(answer) = yes_no_without_asking(ctx, yes_hint) {
        return answer;
    }
    if ctx.ui.confirm(question)? {
        Ok(())
    } else {
        Err(UserError::declined(cancelled.to_string()).into())
    }
}

/// "Delete this snapshot? (yes/no)" or "Delete these N snapshots? (yes/no)", asked with
/// [`yes_no`].
pub fn delete_snapshots(
    ctx: &mut Ctx<'_>,
    n: usize,
    yes_hint: &str,
    cancelled: &str,
) -> anyhow::Result<()> {
    let what = if n == 1 {
        "this snapshot".to_string()
    } else {
        format!("these {n} snapshots")
    };
    yes_no(
        ctx,
        &format!("Delete {what}? (yes/no)"),
        yes_hint,
        cancelled,
    )
}

/// `delete`'s question, the same on every platform: [`delete_snapshots`] with its hint and
/// its "cancelled" line.
pub fn delete_command(ctx: &mut Ctx<'_>, n: usize) -> anyhow::Result<()> {
    delete_snapshots(
        ctx,
        n,
        "pass --yes to delete without asking",
        "deletion cancelled; nothing was changed",
    )
}

/// After a delete failed part-way: what already went and what was not tried, so a rerun is
/// not guesswork.
pub fn partial_delete_note(done: &[&str], failed: &str, not_attempted: &[&str]) -> String {
    let list = |names: &[&str]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    format!(
        "note: already deleted: {}; failed: {failed}; not attempted: {}",
        list(done),
        list(not_attempted)
    )
}

/// What a typed confirmation of a replacement asks for.
pub struct Typed<'a> {
    /// The snapshot name the user must type (and pass to `--confirm-name`).
    pub want: &'a str,
    /// `--confirm-name`, if given.
    pub confirm_name: Option<&'a str>,
    /// The operation, as a noun and verb: "restore", "revert".
    pub verb: &'a str,
    /// The final question, e.g. "All changes since … will be lost. Proceed with VM restore?
    /// (yes/cancel)".
    pub question: &'a str,
}

impl Typed<'_> {
    fn cancelled(&self) -> String {
        format!("{} cancelled, current VM state preserved", self.verb)
    }

    fn mismatch(&self) -> anyhow::Error {
        UserError::declined(format!("names do not match, {}", self.cancelled())).into()
    }
}

/// The answer [`typed_name`] gives without asking anyone (the flags, no terminal, a client
/// dry run), or None when it will ask; see [`yes_no_without_asking`].
pub fn typed_name_without_asking(ctx: &Ctx<'_>, t: &Typed<'_>) -> Option<anyhow::Result<()>> {
    if ctx.dry_run() == DryRun::Client {
        return Some(Ok(()));
    }
    let want = t.want;
    if ctx.global.yes {
        return Some(match t.confirm_name {
            Some(n) if n == want => Ok(()),
            Some(_) => Err(t.mismatch()),
            None => Err(
                UserError::declined(format!("--yes alone is not enough for a {}", t.verb))
                    .hint(format!(
                        "also pass --confirm-name {want} to confirm which snapshot replaces the \
                         VM's current state"
                    ))
                    .into(),
            ),
        });
    }
    if !ctx.interactive {
        return Some(Err(nobody_to_ask(ctx)
            .hint(format!(
                "pass --yes --confirm-name {want} to {} without asking",
                t.verb
            ))
            .into()));
    }
    None
}

/// The typed name, then the final yes; `--yes --confirm-name NAME` in scripts. A client dry
/// run asks nothing.
pub fn typed_name(ctx: &mut Ctx<'_>, t: Typed<'_>) -> anyhow::Result<()> {
    if let Some(answer) = typed_name_without_asking(ctx, &t) {
        return answer;
    }
    let want = t.want;
    let typed = ctx
        .ui
        .input(&format!("Type the snapshot name ({want}) to confirm"))?;
    let typed = typed.trim_end_matches(['\r', '\n']);
    if typed != want {
        ctx.say(&format!("You typed: {typed}\nExpected:  {want}"));
        return Err(t.mismatch());
    }
    ctx.say(&format!("Name confirmed: {want}"));
    if ctx.ui.confirm(t.question)? {
        Ok(())
    } else {
        Err(UserError::declined(t.cancelled()).into())
    }
}
