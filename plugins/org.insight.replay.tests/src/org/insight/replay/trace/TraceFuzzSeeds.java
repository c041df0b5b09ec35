package org.insight.replay.trace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the seeds of the trace fuzz targets (committed under plugins/org.insight.replay.tests/fuzz/): small traces
 * written by the real {@link TraceWriter} (a header with a 64-byte embedded binary, every frame kind, a few blocks),
 * complete and cut short (corpus/seed-*), and the same unpacked for {@link TraceBlocksFuzzTarget}. A recording of a guest embeds the
 * whole static binary (about a MiB), too large for a seed; the header field that holds it is the same.
 * Run it again only when the format changes: {@code java ... org.insight.replay.trace.TraceFuzzSeeds FUZZ_DIR}.
 */
public final class TraceFuzzSeeds {
	private TraceFuzzSeeds() {
	}

	public static void main(String[] args) throws Exception {
		Path fuzz = Path.of(args[0]);
		Path raw = Files.createDirectories(fuzz.resolve("trace/corpus"));
		Path unpacked = Files.createDirectories(fuzz.resolve("trace-blocks/corpus"));
		TraceHeader header = TraceFixtures.header(64);
		List<Frame> every = TraceFixtures.everyKind();
		Path tmp = Files.createTempDirectory("seeds");
		write(raw, unpacked, "every-kind", TraceFixtures.write(tmp.resolve("a"), header, every,
				TraceFixtures.blocksOf(7)));
		write(raw, unpacked, "mixed", TraceFixtures.write(tmp.resolve("b"), header, TraceFixtures.mixed(40, 5),
				TraceFixtures.blocksOf(16)));
		write(raw, unpacked, "no-frames", TraceFixtures.write(tmp.resolve("c"), header, List.of(),
				TraceFixtures.blocksOf(16)));
		// cut short after the second block: no trailer (a recording that was killed)
		byte[] whole = Files.readAllBytes(tmp.resolve("a"));
		try (TraceReader r = TraceReader.open(tmp.resolve("a"))) {
			TraceReader.Block second = r.blocks().get(1);
			byte[] cut = Arrays.copyOf(whole, (int) (second.offset() + second.size()));
			Files.write(raw.resolve("seed-cut-short"), cut);
			Files.write(unpacked.resolve("seed-cut-short"), TraceBlocksFuzzTarget.unpack(cut));
		}
	}

	private static void write(Path raw, Path unpacked, String name, Path trace) throws Exception {
		byte[] bytes = Files.readAllBytes(trace);
		Files.write(raw.resolve("seed-" + name), bytes);
		Files.write(unpacked.resolve("seed-" + name), TraceBlocksFuzzTarget.unpack(bytes));
	}
}
