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
// SIGTERM and SIGHUP handled like Ctrl-C; a VM stopped by the command put back.
mod signals;
// The tests' own hostile server: silent, trickling, endless.
mod hostile_server;
// Every request bounded in time and size, against the hostile server.
mod bounds;
// Secrets never printed, no shell-outs, TLS verification.
mod security;
// Deterministic generated inputs for the argument parsers.
mod parsers;
// Restores and deletes on a changing cluster: the source deleted mid-restore, failed restores.
mod races;
// Hostile input and output: names, path-rewriting proxies, escape sequences, leaked secrets.
mod hostile;
// A small HTTP proxy of the tests' own in front of the simulator.
mod proxy;
