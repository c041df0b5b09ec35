package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.inputs.TscRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which #GP is a TSC read: the bytes at RIP, read only where the guest may execute them. Host only (no KVM). */
class TscInstructionTest {
	private static final long SIZE = 16L << 20;
	private static final long PAGE = MachineLayout.PAGE_SIZE;
	private static final long CODE = 0x400000L;

	private final GuestMemory memory = GuestMemory.allocate(SIZE);
	private final AddressSpace space = new AddressSpace(memory, new AddressSpaceConfig(SIZE
			- MachineLayout.FIRST_FREE_FRAME, 0, false));

	@AfterEach
	void close() {
		memory.close();
	}

	private void code(long at, int... bytes) {
		byte[] b = new byte[bytes.length];
		for (int i = 0; i < bytes.length; i++) {
			b[i] = (byte) bytes[i];
		}
		space.loadBytes(at, b, 0, b.length);
	}

	private Optional<TscInstruction.Decoded> at(long rip) {
		return TscInstruction.decode(rip, space);
	}

	@Test
	void rdtscAndRdtscpAreDecodedWithTheirLengths() {
		space.map(CODE, CODE + PAGE, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
		code(CODE, 0x0f, 0x31, 0x0f, 0x01, 0xf9);
		assertEquals(Optional.of(new TscInstruction.Decoded(TscRead.Instruction.RDTSC, 2)), at(CODE));
		assertEquals(Optional.of(new TscInstruction.Decoded(TscRead.Instruction.RDTSCP, 3)), at(CODE + 2));
	}

	@Test
	void otherInstructionsAreNoTscRead() {
		space.map(CODE, CODE + PAGE, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
		code(CODE, 0x0f, 0x05, 0x0f, 0x01, 0xf8, 0x0f, 0x01, 0xd0, 0x31, 0x0f, 0x0f, 0x32, 0xfa);
		for (long rip = CODE; rip < CODE + 13; rip++) {
			assertTrue(at(rip).isEmpty(), "rip +" + (rip - CODE));
		}
	}

	@Test
	void anInstructionAcrossAPageEndIsReadFromBothPages() {
		space.map(CODE, CODE + 2 * PAGE, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
		code(CODE + PAGE - 2, 0x0f, 0x01, 0xf9);
		code(CODE + 2 * PAGE - 1, 0x0f);
		assertEquals(TscRead.Instruction.RDTSCP, at(CODE + PAGE - 2).orElseThrow().instruction());
		assertTrue(at(CODE + 2 * PAGE - 1).isEmpty(), "0f at the end of the mapping, nothing after it");
	}

	@Test
	void theRestOfAnInstructionInANonExecutablePageIsNotRead() {
		space.map(CODE, CODE + PAGE, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
		space.map(CODE + PAGE, CODE + 2 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.ANONYMOUS);
		code(CODE + PAGE - 1, 0x0f);
		code(CODE + PAGE, 0x31);
		assertTrue(at(CODE + PAGE - 1).isEmpty());
		assertTrue(at(CODE + PAGE).isEmpty(), "data is not code");
	}

	@Test
	void unmappedKernelAndNonCanonicalRipsAreNoTscRead() {
		assertTrue(at(CODE).isEmpty(), "unmapped");
		assertTrue(at(MachineLayout.STUBS).isEmpty(), "kernel area");
		assertTrue(at(0).isEmpty());
		assertTrue(at(-1L).isEmpty(), "non-canonical");
		assertTrue(at(MachineLayout.USER_TOP - 1).isEmpty());
	}

	@Test
	void decodingStopsAtTheFirstUnreadableByte() {
		assertEquals(Optional.empty(), TscInstruction.decode(100, va -> va == 100 ? 0x0f : -1));
		assertEquals(TscRead.Instruction.RDTSC, TscInstruction.decode(100, va -> va == 100 ? 0x0f : va == 101
				? 0x31 : -1).orElseThrow().instruction());
	}
}
