//! Which flags and commands belong to which platform: a flag of another platform is a usage
//! error that names the platform, before anything is read; on a cluster serving several
//! platforms, which one a command runs on.

use crate::cli::Command;
use crate::error::UserError;
use crate::platform::{Detected, Provider, ProviderKind, detect};

/// The subcommand's name, as typed.
pub fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Create(_) => "create",
        Command::List(_) => "list",
        Command::Describe(_) => "describe",
        Command::Wait(_) => "wait",
        Command::Delete(_) => "delete",
        Command::Restore(_) => "restore",
        Command::Diff(_) => "diff",
        Command::Check(_) => "check",
        Command::Prune(_) => "prune",
        Command::Clone(_) => "clone",
        Command::Tree(_) => "tree",
        Command::RestoreDisk(_) => "restore-disk",
        Command::Version => "version",
        Command::Completion(_) => "completion",
        Command::Options => "options",
    }
}

/// `kubectl vmsnap COMMAND` is not available on `platform`.
pub fn not_offered(command: &Command, platform: &str) -> UserError {
    UserError::usage(format!(
        "`kubectl vmsnap {}` is not available on {platform}",
        command_name(command)
    ))
    .hint("see which commands each platform offers: https://github.com/vmsnap/kubectl-vmsnap/blob/main/docs/providers.md")
}

/// Whether `command` exists on `kind` at all (a command may still refuse particular cases).
pub fn offered(command: &Command, kind: ProviderKind) -> bool {
    match command {
        Command::Tree(_) => kind == ProviderKind::VmOperator,
        Command::RestoreDisk(_) => kind == ProviderKind::Deckhouse,
        Command::Clone(_) => kind != ProviderKind::VmOperator,
        _ => true,
    }
}

/// The VM and the snapshot the command names, to tell platforms apart by what exists.
pub fn named_objects(command: &Command) -> (Option<&str>, Option<&str>) {
    match command {
        Command::Create(a) => (a.vm.as_deref(), None),
        Command::List(a) => (a.vm.as_deref(), None),
        Command::Restore(a) => (Some(a.vm.as_str()), Some(a.snapshot.as_str())),
        Command::Check(a) => (a.vm.as_deref(), None),
        Command::Prune(a) => (a.vm.as_deref(), None),
        Command::Tree(a) => (Some(a.vm.as_str()), None),
        Command::Clone(a) if a.from_vm => (Some(a.snapshot.as_str()), None),
        Command::Clone(a) => (None, Some(a.snapshot.as_str())),
        Command::Describe(a) => (None, Some(a.snapshot.as_str())),
        Command::Wait(a) => (None, a.snapshot.as_deref()),
        Command::Diff(a) => (None, Some(a.snapshot.as_str())),
        Command::Delete(a) => (None, a.snapshots.first().map(String::as_str)),
        Command::RestoreDisk(_) | Command::Version | Command::Completion(_) | Command::Options => {
            (None, None)
        }
    }
}

/// Whether the command looks across all namespaces (`-A`).
pub fn all_namespaces(command: &Command) -> bool {
    match command {
        Command::List(a) => a.all_namespaces,
        Command::Check(a) => a.all_namespaces,
        _ => false,
    }
}

/// The flags given on the command line that only `owner` understands.
fn given(command: &Command) -> Vec<(&'static str, ProviderKind)> {
    use ProviderKind::{Deckhouse, KubeVirt, VmOperator};
    let mut out = Vec::new();
    let mut flag = |set: bool, name: &'static str, owner: ProviderKind| {
        if set {
            out.push((name, owner));
        }
    };
    match command {
        Command::Create(a) => {
            flag(a.failure_deadline.is_some(), "--failure-deadline", KubeVirt);
            flag(a.online, "--online", KubeVirt);
            flag(a.selector.is_some(), "--selector", KubeVirt);
            flag(a.description.is_some(), "--description", VmOperator);
            flag(a.memory, "--memory", VmOperator);
            flag(a.quiesce_timeout.is_some(), "--quiesce-timeout", VmOperator);
            flag(a.disk.is_some(), "--disk", Deckhouse);
            flag(a.allow_inconsistent, "--allow-inconsistent", Deckhouse);
            flag(a.keep_ip_address.is_some(), "--keep-ip-address", Deckhouse);
        }
        Command::List(a) => flag(a.disks, "--disks", Deckhouse),
        Command::Wait(a) => flag(a.restore.is_some(), "--restore", KubeVirt),
        Command::Restore(a) => {
            flag(
                a.target_readiness_policy.is_some(),
                "--target-readiness-policy",
                KubeVirt,
            );
            flag(a.to.is_some(), "--to", KubeVirt);
            flag(a.mode.is_some(), "--mode", Deckhouse);
        }
        Command::Clone(a) => {
            flag(
                !a.new_mac_addresses.is_empty(),
                "--new-mac-address",
                KubeVirt,
            );
            flag(!a.label_filters.is_empty(), "--label-filter", KubeVirt);
            flag(
                !a.annotation_filters.is_empty(),
                "--annotation-filter",
                KubeVirt,
            );
            flag(a.from_vm, "--from-vm", Deckhouse);
            flag(
                !a.name_replacements.is_empty(),
                "--name-replacement",
                Deckhouse,
            );
            flag(a.prefix.is_some(), "--prefix", Deckhouse);
            flag(a.suffix.is_some(), "--suffix", Deckhouse);
            flag(a.mode.is_some(), "--mode", Deckhouse);
        }
        _ => {}
    }
    out
}

