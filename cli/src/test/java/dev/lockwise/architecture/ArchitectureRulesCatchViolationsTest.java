package dev.lockwise.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves that every rule can fail: each is evaluated against fixture classes that break it on purpose
 * ({@code dev.lockwise.architecture.fixture}), and must report the offending class.
 */
class ArchitectureRulesCatchViolationsTest {
    private static final String FIXTURE = "dev.lockwise.architecture.fixture";
    private static JavaClasses fixtures;

    @BeforeAll
    static void importFixtures() {
        fixtures = new ClassFileImporter().importPackages(FIXTURE);
        assertThat(fixtures).isNotEmpty();
    }

    private static void assertViolation(ArchRule rule, String offender) {
        EvaluationResult result = rule.evaluate(fixtures);
        assertThat(result.hasViolation()).as("rule reports a violation: %s", rule.getDescription()).isTrue();
        assertThat(String.join("\n", result.getFailureReport().getDetails())).contains(offender);
    }

    @Test
    void domainUsingJdbcIsCaught() {
        assertViolation(ArchitectureRules.domainDependsOnlyOnTheJdk(FIXTURE), "domain.UsesJdbc");
    }

    @Test
    void applicationUsingAnAdapterIsCaught() {
        assertViolation(ArchitectureRules.applicationDependsOnlyOnDomainJdkResilience4jAndSlf4j(FIXTURE),
                "application.UsesAdapter");
    }

    @Test
    void eventsReachingUpToAUseCaseAreCaught() {
        assertViolation(ArchitectureRules.applicationIsLayered(FIXTURE), "application.events.KnowsAUseCase");
    }

    @Test
    void jdbcSupportUsingAnAdapterIsCaught() {
        assertViolation(ArchitectureRules.jdbcSupportStandsOnTheDomainAndJdbcAlone(FIXTURE), "jdbc.UsesAnAdapter");
    }

    @Test
    void adapterUsingAnotherAdapterIsCaught() {
        assertViolation(ArchitectureRules.adaptersDoNotDependOnEachOther(FIXTURE), "adapter.jooq.UsesPessimistic");
    }

    @Test
    void dependencyOnBootstrapIsCaught() {
        assertViolation(ArchitectureRules.onlyTheCommandLineAndExamplesDependOnBootstrap(FIXTURE),
                "application.UsesBootstrap");
        assertViolation(ArchitectureRules.onlyTheCommandLineAndExamplesDependOnBootstrap(FIXTURE),
                "testing.UsesBootstrap");
    }

    @Test
    void dependencyOnTheCommandLineIsCaught() {
        assertViolation(ArchitectureRules.nothingDependsOnTheCommandLine(FIXTURE), "examples.UsesCommandLine");
    }

    @Test
    void guiceOutsideTheWiringIsCaught() {
        assertViolation(ArchitectureRules.onlyBootstrapAndTheCommandLineUseGuice(FIXTURE), "application.UsesGuice");
    }

    @Test
    void aLoggingBackendInLibraryCodeIsCaught() {
        assertViolation(ArchitectureRules.libraryCodeNeverNamesTheCommandLinesLibraries(FIXTURE),
                "adapter.lock.LogsWithLogback");
    }

    @Test
    void anEmbeddedPostgresInLibraryCodeIsCaught() {
        assertViolation(ArchitectureRules.onlyTheCommandLineAndTestSupportStartAnEmbeddedPostgres(FIXTURE),
                "bootstrap.StartsEmbeddedPostgres");
    }

    @Test
    void testSupportReachingForTheWiringIsCaught() {
        assertViolation(ArchitectureRules.testSupportStandsOnTheSchemaAlone(FIXTURE), "testing.UsesBootstrap");
    }

    @Test
    void jooqOutsideItsAdapterIsCaught() {
        assertViolation(ArchitectureRules.jooqOnlyInTheJooqAdapter(FIXTURE), "adapter.pessimistic.UsesJooq");
    }

    @Test
    void aPortThatIsAClassIsCaught() {
        assertViolation(ArchitectureRules.domainPortsAreInterfaces(FIXTURE), "domain.ConcreteRepository");
    }

    @Test
    void aPackageCycleIsCaught() {
        assertViolation(ArchitectureRules.noPackageCycles(FIXTURE), "cycle");
    }

    @Test
    void leaseCodeReadingTheWallClockIsCaught() {
        assertViolation(ArchitectureRules.leaseCodeNeverReadsTheWallClock(FIXTURE), "adapter.lock.ReadsWallClock");
    }

    /** One fixture per way of reading the wall clock, each breaking that clause alone. */
    @ParameterizedTest
    @ValueSource(strings = {"ReadsWallClock", "ReadsInstantNow", "ReadsDate",
            "ReadsCalendar"})
    void everyWayOfReadingTheWallClockIsCaughtOnItsOwn(String fixture) {
        EvaluationResult result = ArchitectureRules.leaseCodeNeverReadsTheWallClock(FIXTURE)
                .evaluate(new ClassFileImporter().importClasses(classNamed(FIXTURE + ".adapter.lock." + fixture)));
        assertThat(result.hasViolation()).as(fixture).isTrue();
    }

    private static Class<?> classNamed(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theUseCasesNestedClassesReadingTheWallClockAreCaught() {
        assertViolation(ArchitectureRules.leaseCodeNeverReadsTheWallClock(FIXTURE), "application.RunExclusive$Holding");
    }
}
