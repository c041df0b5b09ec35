package org.insight.replay.trace;

import org.insight.vmm.machine.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.TscRead;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;

/**
 * Sample headers, frames and outcomes for the tests of both packages, and surgery on trace files (flip a bit,
 * rewrite a frame with fresh CRCs) for the corruption and divergence tests.
 */
public final class TraceFixtures {
	private TraceFixtures() {
	}

	public static final HostCpu CPU = new HostCpu("AuthenticAMD", "AMD EPYC 9B14", 25, 17, 1);

	public static TraceHeader header() {
		return header(3000);
	}

	/** A header whose embedded binary is {@code binaryBytes} random bytes. */
	public static TraceHeader header(int binaryBytes) {
		byte[] elf = new byte[binaryBytes];
		new Random(1).nextBytes(elf);
		elf[0] = 0x7f;
		GuestProgram program = new GuestProgram(GuestBinary.of("/tmp/guests/philosophers", elf, Optional.of("ab12cd34")),
				List.of("philosophers", "5", "with space"), List.of("LANG=C", "EMPTY="));
		RecordingConfig config = new RecordingConfig(SyncMode.LOCKS, Duration.ofMillis(10), OptionalLong.of(-42),
				1L << 30, Duration.ofMillis(20));
		return new TraceHeader(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), program, config, CPU);
	}

	public static GuestOutcome outcome() {
		byte[] a = new byte[32];
		byte[] b = new byte[32];
		Arrays.fill(a, (byte) 0xAA);
		Arrays.fill(b, (byte) 0xBB);
		byte[] memory = new byte[32];
		memory[31] = 7;
		return new GuestOutcome(new ExitStatus(134, 6, "killed by SIGABRT: abort"), new OutputDigest(12, a),
				new OutputDigest(0, b), memory);
	}

	public static Landmark landmark(long seed) {
		Random r = new Random(seed);
		long[] regs = new long[18];
		for (int i = 0; i < regs.length; i++) {
			regs[i] = r.nextLong();
		}
		regs[16] = 0x401000 + (seed & 0xfff); // rip
		return new Landmark(Regs.fromArray(regs), 0x4c8880L, r.nextLong());
	}

	/** A landmark with memory words: one at a global, one at the highest user address a word can have. */
	public static Landmark withWords(Landmark l) {
		return new Landmark(l.regs(), l.fsBase(), l.stackDigest(), List.of(new Landmark.Word(0x4bb310, -2),
				new Landmark.Word(0x7fff_ffff_eff8L, Long.MIN_VALUE)));
	}

	/** At least two frames of every kind, with edge values: negative numbers, -1 arguments, empty data, errno. */
	public static List<Frame> everyKind() {
		byte[] random = new byte[16];
		new Random(7).nextBytes(random);
		return List.of(
				new RandomFrame(new RandomRequest(1000, 16, RandomRequest.Purpose.AT_RANDOM), random),
				new RandomFrame(new RandomRequest(1001, 0, RandomRequest.Purpose.GETRANDOM), new byte[0]),
				new ClockFrame(new ClockRead(1000, ClockRead.CLOCK_REALTIME, ClockRead.Purpose.SYSCALL),
						1_700_000_000_123_456_789L),
				new ClockFrame(new ClockRead(1000, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT), -5),
				new ClockFrame(new ClockRead(-3, 77, ClockRead.Purpose.SYSCALL), Long.MIN_VALUE),
				new StdinFrame(new StdinRead(1000, 4096), 5, "hello".getBytes()),
				new StdinFrame(new StdinRead(1000, 4096), 0, new byte[0]),
				new StdinFrame(new StdinRead(1000, 10), -5, new byte[0]),
				new ScheduleFrame(new SyncPoint(1000, 0, SyncPoint.Kind.SYSCALL, 202,
						new long[] { 0x4c6f00, 128, 2, 0, -1, Long.MAX_VALUE }), List.of(1000, 1001), 1001),
				new ScheduleFrame(new SyncPoint(1001, 57, SyncPoint.Kind.PREEMPTED, -1, new long[0]), List.of(1000),
						1000),
				new ScheduleFrame(new SyncPoint(1000, 1L << 40, SyncPoint.Kind.EXITED, 60, new long[] { 3 }),
						List.of(1001, 1002, 1003), 1003),
				new ScheduleFrame(new SyncPoint(1002, 3, SyncPoint.Kind.YIELD, 24, new long[6]), List.of(1002), 1002),
				new ScheduleFrame(new SyncPoint(1003, 4, SyncPoint.Kind.BLOCKED, 35, new long[2]), List.of(1000),
						1000),
				new PreemptFrame(new Preemption(1000, 12, landmark(1), true), List.of(1001), true),
				new PreemptFrame(new Preemption(1001, 0, withWords(landmark(2)), false), List.of(), false),
				new IdleFrame(new IdleWait(1001, 123_456_789_000L)),
				new IdleFrame(new IdleWait(1002, -1)),
				new ScheduleFrame(new SyncPoint(1000, 9, SyncPoint.Kind.LOCK_CALL, -1,
						new long[] { 0x401a30, 0x4c6f00 }), List.of(1000, 1001), 1001),
				new OutputFrame(new org.insight.vmm.inputs.OutputWrite(1001, 2, 4096, 77), -32),
				new TscFrame(new TscRead(1000, TscRead.Instruction.RDTSC), 123_456_789_012L),
				new TscFrame(new TscRead(1001, TscRead.Instruction.RDTSCP), -1L)); // 2^64-1: unsigned
	}

	/** {@code n} frames of mixed kinds; {@code seed} fixes them. */
	public static List<Frame> mixed(int n, long seed) {
		Random r = new Random(seed);
		List<Frame> frames = new ArrayList<>(n);
		long[] sync = new long[8];
		for (int i = 0; i < n; i++) {
			int tid = 100 + r.nextInt(8);
			frames.add(switch (r.nextInt(10)) {
			case 0, 1 -> new ClockFrame(new ClockRead(tid, r.nextInt(3), ClockRead.Purpose.SYSCALL),
					1_700_000_000_000_000_000L + i * 1000L + r.nextInt(1000));
			case 2 -> {
				byte[] b = new byte[r.nextInt(40)];
				r.nextBytes(b);
				yield new RandomFrame(new RandomRequest(tid, b.length, RandomRequest.Purpose.GETRANDOM), b);
			}
			case 3 -> {
				byte[] b = new byte[r.nextInt(30)];
				r.nextBytes(b);
				yield new StdinFrame(new StdinRead(tid, 64), b.length, b);
			}
			case 4 -> new PreemptFrame(new Preemption(tid, sync[tid - 100], landmark(i), r.nextBoolean()),
					List.of(100, 101), r.nextInt(4) == 0);
			case 5 -> new IdleFrame(new IdleWait(tid, i * 1_000_000L));
			default -> new ScheduleFrame(new SyncPoint(tid, sync[tid - 100]++, SyncPoint.Kind.SYSCALL, r.nextInt(300),
					new long[] { r.nextLong(), r.nextInt(100), 0x7ffd0000_0000L + r.nextInt(), 0, 0, -1 }),
					List.of(100, 101, 102, 103, 104, 105, 106, 107), 100 + r.nextInt(8));
			});
		}
		return frames;
	}

	/** Writes a complete trace of {@code frames}. */
	public static Path write(Path file, List<Frame> frames, TraceWriter.Options options) {
		return write(file, header(), frames, options);
	}

	public static Path write(Path file, TraceHeader header, List<Frame> frames, TraceWriter.Options options) {
		try (TraceWriter w = TraceWriter.create(file, header, options)) {
			frames.forEach(w::append);
			w.finish(outcome());
		}
		return file;
	}

	public static List<Frame> readAll(Path file) throws IOException {
		try (TraceReader r = TraceReader.open(file)) {
			return r.readAllFrames();
		}
	}

	public static TraceWriter.Options blocksOf(int frames) {
		return new TraceWriter.Options(frames, 1 << 20, false, Deflater.DEFAULT_COMPRESSION);
	}

	/** Flips one bit of the file. */
	public static void flipBit(Path file, long offset, int bit) throws IOException {
		byte[] bytes = Files.readAllBytes(file);
		bytes[Math.toIntExact(offset)] ^= (byte) (1 << bit);
		Files.write(file, bytes);
	}

	/**
	 * Replaces frame {@code index} by {@code change} of it and rewrites its block with fresh CRCs, the way a
	 * deliberate edit of a trace would: only a replay can tell.
	 */
	public static void rewriteFrame(Path file, long index, UnaryOperator<Frame> change) throws IOException {
		byte[] bytes = Files.readAllBytes(file);
		TraceReader.Block block;
		List<Frame> frames = new ArrayList<>();
		try (TraceReader reader = TraceReader.open(file)) {
			block = reader.blocks().stream().filter(b -> index >= b.firstFrame() && index < b.firstFrame()
					+ b.frameCount()).findFirst().orElseThrow();
			long i = 0;
			for (Frame f : reader.frames()) {
				if (i >= block.firstFrame() && i < block.firstFrame() + block.frameCount()) {
					frames.add(i == index ? change.apply(f) : f);
				}
				i++;
			}
		}
		FieldWriter fields = new FieldWriter(1024);
		frames.forEach(f -> FrameCodec.encode(f, fields));
		Deflater deflater = new Deflater();
		byte[] encoded = BlockCodec.encode(TraceFormat.TAG_FRAMES, frames.size(), fields.buffer(), fields.size(),
				deflater);
		deflater.end();
		int start = Math.toIntExact(block.offset());
		int end = Math.toIntExact(block.offset() + block.size());
		byte[] out = new byte[bytes.length - (end - start) + encoded.length];
		System.arraycopy(bytes, 0, out, 0, start);
		System.arraycopy(encoded, 0, out, start, encoded.length);
		System.arraycopy(bytes, end, out, start + encoded.length, bytes.length - end);
		Files.write(file, out);
	}

	/** The first {@code length} bytes of {@code file} in a new file next to it. */
	public static Path prefix(Path file, long length, Path dir) throws IOException {
		Path out = dir.resolve("prefix-" + length + TraceFormat.EXTENSION);
		byte[] bytes = Files.readAllBytes(file);
		Files.write(out, Arrays.copyOf(bytes, Math.toIntExact(length)));
		return out;
	}
}
