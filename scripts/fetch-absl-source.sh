#!/usr/bin/env bash
# Fetches the .cc files of absl/synchronization (absl::Mutex, CondVar,
# Notification...) and absl/base/internal (the allocator under them) from
# Debian's source package of exactly the installed libabsl-dev, for the tsan
# preset, which compiles some of them with -fsanitize=thread in place of the
# system's uninstrumented copies (see the top-level CMakeLists.txt).
#   scripts/fetch-absl-source.sh [DIR]   (default: build/absl-source; skipped if there)
# Only the .cc files are kept: the headers are the installed ones, so the
# configuration (absl/base/options.h, the inline namespace) is the system's.
# Needs apt access to a Debian mirror's deb-src; apt's own state is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-build/absl-source}"

version="$(dpkg-query -W -f='${Version}' libabsl-dev)"
stamp="$dest/VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
  exit 0
fi

dirs=(absl/synchronization absl/base/internal)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
# deb-src twins of the system's Debian entries (a security update's source is
# in the suite its binary came from), in a private list.
apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' |
  grep -E '^https?://[^ ]*/debian(-security)?/? ' | sort -u >"$work/entries" || true
[ -s "$work/entries" ] || echo "http://deb.debian.org/debian/ bookworm" >"$work/entries"
while read -r uri suite; do
  printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n\n' \
    "$uri" "$suite" /usr/share/keyrings/debian-archive-keyring.gpg
done <"$work/entries" >"$work/src.sources"
# Sandbox::User=root: the private directory is not the _apt user's to write.
apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
apt-get "${apt_private[@]}" -qq update
# apt checks the downloads against the signed index.
(cd "$work" && apt-get "${apt_private[@]}" -qq source --download-only "abseil=$version")

# Debian's patches must not touch what we compile, or they would have to be applied.
tar -xJf "$work"/abseil_*.debian.tar.xz -C "$work" debian/patches
if grep -lE '^\+\+\+ b/absl/(synchronization|base/internal)/.*\.cc' "$work"/debian/patches/*; then
  echo "a Debian patch changes a .cc file we compile: apply it first" >&2
  exit 1
fi

members=()
for d in "${dirs[@]}"; do members+=("*/$d/*.cc"); done
rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$work"/abseil_*.orig.tar.gz -C "$dest" --strip-components=1 --wildcards "${members[@]}"
echo "$version" >"$stamp"
echo "Abseil $version sources of ${dirs[*]} in $dest"
