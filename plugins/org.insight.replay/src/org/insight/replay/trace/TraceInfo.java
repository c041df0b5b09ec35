package org.insight.replay.trace;

import org.insight.vmm.linux.fd.ProvidedFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything {@code insight info} shows about a trace: the header, completeness, the outcome, and statistics
 * counted from the frames themselves (so an incomplete trace has them too). A damaged block does not hide the rest:
 * the frames before it are counted and the damage is reported.
 */
public final class TraceInfo {
	private final Path file;
	private final long fileSize;
	private final TraceHeader header;
	private final Optional<TraceTrailer> trailer;
	private final Optional<String> incompleteReason;
	private final int blocks;
	private final TraceStatistics statistics;
	private final Optional<TraceCorruptException> corruption;

	private TraceInfo(TraceReader reader, TraceStatistics statistics, TraceCorruptException corruption) {
		this.file = reader.file();
		this.fileSize = reader.fileSize();
		this.header = reader.header();
		this.trailer = reader.trailer();
		this.incompleteReason = reader.incompleteReason();
		this.blocks = reader.blocks().size();
		this.statistics = statistics;
		this.corruption = Optional.ofNullable(corruption);
	}

	/**
	 * Reads the whole trace.
	 *
	 * @throws TraceFormatException  when the file is not a readable trace at all
	 * @throws TraceCorruptException when its header, a block head or its trailer is damaged (frame block payloads
	 *                               that are damaged are reported by {@link #corruption()} instead)
	 */
	public static TraceInfo read(Path file) throws IOException {
		try (TraceReader reader = TraceReader.open(file)) {
			TraceStatistics.Counter counter = new TraceStatistics.Counter();
			FieldWriter scratch = new FieldWriter(256);
			TraceCorruptException corruption = null;
			int blocksCounted = 0;
			try {
				for (Frame frame : reader.frames()) {
					scratch.reset();
					FrameCodec.encode(frame, scratch);
					counter.add(frame, scratch.size());
				}
				blocksCounted = reader.blocks().size();
			} catch (TraceCorruptException e) {
				corruption = e;
				blocksCounted = (int) e.blockIndex();
			}
			for (TraceReader.Block b : reader.blocks().subList(0, blocksCounted)) {
				counter.addBlock(b.size());
			}
			return new TraceInfo(reader, counter.snapshot(), corruption);
		}
	}

	public Path file() {
		return file;
	}

	public long fileSize() {
		return fileSize;
	}

	public int formatVersion() {
		return TraceFormat.VERSION;
	}

	public TraceHeader header() {
		return header;
	}

	public boolean complete() {
		return trailer.isPresent() && corruption.isEmpty();
	}

	public Optional<String> incompleteReason() {
		return incompleteReason;
	}

	public Optional<TraceTrailer> trailer() {
		return trailer;
	}

	/** Whole frame blocks in the file. */
	public int blocks() {
		return blocks;
	}

	/** Counted from the frames that could be read. */
	public TraceStatistics statistics() {
		return statistics;
	}

	/** The first damaged frame block, if any. */
	public Optional<TraceCorruptException> corruption() {
		return corruption;
	}

	/** Bytes on disk per frame, frame blocks only (the embedded binary is left out); 0 without frames. */
	public double bytesPerFrame() {
		long frames = statistics.frames();
		return frames == 0 ? 0 : (double) statistics.storedBytes() / frames;
	}

