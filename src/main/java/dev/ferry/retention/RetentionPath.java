package dev.ferry.retention;

import dev.ferry.shared.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.util.AntPathMatcher;

/**
 * The path glob of a retention rule, as a user's virtual path: {@code *} and {@code ?} within one
 * segment, {@code **} (a whole segment) across any number of segments. A glob without wildcards
 * names a directory, meaning everything under it ({@code /outbox} is {@code /outbox/**}).
 * Matching is Spring's {@link AntPathMatcher}, whose {@code {name}} templates are refused here, so
 * the rules are the ones above and nothing else.
 * <p>
 * {@link #base()} is the longest leading part without wildcards: the walk starts there and never
 * looks at anything outside it.
 */
record RetentionPath(String glob, String base) {

    static final int MAX_LENGTH = 1024;
    private static final AntPathMatcher MATCHER = new AntPathMatcher();

    /** The glob, checked, or an {@link InvalidInputException} on field {@code path} saying what is wrong. */
    static RetentionPath parse(String path) {
        if (path == null || path.isBlank()) {
            throw invalid("path is required: an absolute path glob such as /outbox/** or /outbox/*.csv");
        }
        if (path.length() > MAX_LENGTH) {
            throw invalid("path is longer than " + MAX_LENGTH + " characters");
        }
        if (!path.startsWith("/")) {
            throw invalid("path must be absolute (start with '/'), as the user sees it in SFTP: /outbox/**");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\' || c == '{' || c == '}') {
                throw invalid("path must not contain control characters, '\\', '{' or '}'");
            }
        }
        if (hasUnpairedSurrogate(path)) {
            throw invalid("path must be valid Unicode text (it has an unpaired UTF-16 surrogate)");
        }
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        List<String> literal = new ArrayList<>();
        boolean wildcard = false;
        String[] segments = trimmed.equals("/") ? new String[0] : trimmed.substring(1).split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw invalid("path must not contain an empty segment ('//')");
            }
            if (segment.equals("..") || segment.equals(".")) {
                throw invalid("path must not contain '.' or '..' segments");
            }
            if (segment.contains("**") && !segment.equals("**")) {
                throw invalid("'**' must be a whole segment (/outbox/**/*.csv), not part of one ('" + segment + "')");
            }
            if (segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0) {
                wildcard = true;
            } else if (!wildcard) {
                literal.add(segment);
            }
        }
        String glob = wildcard ? trimmed : (trimmed.equals("/") ? "/**" : trimmed + "/**");
        return new RetentionPath(glob, "/" + String.join("/", literal));
    }

    /** Whether a file's virtual path (leading '/') matches. */
    boolean matches(String virtualPath) {
        return MATCHER.match(glob, virtualPath);
    }

    /** Whether something under this directory (a virtual path) could match: the walk skips the rest. */
    boolean couldContain(String directory) {
        return MATCHER.matchStart(glob, directory);
    }

    /** Whether the text has a UTF-16 surrogate without its pair: no valid Unicode text, and PostgreSQL's UTF-8 cannot hold it. */
    static boolean hasUnpairedSurrogate(String text) {
        return text.codePoints().anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException("path", message);
    }
}
