//! The interaction seam: prompts, progress and notices, on a terminal or headless.
