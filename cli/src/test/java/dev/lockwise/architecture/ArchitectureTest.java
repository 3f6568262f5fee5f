package dev.lockwise.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Lockwise's production classes against the hexagon's rules; one field per rule so each failure stands alone. */
@AnalyzeClasses(packages = "dev.lockwise",
        importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {
    private static final String ROOT = "dev.lockwise";

    @ArchTest
    static final ArchRule domain_depends_only_on_the_jdk = ArchitectureRules.domainDependsOnlyOnTheJdk(ROOT);

    @ArchTest
    static final ArchRule application_depends_only_on_domain_jdk_resilience4j_and_slf4j =
            ArchitectureRules.applicationDependsOnlyOnDomainJdkResilience4jAndSlf4j(ROOT);

    @ArchTest
    static final ArchRule application_is_layered = ArchitectureRules.applicationIsLayered(ROOT);

    @ArchTest
    static final ArchRule jdbc_support_stands_on_the_domain_and_jdbc_alone =
            ArchitectureRules.jdbcSupportStandsOnTheDomainAndJdbcAlone(ROOT);

    @ArchTest
    static final ArchRule adapters_do_not_depend_on_each_other = ArchitectureRules.adaptersDoNotDependOnEachOther(ROOT);

    @ArchTest
    static final ArchRule only_the_command_line_and_examples_depend_on_bootstrap =
            ArchitectureRules.onlyTheCommandLineAndExamplesDependOnBootstrap(ROOT);

    @ArchTest
    static final ArchRule nothing_depends_on_the_command_line = ArchitectureRules.nothingDependsOnTheCommandLine(ROOT);

    @ArchTest
    static final ArchRule only_bootstrap_and_the_command_line_use_guice =
            ArchitectureRules.onlyBootstrapAndTheCommandLineUseGuice(ROOT);

    @ArchTest
    static final ArchRule library_code_never_names_the_command_lines_libraries =
            ArchitectureRules.libraryCodeNeverNamesTheCommandLinesLibraries(ROOT);

    @ArchTest
    static final ArchRule only_the_command_line_and_test_support_start_an_embedded_postgres =
            ArchitectureRules.onlyTheCommandLineAndTestSupportStartAnEmbeddedPostgres(ROOT);

    @ArchTest
    static final ArchRule test_support_stands_on_the_schema_alone =
            ArchitectureRules.testSupportStandsOnTheSchemaAlone(ROOT);

    @ArchTest
    static final ArchRule jooq_only_in_the_jooq_adapter = ArchitectureRules.jooqOnlyInTheJooqAdapter(ROOT);

    @ArchTest
    static final ArchRule domain_ports_are_interfaces = ArchitectureRules.domainPortsAreInterfaces(ROOT);

    @ArchTest
    static final ArchRule no_package_cycles = ArchitectureRules.noPackageCycles(ROOT);

    @ArchTest
    static final ArchRule lease_code_never_reads_the_wall_clock = ArchitectureRules.leaseCodeNeverReadsTheWallClock(ROOT);

    /** Test classes are not production code, whichever module's jar they come in. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar") && !location.contains("/test-classes/");
        }
    }
}
