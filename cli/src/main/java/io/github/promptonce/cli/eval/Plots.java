package io.github.promptonce.cli.eval;

import io.github.promptonce.cli.OutputFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The eval plots, PNG, drawn headless with JFreeChart: {@code dice_boxplot.png} (slice Dice on the structure
 * slices, per protocol × model) and one {@code slices-<volume>.png} per volume (slice Dice along the slice axis,
 * one line per model × protocol; gaps where truth and prediction are both empty, 0 on false-positive slices; the
 * structure's extent shaded).
 */
public final class Plots {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    /** Distinct, readable series colours (Tableau 10). */
    private static final Color[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
        new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
        new Color(0x9C755F), new Color(0xBAB0AC)};

    private Plots() {
    }

    /** Stages every plot for {@code dir} in {@code outputs}; returns the files it will write. */
    public static List<Path> write(OutputFiles outputs, Path dir, List<SliceRow> slices, boolean perLabel)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> written = new ArrayList<>();
        Path box = dir.resolve("dice_boxplot.png");
        JFreeChart boxChart = boxPlot(slices, perLabel);
        outputs.write(box, f -> ChartUtils.saveChartAsPNG(f.toFile(), boxChart, WIDTH, HEIGHT));
        written.add(box);
        Map<String, List<SliceRow>> byVolume = new TreeMap<>();
        slices.forEach(s -> byVolume.computeIfAbsent(s.volume(), k -> new ArrayList<>()).add(s));
        for (Map.Entry<String, List<SliceRow>> e : byVolume.entrySet()) {
            Path p = dir.resolve(volumeFileName(e.getKey()));
            JFreeChart chart = slicePlot(e.getKey(), e.getValue(), perLabel);
            outputs.write(p, f -> ChartUtils.saveChartAsPNG(f.toFile(), chart, WIDTH, HEIGHT));
            written.add(p);
        }
        return written;
    }

    /** {@code slices-<volume>.png}, the name's characters outside {@code [A-Za-z0-9._-]} replaced by {@code _}. */
    public static String volumeFileName(String volume) {
        return "slices-" + volume.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }

    static JFreeChart boxPlot(List<SliceRow> slices, boolean perLabel) {
        Map<List<String>, List<Double>> values = new LinkedHashMap<>();
        for (SliceRow s : slices) {
            if (s.structureSlice()) {
                String column = perLabel ? s.protocol() + " " + s.label() : s.protocol();
                values.computeIfAbsent(List.of(s.model(), column), k -> new ArrayList<>()).add(s.dice());
            }
        }
        DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        values.forEach((k, v) -> data.add(v, k.get(0), k.get(1)));
        JFreeChart chart = ChartFactory.createBoxAndWhiskerChart("Slice Dice on the structure slices", "protocol",
                "Dice", data, true);
        CategoryPlot plot = chart.getCategoryPlot();
        BoxAndWhiskerRenderer r = (BoxAndWhiskerRenderer) plot.getRenderer();
        r.setMeanVisible(false);
        r.setMaxOutlierVisible(true);
        r.setMaximumBarWidth(0.12);
        for (int i = 0; i < data.getRowCount(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        plot.getRangeAxis().setRange(0, 1.05);
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    static JFreeChart slicePlot(String volume, List<SliceRow> rows, boolean perLabel) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (SliceRow s : rows) {
            String key = s.model() + " " + s.protocol() + (perLabel ? " label " + s.label() : "");
            series.computeIfAbsent(key, k -> new XYSeries(k, true, false))
                    .addOrUpdate((Number) s.slice(), Double.isNaN(s.dice()) ? null : s.dice());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart("Slice Dice along the slices: " + volume, "slice", "Dice",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        plot.setRenderer(r);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        // the structure's extent (slices whose truth holds it): outside it every non-zero prediction is a false positive
        int first = rows.stream().filter(SliceRow::structureSlice).mapToInt(SliceRow::slice).min().orElse(-1);
        int last = rows.stream().filter(SliceRow::structureSlice).mapToInt(SliceRow::slice).max().orElse(-1);
        if (first >= 0) {
            IntervalMarker m = new IntervalMarker(first - 0.5, last + 0.5, new Color(0xEEF3F8));
            m.setLabel("structure");
            m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m, Layer.BACKGROUND);
        }
        plot.getRangeAxis().setRange(0, 1.05);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        style(chart);
        return chart;
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
    }
}
