# The hubrun worker image. Build: `docker build -t hubrun .` (docker compose does it for you).
# Stage `build` compiles TypeScript to dist/, prebuilds the workflow bundle (dist/workflow-bundle.js)
# and packs what the published package holds (package.json `files`): the CLI and the worker, not
# the AI Hub emulator or the local dev stack. Stage `runtime` (the default, last) is a slim image
# with those files and the production dependencies only (no fastify, no tsx, no TypeScript), run
# as the unprivileged `node` user. Stage `emulator` runs the AI Hub emulator for trying the stack
# (compose profile `emulator`): the build stage's full dist/ and its dependencies, dev ones included
# (fastify), never production.
# Node.js 24 is the current LTS line (Node 20 reached its end of life on 2026-04-30).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; `npm run build` does below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/dist-freshness.js scripts/bundle-workflows.ts scripts/bundle-cli.mjs ./scripts/
COPY src ./src
COPY bin ./bin
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /package \
 && tar -xzf /tmp/hubrun-*.tgz -C /package --strip-components=1

FROM ${NODE_IMAGE} AS emulator
WORKDIR /app
# No src/: bin/hubrun.js then runs dist/ as built, without comparing it to sources.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown -R node:node /data
USER node
EXPOSE 7243
ENTRYPOINT ["node", "bin/hubrun.js"]
CMD ["emulator", "--host", "0.0.0.0", "--state", "/data/emulator-state.json"]

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no `prepare` build here (dist/ comes from the build stage), and no runtime
# dependency needs an install script (the Temporal core bridge ships prebuilt binaries).
# prune-native-binaries.js keeps the one Temporal core bridge binary this platform loads (of five,
# about 28 MB each) and drops the bridge's Rust sources: node_modules 313 MB -> 195 MB.
COPY scripts/prune-native-binaries.js /tmp/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node /tmp/prune-native-binaries.js /app \
 && rm /tmp/prune-native-binaries.js \
 && npm cache clean --force
COPY --from=build /package/bin ./bin
COPY --from=build /package/dist ./dist
# Results (HUBRUN_OUTPUT_DIR) live under /data; mount a volume there.
RUN mkdir -p /data/hubrun-output && chown -R node:node /data
ENV HUBRUN_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    HUBRUN_OUTPUT_DIR=/data/hubrun-output \
    HUBRUN_METRICS_ADDRESS=0.0.0.0:9464
USER node
EXPOSE 9464
# bin/hubrun.js runs the bundled command line, dist/cli/hubrun.js.
ENTRYPOINT ["node", "bin/hubrun.js"]
CMD ["worker"]
