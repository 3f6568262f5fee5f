package dev.lockwise.cli.db;

/**
 * The one rule for whether a server's acknowledged commits are on disk, shared by the embedded server's start-up
 * notice and the bench's report: {@code synchronous_commit} is not {@code off} (any of {@code on}, {@code local},
 * {@code remote_write}, {@code remote_apply} waits for the local WAL flush) and {@code fsync} is {@code on} (without
 * it nothing is flushed, whatever else is set).
 */
public final class CommitDurability {
    private CommitDurability() {
    }

    /**
     * @param synchronousCommit the session's {@code synchronous_commit}
     * @param fsync             the server's {@code fsync}
     * @return whether an acknowledged commit is durable under these settings
     */
    public static boolean durable(String synchronousCommit, String fsync) {
        return !"off".equals(synchronousCommit) && "on".equals(fsync);
    }
}
