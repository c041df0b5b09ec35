package org.insight.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CFI table of whole static executables (glibc's and musl's libc included: thousands of FDEs, hand-written
 * assembly among them) against binutils' reading of it, {@code readelf -wF}: every FDE's range, and at every row of
 * every FDE the CFA and the rules of RBP and the return address.
 */
class CallFrameInfoTest {
	private static final Pattern FDE = Pattern.compile("^\\S+ \\S+ \\S+ FDE cie=\\S+ pc=([0-9a-f]+)\\.\\.([0-9a-f]+)$");

	@TempDir
	Path dir;

	@Test
	void glibcStaticAgreesWithReadelf() throws Exception {
		assertTrue(compare(NativeTools.compile(dir, "gcc", "hello", NativeTools.HELLO, "-static", "-O2")) > 1000);
	}

	@Test
	void glibcWithoutFramePointersAgreesWithReadelf() throws Exception {
		assertTrue(compare(NativeTools.compile(dir, "gcc", "hello-nofp", NativeTools.HELLO, "-static", "-O2",
				"-fomit-frame-pointer")) > 1000);
	}

	/** Debian's static musl has CFI for the program's own code and its start files only, not for libc. */
	@Test
	void muslStaticAgreesWithReadelf() throws Exception {
		Path musl = NativeTools.compile(dir, "musl-gcc", "hello-musl", NativeTools.HELLO, "-static", "-O2");
		assertTrue(compare(musl) >= 2);
		ElfImage image = ElfImage.read(musl);
		long main = NativeTools.nmAddress(musl, "main");
		assertEquals("rsp+8", CallFrameInfo.of(image).ruleAt(main).orElseThrow().cfa(), "main is covered");
	}

	/** Compares both sections of {@code binary}; the number of rows compared. */
	private static int compare(Path binary) throws Exception {
		ElfImage image = ElfImage.read(binary);
		String dump = NativeTools.run("readelf", "-wF", binary.toString());
		int debug = dump.indexOf("Contents of the .debug_frame section");
		int rows = compare(binary, CallFrameInfo.parse(image.section(".eh_frame").orElseThrow()),
				debug < 0 ? dump : dump.substring(0, debug));
		if (debug >= 0) {
			rows += compare(binary, CallFrameInfo.parseDebugFrame(image.section(".debug_frame").orElseThrow()),
					dump.substring(debug));
		}
		return rows;
	}

	private static int compare(Path binary, CallFrameInfo cfi, String dump) {
		List<long[]> ranges = new ArrayList<>();
		int rows = 0;
		String[] lines = dump.split("\n");
		for (int i = 0; i < lines.length; i++) {
			Matcher m = FDE.matcher(lines[i].strip());
			if (!m.matches()) {
				continue;
			}
			long start = Long.parseUnsignedLong(m.group(1), 16), end = Long.parseUnsignedLong(m.group(2), 16);
			ranges.add(new long[] { start, end });
			if (i + 1 >= lines.length || !lines[i + 1].strip().startsWith("LOC")) {
				continue; // an FDE without rows of its own: readelf prints none
			}
			List<String> columns = List.of(lines[i + 1].strip().split("\\s+"));
			for (int j = i + 2; j < lines.length && !lines[j].isBlank(); j++) {
				// "r9 (r9)": a register rule, one cell
				String[] cells = lines[j].strip().replaceAll("(r\\d+) \\(\\w+\\)", "$1").split("\\s+");
				long loc = Long.parseUnsignedLong(cells[0], 16);
				FrameRule rule = cfi.ruleAt(loc).orElseThrow(() -> new AssertionError("no rule at " + Long
						.toHexString(loc) + " in " + binary));
				String where = binary.getFileName() + " at 0x" + Long.toHexString(loc) + ": " + lines[j].strip();
				String cfa = cells[columns.indexOf("CFA")];
				assertEquals(cfa.matches("r[sb]p\\+\\d+") ? cfa : "?", rule.cfa(), "CFA, " + where);
				int ra = columns.indexOf("ra");
				if (ra >= 0) {
					assertEquals(readelfRule(cells[ra], "u"), rule.ra().toString(), "ra, " + where);
				}
				int rbp = columns.indexOf("rbp");
				assertEquals(rbp >= 0 ? readelfRule(cells[rbp], "s") : "s", rule.rbp().toString(), "rbp, " + where);
				rows++;
			}
		}
		assertEquals(ranges.size(), cfi.size(), "FDE count of " + binary);
		ranges.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
		List<long[]> ours = cfi.ranges();
		for (int k = 0; k < ranges.size(); k++) {
			assertEquals(ranges.get(k)[0], ours.get(k)[0], "FDE " + k + " start");
			assertEquals(ranges.get(k)[1], ours.get(k)[1], "FDE " + k + " end");
		}
		return rows;
	}

	/** readelf's cell as {@link FrameRule.Saved#toString()} prints it; "u" is {@code undefined} for that column. */
	private static String readelfRule(String cell, String undefined) {
		if (cell.equals("u")) {
			return undefined;
		}
		if (cell.matches("c[+-]\\d+")) {
			return cell;
		}
		return cell.equals("s") ? "s" : "?"; // exp, vexp, rNN: not followed
	}

	/** Any bytes: parsing never throws, and every lookup answers or is empty. */
	@Test
	void garbageNeverThrows() {
		Random r = new Random(7);
		for (int n = 0; n < 2000; n++) {
			byte[] b = new byte[r.nextInt(200)];
			r.nextBytes(b);
			if (b.length > 8 && r.nextBoolean()) {
				b[0] = (byte) (b.length - 4); // a plausible first length
				b[1] = b[2] = b[3] = 0;
			}
			CallFrameInfo cfi = CallFrameInfo.parse(new ElfSection(".eh_frame", 0x1000, b));
			for (int k = 0; k < 20; k++) {
				cfi.ruleAt(r.nextInt(0x3000));
			}
		}
	}
}
