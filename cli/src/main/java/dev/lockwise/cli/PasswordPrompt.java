package dev.lockwise.cli;

import dev.lockwise.cli.config.ConfigException;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Asks for a password where only the user sees it, never on stdout (which a script may be reading):
 * <ul>
 *   <li>stdin and stdout both terminals: the JDK's console, without echo;</li>
 *   <li>stdin a terminal but stdout not ({@code lockwise … --db-password --output json | jq}): the prompt on stderr,
 *       echo turned off on the terminal with {@code stty} while the line is read;</li>
 *   <li>stdin not a terminal ({@code printf '%s\n' "$PW" | lockwise … --db-password}): the prompt on stderr, the
 *       first line of stdin read byte by byte, nothing beyond it.</li>
 * </ul>
 */
final class PasswordPrompt {
    private PasswordPrompt() {
    }

    static String read(String prompt) {
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("%s", prompt);
            if (typed == null) {
                throw new ConfigException("no password given (end of input at the prompt)");
            }
            return new String(typed);
        }
        System.err.print(prompt);
        System.err.flush();
        boolean terminal = Terminal.stdin();
        if (terminal) {
            stty("-echo");
        }
        try {
            String line = firstLine(System.in);
            System.err.println();
            if (line == null) {
                throw new ConfigException("no password given (stdin ended before a line was read)");
            }
            return line;
        } catch (IOException e) {
            throw new ConfigException("could not read the password from stdin: " + e.getMessage());
        } finally {
            if (terminal) {
                stty("echo");
            }
        }
    }

    /** One line, byte by byte: whatever follows it on stdin is left for the command. */
    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int read;
        while ((read = in.read()) != -1 && read != '\n') {
            line.write(read);
        }
        if (read == -1 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static void stty(String mode) {
        try {
            Process stty = new ProcessBuilder("stty", mode).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stty.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // No stty: the password is echoed; nothing better to do here.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
