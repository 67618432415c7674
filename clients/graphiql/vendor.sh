#!/usr/bin/env bash
# Reproduces the vendored GraphiQL assets in this folder from the npm registry.
#
#   ./vendor.sh           fetch pinned tarballs with `npm pack`, verify them,
#                         extract, verify each file against SHA256SUMS, copy
#                         into this folder (only files that differ), print sums
#   ./vendor.sh --check   offline: only verify the files already in this folder
#
# Fails (non-zero exit) if any tarball's npm integrity (sha512) or sha256, or
# any extracted file's sha256, differs from what is recorded here / in
# SHA256SUMS. Idempotent: a second run changes nothing.
#
# Needs: bash, npm, tar, sha256sum, openssl, base64. Run from anywhere.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sums="$here/SHA256SUMS"

# name  version  npm integrity (sha512 of the .tgz)  sha256 of the .tgz
PACKAGES=(
  "react      18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ== 8d9bed01a672e7eaf387942d781ad47c6a43089a30a0306060f9fd5ac7870347"
  "react-dom  18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw== 031d4427a99f2f3f6cac18bbbf308594a67e4f47d10f4896fdec446505b040e0"
  "graphiql   3.9.0  sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA== d955c99ae100ed5facb45f4f94d1a8c0a156f81106434f0e35b0dcb0be574f27"
)

# package  path inside the tarball           vendored file name
FILES=(
  "react     package/umd/react.production.min.js      react.production.min.js"
  "react     package/LICENSE                          LICENSE.react"
  "react-dom package/umd/react-dom.production.min.js  react-dom.production.min.js"
  "react-dom package/LICENSE                          LICENSE.react-dom"
  "graphiql  package/graphiql.min.js                  graphiql.min.js"
  "graphiql  package/graphiql.min.css                 graphiql.min.css"
  "graphiql  package/LICENSE                          LICENSE.graphiql"
)

die() { echo "vendor.sh: $*" >&2; exit 1; }

[[ -f "$sums" ]] || die "missing $sums"

check_in_place() {
  (cd "$here" && sha256sum --check --strict "$sums") || die "vendored files differ from SHA256SUMS"
}

if [[ "${1:-}" == "--check" ]]; then
  check_in_place
  exit 0
fi
[[ $# -eq 0 ]] || die "usage: $0 [--check]"

expected_sum() { # file name -> sha256 recorded in SHA256SUMS
  awk -v f="$1" '$2 == f || $2 == "*" f { print $1 }' "$sums"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/graphiql-vendor.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for entry in "${PACKAGES[@]}"; do
  read -r name version integrity tgz_sha256 <<<"$entry"
  echo "== $name@$version"
  # npm pack fetches the exact published tarball (also verifying npm's own
  # integrity metadata); --ignore-scripts: nothing from the package runs.
  tgz_name="$(cd "$work" && npm pack --silent --ignore-scripts "$name@$version")"
  tgz="$work/$tgz_name"
  [[ -f "$tgz" ]] || die "npm pack did not produce $tgz"

  got_integrity="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  [[ "$got_integrity" == "$integrity" ]] || die "$name@$version integrity $got_integrity != recorded $integrity"
  got_sha256="$(sha256sum "$tgz" | cut -d' ' -f1)"
  [[ "$got_sha256" == "$tgz_sha256" ]] || die "$name@$version tarball sha256 $got_sha256 != recorded $tgz_sha256"
  echo "   tarball ok: $tgz_name sha256=$got_sha256"

  mkdir -p "$work/$name"
  tar -xzf "$tgz" -C "$work/$name"
done

# Verify everything before touching the folder.
for entry in "${FILES[@]}"; do
  read -r pkg src dest <<<"$entry"
  want="$(expected_sum "$dest")"
  [[ -n "$want" ]] || die "no sha256 recorded for $dest in SHA256SUMS"
  got="$(sha256sum "$work/$pkg/$src" | cut -d' ' -f1)"
  [[ "$got" == "$want" ]] || die "$dest ($pkg:$src) sha256 $got != recorded $want"
done

for entry in "${FILES[@]}"; do
  read -r pkg src dest <<<"$entry"
  if cmp -s "$work/$pkg/$src" "$here/$dest"; then
    echo "   unchanged: $dest"
  else
    cp "$work/$pkg/$src" "$here/$dest"
    chmod 0644 "$here/$dest"
    echo "   written:   $dest"
  fi
done

check_in_place
