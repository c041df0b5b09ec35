package org.insight.ui.views;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.resources.IFile;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IRegion;
import org.eclipse.ui.IEditorDescriptor;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.insight.core.analysis.DeadlockReport.Frame;
import org.insight.core.analysis.SourceLookup;

/**
 * Opens a frame's source at its line: the workspace file the debug information's path maps to ({@link SourceLookup},
 * with the workspace's path mappings), else the file on disk (the mapped path, else the path itself);
 * in the editor registered for it (CDT's C editor where CDT is installed), the text editor otherwise.
 */
public final class SourceEditors {
	static final String TEXT_EDITOR = "org.eclipse.ui.DefaultTextEditor";

	private SourceEditors() {
	}

	/** Opens the first of {@code frames} found in the workspace, else the first on disk; empty when none is. */
	public static Optional<IEditorPart> open(IWorkbenchPage page, List<Frame> frames) throws PartInitException {
		for (Frame f : frames) {
			Optional<IFile> file = SourceLookup.find(f.file());
			if (file.isPresent()) {
				IEditorDescriptor d = IDE.getDefaultEditor(file.get());
				String id = d != null && d.isInternal() ? d.getId() : TEXT_EDITOR;
				return Optional.of(reveal(IDE.openEditor(page, file.get(), id), f.line()));
			}
		}
		for (Frame f : frames) {
			Optional<Path> p = SourceLookup.external(f.file());
			if (p.isPresent()) {
				return Optional.of(reveal(IDE.openEditor(page, p.get().toUri(), TEXT_EDITOR, true), f.line()));
			}
		}
		return Optional.empty();
	}

	/** Selects line {@code line} (1-based) of a text editor. */
	static IEditorPart reveal(IEditorPart editor, int line) {
		ITextEditor text = editor == null ? null : editor.getAdapter(ITextEditor.class);
		if (text != null) {
			IDocument doc = text.getDocumentProvider().getDocument(text.getEditorInput());
			try {
				IRegion r = doc.getLineInformation(Math.max(0, line - 1));
				text.selectAndReveal(r.getOffset(), r.getLength());
			} catch (BadLocationException e) {
				// a line past the end (the file changed since the build): the editor stays at its top
			}
		}
		return editor;
	}
}
