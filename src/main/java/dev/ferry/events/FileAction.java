package dev.ferry.events;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.users.UserService;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code move} and {@code copy} share: {@code {"type": ..., "to": "/processed/{filename}",
 * "username": "ops"}}, {@code to} a {@link PathTemplate}, {@code username} the user whose home
 * receives the file (the file's own user when left out). The work is {@link FilePlacement}'s; this
 * class checks the action and decides which events it acts on:
 * <ul>
 * <li>only UPLOAD and RENAME records (for a RENAME, the file under its new name); any other type
 * a rule lists is delivered without doing anything;</li>
 * <li>never a record that a move or copy wrote itself (their session id is {@code event:<id of the
 * audit record that triggered it>}): that is the loop guard, so a rule whose target matches its own paths (say copy
 * {@code /inbox/*} to {@code /inbox/copy-{filename}}) acts once, not forever, and two rules
 * cannot bounce a file between them. Those records still go to webhooks and Kafka.</li>
 * </ul>
 */
abstract class FileAction implements EventAction {

    /** The session id prefix of the audit records file actions write. */
    static final String SESSION_PREFIX = "event:";
    private static final Set<String> MEMBERS = Set.of("type", "to", "username");

    private final boolean removesSource;
    private final UserService users;
    private final FilePlacement placement;

    /** @param removesSource whether the source goes away (a move) or stays (a copy) */
    FileAction(boolean removesSource, UserService users, FilePlacement placement) {
        this.removesSource = removesSource;
        this.users = users;
        this.placement = placement;
    }

    @Override
    public final String type() {
        return removesSource ? "move" : "copy";
    }

    @Override
    public Validated validate(ObjectNode given, ObjectNode previous, String field) {
        for (Iterator<String> names = given.propertyNames().iterator(); names.hasNext();) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw new InvalidInputException(field + "." + name, field + "." + name + " is not a member of a " + type()
                        + " action (it has to and username)");
            }
        }
        JsonNode to = given.get("to");
        if (to != null && !to.isNull() && !to.isString()) {
            throw new InvalidInputException(field + ".to", field + ".to must be a string such as /processed/{filename}");
        }
        PathTemplate.check(to == null || to.isNull() ? null : to.asString(), field + ".to");
        ObjectNode stored = given.objectNode().put("type", type()).put("to", to.asString());
        JsonNode username = given.get("username");
        if (username != null && !username.isNull()) {
            if (!username.isString() || !users.exists(username.asString())) {
                throw new InvalidInputException(field + ".username", field + ".username: no user named '"
                        + AccountNames.printable(username.isString() ? username.asString() : username.toString())
                        + "'; leave it out to keep the file in its own user's home");
            }
            stored.put("username", username.asString().toLowerCase(Locale.ROOT));
        }
        return new Validated(stored, null);
    }

    @Override
    public String describe(ObjectNode stored) {
        return type() + " to " + (stored.hasNonNull("username") ? stored.get("username").asString() + ":" : "") + stored.get("to").asString();
    }

    /** File actions share the per-endpoint limit per receiving user (the file's own user where none is named). */
    @Override
    public String endpoint(ObjectNode stored) {
        return "files:" + (stored.hasNonNull("username") ? stored.get("username").asString() : "");
    }

    @Override
    public DeliveryOutcome deliver(OutgoingEvent event, ObjectNode stored) {
        JsonNode body = EventRules.JSON.readTree(event.body());
        String type = body.path("type").asString();
        if (!type.equals("UPLOAD") && !type.equals("RENAME")) {
            return DeliveryOutcome.delivered(null); // nothing to place: the rule also sends other events elsewhere
        }
        if (body.path("sessionId").asString("").startsWith(SESSION_PREFIX)) {
            return DeliveryOutcome.delivered(null); // written by a file action: the loop guard
        }
        String sourceUser = body.path("username").asString();
        String sourcePath = type.equals("RENAME") ? body.path("targetPath").asString() : body.path("path").asString();
        String targetUser = stored.hasNonNull("username") ? stored.get("username").asString() : sourceUser;
        Instant time = Instant.parse(body.path("timestamp").asString());
        String target;
        try {
            target = PathTemplate.expand(stored.get("to").asString(), sourcePath, sourceUser, time);
        } catch (IllegalArgumentException e) {
            return DeliveryOutcome.failed(null, e.getMessage());
        }
        JsonNode bytes = body.get("bytes");
        JsonNode sha256 = body.get("sha256");
        return placement.place(new FilePlacement.Request(removesSource, event.eventId(), event.rule(), sourceUser, sourcePath,
                targetUser, target, bytes == null || bytes.isNull() ? null : bytes.asLong(),
                sha256 == null || sha256.isNull() ? null : sha256.asString()));
    }
}
