package org.insight.vmm.machine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.TscRead;
import org.insight.vmm.linux.LinuxProcess;
import org.insight.vmm.linux.SignalDelivery;
import org.insight.vmm.linux.Signals;
import org.insight.vmm.linux.SyscallTable;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.sched.Decision;
import org.insight.vmm.sched.DeadlockReport;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.Scheduler;
import org.insight.vmm.sched.StackScan;
import org.insight.vmm.sched.ThreadReport;

/**
 * The vCPU loop: a small state machine ({@link State#RUNNING}, {@link State#PAUSED}, {@link State#FINISHED}) that
 * runs the guest, asks {@link ExitHandler} what each exit means, and carries it out: syscalls through the
 * {@link SyscallTable}, page faults through the {@link AddressSpace}, thread switches decided by the
 * {@link Scheduler}, guest crashes as Linux would end them.
 * <p>
 * It runs on the vCPU thread. {@link #requestStop}, {@link #requestPause} and {@link #resume} may be called from
 * any thread; they kick the vCPU so the loop sees them at once.
 * <p>
 * The thread whose state is in the vCPU is {@code onCpu}. At every syscall and preemption its registers are saved
 * in its {@link GuestThread}; when another thread is chosen, the vCPU's XSAVE area goes with the old thread and the
 * new one's is loaded, with its FS base; the next thread's saved registers are always what the vCPU resumes with.
 * <p>
 * How a thread gets back to CPL3 after a syscall depends on the host, which the loop learns at the first syscall:
 * under PVM (this project's machines) {@code syscall} stays at CPL3, so setting RIP, RFLAGS and RSP is enough; under
 * KVM on VMX or SVM it enters CPL0 for real, so the loop resumes through an {@code iretq} frame on the CPL0 stack
 * ({@link KernelArea#IRET_TRAMPOLINE}).
 */
public final class VcpuLoop {
	public enum State {
		RUNNING, PAUSED, FINISHED
	}

	/** Where {@code syscall} leaves the vCPU, learnt at the first syscall exit. */
	public enum SyscallEntry {
		/** Not known yet: no syscall so far. */
		UNKNOWN,
		/** PVM: the gate runs at CPL3, and so does the thread when RIP is set to its return address. */
		STAYS_AT_CPL3,
		/** VMX, SVM: the gate runs at CPL0, and the thread returns to CPL3 through an iretq frame. */
		ENTERS_CPL0
	}

	/** Bytes of stack a landmark's digest covers. */
	static final int LANDMARK_STACK_BYTES = 256;
	/**
	 * RFLAGS.RF, left out of a landmark: how the CPU reports it at an interrupt (the kick) and in the frame an int3
	 * pushes may differ, and it changes nothing the guest can see.
	 */
	static final long RFLAGS_RF = 1L << 16;

	private final VirtualCpu cpu;
	private final MachineFacts facts;
	private final LinuxProcess process;
	private final SyscallTable syscalls;
	private final Scheduler scheduler;
	private final AddressSpace memory;
	private final StackScan scan;
	private final RunStats stats;
	private final CodeBreakpoints breakpoints;
	private LandmarkTrap trap;
	private final LandmarkMemory landmarkMemory;
	/** A REP string instruction's run under way ({@link #runRepString}): its plan, and its end (after the instruction). */
	private RepFastForward repRun;
	private long repRunEnd;
	private final LockStubs lockStubs;
	private LockCallTrap lockCalls;
	/** Which lock calls are sync points ({@link org.insight.vmm.inputs.LockCallCountdown}), set at {@link #start()}. */
	private org.insight.vmm.inputs.LockCallCountdown countdown = org.insight.vmm.inputs.LockCallCountdown.everyCall();
	private CodeObserver observer = CodeObserver.NONE;
	private final ObserverControl observerControl = new ObserverControl();
	private final VirtualClock clock = new VirtualClock();
	private final AtomicLong progress = new AtomicLong();
	private final Object pauseLock = new Object();
	private final long started = System.nanoTime();
	private volatile State state = State.RUNNING;
	private volatile StopReason stop;
	private volatile boolean pauseRequested;
	private volatile long guestSince;
	private Duration wallLimit;
	private GuestThread onCpu;
	private long loadedFsBase;
	private SyscallEntry syscallEntry = SyscallEntry.UNKNOWN;
	private Ending ending;
	/** The vCPU is in an exception stub: whatever thread runs next returns to CPL3 through an iretq frame. */
	private boolean inStub;
	/** How long the last KVM_RUN took (a landmark step's round trip). */
	private long lastRunNanos;

	public VcpuLoop(VirtualCpu cpu, MachineFacts facts, LinuxProcess process, SyscallTable syscalls, StackScan scan,
			RunStats stats) {
		this.cpu = Objects.requireNonNull(cpu, "cpu");
		this.facts = Objects.requireNonNull(facts, "facts");
		this.process = Objects.requireNonNull(process, "process");
		this.syscalls = Objects.requireNonNull(syscalls, "syscalls");
		this.scheduler = process.scheduler();
		this.memory = process.memory();
		this.scan = Objects.requireNonNull(scan, "scan");
		this.stats = Objects.requireNonNull(stats, "stats");
		this.breakpoints = new CodeBreakpoints(memory);
		this.trap = new LandmarkTrap(breakpoints, new LandmarkComparator(memory, breakpoints, () -> null, null), stats);
		this.lockStubs = new LockStubs(memory, breakpoints);
		this.lockCalls = LockCallTrap.none(memory, breakpoints, lockStubs);
		this.landmarkMemory = new LandmarkMemory(memory, breakpoints, Boolean.parseBoolean(System.getProperty(
				"insight.landmarkMemory", "true")) ? org.insight.vmm.code.X86Decoder::shared : () -> null);
	}

	/**
	 * Lets a replay find its landmarks with the landmark comparator (ARCHITECTURE.md section 3) in the program whose
	 * functions {@code code} decodes; without it (or without libcapstone) every landmark has its int3. Call before
	 * {@link #start()}.
	 */
	public VcpuLoop programCode(org.insight.vmm.code.BranchTargets code) {
		if (onCpu != null) {
			throw new IllegalStateException("the program's code is set before the loop starts");
		}
		this.trap = new LandmarkTrap(breakpoints, new LandmarkComparator(memory, breakpoints,
				org.insight.vmm.code.X86Decoder::shared, code), stats);
		lockStubs.programCode(org.insight.vmm.code.X86Decoder::shared, code);
		return this;
	}

	/**
	 * Makes every call of these functions a sync point ({@code --mode locks}): a stub at each entry where the program's
	 * code allows one ({@link #programCode}), an int3 stepped over when the thread goes on elsewhere. Call before
	 * {@link #start()}.
	 */
	public VcpuLoop lockFunctions(org.insight.vmm.sched.LockFunctions functions) {
		if (onCpu != null) {
			throw new IllegalStateException("lock functions are set before the loop starts");
		}
		this.lockCalls = new LockCallTrap(memory, breakpoints, lockStubs, functions);
		return this;
	}

