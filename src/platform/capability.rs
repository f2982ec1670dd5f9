//! The capability table: per platform, the commands it offers (and the hint where one is not),
//! the flags it owns, the API groups and versions it is detected by and served at, and what
//! completion looks up. Platform picking, the routers' refusals, detection and completion all
//! read it; nothing else states which platform offers what.

use serde_json::Value;

use crate::cli::Command;
use crate::error::UserError;
use crate::platform::{deckhouse, kubevirt, vmoperator};

/// A supported platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// KubeVirt / OpenShift Virtualization.
    KubeVirt,
    /// VMware VM Operator (vSphere Supervisor).
    VmOperator,
    /// Deckhouse Virtualization.
    Deckhouse,
}

impl ProviderKind {
    /// Every platform, in the order detection reports them.
    pub const ALL: [ProviderKind; 3] = [
        ProviderKind::KubeVirt,
        ProviderKind::VmOperator,
        ProviderKind::Deckhouse,
    ];

    /// The `--provider` spelling.
    pub fn as_str(self) -> &'static str {
        self.capability().provider
    }

    /// The name people know it by.
    pub fn title(self) -> &'static str {
        self.capability().title
    }

    /// The API group its snapshots are served in.
    pub fn snapshot_group(self) -> &'static str {
        self.capability().snapshot.group
    }

    /// This platform's row of the table.
    pub fn capability(self) -> &'static Capability {
        match self {
            ProviderKind::KubeVirt => &KUBEVIRT,
            ProviderKind::VmOperator => &VM_OPERATOR,
            ProviderKind::Deckhouse => &DECKHOUSE,
        }
    }
}

/// A subcommand that runs on a platform (`version`, `options`, `completion` run on none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Create,
    List,
    Describe,
    Wait,
    Delete,
    Restore,
    Diff,
    Check,
    Prune,
    Clone,
    Tree,
    RestoreDisk,
}

impl Verb {
    /// Every platform command.
    pub const ALL: [Verb; 12] = [
        Verb::Create,
        Verb::List,
        Verb::Describe,
        Verb::Wait,
        Verb::Delete,
        Verb::Restore,
        Verb::Diff,
        Verb::Check,
        Verb::Prune,
        Verb::Clone,
        Verb::Tree,
        Verb::RestoreDisk,
    ];

    /// The subcommand as typed.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::List => "list",
            Verb::Describe => "describe",
            Verb::Wait => "wait",
            Verb::Delete => "delete",
            Verb::Restore => "restore",
            Verb::Diff => "diff",
            Verb::Check => "check",
            Verb::Prune => "prune",
            Verb::Clone => "clone",
            Verb::Tree => "tree",
            Verb::RestoreDisk => "restore-disk",
        }
    }

    /// The platform command `command` is; None for the ones that need no cluster.
    pub fn of(command: &Command) -> Option<Verb> {
        Some(match command {
            Command::Create(_) => Verb::Create,
            Command::List(_) => Verb::List,
            Command::Describe(_) => Verb::Describe,
            Command::Wait(_) => Verb::Wait,
            Command::Delete(_) => Verb::Delete,
            Command::Restore(_) => Verb::Restore,
            Command::Diff(_) => Verb::Diff,
            Command::Check(_) => Verb::Check,
            Command::Prune(_) => Verb::Prune,
            Command::Clone(_) => Verb::Clone,
            Command::Tree(_) => Verb::Tree,
            Command::RestoreDisk(_) => Verb::RestoreDisk,
            Command::Version | Command::Completion(_) | Command::Options => return None,
        })
    }
}

/// A resource kind of a platform: where it is served, preferred version first.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub group: &'static str,
    /// The versions this plugin speaks, preferred first.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    pub plural: &'static str,
}

