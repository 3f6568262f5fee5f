package dev.lockwise.bootstrap.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Database URLs as users bring them: PgJDBC's {@code jdbc:postgresql://HOST[:PORT]/DB?…} as it is, and libpq's
 * {@code postgres://[USER[:PASSWORD]@]HOST[:PORT][,HOST[:PORT]…]/DB?…} (as {@code psql} takes it) turned into one.
 * Credentials in a libpq URL are taken out of it (see {@link #credentials}); common libpq parameters are renamed to
 * PgJDBC's. Error messages never repeat the URL, which may carry a password.
 */
public final class PostgresUrl {
    private static final String JDBC = "jdbc:postgresql://";
    /** libpq parameter → PgJDBC parameter. Others pass through under their own name. */
    private static final Map<String, String> PARAMETERS = Map.of(
            "application_name", "ApplicationName",
            "connect_timeout", "connectTimeout",
            "target_session_attrs", "targetServerType");
    private static final Map<String, String> TARGET_SESSION_ATTRS = Map.of(
            "any", "any", "read-write", "primary", "primary", "primary", "read-only", "secondary",
            "standby", "secondary", "prefer-standby", "preferSecondary");

    /** User and password found in a libpq URL (either may be null). */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
        }
    }

    private PostgresUrl() {
    }

    /** @throws IllegalArgumentException with a reason that does not repeat the URL */
    public static String toJdbc(String url) {
        if (url.startsWith(JDBC)) {
            if (url.length() == JDBC.length()) {
                throw new IllegalArgumentException("no host after jdbc:postgresql://");
            }
            return url;
        }
        if (url.startsWith("unix:")) {
            throw new IllegalArgumentException("PGHOST names a Unix-domain socket directory, which Lockwise cannot"
                    + " use; set PGHOST to a host name");
        }
        Parsed parsed = parse(url).orElseThrow(() -> new IllegalArgumentException(
                "not a jdbc:postgresql:// or postgres:// URL"));
        StringBuilder jdbc = new StringBuilder(JDBC).append(parsed.hosts).append('/').append(parsed.database);
        List<String> query = new ArrayList<>();
        for (String parameter : parsed.parameters) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            if (name.equals("user") || name.equals("password") || name.equals("dbname")) {
                continue;
            }
            if (name.equals("target_session_attrs")) {
                String mapped = TARGET_SESSION_ATTRS.get(decode(value));
                if (mapped == null) {
                    throw new IllegalArgumentException("target_session_attrs must be one of "
                            + String.join(", ", TARGET_SESSION_ATTRS.keySet()));
                }
                value = mapped;
            }
            query.add(PARAMETERS.getOrDefault(name, name) + "=" + value);
        }
        if (!query.isEmpty()) {
            jdbc.append('?').append(String.join("&", query));
        }
        return jdbc.toString();
    }

    /** The user and password a libpq URL carries, in its authority or its query; empty for PgJDBC URLs. */
    public static Optional<Credentials> credentials(String url) {
        if (url == null) {
            return Optional.empty();
        }
        return parse(url.trim()).map(parsed -> new Credentials(parsed.user, parsed.password))
                .filter(credentials -> credentials.user() != null || credentials.password() != null);
    }

    private record Parsed(String user, String password, String hosts, String database, List<String> parameters) {
    }

    private static Optional<Parsed> parse(String url) {
        String rest;
        if (url.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else if (url.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else {
            return Optional.empty();
        }
        int queryStart = rest.indexOf('?');
        String query = queryStart < 0 ? "" : rest.substring(queryStart + 1);
        rest = queryStart < 0 ? rest : rest.substring(0, queryStart);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        List<String> parameters = new ArrayList<>();
        for (String parameter : query.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            parameters.add(parameter);
            String value = parameter.contains("=") ? decode(parameter.substring(parameter.indexOf('=') + 1)) : "";
            if (parameter.startsWith("user=")) {
                user = value;
            } else if (parameter.startsWith("password=")) {
                password = value;
            } else if (parameter.startsWith("dbname=")) {
                database = value;
            }
        }
        String hosts = authority.isEmpty() ? "localhost" : authority;
        for (String host : hosts.split(",")) {
            String port = host.startsWith("[") ? host.substring(host.indexOf(']') + 1) : host.contains(":")
                    ? host.substring(host.indexOf(':')) : "";
            if (!port.isEmpty() && !port.matches(":\\d{1,5}")) {
                throw new IllegalArgumentException("the port must be a number");
            }
        }
        if (database.isEmpty()) {
            database = user != null && !user.isEmpty() ? user : "postgres";
        }
        return Optional.of(new Parsed(user, password, hosts, encodePath(database), parameters));
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a malformed %-escape");
        }
    }

    private static String encodePath(String database) {
        return java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
