package dev.ferry.soak;

import dev.ferry.soak.SoakPlan.SoakUser;
import tools.jackson.databind.JsonNode;

/**
 * One operation a soak worker did, as it logged it (one JSON line; the fields are described in
 * {@code soak_worker.py}), with the user it ran as.
 */
record OpRecord(SoakUser user, int worker, int incarnation, int session, double startedAt, double ms, String op, String path,
        String target, boolean ok, String status, String error, String phase, long size, String sha256, boolean confirmed,
        boolean own, Boolean existed, Long oldSize, String expected, boolean killed, String via, boolean posix, boolean temp) {

    static OpRecord parse(SoakUser user, JsonNode json) {
        return new OpRecord(user, json.path("worker").asInt(), json.path("inc").asInt(), json.path("session").asInt(),
                json.path("t").asDouble(), json.path("ms").asDouble(), json.path("op").asText(), text(json, "path"),
                text(json, "target"), json.path("ok").asBoolean(false), status(json), text(json, "error"), text(json, "phase"),
                json.path("size").asLong(-1), text(json, "sha256"), json.path("confirmed").asBoolean(false),
                json.path("own").asBoolean(false), json.hasNonNull("existed") ? json.get("existed").asBoolean() : null,
                json.hasNonNull("oldSize") ? json.get("oldSize").asLong() : null, text(json, "expected"),
                json.path("killed").asBoolean(false), json.path("via").asText("paramiko"), json.path("posix").asBoolean(false),
                json.path("temp").asBoolean(false));
    }

    /**
     * The SFTP status name. OpenSSH's sftp prints its own text for a status, not the server's
     * message, so its failures are mapped back from that text.
     */
    private static String status(JsonNode json) {
        String status = text(json, "status");
        if (!"OPENSSH".equals(status)) {
            return status;
        }
        String error = text(json, "error");
        if (error == null) {
            return status;
        }
        if (error.contains("No such file")) {
            return "NO_SUCH_FILE";
        }
        if (error.contains("Permission denied")) {
            return "PERMISSION_DENIED";
        }
        if (error.contains(": Failure")) {
            return "FAILURE";
        }
        return status;
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    /** An upload the server confirmed: its CLOSE was answered OK. */
    boolean confirmedUpload() {
        return op.equals("put") && ok && confirmed;
    }

    /** Where this operation came from, for a reader of a failure report. */
    String where() {
        return String.format("%s worker %d inc %d session %d at %.3f (%s)", user.name(), worker, incarnation, session, startedAt, via);
    }

    String describe() {
        return op + " " + path + (target == null ? "" : " -> " + target) + (ok ? " ok" : " failed " + status + " '" + error + "'"
                + (phase == null ? "" : " in " + phase));
    }
}
