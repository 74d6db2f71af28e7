package dev.ferry.sftp;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.sshd.common.session.SessionListenerManager;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the SFTP adapter: its parts (transport, crypto, session, transfer, subsystem,
 * status, metrics) depend on each other in one direction only, nothing outside it reaches into
 * them, and {@link SftpServer} alone puts them together.
 */
class SftpArchitectureTest {

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.ferry");
    }

    @Test
    void theSubpackagesHaveNoCycles() {
        slices().matching("dev.ferry.sftp.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void nothingOutsideTheSftpAdapterReachesIntoItsParts() {
        noClasses().that().resideOutsideOfPackage("dev.ferry.sftp..")
                .should().dependOnClassesThat().resideInAPackage("dev.ferry.sftp.*..")
                .check(classes);
    }

    @Test
    void onlyTheServerRegistersListeners() {
        noClasses().that().doNotHaveFullyQualifiedName(SftpServer.class.getName())
                .should().callMethodWhere(target(name("addSessionListener"))
                        .and(target(owner(assignableTo(SessionListenerManager.class)))))
                .orShould().callMethodWhere(target(name("addSftpEventListener"))
                        .and(target(owner(assignableTo(SftpSubsystemFactory.class)))))
                .check(classes);
    }
}
