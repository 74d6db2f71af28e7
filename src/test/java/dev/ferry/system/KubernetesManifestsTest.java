package dev.ferry.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.sftp.SftpProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders the kustomize overlays in {@code k8s/} with {@code kubectl kustomize} and checks what
 * can be checked without a cluster: ports agree with Ferry's configuration and the Services,
 * probes use the actuator health groups, every environment variable is one Ferry reads, the
 * security context is locked down, and production runs three replicas with a disruption budget
 * and an autoscaler. Needs {@code kubectl} (kustomize is built in); fails, never skips, without it.
 */
class KubernetesManifestsTest {

    /**
     * Environment variables Ferry reads: the contract's configuration table and the README's,
     * in Spring's environment form, plus what the JVM and Spring Boot's logging read.
     */
    static final Set<String> ENV_FERRY_READS = Set.of(
            "SFTP_PORT", "SFTP_HOST", "SERVER_PORT", "SFTP_ADMIN_PASSWORD",
            "SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD",
            "SFTP_EMBEDDED_DB_DIR",
            "SFTP_STORAGE_LOCAL_ROOT", "SFTP_STORAGE_LOCAL_STAGING_RETENTION",
            "SFTP_STORAGE_S3_ENDPOINT", "SFTP_STORAGE_S3_REGION", "SFTP_STORAGE_S3_BUCKET",
            "SFTP_STORAGE_S3_ACCESS_KEY", "SFTP_STORAGE_S3_SECRET_KEY", "SFTP_STORAGE_S3_PATH_STYLE",
            "SFTP_AUTH_TIMEOUT", "SFTP_MAX_AUTH_ATTEMPTS", "SFTP_IDLE_TIMEOUT", "SFTP_MAX_READ_PACKET",
            "SFTP_MAX_HANDLES", "SFTP_SHUTDOWN_GRACE", "SFTP_TRUSTEDPROXIES",
            "LOGGING_STRUCTURED_FORMAT_CONSOLE", "JAVA_TOOL_OPTIONS");

    /** The metrics the Grafana dashboard must show (see SftpMetrics). */
    static final List<String> DASHBOARD_METRICS = List.of(
            "ferry_sftp_sessions", "ferry_sftp_logins_total", "ferry_sftp_transferred_bytes_total",
            "ferry_sftp_operations_seconds_bucket", "ferry_sftp_operations_seconds_count", "ferry_sftp_errors_total",
            "ferry_sftp_quota_denials_total");

    static final Path K8S = Path.of(System.getProperty("basedir", ".")).resolve("k8s");

