package dev.lockwise.cli.bench;

import dev.lockwise.cli.db.CommitDurability;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The server settings that shape a benchmark's numbers, as the bench's own sessions see them, and the one the bench
 * sets: {@code synchronous_commit} on its own database (whether a commit is acknowledged only once its WAL is on
 * disk). {@code fsync} is server-wide and only reported: with it off nothing is durable, whatever the rest says.
 *
 * @param values setting name to value with its unit, in {@link #SHAPING} order
 */
public record ServerSettings(Map<String, String> values) {
    /** The bound on each of these statements, in seconds: they read or set a setting and never wait for a lock. */
    private static final int STATEMENT_TIMEOUT_SECONDS = 10;

    /** Durability, memory and connection settings, in the order reports print them. */
    public static final List<String> SHAPING = List.of("synchronous_commit", "fsync", "full_page_writes",
            "wal_sync_method", "commit_delay", "shared_buffers", "max_connections");

    public ServerSettings {
        values = Map.copyOf(values);
    }

    /**
     * Sets {@code synchronous_commit} for every new session on the database {@code dataSource} connects to. Only for
     * a database the bench owns (its scratch database, or the embedded server's): it changes the database's defaults.
     *
     * @param dataSource the bench's database
     * @param durable    {@code on} when true, {@code off} when false
     * @throws SQLException if the database refuses (the bench's role must own the database)
     */
    public static void setSynchronousCommit(DataSource dataSource, boolean durable) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet name = timed(statement).executeQuery("SELECT quote_ident(current_database())")) {
            name.next();
            statement.execute("ALTER DATABASE " + name.getString(1) + " SET synchronous_commit = "
                    + (durable ? "on" : "off"));
        }
    }

    /**
     * Reads the {@link #SHAPING} settings on a connection of {@code dataSource}.
     *
     * @param dataSource the bench's database
     * @return the settings as that session sees them
     * @throws SQLException if they cannot be read
     */
    public static ServerSettings read(DataSource dataSource) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             Statement statement = timed(connection.createStatement())) {
            for (String name : SHAPING) {
                try (ResultSet row = statement.executeQuery("SHOW " + name)) {
                    row.next();
                    values.put(name, row.getString(1));
                }
            }
        }
        return new ServerSettings(values);
    }

    private static Statement timed(Statement statement) throws SQLException {
        statement.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
        return statement;
    }

    /** @return whether an acknowledged commit is on disk: synchronous_commit not off, and fsync on */
    public boolean durable() {
        return CommitDurability.durable(values.get("synchronous_commit"), values.get("fsync"));
    }

    /** @return one phrase a reader cannot miss: durable commits or not, and why not */
    public String durabilityLabel() {
        if (durable()) {
            return "durable commits (synchronous_commit=" + values.get("synchronous_commit") + ", fsync=on): a"
                    + " commit is acknowledged once its WAL is flushed";
        }
        return "NOT DURABLE (synchronous_commit=" + values.get("synchronous_commit") + ", fsync=" + values.get("fsync")
                + "): commits are acknowledged before they reach the disk; not comparable with durable numbers";
    }

    /** @return every shaping setting as {@code name=value}, comma-separated, in {@link #SHAPING} order */
    public String summary() {
        return SHAPING.stream().filter(values::containsKey).map(name -> name + "=" + values.get(name))
                .collect(Collectors.joining(", "));
    }
}
