package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.memory.Mman;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FileCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private long text(String s) {
		return f.bytes(s.getBytes(StandardCharsets.US_ASCII));
	}

	@Test
	void writeGoesToTheSinkByDescriptor() {
		assertEquals(6, f.call(Syscalls.WRITE, 1, text("hello\n"), 6));
		assertEquals(4, f.call(Syscalls.WRITE, 2, text("oops"), 4));
		assertEquals(0, f.call(Syscalls.WRITE, 1, text("x"), 0));
		assertEquals("hello\n", f.out.stdoutText());
		assertEquals("oops", f.out.stderrText());
		assertEquals(6, f.process.bytesWritten(1));
		assertEquals(4, f.process.bytesWritten(2));
	}

	@Test
	void writevGathersInOrderAndSkipsEmptyVectors() {
		long a = text("ab");
		long b = text("cde");
		long iov = f.u64s(a, 2, a, 0, b, 3);
		assertEquals(5, f.call(Syscalls.WRITEV, 1, iov, 3));
		assertEquals("abcde", f.out.stdoutText());
		assertEquals(0, f.call(Syscalls.WRITEV, 1, iov, 0));
	}

	@Test
	void badDescriptorsAndCountsAreRefused() {
		long s = text("x");
		assertEquals(-Errno.EBADF, f.call(Syscalls.WRITE, 0, s, 1), "stdin is not writable");
		assertEquals(-Errno.EBADF, f.call(Syscalls.WRITE, 3, s, 1));
		assertEquals(-Errno.EBADF, f.call(Syscalls.WRITE, -1, s, 1));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WRITEV, 1, f.u64s(s, 1), 1025), "more than IOV_MAX vectors");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WRITEV, 1, f.u64s(s, -1), 1), "a negative length");
		assertEquals(-Errno.EBADF, f.call(Syscalls.READ, 1, s, 1), "stdout is not readable");
	}

	@Test
	void badPointersGiveEfaultAndAFaultAfterSomeOutputGivesTheCountSoFar() {
		assertEquals(-Errno.EFAULT, f.call(Syscalls.WRITE, 1, UNMAPPED, 10));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.WRITE, 1, 0, 10), "NULL");
		assertEquals(-Errno.EFAULT, f.call(Syscalls.WRITEV, 1, UNMAPPED, 1));
		// The last 3 bytes of the scratch mapping, then the unmapped page after it.
		long end = f.scratch + LinuxFixture.SCRATCH;
		f.space.copyOut(end - 3, "xyz".getBytes(StandardCharsets.US_ASCII));
		long beyond = f.space.mmap(end, 4096, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS
				| Mman.MAP_FIXED);
		assertEquals(end, beyond);
		long iov = f.u64s(end - 3, 3, beyond, 5);
		assertEquals(3, f.call(Syscalls.WRITEV, 1, iov, 2), "the vector before the fault is written");
		assertEquals("xyz", f.out.stdoutText());
		assertEquals(java.util.Map.of(Syscalls.WRITE, 2L, Syscalls.WRITEV, 1L), f.table.faultedCalls(),
				"EFAULTs are counted per syscall");
	}

	@Test
	void readAsksTheInputsForStdinAndCopiesWhatCame() {
		f.inputs.stdin("line one\nrest".getBytes(StandardCharsets.US_ASCII));
		long buf = f.alloc(64);
		assertEquals(9, f.call(Syscalls.READ, 0, buf, 9));
		assertEquals("line one\n", f.string(buf, 9));
		assertEquals(List.of(new StdinRead(1000, 9)), f.inputs.asked(StdinRead.class));
		assertEquals(4, f.call(Syscalls.READ, 0, buf, 64));
		assertEquals(0, f.call(Syscalls.READ, 0, buf, 64), "end of input");
		assertEquals(0, f.call(Syscalls.READ, 0, buf, 0), "count 0 reads nothing");
		assertEquals(3, f.inputs.asked(StdinRead.class).size(), "a zero count does not ask");
		long huge = f.call(Syscalls.READ, 0, buf, -1L);
		assertEquals(0, huge);
		assertEquals(FileCalls.MAX_TRANSFER, f.inputs.asked(StdinRead.class).get(3).maxBytes(),
				"a size_t count of 2^64-1 is capped");
	}

	@Test
	void aReadIntoABadBufferFailsBeforeConsumingInput() {
		f.inputs.stdin("keep".getBytes(StandardCharsets.US_ASCII));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.READ, 0, UNMAPPED, 4));
		long ro = f.space.mmap(0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		assertEquals(-Errno.EFAULT, f.call(Syscalls.READ, 0, ro, 4), "read-only buffer");
		assertTrue(f.inputs.asked(StdinRead.class).isEmpty());
		long buf = f.alloc(8);
		assertEquals(4, f.call(Syscalls.READ, 0, buf, 8));
		assertEquals("keep", f.string(buf, 4));
	}

	@Test
	void readvScattersOneInputReadOverTheVectors() {
		f.inputs.stdin("abcdefg".getBytes(StandardCharsets.US_ASCII));
		long a = f.alloc(3);
		long b = f.alloc(16);
		assertEquals(7, f.call(Syscalls.READV, 0, f.u64s(a, 3, b, 16), 2));
		assertEquals("abc", f.string(a, 3));
		assertEquals("defg", f.string(b, 4));
		assertEquals(List.of(new StdinRead(1000, 19)), f.inputs.asked(StdinRead.class));
	}

	@Test
	void standardDescriptorsLookLikePipes() {
		long st = f.alloc(FileCalls.STAT_SIZE);
		assertEquals(0, f.call(Syscalls.FSTAT, 1, st));
		assertEquals(FileCalls.FIFO_MODE, f.space.readU32(st + 24));
		assertEquals(4096, f.space.readU64(st + 56), "st_blksize");
		assertEquals(2, f.space.readU64(st + 8), "st_ino");
		assertEquals(-Errno.EBADF, f.call(Syscalls.FSTAT, 5, st));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.FSTAT, 1, UNMAPPED));
		long empty = f.cString("");
		assertEquals(0, f.call(Syscalls.NEWFSTATAT, 0, empty, st, FileCalls.AT_EMPTY_PATH));
		assertEquals(1, f.space.readU64(st + 8));
		assertEquals(-Errno.ENOENT, f.call(Syscalls.NEWFSTATAT, 0, empty, st, 0), "empty path needs AT_EMPTY_PATH");
		assertEquals(-Errno.ENOENT, f.call(Syscalls.NEWFSTATAT, -100, f.cString("/etc/passwd"), st, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.NEWFSTATAT, 0, empty, st, 0x4));
		long stx = f.alloc(FileCalls.STATX_SIZE);
		assertEquals(0, f.call(Syscalls.STATX, 2, empty, FileCalls.AT_EMPTY_PATH, 0x7ff, stx));
		assertEquals(FileCalls.FIFO_MODE, f.space.readU32(stx + 28) & 0xffff);
		assertEquals(-Errno.ENOTTY, f.call(Syscalls.IOCTL, 1, FileCalls.TCGETS, f.alloc(64)));
		assertEquals(-Errno.ENOTTY, f.call(Syscalls.IOCTL, 0, FileCalls.TIOCGWINSZ, f.alloc(8)));
		assertEquals(-Errno.EBADF, f.call(Syscalls.IOCTL, 9, FileCalls.TCGETS, f.alloc(64)));
		assertEquals(-Errno.ESPIPE, f.call(Syscalls.LSEEK, 0, 0, 1));
		assertEquals(-Errno.ESPIPE, f.call(Syscalls.PWRITE64, 1, text("x"), 1, 0));
		assertEquals(-Errno.EBADF, f.call(Syscalls.LSEEK, 4, 0, 1));
		assertEquals(1, f.call(Syscalls.FCNTL, 1, DescriptorCalls.F_GETFL));
		assertEquals(0, f.call(Syscalls.FCNTL, 0, DescriptorCalls.F_GETFL));
	}

	@Test
	void closedDescriptorsStayClosed() {
		assertEquals(0, f.call(Syscalls.CLOSE, 1));
		assertEquals(-Errno.EBADF, f.call(Syscalls.CLOSE, 1));
		assertEquals(-Errno.EBADF, f.call(Syscalls.WRITE, 1, text("x"), 1));
		assertEquals(-Errno.EBADF, f.call(Syscalls.CLOSE, 7));
		assertEquals(1, f.call(Syscalls.WRITE, 2, text("y"), 1));
	}

	@Test
	void thereAreNoFilesButTheProgramKnowsItsPath() {
		assertEquals(-Errno.ENOENT, f.call(Syscalls.OPENAT, -100, f.cString("/etc/passwd"), 0, 0));
		assertEquals(-Errno.ENOENT, f.call(Syscalls.OPEN, f.cString("data.txt"), 0x41, 0644));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.OPEN, UNMAPPED, 0, 0));
		assertEquals(-Errno.ENOENT, f.call(Syscalls.ACCESS, f.cString("/bin/sh"), 1));
		long longPath = f.bytes(new byte[5000]);
		f.space.copyOut(longPath, "a".repeat(4999).getBytes(StandardCharsets.US_ASCII));
		assertEquals(-Errno.ENAMETOOLONG, f.call(Syscalls.OPEN, longPath, 0, 0));
		long buf = f.alloc(64);
		assertEquals(16, f.call(Syscalls.READLINK, f.cString("/proc/self/exe"), buf, 64));
		assertEquals("/opt/guests/prog", f.string(buf, 16));
		assertEquals(4, f.call(Syscalls.READLINKAT, -100, f.cString("/proc/self/exe"), buf, 4), "truncated, no NUL");
		assertEquals(-Errno.ENOENT, f.call(Syscalls.READLINK, f.cString("/proc/self/cwd"), buf, 64));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.READLINK, f.cString("/proc/self/exe"), buf, 0));
		assertEquals(2, f.call(Syscalls.GETCWD, buf, 64));
		assertArrayEquals(new byte[] { '/', 0 }, f.space.copyIn(buf, 2));
		assertEquals(-Errno.ERANGE, f.call(Syscalls.GETCWD, buf, 1));
	}

	@Test
	void aBrokenPipeKillsWithSigpipeUnlessIgnored() {
		OutputSink broken = (fd, data, off, len) -> {
			throw new IOException("Broken pipe");
		};
		try (LinuxFixture g = new LinuxFixture(64, broken)) {
			long s = g.bytes(new byte[] { 'x' });
			assertEquals(-Errno.EPIPE, g.call(Syscalls.WRITE, 1, s, 1));
			assertEquals(128 + Signals.SIGPIPE, g.process.termination().orElseThrow().status());
		}
		try (LinuxFixture g = new LinuxFixture(64, broken)) {
			long act = g.u64s(SignalAction.SIG_IGN, 0, 0, 0);
			assertEquals(0, g.call(Syscalls.RT_SIGACTION, Signals.SIGPIPE, act, 0, 8));
			assertEquals(-Errno.EPIPE, g.call(Syscalls.WRITE, 1, g.bytes(new byte[] { 'x' }), 1));
			assertTrue(g.process.termination().isEmpty());
		}
		OutputSink failing = (fd, data, off, len) -> {
			throw new IOException("No space left on device");
		};
		try (LinuxFixture g = new LinuxFixture(64, failing)) {
			assertEquals(-Errno.EIO, g.call(Syscalls.WRITE, 2, g.bytes(new byte[] { 'x' }), 1));
			assertTrue(g.process.notes().get(0).contains("No space left"), g.process.notes().toString());
		}
	}

	/** Whether the host took the output is an input: the guest sees the answer of the inputs (a replay's). */
	@Test
	void theGuestSeesTheOutputResultTheInputsGive() {
		try (LinuxFixture g = new LinuxFixture()) {
			g.inputs.output = (w, host) -> w.index() == 1 ? -Errno.EPIPE : host;
			assertEquals(1, g.call(Syscalls.WRITE, 1, g.bytes(new byte[] { 'a' }), 1));
			assertEquals(-Errno.EPIPE, g.call(Syscalls.WRITE, 1, g.bytes(new byte[] { 'b' }), 1));
			assertEquals(128 + Signals.SIGPIPE, g.process.termination().orElseThrow().status());
			List<org.insight.vmm.inputs.OutputWrite> asked = g.inputs.asked(org.insight.vmm.inputs.OutputWrite.class);
			assertEquals(List.of(new org.insight.vmm.inputs.OutputWrite(1000, 1, 1, 0),
					new org.insight.vmm.inputs.OutputWrite(1000, 1, 1, 1)), asked);
		}
	}
}
