package dev.ferry.events;

import java.util.List;

/** One page of deliveries, newest first. */
public record DeliveryPage(List<DeliveryView> content, int page, int size, long totalElements) {
}
