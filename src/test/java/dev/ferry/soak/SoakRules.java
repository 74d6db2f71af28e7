package dev.ferry.soak;

import dev.ferry.soak.SoakPlan.SoakUser;
import dev.ferry.soak.SoakPlan.Storage;

/**
 * Which outcomes of a soak operation are legitimate. Sessions of one user race in one
 * directory, so some failures are the right answer ("No such file" for a file another session
 * just removed); others never are. The rules lean on what the workload guarantees:
 * <ul>
 * <li>{@code /shared} always exists (no operation removes it), so nothing directly in it fails
 * because its parent is missing;</li>
 * <li>a worker's own files ({@code /shared/w<worker>-<i>.bin}) are touched by that worker alone,
 * so it knows whether each exists, its size and its content;</li>
 * <li>the pool ({@code /shared/p<i>.bin}, {@code /shared/d<j>}, {@code /shared/d<j>/q<k>.bin})
 * is changed by every session of the user at once;</li>
 * <li>every operation a worker sends is permitted to its user: partner users have every
 * permission but {@code setstat} and are never sent a truncate; the others have {@code *};
 * no user has a session limit, an IP rule, a file size limit or a bandwidth limit.</li>
 * </ul>
 */
final class SoakRules {

    enum Kind {
        /** Succeeded, and what it returned is right. */
        OK,
        /** Failed, and that is the right answer in the situation (the reason says which). */
        EXPECTED,
        /** Failed, or returned something wrong, where it should not have: a bug. */
        UNEXPECTED
    }

    record Verdict(Kind kind, String reason) {

        static Verdict ok() {
            return new Verdict(Kind.OK, null);
        }

        static Verdict expected(String reason) {
            return new Verdict(Kind.EXPECTED, reason);
        }

        static Verdict unexpected(String reason) {
            return new Verdict(Kind.UNEXPECTED, reason);
        }
    }

    private SoakRules() {
    }

    static Verdict classify(OpRecord op) {
        if (op.killed()) {
            // The worker killed itself mid-upload on purpose; what the server kept of it is checked afterwards.
            return Verdict.expected("killed mid-upload (on purpose)");
        }
        if (op.ok()) {
            if (op.expected() != null && !op.expected().equals(op.sha256())) {
                return Verdict.unexpected("an own file read back differs from what its worker last stored there "
                        + "(a failed, refused or killed upload changed it, or the read was torn)");
            }
            return Verdict.ok();
        }
        String status = op.status() == null ? "" : op.status();
        String error = op.error() == null ? "" : op.error();
        switch (status) {
            case "SESSION", "TIMEOUT":
                // Workers are killed only by themselves and never log after that: a session that
                // breaks or stops answering under a worker is the server's doing.
                return Verdict.unexpected("the session broke or the server stopped answering (" + op.op() + ")");
            case "OPENSSH":
                return Verdict.unexpected("OpenSSH's sftp failed without an SFTP status (" + op.op() + ")");
            case "PERMISSION_DENIED":
                return Verdict.unexpected("permission denied for an operation the user is permitted (" + op.op() + ")");
            default:
                break;
        }
        if (error.contains("quota exceeded")) {
            return quota(op);
        }
        return switch (op.op()) {
            // Every soak user may log in from anywhere, as often as it likes; logging out cannot fail.
            case "login", "logout" -> Verdict.unexpected(op.op() + " failed");
            case "listdir" -> listdir(op, status);
            case "put" -> put(op, status);
            case "get" -> get(op, status, error);
            case "stat" -> noSuchFile(op, status, "stat");
            case "remove" -> noSuchFile(op, status, "remove");
            case "rename" -> rename(op, status, error);
            case "mkdir" -> mkdir(op, status, error);
            case "rmdir" -> rmdir(op, status, error);
            case "truncate" -> truncate(op, error);
            default -> Verdict.unexpected("unknown operation " + op.op());
        };
    }

    /**
     * A listing of {@code /shared} never fails. One of a pool directory may find it gone, at
     * OPENDIR, or at a READDIR when another session removed it in between (MINA checks at each
     * READDIR that the directory still exists and answers "Non-existent directory"; OpenSSH's
     * server would end the listing instead: either is a fair answer). But entries vanishing
     * while the directory is listed must never fail the listing (#14: "No such file" when an
     * entry is removed between READDIR's names and their attributes).
     */
    private static Verdict listdir(OpRecord op, String status) {
        if (status.equals("NO_SUCH_FILE") && "opendir".equals(op.phase()) && isPoolDir(op.path())) {
            return Verdict.expected("the directory was removed by another session");
        }
        if (status.equals("NO_SUCH_FILE") && "readdir".equals(op.phase()) && isPoolDir(op.path())
                && String.valueOf(op.error()).contains("Non-existent directory")) {
            return Verdict.expected("the directory was removed by another session while it was listed");
        }
        if (!"opendir".equals(op.phase()) && op.phase() != null) {
            return Verdict.unexpected("a listing failed after the directory was opened (" + op.phase() + ")");
        }
        return Verdict.unexpected("listing " + op.path() + " failed");
    }

    /**
     * An upload to a pool directory may find the directory removed (at OPEN, or at CLOSE when it
     * goes between the two); anything else failing an upload is a bug, the quota apart.
     */
    private static Verdict put(OpRecord op, String status) {
        if (status.equals("NO_SUCH_FILE") && !op.own() && inPoolDir(op.path())) {
            return Verdict.expected("its directory was removed by another session");
        }
        return Verdict.unexpected("upload failed");
    }

