//! User-facing error kinds with exit codes and hints.
//!
//! Commands return `anyhow::Result`; anything that needs its own exit code or a hint is a
//! [`UserError`] somewhere in the chain. Errors from the API server keep their `kube::Error`
//! in the chain and are translated here into kubectl's wording.

use std::fmt;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: any failure without a more specific code.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code: the command line was wrong.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: the user declined, or confirmation was required and not given.
pub const EXIT_DECLINED: i32 = 3;
/// Exit code: gave up waiting; the operation may still finish on the cluster.
pub const EXIT_TIMED_OUT: i32 = 4;
/// Exit code: the VM, snapshot or API was not found.
pub const EXIT_NOT_FOUND: i32 = 5;
/// Exit code: the server refused (401 or 403).
pub const EXIT_FORBIDDEN: i32 = 6;
/// Exit code: interrupted by Ctrl-C while waiting (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;
/// Exit code: stopped by SIGHUP (a terminal or SSH session gone) while waiting (128 + 1).
pub const EXIT_HANGUP: i32 = 129;
/// Exit code: stopped by SIGTERM (`timeout`, CI cancellation) while waiting (128 + 15).
pub const EXIT_TERMINATED: i32 = 143;
/// Exit code of `diff` when the snapshot and the live VM differ (`kubectl diff`'s 1).
pub const EXIT_DIFFERENCES: i32 = 1;
/// Exit code of `diff` for a failure that elsewhere exits 1: `kubectl diff`'s 1 + 1, so that
/// 1 means "there are differences" and nothing else.
pub const EXIT_DIFF_FAILED: i32 = 2;

/// The exit codes `command` (a subcommand's name; None for the plugin as a whole) ends
/// with, and what each means: the man pages' EXIT STATUS and docs/cli.md's table.
pub fn exit_statuses(command: Option<&str>) -> Vec<(i32, &'static str)> {
    let diff = command == Some("diff");
    vec![
        (
            EXIT_OK,
            if diff {
                "success: restoring the snapshot would change no configuration"
            } else {
                "success"
            },
        ),
        (
            EXIT_FAILURE,
            if diff {
                "restoring the snapshot would change the VM's configuration (the differences \
                 are printed; as kubectl diff)"
            } else {
                "failure: an API error, a failed snapshot or restore, a refusal for a reason \
                 in the data"
            },
        ),
        (
            EXIT_USAGE,
            if diff {
                "usage error, or diff failed for a reason that exits 1 elsewhere"
            } else {
                "usage error: an unknown flag, an invalid name or duration"
            },
        ),
        (
            EXIT_DECLINED,
            "declined at a prompt, or confirmation required and not given; nothing was changed",
        ),
        (
            EXIT_TIMED_OUT,
            "timed out waiting; the operation may still finish on the cluster",
        ),
        (
            EXIT_NOT_FOUND,
            "not found: the VM, the snapshot, or a supported snapshot API",
        ),
        (EXIT_FORBIDDEN, "forbidden (403) or not logged in (401)"),
        (
            EXIT_HANGUP,
            "stopped by SIGHUP while waiting; the operation continues on the cluster",
        ),
        (
            EXIT_INTERRUPTED,
            "interrupted by Ctrl-C while waiting; the operation continues on the cluster",
        ),
        (
            EXIT_TERMINATED,
            "stopped by SIGTERM while waiting; the operation continues on the cluster",
        ),
    ]
}

/// Not an error: the command printed its whole result, and the result itself sets the exit
/// code (`diff` found differences). Nothing more is written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultCode(pub i32);

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the result sets exit code {}", self.0)
    }
}

impl std::error::Error for ResultCode {}

/// The exit code of `diff` for what [`crate::explain::report`] made of `err`: a [`ResultCode`] stays; any
/// other failure that would exit 1 exits [`EXIT_DIFF_FAILED`], as `kubectl diff` does, so
/// that scripts can tell "differs" from "failed". Codes 2 and up stay as they are.
pub fn diff_exit_code(err: &anyhow::Error, code: i32) -> i32 {
    let is_result = err
        .chain()
        .any(|e| e.downcast_ref::<ResultCode>().is_some());
    if code == EXIT_FAILURE && !is_result {
        EXIT_DIFF_FAILED
    } else {
        code
    }
}

/// What went wrong, in terms of what the user can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Generic failure (exit 1).
    Failure,
    /// Bad arguments (exit 2).
    Usage,
    /// Declined at a prompt or confirmation required without a terminal (exit 3).
    Declined,
    /// A wait ran out of time (exit 4).
    TimedOut,
    /// Something named does not exist (exit 5).
    NotFound,
    /// Not allowed (exit 6).
    Forbidden,
    /// Ctrl-C, SIGTERM or SIGHUP while waiting (exit 128 + the signal: 130, 143, 129).
    Interrupted,
}

impl Kind {
    /// The process exit code for this kind.
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Failure => EXIT_FAILURE,
            Kind::Usage => EXIT_USAGE,
            Kind::Declined => EXIT_DECLINED,
            Kind::TimedOut => EXIT_TIMED_OUT,
            Kind::NotFound => EXIT_NOT_FOUND,
            Kind::Forbidden => EXIT_FORBIDDEN,
            // The signal actually received decides; Ctrl-C when none was (in-process tests).
            Kind::Interrupted => crate::interrupt::received()
                .map_or(EXIT_INTERRUPTED, crate::interrupt::Signal::exit_code),
        }
    }
}

/// An error meant for people: one message line plus hint lines naming what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// Decides the exit code.
    pub kind: Kind,
    /// The `error: …` line, without the prefix.
    pub message: String,
    /// Lines printed after the message, each a thing the user can act on.
    pub hints: Vec<String>,
}

impl UserError {
    /// A new error of `kind` with `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        UserError {
            kind,
            message: message.into(),
            hints: Vec::new(),
        }
    }
    /// Exit 1.
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Kind::Failure, message)
    }
    /// Exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }
    /// Exit 3.
    pub fn declined(message: impl Into<String>) -> Self {
        Self::new(Kind::Declined, message)
    }
    /// Exit 4.
    pub fn timed_out(message: impl Into<String>) -> Self {
        Self::new(Kind::TimedOut, message)
    }
    /// Exit 5.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }
    /// Exit 6.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(Kind::Forbidden, message)
    }
    /// Exit 130.
    pub fn interrupted(message: impl Into<String>) -> Self {
        Self::new(Kind::Interrupted, message)
    }
    /// Adds a hint line.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}
