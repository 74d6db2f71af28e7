package dev.ferry.sftp.subsystem;

import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.storage.StorageBackends;
import dev.ferry.storage.UserHome;
import dev.ferry.users.LoginAccount;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;

/** Gives each session its user's home, opened on the user's storage backend, as "/". */
public final class HomeFileSystemFactory implements FileSystemFactory {

    private final StorageBackends storage;

    public HomeFileSystemFactory(StorageBackends storage) {
        this.storage = storage;
    }

    @Override
    public Path getUserHomeDir(SessionContext session) {
        return null; // the file system's root is the home
    }

    @Override
    public FileSystem createFileSystem(SessionContext session) throws IOException {
        LoginAccount account = SessionAccount.account(session);
        UserHome home = storage.get(account.home().type()).open(account.home());
        UserHome previous = session.setAttribute(SessionAccount.HOME, home);
        if (previous != null) {
            previous.close();
        }
        return home.fileSystem();
    }
}
