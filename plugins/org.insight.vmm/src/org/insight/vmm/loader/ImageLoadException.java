package org.insight.vmm.loader;

import java.nio.file.Path;

/**
 * A valid executable that cannot be placed in this guest: a segment in the VMM's reserved low memory or on the
 * stack, or more memory than the cap allows. The message names the file and the reason.
 */
public final class ImageLoadException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	public ImageLoadException(Path file, String reason, Throwable cause) {
		super("cannot load " + file + ": " + reason, cause);
	}
}
