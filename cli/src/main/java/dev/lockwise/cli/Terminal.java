package dev.lockwise.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream is a terminal. {@link System#console()} answers only for stdin and stdout together;
 * the bench's progress bar goes to stderr, and a password prompt must know about stdin alone. Reads where
 * {@code /proc/self/fd/N} points (Linux); elsewhere falls back to {@code System.console()}.
 */
final class Terminal {
    private Terminal() {
    }

    static boolean stdin() {
        return isTerminal(0);
    }

    static boolean stderr() {
        return isTerminal(2);
    }

    private static boolean isTerminal(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
            return System.console() != null;
        }
        try {
            String target = Files.readSymbolicLink(link).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
