# A stand-in for the upstream Prometheus image, built from Debian's
# `prometheus` package, for machines that reach the Debian archive but no
# image registry (this project's CI). The compose demo uses the upstream
# image; scripts/container-test.sh substitutes this one
# (deploy/compose/compose.test.yaml). Same command-line interface.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /prometheus && chown 65534:65534 /prometheus
USER 65534:65534
EXPOSE 9090
VOLUME ["/prometheus"]
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
