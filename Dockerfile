# Cairn server image: builds the web app, embeds it in a release build of cairn-server,
# and runs it as an unprivileged user. Build from the repository root:
#   docker build -t cairn .        (or: docker compose up --build)

FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY openapi/ /src/openapi/
COPY frontend/ ./
RUN npm run build

FROM rust:1.95-bookworm AS server
WORKDIR /src
COPY backend/ backend/
COPY --from=web /src/frontend/dist frontend/dist
RUN cd backend && cargo build --release -p cairn-server

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/cairn cairn
COPY --from=server /src/backend/target/release/cairn-server /usr/local/bin/cairn-server
USER cairn
WORKDIR /var/lib/cairn
ENV CAIRN_LISTEN=0.0.0.0:8080 \
    CAIRN_DATA_DIR=/var/lib/cairn \
    CAIRN_DATABASE_URL=sqlite:///var/lib/cairn/cairn.db \
    CAIRN_LOG_FORMAT=json
VOLUME ["/var/lib/cairn"]
EXPOSE 8080
ENTRYPOINT ["cairn-server"]
CMD ["serve"]
