package dev.steward.host;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.jar.JarFile;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Dependencies point one way: plugins/api &lt;- engine &lt;- host. Plugins see only the SPI, and
 * the engine has no HTTP server. The sample third-party connector (examples/connector-csv) is
 * checked in its built jar, as a workspace's plugins/ folder would get it.
 */
class DependencyDirectionTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.steward");

    @Test
    void theSpiDependsOnNothingOfSteward() {
        noClasses().that().resideInAPackage("dev.steward.plugin..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.steward.plugin..", "java..")
                .check(classes);
    }

    @Test
    void connectorsSeeOnlyTheSpi() {
        noClasses().that().resideInAPackage("dev.steward.connector..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.steward", "dev.steward.model..",
                        "dev.steward.load..", "dev.steward.rules..", "dev.steward.run..", "dev.steward.store..",
                        "dev.steward.host..")
                .check(classes);
    }

    @Test
    void theSampleThirdPartyConnectorSeesOnlyTheSpiAndTheJdk() throws IOException {
        try (JarFile jar = new JarFile(System.getProperty("steward.sample.connector.jar", "missing"))) {
            JavaClasses sample = new ClassFileImporter().importJar(jar);
            classes().that().resideInAPackage("com.example.steward..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage("com.example.steward..", "dev.steward.plugin..", "java..")
                    .check(sample);
        }
    }

    @Test
    void theEngineHasNoHttpServerAndDoesNotKnowTheHost() {
        noClasses().that().resideInAnyPackage("dev.steward", "dev.steward.model..", "dev.steward.load..",
                        "dev.steward.rules..", "dev.steward.run..", "dev.steward.store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..",
                        "jakarta.servlet..", "dev.steward.host..", "dev.steward.connector..")
                .check(classes);
    }

    /**
     * The host asks the engine through its front door ({@code dev.steward}, {@code dev.steward.api},
     * the model and a few published values of {@code dev.steward.run}); it never reaches the store,
     * the loaders, the rules compiler or the run path's insides. Checked in the byte code, so that
     * a type used without an import (a method's return type) counts too; {@code FrontDoorTest}
     * checks the sources.
     */
    @Test
    void theHostGoesThroughTheEnginesFrontDoor() {
        noClasses().that().resideInAPackage("dev.steward.host..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "the store, the loaders, the rules compiler or the run path's insides",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().startsWith("dev.steward.store")
                                || c.getPackageName().startsWith("dev.steward.load")
                                || c.getPackageName().startsWith("dev.steward.rules")
                                || c.getPackageName().equals("dev.steward.run")
                                && !FrontDoorTest.PUBLISHED_RUN.contains(c.getName().substring("dev.steward.run.".length()).split("\\$")[0])))
                .check(classes);
    }
}
