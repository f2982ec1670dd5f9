//! The completion tests: the word walk, live lookups through stub sources, the scripts.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::{Arg, ArgAction, Command, ValueHint};
use clap_complete::Shell;

use super::*;
use clap::builder::PossibleValuesParser;

/// The command vocabulary of DESIGN.md, as plugin-core's clap definition will spell it.
fn cli() -> Command {
    let global = |a: Arg| a.global(true);
    Command::new("kubectl-vmsnap")
        .version("0.1.0")
        .arg(global(
            Arg::new("kubeconfig")
                .long("kubeconfig")
                .value_hint(ValueHint::FilePath),
        ))
        .arg(global(Arg::new("context").long("context")))
        .arg(global(Arg::new("namespace").short('n').long("namespace")))
        .arg(global(
            Arg::new("all_namespaces")
                .short('A')
                .long("all-namespaces")
                .action(ArgAction::SetTrue),
        ))
        .arg(global(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_parser(PossibleValuesParser::new([
                    "table", "wide", "json", "yaml", "name",
                ])),
        ))
        .arg(global(
            Arg::new("verbose").short('v').action(ArgAction::Count),
        ))
        .subcommand(
            Command::new("create")
                .about("Take a snapshot of a VM")
                .arg(Arg::new("vm").value_name("VM").required(true))
                .arg(Arg::new("name").long("name"))
                .arg(Arg::new("stop").long("stop").action(ArgAction::SetTrue)),
        )
        .subcommand(
            Command::new("list")
                .about("List snapshots")
                .arg(Arg::new("vm").value_name("VM")),
        )
        .subcommand(
            Command::new("describe")
                .about("Show one snapshot")
                .arg(Arg::new("snapshot").value_name("SNAPSHOT").required(true)),
        )
        .subcommand(
            Command::new("delete").about("Delete snapshots").arg(
                Arg::new("snapshots")
                    .value_name("SNAPSHOT")
                    .num_args(1..)
                    .required(true),
            ),
        )
        .subcommand(
            Command::new("restore")
                .about("Restore a VM from a snapshot")
                .arg(Arg::new("vm").value_name("VM").required(true))
                .arg(Arg::new("snapshot").long("snapshot").required(true)),
        )
        .subcommand(
            Command::new("clone")
                .about("Create a new VM from a snapshot")
                .arg(Arg::new("snapshot").value_name("SNAPSHOT").required(true))
                .arg(Arg::new("to").long("to").value_name("NEW_VM")),
        )
}

fn words(line: &str) -> Vec<String> {
    // A trailing space means the cursor is on a new, empty word.
    let mut w: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    if line.is_empty() || line.ends_with(' ') {
        w.push(String::new());
    }
    w
}

fn values(c: &Completion) -> Vec<&str> {
    c.candidates.iter().map(|c| c.value.as_str()).collect()
}

/// `c` offers each of `wanted` (among others).
fn assert_offers(c: &Completion, wanted: &[&str]) {
    let v = values(c);
    for w in wanted {
        assert!(v.contains(w), "{w} missing from {v:?}");
    }
}

#[test]
fn empty_line_offers_visible_subcommands_only() {
    let cmd = cli().subcommand(Command::new("__plumbing").hide(true));
    let c = complete(&cmd, &words(""));
    assert_eq!(
        values(&c),
        [
            "create", "list", "describe", "delete", "restore", "clone", "help"
        ]
    );
    assert_eq!(c.directive, DIRECTIVE_NO_FILE_COMP);
    assert_eq!(c.lookup, None);
}

#[test]
fn no_words_at_all_is_the_same_as_an_empty_word() {
    assert_eq!(complete(&cli(), &[]), complete(&cli(), &words("")));
}

#[test]
fn partial_subcommand_is_filtered_by_prefix_with_descriptions() {
    let c = complete(&cli(), &words("de"));
    assert_eq!(values(&c), ["describe", "delete"]);
    assert_eq!(
        c.render(),
        "describe\tShow one snapshot\ndelete\tDelete snapshots\n:4\n"
    );
}

#[test]
fn partial_long_flag_lists_matching_global_and_local_flags() {
    let c = complete(&cli(), &words("create vm1 --n"));
    assert_eq!(values(&c), ["--name", "--namespace"]);
}

