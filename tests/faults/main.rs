//! Fault and bad-input catalogue (issue 8): each case asserts the message on stderr, the exit
//! code and, through the simulator's request log, that nothing unintended was written.
//! docs/reliability.md lists every case with its trigger.

// plugin-core's harness (simulator start-up, binary runner, SIGINT runner), shared as is.
#[path = "../integration/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

// Helpers of this target: request-log queries, users, bounded runs.
mod kit;

// Names, flags and confirmations the user gets wrong; objects that are missing or unusable.
mod input;
// Kubeconfig files: malformed, missing, several merged.
mod kubeconfig;
// Error answers of the API server: 401, 403 per verb, 404, 409, 422, 429, 5xx.
mod api;
// Transport: timeouts, closed ports, TLS, a cluster without KubeVirt.
mod transport;
// Waits: dropped watches, 410 Gone, Ctrl-C during each wait.
mod waits;
// Secrets never printed, no shell-outs, TLS verification.
mod security;
// Deterministic generated inputs for the argument parsers.
mod parsers;
// Hostile input and output: names, path-rewriting proxies, escape sequences, leaked secrets.
mod hostile;
// A small HTTP proxy of the tests' own in front of the simulator.
mod proxy;
