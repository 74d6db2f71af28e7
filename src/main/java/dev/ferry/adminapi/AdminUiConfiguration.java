package dev.ferry.adminapi;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.PathResourceResolver;

/**
 * Serves the admin UI (built from {@code admin-ui/} into {@code classpath:/static/}) at {@code /}.
 * Its client-side routes ({@code /users/acme}, {@code /audit}, ...) get {@code index.html}, so a
 * reload or a bookmark works; other paths, {@code /api/**}, {@code /actuator/**} and {@code /v3/**}
 * included, never do (an unknown path stays a 404). Hashed bundle files are cached for a year, index.html
 * is revalidated every time so a new version is picked up at once.
 */
@Configuration(proxyBeanMethods = false)
class AdminUiConfiguration implements WebMvcConfigurer {

    private static final String STATIC = "classpath:/static/";
    /** First path segments of the UI's client-side routes in admin-ui/src/App.tsx (AdminUiRoutesTest compares them). */
    static final Set<String> CLIENT_ROUTES = Set.of("", "users", "groups", "sessions", "audit", "events", "retention", "account");

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/assets/**")
                .addResourceLocations(STATIC + "assets/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
        registry.addResourceHandler("/**")
                .addResourceLocations(STATIC)
                .setCacheControl(CacheControl.noCache())
                .resourceChain(true)
                .addResolver(new ClientRoutes());
    }

    /** A file that exists, else index.html for what looks like a client-side route. */
    static final class ClientRoutes extends PathResourceResolver {

        @Override
        protected Resource getResource(String path, Resource location) throws IOException {
            Resource file = location.createRelative(path);
            if (!path.isEmpty() && file.isReadable() && checkResource(file, location)) {
                return file;
            }
            if (!isClientRoute(path)) {
                return null;
            }
            Resource index = location.createRelative("index.html");
            return index.isReadable() ? index : null;
        }

        /**
         * The UI's own routes (see admin-ui/src/App.tsx): the root and what lies under its pages. Anything else,
         * the API, actuator and OpenAPI included, stays a plain 404.
         */
        static boolean isClientRoute(String path) {
            // no file lives under these, so a dot is part of a name (/users/acme.partner), not an extension
            return CLIENT_ROUTES.contains(path.contains("/") ? path.substring(0, path.indexOf('/')) : path);
        }
    }
}
