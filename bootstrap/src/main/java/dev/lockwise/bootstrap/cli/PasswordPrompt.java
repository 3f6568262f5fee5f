package dev.lockwise.bootstrap.cli;

import dev.lockwise.bootstrap.config.ConfigException;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Asks for a password where only the user sees it: on the terminal without echo when there is one, else with the
 * prompt on stderr and the password read from the first line of stdin ({@code printf '%s\n' "$PW" | lockwise
 * --db-password …}). Never on stdout, which a script may be reading.
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
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            System.err.println();
            if (line == null) {
                throw new ConfigException("no password given (stdin ended before a line was read)");
            }
            return line;
        } catch (IOException e) {
            throw new ConfigException("could not read the password from stdin: " + e.getMessage());
        }
    }
}
