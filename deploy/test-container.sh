#!/usr/bin/env bash
# Tests the Dockerfile as far as a machine without a registry allows. Run by .ci/run; needs root,
# podman and buildah (installed with apt-get when missing), python3 and objcopy.
#
#   deploy/test-container.sh [BINARY]      (default: target/debug/lidzdaliba-bot)
#
# 1. A stand-in for the runtime base image, made from scratch with the host's glibc files that
#    the binary needs (plus dash, for this test's own checks).
# 2. The real Dockerfile's runtime stage built over it with `podman build`, with the prebuilt
#    BINARY in place of the builder stage (a named build context that replaces the stage).
# 3. The image's settings (user, volume, health check, entry point), then commands inside it
#    with `buildah run`: check, stats, the console, a mounted content folder, and the bot itself
#    against a fake Bot API on 127.0.0.1 with the HEALTHCHECK command asked while it runs and
#    after it stopped.
#
# Not covered (docs/OPERATIONS.md says so too): the builder stage (it needs the Rust image from
# a registry), the real base images, `docker run`/`podman run` (refused by this sandbox) and so
# Docker's own health-check scheduling, named-volume initialisation and restart policy.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-target/debug/lidzdaliba-bot}")
[ "$(id -u)" = 0 ] || { echo "test-container: needs root" >&2; exit 1; }
packages=(podman buildah docker-compose)
if ! command -v podman >/dev/null || ! command -v buildah >/dev/null ||
    ! command -v docker-compose >/dev/null; then
    echo "test-container: installing ${packages[*]} (Debian)"
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    }
fi

failures=0
passes=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        passes=$((passes + 1))
    else
        echo "test-container: FAILED: $what" >&2
        failures=$((failures + 1))
    fi
}
contains() { [[ $1 == *"$2"* ]]; }

