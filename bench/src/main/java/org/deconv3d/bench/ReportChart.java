package org.deconv3d.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.File;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/** The chart of a benchmark run: GFLOP/s per shape, one bar per backend or peer, the machine's peak as a line. */
final class ReportChart {

    private ReportChart() {
    }

    static void render(List<Measurement> results, int threads, double peak, String subtitle, File png)
            throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String shape : ReportTable.shapes(results)) {
            for (Measurement m : results) {
                if (m.shape().equals(shape) && (m.threads() == threads || m.backend().equals("reference"))) {
                    data.addValue(m.gflops(), m.backend(), shape);
                }
            }
        }
        renderBars(data, String.format(Locale.ROOT, "3D transposed convolution, %d thread%s", threads,
                threads == 1 ? "" : "s"), "shape", peak, subtitle, png);
    }

    /** A bar chart of GFLOP/s ({@code data}: series = backend, category = what was run) with the peak as a line. */
    static void renderBars(DefaultCategoryDataset data, String title, String categories, double peak,
            String subtitle, File png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        JFreeChart chart = ChartFactory.createBarChart(title, categories, "GFLOP/s (log scale)", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle));
        CategoryPlot plot = chart.getCategoryPlot();
        LogAxis axis = new LogAxis("GFLOP/s (log scale)");
        axis.setBase(10);
        axis.setTickUnit(new NumberTickUnit(1.0)); // one tick per power of ten
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        double top = peak * 1.6;
        double bottom = Double.MAX_VALUE;
        for (int r = 0; r < data.getRowCount(); r++) {
            for (int c = 0; c < data.getColumnCount(); c++) {
                Number v = data.getValue(r, c);
                if (v != null) {
                    top = Math.max(top, v.doubleValue() * 1.6);
                    bottom = Math.min(bottom, v.doubleValue() / 2);
                }
            }
        }
        axis.setRange(Math.min(bottom, peak / 10), top);
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker line = new ValueMarker(peak, Color.RED, new BasicStroke(2f));
        line.setLabel(String.format(Locale.ROOT, "machine peak %.0f GFLOP/s", peak));
        line.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        line.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(line);
        plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(1.5f);
        ChartUtils.saveChartAsPNG(png, chart, 1100, 560);
    }
}
