//! VMware VM Operator through the real binary, against the simulator's VM Operator scenario.

use crate::docs_pages::Transcripts;

/// This platform's transcripts for docs/commands (namespace dev-team of the docs simulator, which
/// serves all three platforms).
pub(crate) async fn docs(t: &mut Transcripts) {
    let _ = t;
}
