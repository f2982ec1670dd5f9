//! Shell completion: static scripts generated from the clap definition and the dynamic protocol kubectl uses for plugins.
//!
//! Two ways in:
//! - [`generate`] writes a static bash/zsh/fish/PowerShell script (clap_complete) that
//!   completes the `kubectl-vmsnap` executable itself. These are checked in under
//!   `completions/` and printed by `kubectl vmsnap completion SHELL`.
//! - For `kubectl vmsnap …`, kubectl (1.26+) itself completes: it runs the executable
//!   `kubectl_complete-vmsnap` from PATH with the words after `vmsnap` (the last one is the
//!   word under the cursor) and reads one candidate per line plus a final `:<directive>`
//!   line (Cobra's ShellCompDirective). The shim in `completions/` runs
//!   `kubectl vmsnap __complete WORDS…`, which lands in [`respond`].
//!
//! The `__complete` side is implemented here rather than with clap_complete's dynamic
//! engine: that engine sits behind the `unstable-dynamic` feature (no stability promise,
//! extra dependencies), its value completers are synchronous, and it cannot express Cobra's
//! directives. What it needs from clap is small: walk the words against the `Command` tree.
//!
//! Which values are looked up live is decided from the clap definition, so the CLI stays
//! the single source of truth: an argument whose value name (or id) is `NAMESPACE`, `VM(S)`
//! or `SNAPSHOT(S)` completes namespaces, VMs or snapshots ([`ValueKind`]); arguments with
//! possible values complete those; path-valued arguments fall back to the shell's file
//! completion. `oc vmsnap` runs the same binary; whether `oc` consults
//! `kubectl_complete-vmsnap` depends on the oc release.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::{self, Write};
use std::time::Duration;

use clap::{Arg, ArgAction, Command, ValueHint};
use clap_complete::Shell;

/// The executable name the static scripts complete.
pub const BIN_NAME: &str = "kubectl-vmsnap";

/// The hidden subcommand the `kubectl_complete-vmsnap` shim calls.
pub const COMPLETE_SUBCOMMAND: &str = "__complete";

/// How long a live lookup (connect + list) may take before completion gives up and says so.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the pages of a lookup may take, from the start of the lookup: the rest of
/// [`LOOKUP_TIMEOUT`] leaves time to print what was read and say the list stopped.
pub const PAGES_BUDGET: Duration = Duration::from_millis(1_700);

/// Cobra's Active Help marker (`activeHelpMarker` in spf13/cobra's active_help.go): a line
/// the shell prints as a message, not a candidate.
const ACTIVE_HELP: &str = "_activeHelp_ ";

/// Cobra's ShellCompDirectiveDefault: the shell may fall back to file completion.
pub const DIRECTIVE_DEFAULT: u32 = 0;
/// Cobra's ShellCompDirectiveNoFileComp: offer only the printed candidates.
pub const DIRECTIVE_NO_FILE_COMP: u32 = 4;
/// Cobra's ShellCompDirectiveFilterDirs: complete directory names only.
pub const DIRECTIVE_FILTER_DIRS: u32 = 16;

/// Write the static completion script for `shell`, completing the `kubectl-vmsnap` executable.
///
/// clap's generators only know the executable name; completing `kubectl vmsnap …` goes
/// through kubectl's own completion and the `kubectl_complete-vmsnap` helper instead, as the
/// note appended to every script says.
pub fn generate(shell: Shell, cmd: &mut Command, out: &mut dyn Write) {
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, BIN_NAME, &mut script);
    if shell == Shell::Bash {
        // clap_complete 4.6 spells a hyphenated bin name two ways in bash
        // (clap-rs/clap#6421): the word loop says kubectl__vmsnap__subcmd__X, the case arms
        // kubectl__subcmd__vmsnap__subcmd__X, so nothing after a subcommand completes.
        // Spell the arms the loop's way.
        let text = String::from_utf8_lossy(&script).replace(
            &BIN_NAME.replace('-', "__subcmd__"),
            &BIN_NAME.replace('-', "__"),
        );
        script = text.into_bytes();
    }
    // A completion script that cannot be written is reported by the caller's flush.
    let _ = out.write_all(&script);
    // Every supported shell treats `#` as a comment; the note goes last so zsh's
    // `#compdef` first line stays first.
    let note = "\n# This completes the kubectl-vmsnap executable. To complete `kubectl vmsnap ...`\n\
                # (kubectl 1.26+), put kubectl_complete-vmsnap on PATH and load kubectl's own\n\
                # completion; see docs/install.md.\n";
    let _ = out.write_all(note.as_bytes());
}

