# The image for `kubectl debug -it POD --image=IMAGE --target=istio-proxy -- mtls-doctor diagnose`.
# Build: docker build --build-arg SOURCE=https://REPO -t mtls-doctor:0.1.0 .
# Both stages run the same Node 24: the V8 code caches the build writes are accepted only by the Node that
# wrote them. The build steps are scripts/image-build.sh, which .ci/run also runs (no Docker engine there).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN scripts/image-build.sh install
COPY tsconfig.json ./
COPY src ./src
COPY rules ./rules
RUN scripts/image-build.sh payload /payload

FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="mtls-doctor" \
      org.opencontainers.image.description="Explains why mTLS handshakes fail in a service mesh" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
# openssl: the report's "verify" commands are openssl commands, to paste in the same shell. Nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The CLI: its chunks and code caches (~3 MB), no node_modules.
COPY --from=build /payload/ /
# Non-root by default, as uid 1337: Istio's iptables rules let traffic of uid 1337 (the sidecar's own) bypass
# the redirection, so the probe's handshakes reach the peer directly, as Envoy's do; and the same uid as Envoy
# may read its mounted credentials under /proc/<envoy pid>/root. Run as any other uid (kubectl debug
# --custom with securityContext.runAsUser) when the probe should go through the sidecar, as the app's traffic.
USER 1337:1337
# uid 1337 has no passwd entry here: give it a home (os.homedir(), kubeconfig lookups) that exists.
ENV HOME=/tmp
# Ephemeral debug containers share the pod's network namespace (Envoy admin on 127.0.0.1:15000) and, with
# --target=istio-proxy, its process namespace (/proc/<envoy pid>/root for mounted credentials).
ENTRYPOINT ["mtls-doctor"]
CMD ["diagnose"]
