package org.insight.vmm.machine;

import static org.insight.vmm.memory.MachineLayout.EXCEPTION_PORT_BASE;
import static org.insight.vmm.memory.MachineLayout.GATE;
import static org.insight.vmm.memory.MachineLayout.GATE_PORT;
import static org.insight.vmm.memory.MachineLayout.GDT;
import static org.insight.vmm.memory.MachineLayout.IDT;
import static org.insight.vmm.memory.MachineLayout.KERNEL_STACK_TOP;
import static org.insight.vmm.memory.MachineLayout.STUBS;
import static org.insight.vmm.memory.MachineLayout.STUB_SIZE;
import static org.insight.vmm.memory.MachineLayout.TSS;
import static org.insight.vmm.memory.MachineLayout.TSS_LIMIT;

import org.insight.kvm.GuestMemory;

/**
 * The bytes the machine puts in the kernel area: GDT, IDT, TSS with its I/O bitmap, the CPL0 exception stubs and
 * the syscall gate. These are the only instructions that are not the guest's, and they are as few as possible,
 * because CPL0 code is emulated here (about 1 µs per instruction).
 */
public final class KernelArea {
	/** GDT entries: null, kernel code, kernel data, TSS (two slots), user data, user code. */
	public static final int GDT_ENTRIES = 7;
	public static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, TSS_SELECTOR = 0x18;
	/*
	 * Every segment descriptor is written with its accessed bit set (type 0xb code, 0x3 data): a CPU loading a
	 * selector writes that bit into the GDT only when it is clear, so the GDT page can be mapped read-only (with
	 * CR0.WP, a CPL0 write there would fault while delivering an exception: a triple fault).
	 */
	/** 64-bit code, DPL 0, accessed. */
	static final long KERNEL_CODE = 0x00af9b000000ffffL;
	/** Data, DPL 0, accessed. */
	static final long KERNEL_DATA = 0x00cf93000000ffffL;
	/** Data, DPL 3 (selector 0x2b), accessed. */
	static final long USER_DATA = 0x00cff3000000ffffL;
	/** 64-bit code, DPL 3 (selector 0x33), accessed. */
	static final long USER_CODE = 0x00affb000000ffffL;
	/** Present 64-bit interrupt gate, DPL 0: guest code cannot raise these vectors with INT n. */
	static final int GATE_KERNEL = 0x8e;
	/** The same at DPL 3, for INT3 and INTO, which user code may execute (as Linux allows). */
	static final int GATE_USER = 0xee;
	/** Offset of the I/O bitmap in the TSS (just after the 0x68-byte header). */
	static final int IO_BITMAP_OFFSET = 0x68;
	static final int IO_BITMAP_BYTES = 8192;

	/**
	 * The gate page: {@code out 0xf0, al ; ud2} at LSTAR, then {@code iretq} at {@link #IRET_TRAMPOLINE}. The ud2 is
	 * never reached; it stops a run-away CPU.
	 */
	static final byte[] GATE_CODE = { (byte) 0xE6, (byte) GATE_PORT, 0x0F, 0x0B, 0x48, (byte) 0xCF };
	/**
	 * Where a CPU whose {@code syscall} really entered CPL0 (KVM on VMX or SVM, unlike PVM) returns to CPL3: an
	 * {@code iretq} through a frame the VMM writes at the top of the CPL0 stack.
	 */
	public static final long IRET_TRAMPOLINE = GATE + 4;

	private KernelArea() {
	}

	/** Writes all of it into {@code memory} (guest physical = virtual in the kernel area). */
	public static void write(GuestMemory memory) {
		writeGdt(memory);
		writeTss(memory);
		writeStubsAndIdt(memory);
		memory.write(GATE, GATE_CODE, 0, GATE_CODE.length);
	}