/// What kind of cluster object a value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Namespace,
    Vm,
    Snapshot,
}

impl ValueKind {
    /// The kind an argument's value names, by its value name or id (see the module docs).
    pub fn of(arg: &Arg) -> Option<ValueKind> {
        let id = arg.get_id().as_str().to_ascii_uppercase();
        let names = arg.get_value_names().unwrap_or_default();
        let named = |wanted: &[&str]| {
            wanted.contains(&id.as_str()) || names.iter().any(|n| wanted.contains(&n.as_str()))
        };
        if named(&["NAMESPACE"]) {
            Some(ValueKind::Namespace)
        } else if named(&["VM", "VMS"]) {
            Some(ValueKind::Vm)
        } else if named(&["SNAPSHOT", "SNAPSHOTS"]) {
            Some(ValueKind::Snapshot)
        } else {
            None
        }
    }
}

/// A value the static walk cannot know: names to fetch from the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub kind: ValueKind,
    /// The part of the value already typed; candidates must start with it.
    pub prefix: String,
    /// `-n/--namespace` from the line, if given; otherwise the kubeconfig context's.
    pub namespace: Option<String>,
    /// The VM named earlier on the line (`restore VM --snapshot …`): snapshots of it only.
    pub vm: Option<String>,
    /// Every option given a value on the line, by long name (`context`, `kubeconfig`, …),
    /// so the caller can connect the way the finished command would.
    pub options: BTreeMap<String, String>,
}

/// One completion candidate: a value and an optional description (shown by zsh and fish).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub help: Option<String>,
}

impl Candidate {
    fn new(value: impl Into<String>, help: Option<String>) -> Self {
        Candidate {
            value: value.into(),
            help,
        }
    }
}

/// The answer to one completion request, before any live lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<Candidate>,
    /// Set when live names should be added (see [`dynamic_candidates`]).
    pub lookup: Option<Lookup>,
    /// Prepended to every value on output: `--namespace=` when completing `--namespace=de`.
    pub insert_prefix: String,
    /// Cobra ShellCompDirective printed as the last line.
    pub directive: u32,
}

impl Completion {
    fn empty(directive: u32) -> Self {
        Completion {
            candidates: Vec::new(),
            lookup: None,
            insert_prefix: String::new(),
            directive,
        }
    }

    /// Add live names (already filtered by the lookup's prefix).
    pub fn add_names(&mut self, names: impl IntoIterator<Item = String>) {
        self.candidates
            .extend(names.into_iter().map(|n| Candidate::new(n, None)));
    }

    /// The protocol text: `value[\tdescription]` lines, then `:<directive>`.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for c in &self.candidates {
            if !c.value.starts_with(ACTIVE_HELP) {
                text.push_str(&self.insert_prefix);
            }
            text.push_str(&c.value);
            if let Some(help) = c.help.as_deref().and_then(|h| h.lines().next())
                && !help.is_empty()
            {
                text.push('\t');
                text.push_str(help);
            }
            text.push('\n');
        }
        text.push_str(&format!(":{}\n", self.directive));
        text
    }
}

/// Where an option value is expected next, and what the line said so far.
struct Walk<'a> {
    cmd: &'a Command,
    positionals: Vec<String>,
    escaped: bool,
    pending: Option<&'a Arg>,
    seen: BTreeSet<String>,
    options: BTreeMap<String, String>,
    vm: Option<String>,
}

impl<'a> Walk<'a> {
    fn record(&mut self, arg: &Arg, value: Option<&str>) {
        self.seen.insert(arg.get_id().to_string());
        if let Some(value) = value {
            let key = arg
                .get_long()
                .map_or_else(|| arg.get_id().to_string(), str::to_owned);
            self.options.insert(key, value.to_owned());
            if ValueKind::of(arg) == Some(ValueKind::Vm) {
                self.vm = Some(value.to_owned());
            }
        }
    }

