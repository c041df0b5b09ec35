package org.insight.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.insight.kvm.GuestMemory;
import org.insight.kvm.Regs;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.inputs.ScriptedInputs;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deadlock reports name functions from a heuristic stack scan over real guest memory. */
class StackScanTest {
	static final long TEXT = 0x40_0000L;
	static final long STACK = 0x7000_0000L;
	static final long LOCKS = 0x4c_0000L;

	private final GuestMemory memory = GuestMemory.allocate(32L << 20);
	private final AddressSpace space = new AddressSpace(memory,
			new AddressSpaceConfig((32L << 20) - MachineLayout.FIRST_FREE_FRAME, 0, false));
	private final SymbolTable symbols = SymbolTable.of(List.of(new Symbol("main", TEXT, 0x100, true),
			new Symbol("worker", TEXT + 0x100, 0x100, true), new Symbol("__lll_lock_wait", TEXT + 0x200, 0x40, true),
			new Symbol("lock_a", LOCKS, 40, false), new Symbol("lock_b", LOCKS + 64, 40, false)));
	private final StackScan scan = new StackScan(space, a -> a >= TEXT && a < TEXT + 0x1000, symbols::describe);

	@AfterEach
	void close() {
		memory.close();
	}

	/** Code with a call at {@code callAt} (E8 rel32), so {@code callAt + 5} is a return address. */
	private void call(long callAt) {
		space.loadBytes(callAt, new byte[] { (byte) 0xE8, 0, 0, 0, 0 }, 0, 5);
	}

	@Test
	void returnAddressesAfterCallsAreFoundInnermostFirst() {
		space.map(TEXT, TEXT + 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.IMAGE);
		space.map(STACK, STACK + 0x2000, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.ANONYMOUS);
		call(TEXT + 0x140);
		call(TEXT + 0x20);
		long sp = STACK + 0x1000;
		space.writeU64(sp, 0x1234); // data
		space.writeU64(sp + 8, TEXT + 0x145); // return into worker
		space.writeU64(sp + 16, TEXT + 0x300); // a code address, but not after a call
		space.writeU64(sp + 24, TEXT + 0x25); // return into main
		assertEquals(List.of("worker+0x45", "main+0x25"), scan.callers(sp, 6));
		assertEquals(List.of("worker+0x45"), scan.callers(sp, 1));
		assertEquals(List.of(), scan.callers(0x10_0000_0000L, 6), "an RSP pointing nowhere");
		space.writeU64(STACK + 0x2000 - 8, TEXT + 0x25);
		assertEquals(List.of("main+0x25"), scan.callers(STACK + 0x2000 - 8, 6), "the scan stops at the stack's end");
	}

	@Test
	void aDeadlockReportNamesEachThreadItsFutexAndItsCallers() {
		space.map(TEXT, TEXT + 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.IMAGE);
		space.map(STACK, STACK + 0x2000, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.ANONYMOUS);
		call(TEXT + 0x140);
		space.writeU64(STACK + 0x1000, TEXT + 0x145);
		Scheduler s = new Scheduler(new ScriptedInputs(), 4, () -> false);
		Regs r = new Regs();
		r.rip = TEXT + 0x210;
		r.rsp = STACK + 0x1000;
		GuestThread a = s.start(r);
		GuestThread b = s.spawn(r, null, 0);
		s.waitOnFutex(a, LOCKS + 64, -1, GuestThread.NO_DEADLINE, -110);
		s.waitOnFutex(b, LOCKS, -1, GuestThread.NO_DEADLINE, -110);
		DeadlockReport report = DeadlockReport.of(List.of(a, b), scan);
		assertEquals(2, report.futexWaiters());
		assertEquals("""
				deadlock: all 2 threads are blocked and none has a timeout
				  thread 1000 futex_wait(0x4c0040 = lock_b) at rip 0x400210 (__lll_lock_wait+0x10) <- worker+0x45
				  thread 1001 futex_wait(0x4c0000 = lock_a) at rip 0x400210 (__lll_lock_wait+0x10) <- worker+0x45
				""", report.format());
		ThreadReport ta = report.threads().get(0);
		assertEquals(LOCKS + 64, ta.futexAddress());
		assertEquals("__lll_lock_wait+0x10", ta.function());
		assertTrue(ta.format().startsWith("thread 1000"));
	}
}