impl Resource {
    /// A platform's VMs: every platform calls them `VirtualMachine`.
    const fn vms(group: &'static str, versions: &'static [&'static str]) -> Resource {
        Resource {
            group,
            versions,
            kind: "VirtualMachine",
            plural: "virtualmachines",
        }
    }

    /// A platform's VM snapshots: every platform calls them `VirtualMachineSnapshot`.
    const fn snapshots(group: &'static str, versions: &'static [&'static str]) -> Resource {
        Resource {
            group,
            versions,
            kind: "VirtualMachineSnapshot",
            plural: "virtualmachinesnapshots",
        }
    }
}

/// The commands every platform offers: take, list, describe, wait for, delete and restore
/// snapshots.
pub const OFFERED_EVERYWHERE: [Verb; 6] = [
    Verb::Create,
    Verb::List,
    Verb::Describe,
    Verb::Wait,
    Verb::Delete,
    Verb::Restore,
];

/// One platform's row.
pub struct Capability {
    pub kind: ProviderKind,
    /// The `--provider` spelling.
    pub provider: &'static str,
    /// The name in messages.
    pub title: &'static str,
    /// The prefix the `--help` text of its flags starts with ("VM Operator: …").
    pub short: &'static str,
    /// The commands it offers beyond [`OFFERED_EVERYWHERE`].
    pub also_offers: &'static [Verb],
    /// What to do instead, for commands it does not offer (where there is something to say).
    pub instead: &'static [(Verb, &'static str)],
    /// The flags only it (or only it and the other owners listed) understands, per command.
    pub flags: &'static [(Verb, &'static str)],
    /// Its VMs.
    pub vm: Resource,
    /// Its VM snapshots; detection needs this group at one of these versions (and `vm`'s).
    pub snapshot: Resource,
    /// Where a snapshot names its VM (completion narrows `restore VM --snapshot` by it).
    pub snapshot_vm: &'static str,
    /// Whether a snapshot can be restored, by this platform's own readiness rule.
    pub restorable: fn(&Value) -> bool,
}

/// KubeVirt / OpenShift Virtualization.
pub const KUBEVIRT: Capability = Capability {
    kind: ProviderKind::KubeVirt,
    provider: "kubevirt",
    title: "KubeVirt",
    short: "KubeVirt",
    also_offers: &[Verb::Diff, Verb::Check, Verb::Prune, Verb::Clone],
    instead: &[],
    flags: &[
        (Verb::Create, "--failure-deadline"),
        (Verb::Create, "--online"),
        (Verb::Create, "--selector"),
        (Verb::Wait, "--restore"),
        (Verb::Restore, "--target-readiness-policy"),
        (Verb::Restore, "--to"),
        (Verb::Clone, "--new-mac-address"),
        (Verb::Clone, "--label-filter"),
        (Verb::Clone, "--annotation-filter"),
    ],
    vm: Resource::vms(
        kubevirt::api::resources::KUBEVIRT_GROUP,
        &[kubevirt::api::resources::KUBEVIRT_VERSION],
    ),
    snapshot: Resource::snapshots(
        kubevirt::api::resources::SNAPSHOT_GROUP,
        &[
            kubevirt::api::resources::SNAPSHOT_V1BETA1,
            kubevirt::api::resources::SNAPSHOT_V1ALPHA1,
        ],
    ),
    snapshot_vm: "/spec/source/name",
    restorable: kubevirt::api::restorable,
};

/// VM Operator's versions, preferred first: the snapshot schemas of both are identical and
/// both VM schemas carry the snapshot fields; detection prefers the server's preferred one.
const VM_OPERATOR_VERSIONS: &[&str] = &[
    vmoperator::api::resources::V1ALPHA6,
    vmoperator::api::resources::V1ALPHA5,
];