    fn word(&mut self, word: &str) {
        if let Some(arg) = self.pending.take() {
            self.record(arg, Some(word));
            return;
        }
        if self.escaped {
            self.positional(word);
            return;
        }
        if word == "--" {
            self.escaped = true;
            return;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            if let Some(arg) = find_long(self.cmd, name) {
                if takes_next_word(arg) && value.is_none() {
                    self.seen.insert(arg.get_id().to_string());
                    self.pending = Some(arg);
                } else {
                    self.record(arg, value);
                }
            }
            return;
        }
        if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (i, c) in shorts.char_indices() {
                let Some(arg) = find_short(self.cmd, c) else {
                    continue;
                };
                if takes_next_word(arg) {
                    let rest = &shorts[i + c.len_utf8()..];
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    if rest.is_empty() {
                        self.seen.insert(arg.get_id().to_string());
                        self.pending = Some(arg);
                    } else {
                        self.record(arg, Some(rest));
                    }
                    return;
                }
                self.record(arg, None);
            }
            return;
        }
        if self.positionals.is_empty()
            && let Some(sub) = self.cmd.find_subcommand(word)
        {
            self.cmd = sub;
            return;
        }
        self.positional(word);
    }

    fn positional(&mut self, word: &str) {
        if let Some(arg) = positional_at(self.cmd, self.positionals.len())
            && ValueKind::of(arg) == Some(ValueKind::Vm)
            && self.vm.is_none()
        {
            self.vm = Some(word.to_owned());
        }
        self.positionals.push(word.to_owned());
    }

    fn lookup(&self, kind: ValueKind, prefix: &str) -> Lookup {
        Lookup {
            kind,
            prefix: prefix.to_owned(),
            namespace: self.options.get("namespace").cloned(),
            vm: self.vm.clone(),
            options: self.options.clone(),
        }
    }

    /// Candidates for a value of `arg` starting with `partial`.
    fn value(&self, arg: &Arg, partial: &str, insert_prefix: &str) -> Completion {
        let mut out = Completion::empty(DIRECTIVE_NO_FILE_COMP);
        out.insert_prefix = insert_prefix.to_owned();
        let possible = arg.get_possible_values();
        if !possible.is_empty() {
            out.candidates = possible
                .iter()
                .filter(|p| !p.is_hide_set() && p.get_name().starts_with(partial))
                .map(|p| Candidate::new(p.get_name(), p.get_help().map(|h| h.to_string())))
                .collect();
        } else if let Some(kind) = ValueKind::of(arg) {
            out.lookup = Some(self.lookup(kind, partial));
        } else {
            match arg.get_value_hint() {
                ValueHint::DirPath => out.directive = DIRECTIVE_FILTER_DIRS,
                ValueHint::FilePath | ValueHint::AnyPath | ValueHint::ExecutablePath => {
                    out.directive = DIRECTIVE_DEFAULT;
                }
                _ if arg.get_id() == "kubeconfig" => out.directive = DIRECTIVE_DEFAULT,
                _ => {}
            }
        }
        out
    }

    /// Flag names (`--long`, and `-s` when it matches too) starting with `partial`.
    fn flags(&self, partial: &str) -> Completion {
        let mut out = Completion::empty(DIRECTIVE_NO_FILE_COMP);
        for arg in self.cmd.get_arguments() {
            if arg.is_positional() || arg.is_hide_set() {
                continue;
            }
            let repeatable = matches!(arg.get_action(), ArgAction::Append | ArgAction::Count);
            if self.seen.contains(arg.get_id().as_str()) && !repeatable {
                continue;
            }
            let help = arg.get_help().map(|h| h.to_string());
            if let Some(long) = arg.get_long() {
                let flag = format!("--{long}");
                if flag.starts_with(partial) {
                    out.candidates.push(Candidate::new(flag, help.clone()));
                }
            }
            if let Some(short) = arg.get_short() {
                let flag = format!("-{short}");
                if flag.starts_with(partial) {
                    out.candidates.push(Candidate::new(flag, help));
                }
            }
        }
        out
    }

    /// Subcommands and the next positional's values, for a word not starting with `-`.
    fn operand(&self, partial: &str) -> Completion {
        let mut out = match positional_at(self.cmd, self.positionals.len()) {
            Some(arg) => self.value(arg, partial, ""),
            None => Completion::empty(DIRECTIVE_NO_FILE_COMP),
        };
        if self.positionals.is_empty() && !self.escaped {
            let subs = self
                .cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name().starts_with(partial))
                .map(|s| Candidate::new(s.get_name(), s.get_about().map(|a| a.to_string())));
            out.candidates.splice(0..0, subs.collect::<Vec<_>>());
        }
        out
    }
}

