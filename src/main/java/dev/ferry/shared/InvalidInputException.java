package dev.ferry.shared;

/** Bad input a person can fix; {@link #field()} names what to change (JSON name, may be null). */
public class InvalidInputException extends RuntimeException {

    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
