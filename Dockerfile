# syntax=docker/dockerfile:1
# Ferry's container image: build the jar with Maven, split it into Spring Boot's layers, run them
# on a JRE as a non-root user with a read-only root file system.
#
# No Docker engine runs on this project's build machines, so this file is kept conventional and is
# not built in CI (see README, "Container image").
#
#   docker build -t ferry .
#   docker run --read-only --tmpfs /tmp -v ferry-data:/app/data -p 2222:2222 -p 8080:8080 \
#     -e SFTP_ADMIN_PASSWORD=... ferry

# ---- admin UI -------------------------------------------------------------------------------
# The admin UI (admin-ui/, Vite + TypeScript + React) is built with Node here; the jar stage takes
# the bundle and skips its own UI build (-Dui.skip=true), so the Maven image needs no Node.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/admin-ui
# openapi.json too: installing generates the UI's API types from it (npm's postinstall)
COPY admin-ui/package.json admin-ui/package-lock.json admin-ui/openapi.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY admin-ui ./
# Vite writes to ../target/generated-resources/admin-ui/static, where Maven picks it up as a resource.
RUN npm run build

# ---- jar ------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS jar
WORKDIR /src
# Dependencies first: this layer is rebuilt only when pom.xml changes.
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -q dependency:go-offline
COPY db db
COPY src/main src/main
COPY --from=ui /src/target/generated-resources/admin-ui target/generated-resources/admin-ui
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -q -DskipTests -Dui.skip=true package \
 && java -Djarmode=tools -jar target/ferry.jar extract --layers --launcher --destination /layers

# ---- runtime --------------------------------------------------------------------------------
# Java 25, although the jar is built for 17 and CI tests on 17: its ChaCha20 is an AVX2/AVX-512
# intrinsic, and chacha20-poly1305, OpenSSH clients' default cipher, moves 1.6x faster with it
# (bench/RESULTS.md); the whole test suite passes on 25 as well.
FROM eclipse-temurin:25-jre AS runtime
RUN groupadd --system --gid 10001 ferry \
 && useradd --system --uid 10001 --gid ferry --home-dir /app --no-create-home --shell /usr/sbin/nologin ferry \
 && mkdir -p /app/data \
 && chown -R 10001:10001 /app/data \
 && chmod 1777 /tmp
WORKDIR /app
# Spring Boot's layers, least to most often changed, so an upgrade of Ferry re-pulls only the last.
COPY --from=jar /layers/dependencies/ ./
COPY --from=jar /layers/spring-boot-loader/ ./
COPY --from=jar /layers/snapshot-dependencies/ ./
COPY --from=jar /layers/application/ ./
USER 10001:10001

# The only writable places, so the root file system can be mounted read-only:
#   /tmp       JVM and Tomcat temporary files; the embedded PostgreSQL of the zero-configuration
#              mode unpacks its binaries under java.io.tmpdir
#   /app/data  local homes (files/), the embedded PostgreSQL's data (pg/) and, with it, the audit
#              journal (audit-journal/)
VOLUME ["/tmp", "/app/data"]
ENV SFTP_STORAGE_LOCAL_ROOT=/app/data/files \
    SFTP_EMBEDDED_DB_DIR=/app/data/pg \
    SFTP_AUDIT_JOURNALDIR=/app/data/audit-journal \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:InitialRAMPercentage=30 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
# The heap is 60% of the container's memory limit: the rest is metaspace, threads (one per SFTP
# channel), direct buffers of the SSH transport, and the embedded PostgreSQL when it runs.
EXPOSE 2222 8080

# Liveness only (not readiness): a replica draining on shutdown is still alive. Plain bash, the
# image has no curl; Kubernetes ignores HEALTHCHECK and uses the probes in k8s/.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT:-8080} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]

# exec form: the JVM is PID 1 and gets SIGTERM itself (graceful shutdown).
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
