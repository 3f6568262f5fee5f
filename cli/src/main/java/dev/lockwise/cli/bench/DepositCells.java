package dev.lockwise.cli.bench;

import dev.lockwise.domain.RetriesExhaustedException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.sql.DataSource;

/**
 * Runs deposits of one strategy on a fresh account table and checks afterwards that every account's balance and
 * version equal what was acknowledged. The same code runs in the bench's JVM and in a worker JVM.
 */
final class DepositCells {
    private final DataSource dataSource;

    DepositCells(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Resets the accounts, runs an unmeasured warm-up, then measures {@code duration} (or {@code opLimit} > 0
     * operations) of random deposits from {@code callers} threads — in a closed loop, or offered at the cell's rate
     * (open loop) — and checks the balances.
     */
    DepositRun run(BenchDeposits strategy, DepositCell cell) throws Exception {
        resetAccounts(cell.accounts());
        int accounts = cell.accounts();
        AtomicLongArray acknowledgedCents = new AtomicLongArray(accounts + 1);
        AtomicLongArray acknowledgedCount = new AtomicLongArray(accounts + 1);
        AtomicLong exhausted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Driver.Op deposit = () -> {
            int account = 1 + ThreadLocalRandom.current().nextInt(accounts);
            long cents = 1 + ThreadLocalRandom.current().nextInt(10_000);
            try {
                strategy.deposit(account, cents);
                acknowledgedCents.addAndGet(account, cents);
                acknowledgedCount.incrementAndGet(account);
                return true;
            } catch (RetriesExhaustedException e) {
                exhausted.incrementAndGet();
            } catch (RuntimeException e) {
                errors.incrementAndGet();
            }
            return false;
        };
        if (!cell.warmup().isZero()) {
            Driver.drive(cell.callers(), cell.warmup(), 0, deposit);
        }
        exhausted.set(0);
        errors.set(0);
        long conflicts = strategy.conflicts();
        long retries = strategy.retries();
        Driver.Measured measured = cell.rate() > 0
                ? Driver.driveAtRate(cell.callers(), cell.duration(), cell.rate(), deposit)
                : Driver.drive(cell.callers(), cell.duration(), cell.opLimit(), deposit);
        String broken = checkBalances(accounts, acknowledgedCents, acknowledgedCount);
        return new DepositRun(measured, strategy.conflicts() - conflicts, strategy.retries() - retries,
                exhausted.get(), errors.get(), broken);
    }

    void resetAccounts(int accounts) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE account, deposit_request RESTART IDENTITY");
            statement.execute("INSERT INTO account (username, balance, version) SELECT 'bench-' || n, 0, 0"
                    + " FROM generate_series(1, " + accounts + ") AS n");
            statement.execute("ANALYZE account");
        }
    }

    private String checkBalances(int accounts, AtomicLongArray cents, AtomicLongArray counts) throws SQLException {
        long expectedTotal = 0;
        long actualTotal = 0;
        String firstMismatch = null;
        int mismatches = 0;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT id, balance, version FROM account");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                int id = (int) rows.getLong(1);
                long balance = rows.getBigDecimal(2).movePointRight(2).longValueExact();
                long version = rows.getLong(3);
                expectedTotal += cents.get(id);
                actualTotal += balance;
                if (balance != cents.get(id) || version != counts.get(id)) {
                    mismatches++;
                    if (firstMismatch == null) {
                        firstMismatch = String.format("account %d: balance %.2f version %d, acknowledged %.2f in %d"
                                + " deposits", id, balance / 100.0, version, cents.get(id) / 100.0, counts.get(id));
                    }
                }
            }
        }
        if (mismatches == 0 && expectedTotal == actualTotal) {
            return null;
        }
        return String.format("%d of %d accounts wrong; total %.2f vs acknowledged %.2f; first: %s", mismatches,
                accounts, actualTotal / 100.0, expectedTotal / 100.0, firstMismatch);
    }
}
