# The image for `kubectl debug -it POD --image=IMAGE --target=istio-proxy -- mtls-doctor diagnose`.
# Build: docker build -t mtls-doctor .
# The CLI is one bundled file plus its V8 code cache, so the runtime stage needs no node_modules. Both stages
# use the same Node image: the code cache is only accepted by the Node version that wrote it.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY rules ./rules
RUN npm run build

FROM ${NODE_IMAGE}
# openssl: the report's "verify" commands use it; ca-certificates for completeness. Nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/mtls-doctor
COPY --from=build /src/dist ./dist
COPY --from=build /src/package.json ./
RUN ln -s /opt/mtls-doctor/dist/cli.cjs /usr/local/bin/mtls-doctor
# Ephemeral debug containers share the pod's network namespace (Envoy admin on 127.0.0.1:15000) and, with
# --target=istio-proxy, its process namespace (/proc/<envoy pid>/root for mounted credentials).
ENTRYPOINT ["mtls-doctor"]
CMD ["diagnose"]
