package org.insight.vmm.code;

/**
 * A lock function's stub with a countdown and a ring (ARCHITECTURE.md section 3, "Lock calls through stubs"): what the
 * {@code jmp} at the function's entry leads to. Most calls never leave CPL3: the stub appends the call (its first
 * argument, the stub's id, RSP and the return address at the entry) to a ring in the data page, counts the lock-call
 * countdown down, and runs the function's moved first instructions; only when the countdown reaches zero (a sync
 * point) or the ring is full does it execute an {@code int3}. A stub that only <em>observes</em> (a replay's analysis
 * counts the calls of a function that is no sync point, section 4) jumps over the countdown: its calls stop only when
 * the ring is full.
 * <p>
 * Nothing the guest can see changes: RCX and RAX are kept in the data page while the stub uses them, and {@code mov},
 * {@code lea}, {@code jmp} and {@code jrcxz} leave every flag alone; nothing is pushed (the guest's red zone stays as
 * it is). Layout, from the stub's address:
 * <pre>
 *   +0            nop, or int3 while the analysis watches the function (every call then stops at once)
 *   +1            mov [SAVE], rcx
 *                 mov rcx, [HEAD] ; mov [rcx], rdi ; mov qword [rcx+8], id ; mov [rcx+16], rsp
 *                 mov [SAVE_RAX], rax ; mov rax, [rsp] ; mov [rcx+24], rax ; mov rax, [SAVE_RAX]
 *                 lea rcx, [rcx+32] ; mov [HEAD], rcx
 *                 mov rcx, [COUNT] ; lea rcx, [rcx-1] ; mov [COUNT], rcx ; jrcxz stop   (observing: jmp over it)
 *                 mov rcx, [ROOM] ; lea rcx, [rcx-1] ; mov [ROOM], rcx ; jrcxz stop
 *                 mov rcx, [SAVE]
 *   moved         the function's first instructions, relocated, and a jmp back
 *   stop          mov rcx, [SAVE] ; int3 ; jmp moved
 * </pre>
 * The data page is in the kernel area, below 2 GiB, so it is addressed with absolute 32-bit displacements.
 */
public final class LockStubCode {
	/** RCX while the stub uses it. */
	public static final int SAVE = 0x00;
	/** Lock calls left until the next sync point, counting the one that makes it: never 0 when the VMM sets it. */
	public static final int COUNT = 0x08;
	/** Ring entries left before the ring is full and the stub stops for the VMM to drain it. */
	public static final int ROOM = 0x10;
	/** Where the next ring entry goes (an address in the data page). */
	public static final int HEAD = 0x18;
	/** RAX while the stub uses it (to copy the return address). */
	public static final int SAVE_RAX = 0x20;
	/**
	 * The ring: entries of {@link #ENTRY} bytes, the call's first argument, the stub's id, RSP at the entry and the
	 * return address there.
	 */
	public static final int RING = 0x100;
	public static final int ENTRY = 32;
	/** How many entries the ring holds. */
	public static final int RING_ENTRIES = (0x1000 - RING) / ENTRY;
	private static final int RCX = 1;
	private static final int RAX = 0;

	private final X86Writer out = new X86Writer();
	private final long data;

	private LockStubCode(long data) {
		if (data < 0 || data + 0x1000 > 0x7fff_ffffL) {
			throw new IllegalArgumentException(String.format("data page 0x%x is not below 2 GiB", data));
		}
		this.data = data;
	}

	/**
	 * The counting part, from +1 to the moved instructions, for stub {@code id}; an observing stub jumps over the
	 * countdown (the same length either way, so every stub's moved instructions are at {@link #MOVED}).
	 */
	private int prologue(int id, boolean counting) {
		absolute(0x89, SAVE); // mov [SAVE], rcx
		absolute(0x8b, HEAD); // mov rcx, [HEAD]
		bytes(0x48, 0x89, 0x39); // mov [rcx], rdi
		bytes(0x48, 0xc7, 0x41, 0x08); // mov qword [rcx+8], imm32
		int32(id);
		bytes(0x48, 0x89, 0x61, 0x10); // mov [rcx+16], rsp
		out.absolute(0x48, 0x89, RAX, data + SAVE_RAX); // mov [SAVE_RAX], rax
		bytes(0x48, 0x8b, 0x04, 0x24); // mov rax, [rsp]
		bytes(0x48, 0x89, 0x41, 0x18); // mov [rcx+24], rax
		out.absolute(0x48, 0x8b, RAX, data + SAVE_RAX); // mov rax, [SAVE_RAX]
		bytes(0x48, 0x8d, 0x49, ENTRY); // lea rcx, [rcx+32]
		absolute(0x89, HEAD); // mov [HEAD], rcx
		int firstJump;
		if (counting) {
			firstJump = countDown(COUNT);
		} else {
			bytes(0xeb, COUNT_LENGTH - 2); // jmp over a countdown's length
			for (int i = 2; i < COUNT_LENGTH; i++) {
				bytes(0xcc);
			}
			firstJump = -1;
		}
		int secondJump = countDown(ROOM);
		absolute(0x8b, SAVE); // mov rcx, [SAVE]
		return firstJump < 0 ? secondJump : firstJump << 16 | secondJump;
	}

