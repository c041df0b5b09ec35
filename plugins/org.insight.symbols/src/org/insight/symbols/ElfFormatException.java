package org.insight.symbols;

import java.nio.file.Path;

/**
 * An ELF file that InSight refuses to load: malformed, truncated, for another machine, or of a kind it does not run
 * (dynamically linked, relocatable, core dump, shared library). The message names the file and the reason.
 */
public final class ElfFormatException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	private final transient Path file;
	private final String reason;

	public ElfFormatException(Path file, String reason) {
		this(file, reason, null);
	}

	public ElfFormatException(Path file, String reason, Throwable cause) {
		super(file + ": " + reason, cause);
		this.file = file;
		this.reason = reason;
	}

	/** The file that was refused. */
	public Path file() {
		return file;
	}

	/** Why, without the file name. */
	public String reason() {
		return reason;
	}
}
