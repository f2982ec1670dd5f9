//! One `Args` struct per subcommand, with the pure validators their values need.

use clap::{Args, ValueEnum};
use std::time::Duration;

use crate::names::{parse_dns1123_subdomain, parse_duration, parse_go_duration, parse_label};

/// `create VM`
#[derive(Debug, Clone, Args)]
pub struct CreateArgs {
    /// The VirtualMachine to snapshot
    #[arg(value_name = "VM", value_parser = parse_dns1123_subdomain, required_unless_present_any = ["selector", "disk"])]
    pub vm: Option<String>,
    /// KubeVirt: snapshot every VM with these labels instead, e.g. -l app=db: one
    /// confirmation, created concurrently, a summary table (names are generated)
    #[arg(short = 'l', long, value_name = "SELECTOR", conflicts_with_all = ["vm", "name", "stop"])]
    pub selector: Option<String>,
    /// Snapshot name (default: <vm>-snapshot-<YYYYMMDD-HHMMSS>, UTC)
    #[arg(long, value_name = "NAME", value_parser = parse_dns1123_subdomain,
          allow_hyphen_values = true)]
    pub name: Option<String>,
    /// Stop a running VM first, for an offline (fully consistent) snapshot
    #[arg(long, conflicts_with = "online")]
    pub stop: bool,
    /// KubeVirt: snapshot a running VM without stopping it, even without a guest agent
    /// (crash-consistent)
    #[arg(long)]
    pub online: bool,
    /// Start the VM again after the snapshot if this command stopped it
    #[arg(long)]
    pub start_after: bool,
    /// Give up and mark the snapshot Failed after this long on the server (KubeVirt default 5m;
    /// 0 = never)
    #[arg(long, value_name = "DURATION", value_parser = parse_go_duration,
          allow_hyphen_values = true)]
    pub failure_deadline: Option<String>,
    /// Label for the snapshot, KEY=VALUE (repeatable)
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label,
          allow_hyphen_values = true)]
    pub labels: Vec<(String, String)>,
    /// `--wait`, `--no-wait`, `--timeout`.
    #[command(flatten)]
    pub follow: FollowArgs<SNAPSHOT_READY>,
    /// VM Operator: a description stored with the snapshot
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// VM Operator: include the guest memory (without it, a revert leaves the VM powered off)
    #[arg(long)]
    pub memory: bool,
    /// VM Operator: quiesce the guest file systems through VMware Tools for at most this
    /// long (5m to 240m)
    #[arg(long, value_name = "DURATION", value_parser = parse_quiesce_timeout,
          allow_hyphen_values = true)]
    pub quiesce_timeout: Option<Duration>,
    /// Deckhouse: snapshot this VirtualDisk instead of a whole VM
    #[arg(long, value_name = "DISK", value_parser = parse_dns1123_subdomain, conflicts_with_all = ["vm", "selector", "stop", "start_after"])]
    pub disk: Option<String>,
    /// Deckhouse: take the snapshot even when it cannot be consistent (requiredConsistency:
    /// false)
    #[arg(long)]
    pub allow_inconsistent: bool,
    /// Deckhouse: whether a restore of this snapshot keeps the VM's IP address
    #[arg(long, value_enum, value_name = "WHEN")]
    pub keep_ip_address: Option<KeepIpAddressArg>,
}

/// `--keep-ip-address` values (Deckhouse's `keepIPAddress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepIpAddressArg {
    /// the restored VM gets the IP address it had
    #[value(name = "Always")]
    Always,
    /// the restored VM gets a new IP address
    #[value(name = "Never")]
    Never,
}

/// `--mode` of Deckhouse's restores and clones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OperationModeArg {
    /// stop at any conflict (the default)
    #[value(name = "Strict")]
    Strict,
    /// go on past conflicts: missing images are removed from the VM
    #[value(name = "BestEffort")]
    BestEffort,
}

