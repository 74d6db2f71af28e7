package dev.ferry.events;

/**
 * How one attempt to deliver ended.
 *
 * @param delivered  the receiver took it (a 2xx answer, a Kafka acknowledgement)
 * @param httpStatus the receiver's HTTP status, if it answered one
 * @param error      what went wrong, for the deliveries list (status and the start of the body, or the
 *                   connection's error); null when delivered
 */
public record DeliveryOutcome(boolean delivered, Integer httpStatus, String error) {

    private static final int MAX_ERROR = 1000;

    public DeliveryOutcome {
        if (error != null && error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR - 3) + "...";
        }
    }

    public static DeliveryOutcome delivered(Integer httpStatus) {
        return new DeliveryOutcome(true, httpStatus, null);
    }

    public static DeliveryOutcome failed(Integer httpStatus, String error) {
        return new DeliveryOutcome(false, httpStatus, error == null ? "failed" : error);
    }
}
