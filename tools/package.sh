#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds leura's four packages from one install tree into dist/ (or $1):
#   leura_VERSION-1_amd64.deb, leura-VERSION-1.x86_64.rpm, leura-VERSION-linux-x86_64.tar.gz (with
#   SHA256SUMS), and leura-VERSION-oci.tar (an OCI image layout, FROM scratch, entrypoint leura).
# The binary is the static release build configured without tests (build-pkg/), as a packager
# would. tests/packaging/smoke.sh installs each one in a clean root. Needs root for the image.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
out=$(realpath -m "${1:-dist}")
tools/deps.sh packaging

version=$(sed -n 's/^project(leura VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
arch=$(dpkg --print-architecture)
rpm_arch=$(uname -m)

# -DLEURA_WERROR=ON only so the flags match tools/build.sh and ccache reuses its objects.
cmake -S . -B build-pkg -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEURA_WERROR=ON -DBUILD_TESTING=OFF \
  -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
echo "leura: building build-pkg/leura (log: build-pkg/ninja.log)" >&2
if ! ninja -C build-pkg leura > build-pkg/ninja.log 2>&1; then
  grep -v "statically linked applications requires" build-pkg/ninja.log | tail -40 >&2
  exit 1
fi

work=$(mktemp -d /tmp/leura-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

# The install tree every package starts from, with man pages compressed as Debian and RPM
# systems ship them.
stage=$work/stage
DESTDIR=$stage cmake --install build-pkg >/dev/null
strip --strip-unneeded "$stage/usr/bin/leura"
gzip -9n "$stage"/usr/share/man/man*/*
install -d "$stage/usr/share/doc/leura"
install -m 0644 packaging/copyright "$stage/usr/share/doc/leura/copyright"

# --- .deb -------------------------------------------------------------------------------------
deb=$work/deb
cp -a "$stage" "$deb"
install -d "$deb/DEBIAN" "$deb/usr/share/lintian/overrides"
install -m 0644 packaging/deb/lintian-overrides "$deb/usr/share/lintian/overrides/leura"
sed "s/@VERSION@/$version-1/; s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/" \
  packaging/deb/changelog | gzip -9n > "$deb/usr/share/doc/leura/changelog.Debian.gz"
chmod 0644 "$deb/usr/share/doc/leura/changelog.Debian.gz"
# The libraries linked into the static binary, by source package and version, for
# Static-Built-Using (Debian policy: a rebuild is due when one of them changes).
built_using=$(dpkg-query -W -f='${source:Package} (= ${source:Version}), ' \
  libc6-dev libssh-dev libssl-dev zlib1g-dev libsqlite3-dev libzstd-dev libarchive-dev \
  libacl1-dev liblz4-dev liblzma-dev libbz2-dev nettle-dev libxml2-dev libicu-dev libstdc++-12-dev |
  sed 's/, $//')
installed_kb=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
sed "s/@VERSION@/$version-1/; s/@ARCH@/$arch/; s/@SIZE@/$installed_kb/; s/@BUILT_USING@/$built_using/" \
  packaging/deb/control > "$deb/DEBIAN/control"
(cd "$deb" && find usr -type f -print0 | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
find "$deb" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/leura_${version}-1_${arch}.deb" >/dev/null

# --- .rpm -------------------------------------------------------------------------------------
top=$work/rpm
mkdir -p "$top"/{BUILD,RPMS,SOURCES,SPECS,SRPMS}
rpmbuild -bb --quiet --define "_topdir $top" --define "leura_version $version" \
  --define "leura_stage $stage" --define "_build_id_links none" \
  --define "source_date_epoch_from_changelog 0" --define "use_source_date_epoch_as_buildtime 1" \
  --target "$rpm_arch" packaging/rpm/leura.spec >/dev/null
cp "$top/RPMS/$rpm_arch/leura-$version-1.$rpm_arch.rpm" "$out/"

# --- tarball ----------------------------------------------------------------------------------
name=leura-$version-linux-$rpm_arch
tdir=$work/$name
install -d "$tdir/bin" "$tdir/man" "$tdir/completions"
install -m 0755 "$stage/usr/bin/leura" "$tdir/bin/"
cp "$stage"/usr/share/man/man*/* "$tdir/man/"
cp completions/leura.bash completions/_leura completions/leura.fish "$tdir/completions/"
cp README.md packaging/copyright "$tdir/"
(cd "$tdir" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum > SHA256SUMS)
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -czf "$out/$name.tar.gz" "$name"

# --- OCI image --------------------------------------------------------------------------------
tools/package_image.sh "$stage" "$version" "$out/leura-$version-oci.tar"

(cd "$out" && sha256sum -- * > SHA256SUMS)
echo "leura: packages in $out:" >&2
(cd "$out" && ls -l) >&2
