import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;

import javax.imageio.ImageIO;

/**
 * Draws the IDE's icons (org.insight.ui/icons): each at 16x16 ({@code name.png}) and 32x32 ({@code name@2x.png}, which
 * SWT picks on a high-DPI screen), in a 16-unit coordinate space scaled by Java2D. Drawn here, in code, because they are
 * ours: no icon set to license. Run: {@code java tools/Icons.java plugins/org.insight.ui/icons}.
 */
public class Icons {
	static final Color RED = new Color(0xD0, 0x30, 0x30);
	static final Color DARK_RED = new Color(0x8A, 0x1C, 0x1C);
	static final Color GREEN = new Color(0x2E, 0x9A, 0x3E);
	static final Color DARK_GREEN = new Color(0x1C, 0x63, 0x27);
	static final Color BLUE = new Color(0x2F, 0x6F, 0xB8);
	static final Color ORANGE = new Color(0xE8, 0x8A, 0x1A);
	static final Color YELLOW = new Color(0xF2, 0xC9, 0x3B);
	static final Color GOLD = new Color(0xD9, 0xA4, 0x1E);
	static final Color GREY = new Color(0x80, 0x80, 0x80);
	static final Color DARK = new Color(0x40, 0x40, 0x40);
	static final Color PAPER = new Color(0xF4, 0xF4, 0xF0);

	public static void main(String[] args) throws IOException {
		File dir = new File(args.length > 0 ? args[0] : "plugins/org.insight.ui/icons");
		dir.mkdirs();
		Map<String, Consumer<Graphics2D>> icons = new java.util.LinkedHashMap<>();
		icons.put("record", Icons::record);
		icons.put("replay", Icons::replay);
		icons.put("recording_view", Icons::recordingView);
		icons.put("deadlocks_view", g -> cycle(g, ORANGE, true));
		icons.put("lock_profile_view", Icons::lockProfile);
		icons.put("function_profile_view", Icons::flame);
		icons.put("analyzer_results_view", Icons::results);
		icons.put("deadlock", g -> lock(g, ORANGE, new Color(0x9A, 0x58, 0x0A)));
		icons.put("actual_deadlock", g -> lock(g, RED, DARK_RED));
		icons.put("filtered_cycle", g -> cycle(g, GREY, false));
		icons.put("analyzer_finding", Icons::magnifier);
		for (var e : icons.entrySet()) {
			for (int scale : new int[] { 1, 2 }) {
				BufferedImage img = new BufferedImage(16 * scale, 16 * scale, BufferedImage.TYPE_INT_ARGB);
				Graphics2D g = img.createGraphics();
				g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
				g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
				g.scale(scale, scale);
				e.getValue().accept(g);
				g.dispose();
				ImageIO.write(img, "png", new File(dir, e.getKey() + (scale == 1 ? "" : "@2x") + ".png"));
			}
		}
	}

	/** A red record button. */
	static void record(Graphics2D g) {
		fillDraw(g, new Ellipse2D.Double(2, 2, 12, 12), RED, DARK_RED);
		g.setColor(new Color(255, 255, 255, 120));
		g.fill(new Ellipse2D.Double(4.5, 4, 4, 3));
	}

	/** A green play triangle before a circular arrow's tail: play it again. */
	static void replay(Graphics2D g) {
		g.setStroke(new BasicStroke(1.6f));
		g.setColor(BLUE);
		g.draw(new Arc2D.Double(1.5, 1.5, 13, 13, 100, 250, Arc2D.OPEN));
		Path2D t = new Path2D.Double();
		t.moveTo(6, 4.5);
		t.lineTo(12, 8);
		t.lineTo(6, 11.5);
		t.closePath();
		fillDraw(g, t, GREEN, DARK_GREEN);
	}

	/** A trace: a sheet of frames (lines) with a red record dot. */
	static void recordingView(Graphics2D g) {
		fillDraw(g, new RoundRectangle2D.Double(1.5, 2.5, 13, 11, 2, 2), PAPER, DARK);
		g.setColor(GREY);
		g.setStroke(new BasicStroke(1f));
		for (int y = 5; y <= 11; y += 2) {
			g.draw(new Line2D.Double(3.5, y + 0.5, y == 5 ? 9 : 12.5, y + 0.5));
		}
		fillDraw(g, new Ellipse2D.Double(10, 3.5, 4, 4), RED, DARK_RED);
	}

