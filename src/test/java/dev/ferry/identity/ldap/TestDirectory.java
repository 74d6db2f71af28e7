package dev.ferry.identity.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFReader;
import dev.ferry.testsupport.FreePorts;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A real LDAP server for tests: UnboundID's in-memory directory (as spring-ldap-test uses it) on a
 * free 127.0.0.1 port, loaded from LDIF, with a service account {@link #BIND_DN}. Schema checking
 * is off so entries can carry {@code sshPublicKey}, {@code memberOf}, {@code userAccountControl} and
 * {@code nsAccountLock} as OpenLDAP with its overlays or Active Directory would.
 */
final class TestDirectory implements AutoCloseable {

    static final String BASE = "dc=example,dc=com";
    static final String BIND_DN = "cn=ferry,dc=example,dc=com";
    static final String BIND_PASSWORD = "service-secret";

    private final InMemoryDirectoryServer server;
    private final int port;

    TestDirectory(String ldif) throws LDAPException {
        this.port = FreePorts.next();
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.addAdditionalBindCredentials(BIND_DN, BIND_PASSWORD);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), port, null));
        config.setSchema(null);
        server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, new LDIFReader(new ByteArrayInputStream(ldif.getBytes(StandardCharsets.UTF_8))));
        server.startListening();
    }

    String url() {
        return "ldap://127.0.0.1:" + port;
    }

    InMemoryDirectoryServer server() {
        return server;
    }

    /** Stops listening and drops every connection, as a directory that went down. */
    void stop() {
        server.shutDown(true);
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
