//! Command-line arguments (clap only: no kube, no I/O).
//!
//! kubectl passes no flags to plugins, so the kubectl flags users expect (`--kubeconfig`,
//! `--context`, `-n`, `-o`, …) are defined here, global so they work after the subcommand.

mod commands;
mod connection;
pub mod flag;
mod output;

use crate::output::{OutputFormat, OutputSpec};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

use crate::names::{parse_dns1123_label, parse_duration};
pub use commands::{
    CheckArgs, CloneArgs, CompletionArgs, CompletionTarget, CreateArgs, DeleteArgs, DescribeArgs,
    DiffArgs, FollowArgs, KeepIpAddressArg, ListArgs, OperationModeArg, PruneArgs, RestoreArgs,
    RestoreDiskArgs, TargetReadinessPolicy, TreeArgs, WaitArgs, WaitFor, parse_mac_pair,
    parse_wait_for,
};
pub use connection::{ConnectionFlags, options_text, parse_server};

/// Take, inspect and roll back VM snapshots on KubeVirt, safely.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-vmsnap",
    bin_name = "kubectl vmsnap",
    version,
    about = "Take, inspect and roll back VM snapshots on KubeVirt / OpenShift Virtualization, VMware VM Operator and Deckhouse Virtualization, safely",
    long_about = None,
    propagate_version = true,
    // kubectl's boolean forms (`--wait=false`, `-A=true`) for every bool flag, new ones too.
    mut_args(flag::kubectl_bool),
    mut_args(connection::root_flag),
    mut_subcommands(flag::kubectl_bools),
    subcommand_required = true,
    arg_required_else_help = true,
    after_help = "Examples:\n  \
        # Snapshot a VM before an upgrade (shows what will be captured, then asks)\n  \
        kubectl vmsnap create database-01 -n production\n\n  \
        # List the snapshots of one VM\n  \
        kubectl vmsnap list database-01 -n production\n\n  \
        # Roll the VM back, unattended\n  \
        kubectl vmsnap restore database-01 --snapshot pre-upgrade --stop \\\n      \
        --yes --confirm-name pre-upgrade\n\n\
        Exit codes: 0 ok, 1 failure, 2 usage, 3 declined or confirmation required, 4 timed out,\n\
        5 not found, 6 forbidden, 130 interrupted while waiting."
)]
pub struct Cli {
    /// Flags shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The kubectl flags every command accepts (global: see [`connection::root_flag`]).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The name of the kubeconfig context to use
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The name of the kubeconfig cluster to use
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The namespace (default: the context's namespace, else "default")
    #[arg(short = 'n', long, value_name = "NAMESPACE",
          value_parser = parse_dns1123_label)]
    pub namespace: Option<String>,
    /// How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit
    #[arg(long, value_name = "DURATION", value_parser = parse_duration,
          allow_hyphen_values = true)]
    pub request_timeout: Option<Duration>,
    /// Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no
    /// terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)
    #[arg(
        short = 'v',
        long = "verbosity",
        alias = "v",
        value_name = "LEVEL",
        default_value_t = 0
    )]
    pub verbosity: u8,
    /// Output format
    #[arg(
        short = 'o',
        long = "output",
        value_parser = output::OutputParser,
        value_name = "FORMAT"
    )]
    pub output: Option<OutputSpec>,
    /// Answer yes to confirmations (restore also needs --confirm-name)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Never prompt, even on a terminal: refuse instead of asking
    #[arg(long)]
    pub no_input: bool,
    /// Which virtualization platform's API to use
    #[arg(long, value_enum, default_value_t = ProviderArg::Auto)]
    pub provider: ProviderArg,
    /// Disable colour (also NO_COLOR=1)
    #[arg(long)]
    pub no_color: bool,
    /// Only show what would be done: client prints the plan, server also asks the API server
    /// to validate the writes
    #[arg(long, value_enum, value_name = "MODE", num_args = 0..=1,
          require_equals = true, default_missing_value = "client")]
    pub dry_run: Option<DryRun>,
    /// kubectl's connection and identity flags (`kubectl vmsnap options`).
    #[command(flatten)]
    pub connection: ConnectionFlags,
}

