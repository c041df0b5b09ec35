package org.insight.vmm.code;

import java.io.ByteArrayOutputStream;

/**
 * The landmark comparator's code (ARCHITECTURE.md section 3, "Landmark replay in proportion to the recording"): what
 * a {@code jmp} at the landmark's RIP leads to. It compares the thread's RAX…R15, RSP and arithmetic flags with the
 * landmark's, at CPL3 and at native speed; on a match it executes an {@code int3} (the VMM then checks the whole
 * landmark, stack digest and FS base included), otherwise, or after a hit that was not the landmark, it runs the
 * displaced instructions (relocated after it) and jumps back.
 * <p>
 * The thread's state is the guest's own whenever it leaves this code or traps in it: the code switches to a stack of
 * its own in the data page before it pushes anything (so the red zone below the guest's RSP is never written), saves
 * RFLAGS there with {@code pushfq} before the first {@code cmp}, and puts RFLAGS, RAX and RSP back before the
 * {@code int3} and before the displaced instructions. Both pages are below 2 GiB (the kernel area), so the data is
 * addressed with absolute 32-bit displacements.
 * <p>
 * Data page: the landmark's 16 GPRs at {@code 8 × n} in the CPU's register order (RSP at slot 4), the landmark's
 * flags masked with {@link #FLAGS_MASK} at {@link #FLAGS}, the guest's RSP while inside at {@link #SAVED_RSP}, and
 * the private stack below the page's end.
 */
public final class Comparator {
	/** CF, PF, AF, ZF, SF, DF, OF: what the guest's code computes (IF, RF, TF and the rest are the machine's). */
	public static final long FLAGS_MASK = 0xcd5;
	public static final int FLAGS = 0x80;
	public static final int SAVED_RSP = 0x88;
	public static final int STACK_TOP = 0x1000;
	private static final int RSP = 4;
	/** The registers compared one by one, RSP apart (it is compared through its saved copy). */
	private static final int[] REGISTERS = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();
	private final long data;
	private final java.util.List<Integer> toMiss = new java.util.ArrayList<>();

	private Comparator(long data) {
		this.data = data;
	}

	/** The comparator's prefix: everything before the displaced instructions, whose length is fixed. */
	private static Comparator prefix(long data) {
		if (data < 0 || data + STACK_TOP > 0x7fff_ffffL) {
			throw new IllegalArgumentException(String.format("data page 0x%x is not below 2 GiB", data));
		}
		Comparator c = new Comparator(data);
		c.absolute(0x48, 0x89, RSP, SAVED_RSP); // mov [SAVED_RSP], rsp
		c.bytes(0x48, 0xc7, 0xc4); // mov rsp, imm32
		c.int32((int) (data + STACK_TOP));
		c.bytes(0x9c); // pushfq
		for (int r : REGISTERS) {
			c.absolute(0x48 | (r >> 3) << 2, 0x3b, r & 7, 8 * r); // cmp r, [slot]
			c.jneMiss();
		}
		c.bytes(0x50); // push rax
		c.absolute(0x48, 0x8b, 0, SAVED_RSP); // mov rax, [SAVED_RSP]
		c.absolute(0x48, 0x3b, 0, 8 * RSP); // cmp rax, [slot 4]
		c.bytes(0x58); // pop rax
		c.jneMiss();
		c.bytes(0x50, 0x48, 0x8b, 0x44, 0x24, 0x08); // push rax ; mov rax, [rsp+8] (the pushed flags)
		c.bytes(0x48, 0x25); // and rax, imm32
		c.int32((int) FLAGS_MASK);
		c.absolute(0x48, 0x3b, 0, FLAGS); // cmp rax, [FLAGS]
		c.bytes(0x58); // pop rax
		c.jneMiss();
		// match: the guest's flags and stack back, then the int3 the VMM looks at
		c.bytes(0x9d);
		c.absolute(0x48, 0x8b, RSP, SAVED_RSP);
		c.bytes(0xcc);
		c.bytes(0xeb, MISS_LENGTH); // after a hit that was not the landmark: on to the displaced instructions
		int miss = c.out.size();
		for (int at : c.toMiss) {
			c.patch32(at, miss - (at + 4));
		}
		c.bytes(0x9d); // popfq
		c.absolute(0x48, 0x8b, RSP, SAVED_RSP); // mov rsp, [SAVED_RSP]
		return c;
	}

	/** The bytes of the miss path ({@code popfq ; mov rsp, [SAVED_RSP]}), which a hit jumps over. */
	private static final int MISS_LENGTH = 9;

	/** Bytes before the displaced instructions. */
	public static final int PREFIX_LENGTH = prefix(0).out.size();
	/** Offset of the instruction after the {@code int3}: where a #BP frame's RIP points at a hit. */
	public static final int AFTER_INT3 = PREFIX_LENGTH - MISS_LENGTH - 2;

	/** Where the displaced instructions go in a comparator placed at {@code code}. */
	public static long displacedAt(long code) {
		return code + PREFIX_LENGTH;
	}

	/** The comparator at {@code code} using the data page at {@code data}, followed by {@code displaced}. */
	public static byte[] assemble(long data, byte[] displaced) {
		Comparator c = prefix(data);
		c.out.writeBytes(displaced);
		return c.out.toByteArray();
	}

	/** The data page's contents for a landmark: its GPRs in register order (RSP at 4), then its masked flags. */
	public static long[] dataFor(long[] gprs, long rflags) {
		if (gprs.length != 16) {
			throw new IllegalArgumentException("16 registers, not " + gprs.length);
		}
		long[] d = new long[FLAGS / 8 + 1];
		System.arraycopy(gprs, 0, d, 0, 16);
		d[FLAGS / 8] = rflags & FLAGS_MASK;
		return d;
	}

	/** {@code REX op modrm(00 reg 100) sib(0x25) disp32}: op between {@code reg} and the absolute data + offset. */
	private void absolute(int rex, int op, int reg, int offset) {
		bytes(rex, op, (reg & 7) << 3 | 4, 0x25);
		int32((int) (data + offset));
	}

	private void jneMiss() {
		bytes(0x0f, 0x85);
		toMiss.add(out.size());
		int32(0);
	}

	private void bytes(int... bs) {
		for (int b : bs) {
			out.write(b);
		}
	}

	private void int32(int v) {
		byte[] b = new byte[4];
		Relocation.putInt(b, 0, v);
		out.writeBytes(b);
	}

	private void patch32(int at, int v) {
		byte[] all = out.toByteArray();
		Relocation.putInt(all, at, v);
		out.reset();
		out.writeBytes(all);
	}
}