    /**
     * A pool file may be gone (removed or renamed by another session). On S3 a download whose
     * object is replaced meanwhile fails rather than mix two versions (README, S3 homes). An
     * own file is never gone nor replaced behind its worker's back.
     */
    private static Verdict get(OpRecord op, String status, String error) {
        if (op.own()) {
            return Verdict.unexpected("reading an own file failed");
        }
        if (status.equals("NO_SUCH_FILE")) {
            return Verdict.expected("removed or renamed by another session");
        }
        if (op.user().storage() == Storage.S3 && error.contains("changed on the storage while it was being read")) {
            return Verdict.expected("replaced by another session during the download (S3)");
        }
        return Verdict.unexpected("download failed");
    }

    /**
     * stat and remove: a pool entry may be gone; an own file is only missing when its worker
     * knows it does not exist (or lost track of it when a session broke).
     */
    private static Verdict noSuchFile(OpRecord op, String status, String what) {
        if (status.equals("NO_SUCH_FILE")) {
            if (!op.own()) {
                return Verdict.expected("removed or renamed by another session");
            }
            if (!Boolean.TRUE.equals(op.existed())) {
                return Verdict.expected("the own file does not exist");
            }
        }
        return Verdict.unexpected(what + " failed");
    }

    /**
     * The source may be gone, or the target's directory; a plain SFTP v3 rename does not replace
     * an existing target (posix-rename@openssh.com does), so it may find one another session made.
     * A temporary upload renamed onto its final name has a source no other session touches.
     */
    private static Verdict rename(OpRecord op, String status, String error) {
        if (op.temp()) {
            // The temporary upload is its worker's alone and was just confirmed: only the target's directory may be gone.
            if (status.equals("NO_SUCH_FILE") && inPoolDir(op.target())) {
                return Verdict.expected("the target's directory was removed by another session");
            }
            return Verdict.unexpected("renaming a just uploaded temporary file onto its final name failed");
        }
        if (status.equals("NO_SUCH_FILE")) {
            return Verdict.expected("source (or the target's directory) removed or renamed by another session");
        }
        if (status.equals("FAILURE") && error.contains("already exists") && !op.posix()) {
            return Verdict.expected("a v3 rename onto a target another session created");
        }
        return Verdict.unexpected("rename failed");
    }

    /**
     * A pool directory may already exist. Clients send attributes with MKDIR (paramiko and
     * OpenSSH the mode): a user without {@code setstat} must still be able to make directories
     * (#14, "mkdir with attributes refused as setstat"; it surfaces as PERMISSION_DENIED above).
     * The directories OpenSSH makes have names of their own and never exist before.
     */
    private static Verdict mkdir(OpRecord op, String status, String error) {
        if (isPoolDir(op.path()) && status.equals("FAILURE") && error.contains("already exists")) {
            return Verdict.expected("made by another session first");
        }
        return Verdict.unexpected("mkdir failed");
    }

    /** A pool directory may be gone, or hold files; OpenSSH's own directories are empty and its alone. */
    private static Verdict rmdir(OpRecord op, String status, String error) {
        if (isPoolDir(op.path())) {
            if (status.equals("NO_SUCH_FILE")) {
                return Verdict.expected("removed by another session");
            }
            if (status.equals("FAILURE") && error.contains("not empty")) {
                return Verdict.expected("another session put files in it");
            }
        }
        return Verdict.unexpected("rmdir failed");
    }

    /**
     * Truncating a stored file (SETSTAT size, as sshfs sends it) is only sent for an own file that
     * exists, by a user with {@code *}. S3 cannot truncate and says so (README, "Not supported on S3").
     */
    private static Verdict truncate(OpRecord op, String error) {
        if (op.user().storage() == Storage.S3 && error.contains("not supported on S3")) {
            return Verdict.expected("truncating is not supported on S3 storage");
        }
        return Verdict.unexpected("truncate failed");
    }

    /**
     * "quota exceeded" is legitimate only where the upload may need room the quota does not have.
     * Users without a quota never see it. For a pool file or a new own file, whether room is left
     * depends on what the user's other sessions store, hold and delete at that instant, which no
     * worker can know: accepted here, and the accounting itself is checked afterwards (usage must
     * equal what is stored). An overwrite of an own file that exists adds no file, so a file quota
     * never refuses it (#14, "maxFiles quota refusing overwrites"); a byte quota may, when the new
     * content is larger than the old.
     */
    private static Verdict quota(OpRecord op) {
        SoakUser user = op.user();
        if (!op.op().equals("put")) {
            return Verdict.unexpected("quota exceeded on " + op.op());
        }
        if (!user.hasQuota()) {
            return Verdict.unexpected("quota exceeded for a user without a quota");
        }
        if (!op.own() || !Boolean.TRUE.equals(op.existed())) {
            return Verdict.expected("quota exceeded by a new file or a pool overwrite while the quota is full");
        }
        if (user.maxBytes() > 0 && op.oldSize() != null && op.size() > op.oldSize()) {
            return Verdict.expected("quota exceeded by an overwrite that grows the file");
        }
        return Verdict.unexpected("quota exceeded by an overwrite that adds no file and no bytes");
    }

    static boolean isPoolDir(String path) {
        return path != null && path.matches("/shared/d\\d+");
    }

    private static boolean inPoolDir(String path) {
        return path != null && path.matches("/shared/d\\d+/[^/]+");
    }
}
