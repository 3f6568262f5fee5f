package dev.lockwise.cli.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A short, sorted, human-readable dump of the {@code lockwise.*} meters, for the end of the demo. */
public final class MetricsSummary {
    private MetricsSummary() {
    }

    public static List<String> lines(MeterRegistry registry) {
        return registry.getMeters().stream()
                .filter(meter -> meter.getId().getName().startsWith("lockwise."))
                .sorted(Comparator.comparing(MetricsSummary::name))
                .map(meter -> String.format("  %-62s %s", name(meter), value(meter)))
                .toList();
    }

    private static String name(Meter meter) {
        String tags = meter.getId().getTags().stream().map(Tag::getValue).collect(Collectors.joining(","));
        return meter.getId().getName() + (tags.isEmpty() ? "" : "{" + tags + "}");
    }

    private static String value(Meter meter) {
        if (meter instanceof Counter counter) {
            return String.format("%.0f", counter.count());
        }
        if (meter instanceof Timer timer) {
            return String.format("count=%d mean=%.2fms max=%.2fms", timer.count(), timer.mean(TimeUnit.MILLISECONDS),
                    timer.max(TimeUnit.MILLISECONDS));
        }
        if (meter instanceof DistributionSummary summary) {
            return String.format("count=%d mean=%.2f max=%.0f", summary.count(), summary.mean(), summary.max());
        }
        if (meter instanceof Gauge gauge) {
            return String.format("%.0f now", gauge.value());
        }
        return "";
    }
}
