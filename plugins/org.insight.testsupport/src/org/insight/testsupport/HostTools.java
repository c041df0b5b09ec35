package org.insight.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's compilers and binary tools (gcc, musl-gcc, readelf, nm), as the tests run them. */
public final class HostTools {
	private HostTools() {
	}

	/** Compiles {@code source} into {@code dir/name} with {@code compiler} (gcc or musl-gcc), -O1 and {@code flags}. */
	public static Path compile(Path dir, String compiler, String name, String source, String... flags)
			throws IOException, InterruptedException {
		Path c = dir.resolve(name + ".c");
		Files.writeString(c, source);
		Path out = dir.resolve(name);
		List<String> command = new ArrayList<>(List.of(compiler, "-O1", "-o", out.toString()));
		command.addAll(List.of(flags));
		command.add(c.toString());
		run(command.toArray(String[]::new));
		return out;
	}

	/** Runs a host tool and returns its stdout; fails the test with the tool's output when it fails. */
	public static String run(String... command) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		int status = p.waitFor();
		if (status != 0) {
			fail(String.join(" ", command) + " exited with " + status + ":\n" + output);
		}
		return output;
	}
}
