//! Which platform a command runs on: flags the capability table gives to another platform are
//! a usage error naming it, before anything is read; on a cluster serving several platforms,
//! which one runs the command (only those whose table row offers it are considered).

use crate::cli::Command;
use crate::error::UserError;
use crate::platform::capability::{self, Verb};
use crate::platform::{Detected, Provider, ProviderKind, detect};

/// Whether `command` exists on `kind` at all (a command may still refuse particular cases).
pub fn offered(command: &Command, kind: ProviderKind) -> bool {
    kind.capability().offers(command)
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

/// Whether the platform-owned `flag` (as the capability table names it) was given.
/// Unknown names are never given: the table test checks every name it lists is known here.
fn given(command: &Command, flag: &str) -> bool {
    match (command, flag) {
        (Command::Create(a), "--failure-deadline") => a.failure_deadline.is_some(),
        (Command::Create(a), "--online") => a.online,
        (Command::Create(a), "--selector") => a.selector.is_some(),
        (Command::Create(a), "--description") => a.description.is_some(),
        (Command::Create(a), "--memory") => a.memory,
        (Command::Create(a), "--quiesce-timeout") => a.quiesce_timeout.is_some(),
        (Command::Create(a), "--disk") => a.disk.is_some(),
        (Command::Create(a), "--allow-inconsistent") => a.allow_inconsistent,
        (Command::Create(a), "--keep-ip-address") => a.keep_ip_address.is_some(),
        (Command::List(a), "--disks") => a.disks,
        (Command::Wait(a), "--restore") => a.restore.is_some(),
        (Command::Restore(a), "--target-readiness-policy") => a.target_readiness_policy.is_some(),
        (Command::Restore(a), "--to") => a.to.is_some(),
        (Command::Restore(a), "--mode") => a.mode.is_some(),
        (Command::Clone(a), "--new-mac-address") => !a.new_mac_addresses.is_empty(),
        (Command::Clone(a), "--label-filter") => !a.label_filters.is_empty(),
        (Command::Clone(a), "--annotation-filter") => !a.annotation_filters.is_empty(),
        (Command::Clone(a), "--from-vm") => a.from_vm,
        (Command::Clone(a), "--name-replacement") => !a.name_replacements.is_empty(),
        (Command::Clone(a), "--prefix") => a.prefix.is_some(),
        (Command::Clone(a), "--suffix") => a.suffix.is_some(),
        (Command::Clone(a), "--mode") => a.mode.is_some(),
        _ => false,
    }
}

/// Refuses (exit 2) the first flag given that the capability table gives to other
/// platforms than `kind`.
pub fn check_flags(command: &Command, kind: ProviderKind) -> Result<(), UserError> {
    let Some(verb) = Verb::of(command) else {
        return Ok(());
    };
    for flag in capability::owned_flags(verb) {
        let owners = capability::owners(verb, flag);
        if owners.contains(&kind) || !given(command, flag) {
            continue;
        }
        let names: Vec<&str> = owners.iter().map(|k| k.title()).collect();
        return Err(UserError::usage(format!(
            "{flag} is a {} option, but this command runs on {}",
            names.join(" and "),
            kind.title()
        ))
        .hint(format!(
            "see `kubectl vmsnap {} --help` for the options of each platform",
            verb.name()
        )));
    }
    Ok(())
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
    let (vm, snapshot) = named_objects(command);
    if let (Some(vm), Some(ns)) = (vm, ns)
        && !left.is_empty()
        && left.len() < candidates.len()
        && let Some(e) = vm_of_another_platform(command, &candidates, client, ns, vm).await
    {
        return Err(e.into());
    }
    if left.is_empty() {
        left = candidates;
    }
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
        // Per platform left: found (Some(true)), not found, or could not tell (None).
        let found: Vec<Option<bool>> = match step {
            Step::Flags => left
                .iter()
                .map(|d| Some(check_flags(command, d.kind).is_ok()))
                .collect(),
            Step::Probe(probe, name) => {
                let asks = left.iter().map(|d| {
                    let p = Provider::new(client.clone(), d);
                    async move { probe.ask(&p, ns, name).await }
                });
                futures::future::join_all(asks).await
            }
        };
        let hits: Vec<usize> = (0..found.len())
            .filter(|i| found[*i] == Some(true))
            .collect();
        // Platforms whose answer was asked for and never came (RBAC, a failing API): "none"
        // must not claim they hold nothing.
        let unread: Vec<&str> = match step {
            Step::Probe(probe, _) if ns.is_some() || matches!(probe, Probe::AnyVm) => left
                .iter()
                .zip(&found)
                .filter(|(_, answer)| answer.is_none())
                .map(|(d, _)| d.kind.as_str())
                .collect(),
            _ => Vec::new(),
        };
        if let [i] = hits[..] {
            return Ok(left.swap_remove(i));
        }
        // Some but not all: the next step chooses among those.
        if !hits.is_empty() && hits.len() < left.len() {
            left = hits.iter().map(|&i| left[i].clone()).collect();
        }
        let on = match (hits.is_empty(), unread.is_empty()) {
            (true, true) => "none of them".to_string(),
            (true, false) => format!(
                "none of them that could be read ({} could not be)",
                unread.join(", ")
            ),
            (false, _) => "several of them".to_string(),
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

/// A command only some platforms offer, naming a VM none of them holds but another platform
/// does: the command is not that platform's (not "VM not found").
async fn vm_of_another_platform(
    command: &Command,
    candidates: &[Detected],
    client: &kube::Client,
    ns: &str,
    vm: &str,
) -> Option<UserError> {
    let asks = candidates.iter().map(|d| {
        let p = Provider::new(client.clone(), d);
        async move { (d.kind, Probe::Vm.ask(&p, Some(ns), vm).await) }
    });
    let found = futures::future::join_all(asks).await;
    if found
        .iter()
        .any(|(k, has)| offered(command, *k) && *has != Some(false))
    {
        return None;
    }
    let (holder, _) = found.iter().find(|(_, has)| *has == Some(true))?;
    let owners: Vec<&str> = candidates
        .iter()
        .filter(|d| offered(command, d.kind))
        .map(|d| d.kind.title())
        .collect();
    let verb = crate::platform::capability::Verb::of(command)?;
    Some(holder.capability().not_offered(command).hint(format!(
        "VM {vm} in namespace {ns} is a {} VM; `kubectl vmsnap {}` is {}'s",
        holder.title(),
        verb.name(),
        owners.join(" and ")
    )))
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

    /// `verb … flag [value]` as clap accepts it: operands and a value are tried until the
    /// line parses (flags conflict with some operands, values have their own parsers).
    fn with_flag(verb: Verb, flag: &str) -> Command {
        let cli = crate::cli::command();
        let sub = cli.find_subcommand(verb.name()).expect("subcommand");
        let arg = sub
            .get_arguments()
            .find(|a| a.get_long() == flag.strip_prefix("--"))
            .unwrap_or_else(|| panic!("{} has no {flag}", verb.name()));
        let values: Vec<String> = if arg.get_action().takes_values() {
            let possible = arg.get_possible_values();
            match possible.first() {
                Some(p) => vec![p.get_name().to_owned()],
                None => [
                    "10m",
                    "app=db",
                    "old=new",
                    "default=02:00:00:aa:bb:cc",
                    "web",
                    "3",
                ]
                .map(String::from)
                .to_vec(),
            }
        } else {
            Vec::new()
        };
        // A switch (kubectl's boolean flags take `=VALUE` only) parses bare.
        let values: Vec<String> = values.into_iter().chain([String::new()]).collect();
        let operands: [&[&str]; 4] = [
            &[],
            &["web"],
            &["web", "--snapshot", "s1"],
            &["s1", "--to", "new-vm"],
        ];
        for ops in operands {
            for value in &values {
                let mut argv = vec!["kubectl-vmsnap", verb.name()];
                argv.extend_from_slice(ops);
                argv.push(flag);
                if !value.is_empty() {
                    argv.push(value);
                }
                if let Ok(cli) = Cli::try_parse_from(&argv) {
                    return cli.command;
                }
            }
        }
        panic!("no command line with {} {flag} parses", verb.name());
    }

    #[test]
    fn every_flag_the_table_gives_an_owner_is_refused_elsewhere_with_the_owners_name() {
        let mut checked = 0;
        for verb in Verb::ALL {
            for flag in capability::owned_flags(verb) {
                let command = with_flag(verb, flag);
                let owners = capability::owners(verb, flag);
                for kind in ProviderKind::ALL {
                    let got = check_flags(&command, kind);
                    if owners.contains(&kind) {
                        assert!(got.is_ok(), "{} {flag} on {}", verb.name(), kind.title());
                        continue;
                    }
                    let e = got.expect_err("refused");
                    assert_eq!(e.exit_code(), 2);
                    for owner in &owners {
                        assert!(
                            e.message.starts_with(&format!("{flag} is a "))
                                && e.message.contains(owner.title())
                                && e.message.ends_with(kind.title()),
                            "{}",
                            e.message
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 40, "only {checked} refusals checked");
    }

    #[test]
    fn the_help_of_every_platform_owned_flag_names_its_platforms() {
        let cli = crate::cli::command();
        for verb in Verb::ALL {
            let sub = cli.find_subcommand(verb.name()).expect("subcommand");
            for flag in capability::owned_flags(verb) {
                let arg = sub
                    .get_arguments()
                    .find(|a| a.get_long() == flag.strip_prefix("--"))
                    .expect("flag");
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                for owner in capability::owners(verb, flag) {
                    let short = owner.capability().short;
                    assert!(
                        help.contains(short),
                        "`{} {flag}` --help does not name {short}: {help:?}",
                        verb.name()
                    );
                }
            }
        }
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
