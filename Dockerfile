# syntax=docker/dockerfile:1
# lidzdaliba-bot container image: docs/OPERATIONS.md, "Container".
#   docker build -t lidzdaliba-bot .
#   docker compose up -d            (compose.yaml: env file, volume, restart, health check)
#
# The builder and the runtime use the same Debian release, so the binary finds the glibc it
# was linked against. Both images can be replaced with build arguments.
ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-trixie
ARG RUNTIME_IMAGE=docker.io/library/debian:trixie-slim

FROM ${RUST_IMAGE} AS builder
WORKDIR /src
# The slim Rust image has gcc, which compiles the bundled SQLite; TLS is rustls with its own
# root certificates, so no OpenSSL and no CA bundle are needed at run time.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin lidzdaliba-bot \
    && mkdir -p /out/data \
    && cp target/release/lidzdaliba-bot /out/lidzdaliba-bot
# Debian's Hunspell dictionaries (a real word is never read as a typo): installed here, from
# the same release, and their files copied, so that the runtime stage needs no package manager.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends hunspell-lv hunspell-en-us \
    && mkdir -p /out/hunspell \
    && cp -L /usr/share/hunspell/lv_LV.aff /usr/share/hunspell/lv_LV.dic \
        /usr/share/hunspell/en_US.aff /usr/share/hunspell/en_US.dic /out/hunspell/
# What the runtime stage takes from here: /out/lidzdaliba-bot, an empty /out/data and the
# dictionaries in /out/hunspell.

FROM ${RUNTIME_IMAGE} AS runtime
LABEL org.opencontainers.image.title="lidzdaliba-bot" \
      org.opencontainers.image.description="Telegram bot on public participation in Latvia's state administration" \
      org.opencontainers.image.licenses="MIT"
# No RUN here: the stage only copies files, so it builds over any base with glibc (the CI test
# builds it over a local stand-in). The bot runs as uid/gid 10001, which needs no passwd entry.
COPY --from=builder /out/lidzdaliba-bot /usr/local/bin/lidzdaliba-bot
# hunspell-lv and hunspell-en-us, where Debian puts them (DICTIONARY_DIR's default).
COPY --from=builder /out/hunspell /usr/share/hunspell
# The database lives on a volume. The folder belongs to the bot, so that a fresh named volume,
# which takes the folder's owner, is writable by it.
COPY --from=builder --chown=10001:10001 /out/data /data
# The content is baked in; mount a folder over /app/content to serve another (it is read-only
# for the bot, and edits there are picked up live).
COPY content /app/content
WORKDIR /app
ENV DATABASE_URL=sqlite:///data/lidzdaliba.db \
    CONTENT_DIR=/app/content \
    HEALTH_LISTEN=127.0.0.1:9090 \
    LOG_FORMAT=json
USER 10001:10001
VOLUME ["/data"]
# `health` asks HEALTH_LISTEN's /healthz itself: no curl in the image. Exit 0 healthy, 1 not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/lidzdaliba-bot", "health"]
# SIGTERM (docker stop) stops it gracefully; give it the 30 s of compose.yaml's stop_grace_period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/lidzdaliba-bot"]
CMD ["run"]
