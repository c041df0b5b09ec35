package org.insight.vmm.code;

import java.util.Arrays;

/**
 * One decoded x86-64 instruction, reduced to what moving it elsewhere needs.
 *
 * @param address    where it is
 * @param bytes      its encoding
 * @param kind       how it depends on where it is
 * @param target     a relative branch's destination ({@link Kind#JUMP}, {@link Kind#CONDITIONAL}, and the direct calls
 *                   and loops among {@link Kind#UNMOVABLE}); -1 otherwise
 * @param condition  a {@link Kind#CONDITIONAL}'s condition code (the low nibble of {@code 7x} / {@code 0F 8x})
 * @param dispOffset where a {@link Kind#RIP_RELATIVE}'s 32-bit displacement is in {@code bytes}; -1 otherwise
 * @param mnemonic   capstone's name, for messages and tests
 * @param memory     the memory operands the instruction accesses (none for {@code lea} and {@code nop}, which access
 *                   nothing), as capstone reads them ({@link MemoryOperand})
 */
public record Instruction(long address, byte[] bytes, Kind kind, long target, int condition, int dispOffset,
		String mnemonic, java.util.List<MemoryOperand> memory) {

	/** How an instruction depends on its address. */
	public enum Kind {
		/** Not at all: its bytes run the same anywhere. */
		PLAIN,
		/** A memory operand relative to the next instruction: the displacement is adjusted when moved. */
		RIP_RELATIVE,
		/** {@code jmp rel8/rel32}: re-encoded as {@code jmp rel32} to the same target. */
		JUMP,
		/** {@code jcc rel8/rel32}: re-encoded as {@code jcc rel32} to the same target. */
		CONDITIONAL,
		/** A jump through a register or memory: runs anywhere, but its targets are unknown. */
		INDIRECT_JUMP,
		/**
		 * Cannot be moved, or is not moved: a call (it pushes its own address), loop/jrcxz/xbegin (8-bit or odd
		 * branches), a system or privileged instruction, an EIP-relative operand, anything the decoder is unsure of.
		 */
		UNMOVABLE
	}

	public Instruction {
		bytes = bytes.clone();
		memory = java.util.List.copyOf(memory);
	}

	/** An instruction whose memory operands are not known (or that has none). */
	public Instruction(long address, byte[] bytes, Kind kind, long target, int condition, int dispOffset,
			String mnemonic) {
		this(address, bytes, kind, target, condition, dispOffset, mnemonic, java.util.List.of());
	}

	@Override
	public byte[] bytes() {
		return bytes.clone();
	}

	public int length() {
		return bytes.length;
	}

	/** The address right after it. */
	public long next() {
		return address + bytes.length;
	}

	/** Whether it has a relative branch target (a jump, a call, a loop). */
	public boolean hasTarget() {
		return target >= 0;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Instruction i && i.address == address && Arrays.equals(i.bytes, bytes) && i.kind == kind
				&& i.target == target && i.condition == condition && i.dispOffset == dispOffset;
	}

	@Override
	public int hashCode() {
		return Long.hashCode(address) * 31 + Arrays.hashCode(bytes);
	}

	@Override
	public String toString() {
		return String.format("0x%x %s (%s, %d bytes)", address, mnemonic, kind, bytes.length);
	}
}
