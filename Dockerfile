# syntax=docker/dockerfile:1
# One Dockerfile for every Tradeflow image.
#   docker build --build-arg SERVICE=trades -t tradeflow/trades .          a service (gateway, trades, ...)
#   docker build --build-arg SERVICE=init --target init -t tradeflow/init .  the one-shot setup job of compose
# The build stage runs scripts/ship/bundle.sh, the same script tests/ship/bundle.test.ts runs (and then
# starts the bundle with this image's command and environment), so CI proves the entrypoint without Docker.
# Versions come from versions.env; tests/ship/version-pins.test.ts keeps the defaults below equal to it.
ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=11.19.1

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG NPM_VERSION
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'build with --build-arg SERVICE=<name> (see the top of the Dockerfile)' >&2; exit 1; }
# The npm the lockfile was written with, so `npm ci` resolves exactly as it does in CI.
RUN --mount=type=cache,target=/root/.npm npm install --global --no-audit --no-fund "npm@${NPM_VERSION}"
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.npm scripts/ship/bundle.sh "$SERVICE" /out

# What every image shares: no npm, yarn or corepack (nothing installs at run time), production settings.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# Node runs as PID 1, started directly (no shell, no entrypoint script): the platform's lifecycle handles
# SIGTERM and SIGINT itself (readiness 503, drain, exit), and the services start no child processes to reap.
ENTRYPOINT []

# The init job: topics, reference data, the demo consumer and its key (scripts/compose/init/init.sh).
FROM runtime AS init
COPY --from=build /out /app
# Where init.sh leaves the demo key for the k6 container (a named volume in docker-compose.yml).
RUN mkdir -p /run/tradeflow && chown 1000:1000 /run/tradeflow
WORKDIR /app
# The node user of the base image; numeric so Kubernetes can check runAsNonRoot. The code stays root-owned.
USER 1000:1000
CMD ["bash", "init/init.sh"]

# A service (the default target).
FROM runtime AS service
ARG SERVICE
ENV SERVICE=${SERVICE}
COPY --from=build /out /app
WORKDIR /app/services/${SERVICE}
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.cjs"]
CMD ["node", "dist/main.js"]
