package org.insight.ui.tests;

import java.io.File;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;

/** The UI thread's side of a workbench test: run the event loop while waiting, and take screenshots. */
final class Workbench {
	private Workbench() {
	}

	static IWorkbenchPage page() {
		return PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
	}

	static Shell shell() {
		return PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell();
	}

	/** Runs the event loop until {@code done} holds or the time is up; returns whether it holds. */
	static boolean spinUntil(Duration limit, BooleanSupplier done) {
		Display display = Display.getCurrent();
		long end = System.nanoTime() + limit.toNanos();
		while (!done.getAsBoolean()) {
			if (System.nanoTime() > end) {
				return false;
			}
			if (!display.readAndDispatch()) {
				display.timerExec(50, () -> {
				});
				display.sleep();
			}
		}
		return true;
	}

	static void spin(long millis) {
		long end = System.currentTimeMillis() + millis;
		spinUntil(Duration.ofMillis(millis), () -> System.currentTimeMillis() >= end);
	}

	/** The shell's screen area as a PNG under build/screenshots (system property insight.screenshots). */
	static File screenshot(Shell shell, String name) {
		spin(500);
		Display display = shell.getDisplay();
		Rectangle r = shell.getBounds();
		Image image = new Image(display, r.width, r.height);
		GC gc = new GC(display);
		try {
			gc.copyArea(image, r.x, r.y);
		} finally {
			gc.dispose();
		}
		ImageLoader loader = new ImageLoader();
		loader.data = new ImageData[] { image.getImageData() };
		image.dispose();
		File dir = new File(System.getProperty("insight.screenshots", "target/screenshots"));
		dir.mkdirs();
		File png = new File(dir, name);
		loader.save(png.getAbsolutePath(), SWT.IMAGE_PNG);
		return png;
	}
}
