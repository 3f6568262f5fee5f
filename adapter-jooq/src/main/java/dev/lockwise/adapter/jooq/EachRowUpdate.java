package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import dev.lockwise.jdbc.Transactions;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * Several optimistic read-modify-writes in two statements: one read of every row ({@code WHERE id = ANY(?)}, no
 * lock), the changes in Java, and one conditional write of every row that changed, each row's version checked on its
 * own. The write takes the row locks in id order ({@code SELECT … ORDER BY id FOR NO KEY UPDATE} in a CTE, the rows
 * whose version still matches), so two such writes from different processes wait for each other instead of
 * deadlocking; a row another writer changed in between fails the version check, is left alone and reported as a
 * lost race, and the other rows are written. Both statements run with autocommit on one pooled connection: one
 * commit, one WAL flush, for all the rows.
 *
 * @param <K> what identifies a row to the caller
 * @param <T> the row type
 */
final class EachRowUpdate<K, T> {
    /** Binds the write's arrays: one element per changed row, in id order. */
    @FunctionalInterface
    interface WriteBinder<T> {
        void bind(Connection connection, PreparedStatement write, List<Updated<T>> rows) throws SQLException;
    }

    /** Reads one row from the current position of a result set. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final String what;
    private final String selectByIds;
    private final String writeIfVersions;
    private final RowReader<T> reader;
    private final ToLongFunction<K> keyId;
    private final ToLongFunction<T> rowId;
    private final ToLongFunction<T> version;
    private final LongFunction<RuntimeException> notFound;
    private final WriteBinder<T> binder;

    /**
     * @param what            the rows' name in messages ("account")
     * @param selectByIds     the read: one {@code bigint[]} parameter, the row columns {@code reader} reads
     * @param writeIfVersions the write: parameters as {@code binder} binds them, returning the ids it wrote
     * @param keyId           the id of the row a caller's key names
     */
    EachRowUpdate(String what, String selectByIds, String writeIfVersions, RowReader<T> reader, ToLongFunction<K> keyId,
                  ToLongFunction<T> rowId, ToLongFunction<T> version, LongFunction<RuntimeException> notFound,
                  WriteBinder<T> binder) {
        this.what = what;
        this.selectByIds = selectByIds;
        this.writeIfVersions = writeIfVersions;
        this.reader = reader;
        this.keyId = keyId;
        this.rowId = rowId;
        this.version = version;
        this.notFound = notFound;
        this.binder = binder;
    }

    /** Runs the read and the write for {@code changes} (keys naming distinct rows) on {@code transactions}. */
    Map<K, RowOutcome<T>> run(Transactions transactions, Map<K, UnaryOperator<T>> changes) {
        if (changes.isEmpty()) {
            return Map.of();
        }
        return transactions.autocommit("update " + changes.size() + " " + what + " rows", connection -> {
            Map<Long, K> keys = new TreeMap<>(); // id order: the order rows are read, changed and written in
            for (K key : changes.keySet()) {
                if (keys.put(keyId.applyAsLong(key), key) != null) {
                    throw new IllegalArgumentException("two changes for " + what + " " + keyId.applyAsLong(key));
                }
            }
            Map<Long, T> read = read(connection, keys.keySet());
            Map<K, RowOutcome<T>> outcomes = new HashMap<>();
            List<Updated<T>> writes = new ArrayList<>();
            Map<Long, K> written = new HashMap<>();
            for (Map.Entry<Long, K> entry : keys.entrySet()) {
                K key = entry.getValue();
                T before = read.get(entry.getKey());
                if (before == null) {
                    outcomes.put(key, RowOutcome.failed(notFound.apply(entry.getKey())));
                    continue;
                }
                T after;
                try {
                    after = changes.get(key).apply(before);
                } catch (RuntimeException refused) {
                    outcomes.put(key, RowOutcome.failed(refused));
                    continue;
                }
                if (after.equals(before)) {
                    outcomes.put(key, RowOutcome.written(new Updated<>(before, after)));
                } else if (version.applyAsLong(after) <= version.applyAsLong(before)
                        || rowId.applyAsLong(after) != entry.getKey()) {
                    // The write sets the version the change returns: one that did not advance would let another
                    // writer holding the old version through, and another id would write another row.
                    outcomes.put(key, RowOutcome.failed(new IllegalStateException("a change to " + what + " "
                            + entry.getKey() + " must keep its id and advance its version (read at "
                            + version.applyAsLong(before) + ", returned " + version.applyAsLong(after) + ")")));
                } else {
                    writes.add(new Updated<>(before, after));
                    written.put(entry.getKey(), key);
                }
            }
            Set<Long> matched = writes.isEmpty() ? Set.of() : write(connection, writes);
            for (Updated<T> row : writes) {
                long id = rowId.applyAsLong(row.before());
                outcomes.put(written.get(id), matched.contains(id) ? RowOutcome.written(row)
                        : RowOutcome.failed(new ConcurrentUpdateException(what + " " + id
                        + " changed after it was read at version " + version.applyAsLong(row.before()))));
            }
            Map<K, RowOutcome<T>> ordered = new LinkedHashMap<>();
            for (K key : changes.keySet()) {
                ordered.put(key, outcomes.get(key));
            }
            return ordered;
        });
    }

    private Map<Long, T> read(Connection connection, Set<Long> ids) throws SQLException {
        Map<Long, T> rows = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(selectByIds)) {
            select.setArray(1, bigints(connection, ids.stream().mapToLong(Long::longValue).toArray()));
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    T row = reader.read(result);
                    rows.put(rowId.applyAsLong(row), row);
                }
            }
        }
        return rows;
    }

    private Set<Long> write(Connection connection, List<Updated<T>> writes) throws SQLException {
        Set<Long> matched = new HashSet<>();
        try (PreparedStatement write = connection.prepareStatement(writeIfVersions)) {
            binder.bind(connection, write, writes);
            try (ResultSet result = write.executeQuery()) {
                while (result.next()) {
                    matched.add(result.getLong(1));
                }
            }
        }
        return matched;
    }

    /** A {@code bigint[]} of {@code values}. */
    static Array bigints(Connection connection, long[] values) throws SQLException {
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return connection.createArrayOf("bigint", boxed);
    }

    /**
     * The write's SQL: {@code arrays} ({@code "?::bigint[], ?::numeric[], …"}) unnested into {@code c(columns)},
     * which ends with {@code expected} (the version read); the rows whose version still matches locked in id order;
     * {@code assignments} applied to them; their ids returned. The lock timeout is set, for this statement's
     * transaction only, before the first row is locked.
     */
    static String writeIfVersions(String table, String arrays, String columns, String assignments,
                                  String lockTimeoutSetting) {
        return "WITH c (" + columns + ", expected) AS (SELECT * FROM unnest(" + arrays + ")"
                + " WHERE set_config('lock_timeout', '" + lockTimeoutSetting + "', true) IS NOT NULL),"
                + " locked AS (SELECT t.id FROM " + table + " t JOIN c ON t.id = c.id AND t.version = c.expected"
                + " ORDER BY t.id FOR NO KEY UPDATE OF t)"
                + " UPDATE " + table + " t SET " + assignments + " FROM c JOIN locked ON locked.id = c.id"
                + " WHERE t.id = c.id AND t.version = c.expected RETURNING t.id";
    }
}
