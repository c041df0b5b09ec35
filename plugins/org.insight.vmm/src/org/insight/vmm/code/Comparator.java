package org.insight.vmm.code;

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
 * After the registers and flags, the landmark's memory words ({@code Landmark.Word}): for each of {@link #WORDS}
 * slots, the 8 bytes at the slot's address are compared with its value. A slot the landmark does not use addresses its
 * own value, which always matches. A word's load can fault (its page unmapped on an earlier pass of the loop); the VMM
 * then sends the thread to {@link #WORD_MISS} ({@link #isWordLoad}), which is a miss like any other.
 * <p>
 * Data page: the landmark's 16 GPRs at {@code 8 × n} in the CPU's register order (RSP at slot 4), the landmark's
 * flags masked with {@link #FLAGS_MASK} at {@link #FLAGS}, the guest's RSP while inside at {@link #SAVED_RSP}, the
 * guest's RAX while the words are compared at {@link #SAVED_RAX}, the words' (address, value) pairs from
 * {@link #WORD_SLOTS}, and the private stack below the page's end.
 */
public final class Comparator {
	/** CF, PF, AF, ZF, SF, DF, OF: what the guest's code computes (IF, RF, TF and the rest are the machine's). */
	public static final long FLAGS_MASK = 0xcd5;
	public static final int FLAGS = 0x80;
	public static final int SAVED_RSP = 0x88;
	public static final int SAVED_RAX = 0x90;
	/** The memory words' slots: 16 bytes each, the address then the value. */
	public static final int WORD_SLOTS = 0x100;
	/** How many memory words are compared (Landmark.MAX_WORDS). */
	public static final int WORDS = 8;
	public static final int STACK_TOP = 0x1000;
	private static final int RSP = 4;
	/** The registers compared one by one, RSP apart (it is compared through its saved copy). */
	private static final int[] REGISTERS = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

	private final X86Writer out = new X86Writer();
	private final long data;
	private final java.util.List<Integer> toMiss = new java.util.ArrayList<>();
	private final java.util.List<Integer> toWordMiss = new java.util.ArrayList<>();
	private int wordsStart;
	private int wordsEnd;
	private int wordMiss;

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
		c.out.bytes(0x48, 0xc7, 0xc4); // mov rsp, imm32
		c.out.int32((int) (data + STACK_TOP));
		c.out.bytes(0x9c); // pushfq
		for (int r : REGISTERS) {
			c.absolute(0x48 | (r >> 3) << 2, 0x3b, r & 7, 8 * r); // cmp r, [slot]
			c.jneMiss();
		}
		c.out.bytes(0x50); // push rax
		c.absolute(0x48, 0x8b, 0, SAVED_RSP); // mov rax, [SAVED_RSP]
		c.absolute(0x48, 0x3b, 0, 8 * RSP); // cmp rax, [slot 4]
		c.out.bytes(0x58); // pop rax
		c.jneMiss();
		c.out.bytes(0x50, 0x48, 0x8b, 0x44, 0x24, 0x08); // push rax ; mov rax, [rsp+8] (the pushed flags)
		c.out.bytes(0x48, 0x25); // and rax, imm32
		c.out.int32((int) FLAGS_MASK);
		c.absolute(0x48, 0x3b, 0, FLAGS); // cmp rax, [FLAGS]
		c.out.bytes(0x58); // pop rax
		c.jneMiss();
		c.absolute(0x48, 0x89, 0, SAVED_RAX); // mov [SAVED_RAX], rax
		c.wordsStart = c.out.size();
		for (int i = 0; i < WORDS; i++) {
			c.absolute(0x48, 0x8b, 0, WORD_SLOTS + 16 * i); // mov rax, [address i]
			c.out.bytes(0x48, 0x8b, 0x00); // mov rax, [rax]: may fault
			c.absolute(0x48, 0x3b, 0, WORD_SLOTS + 16 * i + 8); // cmp rax, [value i]
			c.out.bytes(0x0f, 0x85); // jne wordMiss
			c.toWordMiss.add(c.out.size());
			c.out.int32(0);
		}
		c.wordsEnd = c.out.size();
		c.absolute(0x48, 0x8b, 0, SAVED_RAX); // mov rax, [SAVED_RAX]
		c.out.bytes(0xeb, WORD_MISS_LENGTH); // jmp over the word miss to the match
		c.wordMiss = c.out.size();
		for (int at : c.toWordMiss) {
			c.out.patch32(at, c.wordMiss - (at + 4));
		}
		c.absolute(0x48, 0x8b, 0, SAVED_RAX); // wordMiss: mov rax, [SAVED_RAX] ; jmp miss
		c.out.bytes(0xe9);
		c.toMiss.add(c.out.size());
		c.out.int32(0);
		// match: the guest's flags and stack back, then the int3 the VMM looks at
		c.out.bytes(0x9d);
		c.absolute(0x48, 0x8b, RSP, SAVED_RSP);
		c.out.bytes(0xcc);
		c.out.bytes(0xeb, MISS_LENGTH); // after a hit that was not the landmark: on to the displaced instructions
		int miss = c.out.size();
		for (int at : c.toMiss) {
			c.out.patch32(at, miss - (at + 4));
		}
		c.out.bytes(0x9d); // popfq
		c.absolute(0x48, 0x8b, RSP, SAVED_RSP); // mov rsp, [SAVED_RSP]
		return c;
	}

	/** The bytes of the miss path ({@code popfq ; mov rsp, [SAVED_RSP]}), which a hit jumps over. */
	private static final int MISS_LENGTH = 9;
	/** The bytes of the word miss ({@code mov rax, [SAVED_RAX] ; jmp miss}), which a match jumps over. */
	private static final int WORD_MISS_LENGTH = 13;
	private static final Comparator LAYOUT = prefix(0);
	/** Where a fault in a memory word's load goes: the word miss. */
	public static final int WORD_MISS = LAYOUT.wordMiss;

	/** Bytes before the displaced instructions. */
	public static final int PREFIX_LENGTH = LAYOUT.out.size();
	/** Offset of the instruction after the {@code int3}: where a #BP frame's RIP points at a hit. */
	public static final int AFTER_INT3 = PREFIX_LENGTH - MISS_LENGTH - 2;

	/** Where the displaced instructions go in a comparator placed at {@code code}. */
	public static long displacedAt(long code) {
		return code + PREFIX_LENGTH;
	}

	/** The comparator at {@code code} using the data page at {@code data}, followed by {@code displaced}. */
	public static byte[] assemble(long data, byte[] displaced) {
		Comparator c = prefix(data);
		c.out.write(displaced);
		return c.out.toByteArray();
	}

	/**
	 * Whether a fault at offset {@code offset} of the comparator's code is a memory word's load (the thread then goes
	 * on at {@link #WORD_MISS}, with its registers as they are).
	 */
	public static boolean isWordLoad(long offset) {
		return offset >= LAYOUT.wordsStart && offset < LAYOUT.wordsEnd;
	}

	/**
	 * The data page's contents for a landmark placed at {@code data}: its GPRs in register order (RSP at 4), its
	 * masked flags, and its memory words' addresses and values (at most {@link #WORDS}; the unused slots address their
	 * own value).
	 */
	public static long[] dataFor(long[] gprs, long rflags, long[] addresses, long[] values, long data) {
		if (gprs.length != 16) {
			throw new IllegalArgumentException("16 registers, not " + gprs.length);
		}
		if (addresses.length != values.length || addresses.length > WORDS) {
			throw new IllegalArgumentException(addresses.length + " word addresses and " + values.length + " values");
		}
		long[] d = new long[WORD_SLOTS / 8 + 2 * WORDS];
		System.arraycopy(gprs, 0, d, 0, 16);
		d[FLAGS / 8] = rflags & FLAGS_MASK;
		for (int i = 0; i < WORDS; i++) {
			int slot = WORD_SLOTS / 8 + 2 * i;
			d[slot] = i < addresses.length ? addresses[i] : data + 8L * (slot + 1);
			d[slot + 1] = i < values.length ? values[i] : 0;
		}
		return d;
	}

	/** {@code REX op modrm(00 reg 100) sib(0x25) disp32}: op between {@code reg} and the absolute data + offset. */
	private void absolute(int rex, int op, int reg, int offset) {
		out.absolute(rex, op, reg, data + offset);
	}

	private void jneMiss() {
		out.bytes(0x0f, 0x85);
		toMiss.add(out.size());
		out.int32(0);
	}
}
