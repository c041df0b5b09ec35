package org.insight.vmm.linux;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;

import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.OutputWrite;
import org.insight.vmm.linux.fd.FdTable;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.Scheduler;

/**
 * The guest process as the Linux personality sees it: its memory, its threads, its inputs and outputs, and the few
 * things Linux keeps per process (signal actions, open standard descriptors, resource limits). Syscall handlers work
 * on it; the machine reads {@link #termination()} after each call.
 */
public final class LinuxProcess {
	/** The identity the guest sees: root in its own world, like a container, and the same in every run. */
	public static final int UID = 0;
	public static final int GID = 0;
	/** The parent the guest sees (it has no real one). */
	public static final int PARENT_PID = 1;

	public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
			RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9,
			RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14,
			RLIMIT_RTTIME = 15, RLIMIT_NLIMITS = 16;
	public static final long RLIM_INFINITY = -1L;
	/** si_code of a signal sent by kill (and by the kernel for this process, as SIGPIPE), and by tkill/tgkill. */
	static final int SI_USER = 0, SI_TKILL = -6;

	private final AddressSpace memory;
	private final Scheduler scheduler;
	private final GuestInputs inputs;
	private final OutputSink output;
	private final CpuContext cpu;
	private final String executablePath;
	private final SignalAction[] actions = new SignalAction[Signals.MAX + 1];
	private final FdTable fds = FdTable.standard();
	/** The read-only files the run provides; none unless {@link #provide} says otherwise. */
	private ProvidedFiles providedFiles = ProvidedFiles.none();
	/** Numbers the pipes and eventfds of the run (their inode numbers). */
	private int objects;
	private final long[][] limits = new long[RLIMIT_NLIMITS][];
	private final long[] bytesWritten = new long[3];
	private final List<String> notes = new ArrayList<>();
	/** The owner TID of each PI futex word that has waiters (Linux's pi_state), see {@link PiFutexCalls}. */
	private final Map<Long, Integer> piOwners = new TreeMap<>();
	private LongFunction<String> codeNames = a -> "0x" + Long.toHexString(a);
	private FileMapped fileMapped = (path, content, address, length, offset) -> {
	};
	private Termination termination;
	/** Signals sent to the process or one of its threads and not delivered yet. */
	private final PendingSets pending = new PendingSets();
	/** Output writes so far: the index of the next {@link OutputWrite}. */
	private long outputWrites;
	/** The interval timer, the POSIX timers and the timerfds, which the scheduler lets expire. */
	private final GuestTimers timers = new GuestTimers(this);
	/** ITIMER_REAL (alarm, setitimer): its expiry sends SIGALRM to the process. */
	private final GuestTimers.Timer realTimer;
	/** The timers of timer_create, by id. */
	private final PosixTimerCalls.Table posixTimers = new PosixTimerCalls.Table();
	/** The timerfds, with their clocks and timers. */
	private final TimerFdCalls.Table timerFds = new TimerFdCalls.Table();

