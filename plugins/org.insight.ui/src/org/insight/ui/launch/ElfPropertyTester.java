package org.insight.ui.launch;

import org.eclipse.core.expressions.PropertyTester;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.IPath;
import org.insight.core.ElfCheck;

/** {@code org.insight.ui.isElf}: the file starts with the ELF magic (the engine says more when it is not runnable). */
public final class ElfPropertyTester extends PropertyTester {
	@Override
	public boolean test(Object receiver, String property, Object[] args, Object expectedValue) {
		if (receiver instanceof IFile file && "isElf".equals(property)) {
			IPath location = file.getLocation();
			return location != null && ElfCheck.isElf(location.toPath());
		}
		return false;
	}
}