/// `tree VM`
#[derive(Debug, Clone, Args)]
pub struct TreeArgs {
    /// The VirtualMachine whose snapshot tree to draw
    #[arg(value_name = "VM", value_parser = parse_dns1123_subdomain)]
    pub vm: String,
    /// Show each snapshot's vSphere id (snapshot-226)
    #[arg(short = 'i', long)]
    pub ids: bool,
    /// Show each snapshot's creation date
    #[arg(short = 'D', long)]
    pub dates: bool,
    /// Show each snapshot's description
    #[arg(short = 'd', long)]
    pub descriptions: bool,
}

/// `restore-disk SNAPSHOT --to NEW_DISK`
#[derive(Debug, Clone, Args)]
pub struct RestoreDiskArgs {
    /// The VirtualDiskSnapshot to restore from
    #[arg(value_name = "DISK_SNAPSHOT", value_parser = parse_dns1123_subdomain)]
    pub snapshot: String,
    /// Name of the new VirtualDisk
    #[arg(long, value_name = "NEW_DISK", required = true, value_parser = parse_dns1123_subdomain)]
    pub to: String,
    /// Size of the new disk (at least the original's, e.g. 20Gi; default: the original's)
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// StorageClass of the new disk (default: the source disk's)
    #[arg(long, value_name = "CLASS", value_parser = parse_dns1123_subdomain)]
    pub storage_class: Option<String>,
    /// `--wait`, `--no-wait`, `--timeout`.
    #[command(flatten)]
    pub follow: FollowArgs<DISK_READY>,
}

/// `--quiesce-timeout`: a Go duration within VM Operator's bounds.
pub fn parse_quiesce_timeout(s: &str) -> Result<Duration, String> {
    crate::names::parse_quiesce_timeout(s)
}

/// `list [VM]`
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Only snapshots of this VM
    #[arg(value_name = "VM", value_parser = parse_dns1123_subdomain)]
    pub vm: Option<String>,
    /// List snapshots in every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Label selector, e.g. -l app=db,tier!=test
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Do not print the header line
    #[arg(long)]
    pub no_headers: bool,
    /// Deckhouse: list disk snapshots (VirtualDiskSnapshots) instead of VM snapshots
    #[arg(long)]
    pub disks: bool,
    /// Sort by this JSONPath over the API object, e.g. '{.metadata.name}' or
    /// .status.creationTime (default: creation time, newest last)
    #[arg(long, value_name = "JSONPATH", allow_hyphen_values = true)]
    pub sort_by: Option<String>,
    /// Add a LABELS column with every label
    #[arg(long)]
    pub show_labels: bool,
    /// Add a column per label key, e.g. -L app,tier (repeatable)
    #[arg(short = 'L', long = "label-columns", value_name = "KEY", value_delimiter = ',',
          action = clap::ArgAction::Append)]
    pub label_columns: Vec<String>,
    /// After the list, print a row for every change (Ctrl-C or --request-timeout ends it)
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Print only the changes, not the list first
    #[arg(long)]
    pub watch_only: bool,
    /// Field selector passed to the API server, e.g. metadata.name=s1
    #[arg(long, value_name = "SELECTOR", allow_hyphen_values = true)]
    pub field_selector: Option<String>,
    /// Objects per list request (kubectl's default, 500); 0 lists in one request
    #[arg(long, value_name = "N")]
    pub chunk_size: Option<u32>,
}

impl ListArgs {
    /// `-w` or `--watch-only`: follow changes after (or instead of) the list.
    pub fn watching(&self) -> bool {
        self.watch || self.watch_only
    }
}

/// `describe SNAPSHOT`
#[derive(Debug, Clone, Args)]
pub struct DescribeArgs {
    /// The snapshot to describe
    #[arg(value_name = "SNAPSHOT", value_parser = parse_dns1123_subdomain)]
    pub snapshot: String,
}