	/**
	 * @param executablePath what {@code readlink("/proc/self/exe")} answers: the absolute path of the program, a
	 *                       fact of the run's configuration
	 */
	public LinuxProcess(AddressSpace memory, Scheduler scheduler, GuestInputs inputs, OutputSink output,
			CpuContext cpu, String executablePath) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
		this.inputs = Objects.requireNonNull(inputs, "inputs");
		this.output = Objects.requireNonNull(output, "output");
		this.cpu = Objects.requireNonNull(cpu, "cpu");
		this.executablePath = Objects.requireNonNull(executablePath, "executablePath");
		Arrays.fill(actions, SignalAction.DEFAULT);
		for (int r = 0; r < RLIMIT_NLIMITS; r++) {
			limits[r] = new long[] { RLIM_INFINITY, RLIM_INFINITY };
		}
		limits[RLIMIT_STACK] = new long[] { MachineLayout.STACK_SIZE, RLIM_INFINITY };
		limits[RLIMIT_NOFILE] = new long[] { 1024, 4096 };
		limits[RLIMIT_CORE] = new long[] { 0, RLIM_INFINITY };
		limits[RLIMIT_MEMLOCK] = new long[] { 8L << 20, 8L << 20 };
		limits[RLIMIT_NPROC] = new long[] { scheduler.maxThreads(), scheduler.maxThreads() };
		limits[RLIMIT_AS] = new long[] { RLIM_INFINITY, RLIM_INFINITY };
		limits[RLIMIT_SIGPENDING] = new long[] { 63_000, 63_000 };
		limits[RLIMIT_MSGQUEUE] = new long[] { 819_200, 819_200 };
		limits[RLIMIT_NICE] = new long[] { 0, 0 };
		limits[RLIMIT_RTPRIO] = new long[] { 0, 0 };
		realTimer = timers.create(periods -> raise(Signals.SIGALRM, null, "SIGALRM from the interval timer",
				SignalFrame.senderInfo(Signals.SIGALRM, SignalDelivery.SI_KERNEL, 0, 0)));
		scheduler.alarms(timers);
	}

	public AddressSpace memory() {
		return memory;
	}

	public Scheduler scheduler() {
		return scheduler;
	}

	public GuestInputs inputs() {
		return inputs;
	}

	public CpuContext cpu() {
		return cpu;
	}

	public String executablePath() {
		return executablePath;
	}

	/** The read-only files the guest can open, stat and read (a fact of the run's configuration, recorded). */
	public ProvidedFiles providedFiles() {
		return providedFiles;
	}

	/** Provides {@code files} to the guest; called once, before the guest runs. */
	public void provide(ProvidedFiles files) {
		providedFiles = Objects.requireNonNull(files, "files");
	}

	public int pid() {
		return scheduler.pid();
	}

	// ---------------------------------------------------------------- the end

	/** How the process ended, once it has. */
	public Optional<Termination> termination() {
		return Optional.ofNullable(termination);
	}

	public boolean isTerminated() {
		return termination != null;
	}

	/** exit_group, or the end of the last thread. The first way the process ends is the one that counts. */
	public void exit(int code) {
		if (termination == null) {
			termination = new Termination.Exited(code);
		}
	}

	/** The process dies of {@code signal}; {@code cause} says why, for the report. */
	public void kill(int signal, String cause) {
		if (termination == null) {
			termination = new Termination.Signaled(signal, cause);
		}
	}

	// ---------------------------------------------------------------- signals

	public SignalAction action(int signal) {
		return actions[signal];
	}

	void action(int signal, SignalAction action) {
		actions[signal] = action;
	}

	/** {@link #raise(int, GuestThread, String, byte[])} with the siginfo of a kill by this process (SI_USER). */
	void raise(int signal, GuestThread target, String cause) {
		raise(signal, target, cause, SignalFrame.senderInfo(signal, SI_USER, pid(), UID));
	}

	/**
	 * Signal {@code signal} is sent to the process ({@code target} null) or to one thread, with siginfo {@code info}.
	 * What Linux would ignore is ignored, unless blocked (then it waits, for rt_sigtimedwait). A signal with a guest
	 * handler waits in the target's pending set (the process's for a process signal) until a thread that does not
	 * block it returns to user mode ({@link SignalDelivery#beforeUserMode}), and interrupts the call the thread it is
	 * for is blocked in ({@link SignalWaits#signalled}). A signal whose default action ends the process does so at
	 * once unless every thread concerned blocks it; then it waits until one unblocks it or rt_sigtimedwait takes it.
	 */
	void raise(int signal, GuestThread target, String cause, byte[] info) {
		SignalAction act = actions[signal];
		if (signal != Signals.SIGKILL) {
			long bit = SignalCalls.bit(signal);
			boolean blocked = target != null ? (target.signalMask() & bit) != 0
					: scheduler.liveThreads().stream().allMatch(t -> (t.signalMask() & bit) != 0);
			Signals.DefaultAction byDefault = act.isDefault() ? Signals.defaultAction(signal) : null;
			// a blocked stop signal waits like any other (rt_sigtimedwait may take it); an unblocked one stops nothing
			if (byDefault == Signals.DefaultAction.STOP && !blocked) {
				note(Signals.name(signal) + " was ignored: a guest cannot be stopped");
				return;
			}
			boolean ignored = act.isIgnored() || byDefault == Signals.DefaultAction.IGNORE
					|| byDefault == Signals.DefaultAction.CONTINUE;
			// Linux's sig_ignored: a blocked signal is never ignored (rt_sigtimedwait may take it).
			if (ignored && !blocked) {
				return;
			}
			if (blocked || !act.isDefault()) {
				(target == null ? pending.shared() : pending.of(target)).add(signal, info);
				SignalWaits.signalled(this, signal, target);
				return;
			}
		}
		kill(signal, cause);
	}

	/**
	 * {@code thread} changed its mask: a pending signal it no longer blocks, has no handler for and does not ignore by
	 * default ends the process.
	 */
	void deliverPending(GuestThread thread) {
		long ready = pending.visibleTo(thread) & ~thread.signalMask();
		for (int signal = 1; ready != 0 && signal <= Signals.MAX; signal++) {
			long bit = SignalCalls.bit(signal);
			if ((ready & bit) != 0 && actions[signal].isDefault()
					&& Signals.defaultAction(signal) == Signals.DefaultAction.TERMINATE) {
				kill(signal, Signals.name(signal) + " delivered when thread " + thread.tid() + " unblocked it");
				return;
			}
		}
	}

	/** Signals generated and not delivered yet, to the process or to any thread, bit n-1 for signal n. */
	public long pendingSignals() {
		return pending.all();
	}

	/** The process's timers (interval timer, POSIX timers, timerfds). */
	GuestTimers timers() {
		return timers;
	}

	/** ITIMER_REAL, the timer of alarm and setitimer: SIGALRM to the process at each expiry. */
	GuestTimers.Timer realTimer() {
		return realTimer;
	}

	PosixTimerCalls.Table posixTimers() {
		return posixTimers;
	}

	TimerFdCalls.Table timerFds() {
		return timerFds;
	}

	/** The process's pending signals, its signal waiters and rt_sigsuspend's saved masks. */
	PendingSets pending() {
		return pending;
	}

	// ---------------------------------------------------------------- descriptors and output

	/** The descriptor table. */
	public FdTable fds() {
		return fds;
	}

	public boolean isOpen(long fd) {
		return fds.isOpen(fd);
	}

	/** How many descriptors the guest may have: RLIMIT_NOFILE's soft value, at most its default hard one. */
	long fdLimit() {
		return Math.min(Math.max(limits[RLIMIT_NOFILE][0], 0), 1 << 16);
	}

	/** A new number for a pipe or an eventfd. */
	int nextObjectId() {
		return ++objects;
	}

	/**
	 * Sends guest output to the sink: {@code len} or -errno. A broken pipe is EPIPE, and kills the process with
	 * SIGPIPE unless the guest ignores or handles it, as Linux does; other host errors are EIO.
	 */
	long writeOutput(int fd, byte[] data, int off, int len) {
		long host;
		try {
			output.write(fd, data, off, len);
			host = len;
		} catch (IOException e) {
			String message = String.valueOf(e.getMessage());
			host = message.contains("Broken pipe") ? -Errno.EPIPE : -Errno.EIO;
			note("write to fd " + fd + " failed on the host: " + message);
		}
		// Whether the host took the bytes is an input: a replay sees the recording's outcome, not its own.
		long result = inputs.outputResult(new OutputWrite(scheduler.current().tid(), fd, len, outputWrites++), host);
		if (result >= 0) {
			bytesWritten[fd] += result;
			return result;
		}
		if (result == -Errno.EPIPE) {
			raise(Signals.SIGPIPE, scheduler.current(), "write to fd " + fd + " on a broken pipe");
		}
		return result;
	}

	/** Bytes the guest wrote to fd 1 or 2. */
	public long bytesWritten(int fd) {
		return bytesWritten[fd];
	}

	// ---------------------------------------------------------------- limits

	/** {soft, hard} of a resource limit (a copy). */
	public long[] limit(int resource) {
		return limits[resource].clone();
	}

	void limit(int resource, long soft, long hard) {
		limits[resource] = new long[] { soft, hard };
	}

	Map<Long, Integer> piOwners() {
		return piOwners;
	}

	// ---------------------------------------------------------------- diagnostics

	/** Things the run's report should mention: a clone the machine refused, a host I/O error. */
	public List<String> notes() {
		return Collections.unmodifiableList(notes);
	}

	/** Who hears of each mapping of a provided file: where the guest's libraries are ({@code GuestImages}). */
	public interface FileMapped {
		/**
		 * {@code length} bytes of {@code content}, the file at guest path {@code path}, are mapped from {@code offset}
		 * at {@code address}.
		 */
		void mapped(String path, byte[] content, long address, long length, long offset);
	}

	/** Tells {@code listener} of every successful mmap of a provided file, inside the syscall. */
	public void onFileMapped(FileMapped listener) {
		fileMapped = Objects.requireNonNull(listener, "listener");
	}

	void fileMapped(String path, byte[] content, long address, long length, long offset) {
		fileMapped.mapped(path, content, address, length, offset);
	}

	/** How reports name a code address: "function+0x1c" from the ELF symbol table once the run sets it. */
	public void codeNames(LongFunction<String> names) {
		codeNames = Objects.requireNonNull(names, "names");
	}

	String describeCode(long address) {
		return codeNames.apply(address);
	}

	/** Adds a line to the run's notes (shown with its report; at most 100, each once). */
	public void note(String note) {
		if (notes.size() < 100 && !notes.contains(note)) {
			notes.add(note);
		}
	}
}
