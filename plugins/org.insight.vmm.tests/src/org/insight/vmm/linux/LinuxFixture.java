package org.insight.vmm.linux;

import java.nio.charset.StandardCharsets;

import org.insight.kvm.GuestMemory;
import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ScriptedInputs;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.Scheduler;

/**
 * The Linux personality on real guest memory (an anonymous host mapping: no KVM needed): an address space, a
 * scheduler with one thread, scripted inputs, captured output, and a scratch mapping for syscall arguments.
 */
final class LinuxFixture implements AutoCloseable {
	static final long SIZE = 64L << 20;
	/** A user address with nothing mapped. */
	static final long UNMAPPED = 0x3000_0000L;
	static final int SCRATCH = 1 << 16;

	final GuestMemory memory = GuestMemory.allocate(SIZE);
	final AddressSpace space = new AddressSpace(memory,
			new AddressSpaceConfig(SIZE - MachineLayout.FIRST_FREE_FRAME, 0, false));
	final ScriptedInputs inputs = new ScriptedInputs();
	final Scheduler scheduler;
	final CapturedOutput out = new CapturedOutput();
	final LinuxProcess process;
	final SyscallTable table = SyscallTable.linux();
	/** The XSAVE area of the fake vCPU: what clone hands the child, what a signal delivery and rt_sigreturn set. */
	byte[] xsave = { 1, 2, 3, 4 };
	/** A read-write scratch mapping. */
	final long scratch;
	private long next;

	LinuxFixture() {
		this(64, null);
	}

	LinuxFixture(int maxThreads) {
		this(maxThreads, null);
	}

	LinuxFixture(int maxThreads, OutputSink sink) {
		scheduler = new Scheduler(inputs, maxThreads, () -> false);
		Regs entry = new Regs();
		entry.rip = 0x401000;
		entry.rsp = 0x7fff_fff0_0000L;
		entry.rflags = 0x202;
		scheduler.start(entry);
		process = new LinuxProcess(space, scheduler, inputs, sink == null ? out : OutputSink.tee(out, sink),
				CpuContext.of(() -> xsave.clone(), x -> xsave = x.clone()), "/opt/guests/prog");
		scratch = space.mmap(0, SCRATCH, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		next = scratch;
	}

	GuestThread main() {
		return scheduler.find(Scheduler.FIRST_TID).orElseThrow();
	}

	/** Syscall {@code nr} by the current thread. */
	long call(int nr, long... args) {
		return table.call(process, scheduler.current(), nr, SyscallArgs.of(args));
	}

	/** Syscall {@code nr} by thread {@code t}. */
	long callAs(GuestThread t, int nr, long... args) {
		return table.call(process, t, nr, SyscallArgs.of(args));
	}

	/** {@code n} fresh bytes of scratch memory (8-aligned). */
	long alloc(int n) {
		long at = next;
		next += (n + 7) & ~7;
		if (next > scratch + SCRATCH) {
			throw new IllegalStateException("scratch memory used up");
		}
		return at;
	}

	/** A NUL-terminated copy of {@code s} in guest memory. */
	long cString(String s) {
		byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
		long at = alloc(b.length);
		space.copyOut(at, b);
		return at;
	}

	long bytes(byte[] b) {
		long at = alloc(b.length);
		space.copyOut(at, b);
		return at;
	}

	long u64s(long... values) {
		long at = alloc(8 * values.length);
		for (int i = 0; i < values.length; i++) {
			space.writeU64(at + 8L * i, values[i]);
		}
		return at;
	}

	String string(long va, int len) {
		return new String(space.copyIn(va, len), StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		memory.close();
	}
}
