package dev.lockwise.cli.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a process this command line starts (the command under {@code exclusive}, pgbench) must not inherit: the
 * database password in any of the variables it may be in, and a URL that carries credentials. A child's
 * environment is readable in {@code /proc} for as long as it runs.
 */
public final class ChildEnvironment {
    /** A password parameter, or {@code user:password@} before the host. */
    private static final Pattern CREDENTIALS_IN_URL = Pattern.compile("(?i)(password=|//[^/@]*:[^/@]*@)");

    private ChildEnvironment() {
    }

    /**
     * Removes every secret from {@code environment}, in place.
     *
     * @param environment a child's environment, as inherited from this process
     */
    public static void removeSecrets(Map<String, String> environment) {
        environment.remove(Setting.DB_PASSWORD.environmentVariable());
        environment.remove("PGPASSWORD");
        String url = environment.get(Setting.DB_URL.environmentVariable());
        if (url != null && CREDENTIALS_IN_URL.matcher(url).find()) {
            environment.remove(Setting.DB_URL.environmentVariable());
        }
    }
}
