package dev.lockwise.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The hexagon's rules, written against a root package so that the same rules can be checked on Lockwise
 * ({@code dev.lockwise}) and on deliberately broken fixtures (to prove each rule can fail).
 */
final class ArchitectureRules {
    private ArchitectureRules() {
    }

    static ArchRule domainDependsOnlyOnTheJdk(String root) {
        return classes().that().resideInAPackage(root + ".domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".domain..", "java.lang..", "java.util..",
                        "java.math..", "java.time..", "java.io..", "java.nio..", "java.text..")
                .because("the domain is plain Java: no framework, no JDBC (java.sql/javax.sql)");
    }

    static ArchRule applicationDependsOnlyOnDomainJdkResilience4jAndSlf4j(String root) {
        return classes().that().resideInAPackage(root + ".application..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".application..", root + ".domain..",
                        "java..", "io.github.resilience4j..", "org.slf4j..")
                .because("use cases know the domain and their retry library, not adapters or frameworks");
    }

    static ArchRule adaptersDoNotDependOnEachOther(String root) {
        return slices().matching(root + ".adapter.(*)..").should().notDependOnEachOther()
                .because("adapters are swapped by configuration; one must never need another");
    }

    static ArchRule nothingDependsOnBootstrap(String root) {
        return noClasses().that().resideOutsideOfPackage(root + ".bootstrap..")
                .should().dependOnClassesThat().resideInAPackage(root + ".bootstrap..")
                .because("bootstrap is the outermost ring: it wires everything and nothing wires it");
    }

    static ArchRule onlyBootstrapUsesGuice(String root) {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage(root + ".bootstrap..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..",
                        "javax.inject..")
                .because("use cases must be embeddable without a container");
    }

    static ArchRule jooqOnlyInTheJooqAdapter(String root) {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage(root + ".adapter.jooq..")
                .should().dependOnClassesThat().resideInAPackage("org.jooq..")
                .because("jOOQ is the optimistic adapter's technology, nobody else's");
    }

    static ArchRule domainPortsAreInterfaces(String root) {
        return classes().that().haveNameMatching(java.util.regex.Pattern.quote(root) + "\\.domain\\..*"
                        + "(Repository|Lock|Processor)")
                .should().beInterfaces()
                .because("ports are contracts that adapters implement");
    }

    static ArchRule noPackageCycles(String root) {
        DescribedPredicate<JavaClass> generated = JavaClass.Predicates.resideInAPackage("..generated..");
        return slices().matching(root + ".(**)").should().beFreeOfCycles()
                .ignoreDependency(generated, generated)
                .because("packages form layers; jOOQ's generated code is exempt (its tables and keys refer to each"
                        + " other by design)");
    }

    static ArchRule leaseCodeNeverReadsTheWallClock(String root) {
        return noClasses().that().resideInAPackage(root + ".adapter.lock..")
                .or().resideInAPackage(root + ".domain.lease..")
                .or().haveNameMatching(java.util.regex.Pattern.quote(root + ".application.RunExclusive") + "(\\$.*)?")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasName.Predicates.name("now")))
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .because("lease expiry is decided by the database clock alone, so client clock skew cannot give two"
                        + " holders");
    }
}
