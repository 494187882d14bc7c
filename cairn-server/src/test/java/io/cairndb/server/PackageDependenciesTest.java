package io.cairndb.server;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Proves that the server's packages depend on each other one way only: no package uses one that
 * uses it back, and each plane uses only the planes that docs/architecture.md lets it use.
 *
 * <p>The check reads the compiled classes, so it sees every use of a class, imported or written
 * out in full; only a compile-time constant, which javac copies into its user, leaves no trace.
 */
class PackageDependenciesTest {

    private static final String SERVER = "io.cairndb.server";

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(SERVER);

    /** Each package is its own slice: {@code control} and {@code control.raft} are two. */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            return name.equals(SERVER) || name.startsWith(SERVER + ".")
                    ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "each package of " + SERVER;
        }
    };

    @Test
    void noPackageUsesOneThatUsesItBack() {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void eachPlaneUsesOnlyThePlanesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("node").definedBy(SERVER)
                .layer("http").definedBy(SERVER + ".http..")
                .layer("observability").definedBy(SERVER + ".observability..")
                .layer("migration").definedBy(SERVER + ".migration..")
                .layer("coordinator").definedBy(SERVER + ".coordinator..")
                .layer("control").definedBy(SERVER + ".control..")
                .layer("membership").definedBy(SERVER + ".membership..")
                .layer("replica").definedBy(SERVER + ".replica..")
                .layer("tracing").definedBy(SERVER + ".tracing..")
                .layer("common").definedBy(SERVER + ".common..")
                .whereLayer("node").mayNotBeAccessedByAnyLayer()
                .whereLayer("http").mayOnlyAccessLayers("observability", "coordinator",
                        "control", "tracing", "common")
                .whereLayer("observability").mayOnlyAccessLayers("control", "membership",
                        "replica")
                .whereLayer("migration").mayOnlyAccessLayers("control", "replica", "common")
                .whereLayer("coordinator").mayOnlyAccessLayers("control", "replica", "tracing",
                        "common")
                .whereLayer("control").mayOnlyAccessLayers("membership", "common")
                .whereLayer("membership").mayOnlyAccessLayers("replica")
                .whereLayer("replica").mayOnlyAccessLayers("tracing", "common")
                .whereLayer("tracing").mayNotAccessAnyLayer()
                .whereLayer("common").mayNotAccessAnyLayer()
                .check(CLASSES);
    }

    /** The rules above would pass on no classes at all; this shows they read the server. */
    @Test
    void theRulesSeeEveryPackage() {
        Set<String> packages = CLASSES.stream().map(JavaClass::getPackageName)
                .collect(Collectors.toSet());
        assertThat(packages).contains(SERVER, SERVER + ".common", SERVER + ".control",
                SERVER + ".control.raft", SERVER + ".coordinator", SERVER + ".http",
                SERVER + ".membership", SERVER + ".observability", SERVER + ".replica",
                SERVER + ".tracing");
    }
}
