package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.fieldNames;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProblemResponsesTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aFilterAnswerIsProblemDetailsWhateverTheTextHolds() throws Exception {
        String detail = "quote \" backslash \\ NUL \0 newline \n tab \t bell \u0007 é 日本 \uD83D\uDE00 </script>";
        MockHttpServletResponse response = new MockHttpServletResponse();

        ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too \"many\"", detail);

        assertThat(response.getStatus()).isEqualTo(429);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        byte[] body = response.getContentAsByteArray();
        assertThat(response.getContentLength()).isEqualTo(body.length);
        assertThat(response.isCommitted()).isTrue();
        JsonNode problem = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        assertThat(problem.has("type")).as("absent means about:blank (RFC 9457), as in Spring MVC's answers").isFalse();
        assertThat(problem.get("title").asString()).isEqualTo("Too \"many\"");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asString()).isEqualTo(detail);
        assertThat(fieldNames(problem)).as("Spring's mixin: nothing empty, no nested 'properties'")
                .containsExactlyInAnyOrder("title", "status", "detail");
    }

    @Test
    void aStatusWithoutAReasonPhraseIsStillWritten() {
        JsonNode problem = JSON.readTree(new String(ProblemResponses.json(HttpStatusCode.valueOf(499), "Error", "gone"), StandardCharsets.UTF_8));
        assertThat(problem.get("status").asInt()).isEqualTo(499);
        assertThat(problem.get("detail").asString()).isEqualTo("gone");
    }
}
