package dev.lockwise.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Processes whose wall clock is shifted by Debian's libfaketime ({@code apt-get install faketime}); the monotonic
 * clock is left alone. Required in CI ({@code CI=true}, whose {@code .ci/run} installs it); elsewhere a test that
 * needs it is skipped with the reason when it is missing.
 */
final class ShiftedClocks {
    private final Path library;

    private ShiftedClocks(Path library) {
        this.library = library;
    }

    /** The library, or the test is skipped (outside CI) or fails (in CI) with the reason. */
    static ShiftedClocks require() {
        Optional<Path> library = find();
        assumeTrue(library.isPresent() || "true".equals(System.getenv("CI")),
                "libfaketime not installed (apt-get install faketime); CI installs it");
        assertThat(library).as("libfaketime, which .ci/run installs").isPresent();
        return new ShiftedClocks(library.get());
    }

    /** Debian's {@code /usr/lib/<multiarch>/faketime/libfaketime.so.1}, or another usual place. */
    private static Optional<Path> find() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/lib/faketime/libfaketime.so.1"),
                Path.of("/usr/local/lib/faketime/libfaketime.so.1")));
        try (DirectoryStream<Path> architectures = Files.newDirectoryStream(Path.of("/usr/lib"), Files::isDirectory)) {
            for (Path architecture : architectures) {
                candidates.add(architecture.resolve("faketime").resolve("libfaketime.so.1"));
            }
        } catch (IOException e) {
            // no /usr/lib to look in
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    /** The environment that shifts a process's wall clock by {@code seconds} (not its monotonic clock). */
    Map<String, String> shiftedBy(int seconds) {
        return Map.of("LD_PRELOAD", library.toString(), "FAKETIME", (seconds >= 0 ? "+" : "") + seconds,
                "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }

    /** Checks that the harness really shifts what it starts: {@code date +%s} under each shift. */
    void proveShifts(List<Integer> shifts) throws Exception {
        long real = wallClockSeconds(Map.of());
        for (int shift : shifts) {
            assertThat(wallClockSeconds(shiftedBy(shift)) - real).isBetween(shift - 5L, shift + 5L);
        }
    }

    private static long wallClockSeconds(Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("date", "+%s").redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process date = builder.start();
        assertThat(date.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(new String(date.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
}
