package dev.lockwise.cli.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/** The bench's outputs: a terminal table, Markdown and CSV of every cell, and a PNG chart (XChart). */
public final class Reports {
    public static final String MARKDOWN = "results.md";
    public static final String CSV = "results.csv";
    public static final String CHART = "throughput.png";

    private Reports() {
    }

    private static final String[] HEADER = {"workload", "strategy", "rows", "callers", "ops", "ops/s", "p50 ms",
            "p95 ms", "p99 ms", "conflicts", "retries", "exhausted", "errors", "pgbench tps",
            "÷ pgbench [95 % CI] verdict", "rounds k ops/s", "invariant"};

    private static List<String> row(CellResult cell) {
        return List.of(cell.workload(), cell.strategy(), Integer.toString(cell.rows()), Integer.toString(cell.callers()),
                Long.toString(cell.operations()), format(cell.operationsPerSecond(), 0), format(cell.p50Millis(), 2),
                format(cell.p95Millis(), 2), format(cell.p99Millis(), 2), Long.toString(cell.conflicts()),
                Long.toString(cell.retries()), Long.toString(cell.exhausted()), Long.toString(cell.errors()),
                cell.pgbenchTps().isPresent() ? format(cell.pgbenchTps().getAsDouble(), 0) : "",
                cell.versusPgbench().map(PairedComparison::format)
                        .orElse(cell.ratio().isPresent() ? format(cell.ratio().getAsDouble(), 2) : ""),
                cell.roundRates().stream().map(rate -> format(rate / 1000, 1)).collect(Collectors.joining(" ")),
                cell.invariantHolds() ? "ok" : "FAILED: " + cell.invariantDetail());
    }

    private static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static final String OPEN_LOOP = "open-loop";

    private static List<CellResult> closedLoop(List<CellResult> cells) {
        return cells.stream().filter(cell -> !cell.workload().equals(OPEN_LOOP)).toList();
    }