/// Refuses (exit 2) the first flag that belongs to another platform than `kind`.
pub fn check_flags(command: &Command, kind: ProviderKind) -> Result<(), UserError> {
    match given(command).into_iter().find(|(_, owner)| *owner != kind) {
        None => Ok(()),
        Some((name, owner)) => Err(UserError::usage(format!(
            "{name} is a {} option, but this command runs on {}",
            owner.title(),
            kind.title()
        ))
        .hint(format!(
            "see `kubectl vmsnap {} --help` for the options of each platform",
            command_name(command)
        ))),
    }
}

/// Several platforms are served. A command only one platform has decides first; then the
/// platform of the VM the command names; then the flags only one platform understands; then
/// the snapshot it names; then which platform has VMs in the namespace. Still ambiguous means
/// asking for `--provider` (exit 2).
pub async fn pick(
    command: &Command,
    candidates: Vec<Detected>,
    client: &kube::Client,
    ns: Option<&str>,
) -> anyhow::Result<Detected> {
    let mut left: Vec<Detected> = candidates
        .iter()
        .filter(|d| offered(command, d.kind))
        .cloned()
        .collect();
    if left.is_empty() {
        left = candidates;
    }
    let (vm, snapshot) = named_objects(command);
    let mut reasons = Vec::new();
    let steps = [
        vm.map(|v| Step::Probe(Probe::Vm, v)),
        Some(Step::Flags),
        snapshot.map(|s| Step::Probe(Probe::Snapshot, s)),
        Some(Step::Probe(Probe::AnyVm, "")),
    ];
    for step in steps.into_iter().flatten() {
        if left.len() == 1 {
            break;
        }
        let hits: Vec<usize> = match step {
            Step::Flags => (0..left.len())
                .filter(|i| check_flags(command, left[*i].kind).is_ok())
                .collect(),
            Step::Probe(probe, name) => {
                let asks = left.iter().map(|d| {
                    let p = Provider::new(client.clone(), d);
                    async move { probe.ask(&p, ns, name).await }
                });
                let found = futures::future::join_all(asks).await;
                (0..found.len())
                    .filter(|i| found[*i] == Some(true))
                    .collect()
            }
        };
        if let [i] = hits[..] {
            return Ok(left.swap_remove(i));
        }
        // Some but not all: the next step chooses among those.
        if !hits.is_empty() && hits.len() < left.len() {
            left = hits.iter().map(|&i| left[i].clone()).collect();
        }
        let on = if hits.is_empty() {
            "none of them"
        } else {
            "several of them"
        };
        let where_ = ns.map_or("the cluster".to_string(), |n| format!("namespace {n}"));
        match step {
            Step::Flags => {}
            Step::Probe(Probe::AnyVm, _) => reasons.push(format!("{where_} holds VMs of {on}")),
            Step::Probe(Probe::Vm, name) => reasons.push(format!("VM {name} is found on {on}")),
            Step::Probe(Probe::Snapshot, name) => {
                reasons.push(format!("snapshot {name} is found on {on}"))
            }
        }
    }
    if left.len() == 1 {
        return Ok(left.remove(0));
    }
    Err(detect::ambiguous(&left, &reasons.join("; ")).into())
}

/// One step of [`pick`].
#[derive(Clone, Copy)]
enum Step<'a> {
    Probe(Probe, &'a str),
    Flags,
}

/// What [`pick`] looks for on each platform.
#[derive(Clone, Copy)]
enum Probe {
    Vm,
    Snapshot,
    AnyVm,
}

impl Probe {
    async fn ask(self, p: &Provider, ns: Option<&str>, name: &str) -> Option<bool> {
        match (self, ns) {
            (Probe::Vm, Some(ns)) => p.has_vm(ns, name).await,
            (Probe::Snapshot, Some(ns)) => p.has_snapshot(ns, name).await,
            (Probe::AnyVm, ns) => p.has_any_vm(ns).await,
            // Names are looked up in a namespace; across all of them only VMs count.
            (_, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn command(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("kubectl-vmsnap").chain(args.iter().copied()))
            .unwrap()
            .command
    }

    #[test]
    fn a_vm_operator_flag_on_kubevirt_names_both_platforms() {
        let e = check_flags(
            &command(&["create", "db", "--memory"]),
            ProviderKind::KubeVirt,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.message,
            "--memory is a VMware VM Operator option, but this command runs on KubeVirt"
        );
    }

    #[test]
    fn a_deckhouse_flag_on_vm_operator_is_refused() {
        let e = check_flags(
            &command(&["restore", "web", "--snapshot", "s1", "--mode", "BestEffort"]),
            ProviderKind::VmOperator,
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("--mode is a Deckhouse Virtualization option")
        );
    }

    #[test]
    fn each_platform_accepts_its_own_flags() {
        let create = command(&["create", "web", "--memory", "--quiesce-timeout", "10m"]);
        assert!(check_flags(&create, ProviderKind::VmOperator).is_ok());
        let disk = command(&["create", "--disk", "web-root", "--allow-inconsistent"]);
        assert!(check_flags(&disk, ProviderKind::Deckhouse).is_ok());
        let kv = command(&["create", "db", "--online", "--failure-deadline", "3m"]);
        assert!(check_flags(&kv, ProviderKind::KubeVirt).is_ok());
    }
}
