package dev.ferry.quotas;

/** An upload would take a user over their quota; the message starts with "quota exceeded". */
public class QuotaExceededException extends RuntimeException {

    public QuotaExceededException(String detail) {
        super("quota exceeded: " + detail);
    }
}