fn takes_value(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Set | ArgAction::Append)
        && arg.get_num_args().is_none_or(|n| n.takes_values())
}

/// Whether the next word is this option's value (`--dry-run` takes one only as `--dry-run=x`).
fn takes_next_word(arg: &Arg) -> bool {
    takes_value(arg) && !arg.is_require_equals_set()
}

fn find_long<'a>(cmd: &'a Command, name: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().unwrap_or_default().contains(&name)
    })
}

fn find_short(cmd: &Command, c: char) -> Option<&Arg> {
    cmd.get_arguments().find(|a| {
        a.get_short() == Some(c) || a.get_all_short_aliases().unwrap_or_default().contains(&c)
    })
}

/// The positional argument that takes the `index`-th operand (a trailing multi-value one
/// takes all the rest).
fn positional_at(cmd: &Command, index: usize) -> Option<&Arg> {
    let positionals: Vec<&Arg> = cmd.get_positionals().collect();
    positionals.get(index).copied().or_else(|| {
        positionals
            .last()
            .copied()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
            .filter(|_| index >= positionals.len())
    })
}

/// Complete `words` (the arguments after `vmsnap`, the last being the word under the cursor)
/// against `cmd`. Live names are not fetched here: see [`Completion::lookup`].
pub fn complete(cmd: &Command, words: &[String]) -> Completion {
    let mut cmd = cmd.clone();
    cmd.build();
    let (current, done) = match words.split_last() {
        Some((current, done)) => (current.as_str(), done),
        None => ("", words),
    };
    let mut walk = Walk {
        cmd: &cmd,
        positionals: Vec::new(),
        escaped: false,
        pending: None,
        seen: BTreeSet::new(),
        options: BTreeMap::new(),
        vm: None,
    };
    for word in done {
        walk.word(word);
    }
    if let Some(arg) = walk.pending {
        return walk.value(arg, current, "");
    }
    if !walk.escaped && current.starts_with('-') {
        if let Some((name, value)) = current.strip_prefix("--").and_then(|l| l.split_once('=')) {
            return match find_long(walk.cmd, name) {
                Some(arg) if takes_value(arg) => walk.value(arg, value, &format!("--{name}=")),
                _ => Completion::empty(DIRECTIVE_NO_FILE_COMP),
            };
        }
        return walk.flags(current);
    }
    walk.operand(current)
}

/// A snapshot's name and the VM it was taken from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotName {
    pub name: String,
    pub vm: Option<String>,
}

/// The words of a `kubectl-vmsnap __complete WORDS…` invocation, taken from the raw
/// arguments (program name first) before clap sees them: clap would otherwise consume
/// global flags among the words (`__complete -n ""`). None for any other invocation.
pub fn complete_request(args: &[std::ffi::OsString]) -> Option<Vec<String>> {
    if args.get(1).is_some_and(|a| a == COMPLETE_SUBCOMMAND) {
        Some(
            args[2..]
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
        )
    } else {
        None
    }
}

/// Where live names come from: the cluster in the binary, a stub in tests.
/// `namespace` None means the client's default namespace.
pub trait NameSource {
    fn namespaces(&self) -> impl Future<Output = anyhow::Result<Vec<String>>> + Send;
    fn vms(
        &self,
        namespace: Option<&str>,
    ) -> impl Future<Output = anyhow::Result<Vec<String>>> + Send;
    fn snapshots(
        &self,
        namespace: Option<&str>,
    ) -> impl Future<Output = anyhow::Result<Vec<SnapshotName>>> + Send;
    /// A list stopped before its last page (the time ran out): the names are incomplete.
    fn stopped_early(&self) -> bool {
        false
    }
}

