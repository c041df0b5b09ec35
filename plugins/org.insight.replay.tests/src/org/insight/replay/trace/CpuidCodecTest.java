package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header's guest-CPUID field: round trip through a trace, absence, and every damage refused with a message. */
class CpuidCodecTest {
	@TempDir
	Path dir;

	/** Values that need the full 32 bits, a significant index, and a leaf above 2^31. */
	static final Cpuid TABLE = new Cpuid(List.of(new Cpuid.Entry(0x0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65),
			new Cpuid.Entry(0x7, 0, Cpuid.FLAG_SIGNIFICANT_INDEX, 1, 0xf1bf_07ab, 0x0040_069c, 0xffff_ffff),
			new Cpuid.Entry(0x8000_0001, 0, 0, 0x00a1_0f11, 0, 0x75c2_37ff, 0x2fd3_fbff)));

	private static byte[] encode(Optional<Cpuid> c) {
		FieldWriter w = new FieldWriter(64);
		CpuidCodec.encode(c, w);
		return w.toByteArray();
	}

	@Test
	void aTableRoundTripsThroughATraceAndInfoDescribesIt() throws IOException {
		TraceHeader h = TraceFixtures.header();
		TraceHeader with = new TraceHeader(h.recordedAt(), h.program(), h.config().withGuestCpuid(Optional.of(TABLE)),
				h.hostCpu());
		Path p = TraceFixtures.write(dir.resolve("cpuid.insight"), with, TraceFixtures.everyKind(),
				TraceFixtures.blocksOf(4));
		try (TraceReader r = TraceReader.open(p)) {
			assertEquals(with, r.header());
			assertEquals(Optional.of(TABLE), r.header().config().guestCpuid());
		}
		String info = String.join("\n", TraceInfo.read(p).lines());
		assertTrue(info.contains("recorded, 3 entries, vendor AuthenticAMD, highest leaf 0x10"), info);
	}

	@Test
	void absenceIsOneByteAndDecodesEmpty() {
		byte[] raw = encode(Optional.empty());
		assertEquals(1, raw.length);
		assertEquals(Optional.empty(), CpuidCodec.decode(new FieldReader(raw)));
	}

	@Test
	void everyTruncationIsRefusedWithAMessage() {
		byte[] raw = encode(Optional.of(TABLE));
		for (int n = 0; n < raw.length; n++) {
			byte[] cut = Arrays.copyOf(raw, n);
			MalformedFieldException e = assertThrows(MalformedFieldException.class,
					() -> CpuidCodec.decode(new FieldReader(cut)), "cut at " + n);
			assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
		}
		assertEquals(Optional.of(TABLE), CpuidCodec.decode(new FieldReader(raw)));
	}

	@Test
	void countsAndValuesOutOfRangeAreNamed() {
		byte[] tooMany = { 1, (byte) 0x81, 0x02 }; // present, 257 entries
		MalformedFieldException e = assertThrows(MalformedFieldException.class,
				() -> CpuidCodec.decode(new FieldReader(tooMany)));
		assertTrue(e.getMessage().contains("guest CPUID entry count 257 out of range 0..256"), e.getMessage());
		byte[] wide = { 1, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10 }; // 2^32 as the function
		e = assertThrows(MalformedFieldException.class, () -> CpuidCodec.decode(new FieldReader(wide)));
		assertTrue(e.getMessage().contains("guest CPUID entry 0 value 4294967296 does not fit 32 bits"), e.getMessage());
		byte[] badFlag = { 2 };
		assertThrows(MalformedFieldException.class, () -> CpuidCodec.decode(new FieldReader(badFlag)));
	}
}
