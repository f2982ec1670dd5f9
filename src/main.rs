//! Process entry point: parse arguments, run, map the outcome to an exit code.

use std::io::Write;

use kubectl_vmsnap::{app, env::Env};

// The released Linux binaries are static musl builds, whose allocator is slow on long lists.
#[cfg(all(target_env = "musl", target_pointer_width = "64"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let code = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => match Env::from_process() {
            Ok(mut env) => rt.block_on(app::run(std::env::args_os().collect(), &mut env)),
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "error: {e:#}");
                kubectl_vmsnap::error::EXIT_USAGE
            }
        },
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: failed to start the async runtime: {e}"
            );
            kubectl_vmsnap::error::EXIT_FAILURE
        }
    };
    std::process::exit(code);
}
