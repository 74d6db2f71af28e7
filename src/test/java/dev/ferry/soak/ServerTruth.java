package dev.ferry.soak;

import dev.ferry.soak.SoakPlan.SoakUser;
import dev.ferry.soak.SoakPlan.Storage;
import dev.ferry.soak.SoakServer.StoredFile;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.SftpTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * After the workers stop: what the server says and stores, against what the clients were told.
 * Each check returns findings (empty when it holds), so one run reports every problem at once.
 */
final class ServerTruth {

    private static final long WAIT_MILLIS = 30_000;
    /** A Spring Boot console log line: time, level, pid, ---, [app], [thread], logger, message. */
    private static final Pattern LOG_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\S+\\s+(ERROR|WARN|INFO|DEBUG|TRACE)\\s+\\d+\\s+---\\s+\\[[^\\]]*\\]\\s+\\[\\s*([^\\]]*)\\]\\s+(\\S+)\\s+:\\s(.*)$");

    /**
     * Ferry's warnings that the soak's legitimate races cause. S3Errors logs the 412 of a GET
     * pinned to the ETag a download started with, when another session replaced the object
     * meanwhile: the download fails as the README says, and SoakRules accepts it.
     */
    private static final List<Pattern> EXPECTED_WARNINGS = List.of(Pattern.compile("S3 answered 412 PreconditionFailed"));

    private final SoakServer server;
    private final SoakPlan plan;
    private final SoakWorkers.Outcome outcome;
    private final List<String> findings = new ArrayList<>();

    private ServerTruth(SoakServer server, SoakPlan plan, SoakWorkers.Outcome outcome) {
        this.server = server;
        this.plan = plan;
        this.outcome = outcome;
    }

    static List<String> check(SoakServer server, SoakPlan plan, SoakWorkers.Outcome outcome) throws Exception {
        ServerTruth truth = new ServerTruth(server, plan, outcome);
        for (SoakUser user : plan.users()) {
            truth.auditHasEveryConfirmedUpload(user);
            truth.storageHoldsOnlyWhatWasConfirmed(user);
            truth.downloadsReturnedConfirmedContent(user);
        }
        truth.stagingEmpties();
        for (SoakUser user : plan.users()) {
            truth.usageEqualsStorage(user);
        }
        truth.serverStillWorks();
        truth.logHasNoErrors();
        return truth.findings;
    }

    private List<OpRecord> opsOf(SoakUser user) {
        return outcome.ops().stream().filter(op -> op.user().equals(user)).toList();
    }

    /**
     * Every upload whose CLOSE the server confirmed has an UPLOAD record with status OK and the
     * same SHA-256 (the README's "no confirmed upload without its record"); no killed upload has one.
     */
    private void auditHasEveryConfirmedUpload(SoakUser user) {
        Map<String, Integer> recorded = new HashMap<>();
        Set<String> recordedDigests = new HashSet<>();
        for (JsonNode event : auditEvents(user.name(), "UPLOAD")) {
            if ("OK".equals(event.path("status").asText())) {
                recorded.merge(event.path("path").asText() + " " + event.path("sha256").asText(), 1, Integer::sum);
                recordedDigests.add(event.path("sha256").asText());
            }
        }
        List<String> missing = new ArrayList<>();
        int confirmed = 0;
        for (OpRecord op : opsOf(user)) {
            if (op.confirmedUpload()) {
                confirmed++;
                String key = op.path() + " " + op.sha256();
                if (recorded.getOrDefault(key, 0) > 0) {
                    recorded.merge(key, -1, Integer::sum);
                } else {
                    missing.add(op.path() + " " + op.size() + " bytes, " + op.where());
                }
            }
            if (op.killed() && recordedDigests.contains(op.sha256())) {
                findings.add("audit: a killed upload is recorded as a complete one: " + op.path() + ", " + op.where());
            }
        }
        if (!missing.isEmpty()) {
            findings.add("audit: " + missing.size() + " of " + user.name() + "'s " + confirmed
                    + " confirmed uploads have no UPLOAD record with status OK and their SHA-256, e.g. " + first(missing, 5));
        }
    }

    /**
     * Every file stored in the home holds what a confirmed upload sent (renames move such content
     * around, truncates cut an own file): nothing of a killed or refused upload, no partial
     * object. Each worker's own files hold exactly what that worker last stored, or are absent.
     */
    private void storageHoldsOnlyWhatWasConfirmed(SoakUser user) throws IOException {
        Map<String, StoredFile> stored = server.storedFiles(user);
        Set<String> produced = new HashSet<>();
        Map<String, OpRecord> killedByDigest = new HashMap<>();
        Map<String, OpRecord> failedByDigest = new HashMap<>();
        Map<String, List<OpRecord>> killedByPath = new HashMap<>();
        for (OpRecord op : opsOf(user)) {
            if (op.confirmedUpload() || (op.op().equals("truncate") && op.ok())) {
                produced.add(op.sha256());
            }
            if (op.op().equals("put") && !op.ok() && !op.killed() && op.sha256() != null) {
                failedByDigest.put(op.sha256(), op);
            }
            if (op.killed()) {
                killedByDigest.put(op.sha256(), op);
                killedByPath.computeIfAbsent(op.path(), p -> new ArrayList<>()).add(op);
            }
        }
        stored.forEach((path, file) -> {
            if (!produced.contains(file.sha256())) {
                OpRecord killed = killedByDigest.get(file.sha256());
                OpRecord failed = failedByDigest.get(file.sha256());
                String origin = killed != null ? "the whole content of a killed upload (" + killed.where() + ")"
                        : failed != null ? "the content of an upload its client was told had failed: " + failed.describe() + " by "
                                + failed.where()
                        : killedByPath.containsKey(path) ? "no upload's content; " + killedByPath.get(path).size()
                                + " upload(s) of this name were killed mid-transfer, e.g. " + killedByPath.get(path).get(0).size()
                                + " bytes cut at " + killedByPath.get(path).get(0).where()
                        : "no upload's content";
                findings.add("storage: " + user.name() + " " + path + " (" + file.size() + " bytes) holds " + origin);
            }
        });
        for (SoakPlan.Slot slot : plan.slots()) {
            if (!slot.user().equals(user)) {
                continue;
            }
            for (Map.Entry<String, JsonNode> own : SoakWorkers.state(outcome.stateFiles().get(slot.index())).properties()) {
                String path = own.getKey();
                JsonNode exists = own.getValue().path("exists");
                StoredFile file = stored.get(path);
                if (exists.asBoolean(false) && own.getValue().hasNonNull("sha256")) {
                    if (file == null || !file.sha256().equals(own.getValue().get("sha256").asText())) {
                        findings.add("storage: " + user.name() + " " + path + " should hold the " + own.getValue().path("size").asLong()
                                + " bytes its worker last stored, but " + (file == null ? "is missing" : "holds " + file.size() + " other bytes"));
                    }
                } else if (exists.isBoolean() && !exists.asBoolean() && file != null) {
                    findings.add("storage: " + user.name() + " " + path + " exists (" + file.size()
                            + " bytes) though its worker never had an upload of it confirmed");
                }
            }
        }
    }

    /** A download of a pool file returned the whole content of some confirmed upload: never a mix or a part. */
    private void downloadsReturnedConfirmedContent(SoakUser user) {
        Set<String> produced = new HashSet<>();
        List<OpRecord> ops = opsOf(user);
        for (OpRecord op : ops) {
            if (op.confirmedUpload()) {
                produced.add(op.sha256());
            }
        }
        Set<String> failed = new HashSet<>();
        for (OpRecord op : ops) {
            if (op.op().equals("put") && !op.ok() && op.sha256() != null) {
                failed.add(op.sha256());
            }
        }
        List<String> wrong = new ArrayList<>();
        int ofFailed = 0;
        for (OpRecord op : ops) {
            if (op.op().equals("get") && op.ok() && !op.own() && !produced.contains(op.sha256())) {
                wrong.add(op.path() + " " + op.size() + " bytes, " + op.where());
                ofFailed += failed.contains(op.sha256()) ? 1 : 0;
            }
        }
        if (!wrong.isEmpty()) {
            findings.add("downloads: " + wrong.size() + " of " + user.name() + "'s downloads returned content no confirmed upload sent ("
                    + ofFailed + " of them that of uploads their clients were told had failed), e.g. " + first(wrong, 5));
        }
    }

    /** Local uploads are staged under .ferry-staging; once the clients are gone, nothing may stay there. */
    private void stagingEmpties() throws Exception {
        List<Path> left = List.of();
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            left = server.stagedFiles();
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        }
        findings.add("storage: " + left.size() + " staged upload(s) left in .ferry-staging " + WAIT_MILLIS / 1000
                + " s after the last client went away, e.g. " + first(left.stream().map(p -> p.getFileName().toString()).toList(), 3));
    }

    /** The usage the API reports is what is stored: regular files and their bytes (usage of users without a quota is written within a second). */
    private void usageEqualsStorage(SoakUser user) throws Exception {
        Map<String, StoredFile> stored = server.storedFiles(user);
        long files = stored.size();
        long bytes = stored.values().stream().mapToLong(StoredFile::size).sum();
        long[] usage = new long[2];
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            JsonNode u = server.admin().get("/api/v1/users/" + user.name()).json().path("usage");
            usage = new long[] {u.path("usedFiles").asLong(), u.path("usedBytes").asLong()};
            if (usage[0] == files && usage[1] == bytes) {
                return;
            }
            Thread.sleep(500);
        }
        findings.add("usage: " + user.name() + " is reported to use " + usage[0] + " files / " + usage[1] + " bytes, but stores "
                + files + " files / " + bytes + " bytes" + (user.hasQuota() ? " (quota maxFiles " + user.maxFiles() + ", maxBytes "
                        + user.maxBytes() + ")" : ""));
    }

    /** Healthy, and a new session of a user of each storage logs in, uploads (audited) and downloads. */
    private void serverStillWorks() {
        AdminClient.Response health = server.admin().withoutCredentials().get("/actuator/health");
        if (health.status() != 200 || !health.body().contains("\"UP\"")) {
            findings.add("health: /actuator/health answered " + health.status() + " " + health.body());
        }
        for (Storage storage : Storage.values()) {
            SoakUser user = plan.users().stream().filter(u -> u.storage() == storage).findFirst().orElseThrow();
            byte[] data = new byte[100_000];
            new Random(plan.seed()).nextBytes(data);
            String path = "/after-soak.bin";
            try (SftpTestClient client = SftpTestClient.withKey(server.sftpPort(), user.name(), server.key())) {
                client.put(path, data);
                byte[] back;
                try (InputStream in = client.sftp().read(path)) {
                    back = in.readAllBytes();
                }
                if (!java.util.Arrays.equals(back, data)) {
                    findings.add("after the soak: " + user.name() + " downloaded other bytes than it uploaded");
                }
                client.sftp().remove(path);
            } catch (IOException | RuntimeException e) {
                findings.add("after the soak: a new session of " + user.name() + " could not log in, upload and download: " + e);
                continue;
            }
            String sha = sha256(data);
            boolean audited = auditEvents(user.name(), "UPLOAD").stream()
                    .anyMatch(e -> path.equals(e.path("path").asText()) && sha.equals(e.path("sha256").asText())
                            && "OK".equals(e.path("status").asText()));
            if (!audited) {
                findings.add("after the soak: the confirmed upload of " + user.name() + " " + path + " has no audit record");
            }
        }
    }

    /**
     * No ERROR in the server's log, and no WARN from Ferry's own code but the expected ones: the
     * soak injects no fault into the database or S3, so each of those (an audit record that
     * could not be written, a multipart upload that could not be aborted, ...) is a problem.
     * MINA's warnings about connections its clients dropped are not. Lines are grouped by their message with
     * numbers and addresses blanked.
     */
    private void logHasNoErrors() {
        Map<String, List<String>> bad = new LinkedHashMap<>();
        String[] lines = server.log().split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = LOG_LINE.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            String level = m.group(1);
            String logger = m.group(3);
            boolean expectedWarning = EXPECTED_WARNINGS.stream().anyMatch(p -> p.matcher(m.group(4)).find());
            if (level.equals("ERROR") || (level.equals("WARN") && logger.startsWith("dev.ferry.") && !expectedWarning)) {
                StringBuilder entry = new StringBuilder(lines[i]);
                for (int j = i + 1; j < lines.length && j <= i + 3 && !LOG_LINE.matcher(lines[j]).matches(); j++) {
                    entry.append("\n    ").append(lines[j].strip());
                }
                bad.computeIfAbsent(level + " " + logger + ": " + normalize(m.group(4)), k -> new ArrayList<>()).add(entry.toString());
            }
        }
        bad.forEach((message, entries) -> findings.add("server log: " + entries.size() + " x " + message + "\n  first: " + entries.get(0)));
    }

    static String normalize(String message) {
        return message.replaceAll("\\[[^\\]]*@/127\\.0\\.0\\.1:\\d+\\]", "[<session>]").replaceAll("\\b\\d+\\b", "N")
                .replaceAll("/shared/\\S+", "<path>").replaceAll("s3://\\S+", "<object>");
    }

    private List<JsonNode> auditEvents(String username, String type) {
        List<JsonNode> events = new ArrayList<>();
        for (int page = 0;; page++) {
            JsonNode answer = server.admin().get("/api/v1/audit?username=" + username + "&type=" + type + "&size=500&page=" + page).json();
            answer.path("content").forEach(events::add);
            if (answer.path("content").size() < 500) {
                return events;
            }
        }
    }

    private static String first(List<String> items, int n) {
        return String.join("; ", items.subList(0, Math.min(n, items.size()))) + (items.size() > n ? "; ..." : "");
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
