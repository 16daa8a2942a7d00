# Notarium: multi-stage build of the one binary; runs as a non-root user with /data as a volume.
# Builds exactly what .ci/run builds (`cargo build --release --locked`).
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY templates templates
COPY public public
COPY benches benches
COPY examples examples
RUN cargo build --release --locked --bin notarium

FROM debian:bookworm-slim
# fonts-noto-cjk (SIL Open Font License 1.1): the certificate PDFs embed a subset of Noto Sans CJK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin notarium \
 && mkdir /data && chown notarium:notarium /data
COPY --from=build /src/target/release/notarium /usr/local/bin/notarium
USER notarium
VOLUME /data
ENV NOTARIUM_DATA=/data \
    NOTARIUM_LISTEN=0.0.0.0:8080 \
    NOTARIUM_DEMO=false
EXPOSE 8080
ENTRYPOINT ["notarium"]
CMD ["serve"]
