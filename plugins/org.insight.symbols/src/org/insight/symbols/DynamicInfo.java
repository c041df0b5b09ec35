package org.insight.symbols;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a dynamically linked file asks of the dynamic loader: its interpreter (PT_INTERP), the libraries it needs
 * (DT_NEEDED, in order) and where to look for them first (DT_RUNPATH, DT_RPATH: colon-separated lists, as written).
 *
 * @param interpreter the PT_INTERP path, absent for a static file
 * @param needed      the DT_NEEDED names, in order
 * @param runpath     the DT_RUNPATH strings
 * @param rpath       the DT_RPATH strings (ignored by ld.so when there is a DT_RUNPATH)
 */
public record DynamicInfo(Optional<String> interpreter, List<String> needed, List<String> runpath,
		List<String> rpath) {
	/** A static file's. */
	public static final DynamicInfo NONE = new DynamicInfo(Optional.empty(), List.of(), List.of(), List.of());

	public DynamicInfo {
		Objects.requireNonNull(interpreter, "interpreter");
		needed = List.copyOf(needed);
		runpath = List.copyOf(runpath);
		rpath = List.copyOf(rpath);
	}

	/** True when the file names an interpreter: the kernel starts the interpreter, not the file's entry. */
	public boolean isDynamic() {
		return interpreter.isPresent();
	}
}
