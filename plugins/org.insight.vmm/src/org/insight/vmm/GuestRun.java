package org.insight.vmm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.insight.kvm.CpuPin;
import org.insight.kvm.Regs;
import org.insight.symbols.ElfFormatException;
import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.linux.CpuContext;
import org.insight.vmm.linux.LinuxProcess;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.linux.SyscallTable;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.loader.ElfLoader;
import org.insight.vmm.loader.GuestImages;
import org.insight.vmm.loader.ImageLoadException;
import org.insight.vmm.loader.InitialStack;
import org.insight.vmm.loader.LoadedImage;
import org.insight.vmm.machine.CodeObserver;
import org.insight.vmm.machine.Ending;
import org.insight.vmm.machine.GuestMachine;
import org.insight.vmm.machine.KernelAreaProbe;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.machine.RunStats;
import org.insight.vmm.machine.StopReason;
import org.insight.vmm.machine.SyncMode;
import org.insight.vmm.machine.VcpuLoop;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.sched.LibcMutexes;
import org.insight.vmm.sched.LockFunctions;
import org.insight.vmm.sched.Scheduler;
import org.insight.vmm.sched.StackScan;
import org.insight.vmm.sched.Watchdog;

/**
 * Runs a static Linux program in a fresh guest machine and returns how it ended: the facade for the CLI and for the
 * record/replay layer, which passes its own {@link GuestInputs} and {@link OutputSink}.
 * <p>
 * The calling thread becomes the vCPU thread for the duration of the run (it must be a platform thread), pinned to
 * the lowest host CPU it may use (see {@link CpuPin}). A watchdog
 * thread kicks the vCPU when the guest makes no progress for a period, and a timer stops the run at the wall-clock
 * limit, which ends with a hang report.
 */
public final class GuestRun {
	private GuestRun() {
	}

	/**
	 * @throws org.insight.symbols.ElfFormatException  when {@code elf} is not a static x86-64 executable
	 * @throws org.insight.vmm.loader.ImageLoadException when it cannot be placed in guest memory
	 * @throws org.insight.kvm.KvmException             when /dev/kvm is missing or a KVM call fails
	 * @throws org.insight.vmm.machine.MachineException when the machine cannot go on (not a guest crash)
	 */
	public static RunResult run(Path elf, RunOptions options, GuestInputs inputs, OutputSink output) {
		return run(elf, executablePath(elf), options, inputs, output);
	}

	/**
	 * Runs {@code elf} as if it were installed at {@code guestPath}: the path the guest sees as AT_EXECFN, as
	 * readlink("/proc/self/exe") and, without argv, as argv[0]. A replay runs the binary embedded in its trace from a
	 * temporary file, and must show the guest the path it saw when it was recorded.
	 */
	public static RunResult run(Path elf, String guestPath, RunOptions options, GuestInputs inputs,
			OutputSink output) {
		return run(elf, guestPath, options, inputs, output, image -> CodeObserver.NONE);
	}