    @ParameterizedTest
    @SuppressWarnings("unchecked")
    @ValueSource(strings = {"dev", "production"})
    void overlayRendersWithPortsProbesEnvAndSecurityThatFitFerry(String overlay) throws Exception {
        Rendered r = render(K8S.resolve("overlays").resolve(overlay));
        Map<String, Object> deployment = r.one("Deployment", "ferry");
        Map<String, Object> pod = map(deployment, "spec", "template", "spec");
        Map<String, Object> container = ferryContainer(pod);
        Map<String, String> env = plainEnv(container);

        // Ports: the container's named ports are the ones Ferry listens on.
        int sftpPort = Integer.parseInt(env.getOrDefault("SFTP_PORT", String.valueOf(defaultSftpPort())));
        int httpPort = Integer.parseInt(env.getOrDefault("SERVER_PORT", String.valueOf(defaultServerPort())));
        assertThat(containerPort(container, "sftp")).isEqualTo(sftpPort).isEqualTo(2222);
        assertThat(containerPort(container, "http")).isEqualTo(httpPort).isEqualTo(8080);

        // Services: SFTP on 22 of a load balancer, admin HTTP inside the cluster, both to those ports.
        Map<String, Object> sftp = r.one("Service", "ferry-sftp");
        assertThat(map(sftp, "spec").get("type")).isEqualTo("LoadBalancer");
        Map<String, Object> sftpServicePort = list(map(sftp, "spec"), "ports").get(0);
        assertThat(sftpServicePort.get("port")).isEqualTo(22);
        assertThat(resolvePort(container, sftpServicePort.get("targetPort"))).isEqualTo(sftpPort);
        Map<String, Object> admin = r.one("Service", "ferry-admin");
        assertThat(map(admin, "spec").get("type")).isEqualTo("ClusterIP");
        assertThat(resolvePort(container, list(map(admin, "spec"), "ports").get(0).get("targetPort"))).isEqualTo(httpPort);
        Map<String, Object> podLabels = map(deployment, "spec", "template", "metadata", "labels");
        for (Map<String, Object> service : List.of(sftp, admin)) {
            assertThat(podLabels).as("pods selected by " + name(service)).containsAllEntriesOf(map(service, "spec", "selector"));
        }

        // Probes: the actuator's liveness and readiness groups on the HTTP port.
        assertProbe(container, "livenessProbe", "/actuator/health/liveness", httpPort);
        assertProbe(container, "readinessProbe", "/actuator/health/readiness", httpPort);
        if (container.containsKey("startupProbe")) {
            assertProbe(container, "startupProbe", "/actuator/health/liveness", httpPort);
        }

        // Environment: only names Ferry reads; secrets only by reference.
        for (Map<String, Object> var : list(container, "env")) {
            assertThat(ENV_FERRY_READS).as("env var %s is not one Ferry reads", var.get("name")).contains((String) var.get("name"));
            if (((String) var.get("name")).matches(".*(PASSWORD|SECRET_KEY|ACCESS_KEY).*")) {
                assertThat(var).as("%s comes from a Secret", var.get("name")).containsKey("valueFrom").doesNotContainKey("value");
            }
        }
        assertThat(container).doesNotContainKey("envFrom");

        // Security context: non-root, read-only root, no privilege escalation, no capabilities.
        Map<String, Object> podSecurity = map(pod, "securityContext");
        Map<String, Object> security = map(container, "securityContext");
        assertThat(podSecurity.get("runAsNonRoot")).isEqualTo(true);
        assertThat(podSecurity.get("runAsUser")).isEqualTo(10001);
        assertThat(map(podSecurity, "seccompProfile").get("type")).isEqualTo("RuntimeDefault");
        assertThat(security.get("runAsNonRoot")).isEqualTo(true);
        assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
        assertThat((List<Object>) map(security, "capabilities").get("drop")).contains("ALL");
        assertThat(map(security, "seccompProfile").get("type")).isEqualTo("RuntimeDefault");
        assertThat(volumeOf(pod, container, "/tmp")).containsKey("emptyDir");
        assertThat(volumeOf(pod, container, "/app/data")).isNotNull();
        assertThat(map(container, "resources", "requests")).containsKeys("cpu", "memory");
        assertThat(map(container, "resources", "limits")).containsKey("memory");

        // Shutdown: preStop first, then the SFTP grace, within the termination grace period.
        List<?> preStop = (List<?>) map(container, "lifecycle", "preStop", "exec").get("command");
        assertThat(preStop).first().isEqualTo("sleep");
        long preStopSeconds = Long.parseLong((String) preStop.get(1));
        Duration sftpGrace = org.springframework.boot.convert.DurationStyle.detectAndParse(
                env.getOrDefault("SFTP_SHUTDOWN_GRACE", "30s"));
        assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                .isGreaterThan(preStopSeconds + sftpGrace.toSeconds());

        // The NetworkPolicy lets SFTP and HTTP in.
        Map<String, Object> policy = r.one("NetworkPolicy", "ferry");
        assertThat(podLabels).containsAllEntriesOf(map(policy, "spec", "podSelector", "matchLabels"));
        List<Object> allowedPorts = new ArrayList<>();
        for (Map<String, Object> rule : list(map(policy, "spec"), "ingress")) {
            list(rule, "ports").forEach(p -> allowedPorts.add(resolvePort(container, p.get("port"))));
        }
        assertThat(allowedPorts).contains(sftpPort, httpPort);

        // Secrets the Deployment needs are rendered (dev) or created beforehand under these names (production).
        for (String secret : secretsReferenced(container)) {
            // kustomize's secretGenerator appends a hash of the content, and rewrites the references.
            assertThat(secret.replaceFirst("-[a-z0-9]{10}$", "")).isIn("ferry-admin", "ferry-database", "ferry-s3");
            if (overlay.equals("dev")) {
                assertThat(r.find("Secret", secret)).as("Secret %s", secret).isNotNull();
            }
        }
    }