	/**
	 * Makes every call of these functions a sync point too, from now on ({@code --mode locks}): the lock functions of
	 * a shared library the guest just mapped. Called inside that mmap, on the vCPU thread.
	 */
	public void addLockFunctions(org.insight.vmm.sched.LockFunctions more) {
		lockCalls.add(more);
		stats.lockHooks(lockCalls.size());
	}

	/**
	 * Lets the lock functions of a shared library the guest just mapped have stubs, where {@code code} says its code
	 * cannot be entered inside their first instructions ({@link #addLockFunctions}, before them). Called inside that
	 * mmap, on the vCPU thread.
	 */
	public void libraryCode(org.insight.vmm.code.BranchTargets code) {
		lockCalls.libraryCode(code);
	}

	/**
	 * Watches {@code addresses} for the observer too, from now on: its hooks in a shared library the guest just
	 * mapped ({@link CodeObserver#libraryMapped}). Called inside that mmap, on the vCPU thread.
	 */
	public void observeMore(java.util.Collection<Long> addresses) {
		for (long va : addresses) {
			watch(va);
		}
	}

	/**
	 * The observer wants {@code va}: a function whose calls it counts ({@link CodeObserver#countable}) is served by the
	 * ring, through a stub; a stubbed lock function's entry by its stub's watch byte; the rest by a site.
	 */
	private void watch(long va) {
		if (observer.countable(va) && lockCalls.observeCalls(va)) {
			return;
		}
		if (!lockCalls.watch(va)) {
			breakpoints.add(va, CodeBreakpoints.Owner.OBSERVER);
		}
	}

	/**
	 * Shows every execution of the observer's addresses to it, without changing the run (a replay's analysis hooks).
	 * Call before {@link #start()}.
	 */
	public VcpuLoop observer(CodeObserver o) {
		if (onCpu != null) {
			throw new IllegalStateException("the observer is set before the loop starts");
		}
		this.observer = Objects.requireNonNull(o, "observer");
		return this;
	}

	/** The wall-clock limit, for the report when {@link StopReason#WALL_LIMIT} stops the run. */
	public VcpuLoop wallLimit(Duration limit) {
		this.wallLimit = limit;
		return this;
	}

	/** Puts the scheduler's current thread (the first one) on the vCPU. Call once, before the first step. */
	public void start() {
		if (onCpu != null) {
			throw new IllegalStateException("the vCPU loop was started already");
		}
		onCpu = scheduler.current();
		countdown = process.inputs().lockCallCountdown();
		lockCalls.ring().setCount(countdown.next());
		lockCalls.armPending(this::threadInside); // the vCPU has not run yet: only the threads' saved RIPs count
		for (long va : observer.addresses()) {
			watch(va);
		}
		stats.lockHooks(lockCalls.size());
		stats.lockStubs(lockCalls.stubbed(), lockCalls.int3Reasons());
		loadedFsBase = onCpu.fsBase();
		cpu.setFsBase(loadedFsBase);
		cpu.setRegs(onCpu.regs());
	}

	public State state() {
		return state;
	}

	/** How the run ended, once {@link State#FINISHED}. */
	public Optional<Ending> ending() {
		return Optional.ofNullable(ending);
	}

	/** Exits that were not watchdog kicks. Any thread. */
	public long progress() {
		return progress.get();
	}

	/** {@link System#nanoTime()} when the running guest was entered, 0 while the VMM works (the watchdog). */
	public long guestSince() {
		return guestSince;
	}

	public RunStats stats() {
		return stats;
	}

	public SyscallEntry syscallEntry() {
		return syscallEntry;
	}

	/** Interrupts the running guest so the inputs can decide on a preemption (the watchdog). Any thread. */
	public void kick() {
		cpu.kick();
	}

	/** Ends the run at the next exit with a hang report. Any thread. */
	public void requestStop(StopReason reason) {
		stop = Objects.requireNonNull(reason, "reason");
		cpu.kick();
		synchronized (pauseLock) {
			pauseLock.notifyAll();
		}
	}

	/** Stops running the guest at the next exit until {@link #resume()}. Any thread. */
	public void requestPause() {
		pauseRequested = true;
		cpu.kick();
	}

	public void resume() {
		synchronized (pauseLock) {
			pauseRequested = false;
			pauseLock.notifyAll();
		}
	}

	/**
	 * Whether a stop was asked for, or the inputs can take no more (a recording at its trace size limit): the loop
	 * checks this before every run of the guest, and the scheduler polls it while it idles.
	 */
	public boolean stopRequested() {
		return stop != null || Thread.currentThread().isInterrupted() || process.inputs().atCapacity();
	}

	/** Why {@link #stopRequested()} holds. */
	private StopReason stopReason() {
		if (stop != null) {
			return stop;
		}
		return process.inputs().atCapacity() ? StopReason.TRACE_LIMIT : StopReason.CANCELLED;
	}

	/**
	 * Steps until the run is finished, waiting while paused. A run that ends with an exception (a replay whose
	 * recording was stopped from outside runs out of inputs, at a sync point before its drain) still tells the observer
	 * the calls it counts that are in the ring: they were made, and exact hooks would have seen them.
	 */
	public Ending run() {
		if (onCpu == null) {
			start();
		}
		try {
			while (step() != State.FINISHED) {
				if (state == State.PAUSED) {
					awaitResume();
				}
			}
		} catch (RuntimeException e) {
			if (observer != CodeObserver.NONE && state != State.FINISHED) {
				try {
					lockCalls.ring().drain().forEach(this::observeIfCounted);
				} catch (RuntimeException observing) {
					e.addSuppressed(observing);
				}
			}
			throw e;
		}
		return ending;
	}

	private void awaitResume() {
		synchronized (pauseLock) {
			while (pauseRequested && stop == null) {
				try {
					pauseLock.wait();
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					stop = StopReason.CANCELLED;
				}
			}
		}
	}

