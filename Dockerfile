# syntax=docker/dockerfile:1
# Multi-stage build: compile with Maven, run on a JRE as a non-root user.
# No Docker engine runs on the build machines of this project, so this file is kept conventional
# and is not built in CI (see README).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY db db
COPY src src
RUN mvn -B -ntp -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 ferry \
 && useradd --system --uid 10001 --gid ferry --home-dir /app --shell /usr/sbin/nologin ferry \
 && mkdir -p /app/data /tmp/embedded-pg \
 && chown -R ferry:ferry /app /tmp/embedded-pg
WORKDIR /app
COPY --from=build --chown=ferry:ferry /src/target/ferry.jar /app/ferry.jar
USER 10001:10001
# Data of the zero-configuration mode (embedded PostgreSQL, local homes); mount a volume here.
VOLUME ["/app/data"]
EXPOSE 2222 8080
# Size the heap from the container's memory limit; the JVM's footprint follows its heap.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
ENTRYPOINT ["java", "-jar", "/app/ferry.jar"]