	/** Bytes of one countdown: {@code mov rcx, [slot] ; lea rcx, [rcx-1] ; mov [slot], rcx ; jrcxz}. */
	private static final int COUNT_LENGTH = 8 + 4 + 8 + 2;

	/** {@code mov rcx, [slot] ; lea rcx, [rcx-1] ; mov [slot], rcx ; jrcxz}: returns where the jrcxz's rel8 is. */
	private int countDown(int slot) {
		absolute(0x8b, slot);
		bytes(0x48, 0x8d, 0x49, 0xff);
		absolute(0x89, slot);
		bytes(0xe3, 0);
		return out.size() - 1;
	}

	/** Where in a stub its id is (the imm32 of {@code mov qword [rcx+8], id}). */
	public static final int ID_OFFSET = 1 + 8 + 8 + 3 + 4;
	/** Bytes from the stub's address to its moved instructions. */
	public static final int MOVED = 1 + new LockStubCode(0).prologueLength();
	/** Bytes of the stop path: {@code mov rcx, [SAVE] ; int3 ; jmp rel32}. */
	public static final int STOP_LENGTH = 8 + 1 + 5;
	/** Offset in the stop path of the instruction after its int3: where a #BP frame's RIP points. */
	public static final int STOP_AFTER_INT3 = 9;

	private int prologueLength() {
		prologue(0, true);
		return out.size();
	}

	/** Where the moved instructions go in a stub placed at {@code stub}. */
	public static long movedAt(long stub) {
		return stub + MOVED;
	}

	/** Where the stop path of a stub at {@code stub} whose moved code (with its jmp back) takes {@code moved} bytes. */
	public static long stopAt(long stub, int moved) {
		return stub + MOVED + moved;
	}

	/** The whole stub's length. */
	public static int length(int moved) {
		return MOVED + moved + STOP_LENGTH;
	}

	/**
	 * Stub {@code id} using the data page at {@code data}, followed by {@code moved} (relocated for
	 * {@link #movedAt}, with its jmp back), then the stop path. Its first byte is a nop (unwatched).
	 */
	public static byte[] assemble(long data, int id, byte[] moved) {
		return assemble(data, id, moved, true);
	}

	/**
	 * As {@link #assemble(long, int, byte[])}; {@code counting} false for a stub that only observes: it appends its
	 * calls to the ring, but counts no sync point down.
	 */
	public static byte[] assemble(long data, int id, byte[] moved, boolean counting) {
		LockStubCode c = new LockStubCode(data);
		c.bytes(0x90);
		int jumps = c.prologue(id, counting);
		c.out.write(moved);
		int stop = c.out.size();
		c.absolute(0x8b, SAVE); // stop: mov rcx, [SAVE]
		c.bytes(0xcc); // int3
		c.bytes(0xe9); // jmp moved (the VMM sends the thread there anyway; never run)
		c.int32(MOVED - (c.out.size() + 4));
		byte[] all = c.out.toByteArray();
		for (int at : counting ? new int[] { jumps >>> 16, jumps & 0xffff } : new int[] { jumps }) {
			int rel = stop - (at + 1);
			if (rel > 127) {
				throw new IllegalArgumentException(moved.length + " moved bytes put the stop path out of a jrcxz's reach");
			}
			all[at] = (byte) rel;
		}
		return all;
	}

	/** {@code REX.W op modrm(00 rcx 100) sib(0x25) disp32}: op between RCX and the absolute data + offset. */
	private void absolute(int op, int offset) {
		out.absolute(0x48, op, RCX, data + offset);
	}

	private void bytes(int... bs) {
		out.bytes(bs);
	}

	private void int32(int v) {
		out.int32(v);
	}
}