#[test]
fn single_dash_lists_long_and_short_flags() {
    let c = complete(&cli(), &words("list -"));
    assert_offers(
        &c,
        &[
            "--namespace",
            "-n",
            "--all-namespaces",
            "-A",
            "--output",
            "-o",
            "--help",
            "-h",
        ],
    );
    let v = values(&c);
    assert!(
        !v.contains(&"--stop"),
        "create's flag leaked into list: {v:?}"
    );
}

#[test]
fn flags_already_given_are_not_offered_again_unless_repeatable() {
    let c = complete(&cli(), &words("list -n prod -v --"));
    let v = values(&c);
    assert!(!v.contains(&"--namespace"), "{v:?}");
    let c = complete(&cli(), &words("list -v -"));
    assert!(values(&c).contains(&"-v"), "counted flag must stay offered");
}

/// Each line asks for the names its cursor is on: (line, kind, prefix, namespace, VM).
#[test]
fn each_line_asks_for_the_lookup_its_cursor_is_on() {
    use ValueKind::{Namespace, Snapshot, Vm};
    let cases = [
        // The value of -n.
        ("list -n de", Namespace, "de", None, None),
        // A VM operand, in the namespace given anywhere on the line.
        ("-n prod create we", Vm, "we", Some("prod"), None),
        ("create -n prod we", Vm, "we", Some("prod"), None),
        ("create --namespace prod we", Vm, "we", Some("prod"), None),
        ("create -nprod we", Vm, "we", Some("prod"), None),
        // restore VM --snapshot: the snapshots of that VM.
        (
            "restore web-1 --snapshot ",
            Snapshot,
            "",
            None,
            Some("web-1"),
        ),
        // describe and every delete operand: any snapshot.
        ("describe s", Snapshot, "s", None, None),
        ("delete s1 s2 s", Snapshot, "s", None, None),
    ];
    for (line, kind, prefix, namespace, vm) in cases {
        let c = complete(&cli(), &words(line));
        assert!(c.candidates.is_empty(), "{line}");
        assert_eq!(c.directive, DIRECTIVE_NO_FILE_COMP, "{line}");
        let l = c.lookup.expect(line);
        let got = (
            l.kind,
            l.prefix.as_str(),
            l.namespace.as_deref(),
            l.vm.as_deref(),
        );
        assert_eq!(got, (kind, prefix, namespace, vm), "{line}");
    }
}

#[test]
fn value_after_namespace_before_any_subcommand_asks_for_namespaces() {
    let c = complete(&cli(), &words("-n "));
    assert_eq!(c.lookup.map(|l| l.kind), Some(ValueKind::Namespace));
}

#[test]
fn namespace_given_as_long_flag_with_equals_keeps_the_flag_on_output() {
    let mut c = complete(&cli(), &words("list --namespace=pr"));
    let lookup = c.lookup.clone().expect("lookup");
    assert_eq!(
        (lookup.kind, lookup.prefix.as_str()),
        (ValueKind::Namespace, "pr")
    );
    c.add_names(["prod".to_owned()]);
    assert_eq!(c.render(), "--namespace=prod\n:4\n");
}

#[test]
fn new_names_are_not_looked_up() {
    for line in ["clone s1 --to ", "create vm1 --name "] {
        let c = complete(&cli(), &words(line));
        assert_eq!(c.lookup, None, "{line}");
        assert!(c.candidates.is_empty(), "{line}");
        assert_eq!(c.directive, DIRECTIVE_NO_FILE_COMP, "{line}");
    }
}

#[test]
fn nothing_is_offered_once_all_operands_are_given() {
    let c = complete(&cli(), &words("describe s1 "));
    assert_eq!((c.candidates.len(), c.lookup), (0, None));
}

#[test]
fn possible_values_complete_statically() {
    let c = complete(&cli(), &words("list -o j"));
    assert_eq!(values(&c), ["json"]);
    let c = complete(&cli(), &words("list --output="));
    assert_eq!(
        c.render(),
        "--output=table\n--output=wide\n--output=json\n--output=yaml\n--output=name\n:4\n"
    );
}