/// VMware VM Operator.
pub const VM_OPERATOR: Capability = Capability {
    kind: ProviderKind::VmOperator,
    provider: "vmoperator",
    title: "VMware VM Operator",
    short: "VM Operator",
    also_offers: &[Verb::Check, Verb::Tree],
    instead: &[(
        Verb::Clone,
        "VM Operator has no clone API: a VirtualMachineSnapshot can only revert the VM it was \
         taken of (kubectl vmsnap restore VM --snapshot SNAPSHOT)",
    )],
    flags: &[
        (Verb::Create, "--description"),
        (Verb::Create, "--memory"),
        (Verb::Create, "--quiesce-timeout"),
    ],
    vm: Resource::vms(vmoperator::api::resources::GROUP, VM_OPERATOR_VERSIONS),
    snapshot: Resource::snapshots(vmoperator::api::resources::GROUP, VM_OPERATOR_VERSIONS),
    snapshot_vm: "/spec/vmName",
    restorable: vmoperator::api::restorable,
};

/// Deckhouse Virtualization.
pub const DECKHOUSE: Capability = Capability {
    kind: ProviderKind::Deckhouse,
    provider: "deckhouse",
    title: "Deckhouse Virtualization",
    short: "Deckhouse",
    also_offers: &[Verb::Check, Verb::Prune, Verb::Clone, Verb::RestoreDisk],
    instead: &[],
    flags: &[
        (Verb::Create, "--disk"),
        (Verb::Create, "--allow-inconsistent"),
        (Verb::Create, "--keep-ip-address"),
        (Verb::List, "--disks"),
        (Verb::Restore, "--mode"),
        (Verb::Clone, "--from-vm"),
        (Verb::Clone, "--name-replacement"),
        (Verb::Clone, "--prefix"),
        (Verb::Clone, "--suffix"),
        (Verb::Clone, "--mode"),
    ],
    vm: Resource::vms(
        deckhouse::api::resources::GROUP,
        &[deckhouse::api::resources::VERSION],
    ),
    snapshot: Resource::snapshots(
        deckhouse::api::resources::GROUP,
        &[deckhouse::api::resources::VERSION],
    ),
    snapshot_vm: "/spec/virtualMachineName",
    restorable: deckhouse::api::restorable,
};

/// Every platform's row, in detection order.
pub const TABLE: [&Capability; 3] = [&KUBEVIRT, &VM_OPERATOR, &DECKHOUSE];

impl Capability {
    /// Whether the platform has `command` at all (a command may still refuse particular
    /// cases); the cluster-less commands are everywhere.
    pub fn offers(&self, command: &Command) -> bool {
        Verb::of(command).is_none_or(|v| self.offers_verb(v))
    }

    /// Whether the platform has the platform command `verb` at all.
    pub fn offers_verb(&self, verb: Verb) -> bool {
        OFFERED_EVERYWHERE.contains(&verb) || self.also_offers.contains(&verb)
    }

    /// The usage error (exit 2) for a command this platform does not offer: which platforms
    /// do, and the platform's own hint where it has one.
    pub fn not_offered(&self, command: &Command) -> UserError {
        let Some(verb) = Verb::of(command) else {
            return UserError::usage("internal: this command needs no cluster");
        };
        let mut err = UserError::usage(format!(
            "`kubectl vmsnap {}` is not available on {}",
            verb.name(),
            self.title
        ));
        if let Some((_, instead)) = self.instead.iter().find(|(v, _)| *v == verb) {
            err = err.hint(*instead);
        }
        let elsewhere: Vec<&str> = TABLE
            .iter()
            .filter(|c| c.offers_verb(verb))
            .map(|c| c.title)
            .collect();
        if !elsewhere.is_empty() {
            err = err.hint(format!(
                "`{}` is offered on {}",
                verb.name(),
                elsewhere.join(" and ")
            ));
        }
        err.hint("see which commands each platform offers: https://github.com/vmsnap/kubectl-vmsnap/blob/main/docs/providers.md")
    }
}

/// The platforms that own `flag` of `verb`; empty for a flag every platform understands.
pub fn owners(verb: Verb, flag: &str) -> Vec<ProviderKind> {
    TABLE
        .iter()
        .filter(|c| c.flags.iter().any(|&(v, f)| v == verb && f == flag))
        .map(|c| c.kind)
        .collect()
}