/// `delete SNAPSHOT...`
#[derive(Debug, Clone, Args)]
pub struct DeleteArgs {
    /// Snapshots to delete
    #[arg(value_name = "SNAPSHOT", required_unless_present_any = ["selector", "all"],
          value_parser = parse_dns1123_subdomain)]
    pub snapshots: Vec<String>,
    /// Delete the snapshots with these labels instead, e.g. -l vmsnap.io/batch=20261126-100000
    #[arg(short = 'l', long, value_name = "SELECTOR", conflicts_with_all = ["snapshots", "all"])]
    pub selector: Option<String>,
    /// Delete every snapshot in the namespace
    #[arg(long, conflicts_with = "snapshots")]
    pub all: bool,
    /// A named snapshot that does not exist is skipped, not an error (always so with -l and
    /// --all, as in kubectl)
    #[arg(long)]
    pub ignore_not_found: bool,
    /// `--wait`, `--no-wait`, `--timeout`.
    #[command(flatten)]
    pub follow: FollowArgs<SNAPSHOTS_GONE>,
}

/// What `wait --for` waits for: kubectl wait's forms, plus `ready`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitFor {
    /// The default: the snapshot ready to use, the restore complete; a failure ends the wait.
    Ready,
    /// The object gone (`delete`).
    Delete,
    /// The object there (`create`).
    Create,
    /// A status condition of this type with this status (`condition=Ready[=true]`), both
    /// compared without regard to case, as kubectl does.
    Condition { name: String, status: String },
}

/// Parses `--for` as kubectl wait does: `delete` and `create` in any case,
/// `condition=NAME[=VALUE]` (VALUE defaults to true); and `ready`.
pub fn parse_wait_for(s: &str) -> Result<WaitFor, String> {
    match s.to_lowercase().as_str() {
        "ready" => return Ok(WaitFor::Ready),
        "delete" => return Ok(WaitFor::Delete),
        "create" => return Ok(WaitFor::Create),
        _ => {}
    }
    if let Some(cond) = s.strip_prefix("condition=") {
        let (name, status) = cond.split_once('=').unwrap_or((cond, "true"));
        if name.is_empty() {
            return Err("condition= needs a condition type, e.g. condition=Ready".into());
        }
        return Ok(WaitFor::Condition {
            name: name.to_string(),
            status: status.to_string(),
        });
    }
    Err(format!(
        "unrecognized condition: {s:?} (use ready, delete, create or condition=NAME[=VALUE])"
    ))
}

/// `wait SNAPSHOT | --restore NAME`
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// The snapshot to follow
    #[arg(value_name = "SNAPSHOT", required_unless_present = "restore",
          conflicts_with = "restore", value_parser = parse_dns1123_subdomain)]
    pub snapshot: Option<String>,
    /// KubeVirt: follow this VirtualMachineRestore instead
    #[arg(long, value_name = "NAME", value_parser = parse_dns1123_subdomain)]
    pub restore: Option<String>,
    /// What to wait for: ready (the default), delete, create, condition=NAME[=VALUE]
    #[arg(long = "for", value_name = "CONDITION", default_value = "ready",
          value_parser = parse_wait_for)]
    pub condition: WaitFor,
    /// How long to wait before giving up (0: check once)
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// `restore VM --snapshot S`
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The VirtualMachine to roll back
    #[arg(value_name = "VM", value_parser = parse_dns1123_subdomain)]
    pub vm: String,
    /// The snapshot to restore from (`-s` is `--server`, as everywhere in kubectl)
    #[arg(long, value_name = "SNAPSHOT", required = true,
          value_parser = parse_dns1123_subdomain)]
    pub snapshot: String,
    /// Stop the VM if it runs (KubeVirt's targetReadinessPolicy StopTarget)
    #[arg(long)]
    pub stop: bool,
    /// What KubeVirt does when the VM is running (StopTarget stops it)
    #[arg(long, value_enum, value_name = "POLICY")]
    pub target_readiness_policy: Option<TargetReadinessPolicy>,
    /// With --yes: the snapshot name, typed out, as the interactive confirmation asks
    #[arg(long, value_name = "SNAPSHOT")]
    pub confirm_name: Option<String>,
    /// Start the VM once the restore completes
    #[arg(long)]
    pub start_after: bool,
    /// Do not take a safety snapshot of the VM as it is now before restoring (nothing can
    /// undo the restore then)
    #[arg(long)]
    pub no_safety_snapshot: bool,
    /// Restore into a new VM of this name instead; VM is left as it is (KubeVirt restores
    /// to a new target when it does not exist)
    #[arg(long, value_name = "NEW_VM", value_parser = parse_dns1123_subdomain,
          conflicts_with_all = ["stop", "target_readiness_policy", "no_safety_snapshot"])]
    pub to: Option<String>,
    /// `--wait`, `--no-wait`, `--timeout`.
    #[command(flatten)]
    pub follow: FollowArgs<RESTORE_DONE>,
    /// Deckhouse: Strict stops at any conflict; BestEffort goes on and removes missing images
    /// from the VM
    #[arg(long, value_enum, value_name = "MODE")]
    pub mode: Option<OperationModeArg>,
}

