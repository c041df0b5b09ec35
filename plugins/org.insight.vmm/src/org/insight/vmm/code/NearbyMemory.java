package org.insight.vmm.code;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The memory a thread's next instructions address: the memory operands of the code reachable from an address, nearest
 * first (ARCHITECTURE.md section 3, "Landmarks in memory"). A loop whose progress is only in memory (a counter in a
 * static, or behind a pointer, that no register holds) passes its landmark's RIP with the same registers on every
 * pass; the words its own code reads and writes tell the passes apart.
 * <p>
 * The walk follows the code as the CPU could, breadth first from the address: the fall-through of every instruction
 * but an unconditional or indirect jump and a return, and the target of every direct jump and conditional branch (a
 * call's target is not followed: its callee's globals are not the loop's, and the walk goes on after the call). It
 * stops after {@code maxInstructions} instructions, at bytes that do not decode, and at code it cannot read. Every
 * memory operand met is taken, symbolically ({@link MemoryOperand}): a RIP-relative one's address is the
 * instruction's own, a register-based one's is computed by the caller with the registers at the landmark, which is
 * the loop's pointer where the loop keeps one in a register it does not change ({@code p->count++}). Any
 * deterministic choice of addresses is as exact as another; the walk's order (nearest first) only makes the words
 * useful.
 */
public final class NearbyMemory {
	private NearbyMemory() {
	}

	/** The most bytes one x86 instruction has. */
	private static final int MAX_INSTRUCTION = 15;

	/**
	 * The memory operands of the code reachable from {@code rip}, in the order the walk meets them, without repeats.
	 * {@code code} gives up to 15 bytes of guest code at an address (fewer where the readable code ends), or null where
	 * none is readable.
	 */
	public static List<MemoryOperand> operands(X86Decoder decoder, LongFunction<byte[]> code, long rip,
			int maxInstructions) {
		Set<MemoryOperand> found = new LinkedHashSet<>();
		Set<Long> seen = new HashSet<>();
		ArrayDeque<Long> queue = new ArrayDeque<>();
		queue.add(rip);
		int decoded = 0;
		while (!queue.isEmpty() && decoded < maxInstructions) {
			long at = queue.poll();
			if (!seen.add(at)) {
				continue;
			}
			byte[] bytes = code.apply(at);
			if (bytes == null || bytes.length == 0) {
				continue;
			}
			List<Instruction> one = decoder.decodeAll(bytes.length > MAX_INSTRUCTION
					? java.util.Arrays.copyOf(bytes, MAX_INSTRUCTION) : bytes, at, 1);
			if (one.isEmpty()) {
				continue;
			}
			decoded++;
			Instruction i = one.get(0);
			found.addAll(i.memory());
			for (long next : successors(i)) {
				queue.add(next);
			}
		}
		return new ArrayList<>(found);
	}

	/** Where the CPU can go after {@code i} within the walk. */
	private static List<Long> successors(Instruction i) {
		String m = i.mnemonic();
		boolean ends = m.startsWith("ret") || m.equals("ud2") || m.equals("hlt")
				|| i.kind() == Instruction.Kind.INDIRECT_JUMP || i.kind() == Instruction.Kind.JUMP;
		List<Long> out = new ArrayList<>(2);
		if (!ends) {
			out.add(i.next());
		}
		boolean call = m.startsWith("call");
		if (i.hasTarget() && !call) {
			out.add(i.target());
		}
		return out;
	}
}
