package dev.lockwise.cli;

import dev.lockwise.application.RunOncePerSlot;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.schedule.ScheduledRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/** Lists the recorded runs of a job scheduled with {@code exclusive --once-per}, newest first. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List the recorded runs of a job run with 'exclusive --once-per', newest first.",
        footer = {"", "Each line: slot, holder, generation, start and end (database clock), outcome and exit status.",
                "A run whose holder died or lost the lease before recording its end shows as abandoned.",
                "Exit codes: 0 listed (also when there is none); 2 invalid input; 3 database unavailable."})
final class RunsCommand extends SessionCommand {
    static final int MAX_LAST = 10_000;

    @Option(names = "--lock", required = true, paramLabel = "NAME", description = "The job's lock id.")
    String lock;

    @Option(names = "--last", paramLabel = "N", description = "How many runs, 1 to " + MAX_LAST + " (default 10).")
    int last = 10;

    private LockId lockId;

    @Override
    void validate() {
        lockId = new LockId(lock);
        if (last < 1 || last > MAX_LAST) {
            throw new ConfigException("--last must be between 1 and " + MAX_LAST + ", got " + last);
        }
    }

    @Override
    int run(Session session) {
        List<ScheduledRun> runs = session.get(RunOncePerSlot.class).runs(lockId, last);
        if (runs.isEmpty() && !report.json()) {
            report.result("no recorded runs of '" + lockId + "'", Map.of());
        }
        for (ScheduledRun run : runs) {
            report.result("slot " + run.slotStart() + " to " + run.slotEnd() + ": " + describe(run), fields(run));
        }
        return ExitCodes.OK;
    }

    /** "succeeded (exit 0): holder 4711@web-1, generation 12, started …, ended …". */
    static String describe(ScheduledRun run) {
        return run.outcome().label() + (run.exitCode() == null ? "" : " (exit " + run.exitCode() + ")")
                + ": holder " + run.holder() + ", generation " + run.generation() + ", started " + run.startedAt()
                + (run.endedAt() == null ? "" : ", ended " + run.endedAt());
    }

    /** A run as every command reports it in JSON. */
    static Map<String, Object> fields(ScheduledRun run) {
        return Report.fields("lock_id", run.lockId().value(), "slot_start", run.slotStart().toString(),
                "slot_end", run.slotEnd().toString(), "holder", run.holder(), "generation", run.generation(),
                "started_at", run.startedAt().toString(),
                "ended_at", run.endedAt() == null ? null : run.endedAt().toString(),
                "outcome", run.outcome().label(), "exit_code", run.exitCode());
    }
}