impl GlobalArgs {
    /// The output format, `table` when `-o` is absent.
    pub fn output_format(&self) -> OutputFormat {
        self.output
            .as_ref()
            .map_or(OutputFormat::Table, |o| o.format)
    }

    /// The output format with its template, `table` when `-o` is absent.
    pub fn output_spec(&self) -> OutputSpec {
        self.output
            .clone()
            .unwrap_or_else(|| OutputSpec::from(OutputFormat::Table))
    }

    /// The dry-run mode in effect (`none` is the same as absent).
    pub fn dry_run_mode(&self) -> DryRun {
        self.dry_run.unwrap_or(DryRun::None)
    }
}

/// `--provider` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ProviderArg {
    /// detect from the APIs the cluster serves
    #[default]
    Auto,
    /// KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)
    #[value(name = "kubevirt")]
    KubeVirt,
    /// VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)
    #[value(name = "vmoperator")]
    VmOperator,
    /// Deckhouse Virtualization (virtualization.deckhouse.io)
    #[value(name = "deckhouse")]
    Deckhouse,
}

/// `--dry-run` values, as kubectl spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    /// really do it
    None,
    /// print the plan, send nothing
    Client,
    /// send the writes with dryRun=All
    Server,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Snapshot a VM: analyse its storage, show the plan, ask, create and follow it
    #[command(after_help = "Examples:\n  \
        # Interactive: see what will be captured and how consistent it will be, then confirm\n  \
        kubectl vmsnap create database-01 -n production\n\n  \
        # Scripted, with a chosen name, waiting at most 10 minutes\n  \
        kubectl vmsnap create database-01 -n production --name pre-upgrade --yes --timeout 10m\n\n  \
        # A running VM without guest agent: stop it for a consistent snapshot, start it again after\n  \
        kubectl vmsnap create web-02 --stop --start-after --yes\n\n  \
        # Just show the plan\n  \
        kubectl vmsnap create database-01 --dry-run\n\n  \
        # Every VM labelled app=db at once: one plan, one confirmation, a summary table\n  \
        kubectl vmsnap create -l app=db --online --yes\n\n  \
        # VM Operator: with the guest memory and file systems quiesced by VMware Tools\n  \
        kubectl vmsnap create web-01 --memory --quiesce-timeout 10m -n dev-team\n\n  \
        # Deckhouse: one disk rather than the whole VM\n  \
        kubectl vmsnap create --disk linux-vm-data -n my-project")]
    Create(CreateArgs),
    /// List snapshots, optionally of one VM
    #[command(
        visible_alias = "ls",
        after_help = "Examples:\n  \
        # Snapshots in the current namespace\n  \
        kubectl vmsnap list\n\n  \
        # Snapshots of one VM, with more columns\n  \
        kubectl vmsnap list database-01 -n production -o wide\n\n  \
        # Every namespace, as JSON\n  \
        kubectl vmsnap list -A -o json"
    )]
    List(ListArgs),
    /// Show everything about one snapshot: source, phase, consistency, volumes, restores
    #[command(after_help = "Examples:\n  \
        kubectl vmsnap describe pre-upgrade-snapshot -n production\n\n  \
        # The same data as YAML\n  \
        kubectl vmsnap describe pre-upgrade-snapshot -o yaml")]
    Describe(DescribeArgs),
    /// Follow a snapshot or restore in progress until it is ready, done or gone (kubectl wait)
    #[command(after_help = "Examples:\n  \
        # Re-attach to a snapshot still being taken (exit 4 if not ready within 10m)\n  \
        kubectl vmsnap wait pre-upgrade-snapshot --timeout 10m -n production\n\n  \
        # A restore until it completes\n  \
        kubectl vmsnap wait --restore database-01-restore-20261126-100000\n\n  \
        # Until a deletion finishes, or a condition holds\n  \
        kubectl vmsnap wait old-snapshot --for=delete\n  \
        kubectl vmsnap wait pre-upgrade-snapshot --for=condition=Ready")]
    Wait(WaitArgs),
    /// Delete snapshots (asks first; refuses when a restore is using one)
    #[command(
        visible_alias = "rm",
        after_help = "Examples:\n  \
        kubectl vmsnap delete old-snapshot -n production\n\n  \
        # Scripted, several at once, without waiting for them to disappear\n  \
        kubectl vmsnap delete snap-a snap-b --yes --no-wait"
    )]
    Delete(DeleteArgs),
    /// Roll a VM back to a snapshot (safety snapshot first, config diff preview, typed
    /// confirmation)
    #[command(after_help = "Examples:\n  \
        # Interactive: preview the config changes, type the snapshot name, confirm; a safety\n  \
        # snapshot of the VM as it is now is taken first and the report prints the undo command\n  \
        kubectl vmsnap restore database-01 --snapshot pre-upgrade-snapshot -n production\n\n  \
        # Scripted: both --yes and --confirm-name are required; --stop stops a running VM\n  \
        kubectl vmsnap restore database-01 --snapshot pre-upgrade-snapshot --stop \\\n      \
        --yes --confirm-name pre-upgrade-snapshot --start-after\n\n  \
        # Without the safety snapshot (nothing can undo the restore then)\n  \
        kubectl vmsnap restore database-01 --snapshot pre-upgrade-snapshot --no-safety-snapshot\n\n  \
        # Into a new VM, leaving database-01 alone\n  \
        kubectl vmsnap restore database-01 --snapshot pre-upgrade-snapshot --to database-01-copy\n\n  \
        # Deckhouse: go on past the dry run's conflicts (missing images are removed from the VM)\n  \
        kubectl vmsnap restore linux-vm --snapshot before-upgrade --mode BestEffort -n my-project")]
    Restore(RestoreArgs),
    /// Show what restoring a snapshot would change in its VM's configuration
    #[command(after_help = "Examples:\n  \
        # CPU, memory, disks, networks: the snapshot's VM against the live one\n  \
        kubectl vmsnap diff pre-upgrade-snapshot -n production\n\n  \
        # Also compare the VM's labels and annotations (a restore keeps the current ones)\n  \
        kubectl vmsnap diff pre-upgrade-snapshot --all\n\n  \
        # The structured diff\n  \
        kubectl vmsnap diff pre-upgrade-snapshot -o json")]
    Diff(DiffArgs),
    /// Readiness report: which VMs can be snapshotted, how consistently, and what blocks them
    #[command(after_help = "Examples:\n  \
        # Every VM of a namespace, with a summary of the most common problems\n  \
        kubectl vmsnap check -n production\n\n  \
        # One VM\n  \
        kubectl vmsnap check database-01\n\n  \
        # Every namespace, as JSON\n  \
        kubectl vmsnap check -A -o json")]
    Check(CheckArgs),
    /// Delete old snapshots by a retention policy (never the newest good one)
    #[command(after_help = "Examples:\n  \
        # Keep the 3 newest snapshots of a VM; shows both lists, then asks\n  \
        kubectl vmsnap prune database-01 --keep 3\n\n  \
        # Snapshots older than a week of every VM labelled app=db, unattended\n  \
        kubectl vmsnap prune -l app=db --older-than 7d --yes\n\n  \
        # Only show what would be deleted and why the rest stays\n  \
        kubectl vmsnap prune database-01 --keep 1 --dry-run")]
    Prune(PruneArgs),
    /// Create a new VM from a snapshot (on Deckhouse also from a stopped VM)
    #[command(after_help = "Examples:\n  \
        # A copy of database-01 as it was at the snapshot, with fresh MAC addresses\n  \
        kubectl vmsnap clone pre-upgrade-snapshot --to database-01-test -n production\n\n  \
        # Keep one interface's MAC, drop the source's app label, scripted\n  \
        kubectl vmsnap clone pre-upgrade-snapshot --to db-copy --new-mac-address default=02:00:00:aa:bb:cc \\\n      \
        --label-filter '*' --label-filter '!app' --yes\n\n  \
        # Deckhouse: a copy of a stopped VM, every name it creates suffixed\n  \
        kubectl vmsnap clone win-vm --from-vm --suffix -copy -n my-project")]
    Clone(CloneArgs),
    /// Draw a VM's snapshot tree, current snapshot marked (VMware VM Operator)
    #[command(after_help = "Examples:\n  \
        kubectl vmsnap tree web-01 -n dev-team\n\n  \
        # With vSphere ids and dates, like govc snapshot.tree -i -D\n  \
        kubectl vmsnap tree web-01 -i -D\n\n  \
        # The tree as data\n  \
        kubectl vmsnap tree web-01 -o json")]
    Tree(TreeArgs),
    /// Create a new disk from a disk snapshot (Deckhouse VirtualDiskSnapshot)
    #[command(after_help = "Examples:\n  \
        kubectl vmsnap restore-disk web-root-snap --to web-root-copy -n my-project\n\n  \
        # Larger, on another StorageClass\n  \
        kubectl vmsnap restore-disk web-root-snap --to web-root-big --size 40Gi --storage-class fast")]
    RestoreDisk(RestoreDiskArgs),
    /// Print the plugin version and the snapshot APIs the current cluster serves
    #[command(after_help = "Examples:\n  \
        kubectl vmsnap version\n\n  \
        kubectl vmsnap version -o json")]
    Version,
    /// Print the list of flags inherited by all commands (kubectl's connection flags)
    #[command(after_help = "Examples:\n  \
        kubectl vmsnap options")]
    Options,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) or the
    /// kubectl_complete-vmsnap helper (kubectl-plugin)
    #[command(after_help = "Examples:\n  \
        # kubectl vmsnap <TAB> (kubectl 1.26+ with kubectl's own completion loaded):\n  \
        # save the helper as an executable kubectl_complete-vmsnap on PATH\n  \
        kubectl vmsnap completion kubectl-plugin > ~/.local/bin/kubectl_complete-vmsnap\n  \
        chmod +x ~/.local/bin/kubectl_complete-vmsnap\n  \
        source <(kubectl completion bash)\n\n  \
        # kubectl-vmsnap <TAB> (the executable itself), bash, for this session\n  \
        source <(kubectl vmsnap completion bash)")]
    Completion(CompletionArgs),
}