/// `diff SNAPSHOT`
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The snapshot whose VM configuration to compare with the live VM
    #[arg(value_name = "SNAPSHOT", value_parser = parse_dns1123_subdomain)]
    pub snapshot: String,
    /// Also compare the VM's labels and annotations (a restore keeps the current ones)
    #[arg(long)]
    pub all: bool,
}

/// `check [VM]`
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Only this VM
    #[arg(value_name = "VM", value_parser = parse_dns1123_subdomain, conflicts_with = "all_namespaces")]
    pub vm: Option<String>,
    /// Check the VMs of every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only VMs with these labels, e.g. -l app=db
    #[arg(short = 'l', long, value_name = "SELECTOR", conflicts_with = "vm")]
    pub selector: Option<String>,
}

/// `prune VM | -l SELECTOR`
#[derive(Debug, Clone, Args)]
pub struct PruneArgs {
    /// The VM whose snapshots to prune
    #[arg(
        value_name = "VM",
        value_parser = parse_dns1123_subdomain,
        required_unless_present = "selector",
        conflicts_with = "selector"
    )]
    pub vm: Option<String>,
    /// Prune the snapshots of every VM with these labels, e.g. -l app=db
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Keep the N newest Succeeded snapshots of each VM
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// Only delete snapshots older than this (e.g. 7d, 12h)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub older_than: Option<Duration>,
    /// Also prune safety snapshots taken before a restore less than a day ago
    #[arg(long)]
    pub include_safety: bool,
    /// `--wait`, `--no-wait`, `--timeout`.
    #[command(flatten)]
    pub follow: FollowArgs<SNAPSHOTS_GONE>,
}

/// `clone SNAPSHOT --to NEW_VM`
#[derive(Debug, Clone, Args)]
pub struct CloneArgs {
    /// The snapshot to create the new VM from (a VM with --from-vm)
    #[arg(value_name = "SNAPSHOT", value_parser = parse_dns1123_subdomain)]
    pub snapshot: String,
    /// Deckhouse: SNAPSHOT names a powered-off VM to clone directly
    #[arg(long)]
    pub from_vm: bool,
    /// Name of the new VM (Deckhouse: optional when --name-replacement, --prefix or
    /// --suffix names it)
    #[arg(long, value_name = "NEW_VM", value_parser = parse_dns1123_subdomain,
          required_unless_present_any = ["name_replacements", "prefix", "suffix"])]
    pub to: Option<String>,
    /// Deckhouse: rename a resource in the clone, [KIND/]OLD=NEW (repeatable), e.g.
    /// vd/web-root=web2-root
    #[arg(long = "name-replacement", value_name = "KIND/OLD=NEW")]
    pub name_replacements: Vec<String>,
    /// Deckhouse: prefix for the names of everything the clone creates
    #[arg(long, value_name = "PREFIX", allow_hyphen_values = true)]
    pub prefix: Option<String>,
    /// Deckhouse: suffix for the names of everything the clone creates
    #[arg(long, value_name = "SUFFIX", allow_hyphen_values = true)]
    pub suffix: Option<String>,
    /// Deckhouse: Strict stops at any conflict; BestEffort goes on past them
    #[arg(long, value_enum, value_name = "MODE")]
    pub mode: Option<OperationModeArg>,
    /// KubeVirt: give an interface this MAC address, INTERFACE=MAC (repeatable; other
    /// interfaces get fresh ones)
    #[arg(long = "new-mac-address", alias = "new-mac-addresses", value_name = "IFACE=MAC",
          value_parser = parse_mac_pair)]
    pub new_mac_addresses: Vec<(String, String)>,
    /// KubeVirt: which labels of the source VM the new VM gets, in KubeVirt's filter syntax
    /// ('*', '!key', 'prefix/*'; repeatable; default: all)
    #[arg(
        long = "label-filter",
        value_name = "FILTER",
        allow_hyphen_values = true
    )]
    pub label_filters: Vec<String>,
    /// KubeVirt: which annotations the new VM gets, same syntax as --label-filter
    /// (repeatable; default: all)
    #[arg(
        long = "annotation-filter",
        value_name = "FILTER",
        allow_hyphen_values = true
    )]
    pub annotation_filters: Vec<String>,
    /// `--wait`, `--no-wait`, `--timeout`.
    #[command(flatten)]
    pub follow: FollowArgs<CLONE_DONE>,
}

