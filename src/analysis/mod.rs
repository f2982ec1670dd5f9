//! Storage analysis: pure functions from fetched objects to findings about what a snapshot will capture.
