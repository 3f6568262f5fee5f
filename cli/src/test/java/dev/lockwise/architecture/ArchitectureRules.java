package dev.lockwise.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
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

    static ArchRule applicationIsLayered(String root) {
        String application = root + ".application";
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("use cases").definedBy(application)
                .layer("adaptive").definedBy(application + ".adaptive..")
                .layer("batch").definedBy(application + ".batch..")
                .layer("retry").definedBy(application + ".retry..")
                .layer("events").definedBy(application + ".events..")
                .whereLayer("use cases").mayNotBeAccessedByAnyLayer()
                .whereLayer("adaptive").mayNotBeAccessedByAnyLayer()
                .whereLayer("batch").mayOnlyBeAccessedByLayers("adaptive")
                .whereLayer("retry").mayOnlyBeAccessedByLayers("use cases", "adaptive")
                .whereLayer("events").mayOnlyBeAccessedByLayers("use cases", "adaptive", "batch", "retry")
                .because("the use cases sit on the retry and the events; the adaptive and batched strategies plug"
                        + " into the repositories from the side (adaptive queues on the batching engine); events are"
                        + " the bottom, a port every layer may report to");
    }

    static ArchRule jdbcSupportStandsOnTheDomainAndJdbcAlone(String root) {
        return classes().that().resideInAPackage(root + ".jdbc..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".jdbc..", root + ".domain..", "java..",
                        "javax.sql..")
                .because("the JDBC support is what every adapter shares: it implements no port, knows no adapter,"
                        + " no use case and no framework");
    }

    static ArchRule adaptersDoNotDependOnEachOther(String root) {
        return slices().matching(root + ".adapter.(*)..").should().notDependOnEachOther()
                .because("adapters are swapped by configuration; one must never need another");
    }

    static ArchRule onlyTheCommandLineAndExamplesDependOnBootstrap(String root) {
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackages(root + ".bootstrap..", root + ".cli..", root + ".examples..")
                .should().dependOnClassesThat().resideInAPackage(root + ".bootstrap..")
                .because("bootstrap wires the library; only its hosts (the command line, the examples) use it");
    }

    static ArchRule nothingDependsOnTheCommandLine(String root) {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage(root + ".cli..")
                .should().dependOnClassesThat().resideInAPackage(root + ".cli..")
                .because("the command line is one host of the library among others; nothing is built on it");
    }

    static ArchRule onlyBootstrapAndTheCommandLineUseGuice(String root) {
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackages(root + ".bootstrap..", root + ".cli..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..",
                        "javax.inject..")
                .because("use cases must be embeddable without a container");
    }

    static ArchRule libraryCodeNeverNamesTheCommandLinesLibraries(String root) {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage(root + ".cli..")
                .should().dependOnClassesThat().resideInAnyPackage("ch.qos.logback..", "picocli..",
                        "org.knowm.xchart..", "me.tongfei.progressbar..", "org.HdrHistogram..")
                .because("a library must not choose its host's logging backend or bring the command line's baggage");
    }

    static ArchRule onlyTheCommandLineAndTestSupportStartAnEmbeddedPostgres(String root) {
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackages(root + ".cli..", root + ".testing..")
                .should().dependOnClassesThat().resideInAPackage("io.zonky..")
                .because("a host brings its own database; server binaries for every platform are not library code");
    }

    static ArchRule testSupportStandsOnTheSchemaAlone(String root) {
        return classes().that().resideInAPackage(root + ".testing..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".testing..", root + ".db..",
                        root + ".domain..", "java..", "javax..", "org.junit..", "org.postgresql..", "com.zaxxer..",
                        "io.zonky..", "org.testcontainers..", "org.slf4j..")
                .because("a host tests its own code with it: it must not bring the wiring or an adapter along");
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
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Date")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Calendar")
                .because("lease expiry is decided by the database clock alone, so client clock skew cannot give two"
                        + " holders");
    }
}
