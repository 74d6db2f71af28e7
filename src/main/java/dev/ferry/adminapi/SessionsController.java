package dev.ferry.adminapi;

import dev.ferry.sessions.LiveSession;
import dev.ferry.sessions.SessionRegistry;
import dev.ferry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** /api/v1/sessions: live SFTP sessions of every instance sharing the database. */
@RestController
@RequestMapping("/api/v1/sessions")
@Tag(name = "sessions", description = "Live SFTP sessions")
class SessionsController {

    private final SessionRegistry sessions;

    SessionsController(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @GetMapping
    @Operation(summary = "List live SFTP sessions of every instance")
    List<LiveSession> list() {
        return sessions.list();
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Disconnect a session (within 5 seconds, wherever it runs)")
    void end(@PathVariable String id) {
        if (!sessions.requestEnd(id)) {
            throw new NotFoundException("no live session with id '" + id.replaceAll("[^A-Za-z0-9]", "?") + "'");
        }
    }
}
