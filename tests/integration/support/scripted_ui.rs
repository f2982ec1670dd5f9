//! A Ui that answers from a queue and records every prompt, for the interactive paths.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use kubectl_vmsnap::ui::{NoProgress, Progress, Ui, is_yes};

/// One queued answer.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Typed text (for confirm: "yes", "no", …).
    Text(String),
    /// The index picked in a select.
    Choice(usize),
}

/// Answers prompts in order; records them (and progress messages) for assertions.
#[derive(Clone, Default)]
pub struct ScriptedUi {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    /// Every prompt shown, in order, with the answer given.
    pub prompts: Arc<Mutex<Vec<String>>>,
}

impl ScriptedUi {
    pub fn new(answers: Vec<Answer>) -> Self {
        ScriptedUi {
            answers: Arc::new(Mutex::new(answers.into())),
            ..Default::default()
        }
    }

    pub fn prompts(&self) -> Vec<String> {
        self.prompts.lock().expect("prompts").clone()
    }

    fn next(&self, prompt: &str) -> anyhow::Result<Answer> {
        self.prompts
            .lock()
            .expect("prompts")
            .push(prompt.to_string());
        self.answers
            .lock()
            .expect("answers")
            .pop_front()
            .ok_or_else(|| anyhow::anyhow!("unexpected prompt: {prompt}"))
    }
}

/// Text answers shorthand.
pub fn text(s: &str) -> Answer {
    Answer::Text(s.to_string())
}

impl Ui for ScriptedUi {
    fn interactive(&self) -> bool {
        true
    }
    fn confirm(&mut self, prompt: &str) -> anyhow::Result<bool> {
        match self.next(prompt)? {
            Answer::Text(t) => Ok(is_yes(&t)),
            Answer::Choice(_) => anyhow::bail!("a choice was queued for a confirmation: {prompt}"),
        }
    }
    fn input(&mut self, prompt: &str) -> anyhow::Result<String> {
        match self.next(prompt)? {
            Answer::Text(t) => Ok(t),
            Answer::Choice(_) => anyhow::bail!("a choice was queued for an input: {prompt}"),
        }
    }
    fn select(&mut self, prompt: &str, items: &[&str]) -> anyhow::Result<usize> {
        match self.next(&format!("{prompt} [{}]", items.join(" / ")))? {
            Answer::Choice(i) => Ok(i),
            Answer::Text(t) => anyhow::bail!("text {t:?} was queued for a selection: {prompt}"),
        }
    }
    fn progress(&mut self, _msg: &str) -> Box<dyn Progress> {
        Box::new(NoProgress)
    }
    fn note(&mut self, _msg: &str) {}
}
