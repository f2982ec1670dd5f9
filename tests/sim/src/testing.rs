//! What tests that depend on things outside the repository share: the reference CRD schemas
//! (`../shared/reference`) and the real kubectl. Each is skipped with a note when absent,
//! except under `CI=true`, where its absence is a failure.

use std::path::PathBuf;

/// Whether this run is CI's, where nothing may be skipped for lack of a dependency.
fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The reference schema directory when it holds `subdir` (`kubevirt`, `vm-operator`,
/// `deckhouse`, …); `None` with a note on stderr otherwise. Panics under `CI=true`.
pub fn reference_schemas(subdir: &str) -> Option<PathBuf> {
    let found = crate::find_schema_dir(None).filter(|d| d.join(subdir).is_dir());
    if found.is_none() {
        assert!(
            !under_ci(),
            "CI=true but the reference schemas ({subdir}) are missing beside the repository"
        );
        eprintln!("skipping: no reference schemas ({subdir}) beside the repository");
    }
    found
}

/// The real kubectl (`/usr/bin/kubectl`, else the first on `PATH`); `None` with a note on
/// stderr when there is none. Panics under `CI=true`.
pub fn kubectl() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/kubectl");
    let found = fixed.is_file().then_some(fixed).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("kubectl"))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            !under_ci(),
            "kubectl is required under CI=true (Debian: apt-get install kubernetes-client)"
        );
        eprintln!("skipping: kubectl not found");
    }
    found
}
