#!/usr/bin/env bash
# Makes the two base images the Dockerfile names, debian:bookworm and
# debian:bookworm-slim, locally, for machines that reach Debian's package
# archive but no container registry: debootstrap (minbase, as the official
# images are built), the official images' apt settings and sources
# (bookworm, bookworm-updates, bookworm-security) on the mirrors this
# machine's apt uses, then `podman import`
# under the fully qualified names the Dockerfile resolves to
# (docker.io/library/debian:...), so the Dockerfile stays the standard one.
#
#   deploy/docker/base-images.sh [--force] [WORK_DIR]
#
# Does nothing when both images exist (unless --force). Needs root,
# debootstrap and podman. WORK_DIR (default: a temporary folder) holds the
# root file system while it is built and is removed afterwards.
set -euo pipefail
force=0
if [[ "${1:-}" == --force ]]; then force=1; shift; fi
# The mirrors are the build machine's own: the Debian archive and its security
# archive that apt on this machine uses (any sources format: apt reads them
# and `apt-get indextargets` lists them), unless KYODO_DEBIAN_MIRROR and
# KYODO_DEBIAN_SECURITY_MIRROR say otherwise. Run `apt-get update` first.
apt_mirror() {  # apt_mirror LABEL: the first repository URI apt lists with that label
  apt-get indextargets --format '$(ORIGIN)|$(LABEL)|$(REPO_URI)' 2>/dev/null |
    awk -F'|' -v label="$1" '!found && $1 == "Debian" && $2 == label { sub(/\/$/, "", $3); print $3; found = 1 }'
}
mirror=${KYODO_DEBIAN_MIRROR:-$(apt_mirror Debian)}
security=${KYODO_DEBIAN_SECURITY_MIRROR:-$(apt_mirror Debian-Security)}
full=docker.io/library/debian:bookworm
slim=docker.io/library/debian:bookworm-slim

if ((!force)) && podman image exists "$full" && podman image exists "$slim"; then
  exit 0
fi
if [[ -z "$mirror" || -z "$security" ]]; then
  echo "base-images: this machine's apt sources name no Debian archive and security archive" \
       "(run apt-get update, or set KYODO_DEBIAN_MIRROR and KYODO_DEBIAN_SECURITY_MIRROR)" >&2
  exit 1
fi
work=${1:-}
temporary=0
if [[ -z "$work" ]]; then work=$(mktemp -d -t kyodo-base.XXXXXX); temporary=1; fi
mkdir -p "$work"
rootfs=$work/rootfs
cleanup() {
  rm -rf "$rootfs" "$work"/*.tar
  if ((temporary)); then rm -rf "$work"; fi
}
trap cleanup EXIT
rm -rf "$rootfs"

echo "base-images: debootstrap bookworm (minbase) from $mirror" >&2
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2; exit 1; }

# The sources and apt settings of the official images.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log \
  "$rootfs"/tmp/* "$rootfs"/root/.bash_history
: >"$rootfs/etc/machine-id"
changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
         --change 'CMD ["bash"]')

tar --numeric-owner --xattrs -C "$rootfs" -cf "$work/full.tar" .
podman import --quiet "${changes[@]}" "$work/full.tar" "$full" >/dev/null

# slim: the official slim variant's dpkg excludes, and what they exclude.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
CONF
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{groff,info,linda,lintian,man}/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
tar --numeric-owner --xattrs -C "$rootfs" -cf "$work/slim.tar" .
podman import --quiet "${changes[@]}" "$work/slim.tar" "$slim" >/dev/null
echo "base-images: made $full and $slim" >&2
