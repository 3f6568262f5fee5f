package dev.lockwise.cli.bench;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.DataFormatException;

/**
 * What one run of deposits measured, before it becomes a cell: acknowledged operations with their latencies, the
 * strategy's counters over the run, and the invariant check ({@code broken} is null when every balance and version
 * equalled what was acknowledged). The runs of one cell are pooled with {@link #plus}. A run measured in a worker
 * JVM travels to the bench as one line of text ({@link #encode}, {@link #decode}).
 */
public record DepositRun(Driver.Measured measured, long conflicts, long retries, long exhausted, long errors, String broken) {
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    DepositRun plus(DepositRun other) {
        Histogram both = measured.latencyMicros().copy();
        both.add(other.measured.latencyMicros());
        return new DepositRun(new Driver.Measured(measured.operations() + other.measured.operations(),
                measured.seconds() + other.measured.seconds(), both), conflicts + other.conflicts,
                retries + other.retries, exhausted + other.exhausted, errors + other.errors,
                broken != null ? broken : other.broken);
    }

    CellResult result(String workload, String strategy, int accounts, int callers) {
        return measured.result(workload, strategy, accounts, callers, conflicts, retries, exhausted, errors, broken);
    }

    /** One line, space-separated: the counts, the histogram (HdrHistogram's compressed form), the invariant. */
    String encode() {
        Histogram latency = measured.latencyMicros();
        ByteBuffer buffer = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
        int length = latency.encodeIntoCompressedByteBuffer(buffer);
        byte[] histogram = new byte[length];
        buffer.flip().get(histogram);
        return String.join(" ", Long.toString(measured.operations()), Double.toString(measured.seconds()),
                Long.toString(conflicts), Long.toString(retries), Long.toString(exhausted), Long.toString(errors),
                BASE64.encodeToString(histogram),
                broken == null ? "-" : BASE64.encodeToString(broken.getBytes(StandardCharsets.UTF_8)));
    }

    static DepositRun decode(String line) {
        String[] fields = line.split(" ");
        if (fields.length != 8) {
            throw new IllegalArgumentException("not a deposit run: " + line);
        }
        try {
            Histogram latency = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(BASE64_DECODER.decode(fields[6])), 0);
            String broken = fields[7].equals("-") ? null
                    : new String(BASE64_DECODER.decode(fields[7]), StandardCharsets.UTF_8);
            return new DepositRun(new Driver.Measured(Long.parseLong(fields[0]), Double.parseDouble(fields[1]),
                    latency), Long.parseLong(fields[2]), Long.parseLong(fields[3]), Long.parseLong(fields[4]),
                    Long.parseLong(fields[5]), broken);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not a deposit run histogram: " + e.getMessage(), e);
        }
    }
}
