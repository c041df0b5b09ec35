package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.insight.kvm.GuestMemory;
import org.insight.kvm.Sregs;
import org.insight.vmm.memory.MachineLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bytes of the kernel area, as the prototype proved them on this platform. */
class KernelAreaTest {
	private final GuestMemory m = GuestMemory.allocate(4L << 20);

	@AfterEach
	void close() {
		m.close();
	}

	private byte[] bytes(long gpa, int n) {
		return m.bytes(gpa, n);
	}

	private static byte[] b(int... v) {
		byte[] r = new byte[v.length];
		for (int i = 0; i < v.length; i++) {
			r[i] = (byte) v[i];
		}
		return r;
	}

	@Test
	void theGateIsOutThenUd2ThenTheIretTrampoline() {
		KernelArea.write(m);
		assertArrayEquals(b(0xE6, 0xF0, 0x0F, 0x0B, 0x48, 0xCF), bytes(MachineLayout.GATE, 6));
		assertEquals(MachineLayout.GATE + 4, KernelArea.IRET_TRAMPOLINE);
	}

	@Test
	void stubsAreOutThenIretqPoppingTheErrorCodeFirst() {
		KernelArea.write(m);
		assertArrayEquals(b(0xE6, 0x80, 0x48, 0xCF, 0, 0), bytes(MachineLayout.STUBS, 6), "#DE");
		assertArrayEquals(b(0xE6, 0x8E, 0x48, 0x83, 0xC4, 0x08, 0x48, 0xCF, 0), bytes(MachineLayout.STUBS + 14 * 16,
				9), "#PF has an error code");
		assertArrayEquals(b(0xE6, 0x86, 0x48, 0xCF), bytes(MachineLayout.STUBS + 6 * 16, 4), "#UD");
		for (int v : new int[] { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 }) {
			assertEquals(0x83, bytes(MachineLayout.STUBS + 16L * v + 3, 1)[0] & 0xff, "vector " + v);
		}
	}

	@Test
	void idtGatesPointAtTheStubsInTheKernelCodeSegment() {
		KernelArea.write(m);
		for (int v = 0; v < 32; v++) {
			long low = m.getLong(MachineLayout.IDT + 16L * v);
			long high = m.getLong(MachineLayout.IDT + 16L * v + 8);
			long handler = (low & 0xffff) | ((low >>> 48) & 0xffff) << 16 | high << 32;
			assertEquals(MachineLayout.STUBS + 16L * v, handler, "vector " + v);
			assertEquals(0x08, (low >>> 16) & 0xffff);
			int attributes = (int) ((low >>> 40) & 0xff);
			assertEquals(v == 3 || v == 4 ? 0xee : 0x8e, attributes, "vector " + v);
		}
	}

	@Test
	void gdtHasTheSelectorsOfStar() {
		KernelArea.write(m);
		assertEquals(0, m.getLong(MachineLayout.GDT));
		assertEquals(0x00af9b000000ffffL, m.getLong(MachineLayout.GDT + 0x08), "kernel code, accessed: the GDT page is read-only");
		assertEquals(0x00cf93000000ffffL, m.getLong(MachineLayout.GDT + 0x10));
		assertEquals(0x00cff3000000ffffL, m.getLong(MachineLayout.GDT + 0x28), "user data 0x2b = STAR[63:48]+8");
		assertEquals(0x00affb000000ffffL, m.getLong(MachineLayout.GDT + 0x30), "user code 0x33 = STAR[63:48]+16");
		long tss = m.getLong(MachineLayout.GDT + 0x18);
		assertEquals(MachineLayout.TSS_LIMIT, tss & 0xffff);
		assertEquals(MachineLayout.TSS, (tss >>> 16) & 0xff_ffff | ((tss >>> 56) & 0xff) << 24);
		assertEquals(0x89, (tss >>> 40) & 0xff);
		assertEquals(0, m.getLong(MachineLayout.GDT + 0x20));
	}

	@Test
	void theTssAllowsTheMachinesPortsOnly() {
		KernelArea.write(m);
		assertEquals(MachineLayout.KERNEL_STACK_TOP, m.getLong(MachineLayout.TSS + 4), "RSP0");
		assertEquals(0x68, m.getShort(MachineLayout.TSS + 0x66) & 0xffff, "I/O map base");
		long bitmap = MachineLayout.TSS + 0x68;
		assertEquals(0, bit(bitmap, 0xf0));
		for (int port = 0x80; port < 0xa0; port++) {
			assertEquals(0, bit(bitmap, port), "port " + port);
		}
		assertEquals(1, bit(bitmap, 0x7f));
		assertEquals(1, bit(bitmap, 0xa0));
		assertEquals(1, bit(bitmap, 0x60));
		assertEquals(1, bit(bitmap, 0xffff));
		assertEquals((byte) 0xff, m.getByte(bitmap + 8192), "the terminator byte");
		assertEquals(MachineLayout.TSS_LIMIT, 0x68 + 8192);
	}

	private int bit(long bitmap, int port) {
		return (m.getByte(bitmap + (port >> 3)) >> (port & 7)) & 1;
	}

	@Test
	void theVcpuStartsIn64BitUserMode() {
		Sregs reset = new Sregs();
		reset.apicBase = 0xfee00900L;
		Sregs s = GuestMachine.userMode(reset);
		assertEquals(0x80050033L, s.cr0);
		assertEquals(0x620L, s.cr4);
		assertEquals(0x501L, s.efer);
		assertEquals(MachineLayout.PML4, s.cr3);
		assertEquals(0x33, s.cs.selector());
		assertEquals(3, s.cs.dpl());
		assertEquals(true, s.cs.l());
		assertEquals(0x2b, s.ss.selector());
		assertEquals(0x2b, s.fs.selector());
		assertEquals(MachineLayout.TSS, s.tr.base());
		assertEquals(11, s.tr.type());
		assertEquals(true, s.ldt.unusable());
		assertEquals(55, s.gdt.limit());
		assertEquals(511, s.idt.limit());
		assertEquals(0xfee00900L, s.apicBase, "the rest of the reset state is kept");
		assertEquals(0x0023_0008_0000_0000L, GuestMachine.STAR);
	}
}