	/** Runs the guest to its next exit and handles it. Returns the state after it. */
	public State step() {
		if (state == State.FINISHED) {
			return state;
		}
		if (onCpu == null) {
			throw new IllegalStateException("step() before start()");
		}
		if (stopRequested()) {
			finishStopped(stopReason(), cpu.regs());
			return state;
		}
		if (pauseRequested) {
			state = State.PAUSED;
			return state;
		}
		state = State.RUNNING;
		trap.prepare(onCpu.tid(), process.inputs().plannedPreemption(), this::occupied);
		if (lockCalls.armPending(this::occupied)) {
			stats.lockStubs(lockCalls.stubbed(), lockCalls.int3Reasons());
		}
		breakpoints.armPending();
		long t0 = System.nanoTime();
		guestSince = t0 == 0 ? 1 : t0;
		Exit exit;
		try {
			exit = cpu.run();
		} finally {
			guestSince = 0;
		}
		long t1 = System.nanoTime();
		lastRunNanos = t1 - t0;
		stats.guest(t1 - t0);
		Regs regs = cpu.regs();
		ExitAction action = ExitHandler.decide(exit, regs, facts);
		clock.ran(onCpu.tid(), kindOf(action), t1 - t0);
		RunStats.ExitKind kind;
		switch (action) {
		case ExitAction.Syscall s -> {
			kind = RunStats.ExitKind.SYSCALL;
			progress.incrementAndGet();
			onSyscall(s, regs);
		}
		case ExitAction.GuestException e -> {
			kind = e.vector() == ExceptionVectors.PF ? RunStats.ExitKind.PAGE_FAULT : RunStats.ExitKind.EXCEPTION;
			progress.incrementAndGet();
			onException(e, regs);
		}
		case ExitAction.Kick k -> {
			kind = RunStats.ExitKind.KICK;
			onKick(k, regs);
		}
		case ExitAction.Violation v -> {
			kind = RunStats.ExitKind.OTHER;
			Regs at = regs.copy();
			onCpu.saveRegs(at);
			crash(Signals.SIGSEGV, v.rip(), v.rip(), v.what());
		}
		case ExitAction.Fatal f -> {
			state = State.FINISHED;
			throw new MachineException(f.reason() + " (guest thread " + onCpu.tid() + ", after "
					+ stats.exits() + " exits)");
		}
		}
		stats.exit(kind, System.nanoTime() - t1);
		return state;
	}

	/** The kind of an exit before it is handled, for the virtual clock (the run loop's own kind may change). */
	private static RunStats.ExitKind kindOf(ExitAction action) {
		return switch (action) {
		case ExitAction.Syscall s -> RunStats.ExitKind.SYSCALL;
		case ExitAction.GuestException e -> e.vector() == ExceptionVectors.PF ? RunStats.ExitKind.PAGE_FAULT
				: RunStats.ExitKind.EXCEPTION;
		case ExitAction.Kick k -> RunStats.ExitKind.KICK;
		default -> RunStats.ExitKind.OTHER;
		};
	}

	// ---------------------------------------------------------------- syscalls

	private void onSyscall(ExitAction.Syscall s, Regs regs) {
		drainLockCalls(); // a sync point: the mutexes' owners must know every lock call before it
		if (syscallEntry == SyscallEntry.UNKNOWN) {
			syscallEntry = cpu.privilegeLevel() == 0 ? SyscallEntry.ENTERS_CPL0 : SyscallEntry.STAYS_AT_CPL3;
		}
		breakpoints.syscallEntered(onCpu.tid());
		GuestThread t = onCpu;
		regs.rip = s.returnRip();
		regs.rflags = s.returnFlags();
		t.saveRegs(regs);
		stats.syscall(s.nr());
		long result = syscalls.call(process, t, s.nr(), s.args());
		if (process.isTerminated()) {
			finish(new Ending.Terminated(process.termination().orElseThrow(), Optional.empty()));
			return;
		}
		if (t.state() == org.insight.vmm.sched.ThreadState.RUNNABLE) {
			t.regs().rax = result;
		}
		if (observer != CodeObserver.NONE) {
			tellObserver(t, (int) s.nr(), result);
		}
		follow(scheduler.afterSyscall((int) s.nr(), s.args().toArray()));
	}

	private void follow(Decision d) {
		drainLockCalls(); // a sync point, where threads may switch: the ring's calls are the current thread's
		switch (d) {
		case Decision.Run r -> resume(r);
		// Every blocked thread's registers were saved at its last exit, so the report reads them from there.
		case Decision.Deadlocked dl -> finish(new Ending.Deadlocked(dl.cycle().isEmpty() ? DeadlockReport.of(dl.blocked(),
				scan) : DeadlockReport.of(dl.blocked(), dl.cycle(), dl.others(), scan)));
		case Decision.AllExited a -> {
			process.exit(scheduler.leaderExitCode());
			finish(new Ending.Terminated(process.termination().orElseThrow(), Optional.empty()));
		}
		case Decision.Stopped st -> finishStopped(stopReason(), null);
		case Decision.Ended e -> finish(new Ending.Terminated(process.termination().orElseThrow(), Optional.empty()));
		}
	}

	private void resume(Decision.Run r) {
		GuestThread next = r.thread();
		if (next != onCpu) {
			long t0 = System.nanoTime();
			if (onCpu.isAlive()) {
				onCpu.saveXsave(cpu.saveExtendedState());
			}
			if (next.xsave() != null) {
				cpu.restoreExtendedState(next.xsave());
			}
			onCpu = next;
			loadFsBase(next);
			stats.switched(r.point(), System.nanoTime() - t0);
		} else {
			loadFsBase(next);
		}
		Regs saved = next.regs();
		// Back to user mode: its pending signals' handlers run now (a function of guest state, the same in a replay).
		if (!SignalDelivery.beforeUserMode(process, next)) {
			finish(new Ending.Terminated(process.termination().orElseThrow(), Optional.empty()));
			return;
		}
		Regs user = next.regs();
		if (trap.insidePatch(user.rip)) {
			// A signal frame's RIP (sigreturn) in the middle of the comparator's jmp: the guest's bytes go back.
			trap.fallBack();
		}
		lockCalls.resumingAt(user.rip); // the same for a lock stub's jmp
		if (user == saved && lockCalls.isLockEntry(user.rip)) {
			// It stopped at this lock function's entry. Before it goes on, the hooks there are settled as they will be
			// when it runs: a replay's landmark for it inside the stub's jmp (recorded with an int3 at the entry, after
			// the step) is known only now, after the lock call's sync point, and takes the stub out; a stub whose page
			// the guest unmapped in the meantime comes back. Only the threads' saved RIPs count as occupied: the
			// vCPU is about to take this thread's.
			trap.prepare(next.tid(), process.inputs().plannedPreemption(), this::threadInside);
			lockCalls.armPending(this::threadInside);
		}
		// A thread that enters a handler does not step over a breakpoint it stopped at: it returns there later.
		if (user == saved && breakpoints.isArmed(user.rip)) {
			// It stopped at this breakpoint earlier (a lock call, a landmark): it now executes the instruction, unhooked.
			user = user.copy();
			stepKind = breakpoints.has(user.rip, CodeBreakpoints.Owner.LOCK_CALL) ? StepKind.LOCK_CALL
					: StepKind.OBSERVER;
			user.rflags = breakpoints.beginStep(next.tid(), user.rip, user.rflags);
		} else if (user == saved && lockCalls.isStubEntry(user.rip)) {
			// It stopped at this lock function's stub earlier: it goes on in the stub's moved instructions, the call
			// counted already (its saved RIP stays
			// the function's, for reports, signal frames and the mutex owners' stack scans).
			user = user.copy();
			user.rip = lockCalls.resumeAt(user.rip);
		}
		cpu.setRegs(syscallEntry == SyscallEntry.ENTERS_CPL0 || inStub ? throughIret(user) : user);
	}

