//! kubectl's plugin completion protocol (`__complete WORDS…`): walk the words against the
//! clap definition, decide what is wanted, print Cobra's candidate lines and directive.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::{self, Write};
use std::time::Duration;

use clap::{Arg, ArgAction, Command, ValueHint};

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

/// The subcommand whose `--snapshot` offers only restorable snapshots.
const RESTORE: &str = "restore";

/// What kind of cluster or kubeconfig object a value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Namespace,
    Vm,
    Snapshot,
    /// A kubeconfig context (`--context`), read from the kubeconfig as kubectl does.
    Context,
    /// A kubeconfig cluster (`--cluster`).
    Cluster,
    /// A kubeconfig user (`--user`).
    User,
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
        } else if id == "CONTEXT" {
            Some(ValueKind::Context)
        } else if id == "CLUSTER" {
            Some(ValueKind::Cluster)
        } else if id == "USER" {
            Some(ValueKind::User)
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
    /// Only snapshots a restore can start from (`restore --snapshot`).
    pub restorable_only: bool,
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
            restorable_only: kind == ValueKind::Snapshot && self.cmd.get_name() == RESTORE,
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
    /// Whether a restore can start from it, by its platform's readiness rule.
    pub restorable: bool,
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
                .filter(|s| s.restorable || !lookup.restorable_only)
                .map(|s| s.name)
                .collect()
        }),
        // Read from the kubeconfig by `respond`, never from the cluster.
        ValueKind::Context | ValueKind::Cluster | ValueKind::User => Ok(Vec::new()),
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

/// Answer one `__complete` request: walk the words; kubeconfig names (`--context`,
/// `--cluster`, `--user`) come from the kubeconfig the line (or `vars`) names; for cluster
/// names, `connect` (given the options on the line) and list them, all within `timeout`
/// (use [`LOOKUP_TIMEOUT`]). Writes the protocol text to `out`.
pub async fn respond<S, F, Fut>(
    cmd: &Command,
    words: &[String],
    vars: &BTreeMap<String, String>,
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
    if let Some(lookup) = completion.lookup.as_ref()
        && let Some(mut names) = super::lookups::kubeconfig_names(lookup, vars)
    {
        names.retain(|n| n.starts_with(&lookup.prefix));
        names.sort();
        completion.add_names(names);
    } else if let Some(lookup) = completion.lookup.clone() {
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
