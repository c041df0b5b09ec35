package org.insight.vmm.machine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.memory.AddressSpaceConfig;

/**
 * How to run a guest program. Immutable; the {@code with...} methods return changed copies.
 *
 * @param argv           the guest's argv; empty means just the program's path
 * @param env            the guest's environment ("NAME=value" strings), nothing of the host's unless given
 * @param stdin          where a live run's stdin comes from (used by whoever builds the live inputs)
 * @param memoryCap      bytes of guest memory the guest may use (data and page tables)
 * @param maxThreads     live guest threads at most; clone beyond fails with EAGAIN
 * @param wallLimit      the run is stopped with a hang report after this long; null for no limit
 * @param timeSlice      how long a thread keeps the vCPU across its syscalls while others wait
 * @param watchdogPeriod a thread that makes no exit for this long is kicked (so spin loops end); zero for none
 * @param syncMode       where threads may switch: at syscalls only, or also at calls of the pthread lock functions
 * @param files          the read-only host files the guest may open (--file, --ro-dir), read once; a replay's are
 *                       the recorded ones
 * @param cpuid          the guest's CPUID table: a recording's (from its header), else empty for this host's
 *                       ({@link GuestCpuid#of})
 */
public record RunOptions(List<String> argv, List<String> env, StdinSource stdin, long memoryCap, int maxThreads,
		Duration wallLimit, Duration timeSlice, Duration watchdogPeriod, SyncMode syncMode, ProvidedFiles files,
		Optional<Cpuid> cpuid) {
	public static final long DEFAULT_MEMORY_CAP = AddressSpaceConfig.defaults().memoryCap();
	public static final int DEFAULT_MAX_THREADS = 1024;
	public static final Duration DEFAULT_TIME_SLICE = Duration.ofMillis(10);
	public static final Duration DEFAULT_WATCHDOG_PERIOD = Duration.ofMillis(10);

	public RunOptions {
		argv = List.copyOf(argv);
		env = List.copyOf(env);
		Objects.requireNonNull(stdin, "stdin");
		Objects.requireNonNull(timeSlice, "timeSlice");
		Objects.requireNonNull(watchdogPeriod, "watchdogPeriod");
		Objects.requireNonNull(syncMode, "syncMode");
		Objects.requireNonNull(files, "files");
		Objects.requireNonNull(cpuid, "cpuid");
		if (memoryCap < 1 << 20 || maxThreads < 1 || timeSlice.isNegative() || watchdogPeriod.isNegative()
				|| wallLimit != null && (wallLimit.isNegative() || wallLimit.isZero())) {
			throw new IllegalArgumentException("bad run options: memory cap " + memoryCap + ", max threads "
					+ maxThreads + ", wall limit " + wallLimit + ", time slice " + timeSlice + ", watchdog period "
					+ watchdogPeriod);
		}
	}

	/** Defaults: no arguments beyond the path, empty environment and stdin, no wall limit. */
	public static RunOptions defaults() {
		return new RunOptions(List.of(), List.of(), StdinSource.empty(), DEFAULT_MEMORY_CAP, DEFAULT_MAX_THREADS,
				null, DEFAULT_TIME_SLICE, DEFAULT_WATCHDOG_PERIOD, SyncMode.SYSCALLS, ProvidedFiles.none(),
				Optional.empty());
	}

	public RunOptions withArgv(List<String> a) {
		return new RunOptions(a, env, stdin, memoryCap, maxThreads, wallLimit, timeSlice, watchdogPeriod, syncMode,
				files, cpuid);
	}

	public RunOptions withEnv(List<String> e) {
		return new RunOptions(argv, e, stdin, memoryCap, maxThreads, wallLimit, timeSlice, watchdogPeriod,
				syncMode, files, cpuid);
	}

	public RunOptions withStdin(StdinSource s) {
		return new RunOptions(argv, env, s, memoryCap, maxThreads, wallLimit, timeSlice, watchdogPeriod, syncMode,
				files, cpuid);
	}

	public RunOptions withMemoryCap(long bytes) {
		return new RunOptions(argv, env, stdin, bytes, maxThreads, wallLimit, timeSlice, watchdogPeriod, syncMode,
				files, cpuid);
	}

	public RunOptions withMaxThreads(int n) {
		return new RunOptions(argv, env, stdin, memoryCap, n, wallLimit, timeSlice, watchdogPeriod, syncMode, files,
				cpuid);
	}

	public RunOptions withWallLimit(Duration limit) {
		return new RunOptions(argv, env, stdin, memoryCap, maxThreads, limit, timeSlice, watchdogPeriod, syncMode,
				files, cpuid);
	}

	public RunOptions withTimeSlice(Duration slice) {
		return new RunOptions(argv, env, stdin, memoryCap, maxThreads, wallLimit, slice, watchdogPeriod, syncMode,
				files, cpuid);
	}

	public RunOptions withWatchdogPeriod(Duration period) {
		return new RunOptions(argv, env, stdin, memoryCap, maxThreads, wallLimit, timeSlice, period, syncMode, files,
				cpuid);
	}

	public RunOptions withSyncMode(SyncMode mode) {
		return new RunOptions(argv, env, stdin, memoryCap, maxThreads, wallLimit, timeSlice, watchdogPeriod, mode,
				files, cpuid);
	}

	public RunOptions withFiles(ProvidedFiles f) {
		return new RunOptions(argv, env, stdin, memoryCap, maxThreads, wallLimit, timeSlice, watchdogPeriod,
				syncMode, f, cpuid);
	}

	public RunOptions withCpuid(Optional<Cpuid> c) {
		return new RunOptions(argv, env, stdin, memoryCap, maxThreads, wallLimit, timeSlice, watchdogPeriod,
				syncMode, files, c);
	}
}
