package org.insight.vmm.linux.fd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class PipeBufferTest {
	@Test
	void bytesComeOutInOrderAcrossTheRingsWrapAndGrowth() {
		PipeBuffer b = new PipeBuffer();
		byte[] in = new byte[2 * PipeBuffer.CAPACITY];
		for (int i = 0; i < in.length; i++) {
			in[i] = (byte) (i * 7);
		}
		assertEquals(3000, b.write(in, 0, 3000));
		byte[] out = new byte[in.length];
		assertEquals(2000, b.read(out, 0, 2000));
		assertEquals(PipeBuffer.CAPACITY - 1000, b.write(in, 3000, in.length - 3000), "only what fits");
		assertEquals(0, b.space());
		assertEquals(0, b.write(in, 0, 1));
		assertEquals(PipeBuffer.CAPACITY, b.read(out, 2000, out.length - 2000));
		assertArrayEquals(Arrays.copyOf(in, PipeBuffer.CAPACITY + 2000), Arrays.copyOf(out, PipeBuffer.CAPACITY + 2000));
		assertEquals(0, b.available());
		assertEquals(0, b.read(out, 0, 10));
	}

	@Test
	void anEventFdCountsUpToTwoToTheSixtyFourMinusTwo() {
		EventFd e = new EventFd(1, 5, false, 0);
		assertEquals(5, e.take());
		assertEquals(0, e.count());
		e.add(EventFd.MAX);
		assertEquals(false, e.canAdd(1));
		EventFd s = new EventFd(2, 3, true, OpenFile.O_NONBLOCK);
		assertEquals(1, s.take());
		assertEquals(2, s.count());
		assertEquals(OpenFile.O_RDWR | OpenFile.O_NONBLOCK, s.statusFlags());
	}
}
