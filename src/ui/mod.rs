//! The interaction seam: prompts, progress and notices, on a terminal or headless.
//!
//! Commands never talk to the terminal directly: they ask a [`Ui`]. The process picks
//! [`TerminalUi`] only when stdin and stderr are terminals; tests pass a scripted one.

mod headless;
mod terminal;

pub use headless::HeadlessUi;
pub use terminal::TerminalUi;

/// Asks the user things and shows progress, on stderr.
#[doc(hidden)]
pub trait Ui: Send {
    /// Whether prompts can be answered (a person at a terminal).
    fn interactive(&self) -> bool;
    /// Shows `prompt` (which names its answers, e.g. "(yes/no)") and returns true only for
    /// "yes" or "y".
    fn confirm(&mut self, prompt: &str) -> anyhow::Result<bool>;
    /// Reads one line of text, returned exactly as typed (no trimming beyond the newline).
    fn input(&mut self, prompt: &str) -> anyhow::Result<String>;
    /// Lets the user pick one of `items`; returns its index.
    fn select(&mut self, prompt: &str, items: &[&str]) -> anyhow::Result<usize>;
    /// Starts a progress indicator (a spinner on a terminal).
    fn progress(&mut self, msg: &str) -> Box<dyn Progress>;
    /// One progress line per message, shown together (a batch following several objects);
    /// by default each is an ordinary progress indicator.
    fn progress_group(&mut self, msgs: &[String]) -> Vec<Box<dyn Progress>> {
        msgs.iter().map(|m| self.progress(m)).collect()
    }
    /// A notice on stderr that does not disturb a running spinner.
    fn note(&mut self, msg: &str);
    /// The `-v` level; a headless Ui prints progress as lines from 1 up.
    fn set_verbosity(&mut self, _level: u8) {}
}

/// A running progress indicator.
pub trait Progress: Send {
    /// Replaces the message (e.g. on a phase change).
    fn set_message(&mut self, msg: &str);
    /// Stops and clears the indicator.
    fn finish(&mut self);
}

/// Progress that shows nothing (machine output, tests).
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn set_message(&mut self, _msg: &str) {}
    fn finish(&mut self) {}
}

/// True for the answers that mean yes: "yes" or "y", any case, surrounding spaces ignored.
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "yes" | "y")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_and_y_mean_yes() {
        for a in ["yes", "y", "YES", " Yes ", "Y"] {
            assert!(is_yes(a), "{a}");
        }
        for a in ["", "no", "n", "yess", "ye", "cancel", "sure"] {
            assert!(!is_yes(a), "{a}");
        }
    }
}
