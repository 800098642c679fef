# The hubrun worker image. Build: `docker build -t hubrun .` (docker compose does it for you).
# Stage 1 compiles TypeScript to dist/ and prebuilds the workflow bundle (dist/workflow-bundle.js);
# stage 2 is a slim runtime with production dependencies only, run as the unprivileged `node` user.
# The same image also runs the AI Hub emulator (`command: ["emulator", ...]`) for trying the stack.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-workflows.ts ./scripts/
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Results (HUBRUN_OUTPUT_DIR) and emulator state live under /data; mount volumes there.
RUN mkdir -p /data/hubrun-output && chown -R node:node /data
ENV HUBRUN_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    HUBRUN_OUTPUT_DIR=/data/hubrun-output \
    HUBRUN_METRICS_ADDRESS=0.0.0.0:9464
USER node
EXPOSE 9464
# bin/hubrun.js runs the compiled dist/cli/main.js when it exists, as it does here.
ENTRYPOINT ["node", "bin/hubrun.js"]
CMD ["worker"]
