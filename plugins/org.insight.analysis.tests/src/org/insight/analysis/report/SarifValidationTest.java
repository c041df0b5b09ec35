package org.insight.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SARIF logs the analysis writes, validated by Microsoft's SARIF Multitool ({@code validate}: the official SARIF
 * 2.1.0 JSON schema, then its own rules), from the npm registry ({@code @microsoft/sarif-multitool}).
 * {@code ./insight test} installs it under {@code .tools/} and names it in system property {@value #PROPERTY}; without
 * it these tests are skipped, with that reason, never passed.
 */
class SarifValidationTest {
	static final String PROPERTY = "insight.sarifMultitool";
	@TempDir
	Path dir;

	/** The multitool, or the test is skipped (per test, so that each is listed as not run, with the reason). */
	private static Path multitool() {
		String p = System.getProperty(PROPERTY, "");
		Assumptions.assumeTrue(!p.isBlank() && Files.isExecutable(Path.of(p)), "the SARIF Multitool is not installed"
				+ " (./insight test installs @microsoft/sarif-multitool from npm and sets " + PROPERTY + ")");
		return Path.of(p);
	}

	@Test
	void thePotentialDeadlockLogIsValid() throws Exception {
		validate("potential.sarif", new SarifReportTest().sarif());
	}

	@Test
	void theActualDeadlockLogIsValid() throws Exception {
		validate("actual.sarif", ActualDeadlockReportTest.report(SarifReport::write));
	}

	@Test
	void theValidatorCatchesALogThatBreaksTheSchema() throws Exception {
		// the same log with a result whose message is a number: the schema wants an object
		String broken = new SarifReportTest().sarif().replaceFirst("\"message\": \\{", "\"message\": 7, \"x\": {");
		assertTrue(errors("broken.sarif", broken).stream().anyMatch(e -> e.startsWith("JSON")), "no schema error");
	}

	/** Runs {@code validate} on {@code log}: no error-level result, and a clean exit. */
	private void validate(String name, String log) throws IOException, InterruptedException {
		assertEquals(List.of(), errors(name, log));
	}

	/** The error-level results of {@code validate} on {@code log}, as "ruleId message". */
	@SuppressWarnings("unchecked")
	private List<String> errors(String name, String log) throws IOException, InterruptedException {
		Path multitool = multitool();
		Path in = dir.resolve(name);
		Path out = dir.resolve(name + ".validation.sarif");
		Files.writeString(in, log, StandardCharsets.UTF_8);
		Process p = new ProcessBuilder(multitool.toString(), "validate", "--output", out.toString(), in.toString())
				.redirectErrorStream(true).start();
		String console = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the multitool did not finish");
		assertTrue(Files.isRegularFile(out), console);
		Map<String, Object> v = (Map<String, Object>) new MiniJson(Files.readString(out)).value();
		List<Object> results = (List<Object>) ((Map<String, Object>) ((List<Object>) v.get("runs")).get(0))
				.get("results");
		List<String> errors = new ArrayList<>();
		for (Object r : results == null ? List.of() : results) {
			Map<String, Object> m = (Map<String, Object>) r;
			if ("error".equals(m.getOrDefault("level", "warning"))) {
				errors.add(m.get("ruleId") + " " + m.get("message"));
			}
		}
		if (errors.isEmpty()) {
			assertEquals(0, p.exitValue(), console);
		}
		return errors;
	}
}