	/**
	 * As {@link #run(Path, String, RunOptions, GuestInputs, OutputSink)}, with a {@link CodeObserver} made from the
	 * loaded program (its symbols and bias): a replay's analysis hooks.
	 */
	public static RunResult run(Path elf, String guestPath, RunOptions options, GuestInputs inputs,
			OutputSink output, Function<GuestImages, CodeObserver> observers) {
		ElfImage image = ElfImage.read(elf);
		long started = System.nanoTime();
		// supervisor-only where this KVM takes it (asked once per process, before the machine: KernelAreaProbe)
		AddressSpaceConfig config = KernelAreaProbe.adjust(AddressSpaceConfig.defaults()
				.withMemoryCap(options.memoryCap()));
		try (GuestMachine machine = GuestMachine.create(options.memoryCap() + MachineLayout.FIRST_FREE_FRAME,
				options.cpuid())) {
			AddressSpace space = new AddressSpace(machine.memory(), config);
			LoadedImage loaded = load(image, space, options.files());
			GuestImages images = GuestImages.of(loaded, guestPath);
			List<String> argv = options.argv().isEmpty() ? List.of(guestPath) : options.argv();
			InitialStack stack = InitialStack.write(space, loaded, argv, options.env(), guestPath,
					machine.hwcap(), inputs, Scheduler.FIRST_TID);

			AtomicReference<VcpuLoop> loopRef = new AtomicReference<>();
			Scheduler scheduler = new Scheduler(inputs, options.maxThreads(),
					() -> loopRef.get() != null && loopRef.get().stopRequested());
			Regs entry = new Regs();
			entry.rip = loaded.start();
			entry.rsp = stack.rsp();
			entry.rflags = GuestMachine.INITIAL_RFLAGS;
			scheduler.start(entry);

			LinuxProcess process = new LinuxProcess(space, scheduler, inputs, output,
					CpuContext.of(machine.cpu()::saveExtendedState, machine.cpu()::restoreExtendedState), guestPath);
			process.provide(options.files());
			StackScan scan = new StackScan(space, images::isCode, images::describe);
			process.codeNames(scan::describe);
			process.onFileMapped(images::fileMapped);
			scheduler.mutexOwners(new LibcMutexes(space, images.symbols(), scan));
			SyscallTable syscalls = SyscallTable.linux();
			RunStats stats = new RunStats();
			VcpuLoop loop = new VcpuLoop(machine.cpu(), machine.facts(), process, syscalls, scan, stats)
					.wallLimit(options.wallLimit());
			boolean locks = options.syncMode() == SyncMode.LOCKS;
			if (locks) {
				loop.lockFunctions(LockFunctions.find(images.symbols()));
			}
			CodeObserver observer = observers.apply(images);
			loop.observer(observer);
			boolean patches = Boolean.parseBoolean(System.getProperty(LANDMARK_COMPARATOR, "true"));
			// a dynamic program's lock functions are libc's: hooked when ld.so maps it, inside that mmap
			images.onLibrary(library -> {
				try {
					org.insight.symbols.SymbolTable symbols = library.symbols(); // read, or thrown: nothing hooked
					if (patches) {
						// where its code may be entered: its lock functions may have stubs (--mode locks, or the
						// calls an analysis counts)
						loop.libraryCode(new org.insight.vmm.code.BranchTargets(() -> library.symbols().functions(),
								fileCode(library.elf(), library.bias()), org.insight.vmm.code.X86Decoder::shared));
					}
					if (locks) {
						loop.addLockFunctions(LockFunctions.find(symbols));
					}
					loop.observeMore(observer.libraryMapped(symbols));
				} catch (ElfFormatException unreadable) {
					// the same bytes fail the same way at a replay: no hooks there either, and the run goes on
					process.note("the symbols of " + library.path() + " cannot be read, so none of its functions is"
							+ " hooked: " + unreadable.getMessage());
				}
			});
			if (patches) {
				loop.programCode(new org.insight.vmm.code.BranchTargets(() -> loaded.symbols().functions(),
						fileCode(loaded.image(), loaded.bias()), org.insight.vmm.code.X86Decoder::shared));
				// the interpreter's code too: musl's ld.so is its libc, lock functions included
				for (GuestImages.Image other : images.images().subList(1, images.images().size())) {
					loop.libraryCode(new org.insight.vmm.code.BranchTargets(() -> other.symbols().functions(),
							fileCode(other.elf(), other.bias()), org.insight.vmm.code.X86Decoder::shared));
				}
			}
			loopRef.set(loop);

			machine.vcpu().bindToCurrentThread();
			loop.start();
			Ending ending;
			// One host CPU for the whole run: a guest CPUID that KVM does not intercept (PVM) reads that CPU's APIC
			// ID, which glibc keeps in memory, so a replay must run where the recording ran (CpuPin).
			try (CpuPin pin = CpuPin.lowestAllowed();
					Watchdog watchdog = watchdog(options.watchdogPeriod(), loop);
					Limiter limiter = new Limiter(options.wallLimit(), loop)) {
				ending = loop.run();
			}
			stats.finish(System.nanoTime() - started, scheduler.created(), scheduler.idleWaits(),
					scheduler.timeoutsExpired(), space.demandFaults(), space.vmmPopulated(), space.invalidations(),
					syscalls.unknownCalls());
			MemoryDump.writeIfAsked(space, guestPath);
			return RunResult.of(ending, process, stats, space.sha256());
		}
	}