    @Test
    void productionRunsThreeReplicasWithADisruptionBudgetAndAnAutoscaler() throws Exception {
        Rendered r = render(K8S.resolve("overlays/production"));
        Map<String, Object> deployment = r.one("Deployment", "ferry");
        assertThat(map(deployment, "spec").get("replicas")).isEqualTo(3);
        Map<String, Object> podLabels = map(deployment, "spec", "template", "metadata", "labels");

        Map<String, Object> pdb = r.one("PodDisruptionBudget", "ferry");
        assertThat(podLabels).containsAllEntriesOf(map(pdb, "spec", "selector", "matchLabels"));
        assertThat(map(pdb, "spec")).containsAnyOf(Map.entry("maxUnavailable", 1), Map.entry("minAvailable", 2));

        Map<String, Object> hpa = r.one("HorizontalPodAutoscaler", "ferry");
        assertThat(map(hpa, "spec", "scaleTargetRef")).containsEntry("kind", "Deployment").containsEntry("name", "ferry");
        assertThat((Integer) map(hpa, "spec").get("minReplicas")).isGreaterThanOrEqualTo(3);
        assertThat((Integer) map(hpa, "spec").get("maxReplicas")).isGreaterThan(3);

        assertThat(r.find("StatefulSet", "ferry-postgres")).as("production uses an external PostgreSQL").isNull();
        assertThat(r.all("Secret")).as("production Secrets are created outside the repository").isEmpty();
        assertThat(ferryContainer(map(deployment, "spec", "template", "spec")).get("image").toString())
                .doesNotEndWith(":latest");
    }

    @Test
    void devRunsOneReplicaWithItsOwnPostgresqlAndS3Store() throws Exception {
        Rendered r = render(K8S.resolve("overlays/dev"));
        assertThat(map(r.one("Deployment", "ferry"), "spec").get("replicas")).isEqualTo(1);
        assertThat(r.one("StatefulSet", "ferry-postgres")).isNotNull();
        assertThat(r.one("StatefulSet", "ferry-minio")).isNotNull();
        assertThat(r.find("HorizontalPodAutoscaler", "ferry")).isNull();
        Map<String, Object> database = r.generated("Secret", "ferry-database");
        assertThat(map(database, "data")).containsKeys("url", "username", "password");
        String url = new String(java.util.Base64.getDecoder().decode((String) map(database, "data").get("url")), StandardCharsets.UTF_8);
        assertThat(url).startsWith("jdbc:postgresql://" + name(r.one("Service", "ferry-postgres")) + ":5432/");
        assertThat(map(r.generated("Secret", "ferry-s3"), "data")).containsKeys("endpoint", "region", "bucket", "access-key",
                "secret-key", "path-style");
    }

    @Test
    void grafanaDashboardShowsEveryFerryMetric() throws Exception {
        Rendered r = render(K8S.resolve("monitoring"));
        assertThat(r.one("ServiceMonitor", "ferry")).isNotNull();
        String json = Files.readString(K8S.resolve("monitoring/ferry-dashboard.json"));
        JsonNode dashboard = JsonMapper.builder().build().readTree(json);
        assertThat(dashboard.get("title").asString()).isNotBlank();
        StringBuilder queries = new StringBuilder();
        for (JsonNode panel : dashboard.get("panels")) {
            JsonNode targets = panel.get("targets");
            if (targets != null) {
                targets.forEach(t -> queries.append(t.get("expr").asString()).append('\n'));
            }
        }
        for (String metric : DASHBOARD_METRICS) {
            assertThat(queries.toString()).as("a panel shows %s", metric).contains(metric);
        }
    }

    // ------------------------------------------------------------------------------------------

    record Rendered(List<Map<String, Object>> objects) {

        Map<String, Object> find(String kind, String name) {
            return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).findFirst().orElse(null);
        }

        Map<String, Object> one(String kind, String name) {
            Map<String, Object> found = find(kind, name);
            if (found == null) {
                fail("no " + kind + " named " + name + " in the rendered manifests");
            }
            return found;
        }

