package dev.ferry.events;

import dev.ferry.users.UserService;
import org.springframework.stereotype.Component;

/**
 * {@code {"type": "move", "to": ..., "username": ...}}: the uploaded file goes to {@code to}, and
 * is gone from where it arrived. Within one home a rename; to another home a copy, then the
 * source's removal ({@link FilePlacement}).
 */
@Component
class MoveAction extends FileAction {

    MoveAction(UserService users, FilePlacement placement) {
        super(true, users, placement);
    }
}
