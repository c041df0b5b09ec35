package org.insight.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a guest program on the host, as a shell would, to compare the VM against. */
public final class NativeRun {
	/** How it ended: {@code status} as a shell reports it (128 + N for signal N), or a timeout. */
	public record Outcome(int status, boolean timedOut, String stdout, String stderr) {
	}

	private NativeRun() {
	}

	public static Outcome run(Path binary, List<String> args, List<String> env, Path stdin, Duration timeout)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(binary.toString());
		command.addAll(args);
		ProcessBuilder pb = new ProcessBuilder(command);
		pb.environment().clear();
		for (String e : env) {
			int eq = e.indexOf('=');
			pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
		}
		pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
				: ProcessBuilder.Redirect.from(stdin.toFile()));
		Path out = Files.createTempFile("insight-native", ".out");
		Path err = Files.createTempFile("insight-native", ".err");
		try {
			pb.redirectOutput(out.toFile());
			pb.redirectError(err.toFile());
			Process p = pb.start();
			boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (!done) {
				p.destroyForcibly();
				p.waitFor();
			}
			return new Outcome(done ? p.exitValue() : -1, !done, Files.readString(out, StandardCharsets.UTF_8),
					Files.readString(err, StandardCharsets.UTF_8));
		} finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}
}
