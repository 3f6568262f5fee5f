package dev.lockwise.reliability.broken;

import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * What {@code lockwise workload lease} does, on {@link ClientClockLeaseLock}: holds a lease COUNT times for HOLD
 * milliseconds, recording each hold in {@code exclusive_run} with the database's {@code clock_timestamp()} (unfenced:
 * the fence judges expiry by the database clock and would hide the fault). Arguments: LOCK COUNT HOLD_MS HOLDER
 * WAIT_S; the
 * database from {@code LOCKWISE_DB_URL}, {@code LOCKWISE_DB_USER}, {@code LOCKWISE_DB_PASSWORD}. Prints
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
        long holdMillis = Long.parseLong(args[2]);
        String holder = args[3];
        // A 30 s ttl, renewed every 10 s: a holder whose lease was taken over learns it only at its next renewal.
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(30))
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
                        Thread.sleep(holdMillis);
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
}
