package org.insight.symbols;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The call frame information of an executable's {@code .eh_frame} (the DWARF CFI that gcc emits by default on x86-64,
 * {@code -fasynchronous-unwind-tables}): for any code address, where the caller's frame is ({@link FrameRule}). A
 * stack unwinds exactly with it, with or without frame pointers, as gdb, perf and libunwind do.
 * <p>
 * Written by hand: no maintained Java library reads {@code .eh_frame} (CDT's DWARF reader covers {@code .debug_*}
 * sections, not CFI). The format is the LSB's ("Exception Frames") over DWARF 4 section 6.4. The section is untrusted
 * (it comes with the guest): every length and offset is checked against the section, and an entry that does not parse
 * is skipped, never trusted. {@link #parse} never throws for bad contents.
 */
public final class CallFrameInfo {
	/** Entries read at most: a static glibc program has about 2,000. */
	static final int MAX_ENTRIES = 1 << 20;

	/** A CIE: what its FDEs share. */
	record Cie(long codeAlign, long dataAlign, int raRegister, int fdeEncoding, boolean signalFrame, boolean augmented,
			int initialStart, int initialEnd) {
	}

	/** An FDE: the code range [start, end) and its CFA program (in its section's bytes), after its CIE's initial one. */
	record Fde(long start, long end, Cie cie, ByteBuffer data, long sectionAddress, int programStart, int programEnd) {
	}

	private final List<Fde> fdes;

	private CallFrameInfo(List<Fde> fdes) {
		this.fdes = fdes;
	}

	/** No information: every address has no rule. */
	public static CallFrameInfo none() {
		return new CallFrameInfo(List.of());
	}

	/**
	 * The {@code .eh_frame} of {@code image}, and its {@code .debug_frame} for the code the first does not cover (musl's
	 * static libc has its CFI there only); {@link #none()} when it has neither.
	 */
	public static CallFrameInfo of(ElfImage image) {
		List<Fde> all = new ArrayList<>();
		image.section(".eh_frame").ifPresent(s -> read(s, false, all));
		List<Fde> debug = new ArrayList<>();
		image.section(".debug_frame").ifPresent(s -> read(s, true, debug));
		CallFrameInfo eh = sorted(all);
		for (Fde f : debug) {
			if (eh.find(f.start()) == null) {
				all.add(f);
			}
		}
		return sorted(all);
	}

	/** Reads the entries of an {@code .eh_frame} section; entries that do not parse are left out. */
	public static CallFrameInfo parse(ElfSection section) {
		List<Fde> fdes = new ArrayList<>();
		read(section, false, fdes);
		return sorted(fdes);
	}

	/** Reads a {@code .debug_frame} section (DWARF's own CFI: other CIE ids, absolute addresses). */
	public static CallFrameInfo parseDebugFrame(ElfSection section) {
		List<Fde> fdes = new ArrayList<>();
		read(section, true, fdes);
		return sorted(fdes);
	}

	private static CallFrameInfo sorted(List<Fde> fdes) {
		List<Fde> copy = new ArrayList<>(fdes);
		copy.sort(Comparator.comparingLong(Fde::start));
		return new CallFrameInfo(List.copyOf(copy));
	}

	private static void read(ElfSection section, boolean debugFrame, List<Fde> fdes) {
		ByteBuffer d = ByteBuffer.wrap(section.bytes()).order(ByteOrder.LITTLE_ENDIAN);
		Map<Integer, Cie> cies = new HashMap<>();
		int at = 0;
		for (int n = 0; n < MAX_ENTRIES && at + 4 <= d.limit(); n++) {
			long length = d.getInt(at) & 0xffff_ffffL;
			int header = 4;
			if (length == 0) {
				break; // the terminator
			}
			if (length == 0xffff_ffffL) {
				if (at + 12 > d.limit()) {
					break;
				}
				length = d.getLong(at + 4);
				header = 12;
			}
			int body = at + header;
			if (length < 4 || length > d.limit() - body) {
				break; // a length past the section: nothing after it can be found
			}
			int end = (int) (body + length);
			long id = d.getInt(body) & 0xffff_ffffL;
			try {
				if (id == (debugFrame ? 0xffff_ffffL : 0)) {
					cies.put(at, cie(d, body + 4, end, debugFrame));
				} else {
					// .eh_frame: the CIE is that far back from this field; .debug_frame: at that section offset
					long ciePos = debugFrame ? id : body - id;
					Cie cie = ciePos >= 0 && ciePos < d.limit()
							? cies.computeIfAbsent((int) ciePos, p -> cieAt(d, p, debugFrame)) : null;
					if (cie != null) {
						fde(d, section.address(), body + 4, end, cie, fdes);
					}
				}
			} catch (RuntimeException malformed) {
				// one entry that does not parse (CfiReader checks every read): left out, the others stand
			}
			at = end;
		}
	}

	private static Cie cieAt(ByteBuffer d, int at, boolean debugFrame) {
		try {
			long length = d.getInt(at) & 0xffff_ffffL;
			if (length < 4 || length == 0xffff_ffffL || length > d.limit() - at - 4
					|| d.getInt(at + 4) != (debugFrame ? -1 : 0)) {
				return null;
			}
			return cie(d, at + 8, (int) (at + 4 + length), debugFrame);
		} catch (RuntimeException malformed) {
			return null;
		}
	}

	private static Cie cie(ByteBuffer d, int at, int end, boolean debugFrame) {
		CfiReader r = new CfiReader(d, at, end);
		int version = r.u8();
		if (version != 1 && version != 3 && version != 4) {
			throw new IllegalArgumentException("CIE version " + version);
		}
		String augmentation = r.cString();
		if (version == 4) {
			r.u8(); // address size
			r.u8(); // segment selector size
		}
		if (augmentation.contains("eh")) {
			r.skip(8);
		}
		long codeAlign = r.uleb();
		long dataAlign = r.sleb();
		int raRegister = version == 1 ? r.u8() : (int) r.uleb();
		int fdeEncoding = CfiReader.DW_EH_PE_ABSPTR; // .debug_frame's addresses are absolute, 8 bytes here
		boolean signal = false;
		if (augmentation.startsWith("z")) {
			long augLength = r.uleb();
			int augEnd = r.position() + (int) Math.min(augLength, end - r.position());
			for (char c : augmentation.substring(1).toCharArray()) {
				switch (c) {
				case 'R' -> fdeEncoding = r.u8();
				case 'P' -> r.encoded(r.u8(), 0);
				case 'L' -> r.u8();
				case 'S' -> signal = true;
				default -> {
				} // 'B' and others: their data is skipped below
				}
			}
			r.seek(augEnd);
		} else if (!augmentation.isEmpty()) {
			throw new IllegalArgumentException("augmentation " + augmentation + " without 'z'");
		}
		return new Cie(codeAlign, dataAlign, raRegister, fdeEncoding, signal, augmentation.startsWith("z"),
				r.position(), end);
	}

	private static void fde(ByteBuffer d, long sectionAddress, int at, int end, Cie cie, List<Fde> out) {
		CfiReader r = new CfiReader(d, at, end);
		long start = r.encoded(cie.fdeEncoding(), sectionAddress);
		long range = r.encoded(cie.fdeEncoding() & 0x0f, 0);
		if (cie.augmented()) {
			long augLength = r.uleb();
			r.seek(r.position() + (int) Math.min(augLength, end - r.position()));
		}
		if (range > 0 && start + range > start) {
			out.add(new Fde(start, start + range, cie, d, sectionAddress, r.position(), end));
		}
	}

	/** How many FDEs were read. */
	public int size() {
		return fdes.size();
	}

	/** The rule in force at {@code pc} (a link-time address), or empty where no FDE covers it. */
	public Optional<FrameRule> ruleAt(long pc) {
		Fde f = find(pc);
		if (f == null) {
			return Optional.empty();
		}
		try {
			return Optional.of(CfaProgram.run(f.data(), f.sectionAddress(), f, pc));
		} catch (RuntimeException malformed) {
			return Optional.empty();
		}
	}

	/** The FDE that covers {@code pc}, or null. */
	private Fde find(long pc) {
		int lo = 0, hi = fdes.size() - 1, found = -1;
		while (lo <= hi) {
			int mid = (lo + hi) >>> 1;
			if (fdes.get(mid).start() <= pc) {
				found = mid;
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		// FDEs do not overlap in gcc's output; look back a few in case one does
		for (int i = found; i >= 0 && i > found - 4; i--) {
			Fde f = fdes.get(i);
			if (pc >= f.start() && pc < f.end()) {
				return f;
			}
		}
		return null;
	}

	/** The code ranges covered, for tests: start and end of each FDE, in address order. */
	List<long[]> ranges() {
		return fdes.stream().map(f -> new long[] { f.start(), f.end() }).toList();
	}
}