	/**
	 * The registers that make the CPU return to {@code user} at CPL3 from wherever it is (CPL0 in the gate, or CPL3
	 * after a kick): an iretq frame on the CPL0 stack, RSP at the frame and RIP at the trampoline. The frame holds
	 * the thread's RIP, RFLAGS and RSP; its other registers go in as they are.
	 */
	Regs throughIret(Regs user) {
		long frame = facts.kernelStackTop() - 40;
		org.insight.kvm.GuestMemory m = memory.memory();
		m.putLong(frame, user.rip);
		m.putLong(frame + 8, MachineFacts.USER_CS);
		m.putLong(frame + 16, user.rflags);
		m.putLong(frame + 24, user.rsp);
		m.putLong(frame + 32, MachineFacts.USER_SS);
		Regs r = user.copy();
		r.rip = KernelArea.IRET_TRAMPOLINE;
		r.rsp = frame;
		// TF set while the iretq runs would trap right after it, before the user instruction: only the frame has it.
		r.rflags &= ~CodeBreakpoints.TF;
		return r;
	}

	private void loadFsBase(GuestThread t) {
		if (t.fsBase() != loadedFsBase) {
			cpu.setFsBase(t.fsBase());
			loadedFsBase = t.fsBase();
		}
	}

	// ---------------------------------------------------------------- exceptions

	private void onException(ExitAction.GuestException e, Regs regs) {
		stats.exception(e.vector());
		if (e.vector() == ExceptionVectors.BP && trap.isComparatorHit(e.rip())) {
			onComparatorHit(e, regs);
			return;
		}
		if (e.vector() == ExceptionVectors.BP && breakpoints.isHit(e.rip())) {
			onBreakpoint(e, regs);
			return;
		}
		if (e.vector() == ExceptionVectors.BP) {
			Optional<LockStubs.Hit> hit = lockCalls.stubHit(e.rip());
			if (hit.isPresent()) {
				onStubLockCall(hit.get(), e, regs);
				return;
			}
		}
		if (e.vector() == ExceptionVectors.DB && breakpoints.isStep(onCpu.tid())) {
			onStep(e, regs);
			return;
		}
		if (e.vector() == ExceptionVectors.PF) {
			long cr2 = cpu.faultAddress();
			try {
				if (memory.handlePageFault(cr2, e.errorCode())) {
					return; // the stub's iretq retries the access, now mapped
				}
			} catch (GuestOutOfMemoryException oom) {
				if (wordLoadMissed(e, regs)) {
					return;
				}
				e = guestSide(e);
				saveFaultingRegs(e, regs);
				process.kill(Signals.SIGKILL, "out of memory: " + oom.getMessage());
				finish(new Ending.Terminated(process.termination().orElseThrow(),
						Optional.of(String.format("SIGKILL (out of memory) at 0x%x in %s: %s", cr2,
								scan.describe(e.rip()), oom.getMessage()))));
				return;
			}
			if (wordLoadMissed(e, regs)) {
				return;
			}
			e = guestSide(e);
			saveFaultingRegs(e, regs);
			if (toHandler(Signals.SIGSEGV, e, cr2)) {
				return;
			}
			crash(Signals.SIGSEGV, cr2, e.rip(), pageFaultCause(cr2, e.errorCode()));
			return;
		}
		if (e.vector() == ExceptionVectors.GP && e.errorCode() == 0 && onTscRead(e, regs)) {
			return;
		}
		if (wordLoadMissed(e, regs)) {
			return;
		}
		e = guestSide(e);
		saveFaultingRegs(e, regs);
		if (toHandler(ExceptionVectors.signal(e.vector()), e, 0)) {
			return;
		}
		crash(ExceptionVectors.signal(e.vector()), e.rip(), e.rip(), ExceptionVectors.describe(e.vector()) + " ("
				+ e.vectorName() + (ExceptionVectors.hasErrorCode(e.vector()) ? String.format(", error code 0x%x",
						e.errorCode()) : "") + ")");
	}

	/**
	 * A #GP(0) at an rdtsc or rdtscp (CR4.TSD, GuestMachine): the inputs answer the TSC, as Linux without TSD the
	 * CPU would, in EDX:EAX (and ECX = TSC_AUX, which Linux loads with (node << 12) | cpu: 0 on this one-vCPU
	 * machine, which GuestCpuid also calls CPU 0), and the thread goes on after the instruction. Not a sync point.
	 * Returns false when the bytes at RIP are no TSC read: a real #GP.
	 */
	private boolean onTscRead(ExitAction.GuestException e, Regs regs) {
		Optional<TscInstruction.Decoded> d = TscInstruction.decode(e.rip(), memory);
		if (d.isEmpty()) {
			return false;
		}
		long tsc = process.inputs().tsc(new TscRead(onCpu.tid(), d.get().instruction()));
		Regs at = userRegs(e, regs);
		at.rax = tsc & 0xffff_ffffL;
		at.rdx = tsc >>> 32;
		if (d.get().instruction() == TscRead.Instruction.RDTSCP) {
			at.rcx = 0;
		}
		at.rip += d.get().length();
		cpu.setRegs(throughIret(at));
		return true;
	}

	/**
	 * Hands the fault of the thread on the vCPU (its registers saved as at the fault) to the guest's handler for
	 * {@code signal}, if it has one it does not block: the thread goes on in the handler. Returns false for the
	 * default action.
	 */
	private boolean toHandler(int signal, ExitAction.GuestException e, long cr2) {
		if (!SignalDelivery.handles(process, onCpu, signal)) {
			return false;
		}
		if (breakpoints.isStep(onCpu.tid())) {
			// The instruction under one of our int3s faulted during its step: TF was ours, not the guest's.
			Regs at = onCpu.regs().copy();
			at.rflags = breakpoints.abandonStep(at.rflags);
			onCpu.saveRegs(at);
		} else if (repRun != null) {
			// A REP string instruction's run faulted (its RCX the guest's own again: saveFaultingRegs): the run ends
			// here, and the thread goes on in its handler, coming back to the int3 at the instruction after it.
			endRepRun();
		}
		SignalDelivery.fault(process, onCpu, signal, e.vector(), e.errorCode(), cr2, e.rip());
		if (process.isTerminated()) {
			finish(new Ending.Terminated(process.termination().orElseThrow(), Optional.empty()));
		} else {
			cpu.setRegs(throughIret(onCpu.regs()));
		}
		return true;
	}

	/** The thread's registers as the guest had them at the fault (the stub's are of no interest). */
	private void saveFaultingRegs(ExitAction.GuestException e, Regs regs) {
		Regs at = regs.copy();
		at.rip = e.rip();
		at.rsp = e.rsp();
		at.rflags = e.rflags();
		if (repRun != null && repRun.toLandmark()) {
			// A REP run to a landmark's iteration faulted (the recording went through it by way of a guest handler, or
			// this is a crash): the count left is the run's; the guest's is that plus the landmark's own RCX.
			at.rcx += repRun.landmarkRcx();
		}
		onCpu.saveRegs(at);
	}