/// `IFACE=MAC` for `--new-mac-address`.
pub fn parse_mac_pair(s: &str) -> Result<(String, String), String> {
    let map = crate::names::parse_new_mac_addresses([s])?;
    match map.into_iter().next() {
        Some(pair) if !s.contains(',') => Ok(pair),
        _ => Err(format!("{s:?} is not one INTERFACE=MAC pair")),
    }
}

/// KubeVirt's `spec.targetReadinessPolicy` of a VirtualMachineRestore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetReadinessPolicy {
    /// stop the VM, then restore
    #[value(name = "StopTarget")]
    StopTarget,
    /// wait up to 5 minutes for the VM to be stopped
    #[value(name = "WaitGracePeriod")]
    WaitGracePeriod,
    /// fail at once if the VM runs
    #[value(name = "FailImmediate")]
    FailImmediate,
    /// wait until someone stops the VM
    #[value(name = "WaitEventually")]
    WaitEventually,
}

impl TargetReadinessPolicy {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StopTarget => "StopTarget",
            Self::WaitGracePeriod => "WaitGracePeriod",
            Self::FailImmediate => "FailImmediate",
            Self::WaitEventually => "WaitEventually",
        }
    }
}

/// `completion SHELL`. (`__complete`, kubectl's plugin completion protocol, is answered
/// before clap parses anything: see `crate::completion::complete_request`.)
#[derive(Debug, Clone, Args)]
pub struct CompletionArgs {
    /// The shell to print the script for, or kubectl-plugin for the helper that makes
    /// `kubectl vmsnap <TAB>` complete
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: CompletionTarget,
}

/// What `completion` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionTarget {
    /// bash script for the kubectl-vmsnap executable
    Bash,
    /// zsh script for the kubectl-vmsnap executable
    Zsh,
    /// fish script for the kubectl-vmsnap executable
    Fish,
    /// PowerShell script for the kubectl-vmsnap executable
    #[value(name = "powershell")]
    PowerShell,
    /// elvish script for the kubectl-vmsnap executable
    Elvish,
    /// the kubectl_complete-vmsnap helper: save it on PATH, executable, for `kubectl vmsnap <TAB>`
    KubectlPlugin,
}

impl CompletionTarget {
    /// The shell of a script; None for the kubectl plugin helper.
    pub fn shell(self) -> Option<clap_complete::Shell> {
        use clap_complete::Shell;
        match self {
            CompletionTarget::Bash => Some(Shell::Bash),
            CompletionTarget::Zsh => Some(Shell::Zsh),
            CompletionTarget::Fish => Some(Shell::Fish),
            CompletionTarget::PowerShell => Some(Shell::PowerShell),
            CompletionTarget::Elvish => Some(Shell::Elvish),
            CompletionTarget::KubectlPlugin => None,
        }
    }
}

