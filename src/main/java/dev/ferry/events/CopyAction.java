package dev.ferry.events;

import dev.ferry.users.UserService;
import org.springframework.stereotype.Component;

/**
 * {@code {"type": "copy", "to": ..., "username": ...}}: the uploaded file is also placed at
 * {@code to} (an extension of the contract, which names move): S3 to S3 in one bucket a
 * server-side copy, otherwise streamed through a staged write ({@link FilePlacement}).
 */
@Component
class CopyAction extends FileAction {

    CopyAction(UserService users, FilePlacement placement) {
        super(false, users, placement);
    }
}
