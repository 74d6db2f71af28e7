package dev.ferry.events;

import dev.ferry.shared.InvalidInputException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code to} of a move or copy action: an absolute path in the target home with placeholders,
 * kept to four so a rule reads at a glance.
 * <ul>
 * <li>{@code {filename}}: the source file's name ({@code a.csv})</li>
 * <li>{@code {path}}: the source file's directory from its home's root, without a trailing slash,
 * empty for the root ({@code /inbox/2026} for {@code /inbox/2026/a.csv}), so
 * {@code /archive{path}/{filename}} keeps the tree</li>
 * <li>{@code {username}}: the user whose file it is (the source's owner)</li>
 * <li>{@code {date}}: the event's day, {@code yyyy-MM-dd} in UTC (the event's time, not the
 * attempt's: every retry goes to the same place)</li>
 * </ul>
 * A template must start with {@code /} (or {@code {path}/}, the source's own directory), name a file (not end with {@code /}), and have no
 * {@code .} or {@code ..} segment; the expanded path is checked again (a file name never makes
 * one, but {@code {path}} could be empty).
 */
final class PathTemplate {

    static final Set<String> PLACEHOLDERS = Set.of("filename", "path", "username", "date");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final int MAX_LENGTH = 1024;

    private PathTemplate() {
    }

    /** Refuses a template that could not expand to a confined absolute file path. */
    static void check(String template, String field) {
        String usage = " (an absolute path such as /processed/{filename}; placeholders: {filename}, {path}, {username}, {date})";
        if (template == null || template.isBlank()) {
            throw new InvalidInputException(field, field + " is required" + usage);
        }
        if (template.length() > MAX_LENGTH || template.indexOf('\0') >= 0 || template.indexOf('\\') >= 0) {
            throw new InvalidInputException(field, field + " must be at most " + MAX_LENGTH + " characters, without NUL or backslash");
        }
        if (!template.startsWith("/") && !template.startsWith("{path}/")) {
            throw new InvalidInputException(field, field + " must be absolute: start with / (or {path}/)" + usage);
        }
        if (template.endsWith("/")) {
            throw new InvalidInputException(field, field + " must name a file, not end with /" + usage);
        }
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw new InvalidInputException(field, field + ": unknown placeholder {" + m.group(1) + "}" + usage);
            }
        }
        String rest = m.replaceAll("x");
        if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
            throw new InvalidInputException(field, field + ": unbalanced { or }" + usage);
        }
        for (String segment : template.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidInputException(field, field + " must not contain . or .. segments: the target stays in its home");
            }
            if (segment.isEmpty() && !template.contains("{path}")) {
                throw new InvalidInputException(field, field + " must not contain an empty segment (//)");
            }
        }
    }

    /**
     * The template with the placeholders replaced, as a normalized absolute path.
     *
     * @param source the source file's absolute path in its home
     * @throws IllegalArgumentException if the result is not a confined file path
     */
    static String expand(String template, String source, String username, Instant eventTime) {
        int slash = source.lastIndexOf('/');
        Map<String, String> values = Map.of("filename", source.substring(slash + 1), "path", source.substring(0, Math.max(0, slash)),
                "username", username, "date", DAY.format(eventTime));
        String expanded = PLACEHOLDER.matcher(template).replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1))));
        StringBuilder normalized = new StringBuilder();
        for (String segment : expanded.substring(1).split("/")) {
            if (segment.isEmpty()) {
                continue; // an empty {path}
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the target path '" + expanded + "' has a . or .. segment");
            }
            normalized.append('/').append(segment);
        }
        if (!expanded.startsWith("/") || normalized.isEmpty() || expanded.endsWith("/")) {
            throw new IllegalArgumentException("the target path '" + expanded + "' does not name a file");
        }
        return normalized.toString();
    }
}
