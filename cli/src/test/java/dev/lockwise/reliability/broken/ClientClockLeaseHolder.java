package dev.lockwise.reliability.broken;

import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lockwise workload lease} does, on {@link ClientClockLeaseLock}: holds a lease COUNT times for HOLD
 * milliseconds, recording each hold in {@code exclusive_run} with the database's {@code clock_timestamp()} (unfenced:
 * the fence judges expiry by the database clock and would hide the fault). Arguments: LOCK COUNT HOLD HOLDER WAIT_S
 * TTL_S, where HOLD is milliseconds or {@code until-told}: hold until a line arrives on standard input (at most two
 * minutes), so that a test can end a hold after it has seen what it waits for, whatever the machine's speed. The
 * lease is renewed every third of the ttl: a holder whose lease was taken over learns it only at its next renewal.
 * The database from {@code LOCKWISE_DB_URL}, {@code LOCKWISE_DB_USER}, {@code LOCKWISE_DB_PASSWORD}. Prints
 * {@code holds=N}.
 */
public final class ClientClockLeaseHolder {
    private ClientClockLeaseHolder() {
    }

    public static void main(String[] args) throws Exception {
        String url = System.getenv("LOCKWISE_DB_URL");
        String user = System.getenv("LOCKWISE_DB_USER");
        String password = System.getenv("LOCKWISE_DB_PASSWORD");
        LockId lockId = new LockId(args[0]);
        int count = Integer.parseInt(args[1]);
        boolean untilTold = args[2].equals("until-told");
        long holdMillis = untilTold ? TOLD_AT_MOST.toMillis() : Long.parseLong(args[2]);
        String holder = args[3];
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(Long.parseLong(args[5])))
                .waitingUpTo(Duration.ofSeconds(Long.parseLong(args[4])));
        int holds = 0;
        try (Connection connection = ClientClockLeaseLock.connect(url, user, password);
             RunExclusive runExclusive = new RunExclusive(new ClientClockLeaseLock(url, user, password),
                     LockwiseEvents.NONE)) {
            for (int i = 0; i < count; i++) {
                runExclusive.run(lockId, terms, lease -> {
                    try (PreparedStatement start = connection.prepareStatement("INSERT INTO exclusive_run"
                            + " (lock_id, generation, holder, started_at) VALUES (?, ?, ?, clock_timestamp())")) {
                        start.setString(1, lease.lockId().value());
                        start.setLong(2, lease.generation());
                        start.setString(3, holder);
                        start.executeUpdate();
                    }
                    try {
                        hold(holdMillis, untilTold);
                    } finally { // also when the lease's loss interrupts the hold: it ran until now
                        try (PreparedStatement end = connection.prepareStatement("UPDATE exclusive_run"
                                + " SET ended_at = clock_timestamp() WHERE lock_id = ? AND generation = ?")) {
                            end.setString(1, lease.lockId().value());
                            end.setLong(2, lease.generation());
                            end.executeUpdate();
                        }
                    }
                    return null;
                });
                holds++;
            }
        }
        System.out.println("holds=" + holds);
    }

    private static final Duration TOLD_AT_MOST = Duration.ofMinutes(2);

    /** Sleeps {@code millis}, or, if {@code untilTold}, until standard input has a byte, for at most that long. */
    private static void hold(long millis, boolean untilTold) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (!untilTold) {
            Thread.sleep(millis);
            return;
        }
        // Polled, not a blocking read: the loss of the lease interrupts the hold, and a read of System.in is not
        // interruptible.
        while (System.in.available() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
