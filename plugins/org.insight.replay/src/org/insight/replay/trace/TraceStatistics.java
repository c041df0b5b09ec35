package org.insight.replay.trace;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Counts over a trace's frames. {@code choices} counts sync points where more than one thread could run;
 * {@code switches} those where another thread than the asking one was chosen; {@code landmarks} the watchdog kicks
 * that preempted (each is a place a replay must find again). {@code interleavingHash} is a 64-bit FNV-1a over the
 * sequence of (asking thread, chosen thread) at sync points and preemptions: two recordings with the same value ran
 * their threads in the same order. {@code frameBytes} is the encoded size of the frames before compression,
 * {@code storedBytes} the size of the frame blocks on disk.
 */
public record TraceStatistics(Map<FrameKind, Long> framesByKind, long choices, long switches, long landmarks,
		long randomBytes, long stdinBytes, int threads, long interleavingHash, long frameBytes, long storedBytes) {
	public TraceStatistics {
		EnumMap<FrameKind, Long> copy = new EnumMap<>(FrameKind.class);
		for (FrameKind k : FrameKind.values()) {
			copy.put(k, framesByKind.getOrDefault(k, 0L));
		}
		framesByKind = Collections.unmodifiableMap(copy);
	}

	public long frames() {
		return framesByKind.values().stream().mapToLong(Long::longValue).sum();
	}

	public long frames(FrameKind kind) {
		return framesByKind.get(kind);
	}

	public long syncPoints() {
		return frames(FrameKind.SCHEDULE);
	}

	public long kicks() {
		return frames(FrameKind.PREEMPT);
	}

	/** Accumulates statistics frame by frame; used by the writer and to recount an incomplete trace. */
	public static final class Counter {
		private static final long FNV_OFFSET = 0xcbf29ce484222325L;
		private static final long FNV_PRIME = 0x100000001b3L;

		private final long[] byKind = new long[FrameKind.values().length];
		private final Set<Integer> tids = new HashSet<>();
		private long choices;
		private long switches;
		private long landmarks;
		private long randomBytes;
		private long stdinBytes;
		private long hash = FNV_OFFSET;
		private long frameBytes;
		private long storedBytes;

		/** Counts one frame whose encoding took {@code encodedBytes} bytes. */
		public void add(Frame frame, int encodedBytes) {
			byKind[frame.kind().ordinal()]++;
			tids.add(frame.tid());
			frameBytes += encodedBytes;
			switch (frame) {
			case ScheduleFrame f -> {
				if (f.runnable().size() > 1) {
					choices++;
				}
				if (f.switchesThread()) {
					switches++;
				}
				mix(f.tid());
				mix(f.chosen());
			}
			case PreemptFrame f -> {
				if (f.preempted()) {
					landmarks++;
					mix(~f.tid());
				}
			}
			case RandomFrame f -> randomBytes += f.question().length();
			case StdinFrame f -> stdinBytes += Math.max(f.result(), 0);
			case ClockFrame f -> {
			}
			case IdleFrame f -> {
			}
			case OutputFrame f -> {
			}
			case TscFrame f -> {
			}
			}
		}

		/** Counts a frame block of {@code bytes} bytes on disk, head included. */
		public void addBlock(long bytes) {
			storedBytes += bytes;
		}

		private void mix(int v) {
			for (int i = 0; i < 4; i++) {
				hash ^= (v >>> (8 * i)) & 0xFF;
				hash *= FNV_PRIME;
			}
		}

		public TraceStatistics snapshot() {
			EnumMap<FrameKind, Long> map = new EnumMap<>(FrameKind.class);
			for (FrameKind k : FrameKind.values()) {
				map.put(k, byKind[k.ordinal()]);
			}
			return new TraceStatistics(map, choices, switches, landmarks, randomBytes, stdinBytes, tids.size(), hash,
					frameBytes, storedBytes);
		}
	}
}
