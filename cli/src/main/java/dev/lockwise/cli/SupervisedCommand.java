package dev.lockwise.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A command run under {@code lockwise exclusive}, in a process group of its own that dies with lockwise.
 *
 * <p>On Linux (util-linux 2.33 or newer) the command is started as
 * {@code setsid setpriv --pdeathsig USR2 -- sh -c SUPERVISOR lockwise-exclusive PARENT_PID CMD ARGS…}:
 * {@code setsid} makes a new session and process group whose id is the supervisor's pid; {@code setpriv --pdeathsig}
 * asks the kernel to send the supervising shell SIGUSR2 when the thread of this JVM that started it ends — with the
 * JVM, however it dies (SIGKILL and the OOM killer included). The shell then SIGKILLs its whole process group: the
 * command and everything it started, grandchildren included. SIGUSR2 rather than SIGHUP because {@code nohup} starts
 * its command with SIGHUP ignored, and a shell cannot trap a signal it was started with ignored; the supervisor
 * checks that SIGUSR2 is not ignored, that its parent is still this JVM (it could have died before the death signal
 * was armed) and that it leads its group, and refuses to start the command otherwise (exit 125, with a message).
 * It survives the SIGTERM the group gets (the command may shut down cleanly) and exits with the command's status.
 *
 * <p>The thread that calls {@link #start} must live until the command has been reaped: it is the "parent" the kernel
 * watches. {@code ExclusiveCommand} starts the command from the thread that waits for it.
 *
 * <p>Signals: SIGKILL goes to every process of the command this JVM can see, at once ({@link ProcessHandle}, a
 * direct {@code kill(2)}), and to the whole group with {@code kill -s KILL -- -PGID}; SIGTERM to the group. After
 * the command exits, whatever it left running in its group is killed too, and {@link #awaitGroupGone} waits until
 * no live process is left in the group, so that nothing of the command runs once the lease is released.
 *
 * <p>What escapes: a process that leaves the group on its own ({@code setsid}, a daemon that double-forks). Commands
 * start with SIGINT and SIGQUIT ignored, as POSIX shells start background jobs. Without {@code setsid} or a
 * {@code setpriv} that knows {@code --pdeathsig} (not Linux, util-linux older than 2.33, BusyBox), the command runs
 * as a plain child without these guarantees, and a warning says so.
 */
final class SupervisedCommand {
    /** The exit status of the supervisor when it refuses to start the command (as {@code env}, {@code timeout}). */
    static final int SUPERVISOR_REFUSED = 125;

    /**
     * POSIX sh (dash). $1 is the pid of lockwise; the rest is the command. Stdin is handed on through fd 3 because a
     * non-interactive shell gives background jobs /dev/null. SIGUSR2 is bit 11 of the SigIgn mask.
     */
    static final String SUPERVISOR = String.join("\n",
            "parent=$1; shift",
            "refuse() { echo \"lockwise: $1\" >&2; exit 125; }",
            "[ \"$PPID\" = \"$parent\" ] || refuse 'lockwise ended before the command could start'",
            "ignored=0; while read -r key value; do [ \"$key\" = SigIgn: ] && ignored=$value; done < /proc/$$/status",
            "[ $(( 0x$ignored >> 11 & 1 )) = 0 ] || refuse 'SIGUSR2 is ignored, so the command could not die with"
                    + " lockwise; start lockwise without ignoring SIGUSR2'",
            "group_of() { set -- $1; group=$3; }",
            "read -r stat < /proc/$$/stat; group_of \"${stat##*\\)}\"",
            "[ \"$group\" = \"$$\" ] || refuse 'the command would not lead a process group of its own'",
            "trap 'kill -s KILL 0' USR2",
            "trap ':' TERM INT",
            "if [ -h /proc/$$/fd/0 ]; then exec 3<&0; else exec 3</dev/null; fi",
            "\"$@\" <&3 3<&- &",
            "child=$!",
            "exec 3<&-",
            "while :; do",
            "  wait \"$child\"; status=$?",
            "  kill -0 \"$child\" 2>/dev/null || break",
            "done",
            "exit \"$status\"");

    private static volatile Boolean groupsAvailable;

    private final Process process;
    private final boolean grouped;
    private final Consumer<String> warnings;

    private SupervisedCommand(Process process, boolean grouped, Consumer<String> warnings) {
        this.process = process;
        this.grouped = grouped;
        this.warnings = warnings;
    }

    /**
     * Whether this machine can give the command a group of its own that dies with lockwise: {@code setsid}, a
     * {@code setpriv} that knows {@code --pdeathsig} (util-linux 2.33 or newer; probed once), {@code kill} and
     * {@code sh}, and a {@code /proc} to check with.
     */
    static boolean groupsAvailable() {
        Boolean known = groupsAvailable;
        if (known == null) {
            known = onPath("setsid") && onPath("setpriv") && onPath("kill") && onPath("sh")
                    && Files.isDirectory(Path.of("/proc/self")) && setprivKnowsPdeathsig();
            groupsAvailable = known;
        }
        return known;
    }

    private static boolean setprivKnowsPdeathsig() {
        try {
            Process probe = new ProcessBuilder("setpriv", "--pdeathsig", "USR2", "--", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(5, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts {@code command} with {@code environment} (replacing this process's environment entirely), stdin, stdout
     * and stderr inherited. The calling thread must live until the command is reaped (see the class comment).
     *
     * @param warnings where a failed signal is reported (stderr)
     */
    static SupervisedCommand start(List<String> command, Map<String, String> environment, Consumer<String> warnings)
            throws IOException {
        boolean grouped = groupsAvailable();
        List<String> line = new ArrayList<>();
        if (grouped) {
            line.addAll(List.of("setsid", "setpriv", "--pdeathsig", "USR2", "--", "sh", "-c", SUPERVISOR,
                    "lockwise-exclusive", Long.toString(ProcessHandle.current().pid())));
        }
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new SupervisedCommand(builder.start(), grouped, warnings);
    }

    boolean grouped() {
        return grouped;
    }

    long pid() {
        return process.pid();
    }

    boolean exited() {
        return !process.isAlive();
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
        if (grouped) {
            signalGroup("TERM");
        } else {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }

    /**
     * SIGKILL, at once, to every process of the command this JVM can see (a direct {@code kill(2)}, no process to
     * start), then to its whole group (which also reaches processes whose parent has already exited).
     */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (grouped) {
            signalGroup("KILL");
        }
    }

    /** After the command ended: kills whatever it left running in its group. */
    void killLeftovers() {
        if (grouped && groupAlive()) {
            signalGroup("KILL");
        } else if (!grouped) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Waits, up to {@code timeout}, until no live process is left in the command's group (a process in an
     * uninterruptible wait dies only when it returns from it); true when the group is gone. Interrupts are noted and
     * re-asserted, not obeyed: this wait is what makes it safe to release the lease.
     */
    boolean awaitGroupGone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                boolean alive = grouped ? groupAlive() : process.isAlive()
                        || process.descendants().anyMatch(ProcessHandle::isAlive);
                if (!alive) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(5);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether a process of the group still runs (zombies, already dead, do not count). Reads /proc. */
    boolean groupAlive() {
        String group = Long.toString(process.pid());
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : processes) {
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields: state, ppid, pgrp, ...
                if (fields.length > 2 && fields[2].equals(group) && !fields[0].equals("Z") && !fields[0].equals("X")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return process.isAlive();
        }
    }

    private void signalGroup(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, "--", "-" + process.pid())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(2, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                warnings.accept("lockwise: sending SIG" + name + " to the command's process group timed out");
            } else if (kill.exitValue() != 0 && groupAlive()) {
                warnings.accept("lockwise: SIG" + name + " could not be sent to every process of the command's group"
                        + " (kill exited " + kill.exitValue() + ")");
            }
        } catch (IOException e) {
            warnings.accept("lockwise: could not start kill to signal the command's group: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the kill was started; it is delivered whether or not we wait
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
