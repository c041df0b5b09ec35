package org.insight.vmm.machine;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.insight.kvm.GuestMemory;
import org.insight.kvm.Regs;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.ScriptedInputs;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.linux.CpuContext;
import org.insight.vmm.linux.LinuxProcess;
import org.insight.vmm.linux.SyscallTable;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;
import org.insight.vmm.sched.LockFunctions;
import org.insight.vmm.sched.Scheduler;
import org.insight.vmm.sched.StackScan;

/**
 * A whole machine without KVM: real guest memory with the kernel area and an address space, a program image of
 * two functions, the Linux personality, the scheduler, and a {@link ScriptedCpu} in place of the vCPU.
 */
final class LoopFixture implements AutoCloseable {
	static final long SIZE = 64L << 20;
	static final long TEXT = 0x40_0000L;
	static final long MAIN = TEXT + 0x100;
	static final long WORKER = TEXT + 0x200;
	static final long DATA = 0x60_0000L;
	static final long STACK = 0x7000_0000L;
	static final long STACK_TOP = STACK + 0x10_0000L;
	static final long CHILD_STACK = STACK + 0x8_0000L;

	final GuestMemory memory = GuestMemory.allocate(SIZE);
	final AddressSpace space = new AddressSpace(memory,
			new AddressSpaceConfig(SIZE - MachineLayout.FIRST_FREE_FRAME, 0, false));
	final ScriptedInputs inputs = new ScriptedInputs();
	final ScriptedCpu cpu = new ScriptedCpu(memory);
	final CapturedOutput out = new CapturedOutput();
	final Scheduler scheduler;
	final LinuxProcess process;
	final SyscallTable syscalls = SyscallTable.linux();
	final RunStats stats = new RunStats();
	final SymbolTable symbols = SymbolTable.of(List.of(new Symbol("main", MAIN, 0x100, true),
			new Symbol("worker", WORKER, 0x100, true), new Symbol("lock_a", DATA + 0x100, 40, false),
			new Symbol("lock_b", DATA + 0x140, 40, false)));
	final VcpuLoop loop;

	LoopFixture() {
		this(16);
	}

	LoopFixture(int maxThreads) {
		this(maxThreads, null, null);
	}

	/**
	 * With {@code text} loaded at the start of the text page, before the loop starts, and these lock functions hooked
	 * ({@code --mode locks}); either may be null.
	 */
	LoopFixture(int maxThreads, LockFunctions locks, byte[] text) {
		this(maxThreads, locks, text, CodeObserver.NONE);
	}

	/** As above, with {@code observer} watching the run (a replay's analysis hooks). */
	LoopFixture(int maxThreads, LockFunctions locks, byte[] text, CodeObserver observer) {
		this(maxThreads, locks, text, observer, false);
	}

	/**
	 * As above; with {@code comparator}, a replay's landmarks may use the landmark comparator, with the fixture's
	 * symbols and the text page's bytes.
	 */
	LoopFixture(int maxThreads, LockFunctions locks, byte[] text, CodeObserver observer, boolean comparator) {
		this(maxThreads, locks, text, observer, comparator ? List.of() : null);
	}

	/**
	 * As above, the comparator on when {@code functions} is not null: the functions it decodes, the fixture's own when
	 * empty.
	 */
	LoopFixture(int maxThreads, LockFunctions locks, byte[] text, CodeObserver observer, List<Symbol> functions) {
		this(maxThreads, locks, text, observer, functions, null);
	}

	/** As above, the inputs giving the machine these lock-call countdowns (null: every call a sync point). */
	LoopFixture(int maxThreads, LockFunctions locks, byte[] text, CodeObserver observer, List<Symbol> functions,
			java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> countdown) {
		if (countdown != null) {
			inputs.countdown = countdown;
		}
		KernelArea.write(memory);
		space.map(TEXT, TEXT + 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.IMAGE);
		space.map(DATA, DATA + 0x1000, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.IMAGE);
		space.map(STACK, STACK_TOP, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.STACK);
		if (text != null) {
			space.loadBytes(TEXT, text, 0, text.length);
		}
		AtomicReference<VcpuLoop> ref = new AtomicReference<>();
		scheduler = new Scheduler(inputs, maxThreads, () -> ref.get().stopRequested());
		Regs entry = new Regs();
		entry.rip = MAIN;
		entry.rsp = STACK_TOP - 0x100;
		entry.rflags = 0x202;
		scheduler.start(entry);
		process = new LinuxProcess(space, scheduler, inputs, out,
				CpuContext.of(cpu::saveExtendedState, cpu::restoreExtendedState), "/opt/prog");
		StackScan scan = new StackScan(space, a -> a >= TEXT && a < TEXT + 0x1000, symbols::describe);
		loop = new VcpuLoop(cpu, MachineFacts.standard(memory::getLong), process, syscalls, scan, stats);
		if (locks != null) {
			loop.lockFunctions(locks);
		}
		if (observer != CodeObserver.NONE) {
			loop.observer(observer);
		}
		if (functions != null) {
			loop.programCode(new org.insight.vmm.code.BranchTargets(functions.isEmpty() ? symbols::functions
					: () -> functions, (va, len) -> space.copyIn(va, len), org.insight.vmm.code.X86Decoder::shared));
		}
		ref.set(loop);
		loop.start();
	}

	/** Bytes in the image's data page. */
	long data(int offset, String text) {
		byte[] b = text.getBytes(StandardCharsets.US_ASCII);
		space.copyOut(DATA + offset, b);
		return DATA + offset;
	}

	/** The inputs keep a thread at its syscalls and switch to another runnable one at every lock call. */
	void switchAtLockCalls() {
		inputs.schedule = (p, runnable) -> p.kind() == org.insight.vmm.inputs.SyncPoint.Kind.LOCK_CALL
				? runnable.stream().filter(t -> t != p.tid()).findFirst().orElse(p.tid())
				: runnable.contains(p.tid()) ? p.tid() : runnable.get(0);
	}

	/** The current thread's landmark at {@code rip} with RCX = {@code rcx}, its other registers as they stand. */
	Preemption plannedAt(int tid, long rip, long rcx) {
		Regs r = scheduler.current().regs().copy();
		r.rip = rip;
		r.rcx = rcx;
		return new Preemption(tid, 0, new Landmark(r, scheduler.current().fsBase(), loop.stackDigest(r.rsp)), false);
	}

	/** The inputs answer as a replay does: yes for the planned preemption (consuming it), no for any other kick. */
	void answerAsReplay() {
		inputs.preempt = (p, others) -> {
			if (p.equals(inputs.planned)) {
				inputs.planned = null;
				return true;
			}
			return false;
		};
	}

	/** Steps until the loop finishes (the script must end it). */
	Ending run() {
		return loop.run();
	}

	@Override
	public void close() {
		memory.close();
	}
}
