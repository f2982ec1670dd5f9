//! The Ui for a person at a terminal: dialoguer prompts and an indicatif spinner, on stderr.
//!
//! The only file that uses dialoguer or indicatif.

use std::time::Duration;

use dialoguer::{Input, Select};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Progress, Ui, is_yes};
use crate::error::UserError;

/// Spinners on a terminal stderr; prompts too when stdin is a terminal as well.
#[derive(Debug, Default)]
pub struct TerminalUi {
    color: bool,
    prompts: bool,
}

impl TerminalUi {
    /// A terminal Ui that prompts; `color` turns on the coloured spinner.
    pub fn new(color: bool) -> Self {
        follow_our_colour_choice(color);
        TerminalUi {
            color,
            prompts: true,
        }
    }

    /// Spinners only: stderr is a terminal but stdin is not (input is piped), so nobody can
    /// answer a question.
    pub fn spinner_only(color: bool) -> Self {
        follow_our_colour_choice(color);
        TerminalUi {
            color,
            prompts: false,
        }
    }

    fn refuse_unless_prompting(&self, prompt: &str) -> anyhow::Result<()> {
        if self.prompts {
            return Ok(());
        }
        Err(UserError::declined(format!(
            "confirmation required but stdin is not a terminal ({})",
            prompt.trim()
        ))
        .hint("pass --yes to proceed without asking (restore also needs --confirm-name)")
        .into())
    }
}

/// Makes indicatif and dialoguer colour exactly when we do: their `console` crate turns
/// colour off for any NO_COLOR, even an empty one, which no-color.org says must not count.
fn follow_our_colour_choice(color: bool) {
    dialoguer::console::set_colors_enabled_stderr(color);
}

/// End of input or a broken terminal while asking: treated as "no", nothing written.
fn no_answer(e: &dialoguer::Error) -> anyhow::Error {
    UserError::declined(format!("no answer ({e}); nothing was changed")).into()
}

fn cancelled() -> anyhow::Error {
    UserError::declined("cancelled; nothing was changed").into()
}

impl TerminalUi {
    fn spinner(&self, bar: ProgressBar, msg: &str) -> Spinner {
        let template = if self.color {
            "{spinner:.cyan} {msg}"
        } else {
            "{spinner} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_message(msg.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner { bar }
    }
}

impl Ui for TerminalUi {
    fn interactive(&self) -> bool {
        self.prompts
    }

    fn confirm(&mut self, prompt: &str) -> anyhow::Result<bool> {
        let answer = self.input(prompt)?;
        Ok(is_yes(&answer))
    }

    fn input(&mut self, prompt: &str) -> anyhow::Result<String> {
        self.refuse_unless_prompting(prompt)?;
        let answer: String = Input::new()
            .with_prompt(prompt)
            .allow_empty(true)
            // Leaves "question: answer" on screen: a person scrolling back sees what they agreed to.
            .report(true)
            .interact_text()
            .map_err(|e| no_answer(&e))?;
        Ok(answer)
    }

    fn select(&mut self, prompt: &str, items: &[&str]) -> anyhow::Result<usize> {
        self.refuse_unless_prompting(prompt)?;
        let choice = Select::new()
            .with_prompt(prompt)
            .items(items)
            .default(0)
            .report(true)
            .interact_opt()
            .map_err(|e| no_answer(&e))?;
        choice.ok_or_else(cancelled)
    }

    fn progress(&mut self, msg: &str) -> Box<dyn Progress> {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Box::new(self.spinner(bar, msg))
    }

    fn progress_group(&mut self, msgs: &[String]) -> Vec<Box<dyn Progress>> {
        // One MultiProgress draws every line together on stderr.
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        msgs.iter()
            .map(|m| {
                let bar = multi.add(ProgressBar::new_spinner());
                Box::new(self.spinner(bar, m)) as Box<dyn Progress>
            })
            .collect()
    }

    fn note(&mut self, msg: &str) {
        // Printed above any running spinner by indicatif's shared draw target.
        eprintln_safe(msg);
    }
}

fn eprintln_safe(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
}

struct Spinner {
    bar: ProgressBar,
}

impl Progress for Spinner {
    fn set_message(&mut self, msg: &str) {
        self.bar.set_message(msg.to_string());
    }
    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