/// What a command that writes then follows waits for, in its `--help`'s words: `--wait`
/// waits until `done`, `--no-wait` returns once `started`, `--timeout` defaults to `timeout`.
struct Follows {
    done: &'static str,
    started: &'static str,
    timeout: &'static str,
}

/// [`FollowArgs`]' parameter: a row of [`FOLLOWS`].
const SNAPSHOT_READY: usize = 0;
const SNAPSHOTS_GONE: usize = 1;
const RESTORE_DONE: usize = 2;
const CLONE_DONE: usize = 3;
const DISK_READY: usize = 4;

const FOLLOWS: [Follows; 5] = [
    Follows::new(
        "the snapshot is ready",
        "the snapshot object is created",
        "5m",
    ),
    Follows::new("the snapshots are gone", "deletion is requested", "2m"),
    Follows::new("the restore completes", "the restore is created", "10m"),
    Follows::new("the new VM exists", "the clone is created", "10m"),
    Follows::new("the new disk is Ready", "the disk is created", "10m"),
];

impl Follows {
    const fn new(done: &'static str, started: &'static str, timeout: &'static str) -> Self {
        Self {
            done,
            started,
            timeout,
        }
    }
}

/// `--wait`, `--no-wait` and `--timeout`, the same flags on every command that writes and
/// then follows what it wrote; `C` picks the command's words and default from [`FOLLOWS`].
#[derive(Debug, Clone, Args)]
pub struct FollowArgs<const C: usize> {
    // Help texts are built from the command's row (`help = …`), so no doc comments here.
    #[arg(long, overrides_with = "no_wait",
          help = format!("Wait until {} (the default)", FOLLOWS[C].done))]
    pub wait: Option<bool>,
    #[arg(long, help = format!("Return once {}", FOLLOWS[C].started))]
    pub no_wait: bool,
    #[arg(long, value_name = "DURATION", default_value = FOLLOWS[C].timeout,
          value_parser = parse_duration, allow_hyphen_values = true,
          help = format!("How long to wait until {}", FOLLOWS[C].done))]
    pub timeout: Duration,
}

