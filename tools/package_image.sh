#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The OCI image, FROM scratch and built without a daemon (umoci): tools/package_image.sh STAGE
# VERSION OUT.tar, where STAGE is an install tree (tools/package.sh makes it). The image holds
# the static binary, CA certificates, zoneinfo, a passwd and group with a `leura` user and its
# home, and busybox's static shell and tools so `local` steps run. OUT.tar is an OCI layout
# archive: `podman load -i`, `skopeo copy oci-archive:OUT.tar ...`, or `umoci unpack`.
set -euo pipefail
stage=$1 version=$2 out=$3
[ "$(id -u)" = 0 ] || { echo "package_image: needs root (file owners in the image)" >&2; exit 1; }
work=$(mktemp -d /tmp/leura-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
image=$work/layout
umoci init --layout "$image"
umoci new --image "$image:$version"
umoci unpack --image "$image:$version" "$work/bundle" >/dev/null
root=$work/bundle/rootfs

install -d -m 0755 "$root"/{bin,etc,usr/bin,usr/share,etc/ssl/certs}
install -d -m 1777 "$root/tmp"
install -m 0755 "$stage/usr/bin/leura" "$root/usr/bin/leura"
# busybox-static: one static binary; each applet it has is a symlink to it, /bin/sh among them.
install -m 0755 /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
leura:x:10001:10001:leura:/home/leura:/bin/sh
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
leura:x:10001:
GROUP
chmod 0644 "$root/etc/passwd" "$root/etc/group"
install -d -m 0700 "$root/root"
install -d -m 0700 -o 10001 -g 10001 "$root/home/leura"

umoci repack --image "$image:$version" "$work/bundle" >/dev/null
umoci config --image "$image:$version" --os linux --architecture "$(dpkg --print-architecture)" \
  --config.entrypoint /usr/bin/leura --config.cmd help --config.user leura \
  --config.workingdir /home/leura --config.env HOME=/home/leura \
  --config.env PATH=/usr/bin:/bin --config.env TZ=UTC \
  --config.label "org.opencontainers.image.title=leura" \
  --config.label "org.opencontainers.image.version=$version" >/dev/null
umoci gc --layout "$image"
tar -C "$image" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@${SOURCE_DATE_EPOCH:-0}" -cf "$out" .