impl Command {
    /// Whether the command talks to a cluster at all.
    pub fn needs_cluster(&self) -> bool {
        !matches!(
            self,
            Command::Completion(_) | Command::Version | Command::Options
        )
    }
}

/// The footer of every command's help, as kubectl's says "Use "kubectl options" for …".
pub const OPTIONS_FOOTER: &str = "Use \"kubectl vmsnap options\" for a list of global command-line options (applies to all commands).";

/// The clap command with [`OPTIONS_FOOTER`] under each command's help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let with_footer = |cmd: clap::Command| {
        let text = match cmd.get_after_help() {
            Some(after) => format!("{after}\n\n{OPTIONS_FOOTER}"),
            None => OPTIONS_FOOTER.to_string(),
        };
        cmd.after_help(text)
    };
    with_footer(Cli::command()).mut_subcommands(with_footer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{ArgAction, CommandFactory};

    /// `args` after the program name, parsed as the command line is.
    pub(super) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("kubectl-vmsnap").chain(args.iter().copied()))
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_names_the_kubectl_form() {
        let err = parse(&["create"]).unwrap_err();
        assert!(
            err.to_string().contains("Usage: kubectl vmsnap create"),
            "{err}"
        );
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = parse(&["list", "-n", "prod", "--context", "c1", "-o", "wide"]).unwrap();
        assert_eq!(cli.global.namespace.as_deref(), Some("prod"));
        assert_eq!(cli.global.context.as_deref(), Some("c1"));
        assert_eq!(cli.global.output_format(), OutputFormat::Wide);
    }

    #[test]
    fn output_defaults_to_table_and_rejects_unknown_formats() {
        assert_eq!(
            parse(&["list"]).unwrap().global.output_format(),
            OutputFormat::Table
        );
        assert!(parse(&["list", "-o", "jsonpath"]).is_err());
    }

    #[test]
    fn bare_dry_run_means_client_and_server_needs_equals() {
        let cli = parse(&["create", "vm1", "--dry-run"]).unwrap();
        assert_eq!(cli.global.dry_run_mode(), DryRun::Client);
        let cli = parse(&["create", "vm1", "--dry-run=server"]).unwrap();
        assert_eq!(cli.global.dry_run_mode(), DryRun::Server);
        assert_eq!(
            parse(&["list"]).unwrap().global.dry_run_mode(),
            DryRun::None
        );
    }

    #[test]
    fn request_timeout_parses_kubectl_durations() {
        let cli = parse(&["list", "--request-timeout", "1m30s"]).unwrap();
        assert_eq!(cli.global.request_timeout, Some(Duration::from_secs(90)));
        let cli = parse(&["list", "--request-timeout", "5"]).unwrap();
        assert_eq!(cli.global.request_timeout, Some(Duration::from_secs(5)));
        assert!(parse(&["list", "--request-timeout", "soon"]).is_err());
    }

    #[test]
    fn verbosity_takes_a_level() {
        assert_eq!(parse(&["list", "-v", "6"]).unwrap().global.verbosity, 6);
        assert_eq!(
            parse(&["list", "--verbosity=2"]).unwrap().global.verbosity,
            2
        );
    }

    #[test]
    fn provider_accepts_auto_and_kubevirt_only() {
        assert_eq!(parse(&["list"]).unwrap().global.provider, ProviderArg::Auto);
        let cli = parse(&["list", "--provider", "kubevirt"]).unwrap();
        assert_eq!(cli.global.provider, ProviderArg::KubeVirt);
        assert!(parse(&["list", "--provider", "vsphere"]).is_err());
    }

    #[test]
    fn version_and_completion_need_no_cluster() {
        assert!(!parse(&["version"]).unwrap().command.needs_cluster());
        assert!(
            !parse(&["completion", "bash"])
                .unwrap()
                .command
                .needs_cluster()
        );
        assert!(parse(&["list"]).unwrap().command.needs_cluster());
    }

    #[test]
    fn completion_takes_a_known_shell() {
        assert!(parse(&["completion", "zsh"]).is_ok());
        assert!(parse(&["completion", "tcsh"]).is_err());
    }

    /// Parses `args` after the program name with `cmd`, leaving out the checks of required
    /// and conflicting arguments (`ignore_errors`): only how each flag reads its value matters.
    fn lenient(cmd: &clap::Command, args: &[&str]) -> clap::ArgMatches {
        cmd.clone()
            .ignore_errors(true)
            .try_get_matches_from(std::iter::once("kubectl-vmsnap").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn every_bool_flag_of_every_command_takes_kubectl_forms() {
        let mut cmd = command();
        cmd.build();
        let mut checked = 0;
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            // A positional that could hold "false" (not a shell name, say).
            let positional = sub
                .get_positionals()
                .find(|p| p.get_possible_values().is_empty())
                .map(|p| p.get_id().clone());
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                // No switch is left: each bool flag must have been turned into kubectl's form.
                assert!(
                    !matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse),
                    "{name} --{id} is a plain switch; --{id}=false would be refused"
                );
                if !flag::is_bool(arg) {
                    continue;
                }
                checked += 1;
                let long = format!("--{}", arg.get_long().expect("bool flags are long"));
                let value = |args: &[&str]| {
                    let m = lenient(&cmd, &[&[name][..], args].concat());
                    let (_, sub_m) = m.subcommand().expect("subcommand");
                    sub_m.get_one::<bool>(id).copied()
                };
                let with = |v: &str| format!("{long}={v}");
                assert_eq!(value(&[&long]), Some(true), "{name} {long}");
                for (text, want) in [
                    ("true", true),
                    ("false", false),
                    ("1", true),
                    ("0", false),
                    ("True", true),
                    ("F", false),
                ] {
                    assert_eq!(value(&[&with(text)]), Some(want), "{name} {long}={text}");
                }
                // `--flag false`: the flag is true and `false` is left to the positional.
                let m = lenient(&cmd, &[name, &long, "false"]);
                let (_, sub_m) = m.subcommand().expect("subcommand");
                assert_eq!(
                    sub_m.get_one::<bool>(id),
                    Some(&true),
                    "{name} {long} false"
                );
                if let Some(pos) = &positional {
                    let raw: Vec<String> = sub_m
                        .get_raw(pos.as_str())
                        .into_iter()
                        .flatten()
                        .map(|v| v.to_string_lossy().into_owned())
                        .collect();
                    assert_eq!(raw, ["false"], "{name} {long} false: positional");
                }
                let err = cmd
                    .clone()
                    .try_get_matches_from(["kubectl-vmsnap", name, &with("maybe")])
                    .expect_err("not a bool");
                assert_eq!(
                    err.kind(),
                    clap::error::ErrorKind::InvalidValue,
                    "{name} {long}"
                );
                if let Some(short) = arg.get_short() {
                    let short = format!("-{short}");
                    assert_eq!(value(&[&short]), Some(true), "{name} {short}");
                    assert_eq!(value(&[&format!("{short}=true")]), Some(true));
                    assert_eq!(value(&[&format!("{short}=false")]), Some(false));
                }
            }
        }
        // Globals (--yes, --no-input, --no-color, the connection flags) are seen in every
        // command; at least the dozens of bool flags there are today must have been checked.
        assert!(checked > 100, "only {checked} bool flags found");
    }

    #[test]
    fn wait_false_does_not_wait_and_the_later_of_wait_and_no_wait_wins() {
        let wait = |args: &[&str]| {
            let cli = parse(&[&["delete", "snap"][..], args].concat()).unwrap();
            let Command::Delete(d) = cli.command else {
                unreachable!()
            };
            d.follow.should_wait()
        };
        assert!(wait(&[]));
        assert!(wait(&["--wait"]));
        assert!(wait(&["--wait=true"]));
        assert!(!wait(&["--wait=false"]));
        assert!(!wait(&["--no-wait"]));
        assert!(wait(&["--no-wait=false"]));
        assert!(wait(&["--no-wait", "--wait"]));
        assert!(!wait(&["--wait", "--no-wait"]));
        assert!(!wait(&["--no-wait", "--wait=false"]));
    }

    #[test]
    fn all_namespaces_alone_with_a_value_and_before_a_positional() {
        let list = |args: &[&str]| {
            let cli = parse(&[&["list"][..], args].concat()).unwrap();
            let Command::List(l) = cli.command else {
                unreachable!()
            };
            (l.all_namespaces, l.vm)
        };
        assert_eq!(list(&["-A"]), (true, None));
        assert_eq!(list(&["-A=true"]), (true, None));
        assert_eq!(list(&["--all-namespaces=false"]), (false, None));
        assert_eq!(list(&["-A", "false"]), (true, Some("false".to_string())));
        assert_eq!(list(&["-A", "db"]), (true, Some("db".to_string())));
        let cli = parse(&["list", "--no-headers=true", "-y=false", "--no-color"]).unwrap();
        let Command::List(l) = &cli.command else {
            unreachable!()
        };
        assert!(l.no_headers && !cli.global.yes && cli.global.no_color);
        assert!(parse(&["list", "-Atrue"]).is_err(), "a value needs the =");
    }

    #[test]
    fn every_command_has_examples_in_help() {
        let mut cmd = Cli::command();
        for sub in cmd.get_subcommands_mut() {
            if sub.is_hide_set() {
                continue;
            }
            let help = sub.render_long_help().to_string();
            assert!(
                help.contains("Examples:"),
                "{} has no examples",
                sub.get_name()
            );
        }
    }
}
