package org.insight.replay.trace;

import org.insight.kvm.Cpuid;
import org.insight.vmm.inputs.LockCallCountdown;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.SyncMode;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;

/** The header and trailer payloads to fields and back (TRACE-FORMAT.md, "Header block" and "Trailer"). */
final class HeaderCodec {
	private HeaderCodec() {
	}

	private static final int SHA256_BYTES = 32;
	/** The memory cap a recording may name: the machine's least (1 MiB) to 1 TiB of guest memory. */
	static final long MIN_MEMORY_CAP = 1L << 20;
	static final long MAX_MEMORY_CAP = 1L << 40;

	static void encodeHeader(TraceHeader h, FieldWriter w) {
		w.signed(h.recordedAt().getEpochSecond());
		w.varLong(h.recordedAt().getNano());
		GuestBinary b = h.program().binary();
		w.string(b.name());
		byte[] sha = HexFormat.of().parseHex(b.sha256());
		w.raw(sha, 0, sha.length);
		w.string(b.buildId().orElse(""));
		w.bytes(b.bytes());
		w.strings(h.program().argv());
		w.strings(h.program().env());
		RecordingConfig c = h.config();
		w.u8(switch (c.syncMode()) {
		case SYSCALLS -> 0;
		case LOCKS -> 1;
		});
		w.varLong(c.timeSlice().toNanos());
		w.bool(c.chaosSeed().isPresent());
		if (c.chaosSeed().isPresent()) {
			w.signed(c.chaosSeed().getAsLong());
		}
		w.varLong(c.memoryCapBytes());
		w.varLong(c.watchdogPeriod().toNanos());
		HostCpu cpu = h.hostCpu();
		w.string(cpu.vendor());
		w.string(cpu.modelName());
		w.signed(cpu.family());
		w.signed(cpu.model());
		w.signed(cpu.stepping());
		w.varLong(c.maxThreads());
		ProvidedFilesCodec.encode(h.program().files(), w);
		CpuidCodec.encode(c.guestCpuid(), w);
		w.varLong(c.lockCallRule());
	}

