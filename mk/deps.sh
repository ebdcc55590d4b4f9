#!/bin/sh
# Installs the Debian packages hedgebus needs, when one is missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
# make -j runs it twice at once (the phony deps and the build's stamp) and
# two apt-gets fail on dpkg's lock: the second waits for the first here.
if [ -z "$HB_DEPS_LOCKED" ] && command -v flock >/dev/null 2>&1; then
    HB_DEPS_LOCKED=1 exec flock /tmp/hedgebus-deps.lock sh "$0" "$@"
fi
PKGS="gcc make pkg-config libzmq3-dev libczmq-dev libmsgpack-dev libyaml-dev
libcmocka-dev cppcheck clang libclang-rt-14-dev jq python3 python3-numpy procps
python3-zmq
libncurses-dev tmux python3-msgpack python3-matplotlib
libwebsockets-dev libcurl4-openssl-dev libssl-dev libjansson-dev python3-websockets
iproute2 tcpdump libsystemd-dev libmicrohttpd-dev prometheus curl
libsecp256k1-dev nettle-dev python3-pycryptodome python3-ecdsa
libglpk-dev"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "hedgebus: missing Debian packages:$missing" >&2
    echo "hedgebus: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "hedgebus: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends $missing >/tmp/hedgebus-apt.log 2>&1 || {
    apt-get update -q >>/tmp/hedgebus-apt.log 2>&1
    apt-get install -y -q --no-install-recommends $missing >>/tmp/hedgebus-apt.log 2>&1
} || { echo "hedgebus: apt-get failed, see /tmp/hedgebus-apt.log" >&2; tail -20 /tmp/hedgebus-apt.log >&2; exit 1; }
