package org.insight.replay.trace;

import java.nio.file.Path;

import org.insight.testsupport.FuzzInput;

/**
 * Fuzz target "trace": the input is a whole {@code .insight} file, read as {@code insight info} and a replay read it
 * (preamble, header block, block heads, trailer, then every frame). Mutated bytes mostly fail a CRC32C, so this target
 * covers the framing and its checks; {@link TraceBlocksFuzzTarget} reaches the decoders behind the CRCs. Accepted:
 * {@link TraceException} (the CLI's "insight: FILE: ..." line, exit 2). Run by {@code ./insight fuzz trace}, replayed
 * by {@code TraceFuzzCorpusTest}.
 */
public final class TraceFileFuzzTarget {
	private TraceFileFuzzTarget() {
	}

	private static final Path FILE = FuzzInput.scratchFile("fuzz.insight");

	public static void fuzzerTestOneInput(byte[] data) {
		run(data);
	}

	/** One input through the target: null when it was read whole, the refusal when it was refused. */
	static Throwable run(byte[] data) {
		FuzzInput.write(FILE, data);
		return FuzzInput.check("trace", () -> read(FILE), TraceException.class);
	}

	/** What the commands do with a trace: info (which renders everything it read), and every frame in order. */
	static void read(Path file) throws Exception {
		TraceInfo info = TraceInfo.read(file);
		info.render();
		try (TraceReader r = TraceReader.open(file)) {
			for (Frame f : r.frames()) {
				f.toString();
			}
		}
	}
}
