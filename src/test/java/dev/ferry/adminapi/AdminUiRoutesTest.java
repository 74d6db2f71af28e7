package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The server answers index.html for the admin UI's client-side routes ({@link AdminUiConfiguration#CLIENT_ROUTES}),
 * so a reload or a bookmark of a page works: the routes declared in admin-ui/src/App.tsx and the server's list
 * must name the same first path segments.
 */
class AdminUiRoutesTest {

    static final Path APP = Path.of(System.getProperty("basedir", ".")).resolve("admin-ui/src/App.tsx");

    /** Every {@code <Route path="...">} of the UI ({@code index} as ""), the catch-all excluded. */
    static List<String> uiRoutes() throws IOException {
        String app = Files.readString(APP);
        List<String> routes = new ArrayList<>();
        Matcher route = Pattern.compile("<Route\\s+(index\\b|path=\"([^\"]*)\")").matcher(app);
        while (route.find()) {
            String path = route.group(2) == null ? "" : route.group(2);
            if (!path.equals("*")) {
                routes.add(path);
            }
        }
        return routes;
    }

    @Test
    void theServerServesIndexHtmlForExactlyTheUisRoutes() throws IOException {
        List<String> routes = uiRoutes();
        assertThat(routes).as("routes found in " + APP).contains("", "users", "users/:username", "sessions", "audit");
        Set<String> firstSegments = new TreeSet<>();
        for (String route : routes) {
            firstSegments.add(route.contains("/") ? route.substring(0, route.indexOf('/')) : route);
            // a route as a browser asks for it, a name with a dot (not a file extension) in place of each parameter
            String path = route.replaceAll(":[A-Za-z]+", "acme.partner");
            assertThat(AdminUiConfiguration.ClientRoutes.isClientRoute(path)).as("/" + path + " gets index.html").isTrue();
        }
        assertThat(new TreeSet<>(AdminUiConfiguration.CLIENT_ROUTES))
                .as("AdminUiConfiguration.CLIENT_ROUTES, the first segments of the routes in App.tsx").isEqualTo(firstSegments);
        assertThat(AdminUiConfiguration.ClientRoutes.isClientRoute("api/v1/users")).isFalse();
        assertThat(AdminUiConfiguration.ClientRoutes.isClientRoute("no/such/page")).isFalse();
    }
}
