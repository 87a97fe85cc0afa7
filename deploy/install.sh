#!/usr/bin/env bash
# Installs lidzdaliba-bot as a systemd service on Debian or Ubuntu. As root, in the repository,
# after `cargo build --release`:
#
#   deploy/install.sh
#
# Then put the token into /etc/lidzdaliba-bot.env and `systemctl enable --now lidzdaliba-bot`.
# Running it again upgrades: the binary, the content, the unit and paths.env are replaced (the
# old content is kept as content.previous if it differed); /etc/lidzdaliba-bot.env and the
# database are kept. Layout and operation: docs/OPERATIONS.md.
#
# Environment:
#   BINARY=PATH   the binary to install (default: target/release/lidzdaliba-bot)
#   DESTDIR=DIR   install under DIR instead of / (tests, packaging): the user is added to
#                 DIR/etc/passwd and systemd is not told
set -euo pipefail
cd "$(dirname "$0")/.."

root=${DESTDIR:-}
root=${root%/}
binary=${BINARY:-target/release/lidzdaliba-bot}
user=lidzdaliba
opt=/opt/lidzdaliba-bot
state=/var/lib/lidzdaliba-bot
env_file=/etc/lidzdaliba-bot.env
unit=/etc/systemd/system/lidzdaliba-bot.service

say() { echo "install: $*"; }
die() {
    echo "install: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run this as root (it creates a user and writes to /opt, /etc and /var/lib)"
[ -x "$binary" ] || die "no binary at $binary: build it with 'cargo build --release' (or set BINARY=)"
"$binary" --version >/dev/null || die "$binary does not run on this machine"
# Never install content the bot would refuse.
"$binary" check --content content >/dev/null || {
    "$binary" check --content content || true
    die "the content in ./content is invalid (listed above); nothing was installed"
}

# The bot's own system user, with its state folder as home (created below, owned by it).
if ! grep -q "^$user:" "$root/etc/passwd"; then
    useradd ${root:+--prefix "$root"} --system --user-group --home-dir "$state" \
        --no-create-home --shell /usr/sbin/nologin "$user"
    say "created the system user $user"
fi
uid=$(awk -F: -v u="$user" '$1 == u { print $3 }' "$root/etc/passwd")
gid=$(awk -F: -v u="$user" '$1 == u { print $4 }' "$root/etc/passwd")
[ -n "$uid" ] && [ -n "$gid" ] || die "cannot find the user $user in $root/etc/passwd"
install -d -o "$uid" -g "$gid" -m 0750 "$root$state"

# The binary (replaced by a rename, so a running bot keeps its old file until it restarts).
install -d -o root -g root -m 0755 "$root$opt" "$root$opt/content"
install -o root -g root -m 0755 "$binary" "$root$opt/lidzdaliba-bot.new"
mv -f "$root$opt/lidzdaliba-bot.new" "$root$opt/lidzdaliba-bot"

# The content, file by file in place: a running bot sees the change and imports it.
if [ -n "$(ls -A "$root$opt/content")" ] && ! diff -rq content "$root$opt/content" >/dev/null; then
    rm -rf "$root$opt/content.previous"
    cp -a "$root$opt/content" "$root$opt/content.previous"
    say "the installed content differed from ./content: the old files are in $opt/content.previous"
fi
for file in content/*; do
    install -o root -g root -m 0644 "$file" "$root$opt/content/"
done

install -o root -g root -m 0644 deploy/paths.env "$root$opt/paths.env"

# The operator's settings: created once from the template, never overwritten (it holds the
# token); root-only either way.
install -d -m 0755 "$root/etc"
if [ ! -e "$root$env_file" ]; then
    install -o root -g root -m 0600 deploy/lidzdaliba-bot.env "$root$env_file"
    say "created $env_file from deploy/lidzdaliba-bot.env: put the bot token into it"
else
    chown root:root "$root$env_file"
    chmod 0600 "$root$env_file"
fi
if grep -Eq '^[[:space:]]*(export[[:space:]]+)?(DATABASE_URL|CONTENT_DIR)=' "$root$env_file"; then
    say "note: $env_file sets DATABASE_URL or CONTENT_DIR; the unit ignores them ($opt/paths.env wins)"
fi

install -d -m 0755 "$root/etc/systemd/system"
install -o root -g root -m 0644 deploy/lidzdaliba-bot.service "$root$unit"
# Outside DESTDIR installs only: verify checks the unit against this machine's systemd and files.
if [ -z "$root" ] && command -v systemd-analyze >/dev/null; then
    # verify also exits 0 on lines it ignores, so any message counts as a failure.
    verdict=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$verdict" ] ||
        die "systemd-analyze verify rejected $unit: $verdict"
fi

say "installed: $opt/lidzdaliba-bot ($("$binary" --version)), $opt/content, $unit"
if [ -z "$root" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if systemctl is-active --quiet lidzdaliba-bot; then
        systemctl restart lidzdaliba-bot
        say "restarted the running service"
        exit 0
    fi
fi
if ! grep -Eq '^[[:space:]]*TELOXIDE_TOKEN=[^[:space:]]' "$root$env_file"; then
    say "next: set TELOXIDE_TOKEN in $env_file, then: systemctl enable --now lidzdaliba-bot"
else
    say "next: systemctl enable --now lidzdaliba-bot"
fi
