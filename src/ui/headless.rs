//! The Ui for scripts and pipes: never prompts, shows no spinner.

use std::io::Write;

use super::{NoProgress, Progress, Ui};
use crate::error::UserError;

/// Never prompts. Commands check [`Ui::interactive`] first and refuse with a message naming
/// the flags that replace the question; the errors here are a safety net.
#[derive(Default)]
pub struct HeadlessUi {
    notes: Option<Box<dyn Write + Send>>,
}

impl HeadlessUi {
    /// A headless Ui that drops notices.
    pub fn new() -> Self {
        HeadlessUi::default()
    }

    /// A headless Ui that writes notices to `w` (the process's stderr).
    pub fn with_notes_to(w: Box<dyn Write + Send>) -> Self {
        HeadlessUi { notes: Some(w) }
    }
}

fn refuse(prompt: &str) -> anyhow::Error {
    UserError::declined(format!(
        "confirmation required but there is no terminal to ask on ({})",
        prompt.trim()
    ))
    .hint("pass --yes to proceed without asking (restore also needs --confirm-name)")
    .into()
}

impl Ui for HeadlessUi {
    fn interactive(&self) -> bool {
        false
    }
    fn confirm(&mut self, prompt: &str) -> anyhow::Result<bool> {
        Err(refuse(prompt))
    }
    fn input(&mut self, prompt: &str) -> anyhow::Result<String> {
        Err(refuse(prompt))
    }
    fn select(&mut self, prompt: &str, _items: &[&str]) -> anyhow::Result<usize> {
        Err(refuse(prompt))
    }
    fn progress(&mut self, _msg: &str) -> Box<dyn Progress> {
        Box::new(NoProgress)
    }
    fn note(&mut self, msg: &str) {
        if let Some(w) = self.notes.as_mut() {
            // A closed stderr is no reason to fail the command.
            let _ = writeln!(w, "{msg}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headless_never_prompts_and_says_which_flag_replaces_the_question() {
        let mut ui = HeadlessUi::new();
        assert!(!ui.interactive());
        let err = ui.confirm("Proceed? (yes/no)").unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert_eq!(user.exit_code(), 3);
        assert!(user.hints[0].contains("--yes"));
        assert!(ui.input("Type the name").is_err());
        assert!(ui.select("Pick", &["a"]).is_err());
    }
}
