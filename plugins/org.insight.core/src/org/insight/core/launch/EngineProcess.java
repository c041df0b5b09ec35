package org.insight.core.launch;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine's OS process as the Debug platform sees it. Terminating it (the console's button, a cancelled job) ends
 * its whole process tree: without /dev/kvm the engine runs the nested machine's script and QEMU below it, and the
 * script, on SIGTERM, stops QEMU. The recording then ends at its last whole block and stays readable (incomplete).
 */
final class EngineProcess extends Process {
	private final Process process;

	EngineProcess(Process process) {
		this.process = process;
	}

	@Override
	public void destroy() {
		// children first: the script must stop QEMU before the JVM that started it goes away
		process.descendants().forEach(ProcessHandle::destroy);
		process.destroy();
	}

	@Override
	public Process destroyForcibly() {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		return process.destroyForcibly();
	}

	@Override
	public OutputStream getOutputStream() {
		return process.getOutputStream();
	}

	@Override
	public InputStream getInputStream() {
		return process.getInputStream();
	}

	@Override
	public InputStream getErrorStream() {
		return process.getErrorStream();
	}

	@Override
	public int waitFor() throws InterruptedException {
		return process.waitFor();
	}

	@Override
	public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
		return process.waitFor(timeout, unit);
	}

	@Override
	public int exitValue() {
		return process.exitValue();
	}

	@Override
	public boolean isAlive() {
		return process.isAlive();
	}

	@Override
	public long pid() {
		return process.pid();
	}

	@Override
	public ProcessHandle toHandle() {
		return process.toHandle();
	}

	@Override
	public CompletableFuture<Process> onExit() {
		return process.onExit().thenApply(p -> this);
	}
}
