//! The plugin's integration tests: one target, run against the simulated cluster (vmsnap-sim).

// Shared harness: simulator start-up, binary runner, scripted Ui, redaction.
mod support;

// The capability table against the routers, platform picking and completion (issue 15).
mod capability;
// Safety snapshot before restore, config diff, readiness report, retention, clone (issue 6).
mod beyond;
// Live completion of VM and snapshot names, directly and through the real kubectl.
mod completion;
// Binary tests: the real executable, null stdin, exit codes and output.
mod cli;
// `list` as kubectl users expect it: order, --sort-by, label columns, selectors, -w.
mod list_habits;
// The same list habits on VM Operator and Deckhouse.
mod list_parity;
// In-process tests of the interactive dialogues with a scripted Ui.
mod dialogues;
// list/describe in kubectl's -o formats, byte for byte against the real kubectl (issue 16).
mod kubectl_output;
// docs/commands transcripts regenerated from the simulator and compared with the pages.
mod docs_pages;
// The README's try-it command, `vmsnap-sim demo`, on each platform.
mod demo;
// Deckhouse Virtualization: VM and disk snapshots, restores with a dry run, clones.
mod deckhouse;
// VMware VM Operator: snapshots with memory and quiesce, the tree, revert.
mod vmoperator;
// Which platform a command runs on: detection, --provider, mixed clusters.
mod platforms;
// Proxies, kubectl's connection flags, impersonation and server warnings (issue 13).
mod connection;
// Bounded retries, Retry-After, the request timeout and -v request logs.
mod retries;
// Refusals that must write nothing, checked through the simulator's request log.
mod safety;
// The real binary on a pseudo-terminal, answering dialoguer's prompts.
mod terminal;
// KubeVirt behaviours held to upstream: unready snapshots, missing VolumeSnapshots, Pending clones.
mod upstream;
