package org.insight.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rules every fuzz target applies to one input (README, "Fuzzing"), shared by the fuzzer ({@code ./insight fuzz},
 * Jazzer calling a target's {@code fuzzerTestOneInput}) and by the JUnit tests that replay the committed corpus and
 * crashes: bad input may only be refused with the exception type the command line turns into one clear line and exit
 * status 2; anything else thrown, more than {@link #MAX_ALLOCATION} bytes allocated or more than {@link #MAX_CPU_NANOS}
 * of CPU time taken for one input, is a finding. An input that never returns is the fuzzer's to catch (its
 * {@code -timeout}, wall time, so a few seconds on a shared machine).
 * <p>
 * This class uses only the JDK: the targets run on a plain class path under Jazzer and as OSGi fragments under Tycho.
 */
public final class FuzzInput {
	private FuzzInput() {
	}

	/** The most one input may make the code under test allocate (Java heap, on the calling thread). */
	public static final long MAX_ALLOCATION = 64L << 20;
	/** The most CPU time one input may take on the calling thread: 1 s. */
	public static final long MAX_CPU_NANOS = 1_000_000_000L;

	/** The code under test, run on one input. */
	@FunctionalInterface
	public interface Body {
		void run() throws Exception;
	}

	/** What the code under test did with an input it does not accept: a finding of the fuzzer. */
	public static final class Finding extends RuntimeException {
		private static final long serialVersionUID = 1L;

		Finding(String message, Throwable cause) {
			super(message, cause);
		}
	}

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
	private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();
	/** com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, found without importing com.sun.* (OSGi). */
	private static final Method ALLOCATED = allocatedBytesMethod();

	private static Method allocatedBytesMethod() {
		try {
			Class<?> c = ClassLoader.getPlatformClassLoader().loadClass("com.sun.management.ThreadMXBean");
			return c.isInstance(THREADS) ? c.getMethod("getCurrentThreadAllocatedBytes") : null;
		} catch (ReflectiveOperationException e) {
			return null;
		}
	}

	/** Bytes the current thread has allocated so far, or -1 when this JVM does not count them. */
	public static long allocatedBytes() {
		if (ALLOCATED == null) {
			return -1;
		}
		try {
			return (long) ALLOCATED.invoke(THREADS);
		} catch (ReflectiveOperationException e) {
			return -1;
		}
	}

	/**
	 * Runs {@code body}; returns null when it ends normally, the refusal when it throws an instance of one of
	 * {@code accepted} with a message, and throws a {@link Finding} otherwise (another exception or error, a refusal
	 * without a message, more than {@link #MAX_ALLOCATION} bytes allocated or {@link #MAX_CPU_NANOS} of CPU taken).
	 */
	@SafeVarargs
	public static Throwable check(String target, Body body, Class<? extends Throwable>... accepted) {
		long classes = CLASSES.getTotalLoadedClassCount();
		Cost cost = new Cost();
		Throwable thrown = attempt(body);
		cost.end();
		if (cost.over() && CLASSES.getTotalLoadedClassCount() != classes) {
			// Loading (and, under Jazzer, instrumenting) the classes a new path needs costs this thread time and
			// memory too; the code under test is deterministic, so a second run measures what the input itself costs.
			cost = new Cost();
			thrown = attempt(body);
			cost.end();
		}
		if (thrown != null && !isAccepted(thrown, accepted)) {
			throw new Finding(target + ": " + thrown.getClass().getName() + " is not a refusal the command line"
					+ " shows as one line: " + thrown.getMessage(), thrown);
		}
		if (thrown != null && (thrown.getMessage() == null || thrown.getMessage().isBlank())) {
			throw new Finding(target + ": refused without a message", thrown);
		}
		if (cost.allocated > MAX_ALLOCATION) {
			throw new Finding(target + ": one input allocated " + (cost.allocated >> 20) + " MiB, more than the "
					+ (MAX_ALLOCATION >> 20) + " MiB allowed", thrown);
		}
		if (cost.cpuNanos > MAX_CPU_NANOS) {
			throw new Finding(target + ": one input took " + cost.cpuNanos / 1_000_000 + " ms of CPU, more than the "
					+ MAX_CPU_NANOS / 1_000_000 + " ms allowed", thrown);
		}
		return thrown;
	}

	/** What one run cost the calling thread: heap allocated and CPU time (not wall time: the machine is shared). */
	private static final class Cost {
		private final long allocatedBefore = allocatedBytes();
		private final long cpuBefore = cpuNanos();
		long allocated = -1;
		long cpuNanos = -1;

		void end() {
			allocated = allocatedBefore < 0 ? -1 : allocatedBytes() - allocatedBefore;
			cpuNanos = cpuBefore < 0 ? -1 : cpuNanos() - cpuBefore;
		}

		boolean over() {
			return allocated > MAX_ALLOCATION || cpuNanos > MAX_CPU_NANOS;
		}
	}

	private static long cpuNanos() {
		return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
	}

	private static Throwable attempt(Body body) {
		try {
			body.run();
			return null;
		} catch (Throwable t) {
			return t;
		}
	}

	private static boolean isAccepted(Throwable t, Class<? extends Throwable>[] accepted) {
		for (Class<? extends Throwable> c : accepted) {
			if (c.isInstance(t)) {
				return true;
			}
		}
		return false;
	}

	/** A scratch file for targets whose code under test reads a path; reused (rewritten) for every input. */
	public static Path scratchFile(String name) {
		try {
			Path dir = Path.of(System.getProperty("java.io.tmpdir"), "insight-fuzz-" + ProcessHandle.current().pid());
			Files.createDirectories(dir);
			dir.toFile().deleteOnExit();
			Path f = dir.resolve(name);
			f.toFile().deleteOnExit();
			return f;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Writes {@code data} to {@code file}, replacing what was there. */
	public static Path write(Path file, byte[] data) {
		try {
			return Files.write(file, data);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
