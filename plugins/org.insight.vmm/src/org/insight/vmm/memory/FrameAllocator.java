package org.insight.vmm.memory;

import java.util.Arrays;
import java.util.BitSet;

import org.insight.kvm.GuestMemory;

/**
 * Hands out 4 KiB guest-physical frames above the kernel area, up to a cap. Every frame it hands out is zero.
 * <p>
 * Freed frames are discarded on the host (madvise MADV_DONTNEED) before they are reused: that zeroes them and, just
 * as important, makes KVM's MMU notifier drop every shadow translation of the frame. The VMM edits guest page
 * tables behind KVM's back, and KVM does not notice a cleared PTE, so without this a guest could keep reaching a
 * frame that now belongs to another page (PLATFORM.md, "stale translations").
 */
public final class FrameAllocator {
	private final GuestMemory memory;
	private final long first;
	private final long end;
	private final long capFrames;
	private long next;
	private long[] free = new long[64];
	/** Bit i: frame {@code first + i * 4096} is handed out; catches a double free before it corrupts two pages. */
	private final BitSet handedOut = new BitSet();
	private int freeCount;
	private long inUse;
	private long peak;
	private long discards;

	/**
	 * @param memory    the guest memory the frames are in
	 * @param first     first frame to hand out (page aligned)
	 * @param capFrames most frames in use at once; also bounded by the memory above {@code first}
	 */
	public FrameAllocator(GuestMemory memory, long first, long capFrames) {
		if (first % MachineLayout.PAGE_SIZE != 0 || first < 0 || first > memory.size()) {
			throw new IllegalArgumentException(String.format("first frame 0x%x is not a page inside guest memory of 0x%x bytes",
					first, memory.size()));
		}
		this.memory = memory;
		this.first = first;
		this.end = memory.size();
		this.capFrames = Math.max(0, Math.min(capFrames, (end - first) / MachineLayout.PAGE_SIZE));
		this.next = first;
	}

	/** A zeroed frame's guest-physical address. */
	public long allocate() {
		if (inUse >= capFrames) {
			throw new GuestOutOfMemoryException(String.format(
					"guest out of memory: all %d frames (%d MiB) of the memory cap are in use", capFrames,
					capFrames * MachineLayout.PAGE_SIZE >> 20), capFrames);
		}
		long frame;
		if (freeCount > 0) {
			frame = free[--freeCount];
		} else {
			frame = next;
			next += MachineLayout.PAGE_SIZE;
		}
		handedOut.set(index(frame));
		inUse++;
		peak = Math.max(peak, inUse);
		return frame;
	}

	/** Returns one frame: discarded (zeroed, shadow translations dropped) now, reused later. */
	public void free(long frame) {
		free(new long[] { frame }, 1);
	}

	/**
	 * Returns {@code count} frames. Runs of adjacent frames are discarded with one host call: unmapping a large
	 * region then costs a few madvise calls, not one per page.
	 */
	public void free(long[] frames, int count) {
		if (count == 0) {
			return;
		}
		long[] sorted = Arrays.copyOf(frames, count);
		Arrays.sort(sorted);
		for (int i = 0; i < count; i++) {
			long f = sorted[i];
			if (f < first || f >= next || f % MachineLayout.PAGE_SIZE != 0 || !handedOut.get(index(f))
					|| (i > 0 && sorted[i - 1] == f)) {
				throw new IllegalArgumentException(String.format("frame 0x%x is not in use (never handed out, or freed twice)", f));
			}
		}
		for (int i = 0; i < count; i++) {
			handedOut.clear(index(sorted[i]));
		}
		int runStart = 0;
		for (int i = 1; i <= count; i++) {
			if (i == count || sorted[i] != sorted[i - 1] + MachineLayout.PAGE_SIZE) {
				memory.discard(sorted[runStart], (long) (i - runStart) * MachineLayout.PAGE_SIZE);
				discards++;
				runStart = i;
			}
		}
		if (free.length < freeCount + count) {
			free = Arrays.copyOf(free, Math.max(free.length * 2, freeCount + count));
		}
		// reuse the lowest frames first: a deterministic order, and a compact footprint
		for (int i = count - 1; i >= 0; i--) {
			free[freeCount++] = sorted[i];
		}
		inUse -= count;
	}

	private int index(long frame) {
		return (int) ((frame - first) / MachineLayout.PAGE_SIZE);
	}

	/** Frames handed out and not freed. */
	public long inUse() {
		return inUse;
	}

	/** The most frames ever in use at once. */
	public long peak() {
		return peak;
	}

	public long capFrames() {
		return capFrames;
	}

	/** Frames that can still be handed out. */
	public long available() {
		return capFrames - inUse;
	}

	/** Host discard calls made (each drops KVM's translations of a run of frames). */
	public long discards() {
		return discards;
	}

	public GuestMemory memory() {
		return memory;
	}
}
