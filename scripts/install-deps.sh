#!/bin/sh
# Installs the Debian packages vigil needs to build, test and benchmark,
# only when one is missing, so `make` works on a fresh Debian 12 machine.
# Called by the Makefile; safe to run again.
set -eu

PKGS="clang llvm make gcc pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
libjson-c-dev libyaml-dev libre2-dev g++ libcurl4-openssl-dev libmicrohttpd-dev python3
libssl-dev libclang-rt-14-dev iproute2 procps groff-base"
# tests/e2e/test_outputs.py runs its own rsyslogd as a real syslog receiver.
PKGS="$PKGS rsyslog"
# The dashboard embeds Debian's Chart.js at build time; its test drives a
# real headless Chromium (tests/e2e/test_dashboard.py).
PKGS="$PKGS libjs-chart.js chromium"
# pamtester drives the authentication tests (tests/e2e/test_auth.py).
PKGS="$PKGS pamtester"
# The benign corpus (tests/benign/corpus.sh, tests/e2e/test_benign.py) runs these for real,
# and the catalogue's decoder pipelines (VG-043) use xxd and openssl.
PKGS="$PKGS git curl openssh-client python3-venv sudo cron logrotate xxd openssl"
# The catalogue's capability variant (VG-038) gives a copy of cat file
# capabilities with setcap; its credential search (VG-020) and netcat
# (VG-041) variants run ripgrep and a copy of OpenBSD netcat.
PKGS="$PKGS libcap2-bin ripgrep netcat-openbsd"
# Optional: used by tests and benchmarks when present (auditd is compared
# against in `make bench`; pamtester drives the PAM tests).
[ "${VIGIL_DEPS_EXTRA:-0}" = 1 ] && PKGS="$PKGS auditd pamtester rsyslog curl openssh-client"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "vigil: missing Debian packages:$missing" >&2
	echo "vigil: run as root, or: apt-get install$missing" >&2
	exit 1
fi
echo "vigil: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet.
apt-get update -qq >&2 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