	/**
	 * Loads the program, and when it is dynamically linked its interpreter too, read from the provided files (the
	 * host's at a run, the trace's at a replay: see {@link org.insight.vmm.loader.SharedLibraries}).
	 */
	static LoadedImage load(ElfImage image, AddressSpace space, ProvidedFiles files) {
		if (image.dynamic().interpreter().isEmpty()) {
			return ElfLoader.load(image, space);
		}
		String path = image.dynamic().interpreter().get();
		String normalized = ProvidedFiles.normalize("/", path);
		if (normalized == null || !(files.lookup(normalized) instanceof ProvidedFiles.Regular interpreter)) {
			throw new ImageLoadException(image.file(), "it is dynamically linked and its interpreter " + path
					+ " is not among the provided files", null);
		}
		return ElfLoader.load(image, ElfImage.interpreter(Path.of(path), interpreter.content()), space);
	}

	/** What readlink("/proc/self/exe") answers: the real path when the file system can say, else the absolute one. */
	public static String executablePath(Path elf) {
		try {
			return elf.toRealPath().toString();
		} catch (IOException e) {
			return elf.toAbsolutePath().normalize().toString();
		}
	}

	/**
	 * System property: {@code false} keeps every replayed landmark on its int3, without the landmark comparator
	 * (ARCHITECTURE.md section 3), to compare the two or to rule the comparator out.
	 */
	public static final String LANDMARK_COMPARATOR = "insight.landmarkComparator";

	/**
	 * An image's code bytes (loaded {@code bias} above its link addresses) by address and length, from its file (its
	 * executable segments' file part); null for a range that is not there. Read from the file, not the guest, whose
	 * pages would be populated by the reading.
	 */
	static java.util.function.BiFunction<Long, Integer, byte[]> fileCode(ElfImage image, long bias) {
		List<LoadSegment> segments = image.loadSegments().stream().filter(LoadSegment::executable).toList();
		return (va, len) -> {
			long fileVa = va - bias;
			for (LoadSegment s : segments) {
				if (fileVa >= s.vaddr() && fileVa + len <= s.vaddr() + s.fileSize()) {
					byte[] b = new byte[len];
					image.copyBytes(s.fileOffset() + (fileVa - s.vaddr()), b, 0, len);
					return b;
				}
			}
			return null;
		};
	}

	private static Watchdog watchdog(Duration period, VcpuLoop loop) {
		if (period.isZero()) {
			return null;
		}
		return new Watchdog(period, loop::guestSince, loop::kick).start();
	}

	/** Stops the loop when the wall-clock limit passes. */
	private static final class Limiter implements AutoCloseable {
		private final ScheduledExecutorService timer;

		Limiter(Duration limit, VcpuLoop loop) {
			if (limit == null) {
				timer = null;
				return;
			}
			timer = Executors.newSingleThreadScheduledExecutor(r -> {
				Thread t = new Thread(r, "insight-wall-limit");
				t.setDaemon(true);
				return t;
			});
			timer.schedule(() -> loop.requestStop(StopReason.WALL_LIMIT), limit.toNanos(), TimeUnit.NANOSECONDS);
		}

		@Override
		public void close() {
			if (timer != null) {
				timer.shutdownNow();
			}
		}
	}
}
