package dev.ferry.adminapi;

import dev.ferry.shared.InvalidInputException;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A collection of the admin API whose changes are audited (admins, users, bans, tokens, event rules,
 * event deliveries, retention rules): its path is written once, in the subclass's {@link RequestMapping};
 * each change is recorded by {@link AdminAudit} under the path of what changed, and a creation answers
 * 201 with the new resource's Location below the same path.
 */
abstract class AuditedResource {

    private final String path;
    private final AdminAudit audit;

    /** The collection's path is the one its {@link RequestMapping} maps. */
    AuditedResource(AdminAudit audit) {
        this.path = AnnotatedElementUtils.findMergedAnnotation(getClass(), RequestMapping.class).path()[0];
        this.audit = audit;
    }

    /**
     * @param resource what changed, as its path below this collection (a username, an id, {@code acme/keys/7})
     * @param detail   what changed, e.g. {@code created user acme}; no passwords or tokens
     */
    final void audit(Object resource, String detail) {
        audit.record(path + "/" + resource, detail);
    }

    /** A change to many of the collection's resources at once, recorded under the collection's own path. */
    final void auditCollection(String detail) {
        audit.record(path, detail);
    }

    /** 201 Created, located at {@code template} below this collection expanded with {@code values}. */
    final ResponseEntity.BodyBuilder created(UriComponentsBuilder uri, String template, Object... values) {
        return ResponseEntity.created(uri.path(path + template).buildAndExpand(values).toUri());
    }

    /**
     * A body taken as a JSON tree (to tell an absent field from a null one) read as {@code type}, after
     * checking it is an object; {@code expected} completes the refusal, e.g. {@code : {"name"}}.
     */
    static <T> T readObject(ObjectMapper json, JsonNode body, Class<T> type, String expected) {
        if (body == null || !body.isObject()) {
            throw new InvalidInputException(null, "the request body must be a JSON object" + expected);
        }
        return json.treeToValue(body, type);
    }
}