#[test]
fn kubeconfig_value_falls_back_to_file_completion() {
    let c = complete(&cli(), &words("list --kubeconfig "));
    assert_eq!(c.directive, DIRECTIVE_DEFAULT);
    assert!(c.render().ends_with(":0\n"));
}

#[test]
fn options_on_the_line_are_handed_to_the_lookup() {
    let c = complete(&cli(), &words("--kubeconfig /k --context=lab describe "));
    let lookup = c.lookup.expect("lookup");
    assert_eq!(
        lookup.options.get("kubeconfig").map(String::as_str),
        Some("/k")
    );
    assert_eq!(
        lookup.options.get("context").map(String::as_str),
        Some("lab")
    );
}

#[test]
fn words_after_double_dash_are_operands_not_flags() {
    let c = complete(&cli(), &words("describe -- -"));
    assert_eq!(
        c.lookup.map(|l| (l.kind, l.prefix)),
        Some((ValueKind::Snapshot, "-".to_owned()))
    );
}

#[test]
fn unknown_subcommand_offers_nothing() {
    let c = complete(&cli(), &words("frobnicate "));
    assert!(c.candidates.is_empty());
    assert_eq!(c.render(), ":4\n");
}

#[test]
fn optional_value_needing_equals_does_not_swallow_the_next_word() {
    let cmd = cli().arg(
        Arg::new("dry_run")
            .long("dry-run")
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("client")
            .global(true)
            .value_parser(PossibleValuesParser::new(["none", "client", "server"])),
    );
    let lookup = complete(&cmd, &words("create --dry-run we"))
        .lookup
        .expect("lookup");
    assert_eq!((lookup.kind, lookup.prefix.as_str()), (ValueKind::Vm, "we"));
    let c = complete(&cmd, &words("create --dry-run=s"));
    assert_eq!(c.render(), "--dry-run=server\n:4\n");
}

#[test]
fn complete_request_takes_the_raw_words_after_the_hidden_subcommand() {
    let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
    assert_eq!(
        complete_request(&args(&["kubectl-vmsnap", "__complete", "-n", ""])),
        Some(vec!["-n".to_owned(), String::new()])
    );
    assert_eq!(
        complete_request(&args(&["kubectl-vmsnap", "list", "__complete"])),
        None
    );
    assert_eq!(complete_request(&args(&["kubectl-vmsnap"])), None);
}

/// The real clap definition: the value names it uses drive the live lookups.
mod real_cli {
    use super::*;
    use clap::CommandFactory;

    fn real() -> Command {
        crate::cli::Cli::command()
    }

    #[test]
    fn subcommands_and_hidden_plumbing() {
        let c = complete(&real(), &words(""));
        assert_offers(
            &c,
            &[
                "create",
                "list",
                "describe",
                "delete",
                "restore",
                "version",
                "completion",
            ],
        );
        let v = values(&c);
        assert!(!v.contains(&COMPLETE_SUBCOMMAND), "{v:?}");
    }

    #[test]
    fn restore_snapshot_flag_asks_for_snapshots_of_the_vm() {
        for line in [
            "restore db --snapshot pre",
            "restore -n prod db --snapshot pre",
        ] {
            let lookup = complete(&real(), &words(line)).lookup.expect(line);
            assert_eq!(lookup.kind, ValueKind::Snapshot, "{line}");
            assert_eq!(
                (lookup.prefix.as_str(), lookup.vm.as_deref()),
                ("pre", Some("db")),
                "{line}"
            );
        }
    }

    #[test]
    fn namespace_vm_and_snapshot_operands() {
        let kind = |line: &str| complete(&real(), &words(line)).lookup.map(|l| l.kind);
        assert_eq!(kind("list -n "), Some(ValueKind::Namespace));
        assert_eq!(kind("create "), Some(ValueKind::Vm));
        assert_eq!(kind("ls "), Some(ValueKind::Vm));
        assert_eq!(kind("describe "), Some(ValueKind::Snapshot));
        assert_eq!(kind("rm a "), Some(ValueKind::Snapshot));
        assert_eq!(kind("create db --name "), None);
    }

