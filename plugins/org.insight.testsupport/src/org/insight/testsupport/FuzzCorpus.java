package org.insight.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;

/**
 * The committed inputs of the fuzz targets, replayed as JUnit tests ({@code ./insight test}, CI): every file under
 * {@code plugins/BUNDLE/fuzz/TARGET/corpus/} (the seeds, named {@code seed-*}, and what {@code ./insight fuzz} kept)
 * and {@code .../crashes/} (every finding, kept after its fix). Separate from {@link FuzzInput}, which the fuzzer runs
 * without JUnit.
 */
public final class FuzzCorpus {
	private FuzzCorpus() {
	}

	/**
	 * The committed inputs of one target: every file in {@code plugins/BUNDLE/fuzz/TARGET/corpus/} and
	 * {@code .../crashes/}, found above the working directory, sorted by path so that a replay is always in the same order.
	 */
	public static List<Path> committed(String bundle, String target) throws IOException {
		Path dir = repositoryRoot().resolve("plugins").resolve(bundle).resolve("fuzz").resolve(target);
		if (!Files.isDirectory(dir)) {
			throw new IOException("no fuzz inputs at " + dir);
		}
		List<Path> files = new ArrayList<>();
		for (String kind : List.of("corpus", "crashes")) {
			if (Files.isDirectory(dir.resolve(kind))) {
				try (Stream<Path> s = Files.list(dir.resolve(kind))) {
					s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
							.sorted().forEach(files::add);
				}
			}
		}
		return files;
	}

	private static Path repositoryRoot() throws IOException {
		for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
			if (Files.isRegularFile(p.resolve("insight")) && Files.isDirectory(p.resolve("plugins"))) {
				return p;
			}
		}
		throw new IOException("no repository root (insight and plugins/) above " + Path.of("").toAbsolutePath());
	}

	/**
	 * The committed inputs of a target as JUnit tests, one per file: each must not be a finding, and each seed
	 * ({@code seed-*}) must be read whole, so that the fuzzer starts from inputs that reach past the first check.
	 */
	public static Stream<DynamicTest> replay(String bundle, String target, Function<byte[], Throwable> run)
			throws IOException {
		List<Path> inputs = committed(bundle, target);
		Assertions.assertFalse(inputs.isEmpty(), "no committed inputs for " + target);
		return inputs.stream().map(p -> {
			String kind = p.getParent().getFileName().toString();
			boolean seed = p.getFileName().toString().startsWith("seed-");
			return DynamicTest.dynamicTest(target + "/" + kind + "/" + p.getFileName(), () -> {
				Throwable refusal = run.apply(Files.readAllBytes(p));
				if (seed && refusal != null) {
					throw new AssertionError("seed " + p + " is refused: " + refusal.getMessage(), refusal);
				}
			});
		});
	}
}