	static TraceHeader decodeHeader(FieldReader r) {
		int timeAt = r.position();
		long seconds = r.signed();
		int nanos = r.count(999_999_999, "recording time nanoseconds");
		if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
			throw new MalformedFieldException(timeAt, "recording time " + seconds
					+ " seconds since 1970 is outside the years a clock can show");
		}
		Instant recordedAt = Instant.ofEpochSecond(seconds, nanos);
		String name = r.string(TraceFormat.MAX_STRING, "binary name");
		String sha = HexFormat.of().formatHex(r.raw(SHA256_BYTES, "binary SHA-256"));
		String buildId = r.string(TraceFormat.MAX_STRING, "build-id");
		byte[] bytes = r.bytes(TraceFormat.MAX_HEADER_BYTES, "binary");
		var argv = r.strings(TraceFormat.MAX_STRINGS, "argv");
		var env = r.strings(TraceFormat.MAX_STRINGS, "env");
		int at = r.position();
		SyncMode mode = switch (r.u8()) {
		case 0 -> SyncMode.SYSCALLS;
		case 1 -> SyncMode.LOCKS;
		default -> throw new MalformedFieldException(at, "unknown sync mode");
		};
		Duration slice = Duration.ofNanos(r.varLong());
		OptionalLong seed = r.bool() ? OptionalLong.of(r.signed()) : OptionalLong.empty();
		int capAt = r.position();
		long memoryCap = r.varLong();
		if (memoryCap < MIN_MEMORY_CAP || memoryCap > MAX_MEMORY_CAP) {
			throw new MalformedFieldException(capAt, "memory cap " + Long.toUnsignedString(memoryCap)
					+ " bytes out of range " + MIN_MEMORY_CAP + ".." + MAX_MEMORY_CAP);
		}
		Duration watchdog = Duration.ofNanos(r.varLong());
		String vendor = r.string(TraceFormat.MAX_STRING, "CPU vendor");
		String model = r.string(TraceFormat.MAX_STRING, "CPU model name");
		HostCpu cpu = new HostCpu(vendor, model, r.signedInt("CPU family"), r.signedInt("CPU model"),
				r.signedInt("CPU stepping"));
		// Added after the first traces were written: absent there, which means the machine's default.
		int maxThreads = RunOptions.DEFAULT_MAX_THREADS;
		if (!r.atEnd()) {
			int threadsAt = r.position();
			maxThreads = r.count(TraceFormat.MAX_THREADS, "thread limit");
			if (maxThreads < 1) {
				throw new MalformedFieldException(threadsAt, "thread limit 0");
			}
		}
		// Added later still: absent in older traces, which provided no file.
		ProvidedFiles files = r.atEnd() ? ProvidedFiles.none() : ProvidedFilesCodec.decode(r);
		// And the guest's CPUID table: absent in older traces, whose replays show the replaying host's.
		Optional<Cpuid> cpuid = r.atEnd() ? Optional.empty() : CpuidCodec.decode(r);
		// And the lock-call countdown's rule: absent in older traces, where every lock call was a sync point.
		int ruleAt = r.position();
		int rule = r.atEnd() ? LockCallCountdown.EVERY_CALL : r.count(Integer.MAX_VALUE, "lock-call countdown rule");
		if (rule != LockCallCountdown.EVERY_CALL && rule != LockCallCountdown.GEOMETRIC) {
			throw new MalformedFieldException(ruleAt, "unknown lock-call countdown rule " + rule
					+ " (recorded by a newer InSight?)");
		}
		try {
			GuestBinary binary = new GuestBinary(name, bytes, sha,
					buildId.isEmpty() ? Optional.empty() : Optional.of(buildId));
			return new TraceHeader(recordedAt, new GuestProgram(binary, argv, env, files),
					new RecordingConfig(mode, slice, seed, memoryCap, watchdog, maxThreads, cpuid, rule), cpu);
		} catch (IllegalArgumentException e) {
			throw new MalformedFieldException(at, e.getMessage());
		}
	}

	static void encodeTrailer(TraceTrailer t, FieldWriter w) {
		w.varLong(t.frameCount());
		w.varLong(t.blockCount());
		GuestOutcome o = t.outcome();
		w.signed(o.exit().status());
		w.signed(o.exit().signal());
		w.string(o.exit().description());
		digest(o.stdout(), w);
		digest(o.stderr(), w);
		w.bytes(o.memoryDigest());
		TraceStatistics s = t.statistics();
		w.varLong(FrameKind.values().length);
		for (FrameKind k : FrameKind.values()) {
			w.u8(k.code());
			w.varLong(s.frames(k));
		}
		w.varLong(s.choices());
		w.varLong(s.switches());
		w.varLong(s.landmarks());
		w.varLong(s.randomBytes());
		w.varLong(s.stdinBytes());
		w.varLong(s.threads());
		w.varLong(s.interleavingHash());
		w.varLong(s.frameBytes());
		w.varLong(s.storedBytes());
		w.varLong(t.recordingTime().toNanos());
	}

	private static void digest(OutputDigest d, FieldWriter w) {
		w.varLong(d.bytes());
		byte[] sha = d.sha256();
		w.raw(sha, 0, sha.length);
	}

	static TraceTrailer decodeTrailer(FieldReader r) {
		long frames = r.varLong();
		long blocks = r.varLong();
		ExitStatus exit = new ExitStatus(r.signedInt("exit status"), r.signedInt("signal"),
				r.string(TraceFormat.MAX_STRING, "exit description"));
		OutputDigest stdout = new OutputDigest(r.varLong(), r.raw(SHA256_BYTES, "stdout SHA-256"));
		OutputDigest stderr = new OutputDigest(r.varLong(), r.raw(SHA256_BYTES, "stderr SHA-256"));
		byte[] memory = r.bytes(64, "memory digest");
		int kinds = r.count(255, "frame kind count");
		EnumMap<FrameKind, Long> byKind = new EnumMap<>(FrameKind.class);
		for (int i = 0; i < kinds; i++) {
			int at = r.position();
			FrameKind k = FrameKind.ofCode(r.u8());
			if (k == null) {
				throw new MalformedFieldException(at, "unknown frame kind in the statistics");
			}
			byKind.put(k, r.varLong());
		}
		TraceStatistics stats = new TraceStatistics(byKind, r.varLong(), r.varLong(), r.varLong(), r.varLong(),
				r.varLong(), r.count(TraceFormat.MAX_THREADS * 16, "thread count"), r.varLong(), r.varLong(),
				r.varLong());
		Duration time = Duration.ofNanos(r.varLong());
		return new TraceTrailer(frames, blocks, new GuestOutcome(exit, stdout, stderr, memory), stats, time);
	}
}
