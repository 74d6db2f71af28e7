package dev.ferry.sftp.session;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The authenticated SFTP sessions of this instance, by their cluster-wide id. */
@Component
public class LocalSessions {

    private final Map<String, FerrySession> sessions = new ConcurrentHashMap<>();

    void add(FerrySession session) {
        sessions.put(session.id(), session);
    }

    /** Forgets a session; whether it was still known. */
    boolean remove(FerrySession session) {
        return sessions.remove(session.id()) != null;
    }

    FerrySession get(String id) {
        return sessions.get(id);
    }

    Collection<FerrySession> live() {
        return sessions.values();
    }

    public List<FerrySession> all() {
        return List.copyOf(sessions.values());
    }

    public int count() {
        return sessions.size();
    }
}
