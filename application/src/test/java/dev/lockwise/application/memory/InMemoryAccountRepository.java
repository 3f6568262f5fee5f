package dev.lockwise.application.memory;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.DuplicateUsernameException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Accounts in memory, optimistic like the jOOQ adapter: read, change outside any lock, write only if the version is
 * still the one read, else {@link ConcurrentUpdateException}. It passes the same port contract as the database
 * adapters, and it can be told to conflict ({@link #conflictNext}) so that the retry and the adaptive strategy are
 * tested in milliseconds, with no database, against exactly the failure they exist for.
 */
public final class InMemoryAccountRepository implements AccountRepository {
    private final Object lock = new Object();
    private final Map<AccountId, Account> byId = new HashMap<>();
    private final Map<Username, AccountId> byName = new HashMap<>();
    private final Map<RequestId, DepositReceipt> receipts = new HashMap<>();
    private final AtomicInteger conflictsToCome = new AtomicInteger();
    private final AtomicInteger writeAttempts = new AtomicInteger();
    private final boolean checksVersions;
    private long nextId = 1;

    /** A repository that keeps the contract. */
    public InMemoryAccountRepository() {
        this(true);
    }

    private InMemoryAccountRepository(boolean checksVersions) {
        this.checksVersions = checksVersions;
    }

    /**
     * A deliberately broken repository, kept to show that the port contract catches a lost update: it writes whatever
     * it is given, without comparing the version it was read at. Never use it elsewhere.
     */
    static InMemoryAccountRepository losingUpdates() {
        return new InMemoryAccountRepository(false);
    }

    /** The next {@code count} write attempts lose their race: each fails as if another writer had come first. */
    public void conflictNext(int count) {
        conflictsToCome.set(count);
    }

    /** How many update and exactly-once attempts reached this repository. */
    public int writeAttempts() {
        return writeAttempts.get();
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        synchronized (lock) {
            if (byName.containsKey(username)) {
                throw new DuplicateUsernameException(username);
            }
            Account account = new Account(new AccountId(nextId++), username, initialBalance, 0);
            byId.put(account.id(), account);
            byName.put(username, account.id());
            return account;
        }
    }

    @Override
    public Optional<Account> find(AccountId id) {
        synchronized (lock) {
            return Optional.ofNullable(byId.get(id));
        }
    }

    @Override
    public Optional<Account> find(Username username) {
        synchronized (lock) {
            return Optional.ofNullable(byName.get(username)).map(byId::get);
        }
    }

    @Override
    public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
        writeAttempts.incrementAndGet();
        Account before = find(id).orElseThrow(() -> new AccountNotFoundException(id));
        return write(before, change.apply(before));
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        writeAttempts.incrementAndGet();
        Account before = find(username).orElseThrow(() -> new AccountNotFoundException(username));
        return write(before, change.apply(before));
    }

    @Override
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        writeAttempts.incrementAndGet();
        Account before;
        synchronized (lock) {
            DepositReceipt recorded = receipts.get(requestId);
            if (recorded != null) {
                return recorded.replayFor(id, amount);
            }
            before = Optional.ofNullable(byId.get(id)).orElseThrow(() -> new AccountNotFoundException(id));
        }
        Account after = before.deposit(amount);
        synchronized (lock) {
            if (receipts.containsKey(requestId)) {
                throw new ConcurrentUpdateException("request '" + requestId + "' was recorded concurrently");
            }
            writeIfUnchanged(before, after);
            DepositReceipt receipt = new DepositReceipt(requestId, id, amount, after.balance(), after.version(), false);
            receipts.put(requestId, receipt);
            return receipt;
        }
    }

    private Updated<Account> write(Account before, Account after) {
        if (!checksVersions) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // a client's round trip: others read meanwhile
        }
        if (!after.equals(before)) {
            synchronized (lock) {
                writeIfUnchanged(before, after);
            }
        }
        return new Updated<>(before, after);
    }

    /** Guarded by {@link #lock}. */
    private void writeIfUnchanged(Account before, Account after) {
        if (conflictsToCome.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                || checksVersions && byId.get(before.id()).version() != before.version()) {
            throw new ConcurrentUpdateException("account " + before.id() + " changed after it was read at version "
                    + before.version());
        }
        byId.put(after.id(), after);
    }
}
