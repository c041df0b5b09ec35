package org.insight.ui.views;

import java.util.List;

import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.statushandlers.StatusManager;
import org.insight.core.analysis.DeadlockReport.Frame;

/** What the InSight views share: opening a view after an import, opening a row's source. */
public final class Views {
	private Views() {
	}

	/** Opens the view {@code id} in the active window, without taking the focus (asynchronously, on the UI thread). */
	public static void show(String id) {
		Display.getDefault().asyncExec(() -> {
			var window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
			if (window == null && PlatformUI.getWorkbench().getWorkbenchWindowCount() > 0) {
				window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
			}
			if (window == null || window.getActivePage() == null) {
				return;
			}
			try {
				window.getActivePage().showView(id, null, IWorkbenchPage.VIEW_VISIBLE);
			} catch (PartInitException e) {
				StatusManager.getManager().handle(e.getStatus(), StatusManager.LOG);
			}
		});
	}

	/** Opens the source of the frames of the selected row ({@code frames} of it), if it has any. */
	static void open(IWorkbenchPage page, List<Frame> frames) {
		if (frames.isEmpty()) {
			return;
		}
		try {
			SourceEditors.open(page, frames);
		} catch (PartInitException e) {
			StatusManager.getManager().handle(e.getStatus(), StatusManager.SHOW | StatusManager.LOG);
		}
	}

	/** {@code name.c:12} of a frame (the whole path is in its tooltip); "" without a source position. */
	static String shortLocation(Frame f) {
		if (f == null || !f.hasSource()) {
			return "";
		}
		int slash = f.file().lastIndexOf('/');
		return f.file().substring(slash + 1) + ":" + f.line();
	}

	/** The width a column needs to show its whole title (and the sort arrow). */
	static int titleWidth(org.eclipse.swt.widgets.Control c, String title) {
		org.eclipse.swt.graphics.GC gc = new org.eclipse.swt.graphics.GC(c);
		try {
			return gc.textExtent(title).x + 28;
		} finally {
			gc.dispose();
		}
	}

	static Object first(Object selection) {
		return selection instanceof IStructuredSelection s ? s.getFirstElement() : null;
	}
}
