package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.insight.kvm.Regs;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.PipeBuffer;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.sched.Decision;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pipes, dup and fcntl between threads of the fixture (no KVM): blocking, wakes, EOF, EPIPE, O_NONBLOCK. */
class PipeCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	/** pipe2(flags): {read fd, write fd}. */
	private int[] pipe(int flags) {
		long fds = f.alloc(8);
		assertEquals(0, f.call(Syscalls.PIPE2, fds, flags));
		return new int[] { f.space.readU32(fds), f.space.readU32(fds + 4) };
	}

	/** A fresh read-write mapping of a pipe's capacity. */
	private long big() {
		return f.space.mmap(0, PipeBuffer.CAPACITY, Mman.PROT_READ | Mman.PROT_WRITE,
				Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
	}

	private long text(String s) {
		return f.bytes(s.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void bytesGoThroughInOrderAndEofFollowsTheLastWriterClosing() {
		int[] p = pipe(0);
		assertEquals(3, p[0]);
		assertEquals(4, p[1]);
		assertEquals(5, f.call(Syscalls.WRITE, p[1], text("hello"), 5));
		assertEquals(6, f.call(Syscalls.WRITE, p[1], text(" world"), 6));
		long buf = f.alloc(64);
		assertEquals(8, f.call(Syscalls.READ, p[0], buf, 8));
		assertEquals("hello wo", f.string(buf, 8));
		assertEquals(3, f.call(Syscalls.READ, p[0], buf, 64));
		assertEquals(-Errno.EBADF, f.call(Syscalls.WRITE, p[0], buf, 1), "the read end is not writable");
		assertEquals(-Errno.EBADF, f.call(Syscalls.READ, p[1], buf, 1));
		assertEquals(0, f.call(Syscalls.CLOSE, p[1]));
		assertEquals(0, f.call(Syscalls.READ, p[0], buf, 64), "end of file");
		assertEquals(-Errno.EBADF, f.call(Syscalls.CLOSE, p[1]));
	}

	@Test
	void aReaderBlocksUntilAWriteAndGetsItsBytesInRax() {
		int[] p = pipe(0);
		GuestThread reader = f.scheduler.spawn(new Regs(), null, 0);
		long buf = f.alloc(16);
		assertEquals(0, f.callAs(reader, Syscalls.READ, p[0], buf, 16));
		assertEquals(ThreadState.IO_WAIT, reader.state());
		assertEquals(3, f.call(Syscalls.WRITE, p[1], text("abc"), 3));
		assertEquals(ThreadState.RUNNABLE, reader.state());
		assertEquals(3, reader.regs().rax);
		assertEquals("abc", f.string(buf, 3));
		// Blocked again, then the last writer goes: end of file.
		assertEquals(0, f.callAs(reader, Syscalls.READ, p[0], buf, 16));
		assertEquals(0, f.call(Syscalls.CLOSE, p[1]));
		assertEquals(ThreadState.RUNNABLE, reader.state());
		assertEquals(0, reader.regs().rax);
	}

	@Test
	void aThreadBlockedOnAPipeForeverIsADeadlock() {
		int[] p = pipe(0);
		assertEquals(0, f.call(Syscalls.READ, p[0], f.alloc(8), 8));
		Decision d = f.scheduler.afterSyscall(Syscalls.READ, new long[6]);
		Decision.Deadlocked dl = assertInstanceOf(Decision.Deadlocked.class, d);
		assertEquals(1, dl.blocked().size());
		assertEquals("read(3: pipe 1 (read end))", dl.blocked().get(0).ioWait().describe());
	}

	@Test
	void aFullPipeBlocksTheWriterUntilAReaderMakesRoomAndSmallWritesAreNeverSplit() {
		int[] p = pipe(0);
		long big = big();
		assertEquals(PipeBuffer.CAPACITY - 100, f.call(Syscalls.WRITE, p[1], big, PipeBuffer.CAPACITY - 100));
		GuestThread writer = f.scheduler.spawn(new Regs(), null, 0);
		assertEquals(0, f.callAs(writer, Syscalls.WRITE, p[1], text("x".repeat(200)), 200));
		assertEquals(ThreadState.IO_WAIT, writer.state(), "200 <= PIPE_BUF bytes wait for room for all of them");
		long buf = f.alloc(64);
		assertEquals(50, f.call(Syscalls.READ, p[0], buf, 50));
		assertEquals(ThreadState.IO_WAIT, writer.state(), "room for 150 only");
		assertEquals(50, f.call(Syscalls.READ, p[0], buf, 50));
		assertEquals(ThreadState.RUNNABLE, writer.state());
		assertEquals(200, writer.regs().rax);
		assertEquals(PipeBuffer.CAPACITY, f.call(Syscalls.FCNTL, p[1], DescriptorCalls.F_GETPIPE_SZ));
	}

	@Test
	void nonBlockingEndsSayEagain() {
		int[] p = pipe(OpenFile.O_NONBLOCK | OpenFile.O_CLOEXEC);
		assertEquals(-Errno.EAGAIN, f.call(Syscalls.READ, p[0], f.alloc(8), 8));
		assertEquals(OpenFile.O_RDONLY | OpenFile.O_NONBLOCK, f.call(Syscalls.FCNTL, p[0], DescriptorCalls.F_GETFL));
		assertEquals(DescriptorCalls.FD_CLOEXEC, f.call(Syscalls.FCNTL, p[0], DescriptorCalls.F_GETFD));
		long big = big();
		assertEquals(PipeBuffer.CAPACITY, f.call(Syscalls.WRITE, p[1], big, PipeBuffer.CAPACITY));
		assertEquals(-Errno.EAGAIN, f.call(Syscalls.WRITE, p[1], big, 1));
		assertEquals(0, f.call(Syscalls.FCNTL, p[1], DescriptorCalls.F_SETFL, 0));
		assertEquals(OpenFile.O_WRONLY, f.call(Syscalls.FCNTL, p[1], DescriptorCalls.F_GETFL));
		assertEquals(0, f.call(Syscalls.FCNTL, p[1], DescriptorCalls.F_SETFD, 0));
		assertEquals(0, f.call(Syscalls.FCNTL, p[1], DescriptorCalls.F_GETFD));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.PIPE2, f.alloc(8), 040000), "O_DIRECT: packet mode");
	}

	@Test
	void aWriteWithoutReadersIsEpipeAndSigpipeKillsUnlessIgnored() {
		int[] p = pipe(0);
		assertEquals(0, f.call(Syscalls.CLOSE, p[0]));
		long act = f.u64s(SignalAction.SIG_IGN, 0, 0, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGPIPE, act, 0, 8));
		assertEquals(-Errno.EPIPE, f.call(Syscalls.WRITE, p[1], text("x"), 1));
		assertTrue(f.process.termination().isEmpty());
		long dfl = f.u64s(SignalAction.SIG_DFL, 0, 0, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGPIPE, dfl, 0, 8));
		assertEquals(-Errno.EPIPE, f.call(Syscalls.WRITE, p[1], text("x"), 1));
		assertEquals(128 + Signals.SIGPIPE, f.process.termination().orElseThrow().status());
	}

	@Test
	void dupsShareTheDescriptionAndADupOfStdoutWritesToTheOutput() {
		assertEquals(3, f.call(Syscalls.DUP, 1));
		assertEquals(2, f.call(Syscalls.WRITE, 3, text("a\n"), 2));
		assertEquals(9, f.call(Syscalls.DUP2, 1, 9));
		assertEquals(9, f.call(Syscalls.DUP2, 9, 9));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.DUP3, 9, 9, 0));
		assertEquals(-Errno.EBADF, f.call(Syscalls.DUP2, 7, 8));
		assertEquals(-Errno.EBADF, f.call(Syscalls.DUP2, 1, 5000), "beyond RLIMIT_NOFILE");
		assertEquals(5, f.call(Syscalls.FCNTL, 1, DescriptorCalls.F_DUPFD, 5));
		assertEquals(6, f.call(Syscalls.FCNTL, 1, DescriptorCalls.F_DUPFD_CLOEXEC, 5));
		assertEquals(DescriptorCalls.FD_CLOEXEC, f.call(Syscalls.FCNTL, 6, DescriptorCalls.F_GETFD));
		int[] p = pipe(0);
		assertEquals(4, p[0], "the lowest free numbers");
		assertEquals(7, p[1]);
		assertEquals(1, f.call(Syscalls.DUP3, p[1], 1, OpenFile.O_CLOEXEC));
		assertEquals(3, f.call(Syscalls.WRITE, 1, text("b\n"), 3), "fd 1 is now the pipe");
		assertEquals(2, f.call(Syscalls.WRITE, 9, text("c\n"), 2), "fd 9 is still stdout");
		assertEquals("a\nc\n", f.out.stdoutText());
		long st = f.alloc(FileCalls.STAT_SIZE);
		assertEquals(0, f.call(Syscalls.FSTAT, p[0], st));
		assertEquals(OpenFile.FIFO_MODE, f.space.readU32(st + 24));
	}

	@Test
	void eventfdCountsAndBlocksReadersAtZero() {
		int fd = (int) f.call(Syscalls.EVENTFD2, 2, DescriptorCalls.EFD_SEMAPHORE);
		assertEquals(3, fd);
		long v = f.alloc(8);
		assertEquals(8, f.call(Syscalls.READ, fd, v, 8));
		assertEquals(1, f.space.readU64(v), "semaphore mode takes 1");
		assertEquals(8, f.call(Syscalls.READ, fd, v, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.READ, fd, v, 4));
		GuestThread reader = f.scheduler.spawn(new Regs(), null, 0);
		long rv = f.alloc(8);
		assertEquals(0, f.callAs(reader, Syscalls.READ, fd, rv, 8));
		assertEquals(ThreadState.IO_WAIT, reader.state());
		assertEquals(8, f.call(Syscalls.WRITE, fd, f.u64s(5), 8));
		assertEquals(ThreadState.RUNNABLE, reader.state());
		assertEquals(8, reader.regs().rax);
		assertEquals(1, f.space.readU64(rv));
		int counter = (int) f.call(Syscalls.EVENTFD2, 0, OpenFile.O_NONBLOCK);
		assertEquals(-Errno.EAGAIN, f.call(Syscalls.READ, counter, v, 8));
		assertEquals(8, f.call(Syscalls.WRITE, counter, f.u64s(3), 8));
		assertEquals(8, f.call(Syscalls.WRITE, counter, f.u64s(4), 8));
		assertEquals(8, f.call(Syscalls.READ, counter, v, 8));
		assertEquals(7, f.space.readU64(v), "the whole count");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WRITE, counter, f.u64s(-1), 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.EVENTFD2, 0, 0x10));
		long st = f.alloc(FileCalls.STAT_SIZE);
		assertEquals(0, f.call(Syscalls.FSTAT, counter, st));
		assertEquals(OpenFile.ANON_MODE, f.space.readU32(st + 24));
	}

	// ---------------------------------------------------------------- poll

	/** A pollfd array of {fd, events} pairs. */
	private long pollfds(int... fdEvents) {
		long at = f.alloc(4 * fdEvents.length);
		for (int i = 0; i < fdEvents.length; i += 2) {
			f.space.writeU32(at + 4L * i, fdEvents[i]);
			f.space.writeU32(at + 4L * i + 4, fdEvents[i + 1] & 0xffff);
		}
		return at;
	}

	private int revents(long fds, int i) {
		return f.space.readU32(fds + 8L * i + 4) >>> 16;
	}

	@Test
	void pollSaysWhatIsReadyAndWaitsUntilSomethingIs() {
		int[] a = pipe(0);
		int[] b = pipe(0);
		long fds = pollfds(a[0], PollCalls.POLLIN, b[0], PollCalls.POLLIN, 1, PollCalls.POLLOUT, 99,
				PollCalls.POLLIN, -1, PollCalls.POLLIN);
		assertEquals(2, f.call(Syscalls.POLL, fds, 5, 0), "stdout is writable; fd 99 is not open");
		assertEquals(0, revents(fds, 0));
		assertEquals(PollCalls.POLLOUT, revents(fds, 2));
		assertEquals(PollCalls.POLLNVAL, revents(fds, 3));
		long two = pollfds(a[0], PollCalls.POLLIN, b[0], PollCalls.POLLIN);
		assertEquals(0, f.call(Syscalls.POLL, two, 2, 0));
		GuestThread poller = f.scheduler.spawn(new Regs(), null, 0);
		assertEquals(0, f.callAs(poller, Syscalls.POLL, two, 2, -1));
		assertEquals(ThreadState.IO_WAIT, poller.state());
		assertEquals(1, f.call(Syscalls.WRITE, b[1], text("z"), 1));
		assertEquals(ThreadState.RUNNABLE, poller.state());
		assertEquals(1, poller.regs().rax);
		assertEquals(PollCalls.POLLIN, revents(two, 1));
		assertEquals(0, f.call(Syscalls.CLOSE, a[1]));
		assertEquals(2, f.call(Syscalls.POLL, two, 2, 0));
		assertEquals(PollCalls.POLLHUP, revents(two, 0), "the write end is gone");
	}

	@Test
	void aPollTimeoutIsADeadlineOnTheMonotonicClock() {
		int[] a = pipe(0);
		f.inputs.monotonic = 1_000;
		long fds = pollfds(a[0], PollCalls.POLLIN);
		assertEquals(0, f.call(Syscalls.POLL, fds, 1, 30));
		assertEquals(ThreadState.IO_WAIT, f.main().state());
		assertEquals(30_000_000L + 1_000, f.main().deadline());
		GuestThread other = f.scheduler.spawn(new Regs(), null, 0);
		f.scheduler.afterSyscall(Syscalls.POLL, new long[6]);
		f.inputs.monotonic = 30_001_000L;
		f.scheduler.afterSyscall(Syscalls.GETPID, new long[6]);
		assertEquals(ThreadState.RUNNABLE, f.main().state());
		assertEquals(0, f.main().regs().rax, "timed out: nothing ready");
		assertTrue(other.isAlive());
		assertEquals(1, f.call(Syscalls.WRITE, a[1], text("q"), 1));
		long ts = f.u64s(0, 0);
		assertEquals(1, f.call(Syscalls.PPOLL, fds, 1, ts, 0, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.PPOLL, fds, 1, ts, f.u64s(0), 16));
	}

	@Test
	void selectSetsTheReadyBitsAndWaitsLikePoll() {
		int[] a = pipe(0);
		int[] b = pipe(0);
		long read = f.u64s((1L << a[0]) | (1L << b[0]));
		long write = f.u64s(1L << b[1]);
		assertEquals(1, f.call(Syscalls.SELECT, 8, read, write, 0, f.u64s(0, 0)), "only b's write end is ready");
		assertEquals(0, f.space.readU64(read));
		assertEquals(1L << b[1], f.space.readU64(write));
		assertEquals(-Errno.EBADF, f.call(Syscalls.SELECT, 10, f.u64s(1L << 9), 0, 0, 0));
		GuestThread selector = f.scheduler.spawn(new Regs(), null, 0);
		long set = f.u64s((1L << a[0]) | (1L << b[0]));
		assertEquals(0, f.callAs(selector, Syscalls.PSELECT6, 8, set, 0, 0, 0, 0));
		assertEquals(ThreadState.IO_WAIT, selector.state());
		assertEquals(1, f.call(Syscalls.WRITE, a[1], text("!"), 1));
		assertEquals(ThreadState.RUNNABLE, selector.state());
		assertEquals(1, selector.regs().rax);
		assertEquals(1L << a[0], f.space.readU64(set));
	}

	@Test
	void epollReportsReadyFilesInTheOrderAddedAndWaitsForThem() {
		int[] a = pipe(0);
		int[] b = pipe(0);
		int ep = (int) f.call(Syscalls.EPOLL_CREATE1, OpenFile.O_CLOEXEC);
		assertEquals(7, ep);
		long ev = f.alloc(EpollCalls.EVENT_SIZE);
		f.space.writeU32(ev, PollCalls.POLLIN);
		f.space.writeU64(ev + 4, 0xa0);
		assertEquals(0, f.call(Syscalls.EPOLL_CTL, ep, EpollCalls.EPOLL_CTL_ADD, a[0], ev));
		assertEquals(-Errno.EEXIST, f.call(Syscalls.EPOLL_CTL, ep, EpollCalls.EPOLL_CTL_ADD, a[0], ev));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.EPOLL_CTL, ep, EpollCalls.EPOLL_CTL_ADD, ep, ev));
		assertEquals(-Errno.ENOENT, f.call(Syscalls.EPOLL_CTL, ep, EpollCalls.EPOLL_CTL_DEL, b[0], 0));
		long out = f.alloc(4 * EpollCalls.EVENT_SIZE);
		assertEquals(0, f.call(Syscalls.EPOLL_WAIT, ep, out, 4, 0));
		GuestThread waiter = f.scheduler.spawn(new Regs(), null, 0);
		assertEquals(0, f.callAs(waiter, Syscalls.EPOLL_WAIT, ep, out, 4, -1));
		assertEquals(ThreadState.IO_WAIT, waiter.state());
		f.space.writeU32(ev, PollCalls.POLLIN | EpollCalls.EPOLLONESHOT);
		f.space.writeU64(ev + 4, 0xb0);
		assertEquals(0, f.call(Syscalls.EPOLL_CTL, ep, EpollCalls.EPOLL_CTL_ADD, b[0], ev), "added while it waits");
		assertEquals(1, f.call(Syscalls.WRITE, b[1], text("b"), 1));
		assertEquals(ThreadState.RUNNABLE, waiter.state(), "woken through the file added after it began to wait");
		assertEquals(1, waiter.regs().rax);
		assertEquals(PollCalls.POLLIN, f.space.readU32(out));
		assertEquals(0xb0, f.space.readU64(out + 4));
		assertEquals(1, f.call(Syscalls.WRITE, a[1], text("a"), 1));
		assertEquals(1, f.call(Syscalls.EPOLL_WAIT, ep, out, 4, 0), "b is one-shot: reported once");
		assertEquals(0xa0, f.space.readU64(out + 4));
		assertEquals(0, f.call(Syscalls.CLOSE, a[0]));
		assertEquals(0, f.call(Syscalls.EPOLL_WAIT, ep, out, 4, 0), "closing a file drops it from the set");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.READ, ep, out, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.EPOLL_WAIT, ep, out, 0, 0));
	}
}