    #[test]
    fn output_and_provider_values_are_static() {
        let c = complete(&real(), &words("list -o "));
        assert_eq!(
            values(&c),
            [
                "table",
                "wide",
                "json",
                "yaml",
                "name",
                "report-json",
                "report-yaml",
                "custom-columns=",
                "custom-columns-file=",
                "jsonpath=",
                "jsonpath-as-json=",
                "jsonpath-file="
            ]
        );
        let c = complete(&real(), &words("restore db --target-readiness-policy Stop"));
        assert_eq!(values(&c), ["StopTarget"]);
    }
}

struct Stub;

impl NameSource for Stub {
    async fn namespaces(&self) -> anyhow::Result<Vec<String>> {
        Ok(vec!["prod".into(), "default".into(), "dev".into()])
    }
    async fn vms(&self, namespace: Option<&str>) -> anyhow::Result<Vec<String>> {
        Ok(match namespace {
            Some("prod") => vec!["web-2".into(), "web-1".into(), "db".into()],
            _ => vec!["lab".into()],
        })
    }
    async fn snapshots(&self, _ns: Option<&str>) -> anyhow::Result<Vec<SnapshotName>> {
        // web-1-b failed: not restorable.
        let snap = |name: &str, vm: &str| SnapshotName {
            name: name.into(),
            vm: Some(vm.into()),
            restorable: name != "web-1-b",
        };
        Ok(vec![
            snap("web-1-a", "web-1"),
            snap("web-2-a", "web-2"),
            snap("web-1-b", "web-1"),
        ])
    }
}

struct Failing;

impl NameSource for Failing {
    async fn namespaces(&self) -> anyhow::Result<Vec<String>> {
        anyhow::bail!("forbidden")
    }
    async fn vms(&self, _: Option<&str>) -> anyhow::Result<Vec<String>> {
        anyhow::bail!("forbidden")
    }
    async fn snapshots(&self, _: Option<&str>) -> anyhow::Result<Vec<SnapshotName>> {
        anyhow::bail!("forbidden")
    }
}

/// Never answers, like an API server behind a dropped connection.
struct Hanging;

impl NameSource for Hanging {
    async fn namespaces(&self) -> anyhow::Result<Vec<String>> {
        std::future::pending().await
    }
    async fn vms(&self, _: Option<&str>) -> anyhow::Result<Vec<String>> {
        std::future::pending().await
    }
    async fn snapshots(&self, _: Option<&str>) -> anyhow::Result<Vec<SnapshotName>> {
        std::future::pending().await
    }
}

fn lookup(kind: ValueKind, prefix: &str, namespace: Option<&str>, vm: Option<&str>) -> Lookup {
    Lookup {
        kind,
        prefix: prefix.into(),
        namespace: namespace.map(Into::into),
        vm: vm.map(Into::into),
        restorable_only: false,
        options: BTreeMap::new(),
    }
}

#[tokio::test]
async fn only_restorable_snapshots_are_offered_when_the_lookup_asks_for_them() {
    let mut wanted = lookup(ValueKind::Snapshot, "web-1", None, Some("web-1"));
    let all = dynamic_candidates(&Stub, &wanted).await;
    assert_eq!(all, ["web-1-a", "web-1-b"]);
    wanted.restorable_only = true;
    let restorable = dynamic_candidates(&Stub, &wanted).await;
    assert_eq!(restorable, ["web-1-a"]);
}

#[test]
fn restore_snapshot_asks_for_restorable_snapshots_and_describe_for_all() {
    let real = crate::cli::command();
    let restore = complete(&real, &words("restore db --snapshot ")).lookup;
    assert!(restore.expect("a lookup").restorable_only);
    let describe = complete(&real, &words("describe ")).lookup;
    assert!(!describe.expect("a lookup").restorable_only);
}

#[test]
fn context_cluster_and_user_flags_ask_for_kubeconfig_names() {
    let real = crate::cli::command();
    let kind = |line: &str| complete(&real, &words(line)).lookup.map(|l| l.kind);
    assert_eq!(kind("list --context "), Some(ValueKind::Context));
    assert_eq!(kind("--cluster "), Some(ValueKind::Cluster));
    assert_eq!(kind("describe s --user "), Some(ValueKind::User));
}