/// Every platform-owned flag of `verb`, each once.
pub fn owned_flags(verb: Verb) -> Vec<&'static str> {
    let mut flags: Vec<&'static str> = Vec::new();
    for c in TABLE {
        for &(v, f) in c.flags {
            if v == verb && !flags.contains(&f) {
                flags.push(f);
            }
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_is_a_subcommand_and_every_row_is_its_kinds() {
        let cli = crate::cli::command();
        for verb in Verb::ALL {
            assert!(
                cli.find_subcommand(verb.name()).is_some(),
                "{} is no subcommand",
                verb.name()
            );
        }
        for kind in ProviderKind::ALL {
            assert_eq!(kind.capability().kind, kind);
        }
    }

    #[test]
    fn every_command_is_offered_somewhere_and_hints_only_for_refused_ones() {
        for verb in Verb::ALL {
            assert!(
                TABLE.iter().any(|c| c.offers_verb(verb)),
                "{} is offered nowhere",
                verb.name()
            );
        }
        for c in TABLE {
            for verb in c.also_offers {
                assert!(
                    !OFFERED_EVERYWHERE.contains(verb),
                    "{} lists {} beyond what every platform offers",
                    c.title,
                    verb.name()
                );
            }
            for (verb, _) in c.instead {
                assert!(!c.offers_verb(*verb), "{} offers {}", c.title, verb.name());
            }
        }
    }

    #[test]
    fn a_platform_owns_flags_only_of_commands_it_offers() {
        for c in TABLE {
            for (verb, flag) in c.flags {
                assert!(c.offers_verb(*verb), "{}: {flag}", c.title);
            }
        }
    }

    #[test]
    fn each_platform_restores_only_from_snapshots_its_own_rule_calls_ready() {
        use serde_json::json;
        let deleting = |mut v: Value| {
            v["metadata"]["deletionTimestamp"] = json!("2026-11-26T10:00:00Z");
            v
        };
        let kubevirt_ready = json!({"metadata": {"name": "s"},
            "status": {"phase": "Succeeded", "readyToUse": true}});
        assert!((KUBEVIRT.restorable)(&kubevirt_ready));
        assert!(!(KUBEVIRT.restorable)(&deleting(kubevirt_ready.clone())));
        assert!(!(KUBEVIRT.restorable)(
            &json!({"status": {"phase": "Failed"}})
        ));
        assert!(!(KUBEVIRT.restorable)(
            &json!({"status": {"phase": "Succeeded", "readyToUse": false}})
        ));

        let condition = |type_: &str, status: &str, reason: &str| json!({"type": type_, "status": status, "reason": reason, "message": ""});
        let vmop_ready = json!({"metadata": {"name": "s"}, "status": {"conditions": [
            condition("VirtualMachineSnapshotReady", "True", "True")]}});
        assert!((VM_OPERATOR.restorable)(&vmop_ready));
        assert!(!(VM_OPERATOR.restorable)(&deleting(vmop_ready.clone())));
        assert!(!(VM_OPERATOR.restorable)(
            &json!({"status": {"conditions": [
            condition("VirtualMachineSnapshotCreated", "False", "VirtualMachineSnapshotCreationFailed")]}})
        ));

        let deckhouse_ready = json!({"metadata": {"name": "s"}, "status": {"phase": "Ready",
            "conditions": [condition("VirtualMachineSnapshotReady", "True", "VirtualMachineSnapshotReady")]}});
        assert!((DECKHOUSE.restorable)(&deckhouse_ready));
        assert!(!(DECKHOUSE.restorable)(&deleting(deckhouse_ready.clone())));
        assert!(!(DECKHOUSE.restorable)(&json!({"metadata": {"name": "s"},
            "status": {"phase": "Failed"}})));
        assert!(!(DECKHOUSE.restorable)(
            &json!({"metadata": {"name": "s"}, "status": {"phase": "Ready",
            "conditions": [condition("VirtualMachineSnapshotReady", "False", "Lost")]}})
        ));
    }
}
