package dev.ferry.adminapi;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;

/**
 * Requests that Tomcat refuses before any servlet runs (a path with an invalid %-escape such as
 * {@code /api/v1/users/%FF}) are answered by the host's error report valve, by default with an HTML
 * page. Ferry's replaces it with problem details, like every other refusal of the API.
 */
@Component
class ContainerErrorPages implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        // The host adds its error report valve when it starts, before its contexts start.
        factory.addContextCustomizers(context -> context.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                useProblemDetails(context.getParent());
            }
        }));
    }

    private static void useProblemDetails(Container host) {
        if (host == null) {
            return;
        }
        Pipeline pipeline = host.getPipeline();
        for (Valve valve : pipeline.getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                pipeline.removeValve(valve);
                pipeline.addValve(new ProblemErrorReportValve());
            }
        }
    }

    /** Writes {@code application/problem+json} with the status and its reason, nothing about the server. */
    static final class ProblemErrorReportValve extends ErrorReportValve {

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            HttpStatus known = HttpStatus.resolve(status);
            String title = known == null ? "Error" : known.getReasonPhrase();
            String detail = status == 400
                    ? "the request line cannot be read: check the path for invalid %-escapes (encode as UTF-8)"
                    : "the server refused the request before handling it: " + title.toLowerCase();
            try {
                response.setContentType(ProblemResponses.MEDIA_TYPE);
                response.setCharacterEncoding("UTF-8");
                PrintWriter writer = response.getReporter();
                if (writer != null) {
                    writer.write(new String(ProblemResponses.json(HttpStatusCode.valueOf(status), title, detail),
                            StandardCharsets.UTF_8));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the client is gone, or the response was already taken: nothing more to send
            }
        }
    }
}