work=$(mktemp -d)
store=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
bot_group=
fake_pid=
cleanup() {
    [ -n "$bot_group" ] && kill -TERM -- "-$bot_group" 2>/dev/null || true
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
    buildah "${store[@]}" rm --all >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# 1. The stand-in base: only files, like the runtime stage expects of debian:trixie-slim.
base=$(buildah "${store[@]}" from scratch)
rootfs=$(buildah "${store[@]}" mount "$base")
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
for file in $(ldd "$binary" /bin/dash | grep -o '/[^ ]*' | grep -v ':$' | sort -u); do
    mkdir -p "$rootfs$(dirname "$file")"
    cp -L "$file" "$rootfs$file"
done
cp /bin/dash "$rootfs/bin/sh"
buildah "${store[@]}" umount "$base" >/dev/null
buildah "${store[@]}" commit -q "$base" localhost/lidzdaliba-standin:test >/dev/null

# 2. The builder's output, as the Dockerfile describes it: /out/lidzdaliba-bot, /out/data and
# the dictionaries in /out/hunspell (the CI's own, from the same Debian packages).
# Debug info is stripped: it is most of a debug binary and the vfs driver copies every layer.
mkdir -p "$work/builder/out/data" "$work/builder/out/hunspell"
cp -L /usr/share/hunspell/lv_LV.aff /usr/share/hunspell/lv_LV.dic \
    /usr/share/hunspell/en_US.aff /usr/share/hunspell/en_US.dic "$work/builder/out/hunspell/"
objcopy --strip-debug "$binary" "$work/builder/out/lidzdaliba-bot"
build_log=$(podman "${store[@]}" build --isolation chroot --pull=never --format docker \
    --build-arg RUNTIME_IMAGE=localhost/lidzdaliba-standin:test \
    --build-context builder="$work/builder" \
    -f Dockerfile -t localhost/lidzdaliba-bot:test . 2>&1) || {
    echo "$build_log" >&2
    echo "test-container: FAILED: podman build of the runtime stage" >&2
    exit 1
}
check "the builder stage was replaced, not run" bash -c "! grep -q 'cargo build' <<<\"\$0\"" "$build_log"

# 3a. The image's settings.
inspect() { podman "${store[@]}" image inspect --format "$1" localhost/lidzdaliba-bot:test; }
check "runs as uid/gid 10001, not root" [ "$(inspect '{{.Config.User}}')" = 10001:10001 ]
check "declares the volume /data" contains "$(inspect '{{json .Config.Volumes}}')" '"/data"'
healthcheck=$(inspect '{{json .Config.Healthcheck.Test}}')
check "HEALTHCHECK runs 'lidzdaliba-bot health' without a shell: $healthcheck" \
    [ "$healthcheck" = '["CMD","/usr/local/bin/lidzdaliba-bot","health"]' ]
check "entry point and default command" \
    [ "$(inspect '{{json .Config.Entrypoint}} {{json .Config.Cmd}}')" = '["/usr/local/bin/lidzdaliba-bot"] ["run"]' ]
env=$(inspect '{{json .Config.Env}}')
for var in DATABASE_URL=sqlite:///data/lidzdaliba.db CONTENT_DIR=/app/content HEALTH_LISTEN=127.0.0.1:9090; do
    check "ENV $var" contains "$env" "\"$var\""
done

# compose.yaml, as Compose reads it (Debian's docker-compose validates the file against the
# Compose schema without a daemon), with a .env that tries to move the paths.
mkdir "$work/compose"
cp compose.yaml "$work/compose/"
printf 'TELOXIDE_TOKEN=1:x\nDATABASE_URL=sqlite://data/elsewhere.db\nCONTENT_DIR=content\n' \
    >"$work/compose/.env"
config=$(cd "$work/compose" && docker-compose config 2>&1) || true
check "compose.yaml reads the token from .env" contains "$config" "TELOXIDE_TOKEN: 1:x"
check "... and its own paths win over .env's" \
    bash -c 'grep -qF "DATABASE_URL: sqlite:///data/lidzdaliba.db" <<<"$0" &&
        grep -qF "CONTENT_DIR: /app/content" <<<"$0"' "$config"
check "... the volume on /data" contains "$config" "- data:/data"
check "... a restart policy" contains "$config" "restart: unless-stopped"
check "... the image's health check" \
    contains "$config" "$(printf -- '- CMD\n      - /usr/local/bin/lidzdaliba-bot\n      - health')"
cp .env.example "$work/compose/.env"
check ".env.example is a valid .env for Compose" bash -c "cd '$work/compose' && docker-compose config -q"
check ".env.example sets nothing but comments" bash -c "! grep -Ev '^[[:space:]]*(#|$)' .env.example"

# 3b. Inside the image. `buildah run` runs as the image's user, in its working folder, with its
# environment, on the host's network (chroot isolation): the container a runtime would start.
ctr=$(buildah "${store[@]}" from --pull=never localhost/lidzdaliba-bot:test)
in_image() { buildah "${store[@]}" run --isolation chroot "$@"; }
run_bot_cmd() { in_image "$ctr" -- /usr/local/bin/lidzdaliba-bot "$@"; }

uid=$(in_image "$ctr" -- /bin/sh -c \
    'while read -r k v _; do if [ "$k" = Uid: ]; then echo "$v"; fi; done </proc/self/status') || true
check "the process runs as uid 10001 ($uid)" [ "$uid" = 10001 ]
check "the Hunspell dictionaries are where the bot looks" in_image "$ctr" -- /bin/sh -c \
    '[ -s /usr/share/hunspell/lv_LV.dic ] && [ -s /usr/share/hunspell/en_US.aff ]'
check "/data is the bot's and writable by it" in_image "$ctr" -- /bin/sh -c '[ -O /data ] && [ -w /data ]'
check "/app/content is not" \
    bash -c "! $(declare -p store); ! buildah \"\${store[@]}\" run --isolation chroot '$ctr' -- /bin/sh -c ': >/app/content/ui.toml' 2>/dev/null"

out=$(run_bot_cmd check 2>&1) || true
check "check validates the baked-in content" contains "$out" "/app/content: content is valid (10 lessons"
out=$(run_bot_cmd stats 2>&1) && rc=0 || rc=$?
check "stats before the bot ran: exit 1 ($rc), naming /data/lidzdaliba.db" \
    bash -c "[ $rc = 1 ] && grep -qF 'no database at /data/lidzdaliba.db' <<<\"\$0\"" "$out"
check "... creating nothing" in_image "$ctr" -- /bin/sh -c '[ ! -e /data/lidzdaliba.db ]'
out=$(printf '/contact veselība\n' | run_bot_cmd console 2>&1) || true
check "the console answers inside the image" contains "$out" "Veselības ministrija"
check "its database is on the volume, the bot's" \
    in_image "$ctr" -- /bin/sh -c '[ -O /data/lidzdaliba.db ]'
out=$(run_bot_cmd stats 2>&1) || true
check "stats reads it" contains "$out" ": 1 request(s)"

# A mounted content folder replaces the baked-in one: a broken copy is reported by its path.
cp -r content "$work/content"
printf '\nnot_a_field = 1\n' >>"$work/content/meta.toml"
out=$(in_image -v "$work/content:/app/content:ro" "$ctr" -- /usr/local/bin/lidzdaliba-bot check 2>&1) || true
check "a mounted content folder is the one checked" contains "$out" "/app/content/meta.toml:"

# 3c. The bot itself, against a fake Bot API on 127.0.0.1, and the HEALTHCHECK command.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port=$(port)
health_port=$(port)
cat >"$work/fake_api.py" <<'EOF'
# The few Bot API answers the bot needs to start and poll; every other method answers true.
import http.server, json, sys, time
# Method names compared in lower case: teloxide writes them as types ("GetMe").
ANSWERS = {
    "getme": {"id": 4242, "is_bot": True, "first_name": "Test", "username": "test_bot",
              "can_join_groups": True, "can_read_all_group_messages": False,
              "supports_inline_queries": False, "has_main_web_app": False},
    "getupdates": [],
    "getmycommands": [],
    "getmydescription": {"description": ""},
    "getmyshortdescription": {"short_description": ""},
    "getwebhookinfo": {"url": "", "has_custom_certificate": False, "pending_update_count": 0},
}
class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        method = self.path.rsplit("/", 1)[-1].split("?")[0].lower()
        if method == "getupdates":
            time.sleep(0.5)  # a short long poll
        body = json.dumps({"ok": True, "result": ANSWERS.get(method, True)}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a long poll cut short when the bot stops
Server(("127.0.0.1", int(sys.argv[1])), Api).serve_forever()
EOF
python3 "$work/fake_api.py" "$api_port" &
fake_pid=$!
bot_env=(--env "TELOXIDE_TOKEN=4242:test" --env "TELOXIDE_API_URL=http://127.0.0.1:$api_port"
    --env "HEALTH_LISTEN=127.0.0.1:$health_port" --env "TAP_SYNC_INTERVAL=off")
# What a container runtime starts: the entry point with the default command. In its own process
# group, so that exactly this bot can be stopped with SIGTERM.
read -r -a start <<<"$(inspect '{{range .Config.Entrypoint}}{{.}} {{end}}{{range .Config.Cmd}}{{.}} {{end}}')"
setsid buildah "${store[@]}" run --isolation chroot "${bot_env[@]}" "$ctr" -- "${start[@]}" \
    >"$work/bot.log" 2>&1 &
bot_group=$!
healthcheck_cmd() { in_image "${bot_env[@]}" "$ctr" -- /usr/local/bin/lidzdaliba-bot health; }
healthy=no
for _ in $(seq 60); do
    # 200 "starting" comes first (before the first long poll returns); wait for "ok".
    if out=$(healthcheck_cmd 2>&1) && contains "$out" "healthy: ok"; then
        healthy=yes
        break
    fi
    sleep 0.5
done
check "the HEALTHCHECK command passes while the bot runs: $out" [ "$healthy" = yes ]
check "... and says what it saw" contains "$out" "healthy: ok, content "
# SIGTERM to the bot itself (as `docker stop` does), found among buildah's descendants by
# parent id; buildah then exits with the bot's status.
descendants() { local child; for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
bot_pid=
for pid in $(descendants "$bot_group"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = lidzdaliba-bot ] && bot_pid=$pid
done
check "the bot runs as a process of its own ($bot_pid)" [ -n "$bot_pid" ]
[ -n "$bot_pid" ] && kill -TERM "$bot_pid"
status=timeout
for _ in $(seq 60); do
    if ! kill -0 "$bot_group" 2>/dev/null; then
        wait "$bot_group" && status=0 || status=$?
        break
    fi
    sleep 0.5
done
bot_group=
check "the bot stops on SIGTERM with exit 0 ($status)" [ "$status" = 0 ]
check "... after finishing its work" grep -q "shutdown requested" "$work/bot.log"
out=$(healthcheck_cmd 2>&1) && rc=0 || rc=$?
check "the HEALTHCHECK command fails once it stopped: exit $rc, $out" \
    bash -c "[ $rc = 1 ] && grep -qF 'unhealthy: cannot connect to 127.0.0.1:$health_port' <<<\"\$0\"" "$out"

echo "test-container: $passes passed, $failures failed"
if [ "$failures" != 0 ]; then
    echo "--- bot log" >&2
    tail -20 "$work/bot.log" >&2
    exit 1
fi
