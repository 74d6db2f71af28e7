package dev.ferry.groups;

/**
 * A value in force and where it comes from: {@code user}, {@code group:<name>} (several,
 * comma-separated, where groups' permissions for one path are joined), or {@code default}.
 */
public record Sourced<T>(T value, String source) {

    public static final String USER = "user";
    public static final String DEFAULT = "default";

    static String group(String name) {
        return "group:" + name;
    }
}
