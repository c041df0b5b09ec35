package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.insight.core.ElfCheck;
import org.insight.core.InsightCore;
import org.insight.core.Machine;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.launch.RecordMainTab;
import org.insight.ui.launch.RecordingTab;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.Test;

/** The Main and Recording tabs' messages: what cannot be recorded is an error, a missing /dev/kvm a warning. */
public class LaunchTabValidationTest {

	@Test
	public void elfCheckTellsStaticFromDynamicAndFromNonElf() throws Exception {
		Path guests = Path.of(System.getProperty("insight.guests", ""));
		assertEquals(ElfCheck.Verdict.OK, ElfCheck.check(guests.resolve("musl/philosophers")));
		assertEquals(ElfCheck.Verdict.OK, ElfCheck.check(guests.resolve("glibc/philosophers")));
		Path text = Files.createTempFile("insight-not-elf", ".c");
		Files.writeString(text, "int main(void) { return 0; }\n");
		assertEquals(ElfCheck.Verdict.NOT_ELF, ElfCheck.check(text));
		assertEquals(ElfCheck.Verdict.DYNAMIC, ElfCheck.check(Path.of("/bin/sh").toRealPath()));
		assertEquals(ElfCheck.Verdict.NO_INTERPRETER, ElfCheck.check(builtElsewhere()));
		assertEquals(ElfCheck.Verdict.MISSING, ElfCheck.check(text.resolveSibling("no-such-program")));
		Files.delete(text);
	}

	/** /bin/sh with its PT_INTERP renamed to an interpreter no host has: a program built on another system. */
	static Path builtElsewhere() throws Exception {
		byte[] sh = Files.readAllBytes(Path.of("/bin/sh").toRealPath());
		String text = new String(sh, java.nio.charset.StandardCharsets.ISO_8859_1);
		int at = text.indexOf("/lib64/ld-linux-x86-64.so.2");
		assertTrue(at > 0, "/bin/sh names glibc's interpreter");
		sh[at + "/lib64/ld-linux-x86-64.so.".length()] = '9';
		Path copy = Files.createTempFile("insight-elsewhere", "");
		Files.write(copy, sh);
		copy.toFile().deleteOnExit();
		return copy;
	}

	@Test
	public void mainTabNamesWhatIsWrongAndWarnsWithoutKvm() throws Exception {
		Path elsewhere = builtElsewhere();
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.RECORD_TYPE).newInstance(null, "validation");
		Shell shell = new Shell();
		try {
			RecordMainTab main = new RecordMainTab();
			main.createControl(shell);
			assertTrue(!main.isValid(wc));
			assertTrue(main.getErrorMessage().startsWith("No program"), main.getErrorMessage());
			wc.setAttribute(LaunchAttributes.PROGRAM, Path.of("/bin/sh").toRealPath().toString());
			assertTrue(main.isValid(wc), "a dynamic program whose interpreter is here: " + main.getErrorMessage());
			wc.setAttribute(LaunchAttributes.PROGRAM, elsewhere.toString());
			assertTrue(!main.isValid(wc));
			assertTrue(main.getErrorMessage().contains("interpreter (PT_INTERP) is not on this host"),
					main.getErrorMessage());
			wc.setAttribute(LaunchAttributes.PROGRAM,
					Path.of(System.getProperty("insight.guests", ""), "musl", "philosophers").toString());
			wc.setAttribute(LaunchAttributes.MACHINE, Machine.AUTO.option());
			assertTrue(main.isValid(wc), main.getErrorMessage());
			assertNull(main.getErrorMessage());
			if (Machine.kvmMissingReason() != null) {
				assertTrue(main.getWarningMessage().contains("--vm nested"), main.getWarningMessage());
			} else {
				assertNull(main.getWarningMessage());
			}
			wc.setAttribute(LaunchAttributes.MACHINE, Machine.NESTED.option());
			assertTrue(main.isValid(wc));
			assertNull(main.getWarningMessage());

			RecordingTab recording = new RecordingTab();
			recording.createControl(shell);
			assertTrue(!recording.isValid(wc));
			assertTrue(recording.getErrorMessage().startsWith("No recording file"), recording.getErrorMessage());
			wc.setAttribute(LaunchAttributes.TRACE, "/tmp/x.insight");
			wc.setAttribute(LaunchAttributes.MEMORY, "lots");
			assertTrue(!recording.isValid(wc));
			assertTrue(recording.getErrorMessage().contains("memory size"), recording.getErrorMessage());
			wc.setAttribute(LaunchAttributes.MEMORY, "512m");
			assertTrue(recording.isValid(wc), recording.getErrorMessage());
		} finally {
			shell.dispose();
		}
	}
}
