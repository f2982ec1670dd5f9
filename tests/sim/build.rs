//! Embeds the default scenario (tests/sim/scenarios/default/, or scenarios/default.yaml) and the
//! VM Operator and Deckhouse scenarios (for `vmsnap-sim demo --platform`) into the library.

use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=scenarios");
    // The default scenario, and the platform scenarios `vmsnap-sim demo --platform` tells.
    for name in ["default", "vmoperator", "deckhouse"] {
        let dir = manifest.join("scenarios").join(name);
        let single = manifest.join(format!("scenarios/{name}.yaml"));
        let mut files: Vec<PathBuf> = Vec::new();
        if dir.is_dir() {
            collect(&dir, &mut files);
        } else if single.is_file() {
            files.push(single);
        }
        files.sort();
        let mut code = String::from("&[\n");
        for f in files {
            let rel = f
                .strip_prefix(&manifest)
                .unwrap_or(&f)
                .to_string_lossy()
                .replace('\\', "/");
            code.push_str(&format!(
                "    ({rel:?}, include_str!({:?})),\n",
                f.to_string_lossy()
            ));
        }
        code.push(']');
        std::fs::write(out.join(format!("{name}_scenario.rs")), code).expect("OUT_DIR is writable");
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, files);
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            files.push(p);
        }
    }
}
