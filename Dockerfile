# The pipeline's image: producer and consumer run from source with tsx (`npm run producer` / `consumer`).
# docker-compose.yml passes NODE_IMAGE from its pinned list; the default here is the same tag.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim
FROM ${NODE_IMAGE}
WORKDIR /app
# Dependencies first, so editing the source does not reinstall them. tsx is a dev dependency: keep them.
# npm ci's postinstall needs patches/ (patch-package mends kafkajs) and scripts/ (the librdkafka build).
COPY package.json package-lock.json ./
COPY patches ./patches
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
USER node
EXPOSE 9997
CMD ["npm", "run", "consumer"]
