package dev.ferry.audit;

/**
 * What text may reach an audit record. PostgreSQL refuses a NUL in any text column, and control
 * or bidirectional-override characters in a username or path would forge lines in logs, CSV
 * exports and the admin UI (a path that reads as another). Such characters are recorded as
 * {@code \}{@code uXXXX}; everything else is kept as is (a backslash too, so a name that
 * contains that very text reads the same: such paths get no stored digest, see {@link FileDigests}).
 */
public final class AuditText {

    private AuditText() {
    }

    /** Whether {@code s} holds a character that {@link #escaped} would rewrite. */
    public static boolean needsEscaping(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (escapes(s, i)) {
                return true;
            }
        }
        return false;
    }

    /** {@code s} with control, bidirectional-control, line-separator and unpaired surrogate characters as {@code \}{@code uXXXX}. */
    public static String escaped(String s) {
        if (!needsEscaping(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escapes(s, i)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Whether a recorded path may have been escaped, so that it may name more than one file. */
    static boolean mayBeEscaped(String recorded) {
        return recorded != null && recorded.contains("\\u");
    }

    private static boolean escapes(String s, int i) {
        char c = s.charAt(i);
        if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
