package dev.ferry;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the module graph honest: adapters (sftp, adminapi) depend on the modules, never the other
 * way round; protocol libraries stay inside their adapter.
 */
class ArchitectureTest {

    /** The protocol adapters: they translate SFTP and HTTP to the modules' calls, nothing calls them. */
    static final String[] ADAPTERS = {"dev.ferry.sftp..", "dev.ferry.adminapi.."};

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.ferry");
    }

    @Test
    void onlyTheSftpAdapterUsesMinaSshd() {
        // storage.local uses MINA's rooted file system and storage.s3 its java.nio path base classes
        // (plain java.nio types, no SSH), nothing else of it.
        noClasses().that().resideOutsideOfPackages("dev.ferry.sftp..", "dev.ferry.storage.local..", "dev.ferry.storage.s3..",
                        "dev.ferry.hostkeys..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.sshd..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.ferry.storage.local..")
                .should().dependOnClassesThat(resideInAPackage("org.apache.sshd..")
                        .and(not(resideInAPackage("org.apache.sshd.common.file.root.."))))
                .check(classes);
        noClasses().that().resideInAPackage("dev.ferry.storage.s3..")
                .should().dependOnClassesThat(resideInAPackage("org.apache.sshd..")
                        .and(not(resideInAPackage("org.apache.sshd.common.file.util.."))))
                .check(classes);
        // hostkeys generates, reads and writes key pairs with MINA's key formats (OpenSSH and PEM private
        // keys are no format to parse by hand), and nothing else of it: serving them is sftp's.
        noClasses().that().resideInAPackage("dev.ferry.hostkeys..")
                .should().dependOnClassesThat(resideInAPackage("org.apache.sshd..")
                        .and(not(resideInAnyPackage("org.apache.sshd.common.config.keys..", "org.apache.sshd.common.util.security..")))
                        .and(not(com.tngtech.archunit.core.domain.JavaClass.Predicates.type(org.apache.sshd.common.NamedResource.class))))
                .check(classes);
    }

    @Test
    void onlyTheS3BackendTalksToS3() {
        noClasses().that().resideOutsideOfPackage("dev.ferry.storage.s3..")
                .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
                .check(classes);
    }

    @Test
    void onlyTheAdminApiUsesSpringWeb() {
        noClasses().that().resideOutsideOfPackage("dev.ferry.adminapi..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.web..", "jakarta.servlet..")
                .check(classes);
    }

    @Test
    void modulesDoNotDependOnAdapters() {
        noClasses().that().resideOutsideOfPackages(ADAPTERS)
                .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS)
                .check(classes);
    }

    @Test
    void adaptersDoNotDependOnEachOther() {
        noClasses().that().resideInAPackage("dev.ferry.sftp..")
                .should().dependOnClassesThat().resideInAPackage("dev.ferry.adminapi..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.ferry.adminapi..")
                .should().dependOnClassesThat().resideInAPackage("dev.ferry.sftp..")
                .check(classes);
    }

    @Test
    void storageKnowsNothingOfUsersOrAdmins() {
        noClasses().that().resideInAPackage("dev.ferry.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.users..", "dev.ferry.admins..", "jakarta.persistence..")
                .check(classes);
    }

    /** The audit is the bottom of the graph: every module records into it, it reads none (only shared helpers). */
    @Test
    void theAuditDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("dev.ferry.audit..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.access..", "dev.ferry.adminapi..", "dev.ferry.admins..",
                        "dev.ferry.bans..", "dev.ferry.events..", "dev.ferry.quotas..", "dev.ferry.sessions..", "dev.ferry.sftp..",
                        "dev.ferry.storage..", "dev.ferry.system..", "dev.ferry.users..")
                .check(classes);
    }

    @Test
    void sharedDependsOnNoModule() {
        noClasses().that().resideInAPackage("dev.ferry.shared..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.users..", "dev.ferry.admins..", "dev.ferry.storage..",
                        "dev.ferry.system..")
                .check(classes);
    }
}
