package dev.ferry.shared;

/**
 * A refusal a person can act on, naming what to change: {@link #field()} is the JSON name of the
 * field (may be null when the request as a whole is wrong). The admin API answers each kind with
 * its own status and the field in the problem details.
 */
public abstract class FieldException extends RuntimeException {

    private final String field;

    protected FieldException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
