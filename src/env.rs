//! The process seam: writers, the Ui, the clock and where the cluster comes from.
//!
//! `main` builds an [`Env`] from the real process; tests build one from buffers, a scripted
//! Ui and a fixed clock. Nothing else in the crate touches stdout, stderr or the environment.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use anyhow::Context as _;
use jiff::Timestamp;

use crate::ui::{HeadlessUi, TerminalUi, Ui};

/// Everything a command may touch outside its arguments.
pub struct Env {
    /// Rendered reports only.
    pub stdout: Box<dyn Write + Send>,
    /// Plans, warnings, errors.
    pub stderr: Box<dyn Write + Send>,
    /// Prompts and progress.
    pub ui: Box<dyn Ui>,
    /// "Now", for generated names and ages.
    pub clock: Clock,
    /// Colour allowed on stderr (a terminal, no NO_COLOR): plans, prompts, errors.
    pub color: bool,
    /// Colour allowed on stdout (a terminal, no NO_COLOR): a report piped to a file or a
    /// program carries no escape codes, whatever stderr is.
    pub stdout_color: bool,
    /// Environment variables (KUBECONFIG, HOME, NO_COLOR, VMSNAP_NOW, …).
    pub vars: BTreeMap<String, String>,
}

impl Env {
    /// The real process: prompts only when stdin AND stderr are terminals; a spinner whenever
    /// stderr is one.
    pub fn from_process() -> anyhow::Result<Env> {
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let clock = Clock::from_var(vars.get("VMSNAP_NOW").map(String::as_str))?;
        let (stdin_tty, stderr_tty) = (
            std::io::stdin().is_terminal(),
            std::io::stderr().is_terminal(),
        );
        let color = stderr_tty && !no_color(&vars);
        let stdout_color = std::io::stdout().is_terminal() && !no_color(&vars);
        // Prompts need both ends on a terminal; a spinner only needs stderr.
        let ui: Box<dyn Ui> = match (stdin_tty, stderr_tty) {
            (true, true) => Box::new(TerminalUi::new(color)),
            (false, true) => Box::new(TerminalUi::spinner_only(color)),
            _ => Box::new(HeadlessUi::with_notes_to(Box::new(std::io::stderr()))),
        };
        Ok(Env {
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            ui,
            clock,
            color,
            stdout_color,
            vars,
        })
    }

    /// An environment for tests: given writers and Ui, fixed clock, no variables.
    pub fn new(
        stdout: Box<dyn Write + Send>,
        stderr: Box<dyn Write + Send>,
        ui: Box<dyn Ui>,
        clock: Clock,
    ) -> Env {
        Env {
            stdout,
            stderr,
            ui,
            clock,
            color: false,
            stdout_color: false,
            vars: BTreeMap::new(),
        }
    }

    /// Looks up an environment variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// Where diagnostic lines go, one call a line.
pub type Sink = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// Diagnostic lines from the API client (`-v` request logs, retry warnings) to the process's
/// stderr, a line at a time, as kubectl's klog writes them.
pub fn stderr_lines() -> Sink {
    std::sync::Arc::new(|line: &str| {
        // Nothing useful can be done if stderr itself is gone.
        let line = crate::terminal::stderr_block(line);
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    })
}

/// NO_COLOR set to anything non-empty disables colour (https://no-color.org).
fn no_color(vars: &BTreeMap<String, String>) -> bool {
    vars.get("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// "Now": the real clock, or a fixed instant for reproducible names and ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    Real,
    /// Always this instant.
    Fixed(Timestamp),
}

impl Clock {
    /// The current instant.
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::Real => Timestamp::now(),
            Clock::Fixed(t) => *t,
        }
    }

    /// `VMSNAP_NOW=2026-11-26T10:00:00Z` fixes the clock; absent or empty means real.
    pub fn from_var(value: Option<&str>) -> anyhow::Result<Clock> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(Clock::Real),
            Some(v) => {
                let t: Timestamp = v
                    .parse()
                    .with_context(|| format!("VMSNAP_NOW={v:?} is not an RFC 3339 timestamp"))?;
                Ok(Clock::Fixed(t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmsnap_now_fixes_the_clock() {
        let c = Clock::from_var(Some("2026-11-26T10:00:00Z")).unwrap();
        assert_eq!(c.now().to_string(), "2026-11-26T10:00:00Z");
        assert_eq!(Clock::from_var(None).unwrap(), Clock::Real);
        assert_eq!(Clock::from_var(Some("")).unwrap(), Clock::Real);
        assert!(Clock::from_var(Some("tomorrow")).is_err());
    }

    #[test]
    fn no_color_needs_a_non_empty_value() {
        let mut vars = BTreeMap::new();
        assert!(!no_color(&vars));
        vars.insert("NO_COLOR".to_string(), String::new());
        assert!(!no_color(&vars));
        vars.insert("NO_COLOR".to_string(), "1".to_string());
        assert!(no_color(&vars));
    }
}
