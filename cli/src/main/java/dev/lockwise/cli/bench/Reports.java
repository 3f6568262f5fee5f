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
            "p95 ms", "p99 ms", "conflicts", "retries", "exhausted", "errors", "pgbench tps", "ratio",
            "rounds k ops/s", "invariant"};

    private static List<String> row(CellResult cell) {
        return List.of(cell.workload(), cell.strategy(), Integer.toString(cell.rows()), Integer.toString(cell.callers()),
                Long.toString(cell.operations()), format(cell.operationsPerSecond(), 0), format(cell.p50Millis(), 2),
                format(cell.p95Millis(), 2), format(cell.p99Millis(), 2), Long.toString(cell.conflicts()),
                Long.toString(cell.retries()), Long.toString(cell.exhausted()), Long.toString(cell.errors()),
                cell.pgbenchTps().isPresent() ? format(cell.pgbenchTps().getAsDouble(), 0) : "",
                cell.ratio().isPresent() ? format(cell.ratio().getAsDouble(), 2) : "",
                cell.roundRates().stream().map(rate -> format(rate / 1000, 1)).collect(Collectors.joining(" ")),
                cell.invariantHolds() ? "ok" : "FAILED: " + cell.invariantDetail());
    }

    private static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A fixed-width table for the terminal. */
    public static String table(List<CellResult> cells) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(HEADER));
        cells.forEach(cell -> rows.add(row(cell)));
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

    public static String markdown(List<CellResult> cells) {
        StringBuilder text = new StringBuilder("| ").append(String.join(" | ", HEADER)).append(" |\n|");
        text.append("---|".repeat(HEADER.length)).append('\n');
        for (CellResult cell : cells) {
            text.append("| ").append(String.join(" | ", row(cell))).append(" |\n");
        }
        return text.toString();
    }

    /**
     * For each sweep cell where all three ran: adaptive's ops/s ÷ the better of optimistic and pessimistic, as a
     * Markdown grid (accounts × callers). Empty when the sweep did not include all three.
     */
    public static Optional<String> adaptiveAgainstTheBetterOfTheTwo(List<CellResult> cells) {
        Map<String, CellResult> byKey = new HashMap<>();
        TreeSet<Integer> accounts = new TreeSet<>();
        TreeSet<Integer> callers = new TreeSet<>();
        for (CellResult cell : cells) {
            if (cell.workload().equals("sweep")) {
                byKey.put(cell.strategy() + "/" + cell.rows() + "/" + cell.callers(), cell);
                accounts.add(cell.rows());
                callers.add(cell.callers());
            }
        }
        StringBuilder grid = new StringBuilder("adaptive ops/s ÷ max(optimistic, pessimistic):\n\n| accounts \\ callers |");
        callers.forEach(c -> grid.append(' ').append(c).append(" |"));
        grid.append("\n|---|").append("---|".repeat(callers.size())).append('\n');
        boolean any = false;
        for (int a : accounts) {
            grid.append("| ").append(a).append(" |");
            for (int c : callers) {
                CellResult adaptive = byKey.get("adaptive/" + a + "/" + c);
                CellResult optimistic = byKey.get("optimistic/" + a + "/" + c);
                CellResult pessimistic = byKey.get("pessimistic/" + a + "/" + c);
                if (adaptive == null || optimistic == null || pessimistic == null) {
                    grid.append("  |");
                    continue;
                }
                double better = Math.max(optimistic.operationsPerSecond(), pessimistic.operationsPerSecond());
                grid.append(' ').append(better > 0 ? format(adaptive.operationsPerSecond() / better, 2) : "-")
                        .append(" |");
                any = true;
            }
            grid.append('\n');
        }
        return any ? Optional.of(grid.toString()) : Optional.empty();
    }

    public static String csv(List<CellResult> cells) {
        StringBuilder text = new StringBuilder(String.join(",", HEADER)).append('\n');
        for (CellResult cell : cells) {
            text.append(row(cell).stream().map(Reports::csvField).collect(Collectors.joining(","))).append('\n');
        }
        return text.toString();
    }

    private static String csvField(String value) {
        return value.contains(",") || value.contains("\"") ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    /** Writes the Markdown, CSV and PNG files into {@code directory}; returns their paths. */
    public static List<Path> write(List<CellResult> cells, Path directory, String preamble) throws IOException {
        Files.createDirectories(directory);
        Path markdown = directory.resolve(MARKDOWN);
        Files.writeString(markdown, preamble + "\n" + markdown(cells)
                + adaptiveAgainstTheBetterOfTheTwo(cells).map(grid -> "\n" + grid).orElse(""), StandardCharsets.UTF_8);
        Path csv = directory.resolve(CSV);
        Files.writeString(csv, csv(cells), StandardCharsets.UTF_8);
        Path chart = directory.resolve(CHART);
        ImageIO.write(chart(cells), "png", chart.toFile());
        return List.of(markdown, csv, chart);
    }

    /**
     * Throughput against contention: one panel per caller count, accounts on a log axis (fewer accounts = more
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
            Map<String, TreeMap<Integer, Double>> lines = new TreeMap<>();
            for (CellResult cell : sweep.stream().filter(c -> c.callers() == callers).toList()) {
                lines.computeIfAbsent(cell.strategy(), k -> new TreeMap<>()).put(cell.rows(), cell.operationsPerSecond());
                if (cell.pgbenchTps().isPresent()) {
                    lines.computeIfAbsent("pgbench " + cell.strategy(), k -> new TreeMap<>())
                            .put(cell.rows(), cell.pgbenchTps().getAsDouble());
                }
            }
            for (Map.Entry<String, TreeMap<Integer, Double>> line : lines.entrySet()) {
                List<Integer> xs = new ArrayList<>(line.getValue().keySet());
                List<Double> ys = new ArrayList<>(line.getValue().values());
                XYSeries series = chart.addSeries(line.getKey(), xs, ys);
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
