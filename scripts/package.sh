#!/bin/sh
# Build one release archive the way krew-manifest.yaml expects it.
#
#   scripts/package.sh TARGET BINARY OUTDIR
#
# TARGET is a Rust target triple (x86_64-unknown-linux-musl, x86_64-pc-windows-msvc, ...),
# BINARY the built kubectl-vmsnap for it. Writes, flat at the archive root:
#   OUTDIR/kubectl-vmsnap_v<version>_<TARGET>.tar.gz   (.zip for Windows)
#   OUTDIR/kubectl-vmsnap_v<version>_<TARGET>.tar.gz.sha256   (sha256sum format)
# holding kubectl-vmsnap (.exe), LICENSE and the completion helper (kubectl_complete-vmsnap,
# or kubectl_complete-vmsnap.cmd on Windows). The version comes from Cargo.toml.
# Used by .github/workflows/release.yml and by tests/packaging (same script, same layout).
set -eu

if [ "$#" -ne 3 ]; then
  echo "usage: $0 TARGET BINARY OUTDIR" >&2
  exit 2
fi
target=$1
binary=$2
outdir=$3
root=$(cd "$(dirname "$0")/.." && pwd)

# The first `version = "..."` line at column 0 is [package].version.
version=v$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
if [ "$version" = v ]; then
  echo "error: no package version found in $root/Cargo.toml" >&2
  exit 1
fi
if [ ! -f "$binary" ]; then
  echo "error: binary $binary does not exist" >&2
  exit 1
fi

name="kubectl-vmsnap_${version}_${target}"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
stage="$outdir/.stage-$target"
rm -rf "$stage"
mkdir -p "$stage"
cp "$root/LICENSE" "$stage/LICENSE"

case "$target" in
  *windows*)
    cp "$binary" "$stage/kubectl-vmsnap.exe"
    cp "$root/completions/kubectl_complete-vmsnap.cmd" "$stage/kubectl_complete-vmsnap.cmd"
    archive="$name.zip"
    rm -f "$outdir/$archive"
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -q -X "$outdir/$archive" kubectl-vmsnap.exe kubectl_complete-vmsnap.cmd LICENSE)
    else
      # GitHub's Windows runners ship 7-Zip rather than zip.
      (cd "$stage" && 7z a -tzip -bd "$outdir/$archive" kubectl-vmsnap.exe kubectl_complete-vmsnap.cmd LICENSE >/dev/null)
    fi
    ;;
  *)
    cp "$binary" "$stage/kubectl-vmsnap"
    cp "$root/completions/kubectl_complete-vmsnap" "$stage/kubectl_complete-vmsnap"
    chmod 755 "$stage/kubectl-vmsnap" "$stage/kubectl_complete-vmsnap"
    chmod 644 "$stage/LICENSE"
    archive="$name.tar.gz"
    rm -f "$outdir/$archive"
    (cd "$stage" && tar -czf "$outdir/$archive" kubectl-vmsnap kubectl_complete-vmsnap LICENSE)
    ;;
esac
rm -rf "$stage"

if command -v sha256sum >/dev/null 2>&1; then
  sum=$(cd "$outdir" && sha256sum "$archive" | cut -d ' ' -f 1)
else
  sum=$(cd "$outdir" && shasum -a 256 "$archive" | cut -d ' ' -f 1)
fi
printf '%s  %s\n' "$sum" "$archive" >"$outdir/$archive.sha256"
echo "$outdir/$archive"
