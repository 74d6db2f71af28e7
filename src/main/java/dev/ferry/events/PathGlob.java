package dev.ferry.events;

import dev.ferry.shared.InvalidInputException;

/**
 * A rule's path glob compiled to the PostgreSQL regular expression (ARE) its trigger matches paths
 * against: {@code *} is any run of characters within one path segment, {@code ?} one character but
 * {@code /}, {@code [abc]} / {@code [a-z]} / {@code [!a]} a character class, {@code **} as a whole
 * segment any number of segments ({@code /inbox/**}/{@code *.csv} matches {@code /inbox/a.csv} and
 * {@code /inbox/x/y/a.csv}), {@code \} makes the next character literal; everything else is
 * literal. Hand-written because the matching happens in SQL (so a rule change is in force at once
 * on every replica) and no library translates globs to PostgreSQL's regex dialect.
 */
final class PathGlob {

    private PathGlob() {
    }

    /**
     * The anchored regular expression matching the same paths as {@code glob}.
     *
     * @throws InvalidInputException (field {@code field}) for a glob that is not absolute or not well formed
     */
    static String toRegex(String glob, String field) {
        if (glob == null || glob.isEmpty() || glob.charAt(0) != '/') {
            throw new InvalidInputException(field, field + ": a path glob starts with / (the user's home), e.g. /inbox/**/*.csv; got "
                    + (glob == null ? "null" : "'" + glob + "'"));
        }
        if (glob.length() > 1024 || glob.indexOf('\0') >= 0) {
            throw new InvalidInputException(field, field + ": a path glob has at most 1024 characters and no NUL");
        }
        String[] segments = glob.substring(1).split("/", -1);
        StringBuilder regex = new StringBuilder("^");
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.equals("**")) {
                // any number of whole segments; at the end at least one (everything below)
                regex.append(i == segments.length - 1 ? "(/[^/]+)+" : "(/[^/]+)*");
            } else {
                regex.append('/');
                segment(segment, regex, glob, field);
            }
        }
        return regex.append('$').toString();
    }

    private static void segment(String segment, StringBuilder regex, String glob, String field) {
        int i = 0;
        while (i < segment.length()) {
            char c = segment.charAt(i);
            switch (c) {
                case '*' -> {
                    regex.append("[^/]*");
                    while (i + 1 < segment.length() && segment.charAt(i + 1) == '*') {
                        i++;
                    }
                }
                case '?' -> regex.append("[^/]");
                case '\\' -> {
                    if (i + 1 >= segment.length()) {
                        throw invalid(glob, field, "a \\ at the end of a segment escapes nothing");
                    }
                    i++;
                    literal(segment.charAt(i), regex);
                }
                case '[' -> i = characterClass(segment, i, regex, glob, field);
                default -> literal(c, regex);
            }
            i++;
        }
    }

    /** Appends the class starting at {@code start} ({@code [}) and returns the index of its {@code ]}. */
    private static int characterClass(String segment, int start, StringBuilder regex, String glob, String field) {
        int i = start + 1;
        boolean negated = i < segment.length() && (segment.charAt(i) == '!' || segment.charAt(i) == '^');
        if (negated) {
            i++;
        }
        StringBuilder members = new StringBuilder();
        boolean first = true;
        while (i < segment.length() && (segment.charAt(i) != ']' || first)) {
            char c = segment.charAt(i);
            if (c == '\\') {
                if (i + 1 >= segment.length()) {
                    break;
                }
                i++;
                c = segment.charAt(i);
            }
            if (c == '-' && !first && i + 1 < segment.length() && segment.charAt(i + 1) != ']') {
                members.append('-');
            } else {
                // inside an ARE bracket expression \ escapes; [ could start [:alpha:] and friends
                members.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
            }
            first = false;
            i++;
        }
        if (i >= segment.length()) {
            throw invalid(glob, field, "a [ opens a character class that no ] closes");
        }
        regex.append(negated ? "[^/" : "[").append(members).append(']');
        return i;
    }

    private static void literal(char c, StringBuilder regex) {
        // letters and digits after a \ would be class escapes (\d, \w) in PostgreSQL: only the others are escaped
        if (Character.isLetterOrDigit(c) || c > 127) {
            regex.append(c);
        } else {
            regex.append('\\').append(c);
        }
    }

    private static InvalidInputException invalid(String glob, String field, String why) {
        return new InvalidInputException(field, field + ": invalid path glob '" + glob + "': " + why);
    }
}
