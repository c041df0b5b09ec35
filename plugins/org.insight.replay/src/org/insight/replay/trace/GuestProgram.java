package org.insight.replay.trace;

import java.util.List;
import java.util.Objects;

/** What was run: the binary, its argv (argv[0] included) and its environment ("NAME=value" strings). */
public record GuestProgram(GuestBinary binary, List<String> argv, List<String> env) {
	public GuestProgram {
		Objects.requireNonNull(binary, "binary");
		argv = List.copyOf(argv);
		env = List.copyOf(env);
	}
}
