#!/usr/bin/env bash
# Tests deploy/install.sh and the systemd unit without touching this machine's system: the
# install goes into a temporary DESTDIR, and the installed files are then used at their real
# paths (/opt/lidzdaliba-bot, /var/lib/lidzdaliba-bot) inside a private mount namespace, as the
# bot's user. Run by .ci/run; needs root (useradd --prefix, chown, unshare) and systemd-analyze.
#
#   deploy/test-install.sh [BINARY]      (default: target/debug/lidzdaliba-bot)
#
# Not covered here: systemd itself starting the unit (no systemd runs as PID 1 in this sandbox),
# so the sandboxing directives and the order of EnvironmentFile= are checked by
# `systemd-analyze verify` and by reading the unit, not by a running service.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-target/debug/lidzdaliba-bot}")
[ "$(id -u)" = 0 ] || { echo "test-install: needs root" >&2; exit 1; }

failures=0
passes=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        passes=$((passes + 1))
    else
        echo "test-install: FAILED: $what" >&2
        failures=$((failures + 1))
    fi
}
contains() { [[ $1 == *"$2"* ]]; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/etc"
chmod 0755 "$work" "$root" # so that only the files' own modes keep the bot's user out
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
printf 'root:*::\n' >"$root/etc/gshadow"

out=$(DESTDIR=$root BINARY=$binary deploy/install.sh 2>&1) || {
    echo "$out" >&2
    echo "test-install: FAILED: install.sh into DESTDIR" >&2
    exit 1
}
check "install.sh says what to do next" contains "$out" "set TELOXIDE_TOKEN in /etc/lidzdaliba-bot.env"

# The user: a system user whose home is the state folder, which exists and is its own.
entry=$(grep '^lidzdaliba:' "$root/etc/passwd" || true)
uid=$(cut -d: -f3 <<<"$entry")
gid=$(cut -d: -f4 <<<"$entry")
check "user lidzdaliba created" [ -n "$uid" ]
check "uid is a system uid" [ "${uid:-0}" -gt 0 ] && [ "${uid:-1000}" -lt 1000 ]
check "home is /var/lib/lidzdaliba-bot, no login" \
    [ "$(cut -d: -f6,7 <<<"$entry")" = /var/lib/lidzdaliba-bot:/usr/sbin/nologin ]
check "group lidzdaliba created" grep -q "^lidzdaliba:x:$gid:" "$root/etc/group"
check "state folder exists, owned by the user, 0750" \
    [ "$(stat -c '%u:%g %a' "$root/var/lib/lidzdaliba-bot")" = "$uid:$gid 750" ]

# The files.
check "binary installed, root-owned, 0755" \
    [ "$(stat -c '%u %a' "$root/opt/lidzdaliba-bot/lidzdaliba-bot")" = "0 755" ]
check "binary is the one given" cmp -s "$binary" "$root/opt/lidzdaliba-bot/lidzdaliba-bot"
check "content installed as in the repository" diff -r content "$root/opt/lidzdaliba-bot/content"
check "env file is 0600 root:root" \
    [ "$(stat -c '%a %u:%g' "$root/etc/lidzdaliba-bot.env")" = "600 0:0" ]
check "env file is the template" cmp -s deploy/lidzdaliba-bot.env "$root/etc/lidzdaliba-bot.env"
check "paths.env installed 0644" [ "$(stat -c '%a' "$root/opt/lidzdaliba-bot/paths.env")" = 644 ]

# Nothing in the template overrides what the unit sets (LOG_FORMAT may be changed on purpose,
# but the template leaves it commented out); the unit reads paths.env after the operator's file.
check "the template sets no DATABASE_URL, CONTENT_DIR or LOG_FORMAT" \
    bash -c "! grep -Eq '^[[:space:]]*(export[[:space:]]+)?(DATABASE_URL|CONTENT_DIR|LOG_FORMAT)=' deploy/lidzdaliba-bot.env"
unit=$root/etc/systemd/system/lidzdaliba-bot.service
check "unit installed" cmp -s deploy/lidzdaliba-bot.service "$unit"
files=$(grep '^EnvironmentFile=' "$unit" | cut -d= -f2 | tr '\n' ' ')
check "the unit reads the operator's file, then paths.env" \
    [ "$files" = "/etc/lidzdaliba-bot.env /opt/lidzdaliba-bot/paths.env " ]
check "the unit sets no path itself" bash -c "! grep -Eq '^Environment=.*(DATABASE_URL|CONTENT_DIR)' '$unit'"
check "paths.env points into the state folder and the installed content" \
    [ "$(grep -v '^#' deploy/paths.env)" = "DATABASE_URL=sqlite:///var/lib/lidzdaliba-bot/lidzdaliba.db
CONTENT_DIR=/opt/lidzdaliba-bot/content" ]
check "the unit runs the installed binary as the user" \
    grep -qx 'ExecStart=/opt/lidzdaliba-bot/lidzdaliba-bot run' "$unit"
check "the unit's user and state folder match" \
    bash -c "grep -qx 'User=lidzdaliba' '$unit' && grep -qx 'StateDirectory=lidzdaliba-bot' '$unit'"

# systemd-analyze verify, with the installed tree at its real path (in a private mount
# namespace, so ExecStart resolves). verify exits 0 on ignored lines, so any output fails; a
# broken copy shows that the check can fail.
in_ns() { # in_ns COMMAND...: runs with $root/opt on /opt and $root/var/lib on /var/lib
    unshare --mount --propagation private -- bash -c \
        'mount --bind "$0/opt" /opt && mount --bind "$0/var/lib" /var/lib && exec "$@"' "$root" "$@"
}
verify() { in_ns systemd-analyze verify "$1" 2>&1; }
verdict=$(verify "$unit") || true
check "systemd-analyze verify is silent: $verdict" [ -z "$verdict" ]
sed 's/^ProtectHome=true/ProtectHome=perhaps/' "$unit" >"$work/broken.service"
verdict=$(verify "$work/broken.service") || true
check "systemd-analyze verify catches a bad value" contains "$verdict" "broken.service:"

# Operator commands at the real paths, as the bot's user, as docs/OPERATIONS.md shows them
# (runuser there; setpriv here, because the user exists only in DESTDIR's passwd).
as_bot() { # as_bot ARGS... (stdin passes through)
    in_ns setpriv --reuid "$uid" --regid "$gid" --clear-groups -- env -i PATH=/usr/bin:/bin \
        bash -c 'cd /var/lib/lidzdaliba-bot && exec /opt/lidzdaliba-bot/lidzdaliba-bot "$@"' bot "$@"
}
paths=(--env-file /opt/lidzdaliba-bot/paths.env)
out=$(as_bot "${paths[@]}" stats 2>&1) && rc=0 || rc=$?
check "stats before the bot ever ran: exit 1 ($rc)" [ "$rc" = 1 ]
check "... naming the database path" contains "$out" "no database at /var/lib/lidzdaliba-bot/lidzdaliba.db"
check "... and creating nothing" [ ! -e "$root/var/lib/lidzdaliba-bot/lidzdaliba.db" ]
out=$(as_bot "${paths[@]}" check 2>&1) || true
check "check validates the installed content" contains "$out" "/opt/lidzdaliba-bot/content: content is valid"
out=$(printf '/contact veselība\n' | as_bot "${paths[@]}" console 2>&1) || true
check "console as the bot's user answers" contains "$out" "Veselības ministrija"
check "... and its database is in the state folder, the user's" \
    [ "$(stat -c '%u' "$root/var/lib/lidzdaliba-bot/lidzdaliba.db" 2>/dev/null)" = "$uid" ]
out=$(as_bot stats "${paths[@]}" 2>&1) || true
check "stats reads that database" contains "$out" ": 1 request(s)"
out=$(as_bot import "${paths[@]}" 2>&1) || true
check "import finds it up to date" contains "$out" "content unchanged"
out=$(as_bot --env-file "$root/etc/lidzdaliba-bot.env" stats 2>&1) && rc=0 || rc=$?
check "the bot's user cannot read the token file ($rc)" [ "$rc" = 2 ]
check "... and is told so" contains "$out" "Permission denied"
wrote=no
in_ns setpriv --reuid "$uid" --regid "$gid" --clear-groups -- \
    sh -c ': > /opt/lidzdaliba-bot/content/ui.toml' 2>/dev/null && wrote=yes
check "the bot's user cannot change the installed content" [ "$wrote" = no ]

# A second run is an upgrade: the token and the mode stay, edited content is kept aside.
sed -i 's/^TELOXIDE_TOKEN=$/TELOXIDE_TOKEN=123:test-token/' "$root/etc/lidzdaliba-bot.env"
chmod 0644 "$root/etc/lidzdaliba-bot.env"
echo '# edited on the server' >>"$root/opt/lidzdaliba-bot/content/meta.toml"
out=$(DESTDIR=$root BINARY=$binary deploy/install.sh 2>&1) || {
    echo "$out" >&2
    check "install.sh runs a second time" false
}
check "the token is kept" grep -qx 'TELOXIDE_TOKEN=123:test-token' "$root/etc/lidzdaliba-bot.env"
check "the env file is 0600 again" [ "$(stat -c '%a' "$root/etc/lidzdaliba-bot.env")" = 600 ]
check "one user, not two" [ "$(grep -c '^lidzdaliba:' "$root/etc/passwd")" = 1 ]
check "the content is the repository's again" diff -r content "$root/opt/lidzdaliba-bot/content"
check "the edited content is kept in content.previous" \
    grep -q 'edited on the server' "$root/opt/lidzdaliba-bot/content.previous/meta.toml"
check "the database is kept" [ -e "$root/var/lib/lidzdaliba-bot/lidzdaliba.db" ]
check "with a token, the next step is to start it" contains "$out" "next: systemctl enable --now lidzdaliba-bot"

echo "test-install: $passes passed, $failures failed"
[ "$failures" = 0 ]
