package org.insight.replay.trace;

import java.util.List;
import java.util.Objects;

import org.insight.vmm.linux.fd.ProvidedFiles;

/**
 * What was run: the binary, its argv (argv[0] included), its environment ("NAME=value" strings) and the read-only
 * files provided to it (their contents, recorded once each).
 */
public record GuestProgram(GuestBinary binary, List<String> argv, List<String> env, ProvidedFiles files) {
	public GuestProgram {
		Objects.requireNonNull(binary, "binary");
		argv = List.copyOf(argv);
		env = List.copyOf(env);
		Objects.requireNonNull(files, "files");
	}

	/** Without provided files. */
	public GuestProgram(GuestBinary binary, List<String> argv, List<String> env) {
		this(binary, argv, env, ProvidedFiles.none());
	}
}