    /** A fixed-width table for the terminal (the open-loop cells have their own, {@link #openLoop}). */
    public static String table(List<CellResult> cells) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(HEADER));
        closedLoop(cells).forEach(cell -> rows.add(row(cell)));
        int[] widths = new int[HEADER.length];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], Math.min(row.get(i).length(), i == HEADER.length - 1 ? 60 : 20));
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String value = row.get(i);
                boolean numeric = i >= 2 && i < HEADER.length - 1;
                text.append(numeric ? String.format("%" + widths[i] + "s", value)
                        : String.format("%-" + widths[i] + "s", value)).append(i + 1 < row.size() ? "  " : "");
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** The closed-loop cells as a Markdown table (the open-loop cells have their own, {@link #openLoop}). */
    public static String markdown(List<CellResult> cells) {
        StringBuilder text = new StringBuilder("| ").append(String.join(" | ", HEADER)).append(" |\n|");
        text.append("---|".repeat(HEADER.length)).append('\n');
        for (CellResult cell : closedLoop(cells)) {
            text.append("| ").append(String.join(" | ", row(cell))).append(" |\n");
        }
        return text.toString();
    }

    /**
     * For each sweep cell where all three ran: adaptive against the better of optimistic and pessimistic (the one
     * with the higher median), round by round, as a Markdown grid (accounts × callers) of ratios with their 95 %
     * interval and verdict; a cell whose interval lies wholly below 0.95 is marked. Empty when the sweep did not
     * include all three.
     */
    public static Optional<String> adaptiveAgainstTheBetterOfTheTwo(List<CellResult> cells) {
        Map<String, CellResult> byKey = sweepByKey(cells);
        TreeSet<Integer> accounts = new TreeSet<>();
        TreeSet<Integer> callers = new TreeSet<>();
        for (CellResult cell : byKey.values()) {
            accounts.add(cell.rows());
            callers.add(cell.callers());
        }
        StringBuilder grid = new StringBuilder("adaptive ÷ the better of optimistic and pessimistic (which one in"
                + " brackets), paired by round, 95 % CI and verdict; \"BEHIND 0.95\" where the whole interval is below"
                + " 0.95:\n\n| accounts \\ callers |");
        callers.forEach(c -> grid.append(' ').append(c).append(" |"));
        grid.append("\n|---|").append("---|".repeat(callers.size())).append('\n');
        boolean any = false;
        for (int a : accounts) {
            grid.append("| ").append(a).append(" |");
            for (int c : callers) {
                Optional<Judged> judged = adaptiveVersusBetter(byKey, a, c);
                grid.append(' ').append(judged.map(Judged::format).orElse("")).append(" |");
                any |= judged.isPresent();
            }
            grid.append('\n');
        }
        return any ? Optional.of(grid.toString()) : Optional.empty();
    }

    /** What the batched strategy is judged against, and the ratio it must reach. */
    enum BatchedYardstick {
        /** pgbench running optimistic's statements, one deposit per transaction, in the same round. */
        PGBENCH_OPTIMISTIC("pgbench optimistic", 1.5),
        /** pgbench running the atomic {@code UPDATE … SET balance = balance + ?}, in the same round. */
        PGBENCH_ATOMIC("pgbench atomic", 1.0),
        /** Lockwise's own optimistic strategy, unbatched, in the same round. */
        OPTIMISTIC("optimistic", 1.0);

        final String label;
        final double goal;

        BatchedYardstick(String label, double goal) {
            this.label = label;
            this.goal = goal;
        }

        Optional<PairedComparison> compare(Map<String, CellResult> sweep, int accounts, int callers) {
            CellResult batched = sweep.get(sweepKey("batched", accounts, callers));
            CellResult other = sweep.get(sweepKey(this == PGBENCH_ATOMIC ? "baseline" : "optimistic", accounts,
                    callers));
            if (batched == null || other == null) {
                return Optional.empty();
            }
            return PairedComparison.of(batched.roundRates(), this == OPTIMISTIC ? other.roundRates()
                    : other.pgbenchRoundRates());
        }
    }

    /**
     * The batched strategy against its three yardsticks (see {@link BatchedYardstick}), round by round: one Markdown
     * table row per contention level with each ratio, its 95 % interval and its verdict against the goal (e.g. "ahead
     * of 1.5"). Empty when batched did not run or there is nothing to compare it with.
     */
    public static Optional<String> batchedAgainstItsYardsticks(List<CellResult> cells) {
        Map<String, CellResult> sweep = sweepByKey(cells);
        StringBuilder table = new StringBuilder("batched ÷ each yardstick, paired by round, 95 % CI; the verdict is"
                + " against the goal in the column's heading:\n\n| accounts | callers |");
        for (BatchedYardstick yardstick : BatchedYardstick.values()) {
            table.append(String.format(Locale.ROOT, " ÷ %s (goal ≥ %.1f) |", yardstick.label, yardstick.goal));
        }
        table.append("\n|---|---|").append("---|".repeat(BatchedYardstick.values().length)).append('\n');
        boolean any = false;
        for (CellResult cell : sweep.values()) {
            if (!cell.strategy().equals("batched")) {
                continue;
            }
            table.append("| ").append(cell.rows()).append(" | ").append(cell.callers()).append(" |");
            for (BatchedYardstick yardstick : BatchedYardstick.values()) {
                Optional<PairedComparison> paired = yardstick.compare(sweep, cell.rows(), cell.callers());
                any |= paired.isPresent();
                table.append(' ').append(paired.map(p -> String.format(Locale.ROOT, "%.2f [%.2f–%.2f] %s", p.ratio(),
                        p.lower(), p.upper(), verdictAgainst(p, yardstick.goal))).orElse("")).append(" |");
            }
            table.append('\n');
        }
        return any ? Optional.of(table.toString()) : Optional.empty();
    }

    private static String verdictAgainst(PairedComparison paired, double goal) {
        return paired.against(goal).label() + (goal == 1.0 ? "" : String.format(Locale.ROOT, " of %.1f", goal));
    }

    /** Adaptive's comparison with the better of the other two in one cell, and which of them that was. */
    record Judged(String better, Optional<PairedComparison> paired, double plainRatio) {
        String format() {
            return paired.map(p -> p.format() + (p.upper() < 0.95 ? " BEHIND 0.95" : ""))
                    .orElse(format(plainRatio, 2)) + " (" + better + ")";
        }

        private static String format(double value, int decimals) {
            return Reports.format(value, decimals);
        }
    }

    /**
     * The sweep's cells by {@link #sweepKey}: the one place a sweep cell is looked up by strategy and contention.
     *
     * @param cells every cell of a run
     * @return its sweep cells, keyed by strategy, accounts and callers
     */
    public static Map<String, CellResult> sweepByKey(List<CellResult> cells) {
        Map<String, CellResult> byKey = new LinkedHashMap<>();
        for (CellResult cell : cells) {
            if (cell.workload().equals("sweep")) {
                byKey.put(sweepKey(cell.strategy(), cell.rows(), cell.callers()), cell);
            }
        }
        return byKey;
    }

    /** @return the key of {@code strategy}'s sweep cell at {@code accounts} × {@code callers} in {@link #sweepByKey} */
    public static String sweepKey(String strategy, int accounts, int callers) {
        return strategy + "/" + accounts + "/" + callers;
    }

    /** Adaptive against the better of the other two at one contention level of a {@link #sweepByKey} map. */
    static Optional<Judged> adaptiveVersusBetter(Map<String, CellResult> sweep, int accounts, int callers) {
        return adaptiveVersusBetter(sweep.get(sweepKey("adaptive", accounts, callers)),
                sweep.get(sweepKey("optimistic", accounts, callers)),
                sweep.get(sweepKey("pessimistic", accounts, callers)));
    }

    static Optional<Judged> adaptiveVersusBetter(CellResult adaptive, CellResult optimistic, CellResult pessimistic) {
        if (adaptive == null || optimistic == null || pessimistic == null) {
            return Optional.empty();
        }
        CellResult better = optimistic.operationsPerSecond() >= pessimistic.operationsPerSecond()
                ? optimistic : pessimistic;
        double plain = better.operationsPerSecond() > 0
                ? adaptive.operationsPerSecond() / better.operationsPerSecond() : 0;
        return Optional.of(new Judged(better.strategy(),
                PairedComparison.of(adaptive.roundRates(), better.roundRates()), plain));
    }

    /**
     * How wide the intervals came out, so a reader can see what difference the rounds can resolve.
     *
     * @return a line with the median and the widest relative width of every paired interval in {@code cells}
     */
    public static String intervalWidths(List<CellResult> cells) {
        List<Double> widths = new ArrayList<>();
        Map<String, CellResult> sweep = sweepByKey(cells);
        for (CellResult cell : sweep.values()) {
            cell.versusPgbench().ifPresent(p -> widths.add(p.relativeWidth()));
            if (cell.strategy().equals("adaptive")) {
                adaptiveVersusBetter(sweep, cell.rows(), cell.callers())
                        .flatMap(Judged::paired).ifPresent(p -> widths.add(p.relativeWidth()));
            }
            if (cell.strategy().equals("batched")) {
                for (BatchedYardstick yardstick : BatchedYardstick.values()) {
                    yardstick.compare(sweep, cell.rows(), cell.callers()).ifPresent(p -> widths.add(p.relativeWidth()));
                }
            }
        }
        if (widths.isEmpty()) {
            return "No paired intervals (fewer than two rounds, or nothing to compare with).";
        }
        List<Double> sorted = widths.stream().sorted().toList();
        return String.format(Locale.ROOT, "Intervals: %s. Of %d intervals the median spans %.0f %% of its estimate,"
                        + " the widest %.0f %% (a difference about half the span wide can be told from noise).",
                PairedComparison.METHOD, sorted.size(), 100 * CellResult.median(sorted),
                100 * sorted.get(sorted.size() - 1));
    }

    /** Every cell, open-loop ones too, with the offered rate, p99.9 and each open-loop round's p99 as more columns. */
    public static String csv(List<CellResult> cells) {
        StringBuilder text = new StringBuilder(String.join(",", HEADER))
                .append(",offered/s,p99.9 ms,round p99 ms\n");
        for (CellResult cell : cells) {
            List<String> row = new ArrayList<>(row(cell));
            row.add(cell.offeredRate() > 0 ? format(cell.offeredRate(), 0) : "");
            row.add(format(cell.p999Millis(), 2));
            row.add(cell.roundP99Millis().stream().map(p99 -> format(p99, 2)).collect(Collectors.joining(" ")));
            text.append(row.stream().map(Reports::csvField).collect(Collectors.joining(","))).append('\n');
        }
        return text.toString();
    }

    /**
     * The open-loop cells: per contention level and offered rate, each strategy's achieved rate, latency percentiles
     * from intended start and p99 against optimistic's, then the highest rate each strategy sustained.
     *
     * @param cells    all cells (only the open-loop ones are used)
     * @param p99Bound the bound a sustained rate keeps p99 within, in milliseconds
     * @return the Markdown section, or empty when no open-loop cell ran
     */
    public static Optional<String> openLoop(List<CellResult> cells, double p99Bound) {
        List<CellResult> open = cells.stream().filter(cell -> cell.workload().equals(OPEN_LOOP)).toList();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        int rounds = open.get(0).roundP99Millis().size();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "Open loop: deposits offered at a fixed"
                + " rate whether or not earlier ones finished, up to %d in flight; latency counted from each"
                + " deposit's intended start (no coordinated omission). Each rate runs in %d round(s) (every"
                + " strategy once per round, the order rotated); a row's percentiles are those of its rounds'"
                + " latencies together. Sustained: at least 95 %% of the offered rate acknowledged and p99 within %s"
                + " ms. A strategy stops at its first rate not sustained. p99 ÷ optimistic's: %s, taken over the"
                + " rounds' p99s (lower: the whole interval below 1; higher: above); left blank with fewer than two"
                + " rounds, without optimistic, or where either was not sustained (its p99 then counts deposits"
                + " given up, a lower bound).%n%n",
                open.get(0).callers(), rounds, format(p99Bound, 0), PairedComparison.METHOD));
        Map<String, CellResult> optimistic = open.stream().filter(cell -> cell.strategy().equals("optimistic"))
                .collect(Collectors.toMap(Reports::openLoopKey, cell -> cell));
        text.append("| accounts | strategy | offered/s | achieved/s | p50 ms | p99 ms | p99.9 ms | sustained"
                        + " | p99 ÷ optimistic's |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Map<Integer, Double>> highest = new TreeMap<>();
        TreeSet<Integer> accounts = new TreeSet<>();
        for (CellResult cell : open) {
            boolean sustained = cell.sustained(p99Bound);
            text.append("| ").append(String.join(" | ", Integer.toString(cell.rows()), cell.strategy(),
                    format(cell.offeredRate(), 0), format(cell.achievedRate(), 0), format(cell.p50Millis(), 2),
                    format(cell.p99Millis(), 2), format(cell.p999Millis(), 2), sustained ? "yes" : "no",
                    p99AgainstOptimistic(cell, optimistic.get(openLoopKey(cell)), p99Bound)))
                    .append(" |\n");
            accounts.add(cell.rows());
            Map<Integer, Double> byAccounts = highest.computeIfAbsent(cell.strategy(), k -> new HashMap<>());
            byAccounts.putIfAbsent(cell.rows(), 0.0);
            if (sustained) {
                byAccounts.merge(cell.rows(), cell.offeredRate(), Math::max);
            }
        }
        text.append("\nHighest rate sustained (deposits/s; 0: not even the lowest):\n\n| strategy \\ accounts |");
        accounts.forEach(a -> text.append(' ').append(a).append(" |"));
        text.append("\n|---|").append("---|".repeat(accounts.size())).append('\n');
        highest.forEach((strategy, byAccounts) -> {
            text.append("| ").append(strategy).append(" |");
            accounts.forEach(a -> text.append(' ').append(byAccounts.containsKey(a)
                    ? format(byAccounts.get(a), 0) : "").append(" |"));
            text.append('\n');
        });
        return Optional.of(text.toString());
    }

    /** An open-loop cell's contention level and offered rate: cells with equal keys ran in the same rounds. */
    private static String openLoopKey(CellResult cell) {
        return cell.rows() + "@" + cell.offeredRate();
    }

    /**
     * A cell's p99 ÷ optimistic's at the same accounts and rate, paired by round; empty for optimistic itself, and
     * where either did not sustain the rate (a p99 with deposits given up in it is only a lower bound).
     */
    static String p99AgainstOptimistic(CellResult cell, CellResult optimistic, double p99Bound) {
        if (optimistic == null || cell == optimistic || !cell.sustained(p99Bound)
                || !optimistic.sustained(p99Bound)) {
            return "";
        }
        return PairedComparison.of(cell.roundP99Millis(), optimistic.roundP99Millis())
                .map(PairedComparison::formatLowerIsBetter).orElse("");
    }

    private static String csvField(String value) {
        return value.contains(",") || value.contains("\"") ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    /**
     * Writes the Markdown, CSV and PNG files into {@code directory}.
     *
     * @param p99Bound the open loop's bound on p99, in milliseconds
     * @return the files' paths
     */
    public static List<Path> write(List<CellResult> cells, Path directory, String preamble, double p99Bound)
            throws IOException {
        Files.createDirectories(directory);
        Path markdown = directory.resolve(MARKDOWN);
        Files.writeString(markdown, preamble + "\n" + markdown(cells) + "\n" + intervalWidths(cells) + "\n"
                + adaptiveAgainstTheBetterOfTheTwo(cells).map(grid -> "\n" + grid).orElse("")
                + batchedAgainstItsYardsticks(cells).map(table -> "\n" + table).orElse("")
                + openLoop(cells, p99Bound).map(section -> "\n" + section).orElse(""), StandardCharsets.UTF_8);
        Path csv = directory.resolve(CSV);
        Files.writeString(csv, csv(cells), StandardCharsets.UTF_8);
        Path chart = directory.resolve(CHART);
        ImageIO.write(chart(cells), "png", chart.toFile());
        return List.of(markdown, csv, chart);
    }

    /**
     * A point and its error bar: the geometric mean of the rounds' rates with half its 95 % t interval (XChart draws
     * symmetric bars; the interval of a geometric mean is nearly symmetric at these widths), or the single value
     * without a bar when there were fewer than two rounds.
     */
    private static double[] pointWithInterval(List<Double> rates, double fallback) {
        List<Double> ones = rates.stream().map(rate -> 1.0).toList();
        return PairedComparison.of(rates, ones)
                .map(mean -> new double[] {mean.ratio(), (mean.upper() - mean.lower()) / 2})
                .orElse(new double[] {fallback, 0});
    }

    /**
     * Throughput against contention (with each point's 95 % interval over the rounds as an error bar): one panel per caller count, accounts on a log axis (fewer accounts = more
     * contention), one line per strategy, pgbench running the same SQL dashed.
     */
    public static BufferedImage chart(List<CellResult> cells) {
        List<CellResult> sweep = cells.stream().filter(c -> c.workload().equals("sweep")).toList();
        TreeSet<Integer> callerCounts = sweep.stream().map(CellResult::callers)
                .collect(Collectors.toCollection(TreeSet::new));
        if (callerCounts.isEmpty()) {
            callerCounts.add(0);
        }
        List<BufferedImage> panels = new ArrayList<>();
        for (int callers : callerCounts) {
            XYChart chart = new XYChartBuilder().width(520).height(480)
                    .title(callers == 0 ? "no sweep cells" : "deposits/s, " + callers + " callers")
                    .xAxisTitle("accounts (log; fewer = hotter)").yAxisTitle("operations per second").build();
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
            chart.getStyler().setErrorBarsColorSeriesColor(true);
            Map<String, TreeMap<Integer, double[]>> lines = new TreeMap<>();
            for (CellResult cell : sweep.stream().filter(c -> c.callers() == callers).toList()) {
                lines.computeIfAbsent(cell.strategy(), k -> new TreeMap<>())
                        .put(cell.rows(), pointWithInterval(cell.roundRates(), cell.operationsPerSecond()));
                if (cell.pgbenchTps().isPresent()) {
                    lines.computeIfAbsent("pgbench " + cell.strategy(), k -> new TreeMap<>()).put(cell.rows(),
                            pointWithInterval(cell.pgbenchRoundRates(), cell.pgbenchTps().getAsDouble()));
                }
            }
            for (Map.Entry<String, TreeMap<Integer, double[]>> line : lines.entrySet()) {
                List<Integer> xs = new ArrayList<>(line.getValue().keySet());
                List<Double> ys = line.getValue().values().stream().map(point -> point[0]).toList();
                List<Double> errors = line.getValue().values().stream().map(point -> point[1]).toList();
                XYSeries series = chart.addSeries(line.getKey(), xs, ys, errors);
                series.setMarker(SeriesMarkers.CIRCLE);
                if (line.getKey().startsWith("pgbench")) {
                    series.setLineStyle(SeriesLines.DASH_DASH);
                }
            }
            if (lines.isEmpty()) {
                chart.addSeries("none", new double[]{1}, new double[]{0});
            }
            panels.add(BitmapEncoder.getBufferedImage(chart));
        }
        int width = panels.stream().mapToInt(BufferedImage::getWidth).sum();
        int height = panels.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        BufferedImage combined = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = combined.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, width, height);
        int x = 0;
        for (BufferedImage panel : panels) {
            graphics.drawImage(panel, x, 0, null);
            x += panel.getWidth();
        }
        graphics.dispose();
        return combined;
    }
}