        /** An object of a kustomize generator: its name carries a hash suffix. */
        Map<String, Object> generated(String kind, String name) {
            return objects.stream().filter(o -> kind.equals(o.get("kind")) && name(o).matches(Pattern.quote(name) + "-[a-z0-9]{10}"))
                    .findFirst().orElseThrow(() -> new AssertionError("no generated " + kind + " " + name));
        }

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Rendered render(Path dir) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            fail("kubectl is not installed or not on the PATH (" + e.getMessage() + "). This test renders the kustomize "
                    + "overlays with `kubectl kustomize`: install kubectl (https://kubernetes.io/docs/tasks/tools/), "
                    + "no cluster is needed.");
            throw e;
        }
        byte[] out;
        byte[] err;
        try (InputStream stdout = process.getInputStream(); InputStream stderr = process.getErrorStream()) {
            var errReader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return stderr.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            out = stdout.readAllBytes();
            err = errReader.join();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("kubectl kustomize " + dir + " did not finish within 60 s");
        }
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", dir, new String(err, StandardCharsets.UTF_8)).isZero();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(new String(out, StandardCharsets.UTF_8))) {
            if (doc != null) {
                objects.add((Map<String, Object>) doc);
            }
        }
        assertThat(objects).as("objects rendered from " + dir).isNotEmpty();
        return new Rendered(objects);
    }

    /** The default of {@code sftp.port}, as SftpProperties declares it. */
    static int defaultSftpPort() throws NoSuchMethodException {
        Class<?>[] components = java.util.Arrays.stream(SftpProperties.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getType).toArray(Class<?>[]::new);
        java.lang.reflect.Parameter port = SftpProperties.class.getDeclaredConstructor(components).getParameters()[0];
        assertThat(SftpProperties.class.getRecordComponents()[0].getName()).isEqualTo("port");
        return Integer.parseInt(port.getAnnotation(DefaultValue.class).value()[0]);
    }

    /** Spring Boot's default unless application.properties sets one. */
    static int defaultServerPort() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/application.properties")) {
            properties.load(Objects.requireNonNull(in, "application.properties on the class path"));
        }
        return Integer.parseInt(properties.getProperty("server.port", "8080"));
    }

    static Map<String, Object> ferryContainer(Map<String, Object> podSpec) {
        return list(podSpec, "containers").stream().filter(c -> "ferry".equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no container named ferry"));
    }

    static Map<String, String> plainEnv(Map<String, Object> container) {
        Map<String, String> env = new java.util.HashMap<>();
        for (Map<String, Object> var : list(container, "env")) {
            if (var.get("value") != null) {
                env.put((String) var.get("name"), var.get("value").toString());
            }
        }
        return env;
    }

    static Set<String> secretsReferenced(Map<String, Object> container) {
        Set<String> names = new java.util.TreeSet<>();
        for (Map<String, Object> var : list(container, "env")) {
            if (var.get("valueFrom") != null && map(var, "valueFrom").get("secretKeyRef") != null) {
                names.add((String) map(var, "valueFrom", "secretKeyRef").get("name"));
            }
        }
        return names;
    }

    static int containerPort(Map<String, Object> container, String name) {
        return list(container, "ports").stream().filter(p -> name.equals(p.get("name")))
                .map(p -> (Integer) p.get("containerPort")).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    /** A port given by number or by the name of a container port. */
    static int resolvePort(Map<String, Object> container, Object port) {
        return port instanceof Integer number ? number : containerPort(container, (String) port);
    }

    static void assertProbe(Map<String, Object> container, String probe, String path, int port) {
        Map<String, Object> get = map(container, probe, "httpGet");
        assertThat(get.get("path")).as(probe).isEqualTo(path);
        assertThat(resolvePort(container, get.get("port"))).as(probe + " port").isEqualTo(port);
    }

    static Map<String, Object> volumeOf(Map<String, Object> pod, Map<String, Object> container, String mountPath) {
        String volume = list(container, "volumeMounts").stream().filter(m -> mountPath.equals(m.get("mountPath")))
                .map(m -> (String) m.get("name")).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + mountPath));
        return list(pod, "volumes").stream().filter(v -> volume.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + volume));
    }

    static String name(Map<String, Object> object) {
        return (String) map(object, "metadata").get("name");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> object, String... path) {
        Map<String, Object> current = object;
        for (String key : path) {
            Object next = current.get(key);
            if (!(next instanceof Map)) {
                fail("no object at " + String.join(".", path) + " (stopped at " + key + ")");
            }
            current = (Map<String, Object>) next;
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> object, String key) {
        Object value = object.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
