package dev.ferry.groups;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;

/**
 * A group's S3 key prefix with {@code {username}} in it ({@code partners/{username}/}), expanded
 * for each member it is given to. Written here rather than with a template library: the only
 * placeholder is one name, and what matters is that no expansion can leave the fixed part of the
 * prefix. So the template may not hold {@code .} or {@code ..} segments, empty segments, a leading
 * {@code /}, a backslash or any other {@code {...}}; the username must pass the account-name rule
 * (ASCII letters, digits, {@code . _ -}, no {@code ..}, no leading dot); and the expansion is
 * checked again segment by segment, and must start with the part of the template before the
 * placeholder.
 */
final class PrefixTemplate {

    static final String USERNAME = "{username}";
    private static final String FIELD = "storage.prefix";

    private PrefixTemplate() {
    }

    /** The template if it is one Ferry can expand safely, or an {@link InvalidInputException} saying why not. */
    static String check(String template) {
        if (template == null || template.isEmpty()) {
            return template;
        }
        if (template.length() > 512) {
            throw new InvalidInputException(FIELD, "the prefix template is longer than 512 characters");
        }
        if (template.startsWith("/")) {
            throw new InvalidInputException(FIELD, "the prefix template must not start with '/' (write 'partners/{username}/')");
        }
        if (template.indexOf('\\') >= 0 || template.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException(FIELD, "the prefix template must not contain a backslash or control characters");
        }
        String rest = template.replace(USERNAME, "");
        if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
            throw new InvalidInputException(FIELD, "the prefix template '" + AccountNames.printable(template)
                    + "' has a placeholder other than {username}");
        }
        String trimmed = template.endsWith("/") ? template.substring(0, template.length() - 1) : template;
        for (String segment : trimmed.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidInputException(FIELD, "the prefix template '" + AccountNames.printable(template)
                        + "' must not contain empty, '.' or '..' segments");
            }
        }
        return template;
    }

    /** The prefix for one member; throws {@link IllegalArgumentException} for a name that could leave the template's fixed part. */
    static String expand(String template, String username) {
        if (template == null || template.isEmpty()) {
            return template;
        }
        check(template);
        if (!AccountNames.isValid(username) || username.startsWith(".")) {
            throw new IllegalArgumentException("the username cannot be put into a storage prefix");
        }
        String expanded = template.replace(USERNAME, username);
        String trimmed = expanded.endsWith("/") ? expanded.substring(0, expanded.length() - 1) : expanded;
        for (String segment : trimmed.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the expanded prefix has an empty, '.' or '..' segment");
            }
        }
        int placeholder = template.indexOf(USERNAME);
        String fixed = placeholder < 0 ? template : template.substring(0, placeholder);
        if (!expanded.startsWith(fixed)) {
            throw new IllegalArgumentException("the expanded prefix leaves the template's fixed part");
        }
        return expanded;
    }
}
