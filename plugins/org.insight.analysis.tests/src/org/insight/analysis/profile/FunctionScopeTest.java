package org.insight.analysis.profile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FunctionScopeTest {
	@Test
	void aFileIsNamedByItsWholeNameOrAPathTail() {
		assertTrue(FunctionScope.named("/work/guest-tests/calls.c", "calls.c"));
		assertTrue(FunctionScope.named("/work/guest-tests/calls.c", "guest-tests/calls.c"));
		assertTrue(FunctionScope.named("calls.c", "calls.c"));
		assertFalse(FunctionScope.named("/work/guest-tests/recalls.c", "calls.c"));
		assertFalse(FunctionScope.named("/work/guest-tests/calls.cc", "calls.c"));
	}

	@Test
	void aScopeNamesAtLeastOneFile() {
		assertThrows(IllegalArgumentException.class, () -> FunctionScope.inFiles(List.of()));
		assertTrue(FunctionScope.ALL.files().isEmpty());
	}
}
