# syntax=docker/dockerfile:1
# Gatewire as a container: the long-running Fastify server (src/server.ts) on Node 24, the newest
# version the whole suite passes on in CI (Node 20 and 22 pass too: .ci/run).
#   docker build -t gatewire .
#   docker run -p 3000:3000 -e AWS_REGION=eu-west-1 -e GATEWIRE_AUDIT_URL=postgres://… gatewire
# The image's default audit store is a SQLite file under /app/data (mount a volume there to keep
# it); use PostgreSQL (GATEWIRE_AUDIT_URL=postgres://…) when more than one instance runs.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: every dependency, bundle the server, then drop the dev dependencies ------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary for this platform; these build it from source when
# none matches (another CPU architecture or libc). They stay in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-server.mjs scripts/esbuild-shared.mjs ./scripts/
COPY src ./src
# One esbuild bundle (dist/server/): a start parses one file instead of resolving and compiling
# hundreds of modules. better-sqlite3 and Swagger UI stay in node_modules (scripts/build-server.mjs).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: production dependencies and the bundle only, as a non-root user --------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV HOST=0.0.0.0 \
    PORT=3000 \
    GATEWIRE_AUDIT_URL=sqlite:/app/data/audit.db \
    NODE_COMPILE_CACHE=/tmp/gatewire-compile-cache
# Code and dependencies belong to root (read-only for the app); only data/ is the app's.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness only (the process answers); readiness (/readyz) is for load balancers and orchestrators.
# The slim image has no curl: Node's fetch does it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself; close-with-grace then lets in-flight changes
# finish (GATEWIRE_SHUTDOWN_DRAIN_MS) and hands the rest over at a step boundary (up to 12 s more):
# give `docker stop` a timeout of 40 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/index.mjs"]
