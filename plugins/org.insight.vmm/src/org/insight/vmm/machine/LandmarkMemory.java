package org.insight.vmm.machine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.insight.kvm.Regs;
import org.insight.vmm.code.MemoryOperand;
import org.insight.vmm.code.NearbyMemory;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.Vma;

/**
 * The memory words of a landmark (ARCHITECTURE.md section 3, "Landmarks in memory"). When recording, a kick's
 * landmark takes the 8-byte words at the addresses its code reads near RIP ({@link NearbyMemory}), computed with the
 * landmark's registers; a replay
 * reads the recorded addresses, so the chooser's heuristics never decide whether a replay matches, only how well the
 * passes of a loop are told apart.
 * <p>
 * A word reads as the guest's CPU would read it ({@link AddressSpace#peekLong}): a page not yet present reads as its
 * page fault would fill it, so the value depends on guest state alone, not on which pages the VMM happened to fill
 * (prefaulting depends on free frames, and a replay's comparator faults pages in early). Our own bytes are hidden:
 * a recording leaves out words that hold one of our int3s, patches or stubs, or lie on a page of the VMM's own, and
 * a replay reads the guest's bytes under any of ours. Words inside the top of the stack that the stack digest covers
 * are left to it.
 */
final class LandmarkMemory {
	/** The most instructions walked from a kick's RIP. */
	static final int WALK = 64;
	/** Kick sites remembered: decoding costs milliseconds, and a loop is kicked at a few sites again and again. */
	private static final int CACHED_SITES = 1024;

	private final AddressSpace memory;
	private final CodeBreakpoints breakpoints;
	private final Supplier<X86Decoder> decoders;
	private final Map<Long, List<MemoryOperand>> bySite = new LinkedHashMap<>(64, 0.75f, true) {
		private static final long serialVersionUID = 1L;

		@Override
		protected boolean removeEldestEntry(Map.Entry<Long, List<MemoryOperand>> eldest) {
			return size() > CACHED_SITES;
		}
	};

	LandmarkMemory(AddressSpace memory, CodeBreakpoints breakpoints, Supplier<X86Decoder> decoders) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
		this.decoders = Objects.requireNonNull(decoders, "decoders");
	}

	/**
	 * The words to record for a kick with registers {@code regs} and FS base {@code fsBase}: at most
	 * {@link Landmark#MAX_WORDS}.
	 */
	List<Landmark.Word> choose(Regs regs, long fsBase) {
		List<Landmark.Word> out = new ArrayList<>();
		long rsp = regs.rsp;
		long[] gprs = LandmarkComparator.gprs(regs);
		for (MemoryOperand operand : operands(regs.rip)) {
			java.util.OptionalLong address = operand.address(gprs, fsBase);
			if (address.isEmpty()) {
				continue;
			}
			long aligned = address.getAsLong() & ~7L;
			if (aligned + 8 > rsp && aligned < rsp + VcpuLoop.LANDMARK_STACK_BYTES
					|| out.stream().anyMatch(w -> w.address() == aligned) || breakpoints.anyOursIn(aligned, aligned + 8)
					|| memory.vmaAt(aligned).map(v -> v.kind() == Vma.Kind.VMM).orElse(false)) {
				continue;
			}
			Landmark.Word w = read(aligned);
			if (w != null) {
				out.add(w);
				if (out.size() == Landmark.MAX_WORDS) {
					break;
				}
			}
		}
		return out;
	}

	/** The words at a recorded landmark's addresses, as they are now; an unreadable one is left out (no match). */
	List<Landmark.Word> read(long[] addresses) {
		List<Landmark.Word> out = new ArrayList<>(addresses.length);
		for (long a : addresses) {
			Landmark.Word w = read(a);
			if (w != null) {
				out.add(w);
			}
		}
		return out;
	}

	private Landmark.Word read(long aligned) {
		java.util.OptionalLong v = memory.peekLong(aligned);
		if (v.isEmpty()) {
			return null; // a read there would fault: nothing to compare
		}
		byte[] b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v.getAsLong())
				.array();
		return new Landmark.Word(aligned, java.nio.ByteBuffer.wrap(breakpoints.hideOurs(aligned, b)).order(
				java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
	}

	private List<MemoryOperand> operands(long rip) {
		List<MemoryOperand> known = bySite.get(rip);
		if (known != null) {
			return known;
		}
		X86Decoder decoder = decoders.get();
		List<MemoryOperand> found = decoder == null ? List.of()
				: List.copyOf(NearbyMemory.operands(decoder, this::code, rip, WALK));
		bySite.put(rip, found);
		return found;
	}

	/** Up to 15 bytes of the guest's own code (our patches hidden) at {@code va}; null where its page is not present. */
	private byte[] code(long va) {
		try {
			if (!memory.translate(va).present()) {
				return null;
			}
		} catch (IllegalArgumentException e) {
			return null;
		}
		return breakpoints.presentGuestCode(va, 15);
	}
}
