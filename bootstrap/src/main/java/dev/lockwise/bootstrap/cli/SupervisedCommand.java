package dev.lockwise.bootstrap.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command run under {@code lockwise exclusive}, in a process group of its own that dies with lockwise.
 *
 * <p>On Linux the command is started as
 * {@code setsid setpriv --pdeathsig HUP -- sh -c SUPERVISOR lockwise-exclusive PARENT_PID CMD ARGS…}: {@code setsid}
 * (util-linux) makes a new session and process group whose id is the supervisor's pid; {@code setpriv --pdeathsig}
 * asks the kernel to send the supervising shell SIGHUP when its parent — this JVM — dies, however it dies (SIGKILL
 * and the OOM killer included). The shell then kills its whole process group with SIGKILL: the command and
 * everything it started, grandchildren included. The shell checks first that its parent is still this JVM (the JVM
 * could have died before the death signal was armed). It survives SIGTERM sent to the group (the command gets it and
 * may shut down cleanly) and exits with the command's status.
 *
 * <p>Signals to the whole group ({@link #terminate()}, {@link #kill()}) are sent with {@code kill -s SIG -- -PGID}.
 * After the command exits, whatever it left running in its group is killed too, so that nothing of it runs once the
 * lease is released. What escapes: a process that leaves the group on its own ({@code setsid}, a daemon); and where
 * {@code setsid}/{@code setpriv} are missing (not Linux), the command runs as a plain child, without these guarantees
 * (a warning says so).
 */
final class SupervisedCommand {
    /**
     * POSIX sh. $1 is the pid of lockwise; the rest is the command. Stdin is handed on through fd 3 because a
     * non-interactive shell gives background jobs /dev/null; the traps are set before the command is forked (a
     * caught signal is reset to its default in the child, so the command sees ordinary signal dispositions).
     */
    static final String SUPERVISOR = String.join("\n",
            "parent=$1; shift",
            "[ \"$PPID\" = \"$parent\" ] || exit 129",
            "trap 'kill -s KILL 0' HUP",
            "trap ':' TERM INT",
            "exec 3<&0",
            "\"$@\" <&3 3<&- &",
            "child=$!",
            "exec 3<&-",
            "while :; do",
            "  wait \"$child\"; status=$?",
            "  kill -0 \"$child\" 2>/dev/null || break",
            "done",
            "exit \"$status\"");

    private final Process process;
    private final boolean grouped;

    private SupervisedCommand(Process process, boolean grouped) {
        this.process = process;
        this.grouped = grouped;
    }

    /** Whether this machine can give the command a group of its own that dies with lockwise. */
    static boolean groupsAvailable() {
        return onPath("setsid") && onPath("setpriv") && onPath("kill") && onPath("sh");
    }

    /**
     * Starts {@code command} with {@code environment} (replacing this process's environment entirely), stdin, stdout
     * and stderr inherited.
     */
    static SupervisedCommand start(List<String> command, Map<String, String> environment) throws IOException {
        boolean grouped = groupsAvailable();
        List<String> line = new ArrayList<>();
        if (grouped) {
            line.addAll(List.of("setsid", "setpriv", "--pdeathsig", "HUP", "--", "sh", "-c", SUPERVISOR,
                    "lockwise-exclusive", Long.toString(ProcessHandle.current().pid())));
        }
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new SupervisedCommand(builder.start(), grouped);
    }

    boolean grouped() {
        return grouped;
    }

    long pid() {
        return process.pid();
    }

    /** Waits up to {@code timeout}; true if the command has ended. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM to the command's whole group: it may shut down cleanly. */
    void terminate() {
        signal("TERM");
    }

    /** SIGKILL to the command's whole group: nothing of it runs afterwards. */
    void kill() {
        signal("KILL");
    }

    /**
     * After the command ended: kills whatever it left running in its group. (The group's id is the supervisor's pid;
     * it cannot have been given to another group in the few milliseconds since, as Linux hands out pids in turn.)
     */
    void killLeftovers() {
        if (grouped) {
            signal("KILL");
        }
    }

    private void signal(String name) {
        if (grouped) {
            try {
                Process kill = new ProcessBuilder("kill", "-s", name, "--", "-" + process.pid())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (kill.waitFor(2, TimeUnit.SECONDS)) {
                    return;
                }
                kill.destroyForcibly();
            } catch (IOException e) {
                // Fall back to what the JDK can reach below.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean force = name.equals("KILL");
        process.descendants().forEach(force ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
    }

    private static boolean onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }
}
