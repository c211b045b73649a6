#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what building and testing leura needs, from Debian 12's packages only;
# `tools/deps.sh packaging` adds what tools/package.sh and tests/packaging/smoke.sh need.
set -euo pipefail
packages=(
  g++ cmake ninja-build ccache pkg-config file bsdutils sudo
  libssh-dev libssl-dev zlib1g-dev libsqlite3-dev libzstd-dev
  libarchive-dev libacl1-dev liblz4-dev liblzma-dev libbz2-dev nettle-dev libxml2-dev libicu-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libboost1.81-dev libgtest-dev libbenchmark-dev
  openssh-server openssh-client openssl curl iproute2 python3 python3-jsonschema tcsh fish zsh tmux mandoc
  python3-croniter systemd tzdata chromium
)
if [ "${1:-}" = packaging ]; then
  packages+=(dpkg-dev rpm lintian umoci busybox-static mmdebstrap ca-certificates tzdata)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "leura: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
