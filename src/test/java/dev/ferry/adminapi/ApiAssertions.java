package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Assertions shared by the admin API tests of admins, tokens and the HTTP surface. */
final class ApiAssertions {

    private ApiAssertions() {
    }

    /** A problem+json answer with the status; {@code field} is the named field, or null for none required. */
    static Response assertProblem(Response response, int status, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.body()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).as("an actionable detail").hasSizeGreaterThan(10);
        assertThat(problem.get("detail").asString()).doesNotContain("Exception").doesNotContain("dev.ferry").doesNotContain("tools.jackson");
        if (field != null) {
            assertThat(problem.has("field")).as(response.body()).isTrue();
            assertThat(problem.get("field").asString()).isEqualTo(field);
        }
        return response;
    }

    static String detail(Response response) {
        return response.json().get("detail").asString();
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> result = new ArrayList<>();
        node.properties().forEach(e -> result.add(e.getKey()));
        return result;
    }

    /** ADMIN audit records about one API resource, oldest first. */
    static List<Map<String, Object>> adminAudit(FerryInstance ferry, String resource) {
        return ferry.bean(JdbcTemplate.class).queryForList(
                "select username, remote_address, path, status, detail from audit_events where type = 'ADMIN' and path = ? order by id",
                resource);
    }
}
