package dev.lockwise.cli.config;

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
            String authority = url.substring(JDBC.length()).split("[/?]", 2)[0];
            if (authority.contains("@")) {
                // PgJDBC takes no USER:PASSWORD@ (it would read them as a host name and print it in its errors).
                throw new IllegalArgumentException("a jdbc:postgresql:// URL cannot carry USER:PASSWORD@ (give"
                        + " db.user, and the password by environment or prompt; or use a postgres:// URL)");
            }
            return url;
        }
        if (url.startsWith("invalid:")) {
            throw new IllegalArgumentException(url.substring("invalid:".length()));
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
        int at = rest.lastIndexOf('@');
        int pathOrQuery = indexOfAny(rest, at < 0 ? 0 : at + 1);
        if (at >= 0 && indexOfAny(rest, 0) < at) {
            // A '/' or '?' before the '@': a password with an unescaped '/' or '?', which would be split apart.
            throw new IllegalArgumentException("the user or password has a '/' or '?' that is not %-escaped");
        }
        String authority = pathOrQuery < 0 ? rest : rest.substring(0, pathOrQuery);
        String tail = pathOrQuery < 0 ? "" : rest.substring(pathOrQuery);
        int queryStart = tail.indexOf('?');
        String query = queryStart < 0 ? "" : tail.substring(queryStart + 1);
        String path = queryStart < 0 ? tail : tail.substring(0, queryStart);
        String database = path.startsWith("/") ? decode(path.substring(1)) : "";
        String user = null;
        String password = null;
        int userEnd = authority.lastIndexOf('@');
        if (userEnd >= 0) {
            String userInfo = authority.substring(0, userEnd);
            authority = authority.substring(userEnd + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        List<String> parameters = new ArrayList<>();
        String hostParameter = null;
        String portParameter = null;
        for (String parameter : query.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            String value = parameter.contains("=") ? decode(parameter.substring(parameter.indexOf('=') + 1)) : "";
            if (parameter.startsWith("user=")) {
                user = value;
            } else if (parameter.startsWith("password=")) {
                password = value;
            } else if (parameter.startsWith("dbname=")) {
                database = value;
            } else if (parameter.startsWith("host=")) {
                hostParameter = value;
            } else if (parameter.startsWith("port=")) {
                portParameter = value;
            } else if (parameter.startsWith("hostaddr=") || parameter.startsWith("service=")) {
                throw new IllegalArgumentException("the libpq parameters hostaddr and service are not supported;"
                        + " name the host in the URL");
            } else {
                parameters.add(parameter);
                continue;
            }
        }
        if (hostParameter != null && hostParameter.startsWith("/")) {
            throw new IllegalArgumentException("a Unix-domain socket directory (host=/…) cannot be used; name a host");
        }
        String hosts = hostParameter != null ? hostParameter : authority.isEmpty() ? "localhost" : authority;
        if (portParameter != null) {
            hosts = withPorts(hosts, portParameter);
        }
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

    private static int indexOfAny(String text, int from) {
        int slash = text.indexOf('/', from);
        int question = text.indexOf('?', from);
        return slash < 0 ? question : question < 0 ? slash : Math.min(slash, question);
    }

    /** {@code h1,h2} with ports {@code 5432,5433} (or one port for all) as {@code h1:5432,h2:5433}. */
    static String withPorts(String hosts, String ports) {
        String[] hostList = hosts.split(",");
        String[] portList = ports.split(",");
        if (portList.length != 1 && portList.length != hostList.length) {
            throw new IllegalArgumentException("give one port, or one per host");
        }
        List<String> joined = new ArrayList<>();
        for (int i = 0; i < hostList.length; i++) {
            String host = hostList[i].trim();
            if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]"; // a bare IPv6 address
            }
            String port = portList.length == 1 ? portList[0].trim() : portList[i].trim();
            joined.add(port.isEmpty() ? host : host + ":" + port);
        }
        return String.join(",", joined);
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
