#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs each package tools/package.sh built in a clean root and tries it (CI runs this once,
# never under the sanitizers; needs root and Debian's archive for the chroot):
#   the .deb: lintian, then dpkg -i in a fresh mmdebstrap chroot; `leura version`, `man leura`,
#             and bash completing `leura ru` to `run` and `runs`;
#   the .rpm: rpm --root into an empty root; its files and `leura version`;
#   the tarball: its checksum and its binary;
#   the image: unpacked with umoci; as its `leura` user in a chroot, a task whose `local` step
#              runs busybox's sh, against a throwaway sshd on loopback.
#   tests/packaging/smoke.sh [DIST=dist]
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
dist=$(realpath "${1:-dist}")
version=$(sed -n 's/^project(leura VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
work=$(mktemp -d /tmp/leura-smoke.XXXXXX)
. tests/fixtures/fleet.sh
cleanup() {
  fleet_down "$work/fleet"
  for m in "$work"/deb-root/proc; do mountpoint -q "$m" && umount "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
step() { echo "smoke: $*" >&2; }

(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match dist/"

# --- .deb ---------------------------------------------------------------------------------------
deb=$dist/leura_${version}-1_$(dpkg --print-architecture).deb
step "lintian $deb"
# Errors and warnings fail; what is overridden is listed in the package with the reason.
lintian --fail-on error,warning --suppress-tags no-manual-page "$deb" >&2 ||
  fail "lintian reports errors or warnings"
step "dpkg -i in a fresh Debian 12 chroot"
mmdebstrap --quiet --variant=minbase --include=man-db,bash-completion,bash bookworm \
  "$work/deb-root" http://deb.debian.org/debian >/dev/null
cp "$deb" "$work/deb-root/tmp/leura.deb"
chroot "$work/deb-root" dpkg -i /tmp/leura.deb >/dev/null
chroot "$work/deb-root" leura version | grep -q "$version" || fail "deb: leura version"
chroot "$work/deb-root" env MANPAGER=cat MANWIDTH=80 man leura 2>/dev/null | grep -q "^NAME" ||
  fail "deb: man leura shows no page"
chroot "$work/deb-root" env MANPAGER=cat man 5 leura-task 2>/dev/null | grep -q "^NAME" ||
  fail "deb: man 5 leura-task shows no page"
complete_in_chroot() { # the words of a command line; prints bash's candidates for the last
  chroot "$work/deb-root" env HOME=/root bash -c '
    . /usr/share/bash-completion/bash_completion
    _completion_loader leura
    fn=$(complete -p leura | sed -n "s/.*-F \([^ ]*\).*/\1/p")
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    "$fn" leura "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}
got=$(complete_in_chroot leura ru)
[ "$got" = "$(printf 'run\nruns')" ] || fail "deb: bash completes 'leura ru' to '$got', not run and runs"
got=$(complete_in_chroot leura resu)
[ "$got" = resume ] || fail "deb: bash completes 'leura resu' to '$got', not 'resume'"
chroot "$work/deb-root" dpkg -r leura >/dev/null
[ ! -e "$work/deb-root/usr/bin/leura" ] || fail "deb: dpkg -r left /usr/bin/leura"

# --- .rpm ---------------------------------------------------------------------------------------
rpmfile=$dist/leura-$version-1.$(uname -m).rpm
step "rpm --root $rpmfile"
mkdir -p "$work/rpm-root"
rpm --root "$work/rpm-root" --initdb
rpm --root "$work/rpm-root" -i --nodeps --nosignature "$rpmfile"
listed=$(rpm --root "$work/rpm-root" -ql leura)
for f in /usr/bin/leura /usr/share/man/man1/leura.1.gz /usr/share/man/man5/leura-task.5.gz \
  /usr/share/bash-completion/completions/leura /usr/share/zsh/site-functions/_leura \
  /usr/share/fish/vendor_completions.d/leura.fish /usr/share/doc/leura/systemd/leura-tick.timer; do
  grep -qx "$f" <<< "$listed" || fail "rpm: $f is not in the package"
  [ -e "$work/rpm-root$f" ] || fail "rpm: $f was not installed"
done
chroot "$work/rpm-root" /usr/bin/leura version | grep -q "$version" || fail "rpm: leura version"

# --- tarball ------------------------------------------------------------------------------------
tarball=$dist/leura-$version-linux-$(uname -m).tar.gz
step "tarball $tarball"
mkdir "$work/tar" && tar -C "$work/tar" -xzf "$tarball"
t=$work/tar/leura-$version-linux-$(uname -m)
"$t/bin/leura" version | grep -q "$version" || fail "tarball: leura version"
for f in man/leura.1.gz man/leura-run.1.gz completions/leura.bash completions/_leura \
  completions/leura.fish; do
  [ -s "$t/$f" ] || fail "tarball: $f missing"
done
(cd "$t" && sha256sum --quiet -c SHA256SUMS) || fail "tarball: its SHA256SUMS does not match"

# --- OCI image ----------------------------------------------------------------------------------
step "image $dist/leura-$version-oci.tar"
mkdir "$work/layout" && tar -C "$work/layout" -xf "$dist/leura-$version-oci.tar"
umoci unpack --image "$work/layout:$version" "$work/bundle" >/dev/null
root=$work/bundle/rootfs
config=$(cat "$work/bundle/config.json")
grep -q '"/usr/bin/leura"' <<< "$config" || fail "image: entrypoint is not leura"
as_leura() { chroot --userspec=10001:10001 "$root" /bin/env -i HOME=/home/leura \
  PATH=/usr/bin:/bin TZ=UTC "$@"; }
as_leura /usr/bin/leura version | grep -q "$version" || fail "image: leura version"
fleet_up "$work/fleet" 2
h=$root/home/leura
cp "$work/fleet/client_key" "$work/fleet/known_hosts" "$h/"
sed 's|^identity = .*|identity = "/home/leura/client_key"|' "$work/fleet/inventory.toml" \
  > "$h/inventory.toml"
cat > "$h/hello.toml" <<'TASK'
[[steps]]
name = "note"
local = "echo \"noted $LEURA_HOST\" >> /home/leura/local.log"
[[steps]]
name = "hello"
command = "echo hello from $(hostname)"
TASK
chown -R 10001:10001 "$h"
as_leura /usr/bin/leura run /home/leura/hello.toml -i /home/leura/inventory.toml \
  --known-hosts /home/leura/known_hosts >&2 || fail "image: the task did not run"
[ "$(sort "$h/local.log")" = "$(printf 'noted 127.0.1.1\nnoted 127.0.1.2')" ] ||
  fail "image: the local step did not run once per host: $(cat "$h/local.log")"
as_leura /usr/bin/leura runs | grep -q hello || fail "image: the run was not recorded"
step "all four packages install and run"
