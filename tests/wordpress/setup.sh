#!/usr/bin/env bash
# setup.sh start|stop|status|edit KEY|publish KEY: a real WordPress for the tests, from Debian's
# packages (make deps), on loopback only. As root:
#   - MariaDB with its own data directory, on a socket only (skip-networking);
#   - Apache, a separate instance with its own config file (apache2 -f),
#     listening on 127.0.0.1 at a free high port, serving
#     /usr/share/wordpress with WordPress's own wp-config.php, which reads
#     /etc/wordpress/config-capsuletest.php (the one file written outside
#     the state directory; SetEnv WORDPRESS_CONFIG names it);
#   - WordPress blocked from any outbound request (WP_HTTP_BLOCK_EXTERNAL,
#     a must-use plugin refusing every HTTP request and mail), no cron;
#   - installed (wp_install) and filled (fill.php, WordPress's own
#     functions) when needed: fill.php only changes what differs from its
#     plan, so a second start takes seconds and undoes the tests' edits.
# `start` prints the site's URL on stdout (and writes it to $WP_DIR/url).
# State: $CAPSULE_WP_DIR, default /tmp/capsule-wordpress.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WP_DIR=${CAPSULE_WP_DIR:-/tmp/capsule-wordpress}
CONF_NAME=capsuletest
ETC_CONF=/etc/wordpress/config-$CONF_NAME.php
SOCK=$WP_DIR/run/mysqld.sock

die() { echo "wordpress setup: $*" >&2; exit 1; }

