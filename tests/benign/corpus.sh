#!/bin/bash
# The benign corpus: what developers and administrators do on a host, every
# step a real program run for real. The default rules must raise nothing for
# any of it (tests/e2e/test_benign.py; bench/benign.py loops it and reports
# alerts per hour per rule).
#
#   tests/benign/corpus.sh [STEP...]     (root; all steps when none named)
#
# Everything happens in a private temporary directory (mode 0700) that is
# removed at the end; the test user "vgbenign" and the package
# "vigil-benign-test" are created and removed again; the HTTP server listens
# on 127.0.0.1 only and is stopped by its pid. apt-get installs Debian's
# "hello" from the local archive cache (downloaded once with apt-get -d when
# it is not there; the step is skipped, and says so, when that fails).
# Prints "step NAME ok" per step; exits non-zero when a step fails.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
W=$(mktemp -d /tmp/vigil-benign-XXXXXX)
TUSER=vgbenign
cd "$W" || exit 1

step_compile() {
	local d
	d=$(mktemp -d)
	printf '#include <stdio.h>\nint main(void) { puts("built here"); return 0; }\n' >"$d/hello.c"
	cc -O1 -o "$d/hello" "$d/hello.c" && "$d/hello" >/dev/null && (cd "$d" && ./hello >/dev/null)
	local rc=$?
	rm -rf "$d"
	return $rc
}

step_make() {
	mkdir -p mk && cd mk || return 1
	printf 'int twice(int x) { return 2 * x; }\n' >lib.c
	printf 'int twice(int);\nint main(void) { return twice(0); }\n' >main.c
	printf 'prog: main.o lib.o\n\t$(CC) -o $@ $^\n%%.o: %%.c\n\t$(CC) -O1 -c $<\nclean:\n\trm -f prog *.o\n' >Makefile
	make -s -j2 && ./prog && make -s clean
	local rc=$?
	cd "$W" && rm -rf mk
	return $rc
}

step_git() {
	git init -q repo && cd repo || return 1
	git config user.email dev@example.invalid && git config user.name Dev
	printf '#!/bin/sh\ntest -n "$(git diff --cached --name-only)"\n' >.git/hooks/pre-commit
	chmod +x .git/hooks/pre-commit
	echo one >file && git add file && git commit -qm one || return 1
	cd "$W" && git clone -q repo clone && cd clone || return 1
	git config user.email dev@example.invalid && git config user.name Dev
	echo two >>file && git commit -qam two && git log --oneline >/dev/null
	local rc=$?
	cd "$W" && rm -rf repo clone
	return $rc
}

step_venv() {
	python3 -m venv --without-pip venv && venv/bin/python -c 'import sys; assert sys.prefix != sys.base_prefix'
	local rc=$?
	rm -rf venv
	return $rc
}

step_tar() {
	mkdir -p src/sub && echo data >src/sub/f && echo more >src/g
	tar czf src.tgz src && mkdir out && tar xzf src.tgz -C out && diff -r src out/src
	local rc=$?
	rm -rf src out src.tgz
	return $rc
}

step_curl() {
	local port pid rc=1
	mkdir -p www && echo page >www/index.html
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	python3 -m http.server --bind 127.0.0.1 --directory www "$port" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		if curl -sf "http://127.0.0.1:$port/index.html" -o page; then rc=0; break; fi
		sleep 0.1
	done
	kill "$pid"; wait "$pid" 2>/dev/null
	[ $rc = 0 ] && grep -q page page
	rc=$?
	rm -rf www page
	return $rc
}

step_sshkeygen() {
	ssh-keygen -q -t ed25519 -N '' -C dev@host -f key && ssh-keygen -l -f key.pub >/dev/null
	local rc=$?
	rm -f key key.pub
	return $rc
}

step_dpkg() {
	local p=vigil-benign-test
	mkdir -p pkg/DEBIAN "pkg/usr/share/doc/$p"
	printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: dev <dev@example.invalid>\nDescription: vigil benign corpus package\n' "$p" >pkg/DEBIAN/control
	printf '#!/bin/sh\nset -e\nexit 0\n' >pkg/DEBIAN/postinst
	chmod 0755 pkg/DEBIAN/postinst
	echo "a test file" >"pkg/usr/share/doc/$p/README"
	dpkg-deb --root-owner-group -b pkg "$p.deb" >/dev/null && dpkg -i "$p.deb" >/dev/null &&
		test -f "/usr/share/doc/$p/README" && dpkg -P "$p" >/dev/null
	local rc=$?
	rm -rf pkg "$p.deb"
	return $rc
}

step_apt() {
	local deb
	deb=$(ls /var/cache/apt/archives/hello_*_amd64.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		apt-get install -y -qq -d hello >/dev/null 2>&1
		deb=$(ls /var/cache/apt/archives/hello_*_amd64.deb 2>/dev/null | head -n 1)
	fi
	if [ -z "$deb" ]; then
		echo "step apt skipped: Debian's hello is not in the archive cache and could not be downloaded"
		return 0
	fi
	if dpkg -s hello >/dev/null 2>&1; then
		echo "step apt skipped: hello is installed already (not ours to remove)"
		return 0
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-download "$deb" >/dev/null 2>&1 &&
		hello >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq hello >/dev/null 2>&1
}

step_users() {
	userdel -r "$TUSER" >/dev/null 2>&1
	useradd -m -s /bin/bash "$TUSER" || return 1
	local rc=1
	if echo "$TUSER:correct-horse-battery" | chpasswd && usermod -c "benign corpus" "$TUSER" &&
		printf '17 3 * * * /bin/true\n' >jobs && crontab -u "$TUSER" jobs &&
		crontab -u "$TUSER" -l >/dev/null && crontab -u "$TUSER" -r &&
		sudo -u "$TUSER" id >/dev/null; then
		rc=0
	fi
	rm -f jobs
	userdel -r "$TUSER" >/dev/null 2>&1 || rc=1
	return $rc
}

step_logrotate() {
	mkdir -p logs && seq 1000 >logs/app.log
	printf '%s/logs/app.log {\n  rotate 2\n  compress\n  missingok\n  create 0640 root root\n}\n' "$W" >lr.conf
	logrotate -s lr.state -f lr.conf && test -f logs/app.log.1.gz
	local rc=$?
	rm -rf logs lr.conf lr.state
	return $rc
}

step_supervisor() {
	# starts a daemon, checks it with kill -0, restarts it when it is gone
	local pid i
	sleep 30 &
	pid=$!
	for i in 1 2 3; do
		kill -0 "$pid" || return 1
		kill "$pid"; wait "$pid" 2>/dev/null
		kill -0 "$pid" 2>/dev/null && return 1
		sleep 30 &
		pid=$!
	done
	kill "$pid"; wait "$pid" 2>/dev/null
	return 0
}

step_sudo() {
	sudo -n true && sudo -n -u nobody id -u >/dev/null
}

ALL="compile make git venv tar curl sshkeygen dpkg apt users logrotate supervisor sudo"
fail=0
for s in ${*:-$ALL}; do
	if "step_$s"; then
		echo "step $s ok"
	else
		echo "step $s FAILED"
		fail=1
	fi
	cd "$W" || exit 1
done
# no EXIT trap: the supervisor's killed background children would run it
cd / && rm -rf "$W"
exit $fail
