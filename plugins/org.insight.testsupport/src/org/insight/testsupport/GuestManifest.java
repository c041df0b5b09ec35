package org.insight.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The manifests of the guest programs ({@code guest-tests/tests.txt}, {@code samples/samples.txt}; the format is in
 * {@code guest-tests/README.md}) and where the built binaries are.
 */
public final class GuestManifest {
	public static final List<String> LIBCS = List.of("glibc", "musl");

	private GuestManifest() {
	}

	/**
	 * One line of a manifest. An argument {@code @PATH} (PATH relative to the manifest's folder) stands for the absolute
	 * path of that file or directory, which the VM runs provide to the guest read-only ({@code files}: --file for a
	 * file, --ro-dir for a directory); native runs just see the real file.
	 */
	public record Program(Path folder, String name, String exit, String compare, String stdin, List<String> env,
			List<String> args, List<Path> files) {
		public Program(Path folder, String name, String exit, String compare, String stdin, List<String> env,
				List<String> args) {
			this(folder, name, exit, compare, stdin, env, args, List.of());
		}

		public boolean deadlock() {
			return exit.equals("deadlock");
		}

		public int exitStatus() {
			return Integer.parseInt(exit);
		}

		public Path expected() {
			return folder.resolve("expected").resolve(name + ".out");
		}

		/**
		 * What the compared part of stdout must be with the arguments of {@link GuestManifest#ciWorkload}:
		 * {@code expected/NAME.ci.out} beside the manifest's.
		 */
		public Path expectedWithCiWorkload() {
			return folder.resolve("expected").resolve(name + ".ci.out");
		}

		public Optional<Path> stdinFile() {
			return stdin.equals("-") ? Optional.empty() : Optional.of(folder.resolve(stdin));
		}

		/** The part of stdout the manifest compares: all of it, or its TOKEN lines in order. */
		public String compared(String stdout) {
			if (compare.equals("all")) {
				return stdout;
			}
			StringBuilder s = new StringBuilder();
			for (String line : stdout.split("\n", -1)) {
				if (line.startsWith("TOKEN ")) {
					s.append(line).append('\n');
				}
			}
			return s.toString();
		}
	}

	public static List<Program> read(Path manifest) {
		List<Program> programs = new ArrayList<>();
		List<String> lines;
		try {
			lines = Files.readAllLines(manifest);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read the guest manifest " + manifest, e);
		}
		for (String raw : lines) {
			String line = raw.replaceAll("#.*", "").strip();
			if (line.isEmpty()) {
				continue;
			}
			String[] f = line.split("\\s+");
			if (f.length < 5 || !f[2].equals("all") && !f[2].equals("token")
					|| !f[1].equals("deadlock") && !f[1].matches("\\d{1,3}")) {
				throw new IllegalStateException("bad line in " + manifest + ": " + raw);
			}
			List<String> env = f[4].equals("-") ? List.of() : List.of(f[4].split(","));
			List<String> args = new ArrayList<>();
			List<Path> files = new ArrayList<>();
			for (String arg : Arrays.copyOfRange(f, 5, f.length)) {
				if (arg.startsWith("@") && arg.length() > 1) {
					Path file = manifest.toAbsolutePath().getParent().resolve(arg.substring(1)).normalize();
					files.add(file);
					arg = file.toString();
				}
				args.add(arg);
			}
			programs.add(new Program(manifest.getParent(), f[0], f[1], f[2], f[3], env, args, files));
		}
		return programs;
	}

	/** The repository's root: the folder holding guest-tests/tests.txt, found above the guests or the work folder. */
	public static Path root() {
		for (Path start : new Path[] { guests(), Path.of(System.getProperty("user.dir")).toAbsolutePath() }) {
			for (Path p = start; p != null; p = p.getParent()) {
				if (Files.isRegularFile(p.resolve("guest-tests/tests.txt"))) {
					return p;
				}
			}
		}
		throw new IllegalStateException("cannot find guest-tests/tests.txt above " + guests() + " or "
				+ System.getProperty("user.dir"));
	}

