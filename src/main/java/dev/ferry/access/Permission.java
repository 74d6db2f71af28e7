package dev.ferry.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a user may do at a path; the admin API names them in lower case ({@code "*"} is all). */
public enum Permission {
    LIST,
    DOWNLOAD,
    /** Create a new file. */
    UPLOAD,
    /** Write into an existing file: replace, append, resume. */
    OVERWRITE,
    DELETE,
    /** Needed at both the source and the target. */
    RENAME,
    MKDIR,
    RMDIR,
    SYMLINK,
    /** Change mode or times; not needed on a file the same session is uploading. */
    SETSTAT;

    public static final String ALL = "*";

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Permission> fromApiName(String name) {
        return Arrays.stream(values()).filter(p -> p.apiName().equals(name)).findFirst();
    }

    /** Every name the admin API accepts, {@code "*"} first. */
    public static String acceptedNames() {
        StringBuilder names = new StringBuilder("*");
        for (Permission p : values()) {
            names.append(", ").append(p.apiName());
        }
        return names.toString();
    }
}
