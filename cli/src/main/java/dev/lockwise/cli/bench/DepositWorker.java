package dev.lockwise.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * One strategy's deposits measured in a JVM of its own, driven by the bench over the worker's standard input and
 * output. A benchmark that measures several strategies in one JVM lets them share the JIT's profiles, the heap and
 * the garbage collector: whichever ran last, or first, can leave the others better or worse compiled code for the
 * rest of the run. Separate JVMs — as JMH forks them — take that out, while the bench still interleaves the
 * strategies round by round.
 *
 * <p>The protocol is line by line: the worker says {@code ready} once it is connected; for each {@code run CELL}
 * the bench sends, it answers {@code done RUN} or {@code failed MESSAGE}; it exits when its input closes. The
 * worker's standard error is the bench's, so its log lines stay visible.
 */
public final class DepositWorker implements DepositRunner {
    private static final String READY = "ready";
    private static final String RUN = "run ";
    private static final String DONE = "done ";
    private static final String FAILED = "failed ";

    private final String strategy;
    private final Process process;
    private final PrintWriter requests;
    private final BufferedReader answers;

    private DepositWorker(String strategy, Process process) {
        this.strategy = strategy;
        this.process = process;
        this.requests = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                true);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts a worker JVM with {@code command} and {@code environment} (the database and settings, the password
     * excepted) and waits until it is connected. The worker inherits nothing of this process's database
     * environment ({@code LOCKWISE_…}, libpq's {@code PG…}, {@code PGPASSWORD} among them): only what it is given.
     */
    public static DepositWorker start(String strategy, List<String> command, Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().keySet().removeIf(name -> name.startsWith("LOCKWISE_") || name.startsWith("PG"));
        builder.environment().putAll(environment);
        DepositWorker worker = new DepositWorker(strategy, builder.start());
        String greeting = worker.answers.readLine();
        if (!READY.equals(greeting)) {
            worker.close();
            throw new IllegalStateException("the bench worker for " + strategy + " did not start"
                    + (greeting == null ? " (exit code " + worker.exitCode() + "; see its messages above)"
                    : ": " + greeting));
        }
        return worker;
    }

    @Override
    public DepositRun run(DepositCell cell) throws IOException {
        requests.println(RUN + cell.encode());
        String answer = answers.readLine();
        if (answer != null && answer.startsWith(DONE)) {
            return DepositRun.decode(answer.substring(DONE.length()));
        }
        throw new IllegalStateException("the bench worker for " + strategy + " failed: "
                + (answer == null ? "it exited (code " + exitCode() + ")" : answer.replaceFirst("^" + FAILED, "")));
    }

    private String exitCode() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** Closes the worker's input, which ends it; kills it if it does not end within 30 s. */
    @Override
    public void close() {
        requests.close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What a worker does with its connection pool around each run: only the strategy being measured should hold
     * connections (the database's limit is shared by all workers and pgbench), and opening them should not be
     * measured.
     */
    public interface Connections {
        /** Opens the connections {@code callers} will use, before the run starts. */
        void open(int callers);

        /** Gives the idle connections back to the database once the run is over. */
        void release();
    }

    /**
     * The worker's side: says {@code ready}, then measures each requested cell with {@code deposits} until
     * {@code in} ends.
     */
    public static void serve(DataSource dataSource, BenchDeposits deposits, Connections connections,
                             BufferedReader in, PrintStream out) throws IOException {
        DepositCells cells = new DepositCells(dataSource);
        out.println(READY);
        out.flush();
        String request;
        while ((request = in.readLine()) != null) {
            String answer;
            try {
                if (!request.startsWith(RUN)) {
                    throw new IllegalArgumentException("unknown request: " + request);
                }
                DepositCell cell = DepositCell.decode(request.substring(RUN.length()));
                connections.open(cell.callers());
                answer = DONE + cells.run(deposits, cell).encode();
            } catch (Exception e) {
                answer = FAILED + (e.getMessage() == null ? e.toString() : e.getMessage()).replace('\n', ' ');
            } finally {
                connections.release();
            }
            out.println(answer);
            out.flush();
        }
    }
}