	/** Two arrows chasing each other: a lock-order cycle. */
	static void cycle(Graphics2D g, Color c, boolean locks) {
		g.setStroke(new BasicStroke(1.7f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		g.setColor(c);
		g.draw(new Arc2D.Double(2.5, 2.5, 11, 11, 20, 140, Arc2D.OPEN));
		g.draw(new Arc2D.Double(2.5, 2.5, 11, 11, 200, 140, Arc2D.OPEN));
		arrowHead(g, 2.9, 6.0, -0.2, 1);
		arrowHead(g, 13.1, 10.0, 0.2, -1);
		if (locks) {
			fillDraw(g, new RoundRectangle2D.Double(5.5, 6, 5, 4.5, 1, 1), GOLD, DARK);
		}
	}

	private static void arrowHead(Graphics2D g, double x, double y, double dx, double dir) {
		Path2D p = new Path2D.Double();
		p.moveTo(x - 2.2, y - 1.2 * dir);
		p.lineTo(x + dx, y + 1.8 * dir);
		p.lineTo(x + 2.2, y - 1.2 * dir);
		p.closePath();
		g.fill(p);
	}

	/** A padlock: a marker of a (potential or actual) deadlock. */
	static void lock(Graphics2D g, Color body, Color edge) {
		g.setColor(DARK);
		g.setStroke(new BasicStroke(1.6f));
		g.draw(new Arc2D.Double(4.5, 1.5, 7, 8, 0, 180, Arc2D.OPEN));
		g.draw(new Line2D.Double(4.5, 5.5, 4.5, 7.5));
		g.draw(new Line2D.Double(11.5, 5.5, 11.5, 7.5));
		fillDraw(g, new RoundRectangle2D.Double(2.5, 7, 11, 7.5, 2, 2), body, edge);
		g.setColor(edge);
		g.fill(new Ellipse2D.Double(7, 9, 2, 2));
		g.fill(new java.awt.geom.Rectangle2D.Double(7.5, 10, 1, 2.5));
	}

	/** A padlock beside bars: the lock profile. */
	static void lockProfile(Graphics2D g) {
		g.setColor(BLUE);
		g.fill(new java.awt.geom.Rectangle2D.Double(9, 9, 2, 6));
		g.fill(new java.awt.geom.Rectangle2D.Double(12, 4, 2, 11));
		g.setColor(DARK);
		g.setStroke(new BasicStroke(1.4f));
		g.draw(new Arc2D.Double(2, 3, 5, 6, 0, 180, Arc2D.OPEN));
		g.draw(new Line2D.Double(2, 6, 2, 8));
		g.draw(new Line2D.Double(7, 6, 7, 8));
		fillDraw(g, new RoundRectangle2D.Double(0.8, 7.5, 7.4, 6.5, 1.5, 1.5), GOLD, DARK);
	}

	/** A flame graph: stacked bars narrowing upwards. */
	static void flame(Graphics2D g) {
		Color[] c = { RED, ORANGE, new Color(0xEE, 0xA8, 0x2E), YELLOW };
		double[][] bars = { { 1, 12, 14 }, { 1, 9, 9 }, { 10.5, 9, 4.5 }, { 2, 6, 5.5 }, { 8, 6, 2.5 }, { 3, 3, 3 } };
		for (int i = 0; i < bars.length; i++) {
			double[] b = bars[i];
			fillDraw(g, new java.awt.geom.Rectangle2D.Double(b[0], b[1], b[2], 2.6), c[Math.min(3, (int) (b[1] == 12 ? 0
					: b[1] == 9 ? 1 : b[1] == 6 ? 2 : 3))], DARK_RED);
		}
	}

	/** A list with a magnifier: a contributed analyzer's results. */
	static void results(Graphics2D g) {
		fillDraw(g, new RoundRectangle2D.Double(1.5, 1.5, 10, 13, 1.5, 1.5), PAPER, DARK);
		g.setColor(GREY);
		for (int y = 4; y <= 10; y += 3) {
			g.draw(new Line2D.Double(3.5, y + 0.5, 9.5, y + 0.5));
		}
		g.translate(4, 4);
		magnifier(g);
		g.translate(-4, -4);
	}

	/** A magnifier (blue lens, dark handle). */
	static void magnifier(Graphics2D g) {
		g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		g.setColor(DARK);
		g.draw(new Line2D.Double(9, 9, 13.5, 13.5));
		fillDraw(g, new Ellipse2D.Double(2, 2, 8.5, 8.5), new Color(0xCF, 0xE3, 0xF7), BLUE);
	}

	private static void fillDraw(Graphics2D g, java.awt.Shape s, Color fill, Color edge) {
		g.setColor(fill);
		g.fill(s);
		g.setColor(edge);
		g.setStroke(new BasicStroke(1f));
		g.draw(s);
	}
}
