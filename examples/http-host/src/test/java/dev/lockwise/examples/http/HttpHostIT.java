package dev.lockwise.examples.http;

import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.Strategy;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The example host, driven concurrently over HTTP; the invariants are checked in the database. */
class HttpHostIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(24);

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> post(int port, String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void concurrentRequestsKeepEveryInvariant() throws Exception {
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(Strategy.ADAPTIVE).build();
             HttpHost host = new HttpHost(lockwise, DB.dataSource(), 0).start()) {
            int port = host.port();
            for (int i = 0; i < 5; i++) {
                assertThat(post(port, "/accounts?username=user" + i).statusCode()).isEqualTo(201);
            }
            List<Long> facts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                facts.add(Long.parseLong(post(port, "/verfacts").body().strip()));
            }

            AtomicInteger deposits = new AtomicInteger();
            AtomicInteger processedByMe = new AtomicInteger();
            ConcurrentHashMap<Long, Boolean> jobGenerations = new ConcurrentHashMap<>();
            AtomicInteger processedByJobs = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        HttpResponse<String> deposit = post(port, "/deposits?username=user"
                                + ThreadLocalRandom.current().nextInt(5) + "&amount=1.25");
                        assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
                        deposits.incrementAndGet();
                        long fact = facts.get(ThreadLocalRandom.current().nextInt(20));
                        HttpResponse<String> process = post(port, "/verfacts/process?id=" + fact);
                        assertThat(process.statusCode()).isEqualTo(200);
                        if (process.body().strip().equals("processed")) {
                            processedByMe.incrementAndGet();
                        }
                    }
                    if (thread % 4 == 0) {
                        HttpResponse<String> job = post(port, "/jobs/process-pending?limit=3");
                        assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
                        String[] parts = job.body().strip().split(" ");
                        processedByJobs.addAndGet(Integer.parseInt(parts[0]));
                        assertThat(jobGenerations.put(Long.parseLong(parts[1]), true)).isNull();
                    }
                    return null;
                }));
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(3, TimeUnit.MINUTES)).isTrue();
            for (Future<?> future : futures) {
                future.get();
            }

            BigDecimal total = (BigDecimal) DB.queryValue("SELECT sum(balance) FROM account");
            assertThat(total).isEqualByComparingTo(BigDecimal.valueOf(deposits.get()).multiply(new BigDecimal("1.25")));
            assertThat(DB.queryValue("SELECT sum(version) FROM account")).isEqualTo(BigDecimal.valueOf(deposits.get()));
            long processed = (Long) DB.queryValue("SELECT count(*) FROM verfact WHERE processed");
            assertThat(processed).isEqualTo(processedByMe.get() + processedByJobs.get());
            assertThat(DB.queryValue("SELECT count(*) FROM verfact WHERE version <> CASE WHEN processed THEN 2 ELSE 1 END"))
                    .isEqualTo(0L);
            assertThat(jobGenerations).hasSize(4);

            assertThat(post(port, "/deposits?username=user0&amount=abc").statusCode()).isEqualTo(400);
            assertThat(post(port, "/deposits?username=ghost&amount=1").statusCode()).isEqualTo(404);
            assertThat(post(port, "/verfacts/process?id=99999").statusCode()).isEqualTo(404);
            // A page of another origin (a browser sends its Origin on a cross-site POST) is refused, and so is a
            // request addressed to another host name (DNS rebinding); nothing is written.
            HttpResponse<String> crossSite = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/accounts?username=csrf")).header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(crossSite.statusCode()).isEqualTo(403);
            HttpResponse<String> sameSite = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                            + "/verfacts")).header("Origin", "http://localhost:" + port)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sameSite.statusCode()).isEqualTo(201);
            assertThat(DB.queryValue("SELECT count(*) FROM account WHERE username = 'csrf'")).isEqualTo(0L);
        }
    }
}