	private String pageFaultCause(long cr2, long error) {
		String access = (error & AddressSpace.PF_FETCH) != 0 ? "instruction fetch"
				: (error & AddressSpace.PF_WRITE) != 0 ? "write" : "read";
		if (MachineLayout.isKernelArea(cr2)) {
			return String.format("%s at 0x%x: the VMM's kernel area, not the guest's (#PF error code 0x%x)", access,
					cr2, error);
		}
		String why = (error & AddressSpace.PF_PRESENT) != 0 ? "not permitted by the mapping"
				: memory.vmaAt(cr2).isPresent() ? "not permitted by the mapping" : "address not mapped";
		return String.format("%s at 0x%x: %s (#PF error code 0x%x)", access, cr2, why, error);
	}

	/** Ends the run as Linux would kill the process: "SIGSEGV at 0x0 in main+0x1c". */
	private void crash(int signal, long at, long rip, String cause) {
		String line = String.format("%s at 0x%x in %s (thread %d, rip 0x%x): %s", Signals.name(signal), at,
				scan.describe(rip), onCpu.tid(), rip, cause);
		process.kill(signal, line);
		finish(new Ending.Terminated(process.termination().orElseThrow(), Optional.of(line)));
	}

	// ---------------------------------------------------------------- landmarks

	/**
	 * The planned thread reached the int3 at the planned landmark's RIP. If its whole state is the landmark's, this
	 * is where the recording was preempted: the inputs are asked as at that kick, and the scheduling goes on from
	 * here. Otherwise (an earlier pass through the same code) it returns false and the thread goes on.
	 */
	private boolean onLandmarkBreakpoint(Regs at) {
		long t0 = System.nanoTime();
		Optional<Preemption> plan = process.inputs().plannedPreemption();
		Landmark here = landmarkAt(at, onCpu, plan);
		if (plan.isPresent() && plan.get().tid() == onCpu.tid() && plan.get().landmark().equals(here)) {
			trap.disarm();
			onCpu.saveRegs(at);
			Decision d = scheduler.afterKick(here);
			inStub = true;
			try {
				follow(d);
			} finally {
				inStub = false;
			}
			stats.landmark(true, System.nanoTime() - t0);
			return true;
		}
		stats.landmarkFalseHit();
		stats.landmark(false, System.nanoTime() - t0);
		return false;
	}

	/**
	 * The comparator's int3: a thread's registers were the landmark's at its RIP. The whole landmark (stack digest, FS
	 * base, thread) decides, as at the int3; a state the comparator did not tell apart goes on to the displaced
	 * instructions, right after the int3, without a step.
	 */
	private void onComparatorHit(ExitAction.GuestException e, Regs regs) {
		Regs at = userRegs(e, regs);
		at.rip = trap.address();
		if (onLandmarkBreakpoint(at)) {
			stats.landmarkCompared();
			return;
		}
		cpu.setRegs(throughIret(userRegs(e, regs)));
	}

	/**
	 * A fault of the comparator's load of a landmark's memory word (its page unmapped, or beyond the memory cap, on a
	 * pass before the landmark's): the pass is a miss, and the thread goes on at the comparator's word miss, which
	 * puts the guest's RAX, flags and stack back. Nothing of the guest's changed.
	 */
	private boolean wordLoadMissed(ExitAction.GuestException e, Regs regs) {
		if (e.vector() != ExceptionVectors.PF && e.vector() != ExceptionVectors.GP || !trap.isWordLoad(e.rip())) {
			return false;
		}
		Regs at = userRegs(e, regs);
		at.rip = org.insight.vmm.memory.MachineLayout.COMPARATOR_CODE + org.insight.vmm.code.Comparator.WORD_MISS;
		cpu.setRegs(throughIret(at));
		return true;
	}

	/**
	 * The exception as the guest sees it: at its own address when it was raised by one of the comparator's displaced
	 * instructions (the registers are the guest's there, only RIP differs).
	 */
	private ExitAction.GuestException guestSide(ExitAction.GuestException e) {
		long rip = lockCalls.guestAddress(trap.guestAddress(e.rip()));
		return rip == e.rip() ? e : new ExitAction.GuestException(e.vector(), e.errorCode(), rip, e.cs(), e.rflags(),
				e.rsp(), e.ss());
	}

	/**
	 * Whether a thread stands strictly inside {@code (from, to)}: a live thread's saved RIP, or the vCPU's own, read
	 * from the iretq frame when it is in a stub or at the iretq trampoline. A vCPU elsewhere in the kernel area counts
	 * as inside (unknown).
	 */
	private boolean occupied(long from, long to) {
		if (threadInside(from, to)) {
			return true;
		}
		Regs now = cpu.regs();
		long rip = now.rip;
		if (facts.inKernelArea(rip)) {
			long stubs = MachineLayout.STUBS;
			boolean afterStubOut = rip >= stubs && rip < stubs + MachineLayout.STUB_SIZE * ExceptionVectors.COUNT
					&& (rip - stubs) % MachineLayout.STUB_SIZE == MachineFacts.OUT_LENGTH;
			if (rip != KernelArea.IRET_TRAMPOLINE && !afterStubOut) {
				return true;
			}
			rip = memory.memory().getLong(facts.kernelStackTop() - 40);
			if (rip >= MachineLayout.COMPARATOR_CODE && rip < MachineLayout.COMPARATOR_CODE + MachineLayout.PAGE_SIZE) {
				return true; // inside the landmark comparator (a word's page faulted in): it must not go away under it
			}
		}
		return rip > from && rip < to;
	}

	/** Whether a live thread's saved RIP is strictly inside {@code (from, to)}. */
	private boolean threadInside(long from, long to) {
		for (GuestThread t : scheduler.liveThreads()) {
			if (t.regs().rip > from && t.regs().rip < to) {
				return true;
			}
		}
		return false;
	}

	/** The guest's registers at an exception: the stub changed none but RIP, RSP and RFLAGS, which are in its frame. */
	private static Regs userRegs(ExitAction.GuestException e, Regs regs) {
		Regs at = regs.copy();
		at.rip = e.rip();
		at.rsp = e.rsp();
		at.rflags = e.rflags();
		return at;
	}

	/**
	 * The landmark of thread {@code t} with registers {@code at}, RIP being the next instruction it executes: the
	 * same at a kick when recording and at the int3 when replaying. A replay ({@code plan} present) reads the memory
	 * words at the planned landmark's addresses; a recording chooses them ({@link LandmarkMemory}).
	 */
	Landmark landmarkAt(Regs at, GuestThread t, Optional<Preemption> plan) {
		Regs r = at.copy();
		r.rflags &= ~RFLAGS_RF;
		List<Landmark.Word> words = plan.isPresent() ? landmarkMemory.read(plan.get().landmark().wordAddresses())
				: landmarkMemory.choose(r, t.fsBase());
		return new Landmark(r, t.fsBase(), stackDigest(r.rsp), words);
	}

