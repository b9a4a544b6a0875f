#!/usr/bin/env bash
# run.sh: `make bench`. Builds the bench tools into build/bench, then, in
# one go and on the same documents, measures capsule against molly-brown
# (Gemini), gophernicus under socat (Gopher) and the two bound servers,
# and writes tests/bench/out/results.md. README.md says how to read it.
#
#   BENCH_QUICK=1      16 clients, one document, 2 s per cell
#   BENCH_SECONDS=N    seconds per cell (default 3; quick 2)
#   BENCH_CLIENTS="…"  concurrency levels (default "1 16 64 256")
#   BENCH_IDLE=N       idle connections for the memory test (10000)
#   BENCH_WORKERS=N    capsule --workers (default 1: it has one core)
#   BENCH_ONLY="…"     servers to run, of: capsule peers bound
#   BENCH_PERF=0|1     profile capsule with perf (default 1; quick 0)
#   CAPSULE=path       the binary under test (default capsule/capsule)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=$ROOT/build/bench
OUT=$BENCH/out
LG=$BUILD/loadgen
CAPSULE=${CAPSULE:-$ROOT/capsule/capsule}
CONTENT=${BENCH_CONTENT:-$ROOT/content}

# Everything runs in a private network namespace when we may make one:
# only its loopback exists, so no server (molly-brown binds every
# address) is reachable from outside, and port numbers are our own.
if [ -z "${BENCH_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
	    command -v ip >/dev/null && unshare -n true 2>/dev/null; then
		BENCH_NETNS=1 exec unshare -n -- "$0" "$@"
	fi
	BENCH_NETNS=0
fi
export BENCH_NETNS
if [ "$BENCH_NETNS" = 1 ]; then
	ip link set lo up || exit 1
	# Private to the namespace: room for many short connections.
	# Clients take ports from 20000 up; our servers listen below.
	for kv in net.ipv4.ip_local_port_range="20000 65000" \
	    net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=8192 \
	    net.ipv4.tcp_max_syn_backlog=8192; do
		sysctl -qw "$kv" >/dev/null 2>&1
	done
fi

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	SECS=${BENCH_SECONDS:-2}
	CLIENTS=${BENCH_CLIENTS:-16}
	DOCS="post"
	IDLE=${BENCH_IDLE:-2000}
else
	SECS=${BENCH_SECONDS:-3}
	CLIENTS=${BENCH_CLIENTS:-1 16 64 256}
	DOCS="post tag"
	IDLE=${BENCH_IDLE:-10000}
fi
WARMUP=${BENCH_WARMUP:-0.5}
[ "$QUICK" = 1 ] && PERF=${BENCH_PERF:-0} || PERF=${BENCH_PERF:-1}
WORKERS=${BENCH_WORKERS:-1}
ONLY=${BENCH_ONLY:-capsule peers bound}
POST=/posts/iran-school-opening-stoke-uprising
TAG=/tag/mek-support/
RAW=$OUT/raw.txt
RESULTS=$OUT/results.md
NOTES=()

say() { printf '%s\n' "$*" >&2; }
note() { NOTES+=("$*"); say "note: $*"; }
die() { say "bench: $*"; exit 1; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
doc_path() { if [ "$1" = post ]; then echo "$POST"; else echo "$TAG"; fi; }

# kv KEY LINE: the value of KEY in a loadgen key=value line, or "na".
kv() {
	local w
	for w in $2; do
		case $w in "$1="*) echo "${w#*=}"; return ;; esac
	done
	echo na
}

# --- build -----------------------------------------------------------------
mkdir -p "$BUILD" "$OUT" || exit 1
CF="-std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -O2 -g"
say "== building the bench tools into build/bench"
# shellcheck disable=SC2046,SC2086
cc $CF -o "$LG" "$BENCH"/loadgen.c "$BENCH"/conn.c "$BENCH"/hist.c \
    "$BENCH"/fetch.c $(pkg-config --cflags --libs libssl libcrypto) \
    -pthread || die "cannot build loadgen"
# shellcheck disable=SC2046,SC2086
cc $CF -o "$BUILD/bound_tcp" "$BENCH/bound_tcp.c" \
    $(pkg-config --cflags --libs libuv) || die "cannot build bound_tcp"
# shellcheck disable=SC2046,SC2086
cc $CF -o "$BUILD/bound_tls" "$BENCH/bound_tls.c" \
    $(pkg-config --cflags --libs libtls libuv) || die "cannot build bound_tls"

CERT=$OUT/cert/localhost.crt
KEY=$OUT/cert/localhost.key
if [ ! -s "$CERT" ] || [ ! -s "$KEY" ]; then
	mkdir -p "$OUT/cert"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 3650 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost \
	    -keyout "$KEY" -out "$CERT" 2>/dev/null || die "cannot make a certificate"
fi
chmod 644 "$CERT"

# --- the machine -----------------------------------------------------------
ulimit -n "$(ulimit -Hn)" 2>/dev/null
FDS=$(ulimit -n)
# The server holds IDLE descriptors; each of two generators half of them.
if [ "$FDS" != unlimited ] && [ "$IDLE" -gt $((FDS - 500)) ]; then
	note "ulimit -n is $FDS: idle test lowered from $IDLE to $((FDS - 500)) connections"
	IDLE=$((FDS - 500))
fi
NPROC=$(nproc)
if [ "$NPROC" -ge 2 ]; then
	SRV="taskset -c 0"
	GEN="taskset -c 1"
else
	SRV=""
	GEN=""
	note "one CPU: server and load generator share it"
fi
LOAD=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$LOAD" 'BEGIN { exit !(l > 0.5) }' &&
	note "the machine was busy before the run (load average $LOAD): expect noise"

# --- servers ---------------------------------------------------------------
PIDS=""
SPID=""
T0=0
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# port_for BASE: a port nobody listens on, from BASE up. The bases lie
# below every usual ephemeral range, so no client socket holds them.
port_for() {
	local p=$1
	while (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; do
		p=$((p + 1))
	done
	echo "$p"
}

# start_server NAME CMD...: runs CMD on the server core; SPID is its pid.
start_server() {
	local name=$1
	shift
	T0=$(date +%s%N)
	$SRV "$@" >"$OUT/$name.log" 2>&1 &
	SPID=$!
	PIDS="$PIDS $SPID"
}

# wait_ready PORT...: prints ms from start_server to every port accepting.
wait_ready() {
	local p ms=na
	for p in "$@"; do
		ms=$("$LG" -w -P "$p" -z "$T0" -d 15 | sed -n 's/^ready_ms=//p')
		if [ "$ms" = na ] || ! kill -0 "$SPID" 2>/dev/null; then
			echo na
			return 1
		fi
	done
	echo "$ms"
}

# forget PID: drops it from the list cleanup() kills.
forget() {
	local p rest=""
	for p in $PIDS; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	PIDS=$rest
}

stop_server() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		forget "$SPID"
		SPID=""
	fi
}

# rss_kb PID: resident memory of PID and all its descendants, in KB.
rss_kb() {
	local p sum=0 v
	for p in $1 $(descendants "$1"); do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# --- measuring -------------------------------------------------------------
declare -A R	# cell key → loadgen's key=value line
: >"$RAW"

# cell KEY PROTO PORT PID PATH CLIENTS [loadgen flags]: one measurement.
cell() {
	local key=$1 proto=$2 port=$3 pid=$4 path=$5 c=$6 line
	shift 6
	line=$($GEN "$LG" -p "$proto" -P "$port" -u "$path" -c "$c" \
	    -d "$SECS" -W "$WARMUP" -T 10 -C "$pid" "$@" \
	    2>>"$OUT/loadgen.log")
	[ -n "$line" ] || line="failed=1"
	R[$key]=$line
	echo "cell=$key $line" >>"$RAW"
	say "$(printf '%-34s %8s req/s %8s us/req  p99 %6s ms  errors %s' \
	    "$key" "$(kv rps "$line")" "$(kv server_cpu_us_per_req "$line")" \
	    "$(awk -v u="$(kv p99_us "$line")" 'BEGIN { printf "%.1f", u / 1000 }')" \
	    "$(errors_of "$line")")"
}

# errors_of LINE: "0", or the non-zero error counters ("short 3 timeout 1").
errors_of() {
	local k v out=""
	for k in connect tls short bad timeout; do
		v=$(kv "err_$k" "$1")
		[ "$v" = 0 ] || [ "$v" = na ] || out="$out $k $v"
	done
	out=${out# }
	echo "${out:-0}"
}

# gemini_cells NAME PORT PID DOCS: every concurrency, full and resumed.
gemini_cells() {
	local name=$1 port=$2 pid=$3 doc c
	for doc in $4; do
		for c in $CLIENTS; do
			cell "gemini/$name/$doc/$c/full" gemini "$port" "$pid" \
			    "$(doc_path "$doc")" "$c"
			cell "gemini/$name/$doc/$c/resumed" gemini "$port" "$pid" \
			    "$(doc_path "$doc")" "$c" -r
		done
	done
}

# gopher_cells NAME PORT PID DOCS [loadgen flags]
gopher_cells() {
	local name=$1 port=$2 pid=$3 docs=$4 doc c
	shift 4
	for doc in $docs; do
		for c in $CLIENTS; do
			cell "gopher/$name/$doc/$c" gopher "$port" "$pid" \
			    "$(doc_path "$doc")" "$c" "$@"
		done
	done
}

declare -A IDLE_R	# key → its idle-test table row
IDLE_KEYS=""
PROBE=$POST	# what the idle test's other clients ask for

# probe PROTO PORT: 4 other clients for 2 s; prints a table cell.
probe() {
	local l
	l=$($GEN "$LG" -p "$1" -P "$2" -u "$PROBE" -c 4 -d 2 -T 10 \
	    2>>"$OUT/loadgen.log")
	[ -n "$l" ] || { echo "—"; return; }
	echo "$(ms "$(kv p50_us "$l")") / $(ms "$(kv p99_us "$l")") ms, $(kv requests "$l") served, errors $(errors_of "$l")"
}

# idle_test KEY LABEL PID GEMINI-PORT GOPHER-PORT: holds IDLE connections
# mid-request (split between the ports given), then measures the server's
# memory and whether other clients are still served meanwhile.
idle_test() {
	local key=$1 label=$2 pid=$3 gport=$4 oport=$5 ng=0 no=0 i p f
	local rss0 rss1 est=0 gpid="" opid="" pg="—" po="—" closed=0 ready
	local waits
	if [ -n "$gport" ] && [ -n "$oport" ]; then
		ng=$((IDLE / 2))
		no=$((IDLE - ng))
	elif [ -n "$gport" ]; then
		ng=$IDLE
	else
		no=$IDLE
	fi
	say "== $label: holding $ng Gemini + $no Gopher idle connections"
	rss0=$(rss_kb "$pid")
	rm -f "$OUT/idle-gemini.out" "$OUT/idle-gopher.out"
	if [ "$ng" -gt 0 ]; then
		$GEN "$LG" -p gemini -P "$gport" -u "$POST" -i "$ng" -c 64 \
		    -d 120 >"$OUT/idle-gemini.out" 2>>"$OUT/loadgen.log" &
		gpid=$!
		PIDS="$PIDS $gpid"
	fi
	if [ "$no" -gt 0 ]; then
		$GEN "$LG" -p gopher -P "$oport" -u "$POST" -i "$no" -c 64 \
		    -d 120 >"$OUT/idle-gopher.out" 2>>"$OUT/loadgen.log" &
		opid=$!
		PIDS="$PIDS $opid"
	fi
	for i in $(seq 1 1500); do	# 150 s at most
		ready=1
		for p in ${gpid:+gemini} ${opid:+gopher}; do
			grep -q '^phase=ready' "$OUT/idle-$p.out" 2>/dev/null ||
			    ready=0
		done
		[ "$ready" = 1 ] && break
		sleep 0.1
	done
	sleep 0.5	# let the server settle
	rss1=$(rss_kb "$pid")
	for p in $gport $oport; do
		est=$((est + $(ss -Htn state established "( sport = :$p )" |
		    wc -l)))
	done
	# Both probes at once: some servers drop idle clients after 10 s.
	waits=""
	if [ -n "$gport" ]; then
		probe gemini "$gport" >"$OUT/probe-gemini.out" &
		waits="$waits $!"
	fi
	if [ -n "$oport" ]; then
		probe gopher "$oport" >"$OUT/probe-gopher.out" &
		waits="$waits $!"
	fi
	for p in $waits; do
		wait "$p"
	done
	[ -z "$gport" ] || pg=$(cat "$OUT/probe-gemini.out")
	[ -z "$oport" ] || po=$(cat "$OUT/probe-gopher.out")
	for p in $gpid $opid; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		forget "$p"
	done
	for f in idle-gemini idle-gopher; do
		[ -s "$OUT/$f.out" ] || continue
		i=$(kv idle_closed_by_server "$(grep '^phase=end' "$OUT/$f.out")")
		[ "$i" = na ] || closed=$((closed + i))
	done
	rm -f "$OUT"/idle-*.out "$OUT"/probe-*.out
	echo "idle=$key held=$IDLE gemini=$ng gopher=$no established=$est rss0_kb=$rss0 rss1_kb=$rss1 closed=$closed" >>"$RAW"
	IDLE_R[$key]="| $label | $ng + $no | $est | $(mb "$rss0") | $(mb "$rss1") | $(awk -v a="$rss0" -v b="$rss1" -v n="$est" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "—" }') | $pg | $po | $closed |"
	IDLE_KEYS="$IDLE_KEYS $key"
	say "   RSS $(mb "$rss0") -> $(mb "$rss1") MB, $est established; gemini probe: $pg; gopher probe: $po; closed by server: $closed"
}

ms() { awk -v u="$1" 'BEGIN { if (u == "na") print "—"; else printf "%.1f", u / 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

declare -A START	# server → start-up ms

declare -A PROF		# "server proto" → where its CPU went
PROF_KEYS=""
# profile NAME PROTO PORT PATH BINARY: one more 16-client cell under
# perf record; keeps the share of CPU per library and the hottest
# functions in the server's own binary.
profile() {
	local name=$1 proto=$2 data=$OUT/perf-$1-$2.data pp dsos syms
	[ "$PERF" = 1 ] || return 0
	if ! command -v perf >/dev/null; then
		note "perf is not installed: no profiles"
		PERF=0
		return 0
	fi
	perf record -F 1999 -p "$SPID" -o "$data" -- sleep "$SECS" \
	    >/dev/null 2>&1 &
	pp=$!
	$GEN "$LG" -p "$proto" -P "$3" -u "$4" -c 16 -d "$SECS" \
	    >/dev/null 2>>"$OUT/loadgen.log"
	wait "$pp" || { note "perf record failed: no profile of $name"; return; }
	dsos=$(perf report -i "$data" --stdio --no-children --sort dso \
	    2>/dev/null | awk '/^ +[0-9.]+%/ && n < 6 {
		sub(/\.so[.0-9]*$/, "", $2); sub(/^\[kernel.*/, "kernel", $2)
		printf "%s%s %s", (n++ ? ", " : ""), $2, $1 }')
	syms=$(perf report -i "$data" --stdio --no-children --sort sym \
	    --dsos "$(basename "$5")" 2>/dev/null | awk '/^ +[0-9.]+%/ && n < 6 {
		printf "%s`%s` %s", (n++ ? ", " : ""), $3, $1 }')
	PROF["$name $proto"]="$dsos; in its own code: ${syms:-nothing above the noise}"
	PROF_KEYS="$PROF_KEYS $name:$proto"
	say "   perf ($name, $proto): ${PROF["$name $proto"]}"
}

# --- documents -------------------------------------------------------------
# The peers serve copies of what capsule serves; without a working
# capsule, stand-ins of about the same size.
MOLLY_DIR=$OUT/molly
GOPH_DIR=$OUT/gophernicus
declare -A DOC_SRC DOC_BYTES CAP_OK

synthetic_gemini() {
	local i
	echo "# A stand-in document"
	for i in $(seq 1 60); do
		echo "Line $i of a stand-in paragraph, about as long as a post's line."
	done
}
synthetic_gopher_menu() {
	local i
	for i in $(seq 1 40); do
		printf '0Stand-in post %d\t/posts/stand-in-%d\tlocalhost\t70\r\n' "$i" "$i"
	done
	printf '.\r\n'
}

# prepare_docs GEMINI-PORT GOPHER-PORT: fills the peers' document roots.
prepare_docs() {
	local gport=$1 oport=$2 doc path tmp=$OUT/fetch.tmp gdst odst
	rm -rf "$MOLLY_DIR/docs" "$GOPH_DIR/root"
	mkdir -p "$MOLLY_DIR/docs" "$GOPH_DIR/root"
	for doc in $DOCS; do
		path=$(doc_path "$doc")
		if [ "$doc" = post ]; then
			gdst=$MOLLY_DIR/docs$path
			odst=$GOPH_DIR/root$path
		else
			gdst=$MOLLY_DIR/docs${path}index.gmi
			odst=$GOPH_DIR/root${path}gophermap
		fi
		mkdir -p "$(dirname "$gdst")" "$(dirname "$odst")"
		CAP_OK[$doc]=0
		if [ -n "$gport" ] &&
		    "$LG" -p gemini -P "$gport" -u "$path" -O "$tmp" 2>/dev/null &&
		    [ "$(head -c 3 "$tmp")" = "20 " ] &&
		    "$LG" -p gopher -P "$oport" -u "$path" -O "$tmp.g" 2>/dev/null &&
		    [ -s "$tmp.g" ] && [ "$(head -c 1 "$tmp.g")" != 3 ]; then
			tail -n +2 "$tmp" >"$gdst"
			if [ "$doc" = post ]; then
				cp "$tmp.g" "$odst"
			else
				# A menu becomes a gophermap: no CR, no "." line.
				tr -d '\r' <"$tmp.g" | sed '/^\.$/d' >"$odst"
			fi
			CAP_OK[$doc]=1
			DOC_SRC[$doc]="copied from capsule"
			DOC_BYTES[$doc]="$(wc -c <"$tmp") / $(wc -c <"$tmp.g")"
		else
			synthetic_gemini >"$gdst"
			if [ "$doc" = post ]; then
				synthetic_gemini >"$odst"
			else
				synthetic_gopher_menu | tr -d '\r' |
				    sed '/^\.$/d' >"$odst"
			fi
			DOC_SRC[$doc]="stand-in (capsule did not serve it)"
			DOC_BYTES[$doc]="—"
		fi
	done
	rm -f "$tmp" "$tmp.g"
	chmod -R a+rX "$MOLLY_DIR" "$GOPH_DIR"
}

# --- capsule ---------------------------------------------------------------
CAP_GEM=""
CAP_GOPH=""
CAP_RUNNING=0
CAP_CERT="—"
capsule_start() {
	# Every client of the bench is 127.0.0.1: no per-address cap.
	# shellcheck disable=SC2086
	start_server capsule "$CAPSULE" serve --foreground \
	    --content "$CONTENT" --cert-dir "$OUT/capsule-certs" \
	    --hostname localhost --listen 127.0.0.1 \
	    --gemini-port "$CAP_GEM" --gopher-port "$CAP_GOPH" \
	    --workers "$WORKERS" --max-conns-per-addr 0 \
	    ${BENCH_CAPSULE_FLAGS:-} "$@"
}

# capsule_answers: it is alive and a whole Gemini reply comes back (so
# its certificate is made), whatever the status.
capsule_answers() {
	kill -0 "$SPID" 2>/dev/null &&
	    "$LG" -p gemini -P "$CAP_GEM" -u / -O /dev/null -T 5 2>/dev/null &&
	    kill -0 "$SPID" 2>/dev/null
}

if want capsule; then
	CAP_GEM=$(port_for 11965)
	CAP_GOPH=$(port_for 11970)
	if [ ! -x "$CAPSULE" ]; then
		note "capsule: $CAPSULE is not built; its cells are skipped"
	else
		rm -rf "$OUT/capsule-certs"
		mkdir -p "$OUT/capsule-certs"
		# First start makes its certificate; the second is a restart.
		capsule_start
		if START[capsule-cold]=$(wait_ready "$CAP_GEM" "$CAP_GOPH") &&
		    capsule_answers; then
			stop_server
			capsule_start
			if START[capsule]=$(wait_ready "$CAP_GEM" "$CAP_GOPH") &&
			    capsule_answers; then
				CAP_RUNNING=1
			fi
		fi
		if [ "$CAP_RUNNING" = 0 ]; then
			note "capsule did not start (see tests/bench/out/capsule.log): its cells are skipped"
			tail -5 "$OUT/capsule.log" >&2
			stop_server
		fi
	fi
fi
if [ "$CAP_RUNNING" = 1 ]; then
	CAP_CERT=$(openssl s_client -connect 127.0.0.1:"$CAP_GEM" \
	    -servername localhost </dev/null 2>/dev/null |
	    openssl x509 -noout -text 2>/dev/null |
	    awk '/Public Key Algorithm/ { a = $NF } /Public-Key:/ { b = $2 }
	        /NIST CURVE/ { c = $NF } END { print a, b, "bit", c }' |
	    sed 's/(//')
	prepare_docs "$CAP_GEM" "$CAP_GOPH"
	for doc in $DOCS; do
		[ "${CAP_OK[$doc]}" = 1 ] ||
			note "capsule does not serve $(doc_path "$doc"): its cells for it are skipped"
	done
	ok_docs=""
	for doc in $DOCS; do
		[ "${CAP_OK[$doc]}" = 1 ] && ok_docs="$ok_docs${ok_docs:+ }$doc"
	done
	PROBE=$(doc_path "${ok_docs%% *}")
	[ -n "$ok_docs" ] || PROBE=/
	say "== capsule (pid $SPID, --workers $WORKERS)"
	gemini_cells capsule "$CAP_GEM" "$SPID" "$ok_docs"
	gopher_cells capsule "$CAP_GOPH" "$SPID" "$ok_docs"
	if [ -n "$ok_docs" ]; then
		profile capsule gemini "$CAP_GEM" "$PROBE" "$CAPSULE"
		profile capsule gopher "$CAP_GOPH" "$PROBE" "$CAPSULE"
	fi
	stop_server
	# Its per-worker cap (--max-conns) and 10 s request timeout would end
	# the test early: raised so that all IDLE connections are held.
	capsule_start --max-conns $((IDLE + 1024)) --request-timeout 60
	if wait_ready "$CAP_GEM" "$CAP_GOPH" >/dev/null && capsule_answers; then
		idle_test capsule "capsule --max-conns $((IDLE + 1024)) --request-timeout 60" \
		    "$SPID" "$CAP_GEM" "$CAP_GOPH"
	else
		note "capsule did not start with --max-conns and --request-timeout: no idle test with raised limits"
	fi
	stop_server
	if [ "$QUICK" != 1 ]; then
		capsule_start
		if wait_ready "$CAP_GEM" "$CAP_GOPH" >/dev/null &&
		    capsule_answers; then
			idle_test capsule-defaults "capsule, default limits" \
			    "$SPID" "$CAP_GEM" "$CAP_GOPH"
		fi
		stop_server
	fi
	PROBE=$POST
	say "== capsule: memory per idle connection (tests/bench/connmem.sh)"
	CONNMEM=$(ROOT="$ROOT" CAPSULE="$CAPSULE" BENCH_OUT="$OUT" \
	    bash "$ROOT/tests/bench/connmem.sh" "${CONNMEM_N:-2000}" 2>>"$OUT/loadgen.log")
else
	prepare_docs "" ""
fi

# --- the peers -------------------------------------------------------------
if want peers && [ "$BENCH_NETNS" = 1 ] && command -v molly-brown >/dev/null; then
	port=$(port_for 12965)
	cat >"$MOLLY_DIR/molly.conf" <<EOF
Port = $port
Hostname = "localhost"
CertPath = "$CERT"
KeyPath = "$KEY"
DocBase = "$MOLLY_DIR/docs/"
AccessLog = "/dev/null"
ErrorLog = "$MOLLY_DIR/error.log"

[MimeOverrides]
"/posts/[^/]+$" = "text/gemini"
EOF
	start_server molly-brown molly-brown -c "$MOLLY_DIR/molly.conf"
	if START[molly-brown]=$(wait_ready "$port"); then
		say "== molly-brown (pid $SPID)"
		gemini_cells molly-brown "$port" "$SPID" "$DOCS"
		[ "$QUICK" = 1 ] ||
			idle_test molly-brown molly-brown "$SPID" "$port" ""
	else
		note "molly-brown did not start (see tests/bench/out/molly-brown.log)"
	fi
	stop_server
elif want peers && [ "$BENCH_NETNS" != 1 ]; then
	note "molly-brown skipped: it binds every address, so it runs only in a private network namespace (as root)"
elif want peers; then
	note "molly-brown is not installed: skipped"
fi

if want peers && command -v gophernicus >/dev/null && command -v socat >/dev/null; then
	port=$(port_for 12970)
	# As inetd would: one gophernicus per connection, as its own user.
	guser=_gophernicus
	getent passwd "$guser" >/dev/null || guser=nobody
	start_server gophernicus socat \
	    "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=1024" \
	    "EXEC:/usr/sbin/gophernicus -h localhost -p $port -r $GOPH_DIR/root -nf -nh -ns -i 100000000 -k 100000000,su=$guser"
	if START[gophernicus]=$(wait_ready "$port"); then
		say "== gophernicus under socat (pid $SPID)"
		gopher_cells gophernicus "$port" "$SPID" "$DOCS"
	else
		note "gophernicus did not start (see tests/bench/out/gophernicus.log)"
	fi
	stop_server
elif want peers; then
	note "gophernicus or socat is not installed: skipped"
fi

# --- the bounds ------------------------------------------------------------
if want bound; then
	port=$(port_for 13965)
	# libtls defaults, as capsule runs it (see README.md on resumption).
	start_server bound_tls "$BUILD/bound_tls" -P "$port" -c "$CERT" \
	    -k "$KEY"
	if START[bound_tls]=$(wait_ready "$port"); then
		say "== bound_tls (pid $SPID)"
		gemini_cells bound "$port" "$SPID" fixed
		profile bound_tls gemini "$port" / "$BUILD/bound_tls"
		[ "$QUICK" = 1 ] ||
			idle_test bound_tls bound_tls "$SPID" "$port" ""
	else
		note "bound_tls did not start"
	fi
	stop_server

	port=$(port_for 13970)
	start_server bound_tcp "$BUILD/bound_tcp" -P "$port"
	if START[bound_tcp]=$(wait_ready "$port"); then
		say "== bound_tcp (pid $SPID)"
		gopher_cells bound "$port" "$SPID" fixed
		profile bound_tcp gopher "$port" / "$BUILD/bound_tcp"
		[ "$QUICK" = 1 ] ||
			idle_test bound_tcp bound_tcp "$SPID" "" "$port"
	else
		note "bound_tcp did not start"
	fi
	stop_server
fi

# --- the table -------------------------------------------------------------
# ratio A B: A/B to two places, or "—".
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "na" || b == "na" || a == "" || b == "" || b + 0 == 0)
			print "—"
		else
			printf "%.2f", a / b
	}'
}

# rps_of LINE: req/s, marked † when the load generator used its whole
# core, ‡ when other processes took more than a quarter of one.
rps_of() {
	local r c o
	r=$(kv rps "$1")
	c=$(kv client_cpu_pct "$1")
	o=$(kv other_cpu_pct "$1")
	[ "$r" = na ] && { echo "—"; return; }
	awk -v r="$r" -v c="$c" -v o="$o" 'BEGIN { printf "%.0f%s%s", r,
	    (c + 0 >= 90 ? "†" : ""), (o != "na" && o + 0 > 25 ? "‡" : "") }'
}
cpu_of() {
	local v
	v=$(kv server_cpu_us_per_req "$1")
	[ "$v" = na ] && { echo "—"; return; }
	awk -v v="$v" 'BEGIN { printf "%.0f", v }'
}
# note_of NAME LINE: errors and (Gemini) how many handshakes resumed.
note_of() {
	local e h r out=""
	[ -n "$2" ] || return
	e=$(errors_of "$2")
	[ "$e" = 0 ] || out="$1 errors: $e"
	h=$(kv handshakes "$2")
	r=$(kv resumed "$2")
	if [ "$3" = resumed ] && [ "$h" != na ] && [ "$h" != 0 ]; then
		out="$out${out:+; }$1 resumed $(awk -v r="$r" -v h="$h" 'BEGIN { printf "%.0f%%", 100 * r / h }')"
	fi
	echo "$out"
}

gemini_table() {
	local doc c hs k cap peer bnd notes n
	echo "| doc | clients | handshake | capsule req/s | µs/req | p50 / p99 ms | molly-brown req/s | µs/req | bound req/s | µs/req | CPU ÷ molly | CPU ÷ bound | req/s ÷ molly | req/s ÷ bound | notes |"
	echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	for doc in $DOCS; do
		for c in $CLIENTS; do
			for hs in full resumed; do
				cap=${R[gemini/capsule/$doc/$c/$hs]:-}
				peer=${R[gemini/molly-brown/$doc/$c/$hs]:-}
				bnd=${R[gemini/bound/fixed/$c/$hs]:-}
				notes=""
				for n in "capsule:$cap" "molly:$peer" "bound:$bnd"; do
					k=$(note_of "${n%%:*}" "${n#*:}" "$hs")
					[ -z "$k" ] || notes="$notes${notes:+; }$k"
				done
				echo "| $doc | $c | $hs | $(rps_of "$cap") | $(cpu_of "$cap") | $(ms "$(kv p50_us "$cap")") / $(ms "$(kv p99_us "$cap")") | $(rps_of "$peer") | $(cpu_of "$peer") | $(rps_of "$bnd") | $(cpu_of "$bnd") | $(ratio "$(kv server_cpu_us_per_req "$cap")" "$(kv server_cpu_us_per_req "$peer")") | $(ratio "$(kv server_cpu_us_per_req "$cap")" "$(kv server_cpu_us_per_req "$bnd")") | $(ratio "$(kv rps "$cap")" "$(kv rps "$peer")") | $(ratio "$(kv rps "$cap")" "$(kv rps "$bnd")") | $notes |"
			done
		done
	done
}

gopher_table() {
	local doc c k cap peer bnd notes n
	echo "| doc | clients | capsule req/s | µs/req | p50 / p99 ms | gophernicus req/s | µs/req | bound req/s | µs/req | CPU ÷ gophernicus | CPU ÷ bound | req/s ÷ gophernicus | req/s ÷ bound | notes |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	for doc in $DOCS; do
		for c in $CLIENTS; do
			cap=${R[gopher/capsule/$doc/$c]:-}
			peer=${R[gopher/gophernicus/$doc/$c]:-}
			bnd=${R[gopher/bound/fixed/$c]:-}
			notes=""
			for n in "capsule:$cap" "gophernicus:$peer" "bound:$bnd"; do
				k=$(note_of "${n%%:*}" "${n#*:}" full)
				[ -z "$k" ] || notes="$notes${notes:+; }$k"
			done
			echo "| $doc | $c | $(rps_of "$cap") | $(cpu_of "$cap") | $(ms "$(kv p50_us "$cap")") / $(ms "$(kv p99_us "$cap")") | $(rps_of "$peer") | $(cpu_of "$peer") | $(rps_of "$bnd") | $(cpu_of "$bnd") | $(ratio "$(kv server_cpu_us_per_req "$cap")" "$(kv server_cpu_us_per_req "$peer")") | $(ratio "$(kv server_cpu_us_per_req "$cap")" "$(kv server_cpu_us_per_req "$bnd")") | $(ratio "$(kv rps "$cap")" "$(kv rps "$peer")") | $(ratio "$(kv rps "$cap")" "$(kv rps "$bnd")") | $notes |"
		done
	done
}

# bytes_of KEY: bytes per reply in a cell, or "—".
bytes_of() {
	local l=${R[$1]:-}
	[ -n "$l" ] || { echo "—"; return; }
	awk -v b="$(kv bytes "$l")" -v n="$(kv requests "$l")" \
	    'BEGIN { if (n + 0 > 0) printf "%.0f", b / n; else print "—" }'
}

write_results() {
	local cpu kernel ssl rev c1 doc s
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	kernel=$(uname -sr)
	ssl=$(openssl version | awk '{ print $1, $2 }')
	rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
	c1=$(echo "$CLIENTS" | awk '{ print ($2 != "" ? $2 : $1) }')
	echo "# capsule benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev$([ "$QUICK" = 1 ] && echo ", quick mode")."
	echo
	echo "Machine: $NPROC CPUs ($cpu), $kernel, $ssl, libtls $(pkg-config --modversion libtls 2>/dev/null), libuv $(pkg-config --modversion libuv 2>/dev/null)."
	echo "Server pinned to CPU 0, load generator (\`loadgen\`, one thread) to CPU 1$([ "$BENCH_NETNS" = 1 ] && echo ", on the loopback of a private network namespace"). capsule ran with \`--workers $WORKERS\`."
	echo "Each cell: $SECS s measured after $WARMUP s of warm-up; one request per connection, a new connection as soon as one ends."
	echo "Certificates: peers and bounds share one ECDSA P-256 key; capsule made its own ($CAP_CERT)."
	echo
	echo "## Documents"
	echo
	echo "| doc | path | capsule bytes (Gemini / Gopher) | peers' copy | bytes per reply at $c1 clients: capsule, molly-brown, gophernicus |"
	echo "| --- | --- | ---: | --- | --- |"
	for doc in $DOCS; do
		echo "| $doc | \`$(doc_path "$doc")\` | ${DOC_BYTES[$doc]:-—} | ${DOC_SRC[$doc]:-—} | $(bytes_of "gemini/capsule/$doc/$c1/full") / $(bytes_of "gopher/capsule/$doc/$c1"), $(bytes_of "gemini/molly-brown/$doc/$c1/full"), $(bytes_of "gopher/gophernicus/$doc/$c1") |"
	done
	echo
	echo "The bound servers answer every request with the same 4096-byte body (plus \`20 text/gemini\` on TLS)."
	echo
	echo "## Gemini"
	echo
	gemini_table
	echo
	echo "## Gopher"
	echo
	gopher_table
	echo
	if [ -n "$PROF_KEYS" ]; then
		echo "## Where the CPU goes"
		echo
		echo "perf record of the server during one more 16-client cell (capsule: the post): share of its samples per library (kernel: system calls, TCP, loopback), then the hottest functions in its own binary."
		echo
		for s in $PROF_KEYS; do
			echo "- ${s%%:*}, ${s#*:}: ${PROF["${s%%:*} ${s#*:}"]}"
		done
		echo
	fi
	echo "## Idle connections"
	echo
	echo "$IDLE connections held mid-request (Gemini: handshake done, half a request sent; Gopher: half a selector), then 4 other clients for 2 s."
	echo
	echo "| server | held (Gemini + Gopher) | established at the server | RSS before, MB | RSS holding, MB | KB per established connection | Gemini probe p50 / p99 | Gopher probe p50 / p99 | closed by the server while held |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | ---: |"
	for s in $IDLE_KEYS; do
		echo "${IDLE_R[$s]}"
	done
	echo
	if [ -n "${CONNMEM:-}" ]; then
		echo "## Memory per connection"
		echo
		echo "$CONNMEM"
		echo
		echo "Each burst is measured on the same server in turn; \"after those closed\" is what it kept once they were gone (a trim runs 1 s after a burst)."
		echo
	fi
	echo "## Start-up"
	echo
	echo "Time from exec to every port accepting a connection."
	echo
	echo "| server | ms |"
	echo "| --- | ---: |"
	for s in capsule-cold capsule molly-brown gophernicus bound_tls bound_tcp; do
		[ -z "${START[$s]:-}" ] && continue
		case $s in
		capsule-cold) echo "| capsule, first start (makes its certificate) | ${START[$s]} |" ;;
		capsule) echo "| capsule, restart | ${START[$s]} |" ;;
		*) echo "| $s | ${START[$s]} |" ;;
		esac
	done
	echo
	echo "## Reading it"
	echo
	echo "- **µs/req** is server CPU per answered request: utime+stime of the server and its reaped children (/proc/PID/stat fields 14–17) over the window, divided by the requests answered. Lower is better."
	echo "- **CPU ÷ peer**, **CPU ÷ bound**: capsule's µs/req over theirs; below 1 capsule spends less. **req/s ÷ …**: capsule's rate over theirs; above 1 capsule is faster."
	echo "- **†**: the load generator used ≥ 90% of its core, so that rate is the client's limit, not the server's; compare µs/req there. **‡**: other processes on the machine took more than a quarter of a core during that cell (raw.txt: \`other_cpu_pct\`); its rate is suspect."
	echo "- A request counts only if its whole reply arrived (TLS close_notify, or EOF on Gopher) and it started with \`20 \` (Gemini) or anything but \`3\` (Gopher). **resumed** is the share of handshakes that resumed a session the server issued earlier."
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo
		echo "## Notes"
		echo
		for s in "${NOTES[@]}"; do
			echo "- $s"
		done
	fi
}

write_results >"$RESULTS"
echo
cat "$RESULTS"
echo
echo "(written to tests/bench/out/results.md; raw loadgen lines in tests/bench/out/raw.txt)"
