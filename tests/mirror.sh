# mirror.sh: sourced after lib.sh by the tests that need the static mirror
# served the way a reader would meet it: `capsule export`, molly-brown for
# Gemini and Gophernicus for Gopher (one process per connection under
# socat, as inetd would run it). Not a test itself: tests/run.sh only runs
# tests/integration/*.sh.

MOLLY_PID=""
SOCAT_PID=""

stop_mirrors() {
	[ -n "$MOLLY_PID" ] && kill "$MOLLY_PID" 2>/dev/null && wait "$MOLLY_PID" 2>/dev/null
	[ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null && wait "$SOCAT_PID" 2>/dev/null
	MOLLY_PID=""
	SOCAT_PID=""
}

# mirror_servers_missing: names what `make deps` should have installed.
mirror_servers_missing() {
	local m=""
	command -v molly-brown >/dev/null || m="$m molly-brown"
	[ -x /usr/sbin/gophernicus ] || m="$m gophernicus"
	command -v socat >/dev/null || m="$m socat"
	printf %s "$m"
}

# start_mirror DIR: exports $CONTENT (default content/) into DIR, feeds
# linking the ports it is served on, and serves it; sets MGEM and MGOPH.
start_mirror() {
	MIRROR=$1
	MGEM=$(free_port)
	MGOPH=$(free_port)
	"$CAPSULE" export --out "$MIRROR" --content "${CONTENT:-$ROOT/content}" \
	    --hostname localhost --gopher-port "$MGOPH" --gemini-port "$MGEM" \
	    >"$TMP/mirror-export.out" 2>&1 || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$TMP/molly.key" -out "$TMP/molly.crt" -days 2 \
	    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	    >/dev/null 2>&1 || return 1
	# This molly-brown has no listen address setting: it takes the port
	# on every address; only loopback is ever spoken to. Without the
	# override it serves atom.xml as text/xml, which no client subscribes to.
	cat >"$TMP/molly.conf" <<EOC
Port = $MGEM
Hostname = "localhost"
CertPath = "$TMP/molly.crt"
KeyPath = "$TMP/molly.key"
DocBase = "$MIRROR/gemini"
AccessLog = "$TMP/molly-access.log"
ErrorLog = "$TMP/molly-error.log"
[MimeOverrides]
"atom\\\\.xml\$" = "application/atom+xml"
EOC
	molly-brown -c "$TMP/molly.conf" >"$TMP/molly.out" 2>&1 &
	MOLLY_PID=$!
	# -nr: it runs as root here; -nh/-nf: no header or footer of its own;
	# -nx: no scripts; the rest turn off what a static mirror does not use.
	socat TCP-LISTEN:"$MGOPH",bind=127.0.0.1,reuseaddr,fork \
	    EXEC:"/usr/sbin/gophernicus -h localhost -p $MGOPH -r $MIRROR/gopher -nr -nh -nf -nx -nu -nv -na -nt -nm -np -nH -ns" \
	    >"$TMP/socat.out" 2>&1 &
	SOCAT_PID=$!
	wait_port "$MGEM" && wait_port "$MGOPH"
}