impl<const C: usize> FollowArgs<C> {
    /// Whether to wait: `--wait[=BOOL]` says so, else `--no-wait` turns the default (wait)
    /// off; the later of the two wins (`overrides_with`).
    pub fn should_wait(&self) -> bool {
        self.wait.unwrap_or(!self.no_wait)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Command;
    use super::super::tests::parse;
    use super::*;

    #[test]
    fn create_defaults_wait_for_five_minutes() {
        let Command::Create(a) = parse(&["create", "db"]).unwrap().command else {
            panic!()
        };
        assert!(a.follow.should_wait());
        assert_eq!(a.follow.timeout, Duration::from_secs(300));
        assert_eq!(a.name, None);
    }

    #[test]
    fn each_follow_flag_set_has_its_commands_words_and_default_timeout() {
        let cmd = crate::cli::command();
        for (name, done, started, default) in [
            (
                "create",
                "the snapshot is ready",
                "the snapshot object is created",
                "5m",
            ),
            (
                "delete",
                "the snapshots are gone",
                "deletion is requested",
                "2m",
            ),
            (
                "prune",
                "the snapshots are gone",
                "deletion is requested",
                "2m",
            ),
            (
                "restore",
                "the restore completes",
                "the restore is created",
                "10m",
            ),
            ("clone", "the new VM exists", "the clone is created", "10m"),
            (
                "restore-disk",
                "the new disk is Ready",
                "the disk is created",
                "10m",
            ),
        ] {
            let sub = cmd.find_subcommand(name).expect(name);
            let arg = |id: &str| {
                sub.get_arguments()
                    .find(|a| a.get_id() == id)
                    .unwrap_or_else(|| panic!("{name} --{id}"))
            };
            let help = |id: &str| arg(id).get_help().map(ToString::to_string);
            let want = format!("Wait until {done} (the default)");
            assert_eq!(help("wait"), Some(want), "{name}");
            let want = format!("Return once {started}");
            assert_eq!(help("no_wait"), Some(want), "{name}");
            let want = format!("How long to wait until {done}");
            assert_eq!(help("timeout"), Some(want), "{name}");
            assert_eq!(arg("timeout").get_default_values(), [default], "{name}");
        }
    }

    #[test]
    fn create_rejects_invalid_names_before_anything_else() {
        let err = parse(&["create", "db", "--name", "Pre_Upgrade"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("not a valid Kubernetes name"),
            "{err}"
        );
        assert!(parse(&["create", "db", "--name", "pre-upgrade.1"]).is_ok());
    }

    #[test]
    fn create_stop_and_online_conflict() {
        assert!(parse(&["create", "db", "--stop", "--online"]).is_err());
    }

    #[test]
    fn create_takes_labels_and_failure_deadline() {
        let cli = parse(&[
            "create",
            "db",
            "--label",
            "a=b",
            "--label",
            "x/y=z",
            "--failure-deadline",
            "10m",
        ]);
        let Command::Create(a) = cli.unwrap().command else {
            panic!()
        };
        assert_eq!(
            a.labels,
            vec![("a".into(), "b".into()), ("x/y".into(), "z".into())]
        );
        assert_eq!(a.failure_deadline.as_deref(), Some("10m"));
        assert!(parse(&["create", "db", "--label", "novalue"]).is_err());
        assert!(parse(&["create", "db", "--failure-deadline", "10"]).is_err());
    }

    #[test]
    fn create_takes_a_vm_or_a_selector_but_not_both() {
        assert!(parse(&["create"]).is_err());
        assert!(parse(&["create", "db", "-l", "app=db"]).is_err());
        assert!(parse(&["create", "-l", "app=db", "--name", "x"]).is_err());
        let Command::Create(a) = parse(&["create", "-l", "app=db"]).unwrap().command else {
            panic!()
        };
        assert_eq!(a.selector.as_deref(), Some("app=db"));
        assert_eq!(a.vm, None);
    }

    #[test]
    fn no_wait_turns_waiting_off() {
        let Command::Create(a) = parse(&["create", "db", "--no-wait"]).unwrap().command else {
            panic!()
        };
        assert!(!a.follow.should_wait());
    }

    #[test]
    fn restore_requires_a_snapshot_and_takes_confirmation_flags() {
        assert!(parse(&["restore", "db"]).is_err());
        let cli = parse(&[
            "restore",
            "db",
            "--snapshot",
            "s1",
            "--yes",
            "--confirm-name",
            "s1",
            "--target-readiness-policy",
            "StopTarget",
        ])
        .unwrap();
        assert!(cli.global.yes);
        let Command::Restore(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.confirm_name.as_deref(), Some("s1"));
        assert_eq!(
            a.target_readiness_policy,
            Some(TargetReadinessPolicy::StopTarget)
        );
        assert_eq!(a.follow.timeout, Duration::from_secs(600));
    }

    #[test]
    fn clone_takes_a_suffix_that_starts_with_a_hyphen() {
        let cli = parse(&["clone", "win-vm", "--from-vm", "--suffix", "-copy"]).unwrap();
        let Command::Clone(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.suffix.as_deref(), Some("-copy"));
        assert!(a.from_vm && a.to.is_none());
    }

    #[test]
    fn list_takes_all_namespaces_and_selector() {
        let Command::List(a) = parse(&["list", "-A", "-l", "app=db"]).unwrap().command else {
            panic!()
        };
        assert!(a.all_namespaces);
        assert_eq!(a.selector.as_deref(), Some("app=db"));
    }

    #[test]
    fn list_takes_kubectls_label_columns_sort_and_watch_flags() {
        let Command::List(a) = parse(&[
            "list",
            "-L",
            "app,tier",
            "-L",
            "zone",
            "--show-labels",
            "-w",
            "--sort-by",
            ".metadata.name",
            "--field-selector",
            "metadata.name=s1",
            "--chunk-size",
            "0",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(a.label_columns, ["app", "tier", "zone"]);
        assert!(a.show_labels && a.watch && !a.watch_only && a.watching());
        assert_eq!(a.sort_by.as_deref(), Some(".metadata.name"));
        assert_eq!(a.field_selector.as_deref(), Some("metadata.name=s1"));
        assert_eq!(a.chunk_size, Some(0));
    }

    #[test]
    fn delete_needs_at_least_one_name() {
        assert!(parse(&["delete"]).is_err());
        let Command::Delete(a) = parse(&["delete", "a", "b"]).unwrap().command else {
            panic!()
        };
        assert_eq!(a.snapshots, vec!["a", "b"]);
    }

    #[test]
    fn restore_takes_a_safety_snapshot_unless_told_not_to() {
        let Command::Restore(a) = parse(&["restore", "db", "--snapshot", "s1"])
            .unwrap()
            .command
        else {
            panic!()
        };
        assert!(!a.no_safety_snapshot);
        let cli = parse(&["restore", "db", "--snapshot", "s1", "--no-safety-snapshot"]).unwrap();
        let Command::Restore(a) = cli.command else {
            panic!()
        };
        assert!(a.no_safety_snapshot);
        let cli = parse(&["restore", "db", "--snapshot", "s1", "--to", "db-copy"]).unwrap();
        let Command::Restore(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.to.as_deref(), Some("db-copy"));
        assert!(parse(&["restore", "db", "--snapshot", "s1", "--to", "x", "--stop"]).is_err());
        assert!(parse(&["restore", "db", "--snapshot", "s1", "--to", "Bad_Name"]).is_err());
    }

    #[test]
    fn prune_needs_a_vm_or_a_selector_and_reads_days() {
        assert!(parse(&["prune", "--keep", "2"]).is_err());
        assert!(parse(&["prune", "db", "-l", "app=db", "--keep", "2"]).is_err());
        let cli = parse(&["prune", "-l", "app=db", "--older-than", "7d"]).unwrap();
        let Command::Prune(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.older_than, Some(Duration::from_secs(7 * 86400)));
        assert_eq!(a.keep, None);
        assert!(a.follow.should_wait());
    }

    #[test]
    fn clone_needs_a_target_and_checks_mac_pairs() {
        assert!(parse(&["clone", "s1"]).is_err());
        assert!(parse(&["clone", "s1", "--to", "Bad_Name"]).is_err());
        let cli = parse(&[
            "clone",
            "s1",
            "--to",
            "copy",
            "--new-mac-address",
            "default=02:00:00:aa:bb:cc",
            "--label-filter",
            "!app",
        ])
        .unwrap();
        let Command::Clone(a) = cli.command else {
            panic!()
        };
        assert_eq!(
            a.new_mac_addresses,
            vec![("default".to_string(), "02:00:00:aa:bb:cc".to_string())]
        );
        assert_eq!(a.label_filters, vec!["!app"]);
        assert!(parse(&["clone", "s1", "--to", "c", "--new-mac-address", "eth0=zz"]).is_err());
    }

    #[test]
    fn check_takes_a_vm_or_all_namespaces() {
        assert!(parse(&["check", "db", "-A"]).is_err());
        let Command::Check(a) = parse(&["check", "-A"]).unwrap().command else {
            panic!()
        };
        assert!(a.all_namespaces && a.vm.is_none());
    }

    #[test]
    fn label_rules_follow_kubernetes() {
        for ok in [
            "a=b",
            "app.kubernetes.io/name=db",
            "a=",
            "A_b.c=X-1",
            "x/y=z",
        ] {
            assert!(parse_label(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a=-x",
            "/x=y",
            "a/b/c=d",
            "-k=v",
            "k-=v",
            "novalue",
            "a=b c",
            &format!("{}=v", "k".repeat(64)),
        ] {
            assert!(parse_label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dns1123_rules() {
        for ok in ["a", "db-01-snapshot-20261126-100000", "a.b-c", "0abc"] {
            assert!(parse_dns1123_subdomain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a..b",
            "a.-b",
            "a-.b",
            &"a".repeat(254),
        ] {
            assert!(parse_dns1123_subdomain(bad).is_err(), "{bad}");
        }
    }
}
