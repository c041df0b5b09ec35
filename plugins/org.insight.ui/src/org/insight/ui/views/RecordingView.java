package org.insight.ui.views;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.layout.TableColumnLayout;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.part.ViewPart;
import org.eclipse.ui.statushandlers.StatusManager;
import org.insight.replay.trace.TraceInfo;
import org.insight.ui.Messages;
import org.insight.ui.views.RecordingRows.Row;

/** Recording: what a {@code .insight} file holds (the engine's TraceInfo) and how its last replay went. */
public final class RecordingView extends ViewPart {
	public static final String ID = "org.insight.ui.recordingView";
	private TableViewer viewer;
	private volatile List<Row> rows = List.of();

	@Override
	public void createPartControl(Composite parent) {
		Composite box = new Composite(parent, SWT.NONE);
		TableColumnLayout layout = new TableColumnLayout();
		box.setLayout(layout);
		viewer = new TableViewer(box, SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
		viewer.getTable().setHeaderVisible(true);
		viewer.getTable().setLinesVisible(true);
		viewer.setContentProvider(ArrayContentProvider.getInstance());
		Font bold = JFaceResources.getFontRegistry().getBold(JFaceResources.DEFAULT_FONT);
		column(layout, Messages.View_name, 1, r -> r.name(), bold);
		column(layout, Messages.View_value, 4, r -> r.value(), null);
		viewer.setInput(List.of(new Row(Messages.View_empty, "", false)));
	}

	private void column(TableColumnLayout layout, String title, int weight,
			java.util.function.Function<Row, String> text, Font headingFont) {
		TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
		c.getColumn().setText(title);
		layout.setColumnData(c.getColumn(), new ColumnWeightData(weight, 120));
		c.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return text.apply((Row) element);
			}

			@Override
			public Font getFont(Object element) {
				return ((Row) element).heading() ? headingFont : null;
			}
		});
	}

	/** Reads the recording in a job and shows it; {@code lastReplay} is the engine's verdict of a replay, or null. */
	public void showRecording(Path trace, String lastReplay) {
		setContentDescription(trace.toString());
		Job read = Job.create(NLS.bind(Messages.View_reading, trace.getFileName()), monitor -> {
			try {
				List<Row> read_ = RecordingRows.of(TraceInfo.read(trace), lastReplay);
				Display.getDefault().asyncExec(() -> {
					if (viewer != null && !viewer.getControl().isDisposed()) {
						rows = read_;
						viewer.setInput(read_);
					}
				});
				return Status.OK_STATUS;
			} catch (Exception e) {
				return Status.error(NLS.bind(Messages.View_cannotRead, trace, e.getMessage()), e);
			}
		});
		read.schedule();
	}

	/** The rows shown (for tests and copying). */
	public List<Row> rows() {
		return rows;
	}

	/** Opens the view (on the UI thread) and shows the recording. */
	public static void show(Path trace, String lastReplay) {
		Display.getDefault().asyncExec(() -> {
			var window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
			if (window == null && PlatformUI.getWorkbench().getWorkbenchWindowCount() > 0) {
				window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
			}
			if (window == null || window.getActivePage() == null) {
				return;
			}
			try {
				RecordingView view = (RecordingView) window.getActivePage().showView(ID, null,
						IWorkbenchPage.VIEW_VISIBLE);
				view.showRecording(trace, lastReplay);
			} catch (PartInitException e) {
				StatusManager.getManager().handle(e.getStatus(), StatusManager.LOG);
			}
		});
	}

	@Override
	public void setFocus() {
		viewer.getControl().setFocus();
	}

}
