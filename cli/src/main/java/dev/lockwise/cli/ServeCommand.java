package dev.lockwise.cli;

import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.examples.http.HttpHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the example HTTP host (deposits, set-as-processed, an exclusive job) on 127.0.0.1"
                + " until interrupted. It is built from the plain-Java Lockwise entry point, without Guice.")
final class ServeCommand extends SessionCommand {
    @Option(names = "--port", paramLabel = "PORT", description = "Port on 127.0.0.1 (default 8080; 0 = any free).")
    int port = 8080;

    @Override
    void validate() {
        if (port < 0 || port > 65_535) {
            throw new dev.lockwise.cli.config.ConfigException("invalid value '" + port
                    + "' for --port: valid: 0 to 65535");
        }
    }

    @Override
    int connections(dev.lockwise.cli.config.Settings settings) {
        return HttpHost.THREADS + dev.lockwise.adapter.lock.JdbcLeaseLock.KEEP_IDLE;
    }

    @Override
    int run(Session session) throws Exception {
        try (Lockwise lockwise = session.lockwise(session.settings.strategy(), session.counts);
             HttpHost host = start(lockwise, session.database.dataSource())) {
            String url = "http://127.0.0.1:" + host.port();
            report.result(String.format("Serving on %s (%s strategy); Ctrl-C to stop.", url,
                    session.settings.strategy().label()), Report.fields("serving", url,
                    "strategy", session.settings.strategy().label()));
            new CountDownLatch(1).await();
            return ExitCodes.OK;
        }
    }

    private HttpHost start(Lockwise lockwise, javax.sql.DataSource dataSource) throws IOException {
        try {
            return new HttpHost(lockwise, dataSource, port).start();
        } catch (BindException busy) {
            throw new ConfigException("port " + port + " on 127.0.0.1 is already in use; choose another with --port"
                    + " (0 = any free port)");
        }
    }
}