#[tokio::test]
async fn kubeconfig_names_come_from_the_kubeconfig_on_the_line_without_connecting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("config");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\ncurrent-context: lab\n\
         clusters:\n- name: lab-cluster\n  cluster: {server: https://127.0.0.1:1}\n\
         - name: prod-cluster\n  cluster: {server: https://127.0.0.1:2}\n\
         users:\n- name: alice\n  user: {token: t}\n- name: bob\n  user: {token: u}\n\
         contexts:\n- name: lab\n  context: {cluster: lab-cluster, user: alice}\n\
         - name: prod\n  context: {cluster: prod-cluster, user: bob}\n\
         - name: other\n  context: {cluster: lab-cluster, user: bob}\n",
    )
    .expect("kubeconfig");
    let path = kc.display().to_string();
    let none = BTreeMap::new();
    assert_eq!(
        kubeconfig_answer(&format!("list --kubeconfig {path} --context "), &none).await,
        "lab\nother\nprod\n:4\n"
    );
    assert_eq!(
        kubeconfig_answer(&format!("--kubeconfig={path} --cluster p"), &none).await,
        "prod-cluster\n:4\n"
    );
    assert_eq!(
        kubeconfig_answer(&format!("--kubeconfig {path} list --user="), &none).await,
        "--user=alice\n--user=bob\n:4\n"
    );
    // KUBECONFIG from the environment, as kubectl reads it.
    let vars = BTreeMap::from([("KUBECONFIG".to_string(), path)]);
    assert_eq!(
        kubeconfig_answer("list --context l", &vars).await,
        "lab\n:4\n"
    );
}

/// What `respond` writes for `line` of `cmd`, reaching the cluster through `connect`.
async fn answer<S, F, Fut>(
    cmd: &Command,
    line: &str,
    vars: &BTreeMap<String, String>,
    connect: F,
    timeout: Duration,
) -> String
where
    S: NameSource,
    F: FnOnce(&Lookup) -> Fut,
    Fut: Future<Output = anyhow::Result<S>>,
{
    let mut out = Vec::new();
    respond(cmd, &words(line), vars, connect, timeout, &mut out)
        .await
        .expect("write to a Vec");
    String::from_utf8(out).expect("utf-8")
}

/// A connect that fails the test: the answer must come without the cluster.
fn never_connect(_: &Lookup) -> impl Future<Output = anyhow::Result<Stub>> + use<> {
    async { panic!("must not connect") }
}

/// The answer to `line` (real CLI) when the cluster must not be asked.
async fn kubeconfig_answer(line: &str, vars: &BTreeMap<String, String>) -> String {
    let real = crate::cli::command();
    answer(&real, line, vars, never_connect, LOOKUP_TIMEOUT).await
}

#[cfg(unix)]
#[test]
fn the_kubectl_plugin_helper_is_a_shell_script_relaying_every_word_to_complete() {
    let helper = kubectl_plugin_helper();
    assert!(helper.starts_with("#!/usr/bin/env sh\n"), "{helper}");
    assert!(
        helper.contains("kubectl vmsnap __complete \"$@\""),
        "{helper}"
    );
}

#[tokio::test]
async fn live_names_are_filtered_by_prefix_and_sorted() {
    let names = dynamic_candidates(&Stub, &lookup(ValueKind::Namespace, "d", None, None)).await;
    assert_eq!(names, ["default", "dev"]);
    let names = dynamic_candidates(&Stub, &lookup(ValueKind::Vm, "web", Some("prod"), None)).await;
    assert_eq!(names, ["web-1", "web-2"]);
}

#[tokio::test]
async fn snapshots_are_narrowed_to_the_vm_on_the_line() {
    let names =
        dynamic_candidates(&Stub, &lookup(ValueKind::Snapshot, "", None, Some("web-1"))).await;
    assert_eq!(names, ["web-1-a", "web-1-b"]);
    let names = dynamic_candidates(&Stub, &lookup(ValueKind::Snapshot, "web-2", None, None)).await;
    assert_eq!(names, ["web-2-a"]);
}

#[tokio::test]
async fn lookup_errors_give_no_candidates() {
    let names = dynamic_candidates(&Failing, &lookup(ValueKind::Vm, "", None, None)).await;
    assert!(names.is_empty());
}

