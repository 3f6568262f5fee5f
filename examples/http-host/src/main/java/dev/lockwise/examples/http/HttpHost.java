package dev.lockwise.examples.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lockwise.adapter.lock.FencedJdbcVerFactProcessor;
import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.LockwiseException;
import dev.lockwise.domain.NotFoundException;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * An example host: a small HTTP service built only from the library — the plain-Java {@link Lockwise} entry point (no
 * Guice) and a fenced batch job — on the JDK's {@code HttpServer}, with no logging backend, CLI or database server of
 * Lockwise's own on its class path (the build checks its dependency tree). Plain-text responses; errors map to 400 (bad input), 403 (not addressed to
 * 127.0.0.1/localhost, or sent by a web page of another origin), 404 (unknown id), 409 (refused: lock unavailable,
 * retries exhausted…) and 503 (database unavailable).
 *
 * <pre>
 * POST /accounts?username=U[&amp;balance=B]       → 201, "ID"
 * POST /deposits?username=U&amp;amount=A           → 200, "BALANCE VERSION"
 * POST /verfacts                                 → 201, "ID"
 * POST /verfacts/process?id=N                    → 200, "processed" | "already-processed"
 * POST /jobs/process-pending?limit=N             → 200, "COUNT GENERATION" (run exclusive, fenced writes)
 * </pre>
 */
public final class HttpHost implements AutoCloseable {
    static final LockId JOB_LOCK = new LockId("http-process-pending");

    private final Lockwise lockwise;
    private final FencedJdbcVerFactProcessor pending;
    private final HttpServer server;
    /** Requests served at once: the most database connections it uses, with the lease lock's reserve beside them. */
    public static final int THREADS = 32;

    private final ExecutorService workers;

    /**
     * @param lockwise   the use cases
     * @param dataSource the same data source Lockwise was built on: the fenced batch job writes through it
     * @param port       0 for any free port
     */
    public HttpHost(Lockwise lockwise, DataSource dataSource, int port) throws IOException {
        this.lockwise = Objects.requireNonNull(lockwise, "lockwise");
        this.pending = new FencedJdbcVerFactProcessor(dataSource, lockwise.options().leaseTable(),
                lockwise.options().lockTimeout());
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        this.workers = Executors.newFixedThreadPool(THREADS);
        server.setExecutor(workers);
        server.createContext("/accounts", exchange -> handle(exchange, this::openAccount));
        server.createContext("/deposits", exchange -> handle(exchange, this::deposit));
        server.createContext("/verfacts/process", exchange -> handle(exchange, this::process));
        server.createContext("/verfacts", exchange -> handle(exchange, this::recordFact));
        server.createContext("/jobs/process-pending", exchange -> handle(exchange, this::processPending));
    }

    public HttpHost start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private record Response(int status, String body) {
    }

    @FunctionalInterface
    private interface Handler {
        Response handle(Map<String, String> query) throws Exception;
    }

    private Response openAccount(Map<String, String> query) {
        Account account = lockwise.openAccount().open(new Username(required(query, "username")),
                Money.parse(query.getOrDefault("balance", "0")));
        return new Response(201, Long.toString(account.id().value()));
    }

    private Response deposit(Map<String, String> query) {
        Account after = lockwise.deposit().depositTo(new Username(required(query, "username")),
                Money.parse(required(query, "amount")));
        return new Response(200, after.balance() + " " + after.version());
    }

    private Response recordFact(Map<String, String> query) {
        VerFact fact = lockwise.recordVerFact().record();
        return new Response(201, Long.toString(fact.id().value()));
    }

    private Response process(Map<String, String> query) {
        ProcessingOutcome outcome = lockwise.setAsProcessed().process(VerFactId.parse(required(query, "id")));
        return new Response(200, outcome == ProcessingOutcome.PROCESSED_BY_THIS_CALL ? "processed"
                : "already-processed");
    }

    private Response processPending(Map<String, String> query) throws Exception {
        int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
        return lockwise.runExclusive().run(JOB_LOCK, LeaseTerms.tryOnce(Duration.ofSeconds(10))
                .waitingUpTo(Duration.ofSeconds(5)), lease -> {
                    int count = pending.processPending(lease, limit);
                    return new Response(200, count + " " + lease.generation());
                });
    }

    private static String required(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null) {
            throw new InvalidInputException("missing parameter '" + name + "'");
        }
        return value;
    }

    private boolean fromThisHost(HttpExchange exchange) {
        int port = port();
        java.util.Set<String> self = java.util.Set.of("127.0.0.1:" + port, "localhost:" + port);
        String host = exchange.getRequestHeaders().getFirst("Host");
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        return host != null && self.contains(host.toLowerCase(java.util.Locale.ROOT))
                && (origin == null || self.contains(origin.toLowerCase(java.util.Locale.ROOT)
                .replaceFirst("^http://", "")));
    }

    private void handle(HttpExchange exchange, Handler handler) throws IOException {
        Response response;
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                response = new Response(405, "use POST");
            } else if (!fromThisHost(exchange)) {
                // A web page the user visits may POST here (no preflight for a body-less POST), or reach it through
                // a DNS name rebound to 127.0.0.1: only requests addressed to this host, and not sent by a page of
                // another origin, are served.
                response = new Response(403, "only requests to 127.0.0.1 or localhost, not from a web page of"
                        + " another origin");
            } else {
                response = handler.handle(query(exchange.getRequestURI().getRawQuery()));
            }
        } catch (InvalidInputException | NumberFormatException e) {
            response = new Response(400, e.getMessage());
        } catch (NotFoundException e) {
            response = new Response(404, e.getMessage());
        } catch (DatabaseUnavailableException e) {
            response = new Response(503, e.getMessage());
        } catch (LockwiseException e) {
            response = new Response(409, e.getMessage());
        } catch (Exception e) {
            response = new Response(500, "unexpected error: " + e);
        }
        byte[] body = (response.body() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            values.put(key, value);
        }
        return values;
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
