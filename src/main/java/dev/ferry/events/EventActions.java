package dev.ferry.events;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/** The action kinds by {@code type}: every {@link EventAction} bean. */
@Component
class EventActions {

    private final Map<String, EventAction> byType = new TreeMap<>();

    EventActions(List<EventAction> actions) {
        for (EventAction action : actions) {
            if (byType.put(action.type(), action) != null) {
                throw new IllegalStateException("two event actions of type " + action.type());
            }
        }
    }

    /** The action of this type, or null. */
    EventAction get(String type) {
        return byType.get(type);
    }

    java.util.Set<String> types() {
        return byType.keySet();
    }
}