/// Names for `lookup` from `source`, filtered by prefix (and by VM for snapshots), sorted.
/// Errors are swallowed: a completion must never print an error into the user's prompt.
pub async fn dynamic_candidates<S: NameSource>(source: &S, lookup: &Lookup) -> Vec<String> {
    let ns = lookup.namespace.as_deref();
    let names = match lookup.kind {
        ValueKind::Namespace => source.namespaces().await,
        ValueKind::Vm => source.vms(ns).await,
        ValueKind::Snapshot => source.snapshots(ns).await.map(|snaps| {
            snaps
                .into_iter()
                .filter(|s| match (&lookup.vm, &s.vm) {
                    (Some(wanted), Some(vm)) => wanted == vm,
                    _ => true,
                })
                .map(|s| s.name)
                .collect()
        }),
    };
    let mut names: Vec<String> = names
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.starts_with(&lookup.prefix))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Answer one `__complete` request: walk the words, and when live names are wanted,
/// `connect` (given the options on the line) and list them, all within `timeout`
/// (use [`LOOKUP_TIMEOUT`]). Writes the protocol text to `out`.
pub async fn respond<S, F, Fut>(
    cmd: &Command,
    words: &[String],
    connect: F,
    timeout: Duration,
    out: &mut dyn Write,
) -> io::Result<()>
where
    S: NameSource,
    F: FnOnce(&Lookup) -> Fut,
    Fut: Future<Output = anyhow::Result<S>>,
{
    let mut completion = complete(cmd, words);
    if let Some(lookup) = completion.lookup.clone() {
        let fetch = async {
            match connect(&lookup).await {
                Ok(source) => {
                    let names = dynamic_candidates(&source, &lookup).await;
                    (names, source.stopped_early())
                }
                Err(_) => (Vec::new(), false),
            }
        };
        let secs = timeout.as_secs_f64();
        match tokio::time::timeout(timeout, fetch).await {
            Ok((names, stopped)) => {
                completion.add_names(names);
                if stopped {
                    completion.add_names([format!(
                        "{ACTIVE_HELP}some names left out: the cluster did not list them all within {secs}s"
                    )]);
                }
            }
            Err(_) => completion.add_names([format!(
                "{ACTIVE_HELP}no names: the cluster did not answer within {secs}s"
            )]),
        }
    }
    out.write_all(completion.render().as_bytes())
}

/// Live names from a cluster through kube: namespaces, KubeVirt VMs and VM snapshots.
pub struct KubeNames {
    client: kube::Client,
    /// No page is asked for after this.
    deadline: tokio::time::Instant,
    stopped: std::sync::atomic::AtomicBool,
}

impl KubeNames {
    /// Lists read every page until `deadline`.
    pub fn new(client: kube::Client, deadline: tokio::time::Instant) -> Self {
        KubeNames {
            client,
            deadline,
            stopped: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Every page of a list (`continue` tokens) until the deadline; a list cut short by it
    /// keeps what it read and marks the lookup as stopped early.
    async fn pages<T, F, Fut>(&self, list: F) -> Result<Vec<T>, kube::Error>
    where
        T: Clone,
        F: Fn(kube::api::ListParams) -> Fut,
        Fut: Future<Output = Result<kube::core::ObjectList<T>, kube::Error>>,
    {
        let mut items = Vec::new();
        let mut params = list_params();
        loop {
            let Ok(page) = tokio::time::timeout_at(self.deadline, list(params.clone())).await
            else {
                self.stopped
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                return Ok(items);
            };
            let page = page?;
            items.extend(page.items);
            match page.metadata.continue_ {
                Some(token) if !token.is_empty() => params = params.continue_token(&token),
                _ => return Ok(items),
            }
        }
    }

    fn api(
        &self,
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        ns: Option<&str>,
    ) -> kube::Api<kube::api::DynamicObject> {
        let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
        let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, plural);
        match ns {
            Some(ns) => crate::cluster::dynamic_api(&self.client, &ar, Some(ns)),
            None => kube::Api::default_namespaced_with(self.client.clone(), &ar),
        }
    }
}

/// Pages of kubectl's default size; every page is read (see `KubeNames::pages`).
fn list_params() -> kube::api::ListParams {
    kube::api::ListParams::default().limit(500)
}

impl NameSource for KubeNames {
    async fn namespaces(&self) -> anyhow::Result<Vec<String>> {
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(self.client.clone());
        let api = &api;
        let items = self
            .pages(|lp| async move { api.list_metadata(&lp).await })
            .await?;
        Ok(items.into_iter().filter_map(|o| o.metadata.name).collect())
    }