	/** Where the guest binaries are built: system property insight.guests, else build/guests above user.dir. */
	public static Path guests() {
		String property = System.getProperty("insight.guests");
		if (property != null && !property.isBlank()) {
			return Path.of(property).toAbsolutePath();
		}
		for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
			if (Files.isDirectory(p.resolve("build/guests"))) {
				return p.resolve("build/guests");
			}
		}
		return Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("build/guests");
	}

	/**
	 * The arguments a program takes in the {@code ci} selection's {@code locks}-mode recordings (TestMatrix), from
	 * {@code ci-workloads.txt} beside its manifest: a smaller workload of the same program, whose self-checks and exit
	 * status are the same (each stop at a lock call costs two VM exits, which nested KVM under TCG makes slow). Empty
	 * when the program has no such line, or when its line gives only options ({@link #ciWatchdog}): it then runs with
	 * its manifest arguments.
	 */
	public static Optional<List<String>> ciWorkload(Program p) {
		return ciLine(p).map(f -> f.stream().filter(a -> !a.startsWith(WATCHDOG_OPTION)).toList()).filter(a -> !a
				.isEmpty());
	}

	/** The option of a {@code ci-workloads.txt} line that sets the recording's watchdog period, in ms (0: none). */
	static final String WATCHDOG_OPTION = "--watchdog=";

	/**
	 * The watchdog period the {@code ci} selection records a program with, when its {@code ci-workloads.txt} line gives
	 * {@code --watchdog=MS}; empty for the default. A compute-bound program's watchdog preemptions are landmarks, and
	 * the replay of a landmark costs a breakpoint hit per pass of the preempted instruction where the landmark
	 * comparator cannot be used (issue 15, item 1, ARCHITECTURE.md section 3): on nested KVM that is hours for a loop of
	 * millions, so such a program's ci recording may run without the watchdog.
	 */
	public static Optional<Duration> ciWatchdog(Program p) {
		return ciLine(p).flatMap(f -> f.stream().filter(a -> a.startsWith(WATCHDOG_OPTION)).findFirst()).map(
				a -> Duration.ofMillis(Long.parseLong(a.substring(WATCHDOG_OPTION.length()))));
	}

	/** The tokens after the program's name on its {@code ci-workloads.txt} line. */
	private static Optional<List<String>> ciLine(Program p) {
		Path file = p.folder().resolve("ci-workloads.txt");
		if (!Files.isRegularFile(file)) {
			return Optional.empty();
		}
		try {
			for (String raw : Files.readAllLines(file)) {
				String[] f = raw.replaceAll("#.*", "").strip().split("\\s+");
				if (f.length >= 2 && f[0].equals(p.name())) {
					return Optional.of(List.of(Arrays.copyOfRange(f, 1, f.length)));
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file, e);
		}
		return Optional.empty();
	}

	/** The program with the arguments of {@link #ciWorkload(Program)} when it has one, else itself. */
	public static Program withCiWorkload(Program p) {
		return ciWorkload(p).map(args -> new Program(p.folder(), p.name(), p.exit(), p.compare(), p.stdin(), p.env(),
				args, p.files())).orElse(p);
	}

	/** Every program of both manifests. */
	public static List<Program> all() {
		Path root = root();
		List<Program> all = new ArrayList<>(read(root.resolve("guest-tests/tests.txt")));
		all.addAll(read(root.resolve("samples/samples.txt")));
		return all;
	}

	/** The built binary, or a failure that says how to build it. */
	public static Path binary(String libc, String name) {
		Path bin = guests().resolve(libc).resolve(name);
		if (!Files.isExecutable(bin)) {
			throw new AssertionError("guest program " + bin + " is not built: run make -C guest-tests OUT="
					+ guests() + " all and make -C samples OUT=" + guests() + " all");
		}
		return bin;
	}
}
