package dev.lockwise.reliability;

import dev.lockwise.testing.TestDatabase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code lockwise} command line running in a JVM of its own (the shaded jar, built in the package phase before
 * Failsafe runs), its output captured to a file.
 */
record LockwiseProcess(Process process, Path log) {
    static Path jar() {
        Path jar = Path.of(System.getProperty("user.dir"), "target", "lockwise.jar");
        assertThat(jar).as("the shaded jar; run ./mvnw verify, which builds it before the integration tests").exists();
        return jar;
    }

    /** Starts {@code lockwise ARGS} against {@code database}, in time zone {@code zone}, with {@code environment} added. */
    static LockwiseProcess start(TestDatabase database, String zone, Map<String, String> environment, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(javaCommand(zone));
        command.addAll(List.of(args));
        return launch(database, environment, command);
    }

    /**
     * Starts {@code lockwise ARGS} against the server at {@code url} (e.g. a multi-host URL) as {@code user};
     * {@code password} null: none set in the environment (the URL's, if it has one, is used).
     */
    static LockwiseProcess startAgainst(String url, String user, String password, String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand("UTC"));
        command.addAll(List.of(args));
        return launch(url, user, password, Map.of(), command);
    }

    private static LockwiseProcess launch(TestDatabase database, Map<String, String> environment,
                                          List<String> command) throws IOException {
        return launch(database.jdbcUrl(), database.user(), database.password(), environment, command);
    }

    private static LockwiseProcess launch(String url, String user, String password, Map<String, String> environment,
                                          List<String> command) throws IOException {
        Path output = Files.createTempFile("lockwise-process", ".log");
        output.toFile().deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("LOCKWISE_DB_URL", url);
        env.put("LOCKWISE_DB_USER", user);
        if (password != null) {
            env.put("LOCKWISE_DB_PASSWORD", password);
        }
        env.put("LOCKWISE_DB_POOL_SIZE", "6");
        env.putAll(environment);
        return new LockwiseProcess(builder.start(), output);
    }

    /**
     * Starts {@code main}, a class of the test sources, in a JVM of its own on this JVM's class path, against
     * {@code database}, with {@code environment} added: for the deliberately broken variants, which the shipped jar
     * must not contain.
     */
    static LockwiseProcess startMain(TestDatabase database, Map<String, String> environment, Class<?> main,
                                     String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return launch(database, environment, command);
    }

    static LockwiseProcess start(TestDatabase database, String... args) throws IOException {
        return start(database, "UTC", new HashMap<>(), args);
    }

    /** {@code lockwise ARGS} started through {@code wrapper} (e.g. {@code nohup}). */
    static LockwiseProcess startUnder(TestDatabase database, List<String> wrapper, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(javaCommand("UTC"));
        command.addAll(List.of(args));
        return launch(database, Map.of(), command);
    }

    private static List<String> javaCommand(String zone) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Duser.timezone=" + zone, "-jar",
                jar().toString());
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("lockwise did not finish in " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    void signal(String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).start().waitFor()).isZero();
    }

    /**
     * Whether a process runs: it exists and is not a zombie (an orphan whose exit nobody has collected yet is dead,
     * though {@link ProcessHandle#isAlive()} still says alive).
     */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }
}