    fn stopped_early(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn vms(&self, namespace: Option<&str>) -> anyhow::Result<Vec<String>> {
        let lists = PLATFORMS.iter().map(|p| async move {
            let api = self.api(
                p.group,
                p.vm_version,
                "VirtualMachine",
                "virtualmachines",
                namespace,
            );
            let api = &api;
            self.pages(|lp| async move { api.list_metadata(&lp).await })
                .await
        });
        let mut names = Vec::new();
        for items in served(futures::future::join_all(lists).await)? {
            names.extend(items.into_iter().filter_map(|o| o.metadata.name));
        }
        Ok(names)
    }

    async fn snapshots(&self, namespace: Option<&str>) -> anyhow::Result<Vec<SnapshotName>> {
        let lists = PLATFORMS.iter().map(|p| async move {
            let kind = "VirtualMachineSnapshot";
            let plural = "virtualmachinesnapshots";
            let mut got = Err(anyhow::anyhow!(
                "no snapshot version of {}",
                p.snapshot_group
            ));
            for v in p.snapshot_versions {
                let api = self.api(p.snapshot_group, v, kind, plural, namespace);
                let api = &api;
                got = self
                    .pages(|lp| async move { api.list(&lp).await })
                    .await
                    .map_err(anyhow::Error::from);
                if got.is_ok() {
                    break;
                }
            }
            got.map(|l| (p.vm_pointer, l))
        });
        let mut names = Vec::new();
        for (vm_pointer, items) in served(futures::future::join_all(lists).await)? {
            names.extend(items.into_iter().filter_map(|o| {
                let vm = o
                    .data
                    .pointer(vm_pointer)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                o.metadata.name.map(|name| SnapshotName { name, vm })
            }));
        }
        Ok(names)
    }
}

/// Where each platform keeps VMs and snapshots. Completion asks all three at once rather
/// than spend a discovery round trip of its short time budget: the platforms a cluster does
/// not serve answer 404 and are left out.
struct PlatformNames {
    group: &'static str,
    vm_version: &'static str,
    snapshot_group: &'static str,
    /// Preferred first.
    snapshot_versions: &'static [&'static str],
    /// The snapshot's VM name.
    vm_pointer: &'static str,
}

const PLATFORMS: [PlatformNames; 3] = [
    PlatformNames {
        group: "kubevirt.io",
        vm_version: "v1",
        snapshot_group: "snapshot.kubevirt.io",
        snapshot_versions: &["v1beta1", "v1alpha1"],
        vm_pointer: "/spec/source/name",
    },
    PlatformNames {
        group: "vmoperator.vmware.com",
        vm_version: "v1alpha5",
        snapshot_group: "vmoperator.vmware.com",
        snapshot_versions: &["v1alpha5", "v1alpha6"],
        vm_pointer: "/spec/vmName",
    },
    PlatformNames {
        group: "virtualization.deckhouse.io",
        vm_version: "v1alpha2",
        snapshot_group: "virtualization.deckhouse.io",
        snapshot_versions: &["v1alpha2"],
        vm_pointer: "/spec/virtualMachineName",
    },
];

/// The answers of the platforms the cluster serves; an error only when none answered.
fn served<T, E: Into<anyhow::Error>>(answers: Vec<Result<T, E>>) -> anyhow::Result<Vec<T>> {
    let mut ok = Vec::new();
    let mut first_err = None;
    for a in answers {
        match a {
            Ok(v) => ok.push(v),
            Err(e) => {
                first_err.get_or_insert(e.into());
            }
        }
    }
    match (ok.is_empty(), first_err) {
        (true, Some(e)) => Err(e),
        _ => Ok(ok),
    }
}

#[cfg(test)]
mod tests {
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
                Arg::new("output").short('o').long("output").value_parser(
                    PossibleValuesParser::new(["table", "wide", "json", "yaml", "name"]),
                ),
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
        let v = values(&c);
        for flag in [
            "--namespace",
            "-n",
            "--all-namespaces",
            "-A",
            "--output",
            "-o",
            "--help",
            "-h",
        ] {
            assert!(v.contains(&flag), "{flag} missing from {v:?}");
        }
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

