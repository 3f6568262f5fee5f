package dev.lockwise.cli.demo;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.Lease;

import java.io.PrintWriter;
import java.time.Duration;

/** Prints conflicts and lease events as they happen, while a demo scenario wants them told. */
public final class Narrator implements LockwiseEvents {
    private final PrintWriter out;
    private volatile boolean conflicts;
    private volatile boolean leases;

    public Narrator(PrintWriter out) {
        this.out = out;
    }

    public void tellConflicts(boolean on) {
        this.conflicts = on;
    }

    public void tellLeases(boolean on) {
        this.leases = on;
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    @Override
    public void retry(Operation operation, Strategy strategy, int attempt, Duration wait) {
        if (conflicts) {
            say(String.format("    conflict: %s attempt %d lost a race (%s); re-reading in a new attempt after %d ms",
                    operation.label(), attempt, strategy.label(), wait.toMillis()));
        }
    }

    @Override
    public void lockFallback(Operation operation, boolean hot) {
        if (conflicts) {
            say("    adaptive: " + operation.label() + (hot ? " on a hot row takes the row lock"
                    : " conflicted; the second attempt takes the row lock"));
        }
    }

    @Override
    public void leaseRenewed(Lease lease, Duration took) {
        if (leases) {
            say(String.format("    lease %s generation %d renewed (expires %s by the database clock)",
                    lease.lockId(), lease.generation(), lease.expiresAt()));
        }
    }

    @Override
    public void leaseLost(Lease lease, String reason) {
        if (leases) {
            say("    lease " + lease.lockId() + " generation " + lease.generation() + " LOST: " + reason);
        }
    }
}
