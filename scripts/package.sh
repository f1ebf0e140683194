#!/usr/bin/env bash
# Builds the Debian package of conc-probe with dpkg-deb (docs/packaging.md says why).
#
#   scripts/package.sh [BUILD_DIR [OUT_DIR]]
#
# BUILD_DIR: a configured and built tree (default: builds the release preset into
# build/release). OUT_DIR: where the .deb goes (default: build/package). Prints its path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-}"
out="${2:-$root/build/package}"
if [ -z "$build" ]; then
  (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j2 >/dev/null)
  build="$root/build/release"
fi
build="$(cd "$build" && pwd)"
cmake --build "$build" --target conc_probe_generated_docs >/dev/null

version="$("$build/conc-probe" --version | awk '{print $2}')"
arch="$(dpkg --print-architecture)"
maintainer="conc-probe maintainers <maintainers@conc-probe.invalid>"
# The changelog's date is the last commit's, so the same tree gives the same package.
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}"

stage="$(mktemp -d "${TMPDIR:-/tmp}/conc-probe-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/root"
DESTDIR="$pkg" cmake --install "$build" --prefix /usr >/dev/null

# Debian policy: stripped binaries, man pages and changelogs compressed with gzip -9n.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/bin/conc-probe"
gzip -9n "$pkg/usr/share/man/man1/conc-probe.1"
doc="$pkg/usr/share/doc/conc-probe"
{
  echo "conc-probe ($version) unstable; urgency=medium"
  echo
  echo "  * Release $version: see README.md for what it does."
  echo
  echo " -- $maintainer  $(date -u -R -d "@$epoch")"
} | gzip -9n > "$doc/changelog.gz"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: conc-probe"
  echo
  echo "Files: *"
  echo "Copyright: $(sed -n 's/^Copyright (c) //p' "$root/LICENSE")"
  echo "License: Expat"
  # The licence text after its title and copyright line; blank lines become " .".
  tail -n +4 "$root/LICENSE" | sed -e 's/^$/./' -e 's/^/ /'
} > "$doc/copyright"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -type f -exec chmod 0644 {} +
chmod 0755 "$pkg/usr/bin/conc-probe"

# The shared libraries the binary needs, as dpkg-shlibdeps finds them (it wants a
# debian/control to read).
mkdir -p "$stage/debian"
printf 'Source: conc-probe\n\nPackage: conc-probe\nArchitecture: any\n' > "$stage/debian/control"
depends="$(cd "$stage" && dpkg-shlibdeps -O "$pkg/usr/bin/conc-probe" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')"

mkdir -p "$pkg/DEBIAN"
(cd "$pkg" && find usr -type f -exec md5sum {} + | sort -k2) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums"
{
  echo "Package: conc-probe"
  echo "Version: $version"
  echo "Architecture: $arch"
  echo "Maintainer: $maintainer"
  echo "Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
  [ -n "$depends" ] && echo "Depends: $depends"
  echo "Section: utils"
  echo "Priority: optional"
  echo "Description: $(head -n 1 "$root/packaging/description.txt")"
  tail -n +2 "$root/packaging/description.txt" | sed 's/^/ /'
} > "$pkg/DEBIAN/control"

mkdir -p "$out"
deb="$out/conc-probe_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
