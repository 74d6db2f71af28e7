package dev.ferry.shared;

/** The change conflicts with existing state, e.g. a duplicate name. */
public class ConflictException extends RuntimeException {

    private final String field;

    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
