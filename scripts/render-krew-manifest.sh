#!/bin/sh
# Render the krew manifest template with the sha256 of each built archive.
#
#   scripts/render-krew-manifest.sh TEMPLATE DISTDIR > vmsnap.yaml
#
# Every `@sha256:<target>@` placeholder in TEMPLATE (see krew-manifest.yaml's header) is
# replaced by the sha256 of DISTDIR/kubectl-vmsnap_<version>_<target>.tar.gz (or .zip),
# hashed here from the archive itself, not from a side file. <version> is the template's
# spec.version. Fails when an archive is missing, when the archive named by a platform's
# uri is not the one hashed, or when a placeholder is left over.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 TEMPLATE DISTDIR" >&2
  exit 2
fi
template=$1
dist=$2

version=$(sed -n 's/^  version: *"\{0,1\}\(v[^" ]*\)"\{0,1\} *$/\1/p' "$template" | head -n 1)
if [ -z "$version" ]; then
  echo "error: no spec.version in $template" >&2
  exit 1
fi

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# The template's header explains placeholders; the rendered file gets its own.
rendered=$(printf '# krew manifest for kubectl-vmsnap %s, rendered by scripts/render-krew-manifest.sh\n' "$version"
  sed '/^apiVersion:/,$!d' "$template")
targets=$(sed -n 's/.*"@sha256:\([^@]*\)@".*/\1/p' "$template")
if [ -z "$targets" ]; then
  echo "error: no @sha256:<target>@ placeholders in $template" >&2
  exit 1
fi
for target in $targets; do
  found=
  for ext in tar.gz zip; do
    archive="kubectl-vmsnap_${version}_${target}.$ext"
    if [ -f "$dist/$archive" ]; then
      found=$archive
    fi
  done
  if [ -z "$found" ]; then
    echo "error: no archive for $target ($version) in $dist" >&2
    exit 1
  fi
  if ! grep -q "uri: .*/$found\$" "$template"; then
    echo "error: no platform uri ends in $found" >&2
    exit 1
  fi
  sum=$(sha256_of "$dist/$found")
  rendered=$(printf '%s\n' "$rendered" | sed "s|\"@sha256:$target@\"|$sum|")
done

case "$rendered" in
  *@sha256:*)
    echo "error: placeholders left after rendering" >&2
    exit 1
    ;;
esac
printf '%s\n' "$rendered"
