package dev.ferry.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a soak run does: its users (storage, quota, permissions, how many sessions work in their
 * shared directory at once), how long, and which workers kill themselves mid-upload. Everything
 * random derives from the seed, so a run's operation sequence can be replayed.
 *
 * @param seed drives the workers' operation sequences and the kill plan
 * @param duration how long the workers run (the checks come after)
 * @param users the users; each of their sessions is one worker
 * @param kills per worker slot, the uploads at which its incarnations die (one entry per kill)
 * @param ferryJvmOptions the server's JVM options
 * @param auditDurability {@code sftp.audit.durability}: {@code journal}, what {@code java -jar} uses with its embedded PostgreSQL
 * @param onlyOps the worker operations to run (names as in {@code soak_worker.py}); empty: all of them
 */
record SoakPlan(long seed, Duration duration, List<SoakUser> users, List<List<Kill>> kills, List<String> ferryJvmOptions,
        String auditDurability, List<String> onlyOps) {

    enum Storage {
        LOCAL, S3
    }

    /**
     * A soak user. {@code partner} users have every permission the workers use except
     * {@code setstat} (a typical partner account), so a MKDIR with attributes must not need it;
     * the others have {@code *} and also truncate files. {@code ballast} empty directories are made
     * in {@code /shared} of a local home before the workers start (and never touched): listings
     * take longer, so an entry removed meanwhile is likelier to fall between a READDIR's names and
     * their attributes. (S3 listings carry the attributes: no such window.)
     */
    record SoakUser(String name, Storage storage, int sessions, boolean partner, long maxFiles, long maxBytes, int ballast) {

        boolean hasQuota() {
            return maxFiles > 0 || maxBytes > 0;
        }

        String permissionsJson() {
            return partner ? "{\"/\":[\"list\",\"download\",\"upload\",\"overwrite\",\"delete\",\"rename\",\"mkdir\",\"rmdir\"]}"
                    : "{\"/\":[\"*\"]}";
        }
    }

    /**
     * One worker's death: its {@code atPut}-th upload (counted in the incarnation; at once when
     * the deadline comes first) writes {@code size} bytes to one of its own files and the worker
     * SIGKILLs itself once {@code after} bytes are written and acknowledged, before the CLOSE. An
     * upload refused before that (a full quota) leaves the worker alive.
     */
    record Kill(int atPut, long size, long after) {
    }

    /** A worker slot: one session of a user, respawned after each kill until the deadline. */
    record Slot(int index, SoakUser user) {
    }

    /**
     * This plan changed by the {@code soak.*} system properties, to narrow a finding down:
     * {@code soak.kills=false} (nobody is killed), {@code soak.ops=put,get,listdir} (only these
     * operations, plus logins), {@code soak.audit=database} (the audit committed in PostgreSQL
     * instead of the journal).
     */
    SoakPlan withSystemProperties() {
        List<List<Kill>> k = Boolean.parseBoolean(System.getProperty("soak.kills", "true")) ? kills
                : kills.stream().map(slot -> List.<Kill>of()).toList();
        String ops = System.getProperty("soak.ops", "");
        return new SoakPlan(seed, duration, users, k, ferryJvmOptions, System.getProperty("soak.audit", auditDurability),
                ops.isBlank() ? onlyOps : List.of(ops.split(",")));
    }

    List<Slot> slots() {
        List<Slot> slots = new ArrayList<>();
        for (SoakUser user : users) {
            for (int i = 0; i < user.sessions(); i++) {
                slots.add(new Slot(slots.size(), user));
            }
        }
        return slots;
    }

    /**
     * The run of {@code mvn verify}: 8 sessions for 30 s, two users per storage, each with two
     * sessions in its shared directory: a partner account without setstat (on local disk with
     * 1,000 directories in its shared directory) and a user with a file quota (on S3 also one of
     * 48 MiB) that is full most of the time. One session of each user is killed mid-upload once,
     * at its 3rd to 6th upload (on S3 one of them past the first 8 MiB part, the other before it).
     */
    static SoakPlan forVerify(long seed) {
        List<SoakUser> users = List.of(
                new SoakUser("lteam", Storage.LOCAL, 2, true, 0, 0, 1000),
                new SoakUser("lquota", Storage.LOCAL, 2, false, fileQuota(2), 0, 0),
                new SoakUser("steam", Storage.S3, 2, true, 0, 0, 0),
                new SoakUser("squota", Storage.S3, 2, false, fileQuota(2), 48L * 1024 * 1024, 0));
        return new SoakPlan(seed, Duration.ofSeconds(30), users, killPlan(seed, users, 1, 3, 6), List.of("-Xmx256m"), "journal",
                List.of());
    }

    /**
     * The bench run: {@code clients} sessions (at least 6) over six users, three per storage (a
     * partner account, a file quota, no quota), for {@code duration}; every session is killed
     * mid-upload at the 10th to 100th upload of each of its incarnations, up to once per minute
     * of the duration.
     */
    static SoakPlan forBench(long seed, int clients, Duration duration) {
        if (clients < 6) {
            throw new IllegalArgumentException("at least 6 clients: one session per user");
        }
        String[] names = {"lteam", "steam", "lquota", "squota", "lsolo", "ssolo"};
        int[] sessions = new int[names.length];
        for (int i = 0; i < clients; i++) {
            sessions[i % names.length]++;
        }
        List<SoakUser> users = List.of(
                new SoakUser("lteam", Storage.LOCAL, sessions[0], true, 0, 0, 2000),
                new SoakUser("lquota", Storage.LOCAL, sessions[2], false, fileQuota(sessions[2]), 0, 0),
                new SoakUser("lsolo", Storage.LOCAL, sessions[4], false, 0, 0, 0),
                new SoakUser("steam", Storage.S3, sessions[1], true, 0, 0, 0),
                new SoakUser("squota", Storage.S3, sessions[3], false, fileQuota(sessions[3]), 48L * 1024 * 1024, 0),
                new SoakUser("ssolo", Storage.S3, sessions[5], false, 0, 0, 0));
        int killsPerSlot = (int) Math.max(1, duration.toMinutes());
        return new SoakPlan(seed, duration, users, killPlanEverySlot(seed, users, killsPerSlot), List.of("-Xms256m", "-Xmx512m"),
                "journal", List.of());
    }

    /**
     * A file quota that the sessions' own files (two each, made first) nearly fill: two files
     * are left for the pool, so the quota is full most of the time and overwrites of own files
     * meet a full quota.
     */
    private static long fileQuota(int sessions) {
        return sessions * 2L + 2;
    }

    /** Every other slot dies {@code kills} times, at an upload between {@code from} and {@code to}. */
    private static List<List<Kill>> killPlan(long seed, List<SoakUser> users, int kills, int from, int to) {
        Random random = new Random(seed);
        List<List<Kill>> plan = new ArrayList<>();
        int slot = 0;
        int s3Kills = 0;
        for (SoakUser user : users) {
            for (int i = 0; i < user.sessions(); i++, slot++) {
                List<Kill> slotKills = new ArrayList<>();
                if (i % 2 == 0) {
                    for (int k = 0; k < kills; k++) {
                        slotKills.add(kill(random, user, from, to, s3Kills++));
                    }
                }
                plan.add(slotKills);
            }
        }
        return plan;
    }

    private static List<List<Kill>> killPlanEverySlot(long seed, List<SoakUser> users, int kills) {
        Random random = new Random(seed);
        List<List<Kill>> plan = new ArrayList<>();
        int n = 0;
        for (SoakUser user : users) {
            for (int i = 0; i < user.sessions(); i++) {
                List<Kill> slotKills = new ArrayList<>();
                for (int k = 0; k < kills; k++) {
                    slotKills.add(kill(random, user, 10, 100, n++));
                }
                plan.add(slotKills);
            }
        }
        return plan;
    }

    /**
     * Local homes: a 3 MiB upload cut at half. S3 homes alternate between the same (all of it
     * still in the server's part buffer) and a 20 MiB upload cut after 12 MiB (the first 8 MiB
     * part sent to S3: a resumable multipart upload is left behind).
     */
    private static Kill kill(Random random, SoakUser user, int from, int to, int n) {
        int atPut = from + random.nextInt(to - from + 1);
        if (user.storage() == Storage.S3 && n % 2 == 1) {
            return new Kill(atPut, 20L * 1024 * 1024, 12L * 1024 * 1024);
        }
        return new Kill(atPut, 3L * 1024 * 1024, 3L * 512 * 1024);
    }
}