async fn respond_text<S: NameSource>(line: &str, source: S, timeout: Duration) -> String {
    let vars = BTreeMap::new();
    answer(&cli(), line, &vars, |_| async { Ok(source) }, timeout).await
}

/// What `respond` writes for `line` of the test CLI, no environment, reaching the cluster
/// through `connect`.
async fn connecting_answer<S, F, Fut>(line: &str, connect: F) -> String
where
    S: NameSource,
    F: FnOnce(&Lookup) -> Fut,
    Fut: Future<Output = anyhow::Result<S>>,
{
    answer(&cli(), line, &BTreeMap::new(), connect, LOOKUP_TIMEOUT).await
}

#[tokio::test]
async fn respond_prints_live_vm_names_and_the_no_file_directive() {
    let text = respond_text("restore -n prod web", Stub, LOOKUP_TIMEOUT).await;
    assert_eq!(text, "web-1\nweb-2\n:4\n");
}

#[tokio::test]
async fn respond_passes_the_line_options_to_connect() {
    let mut seen = None;
    let connect = |l: &Lookup| {
        seen = Some(l.options.clone());
        async { Ok(Stub) }
    };
    let line = "--context lab -n prod describe ";
    connecting_answer(line, connect).await;
    let seen = seen.expect("connect called");
    assert_eq!(seen.get("context").map(String::as_str), Some("lab"));
    assert_eq!(seen.get("namespace").map(String::as_str), Some("prod"));
}

/// Read the first pages, then ran out of time.
struct Truncated;

impl NameSource for Truncated {
    async fn namespaces(&self) -> anyhow::Result<Vec<String>> {
        Stub.namespaces().await
    }
    async fn vms(&self, ns: Option<&str>) -> anyhow::Result<Vec<String>> {
        Stub.vms(ns).await
    }
    async fn snapshots(&self, ns: Option<&str>) -> anyhow::Result<Vec<SnapshotName>> {
        Stub.snapshots(ns).await
    }
    fn stopped_early(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn respond_offers_the_names_read_and_says_the_list_stopped_early() {
    let text = respond_text("restore -n prod web", Truncated, LOOKUP_TIMEOUT).await;
    assert_eq!(
        text,
        "web-1\nweb-2\n_activeHelp_ some names left out: the cluster did not list them all within 2s\n:4\n"
    );
}

#[tokio::test]
async fn respond_says_so_when_the_cluster_does_not_answer_in_time() {
    let text = respond_text("describe ", Hanging, Duration::from_millis(20)).await;
    assert_eq!(
        text,
        "_activeHelp_ no names: the cluster did not answer within 0.02s\n:4\n"
    );
}

#[tokio::test]
async fn respond_gives_up_silently_when_connecting_fails() {
    let connect = |_: &Lookup| async { Err::<Stub, _>(anyhow::anyhow!("no kubeconfig")) };
    let text = connecting_answer("describe ", connect).await;
    assert_eq!(text, ":4\n");
}

#[tokio::test]
async fn respond_does_not_connect_when_no_live_names_are_wanted() {
    let text = connecting_answer("cr", never_connect).await;
    assert_eq!(text, "create\tTake a snapshot of a VM\n:4\n");
}

#[test]
fn static_scripts_complete_the_plugin_executable_in_every_shell() {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
        let mut out = Vec::new();
        generate(shell, &mut cli(), &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("kubectl-vmsnap"), "{shell}");
        assert!(text.contains("restore"), "{shell}: subcommands missing");
        assert!(
            text.contains("kubectl_complete-vmsnap"),
            "{shell}: note missing"
        );
    }
    let mut bash = Vec::new();
    generate(Shell::Bash, &mut cli(), &mut bash);
    let bash = String::from_utf8(bash).expect("utf-8");
    assert!(
        bash.contains("kubectl__vmsnap__subcmd__restore)"),
        "case arm for restore"
    );
    assert!(
        !bash.contains("kubectl__subcmd__vmsnap"),
        "clap-rs/clap#6421 spelling left"
    );
    let mut zsh = Vec::new();
    generate(Shell::Zsh, &mut cli(), &mut zsh);
    assert!(
        zsh.starts_with(b"#compdef kubectl-vmsnap\n"),
        "zsh autoload needs #compdef first"
    );
}