	// ---------------------------------------------------------------- lock calls

	/**
	 * The lock calls appended to the ring since the last drain, told to the scheduler (the mutexes' owners) as the
	 * calls of the thread on the vCPU ({@code onCpu}, which a decision being followed has not changed yet): the only
	 * thread that ran since then. Drained only at sync points (and when the ring is full, at the end of the run, and in
	 * a replay with an observer before its hits: {@link #drainForObserver}), which a recording and its replay share,
	 * so the ring's head and room are the same in both wherever the guest looks; never at a kick that preempts nothing, which may land inside a stub holding the head or the room in
	 * RCX (it would write the old value back over the drained ring).
	 */
	private void drainLockCalls() {
		for (LockCallRing.Entry call : lockCalls.ring().drain()) {
			Optional<org.insight.vmm.sched.LockFunction> f = lockCalls.function(call.functionId());
			f.ifPresent(fn -> lockCalled(fn, call.argument()));
			observeIfCounted(call);
		}
	}

	/** A call from the ring, told to the observer when it counts its function's calls. */
	private void observeIfCounted(LockCallRing.Entry call) {
		long observed = lockCalls.observedEntry(call.functionId());
		if (observed >= 0) {
			observeCall(observed, call.argument(), call.rsp(), call.returnAddress());
		}
	}

	/** The observer counts the calls at {@code entry}: this one is the vCPU's thread's. */
	private void observeCall(long entry, long rdi, long rsp, long returnAddress) {
		long t0 = System.nanoTime();
		observer.called(onCpu.tid(), entry, rdi, rsp, returnAddress, observerControl);
		stats.observed(System.nanoTime() - t0);
	}

	/**
	 * Before the observer sees anything else (a hit): the calls it counts that are still in the ring come first, in the
	 * order they were made. Only in a replay with an observer, which a guest cannot tell from its recording: the
	 * ring's head and room then differ from the recording's between sync points, which changes where a full ring
	 * stops, never a sync point. The thread on the vCPU is at one of our int3s, never inside a stub's counting part.
	 */
	private void drainForObserver() {
		if (observer != CodeObserver.NONE) {
			drainLockCalls();
		}
	}

	/** The thread on the vCPU called {@code f} on {@code lock}: the mutexes' owners and the statistics hear of it. */
	private void lockCalled(org.insight.vmm.sched.LockFunction f, long lock) {
		scheduler.lockCalled(onCpu, f, lock);
		stats.lockCall(f.name(), 0);
	}

	/**
	 * A lock call the VMM counts itself (at an int3 at the entry, or at a stub's watch byte): appended to the ring and
	 * counted down as a stub would ({@link LockCallRing#append}), or, before any stub exists, told to the scheduler at
	 * once. Returns whether the countdown ran out: the call is a sync point.
	 */
	private boolean countLockCall(org.insight.vmm.sched.LockFunction f, Regs at) {
		LockCallRing ring = lockCalls.ring();
		if (!ring.isReady()) {
			lockCalled(f, at.rdi);
			if (lockCalls.observedEntry(lockCalls.idOf(f)) >= 0) {
				observeCall(f.address(), at.rdi, at.rsp, ring.returnAddressAt(at.rsp));
			}
			return ring.countDown() == 0;
		}
		LockCallRing.Stop stop = ring.append(lockCalls.idOf(f), at);
		if (stop == LockCallRing.Stop.FULL) {
			stats.lockRingFull();
			drainLockCalls();
		}
		return stop == LockCallRing.Stop.SYNC_POINT;
	}

	/**
	 * A lock call whose countdown ran out: a sync point, where the scheduler may switch the thread out. Its RIP is
	 * saved at the function, so it resumes there (whenever it runs again) with a step over the first instruction, or
	 * in its stub's moved instructions. The countdown starts again at the next distance the rule draws.
	 */
	private void onLockCall(org.insight.vmm.sched.LockFunction f, Regs at) {
		long t0 = System.nanoTime();
		onCpu.saveRegs(at);
		stats.lockSyncPoint();
		lockCalls.ring().setCount(countdown.next());
		Decision d = scheduler.atLockCall(f, at.rdi);
		inStub = true;
		try {
			follow(d);
		} finally {
			inStub = false;
		}
		stats.lockCallNanos(lastRunNanos + System.nanoTime() - t0);
	}

	/**
	 * A thread stopped in a lock function's stub ({@link LockStubs}). At the watch byte (the observer watches the
	 * entry) the observer sees the call first, with RIP at the entry, and the VMM counts it; at the stop path the
	 * stub counted it and put it in the ring (drained when the decision is followed, or here when the ring is full). Either way, a call whose countdown ran out is
	 * a sync point; any other goes on in the stub's moved instructions (a full ring, or a watched call), no sync point.
	 */
	private void onStubLockCall(LockStubs.Hit hit, ExitAction.GuestException e, Regs regs) {
		LockStubs.Stub stub = hit.stub();
		Regs at = userRegs(e, regs);
		at.rip = stub.entry();
		if (!stub.counting()) {
			// A stub that only observes: at the watch byte (the observer watches the entry too) the hit is the call,
			// which the stub does not append then; the stop path stopped for a full ring.
			if (hit.kind() == LockStubs.HitKind.WATCH) {
				observeHit(at);
			} else {
				stats.lockRingFull();
				drainLockCalls();
			}
			at.rip = stub.moved();
			cpu.setRegs(throughIret(at));
			return;
		}
		org.insight.vmm.sched.LockFunction f = lockCalls.function(stub.id()).orElseThrow();
		boolean syncPoint;
		if (hit.kind() == LockStubs.HitKind.WATCH) {
			if (lockCalls.watched(f.address())) {
				observeHit(at);
			}
			syncPoint = countLockCall(f, at);
		} else {
			syncPoint = lockCalls.ring().count() == 0;
			if (!syncPoint) {
				stats.lockRingFull();
				drainLockCalls();
			}
		}
		if (syncPoint) {
			onLockCall(f, at);
			return;
		}
		stats.lockCallNanos(lastRunNanos);
		at.rip = stub.moved();
		cpu.setRegs(throughIret(at));
	}

	/** The observer sees the vCPU's thread at a watched address, after the calls it counts that came before. */
	private void observeHit(Regs at) {
		drainForObserver();
		long t0 = System.nanoTime();
		observer.hit(onCpu.tid(), at.rip, at.copy(), observerControl);
		stats.observed(System.nanoTime() - t0);
	}

	// ---------------------------------------------------------------- breakpoints

	/** What a step over a breakpoint's instruction is accounted as. */
	private enum StepKind {
		LANDMARK, LOCK_CALL, OBSERVER
	}

	private StepKind stepKind = StepKind.OBSERVER;