	static void writeGdt(GuestMemory m) {
		m.putLong(GDT, 0);
		m.putLong(GDT + 0x08, KERNEL_CODE);
		m.putLong(GDT + 0x10, KERNEL_DATA);
		long[] tss = tssDescriptor(TSS, TSS_LIMIT);
		m.putLong(GDT + 0x18, tss[0]);
		m.putLong(GDT + 0x20, tss[1]);
		m.putLong(GDT + 0x28, USER_DATA);
		m.putLong(GDT + 0x30, USER_CODE);
	}

	/** A 16-byte available 64-bit TSS descriptor (type 0x89). */
	static long[] tssDescriptor(long base, long limit) {
		long low = (limit & 0xffff) | (base & 0xff_ffffL) << 16 | 0x89L << 40 | ((limit >> 16) & 0xf) << 48
				| ((base >> 24) & 0xff) << 56;
		return new long[] { low, base >>> 32 };
	}

	/**
	 * The TSS: RSP0 for exception delivery, and an I/O bitmap that lets guest code reach only the gate's port and
	 * the stubs' ports (a stub may run at CPL3 on a paravirtual host, as the gate does here). Any other port faults
	 * (#GP), as it would under Linux.
	 */
	static void writeTss(GuestMemory m) {
		m.zero(TSS, IO_BITMAP_OFFSET);
		m.putLong(TSS + 4, KERNEL_STACK_TOP);
		m.putShort(TSS + 0x66, (short) IO_BITMAP_OFFSET);
		byte[] bitmap = ioBitmap();
		m.write(TSS + IO_BITMAP_OFFSET, bitmap, 0, bitmap.length);
		m.putByte(TSS + IO_BITMAP_OFFSET + IO_BITMAP_BYTES, (byte) 0xff);
	}

	/** One bit per port, 1 = refused. */
	static byte[] ioBitmap() {
		byte[] bitmap = new byte[IO_BITMAP_BYTES];
		java.util.Arrays.fill(bitmap, (byte) 0xff);
		allow(bitmap, GATE_PORT);
		for (int v = 0; v < ExceptionVectors.COUNT; v++) {
			allow(bitmap, EXCEPTION_PORT_BASE + v);
		}
		return bitmap;
	}

	private static void allow(byte[] bitmap, int port) {
		bitmap[port >> 3] &= (byte) ~(1 << (port & 7));
	}

	/** The stub of vector v: {@code out (0x80+v), al ; [add rsp, 8] ; iretq}. */
	static byte[] stub(int vector) {
		byte[] code = new byte[ExceptionVectors.hasErrorCode(vector) ? 8 : 4];
		int k = 0;
		code[k++] = (byte) 0xE6;
		code[k++] = (byte) (EXCEPTION_PORT_BASE + vector);
		if (ExceptionVectors.hasErrorCode(vector)) {
			// The VMM reads the error code from the stack; iretq needs it gone.
			code[k++] = 0x48;
			code[k++] = (byte) 0x83;
			code[k++] = (byte) 0xC4;
			code[k++] = 0x08;
		}
		code[k++] = 0x48;
		code[k] = (byte) 0xCF;
		return code;
	}

	static void writeStubsAndIdt(GuestMemory m) {
		for (int v = 0; v < ExceptionVectors.COUNT; v++) {
			long handler = STUBS + STUB_SIZE * v;
			byte[] code = stub(v);
			m.zero(handler, STUB_SIZE);
			m.write(handler, code, 0, code.length);
			long[] gate = interruptGate(handler, v == ExceptionVectors.BP || v == ExceptionVectors.OF ? GATE_USER
					: GATE_KERNEL);
			m.putLong(IDT + 16L * v, gate[0]);
			m.putLong(IDT + 16L * v + 8, gate[1]);
		}
	}

	/** A 16-byte 64-bit IDT gate to {@code handler} in the kernel code segment, without an IST stack. */
	static long[] interruptGate(long handler, int typeAttributes) {
		long low = (handler & 0xffff) | (long) KERNEL_CS << 16 | (long) typeAttributes << 40
				| ((handler >> 16) & 0xffff) << 48;
		return new long[] { low, handler >>> 32 };
	}
}
