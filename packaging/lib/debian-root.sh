# Pristine Debian roots for the checks (bash; sourced by packaging/check-linux.sh and
# packaging/check-clean-root.sh). Needs root or sudo, debootstrap and the machine's apt set up.
#
#   root_init CACHE_DIR        where the pristine tarball and the .deb download cache live
#   root_make DIR              DIR becomes a fresh copy of the pristine root (made once, cached)
#   root_mount DIR             proc, dev, devpts, the X socket folder and the apt download cache
#   root_run DIR CMD...        CMD in the root, as root, with a clean environment
#   root_release DIR           unmounts whatever is mounted under DIR (refuses to go on if not)
#   root_umount_all            unmounts what root_mount mounted (for an EXIT trap)
#
# The Debian mirror and suites are the machine's own (its apt sources, through
# `apt-get indextargets`); proxies come from its apt configuration. No host name is written here.

if [ "$(id -u)" -eq 0 ]; then ROOT_SUDO=""; else ROOT_SUDO="sudo"; fi
root_mounts=()

root_fail() { echo "${ROOT_TAG:-debian-root}: FAILED: $*" >&2; exit 1; }

root_init() {
    root_cache=$1
    mkdir -p "$root_cache/apt-archives/partial"
    root_cache=$(realpath "$root_cache")
    # shellcheck disable=SC1091
    root_codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    root_arch=$(dpkg --print-architecture)
    root_sources=$(root_host_sources)
    if [ -z "$root_sources" ]; then
        $ROOT_SUDO apt-get update -q >/dev/null
        root_sources=$(root_host_sources)
    fi
    [ -n "$root_sources" ] || root_fail "the machine's apt sources name no Debian $root_codename suite"
    root_mirror=$(awk '$3 == "'"$root_codename"'" { print $2; exit }' <<<"$root_sources")
    [ -n "$root_mirror" ] || root_fail "the machine's apt sources have no '$root_codename' suite to debootstrap from"
}

# "deb URI SUITE COMPONENT" lines for the machine's Debian suites of this release (the main
# suite, -updates, -security), from the sources apt actually uses.
root_host_sources() {
    apt-get indextargets --format '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null |
        awk -v c="$root_codename" '$1 == "deb" && $4 != "" &&
            ($3 == c || $3 == c "-updates" || $3 == c "-security") { print $1, $2, $3, $4 }' |
        sort -u
}

root_make() {
    local dir=$1 tarball fresh
    tarball="$root_cache/debian-$root_codename-minbase-$root_arch.tar.gz"
    # Made afresh monthly, so security updates do not pile up in every run's install.
    find "$root_cache" -maxdepth 1 -name "$(basename "$tarball")" -mtime +30 -delete
    if [ ! -f "$tarball" ]; then
        fresh="$root_cache/bootstrap"
        $ROOT_SUDO rm -rf "$fresh"
        echo "debootstrap --variant=minbase $root_codename from $root_mirror"
        $ROOT_SUDO debootstrap --variant=minbase "$root_codename" "$fresh" "$root_mirror" \
            >"$root_cache/debootstrap.log" 2>&1 || { tail -n 20 "$root_cache/debootstrap.log"; root_fail "debootstrap"; }
        $ROOT_SUDO tar -C "$fresh" -czf "$tarball.tmp" .
        $ROOT_SUDO mv "$tarball.tmp" "$tarball"
        $ROOT_SUDO rm -rf "$fresh"
    else
        echo "using the pristine tarball $tarball"
    fi
    root_release "$dir"
    $ROOT_SUDO rm -rf "$dir" && mkdir -p "$dir"
    $ROOT_SUDO tar -C "$dir" -xzf "$tarball"
    $ROOT_SUDO cp /etc/resolv.conf "$dir/etc/resolv.conf"
    $ROOT_SUDO rm -f "$dir/etc/apt/sources.list.d/"*
    $ROOT_SUDO tee "$dir/etc/apt/sources.list" >/dev/null <<<"$root_sources"
    # The machine's proxy settings, if it has any.
    apt-config dump | grep -i '^Acquire::[a-z]*::Proxy' |
        $ROOT_SUDO tee "$dir/etc/apt/apt.conf.d/01proxy" >/dev/null || true
    # localhost must resolve (the demo server, the tests).
    grep -q localhost "$dir/etc/hosts" 2>/dev/null ||
        printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' |
        $ROOT_SUDO tee "$dir/etc/hosts" >/dev/null
}

root_mount() {
    local dir=$1
    _root_mount -t proc proc "$dir/proc"
    _root_mount --bind /dev "$dir/dev"
    _root_mount --bind /dev/pts "$dir/dev/pts"
    $ROOT_SUDO mkdir -p /tmp/.X11-unix "$dir/tmp/.X11-unix" && $ROOT_SUDO chmod 1777 /tmp/.X11-unix
    _root_mount --bind /tmp/.X11-unix "$dir/tmp/.X11-unix"
    # Downloaded .debs are kept between runs on this machine (a cache, not installed state).
    _root_mount --bind "$root_cache/apt-archives" "$dir/var/cache/apt/archives"
}

_root_mount() { # ARGS... TARGET
    $ROOT_SUDO mount "$@"
    root_mounts+=("${!#}")
}

root_run() {
    local dir=$1
    shift
    $ROOT_SUDO chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

root_umount_all() {
    local i
    for ((i = ${#root_mounts[@]} - 1; i >= 0; i--)); do
        $ROOT_SUDO umount -l "${root_mounts[$i]}" 2>/dev/null || true
    done
    root_mounts=()
}

# rm -rf must never walk into a bind-mounted /dev: unmount what a crashed earlier run left.
root_release() {
    local dir left
    dir=$(realpath -m "$1")
    awk -v d="$dir/" '{ m = $5; gsub(/\\040/, " ", m); if (index(m "/", d) == 1) print m }' \
        /proc/self/mountinfo | sort -r | while read -r m; do $ROOT_SUDO umount -l "$m" || true; done
    left=$(awk -v d="$dir/" 'index($5 "/", d) == 1' /proc/self/mountinfo)
    [ -z "$left" ] || root_fail "still mounted under $dir: $left"
}
