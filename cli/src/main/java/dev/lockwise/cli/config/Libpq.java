package dev.lockwise.cli.config;

import java.util.AbstractMap;
import java.util.EnumMap;
import java.util.Map;

/**
 * libpq's environment variables, read the way {@code psql} reads them, as the lowest-precedence source of the
 * connection settings: {@code PGHOST}, {@code PGPORT} and {@code PGDATABASE} make a URL (host {@code localhost},
 * port 5432 and database {@code PGUSER} or {@code postgres} where one is missing); {@code PGUSER} and
 * {@code PGPASSWORD} give the user and password. With none of the first three set, no URL comes from here (and an
 * embedded PostgreSQL starts, as with no URL at all).
 */
final class Libpq {
    private Libpq() {
    }

    /** Each setting libpq's variables give, with the variable it came from. */
    static Map<Setting, Map.Entry<String, String>> settings(Map<String, String> environment) {
        Map<Setting, Map.Entry<String, String>> found = new EnumMap<>(Setting.class);
        String host = present(environment, "PGHOST");
        String port = present(environment, "PGPORT");
        String database = present(environment, "PGDATABASE");
        String user = present(environment, "PGUSER");
        if (host != null || port != null || database != null) {
            String from = String.join(", ", java.util.stream.Stream.of(host != null ? "PGHOST" : null,
                    port != null ? "PGPORT" : null, database != null ? "PGDATABASE" : null)
                    .filter(java.util.Objects::nonNull).toList());
            String name = database != null ? database : user != null ? user : "postgres";
            String url;
            if (host != null && host.startsWith("/")) {
                url = "unix:" + host;
            } else {
                try {
                    url = "postgres://" + PostgresUrl.withPorts(host == null ? "localhost" : host,
                            port == null ? "5432" : port) + "/"
                            + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
                            .replace("+", "%20");
                } catch (IllegalArgumentException e) {
                    url = "invalid:" + e.getMessage();
                }
            }
            found.put(Setting.DB_URL, new AbstractMap.SimpleImmutableEntry<>(from, url));
        }
        if (user != null) {
            found.put(Setting.DB_USER, new AbstractMap.SimpleImmutableEntry<>("PGUSER", user));
        }
        String password = environment.get("PGPASSWORD");
        if (password != null) {
            found.put(Setting.DB_PASSWORD, new AbstractMap.SimpleImmutableEntry<>("PGPASSWORD", password));
        }
        return found;
    }

    private static String present(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
