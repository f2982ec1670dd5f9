//! The README's try-it command, `vmsnap-sim demo [--platform P]`: each platform's story runs
//! to the end with the exit code every step expects (the demo fails otherwise), through the
//! real kubectl when it is installed.

use vmsnap_sim::Platform;
use vmsnap_sim::demo::{DemoOptions, run};

async fn story(platform: Platform) {
    run(DemoOptions {
        plugin: Some(env!("CARGO_BIN_EXE_kubectl-vmsnap").into()),
        serve: false,
        time_scale: 0.0,
        platform: Some(platform),
    })
    .await
    .unwrap_or_else(|e| panic!("the {platform:?} demo failed: {e:#}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kubevirt_demo_runs_to_the_end() {
    story(Platform::Kubevirt).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vm_operator_demo_runs_to_the_end() {
    story(Platform::Vmoperator).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deckhouse_demo_runs_to_the_end() {
    story(Platform::Deckhouse).await;
}