	/**
	 * A thread hit one of our int3s ({@link CodeBreakpoints}): the observer sees it first, then the owners act, most
	 * specific first: the replay's landmark (preempt here, or a false hit), a lock call (a sync point), and otherwise
	 * (only the observer wanted it) the thread steps over the instruction.
	 */
	private void onBreakpoint(ExitAction.GuestException e, Regs regs) {
		Regs at = userRegs(e, regs);
		at.rip = e.rip() - 1; // int3 is a trap: the frame points after it
		if (repRun != null && at.rip == repRunEnd && breakpoints.has(at.rip, CodeBreakpoints.Owner.REP_END)) {
			onRepRunEnd(at);
			return;
		}
		if (breakpoints.has(at.rip, CodeBreakpoints.Owner.OBSERVER)) {
			observeHit(at);
			if (!breakpoints.isArmed(at.rip)) {
				// The observer gave up its watch here at this very hit (a return hook, once its call returned) and no
				// other owner wants the site: the guest's byte is back, so the thread runs the instruction as it is,
				// with nothing to step over (beginStep would find no breakpoint).
				cpu.setRegs(throughIret(at));
				return;
			}
		}
		boolean landmark = trap.isHit(e.rip(), onCpu.tid());
		if (landmark && onLandmarkBreakpoint(at)) {
			return;
		}
		Optional<org.insight.vmm.sched.LockFunction> f = lockCalls.hit(e.rip());
		if (f.isPresent()) {
			if (countLockCall(f.get(), at)) {
				onLockCall(f.get(), at);
			} else {
				stats.lockCallNanos(lastRunNanos);
				stepOver(at, StepKind.LOCK_CALL);
			}
			return;
		}
		if (landmark && runRepString(at)) {
			return;
		}
		stepOver(at, landmark ? StepKind.LANDMARK : StepKind.OBSERVER);
	}

	/**
	 * The planned thread at the landmark's int3, not in its state, on an unconditional REP string instruction: it runs
	 * the instruction at native speed to a one-shot int3 after it, either to the landmark's iteration or whole
	 * ({@link RepFastForward}), instead of a TF step per iteration. False where it steps as before: another kind of
	 * instruction, or a site of ours already right after it.
	 */
	private boolean runRepString(Regs at) {
		Optional<Preemption> plan = process.inputs().plannedPreemption();
		if (plan.isEmpty() || breakpoints.stepping() || (at.rflags & CodeBreakpoints.TF) != 0) {
			return false; // (the guest's own TF would trap after the first iteration, with our count)
		}
		Optional<RepFastForward> run = RepFastForward.plan(breakpoints.presentGuestCode(at.rip, 15), at, plan.get()
				.landmark());
		if (run.isEmpty()) {
			return false;
		}
		long end = at.rip + run.get().length();
		if (breakpoints.isArmed(end) || breakpoints.has(end, CodeBreakpoints.Owner.LANDMARK)
				|| breakpoints.has(end, CodeBreakpoints.Owner.OBSERVER) || breakpoints.has(end,
						CodeBreakpoints.Owner.LOCK_CALL) || !memory.translate(end).present()) {
			return false;
		}
		breakpoints.add(end, CodeBreakpoints.Owner.REP_END);
		if (!breakpoints.isArmed(end)) {
			breakpoints.remove(end, CodeBreakpoints.Owner.REP_END);
			return false;
		}
		repRun = run.get();
		repRunEnd = end;
		breakpoints.beginRun(onCpu.tid(), at.rip);
		stats.repRun(run.get().toLandmark());
		Regs go = at.copy();
		go.rcx = run.get().count();
		cpu.setRegs(throughIret(go));
		return true;
	}

	/** Ends the REP run under way: the int3 after the instruction out, the one at its start back. Returns its plan. */
	private RepFastForward endRepRun() {
		RepFastForward run = repRun;
		repRun = null;
		breakpoints.remove(repRunEnd, CodeBreakpoints.Owner.REP_END);
		breakpoints.endRun();
		return run;
	}

	/**
	 * The run of a REP string instruction reached the int3 after it: the landmark's int3 goes back. A run to the
	 * landmark's iteration gives the thread the landmark's RCX and RIP, which is the recorded state if the rest of the
	 * landmark (memory words, stack) agrees; a whole run goes on from there.
	 */
	private void onRepRunEnd(Regs at) {
		long t0 = System.nanoTime();
		RepFastForward run = endRepRun();
		stats.landmark(false, lastRunNanos + System.nanoTime() - t0);
		if (run.toLandmark() && at.rcx == 0) {
			Regs there = at.copy();
			there.rcx = run.landmarkRcx();
			there.rip = at.rip - run.length();
			if (onLandmarkBreakpoint(there)) {
				return;
			}
			// not the landmark after all (its memory or stack differ): the rest of the instruction runs from there,
			// through the int3 at its start, as the guest's own execution would go on
			cpu.setRegs(throughIret(there));
			return;
		}
		cpu.setRegs(throughIret(at));
	}

	/** The thread at {@code at} (RIP at a breakpoint) executes the instruction there once, unhooked. */
	private void stepOver(Regs at, StepKind kind) {
		stepKind = kind;
		at.rflags = breakpoints.beginStep(onCpu.tid(), at.rip, at.rflags);
		cpu.setRegs(throughIret(at));
	}

	/** The #DB after a step over a breakpoint's instruction: the int3 goes back, TF off. */
	private void onStep(ExitAction.GuestException e, Regs regs) {
		long t0 = System.nanoTime();
		Regs at = userRegs(e, regs);
		at.rflags = breakpoints.stepped(e.rflags(), e.rsp());
		cpu.setRegs(throughIret(at));
		long cost = lastRunNanos + System.nanoTime() - t0;
		switch (stepKind) {
		case LANDMARK -> stats.landmark(false, cost);
		case LOCK_CALL -> stats.lockStep(cost);
		case OBSERVER -> stats.observed(cost);
		}
	}

	/** A syscall just handled: clone and exit are thread events the observer hears of. */
	private void tellObserver(GuestThread t, int nr, long result) {
		if ((nr == CLONE || nr == CLONE3) && result > 0) {
			for (GuestThread c : scheduler.liveThreads()) {
				if (c.tid() == result) {
					observer.threadCreated(t.tid(), c.tid(), c.fsBase());
				}
			}
		} else if (nr == EXIT) {
			observer.threadExited(t.tid());
		}
	}

	private static final int CLONE = 56;
	private static final int EXIT = 60;
	private static final int CLONE3 = 435;

	/** The observer's view: its watches are breakpoint sites, and it reads memory only where it is present. */
	private final class ObserverControl implements CodeObserver.Control {
		@Override
		public void watch(long va) {
			VcpuLoop.this.watch(va);
		}

		@Override
		public void unwatch(long va) {
			if (!lockCalls.unwatch(va)) {
				breakpoints.remove(va, CodeBreakpoints.Owner.OBSERVER);
			}
		}

		@Override
		public boolean readable(long va) {
			return memory.translate(va).present() && memory.translate(va + 7).present();
		}

		@Override
		public long readU64(long va) {
			return memory.readU64(va);
		}