need() {
	[ "$(id -u)" = 0 ] || die "needs root (it runs mariadbd and apache2 as their users)"
	local p
	for p in wordpress mariadb-server apache2 libapache2-mod-php php-gd php-mysql; do
		dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "ok installed" ||
		    die "the Debian package $p is not installed (make deps installs it)"
	done
	command -v mariadbd >/dev/null || die "no mariadbd"
	[ -d /usr/share/wordpress ] || die "no /usr/share/wordpress"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

db_start() {
	mkdir -p "$WP_DIR/run" "$WP_DIR/log"
	chown mysql:mysql "$WP_DIR/run" "$WP_DIR/log"
	if [ ! -d "$WP_DIR/db/mysql" ]; then
		mkdir -p "$WP_DIR/db" && chown mysql:mysql "$WP_DIR/db"
		mariadb-install-db --no-defaults --datadir="$WP_DIR/db" \
		    --user=mysql --auth-root-authentication-method=socket \
		    --skip-test-db >"$WP_DIR/log/install-db.log" 2>&1 ||
		    { tail "$WP_DIR/log/install-db.log" >&2; die "mariadb-install-db failed"; }
	fi
	if [ -S "$SOCK" ] && mariadb --no-defaults -S "$SOCK" -u root -e 'select 1' >/dev/null 2>&1; then
		return 0
	fi
	mariadbd --no-defaults --datadir="$WP_DIR/db" --socket="$SOCK" \
	    --pid-file="$WP_DIR/run/mysqld.pid" --skip-networking --user=mysql \
	    --log-error="$WP_DIR/log/mysqld.err" --innodb-buffer-pool-size=32M \
	    --skip-log-bin >/dev/null 2>&1 &
	local i
	for i in $(seq 1 100); do
		mariadb --no-defaults -S "$SOCK" -u root -e 'select 1' >/dev/null 2>&1 && break
		sleep 0.1
	done
	[ "$i" -lt 100 ] || { tail "$WP_DIR/log/mysqld.err" >&2; die "MariaDB did not start"; }
	mariadb --no-defaults -S "$SOCK" -u root -e "
	    CREATE DATABASE IF NOT EXISTS capsule CHARACTER SET utf8mb4;
	    CREATE USER IF NOT EXISTS 'capsule'@'localhost' IDENTIFIED BY 'capsule';
	    GRANT ALL ON capsule.* TO 'capsule'@'localhost';" ||
	    die "cannot make the database"
}

web_conf() {
	local port=$1 php
	php=$(ls /usr/lib/apache2/modules/libphp*.so | head -1)
	mkdir -p "$WP_DIR/wp-content/uploads" "$WP_DIR/wp-content/mu-plugins"
	ln -sfn /usr/share/wordpress/wp-content/themes "$WP_DIR/wp-content/themes"
	ln -sfn /usr/share/wordpress/wp-content/plugins "$WP_DIR/wp-content/plugins"
	cp "$HERE/no-outbound.php" "$WP_DIR/wp-content/mu-plugins/"
	chown -R www-data:www-data "$WP_DIR/wp-content/uploads"
	mkdir -p /etc/wordpress
	cat >"$ETC_CONF.tmp" <<PHP
<?php
/* Written by capsule's tests/wordpress/setup.sh: a test site on loopback. */
define('DB_NAME', 'capsule');
define('DB_USER', 'capsule');
define('DB_PASSWORD', 'capsule');
define('DB_HOST', 'localhost:$SOCK');
define('WP_HOME', 'http://127.0.0.1:$port');
define('WP_SITEURL', 'http://127.0.0.1:$port');
define('WP_CONTENT_DIR', '$WP_DIR/wp-content');
define('WP_CONTENT_URL', 'http://127.0.0.1:$port/wp-content');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_ALLOW_MULTISITE', false);
define('AUTH_KEY', 'capsule-test'); define('SECURE_AUTH_KEY', 'capsule-test');
define('LOGGED_IN_KEY', 'capsule-test'); define('NONCE_KEY', 'capsule-test');
define('AUTH_SALT', 'capsule-test'); define('SECURE_AUTH_SALT', 'capsule-test');
define('LOGGED_IN_SALT', 'capsule-test'); define('NONCE_SALT', 'capsule-test');
PHP
	mv "$ETC_CONF.tmp" "$ETC_CONF"
	cat >"$WP_DIR/apache.conf" <<CONF
# capsule's test WordPress: its own Apache instance, loopback only.
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $WP_DIR/run/apache.pid
Mutex file:$WP_DIR/run default
User www-data
Group www-data
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule env_module /usr/lib/apache2/modules/mod_env.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule php_module $php
StartServers 2
MinSpareServers 1
MaxSpareServers 3
MaxRequestWorkers 8
ErrorLog $WP_DIR/log/apache-error.log
LogFormat "%h %t \"%r\" %>s %b \"%{User-Agent}i\"" common
CustomLog $WP_DIR/log/apache-access.log common
TypesConfig /etc/mime.types
AddHandler application/x-httpd-php .php
DirectoryIndex index.php
DocumentRoot /usr/share/wordpress
SetEnv WORDPRESS_CONFIG $CONF_NAME
Alias /wp-content/uploads $WP_DIR/wp-content/uploads
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<Directory /usr/share/wordpress>
	Options FollowSymLinks
	Require all granted
	FallbackResource /index.php
</Directory>
<Directory $WP_DIR/wp-content/uploads>
	Require all granted
</Directory>
CONF
}

web_start() {
	local port="" i
	[ -f "$WP_DIR/port" ] && port=$(cat "$WP_DIR/port")
	if [ -f "$WP_DIR/run/apache.pid" ] && kill -0 "$(cat "$WP_DIR/run/apache.pid")" 2>/dev/null &&
	    [ -n "$port" ]; then
		return 0
	fi
	if [ -z "$port" ] || ! port_free "$port"; then
		for i in $(seq 1 50); do
			port=$((20000 + RANDOM % 30000))
			port_free "$port" && break
		done
	fi
	echo "$port" >"$WP_DIR/port"
	web_conf "$port"
	apache2 -f "$WP_DIR/apache.conf" -k start ||
	    { tail "$WP_DIR/log/apache-error.log" >&2; die "Apache did not start"; }
	for i in $(seq 1 50); do
		port_free "$port" || return 0
		sleep 0.1
	done
	die "Apache does not answer on 127.0.0.1:$port"
}

# wp_php ARGS: fill.php with WordPress's config, for the site's host.
wp_php() {
	( cd /usr/share/wordpress &&
	    WORDPRESS_CONFIG=$CONF_NAME CAPSULE_WP_JSON="$WP_DIR/content-posts.json" \
	    php -d display_errors=stderr -d memory_limit=256M "$HERE/fill.php" \
	    "127.0.0.1:$(cat "$WP_DIR/port")" "$@" )
}

fill() {
	local port
	port=$(cat "$WP_DIR/port")
	python3 "$HERE/content_posts.py" >"$WP_DIR/content-posts.json" ||
	    die "cannot read content/"
	# WordPress as the web server runs it: its config by name, its host.
	wp_php install >"$WP_DIR/log/install.log" 2>&1 ||
	    { tail -20 "$WP_DIR/log/install.log" >&2; die "wp_install failed"; }
	wp_php fill >"$WP_DIR/log/fill.log" 2>&1 ||
	    { tail -20 "$WP_DIR/log/fill.log" >&2; die "fill.php failed"; }
	chown -R www-data:www-data "$WP_DIR/wp-content/uploads"
}

stop() {
	if [ -f "$WP_DIR/run/apache.pid" ]; then
		apache2 -f "$WP_DIR/apache.conf" -k stop 2>/dev/null
		for _ in $(seq 1 50); do
			[ -f "$WP_DIR/run/apache.pid" ] || break
			sleep 0.1
		done
	fi
	if [ -f "$WP_DIR/run/mysqld.pid" ]; then
		kill "$(cat "$WP_DIR/run/mysqld.pid")" 2>/dev/null
		for _ in $(seq 1 100); do
			[ -f "$WP_DIR/run/mysqld.pid" ] || break
			sleep 0.1
		done
	fi
}

case "${1:-}" in
start)
	need
	mkdir -p "$WP_DIR" && chmod 755 "$WP_DIR"
	db_start
	web_start
	fill
	echo "http://127.0.0.1:$(cat "$WP_DIR/port")" | tee "$WP_DIR/url"
	;;
stop)	stop ;;
edit)	need; wp_php edit "$2" ;;
publish) need; wp_php publish "$2" ;;
status)	[ -f "$WP_DIR/run/apache.pid" ] && [ -f "$WP_DIR/run/mysqld.pid" ] ;;
*)	echo "usage: $0 start|stop|status|edit KEY|publish KEY" >&2; exit 2 ;;
esac
