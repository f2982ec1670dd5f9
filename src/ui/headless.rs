//! The Ui for scripts and pipes: never prompts, shows no spinner.
//!
//! With `-v 1` or more, progress messages become plain lines on stderr (one per change), so
//! CI logs show what a wait was doing.

use std::io::Write;
use std::sync::{Arc, Mutex};

use super::{NoProgress, Progress, Ui};
use crate::error::UserError;

/// Never prompts. Commands check [`Ui::interactive`] first and refuse with a message naming
/// the flags that replace the question; the errors here are a safety net.
#[derive(Default)]
pub struct HeadlessUi {
    notes: Option<Shared>,
    verbosity: u8,
}

type Shared = Arc<Mutex<Box<dyn Write + Send>>>;

impl HeadlessUi {
    /// A headless Ui that drops notices.
    pub fn new() -> Self {
        HeadlessUi::default()
    }

    /// A headless Ui that writes notices to `w` (the process's stderr).
    pub fn with_notes_to(w: Box<dyn Write + Send>) -> Self {
        HeadlessUi {
            notes: Some(Arc::new(Mutex::new(w))),
            verbosity: 0,
        }
    }
}

fn write_line(w: &Shared, msg: &str) {
    if let Ok(mut w) = w.lock() {
        // A closed stderr is no reason to fail the command.
        let _ = writeln!(w, "{msg}");
    }
}

/// Progress as lines: each new message once.
struct Lines {
    out: Shared,
    last: String,
}

impl Progress for Lines {
    fn set_message(&mut self, msg: &str) {
        if msg != self.last {
            write_line(&self.out, msg);
            self.last = msg.to_string();
        }
    }
    fn finish(&mut self) {}
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
    fn progress(&mut self, msg: &str) -> Box<dyn Progress> {
        match &self.notes {
            Some(out) if self.verbosity >= 1 => {
                let mut p = Lines {
                    out: out.clone(),
                    last: String::new(),
                };
                p.set_message(msg);
                Box::new(p)
            }
            _ => Box::new(NoProgress),
        }
    }
    fn note(&mut self, msg: &str) {
        if let Some(w) = &self.notes {
            write_line(w, msg);
        }
    }
    fn set_verbosity(&mut self, level: u8) {
        self.verbosity = level;
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

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn verbose_progress_prints_each_change_once() {
        let buf = Buf::default();
        let mut ui = HeadlessUi::with_notes_to(Box::new(buf.clone()));
        ui.progress("quiet").set_message("still quiet");
        ui.set_verbosity(1);
        let mut p = ui.progress("a");
        p.set_message("a");
        p.set_message("b");
        p.finish();
        assert_eq!(
            String::from_utf8(buf.0.lock().unwrap().clone()).unwrap(),
            "a\nb\n"
        );
    }
}