		@Override
		public long virtualNanos() {
			return clock.total();
		}

		@Override
		public long threadVirtualNanos(int tid) {
			return clock.thread(tid);
		}
	}

	// ---------------------------------------------------------------- kicks

	private void onKick(ExitAction.Kick k, Regs regs) {
		if (stopRequested() || pauseRequested) {
			stats.kick(k.inKernelArea(), false);
			return; // the next step stops (reading the registers again) or pauses
		}
		if (k.inKernelArea()) {
			stats.kick(true, false);
			// half-way through a stub or the gate, or in the landmark comparator (its own stack and flags saved, the
			// guest's RSP in its data page): resume untouched, never a landmark
			return;
		}
		if (breakpoints.stepping() || breakpoints.isArmed(regs.rip) || breakpoints.isArmed(regs.rip - 1)
				|| lockCalls.isStubEntry(regs.rip) || lockCalls.inStubCode(regs.rip)) {
			// Stepping over a breakpoint's instruction (no other thread may pass it unhooked), about to execute one of
			// our int3s or a lock stub's jmp, inside a lock stub near the guest's code, or just past an int3 with its
			// #BP still pending in KVM: each is a sync point, a hook or the end of one in a moment. Resume untouched, so that no landmark is ever taken at or inside a hooked
			// instruction and the pending #BP or #DB is not dropped (see below).
			stats.kick(false, true);
			return;
		}
		if (atFinishedRepString(regs)) {
			// A state no replay stops at: QEMU's TCG (the CPU under nested KVM) runs a REP string instruction one
			// iteration at a time and, after the last one, goes back to the instruction with the count 0 before it
			// leaves it, so a kick can land there. A replay reaches the landmark's RIP by its int3 and steps the
			// instruction with TF, one iteration per #DB, and the step of the last iteration ends at the next
			// instruction: it never sees this RIP with a count of 0 and RSI/RDI advanced, and would run past the
			// preemption (issue #15: "expected watchdog kick at rip 0x405f19 ..., got clone(...)", musl's memcpy).
			// A CPU never stops there; a kick earlier in the instruction (count above 0) is a landmark as any.
			stats.kick(false, true);
			return;
		}
		GuestThread t = onCpu;
		t.saveRegs(regs);
		boolean replaying = process.inputs().plannedPreemption().isPresent();
		Decision d = scheduler.afterKick(landmarkAt(regs, t, process.inputs().plannedPreemption()));
		boolean declined = d instanceof Decision.Run r && r.point() == null;
		stats.kick(false, declined);
		if (replaying && !declined) {
			// A replay's kick that came where its planned landmark is, in the landmark's state, before the landmark's
			// trap did (the comparator lets loops run at full speed, so kicks land in them): the landmark is reached.
			stats.landmark(true, 0);
		}
		if (!declined) {
			drainLockCalls(); // a sync point, as in the replay that stops here
		}
		if (d instanceof Decision.Run r && r.thread() == t) {
			// The same thread goes on from where it stands: leave the vCPU's registers as they are. Setting them
			// makes KVM drop an exception that was raised but not delivered when the kick came (a trap's RIP is
			// already past its instruction, so it would be lost: a replay's landmark int3 or step #DB, a guest's own
			// int3). A switch to another thread drops it too; only faults may be pending then, and a fault comes
			// again when the thread re-executes its instruction.
			return;
		}
		follow(d);
	}

	/** Whether the thread at {@code regs} stands at a REP string instruction with nothing left to repeat. */
	private boolean atFinishedRepString(Regs regs) {
		long rip = regs.rip;
		byte[] code;
		try {
			code = breakpoints.guestCode(rip, MAX_INSTRUCTION);
		} catch (GuestFault f) {
			try { // the instruction may end before a page that is not mapped
				code = breakpoints.guestCode(rip, (int) Math.min(MAX_INSTRUCTION, 4096 - (rip & 4095)));
			} catch (GuestFault g) {
				return false;
			}
		}
		return isFinishedRepString(code, regs.rcx);
	}

	/** The longest x86 instruction. */
	private static final int MAX_INSTRUCTION = 15;

	/**
	 * Whether {@code code} starts with a REP, REPE or REPNE string instruction (INS, OUTS, MOVS, CMPS, STOS, LODS,
	 * SCAS) whose count, {@code rcx} (ECX with an address-size prefix), is 0.
	 */
	static boolean isFinishedRepString(byte[] code, long rcx) {
		boolean rep = false;
		boolean address32 = false;
		for (int i = 0; i < code.length; i++) {
			int b = code[i] & 0xff;
			switch (b) {
			case 0xF2, 0xF3 -> rep = true;
			case 0x67 -> address32 = true;
			case 0x66, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 -> {
				// other legacy prefixes
			}
			default -> {
				int op = b;
				if ((b & 0xF0) == 0x40) { // REX, right before the opcode
					if (i + 1 >= code.length) {
						return false;
					}
					op = code[i + 1] & 0xff;
				}
				boolean string = op >= 0x6C && op <= 0x6F || op >= 0xA4 && op <= 0xA7 || op >= 0xAA && op <= 0xAF;
				return rep && string && (address32 ? (int) rcx == 0 : rcx == 0);
			}
			}
		}
		return false;
	}

	/** FNV-1a over the top of the stack, as far as it is readable (up to {@link #LANDMARK_STACK_BYTES}). */
	long stackDigest(long rsp) {
		long h = 0xcbf29ce484222325L;
		int len = (int) Math.min(LANDMARK_STACK_BYTES, 4096 - (rsp & 4095));
		byte[] top;
		try {
			top = memory.copyIn(rsp, len);
		} catch (GuestFault f) {
			return h; // an RSP pointing nowhere: the digest of nothing, the same in a replay
		}
		for (byte b : top) {
			h = (h ^ (b & 0xff)) * 0x100000001b3L;
		}
		return h;
	}

	// ---------------------------------------------------------------- the end

	private void finishStopped(StopReason reason, Regs current) {
		if (current != null && !facts.inKernelArea(current.rip) && !lockCalls.inStubCode(current.rip)
				&& onCpu.isAlive()) {
			onCpu.saveRegs(current);
		}
		List<ThreadReport> threads = new ArrayList<>();
		for (GuestThread t : scheduler.liveThreads()) {
			threads.add(ThreadReport.of(t, scan));
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
		finish(new Ending.Stopped(new HangReport(reason, elapsed, wallLimit, threads)));
	}

	private void finish(Ending e) {
		// the calls still in the ring count for the statistics, and the observer's are told (the run is over: no owner
		// needs them)
		for (LockCallRing.Entry call : lockCalls.ring().drain()) {
			lockCalls.function(call.functionId()).ifPresent(f -> stats.lockCall(f.name(), 0));
			if (onCpu != null) {
				observeIfCounted(call);
			}
		}
		trap.disarm();
		lockCalls.disarmAll();
		breakpoints.clear(); // the final memory is the guest's own
		ending = e;
		state = State.FINISHED;
	}
}