	/** The text {@code insight info} prints, one entry per line. */
	public List<String> lines() {
		List<String> out = new ArrayList<>();
		out.add(row("trace", file + " (" + fileSize + " bytes, format version " + TraceFormat.VERSION + ")"));
		if (corruption.isPresent()) {
			out.add(row("state", "CORRUPT: " + corruption.get().getMessage()));
		} else if (trailer.isPresent()) {
			out.add(row("state", "complete"));
		} else {
			out.add(row("state", "INCOMPLETE: " + incompleteReason.orElse("no trailer")));
		}
		String took = trailer.map(t -> String.format(Locale.ROOT, " in %.3f s", t.recordingTime().toNanos() / 1e9))
				.orElse("");
		out.add(row("recorded", header.recordedAt() + " on " + header.hostCpu().describe() + took));
		GuestBinary b = header.program().binary();
		out.add(row("binary", b.name() + " (" + b.size() + " bytes, sha256 " + b.sha256()
				+ b.buildId().map(id -> ", build-id " + id).orElse("") + ")"));
		out.add(row("argv", String.join(" ", header.program().argv().stream().map(TraceInfo::quote).toList())));
		List<String> env = header.program().env();
		out.add(row("env", env.size() + " variables" + (env.isEmpty() ? "" : ": " + String.join(" ",
				env.stream().map(TraceInfo::quote).toList()))));
		out.add(row("config", header.config().describe()));
		out.add(row("guest CPUID", header.config().guestCpuid().map(TraceInfo::describeCpuid)
				.orElse("not recorded (a replay shows the replaying host's)")));
		for (ProvidedFiles.Entry e : header.program().files().entries()) {
			out.add(row("file", e.directory() ? quote(e.path()) + " (directory)" : quote(e.path()) + " ("
					+ e.content().length + " bytes, sha256 " + ProvidedFilesCodec.sha256Hex(e.content()).substring(0, 16)
					+ ")"));
		}
		trailer.ifPresent(t -> {
			GuestOutcome o = t.outcome();
			out.add(row("exit", o.exit().description()));
			out.add(row("stdout", o.stdout().describe()));
			out.add(row("stderr", o.stderr().describe()));
			out.add(row("memory", "sha256 " + o.memoryDigestHex()));
		});
		TraceStatistics s = statistics;
		out.add(row("frames", String.format(Locale.ROOT, "%d in %d blocks: %d bytes stored, %.1f bytes per frame"
				+ " (%d encoded bytes before compression)", s.frames(), blocks, s.storedBytes(), bytesPerFrame(),
				s.frameBytes())));
		for (FrameKind k : FrameKind.values()) {
			out.add(String.format(Locale.ROOT, "  %-17s %d", k.label(), s.frames(k)));
		}
		out.add(row("sync points", s.syncPoints() + ": " + s.choices() + " with a choice of thread, " + s.switches()
				+ " thread switches"));
		out.add(row("landmarks", s.landmarks() + " (of " + s.kicks() + " watchdog kicks)"));
		out.add(row("threads", Integer.toString(s.threads())));
		out.add(row("inputs", s.randomBytes() + " random bytes, " + s.stdinBytes() + " stdin bytes"));
		out.add(row("interleaving", String.format("%016x", s.interleavingHash())));
		if (trailer.isPresent() && corruption.isEmpty() && !trailer.get().statistics().equals(s)) {
			out.add(row("warning", "the trailer's statistics differ from the frames': " + trailer.get().statistics()));
		}
		return out;
	}

	public String render() {
		return String.join("\n", lines()) + "\n";
	}

	private static String row(String key, String value) {
		return String.format("%-13s%s", key, value);
	}

	private static String quote(String s) {
		return s.isEmpty() || s.chars().anyMatch(c -> c <= ' ' || c == '\'' || c == '"')
				? "'" + s.replace("'", "'\\''") + "'" : s;
	}

	/** "recorded, 52 entries, vendor AuthenticAMD, highest leaf 0x10". */
	private static String describeCpuid(org.insight.kvm.Cpuid c) {
		String vendor = c.find(0, 0).map(e -> {
			java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
			b.putInt(e.ebx()).putInt(e.edx()).putInt(e.ecx());
			String v = new String(b.array(), java.nio.charset.StandardCharsets.US_ASCII);
			return ", vendor " + (v.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f) ? v : "(not printable)")
					+ String.format(Locale.ROOT, ", highest leaf %#x", e.eax());
		}).orElse("");
		return "recorded, " + c.entries().size() + " entries" + vendor;
	}
}
