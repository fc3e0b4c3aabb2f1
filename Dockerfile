# Parley's image: Node 24 (which runs the TypeScript sources directly), production dependencies only,
# run as the unprivileged `node` user. See "Running in containers" in README.md; compose.yaml uses it.

# Dependencies from the lock file, without dev dependencies (no embedded PostgreSQL, no test tools,
# no `node` package: the base image's Node 24 runs Parley).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
# V8's young generation at 16 MiB whatever the host's RAM (bench/README.md, "Memory"): on a large
# host V8 picks far more, and every process keeps that much extra resident. `docker run -e
# NODE_OPTIONS=...` replaces it.
ENV NODE_OPTIONS="--max-semi-space-size=16"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY workers ./workers
COPY migrations ./migrations
COPY docs ./docs
# STORAGE_DIR's default (./data/attachments), writable by the user Parley runs as; mount a volume here.
RUN mkdir -p /app/data/attachments && chown -R node:node /app/data
USER node
EXPOSE 3000
# /readyz: PostgreSQL and Redis answer (README, "Health"). No curl in the slim image: Node's fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT ?? 3000}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is the container's process (no npm or shell in between), so SIGTERM reaches Parley.
# Old space grows by at most 25 % over what the last full collection kept (V8 lets it reach 4× on
# its own): not allowed in NODE_OPTIONS, so on the command line.
ENTRYPOINT ["node", "--heap-growing-percent=25", "src/main.ts"]
CMD ["all"]