    #[test]
    fn value_after_short_namespace_flag_asks_for_namespaces() {
        let c = complete(&cli(), &words("list -n de"));
        let lookup = c.lookup.expect("namespace lookup");
        assert_eq!(lookup.kind, ValueKind::Namespace);
        assert_eq!(lookup.prefix, "de");
        assert!(c.candidates.is_empty());
        assert_eq!(c.directive, DIRECTIVE_NO_FILE_COMP);
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
    fn vm_operand_asks_for_vms_in_the_namespace_given_on_the_line() {
        for line in [
            "-n prod create we",
            "create -n prod we",
            "create --namespace prod we",
            "create -nprod we",
        ] {
            let c = complete(&cli(), &words(line));
            let lookup = c.lookup.expect(line);
            assert_eq!(lookup.kind, ValueKind::Vm, "{line}");
            assert_eq!(lookup.prefix, "we", "{line}");
            assert_eq!(lookup.namespace.as_deref(), Some("prod"), "{line}");
        }
    }

    #[test]
    fn snapshot_after_restore_vm_asks_for_snapshots_of_that_vm() {
        let c = complete(&cli(), &words("restore web-1 --snapshot "));
        let lookup = c.lookup.expect("snapshot lookup");
        assert_eq!(lookup.kind, ValueKind::Snapshot);
        assert_eq!(lookup.prefix, "");
        assert_eq!(lookup.vm.as_deref(), Some("web-1"));
    }

    #[test]
    fn describe_and_every_delete_operand_ask_for_snapshots() {
        for line in ["describe s", "delete s1 s2 s"] {
            let lookup = complete(&cli(), &words(line)).lookup.expect(line);
            assert_eq!(
                (lookup.kind, lookup.prefix.as_str()),
                (ValueKind::Snapshot, "s"),
                "{line}"
            );
            assert_eq!(lookup.vm, None);
        }
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
            let v = values(&c);
            for sub in [
                "create",
                "list",
                "describe",
                "delete",
                "restore",
                "version",
                "completion",
            ] {
                assert!(v.contains(&sub), "{sub} missing from {v:?}");
            }
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
            let snap = |name: &str, vm: &str| SnapshotName {
                name: name.into(),
                vm: Some(vm.into()),
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
            options: BTreeMap::new(),
        }
    }

    #[tokio::test]
    async fn live_names_are_filtered_by_prefix_and_sorted() {
        let names = dynamic_candidates(&Stub, &lookup(ValueKind::Namespace, "d", None, None)).await;
        assert_eq!(names, ["default", "dev"]);
        let names =
            dynamic_candidates(&Stub, &lookup(ValueKind::Vm, "web", Some("prod"), None)).await;
        assert_eq!(names, ["web-1", "web-2"]);
    }

    #[tokio::test]
    async fn snapshots_are_narrowed_to_the_vm_on_the_line() {
        let names =
            dynamic_candidates(&Stub, &lookup(ValueKind::Snapshot, "", None, Some("web-1"))).await;
        assert_eq!(names, ["web-1-a", "web-1-b"]);
        let names =
            dynamic_candidates(&Stub, &lookup(ValueKind::Snapshot, "web-2", None, None)).await;
        assert_eq!(names, ["web-2-a"]);
    }

    #[tokio::test]
    async fn lookup_errors_give_no_candidates() {
        let names = dynamic_candidates(&Failing, &lookup(ValueKind::Vm, "", None, None)).await;
        assert!(names.is_empty());
    }

    async fn respond_text<S: NameSource>(line: &str, source: S, timeout: Duration) -> String {
        let mut out = Vec::new();
        respond(
            &cli(),
            &words(line),
            |_| async { Ok(source) },
            timeout,
            &mut out,
        )
        .await
        .expect("write to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[tokio::test]
    async fn respond_prints_live_vm_names_and_the_no_file_directive() {
        let text = respond_text("restore -n prod web", Stub, LOOKUP_TIMEOUT).await;
        assert_eq!(text, "web-1\nweb-2\n:4\n");
    }

    #[tokio::test]
    async fn respond_passes_the_line_options_to_connect() {
        let mut out = Vec::new();
        let mut seen = None;
        let connect = |l: &Lookup| {
            seen = Some(l.options.clone());
            async { Ok(Stub) }
        };
        respond(
            &cli(),
            &words("--context lab -n prod describe "),
            connect,
            LOOKUP_TIMEOUT,
            &mut out,
        )
        .await
        .expect("write");
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
        let mut out = Vec::new();
        let connect = |_: &Lookup| async { Err::<Stub, _>(anyhow::anyhow!("no kubeconfig")) };
        respond(
            &cli(),
            &words("describe "),
            connect,
            LOOKUP_TIMEOUT,
            &mut out,
        )
        .await
        .expect("write");
        assert_eq!(out, b":4\n");
    }

    #[tokio::test]
    async fn respond_does_not_connect_when_no_live_names_are_wanted() {
        let mut out = Vec::new();
        let connect = |_: &Lookup| async { panic!("must not connect") as anyhow::Result<Stub> };
        respond(&cli(), &words("cr"), connect, LOOKUP_TIMEOUT, &mut out)
            .await
            .expect("write");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "create\tTake a snapshot of a VM\n:4\n"
        );
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
}
