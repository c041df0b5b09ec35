package org.insight.vmm.machine;

import java.util.Optional;
import java.util.function.LongToIntFunction;

import org.insight.vmm.inputs.TscRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/**
 * Which TSC read a #GP at CPL3 stands for, CR4.TSD being set: {@code 0f 31} (rdtsc) or {@code 0f 01 f9} (rdtscp) at
 * the faulting RIP, read from guest memory the guest may execute. Anything else is no TSC read (a real #GP).
 */
public final class TscInstruction {
	private TscInstruction() {
	}

	/** A decoded read: the instruction and its length, by which RIP advances. */
	public record Decoded(TscRead.Instruction instruction, int length) {
	}

	/**
	 * Decodes at {@code rip}; {@code byteAt} gives the byte at an address (0..255) or -1 where the guest cannot
	 * execute. Bytes past an unreadable one are never asked for.
	 */
	public static Optional<Decoded> decode(long rip, LongToIntFunction byteAt) {
		if (byteAt.applyAsInt(rip) != 0x0f) {
			return Optional.empty();
		}
		int second = byteAt.applyAsInt(rip + 1);
		if (second == 0x31) {
			return Optional.of(new Decoded(TscRead.Instruction.RDTSC, 2));
		}
		if (second == 0x01 && byteAt.applyAsInt(rip + 2) == 0xf9) {
			return Optional.of(new Decoded(TscRead.Instruction.RDTSCP, 3));
		}
		return Optional.empty();
	}

	/** {@link #decode} over a guest address space: only user addresses in an executable mapping are read. */
	public static Optional<Decoded> decode(long rip, AddressSpace memory) {
		return decode(rip, va -> executableByte(memory, va));
	}

	private static int executableByte(AddressSpace memory, long va) {
		if (va < MachineLayout.USER_START || Long.compareUnsigned(va, MachineLayout.USER_TOP) >= 0) {
			return -1;
		}
		Optional<Vma> v = memory.vmaAt(va);
		if (v.isEmpty() || (v.get().prot() & Mman.PROT_EXEC) == 0) {
			return -1;
		}
		return memory.copyIn(va, 1)[0] & 0xff;
	}
}
