package org.insight.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Edge;
import org.insight.analysis.deadlock.Finding;
import org.insight.analysis.report.TextReport;
import org.insight.analysis.source.SourceLocation;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.GuestManifest.Program;
import org.insight.testsupport.KvmRequirement;
import org.insight.testsupport.TestMatrix;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's accuracy tests of the potential-deadlock analysis on the real machine: guest programs whose design fixes
 * the answer, recorded in {@code locks} mode with a fixed chaos seed and analysed on a verified replay
 * ({@link ReplayAnalysis}), glibc and musl builds. Each case asserts the whole answer: which cycles are reported and
 * which filtered (with the reason the design makes true), the locks by name, each edge's count and thread, and the
 * file:line of both acquisitions of every edge, which must be the line of its {@code pthread_mutex_lock} call in the
 * source (found by a marker comment, {@link SourceMarks}). The actual deadlock of samples/deadlock.c is reported as
 * its wait-for cycle, each thread with the stacks of the lock it holds and of the call it is blocked in.
 * <p>
 * The matrix ({@link TestMatrix}): {@code ci} runs every case once on both libcs, with chaos seed {@value #CI_SEED} and
 * the philosophers at {@value #CI_MEALS} meals each (the whole class took under a minute in one nested KVM run);
 * {@code full} runs them with the manifests' workloads and chaos seeds {@link #FULL_SEEDS}. Each case prints its text
 * report, the evidence of the acceptance.
 */
class DeadlockAccuracyGuestTest {
	static final long CI_SEED = 3;
	static final List<Long> FULL_SEEDS = List.of(3L, 4L);
	static final String CI_MEALS = "4";

	@TempDir
	Path dir;

	private interface Check {
		void check(RecordedGuest run, String what, List<String> args) throws IOException;
	}

	private record Case(String name, String source, List<String> ciArgs, Check check) {
	}

	private final List<Case> cases = List.of(
			new Case("lockorder", "guest-tests/lockorder.c", List.of(), (r, w, a) -> reportsCycle(r, w,
					"guest-tests/lockorder.c", List.of("lock_a", "lock_b"), List.of("ab", "ba"))),
			new Case("lockcycle3", "guest-tests/lockcycle3.c", List.of(), (r, w, a) -> reportsCycle(r, w,
					"guest-tests/lockcycle3.c", List.of("lock_a", "lock_b", "lock_c"), List.of("ab", "bc", "ca"))),
			new Case("philosophers", "samples/philosophers.c", List.of(CI_MEALS), DeadlockAccuracyGuestTest::philosophers),
			new Case("lockgate", "guest-tests/lockgate.c", List.of(), (r, w, a) -> filtersCycle(r, w,
					"guest-tests/lockgate.c", "gate lock: gate_lock was held at every acquisition of every edge")),
			new Case("locksingle", "guest-tests/locksingle.c", List.of(), (r, w, a) -> filtersCycle(r, w,
					"guest-tests/locksingle.c", "single-thread cycle: every edge was taken by thread ")),
			new Case("lockjoin", "guest-tests/lockjoin.c", List.of(), (r, w, a) -> filtersCycle(r, w,
					"guest-tests/lockjoin.c", "ordered by thread create/join: ")),
			new Case("locktry", "guest-tests/locktry.c", List.of(), (r, w, a) -> reportsNone(r, w)),
			new Case("lockread", "guest-tests/lockread.c", List.of(), (r, w, a) -> reportsNone(r, w)),
			new Case("deadlock", "samples/deadlock.c", List.of(), (r, w, a) -> reportsActualDeadlock(r, w,
					"samples/deadlock.c", "accounts_lock", "audit_lock", "bookkeeper", "auditor")),
			new Case("deadlockpoll", "guest-tests/deadlockpoll.c", List.of(), (r, w, a) -> reportsActualDeadlock(r, w,
					"guest-tests/deadlockpoll.c", "ledger_lock", "journal_lock", "clerk", "auditor")));

	@TestFactory
	Stream<DynamicTest> eachProgramGetsTheAnswerItsDesignMakesTrue() {
		boolean full = TestMatrix.full();
		List<DynamicTest> tests = new ArrayList<>();
		for (String libc : GuestManifest.LIBCS) {
			for (Case c : cases) {
				for (long seed : full ? FULL_SEEDS : List.of(CI_SEED)) {
					List<String> args = full ? manifestArgs(c.name()) : c.ciArgs();
					String what = libc + "/" + c.name() + (args.isEmpty() ? "" : " " + String.join(" ", args))
							+ " chaos " + seed;
					tests.add(DynamicTest.dynamicTest(what, () -> {
						KvmRequirement.require();
						RecordedGuest run = RecordedGuest.of(dir, libc, c.name(), args, seed);
						System.out.println("== " + what + ": recorded, " + run.outcome().exit().description() + "\n"
								+ text(run));
						c.check().check(run, what, args);
						CountedCallsCheck.sameDeadlocks(run, what);
						Program p = program(c.name());
						// The output is the manifest's when the program ran its manifest workload and ended as it says.
						boolean deadlocked = run.outcome().exit().description().startsWith("deadlock");
						if (args.equals(p.args()) && p.deadlock() == deadlocked && (p.deadlock() || run.outcome()
								.exit().status() == p.exitStatus())) {
							assertEquals(Files.readString(p.expected()), p.compared(run.stdout()), what
									+ ": stdout against " + p.expected());
						}
					}));
				}
			}
		}
		// Dynamically linked: libc's lock functions, hooked when ld.so maps libc.so.6 (glibc) or at the start, in the
		// interpreter (musl); lockpairs takes its locks in a shared library of its own, built with -g
		List<Case> dynamic = new ArrayList<>(cases.stream().filter(c -> DYNAMIC.contains(c.name())).toList());
		dynamic.add(new Case("lockpairs", "guest-tests/lib/lockpair.c", List.of(), (r, w, a) -> {
			assertEquals("TOKEN lockpairs counter 2\n", r.stdout(), w);
			reportsCycle(r, w, "guest-tests/lib/lockpair.c", List.of("lock_a", "lock_b"), List.of("pair", "pair"));
		}));
		for (String libc : List.of("glibc-dynamic", "musl-dynamic")) {
			for (Case c : dynamic) {
				if (libc.startsWith("musl") && !c.source().startsWith("guest-tests/")) {
					continue; // samples/ builds no musl-dynamic programs
				}
				String what = libc + "/" + c.name() + " chaos " + CI_SEED;
				tests.add(DynamicTest.dynamicTest(what, () -> {
					KvmRequirement.require();
					RecordedGuest run = RecordedGuest.of(dir, libc, c.name(), c.ciArgs(), CI_SEED);
					System.out.println("== " + what + ": recorded, " + run.outcome().exit().description() + "\n"
							+ text(run));
					c.check().check(run, what, c.ciArgs());
					CountedCallsCheck.sameDeadlocks(run, what);
				}));
			}
		}
		return tests.stream();
	}

	/** The cases that also run dynamically linked (guest-tests' and samples' dynamic builds), in every selection. */
	static final Set<String> DYNAMIC = Set.of("lockorder", "deadlock");

	private static List<String> manifestArgs(String name) {
		return program(name).args();
	}

	private static Program program(String name) {
		return GuestManifest.all().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
	}

	/**
	 * Exactly one potential deadlock, the cycle {@code locks} (in this order, from any of them), and no filtered one;
	 * edge i (locks[i] to locks[i+1]) was taken once, by one thread, its thread alone, at the lines marked
	 * {@code marks[i]-first} and {@code marks[i]-second}; every lock had a static initializer.
	 */
	static void reportsCycle(RecordedGuest run, String what, String source, List<String> locks, List<String> marks)
			throws IOException {
		assertEquals(0, run.outcome().exit().status(), what + ": " + run.outcome().exit());
		DeadlockResult d = run.analysis().deadlocks();
		String report = text(run);
		assertEquals(1, d.findings().size(), what + ": potential deadlocks\n" + report);
		assertEquals(0, d.filtered().size(), what + ": filtered cycles\n" + report);
		assertEquals(0, d.actual().size(), what + ": actual deadlocks\n" + report);
		Finding f = d.findings().get(0);
		assertEquals(locks, rotated(names(run, f), locks.get(0)), what + ": the cycle\n" + report);
		assertEquals(locks.size(), new HashSet<>(f.threads()).size(), what + ": one thread per edge\n" + report);
		SourceMarks src = SourceMarks.of(source);
		Set<Integer> tids = new HashSet<>();
		for (int i = 0; i < locks.size(); i++) {
			Edge e = edge(run, f, locks.get(i), locks.get((i + 1) % locks.size()));
			String edge = what + ": edge " + marks.get(i);
			assertEquals(1, e.count(), edge + " count\n" + report);
			assertEquals(1, e.threads().size(), edge + " threads\n" + report);
			tids.add(e.first().tid());
			assertAcquiredAt(run, e, src, src.mark(marks.get(i) + "-first"), src.mark(marks.get(i) + "-second"),
					edge, report);
			assertTrue(report.contains(fileName(source) + ":" + src.mark(marks.get(i) + "-second")), edge
					+ ": the text report does not show the line\n" + report);
		}
		assertEquals(locks.size(), tids.size(), what + ": each edge by its own thread\n" + report);
		for (LockRef l : f.locks()) {
			assertTrue(!d.initSites().containsKey(l), what + ": " + run.analysis().names().of(l)
					+ " has a static initializer, yet an init site\n" + report);
		}
		assertTrue(report.contains("Potential deadlock " + f.id() + ": lock order cycle of " + locks.size() + " locks"),
				what + "\n" + report);
	}

	/**
	 * No potential deadlock, and exactly one filtered cycle, lock_a and lock_b, whose one reason starts with
	 * {@code reason}; both edges at the lines marked ab-first/ab-second and ba-first/ba-second.
	 */
	static void filtersCycle(RecordedGuest run, String what, String source, String reason) throws IOException {
		assertEquals(0, run.outcome().exit().status(), what + ": " + run.outcome().exit());
		DeadlockResult d = run.analysis().deadlocks();
		String report = text(run);
		assertEquals(0, d.findings().size(), what + ": potential deadlocks\n" + report);
		assertEquals(1, d.filtered().size(), what + ": filtered cycles\n" + report);
		assertEquals(0, d.actual().size(), what + ": actual deadlocks\n" + report);
		Finding f = d.filtered().get(0);
		assertEquals(List.of("lock_a", "lock_b"), rotated(names(run, f), "lock_a"), what + ": the cycle\n" + report);
		assertEquals(1, f.filterReasons().size(), what + ": reasons " + f.filterReasons());
		assertTrue(f.filterReasons().get(0).startsWith(reason), what + ": reason " + f.filterReasons());
		assertTrue(report.contains("because of " + reason), what + ": the text report\n" + report);
		SourceMarks src = SourceMarks.of(source);
		for (String m : List.of("ab", "ba")) {
			Edge e = m.equals("ab") ? edge(run, f, "lock_a", "lock_b") : edge(run, f, "lock_b", "lock_a");
			assertEquals(1, e.count(), what + ": edge " + m + " count\n" + report);
			assertAcquiredAt(run, e, src, src.mark(m + "-first"), src.mark(m + "-second"), what + ": edge " + m,
					report);
		}
	}

	/** No cycle at all, reported or filtered, and the program's locks were seen. */
	static void reportsNone(RecordedGuest run, String what) {
		assertEquals(0, run.outcome().exit().status(), what + ": " + run.outcome().exit());
		DeadlockResult d = run.analysis().deadlocks();
		String report = text(run);
		assertEquals(0, d.findings().size(), what + ": potential deadlocks\n" + report);
		assertEquals(0, d.filtered().size(), what + ": filtered cycles\n" + report);
		assertEquals(0, d.actual().size(), what + ": actual deadlocks\n" + report);
		assertTrue(d.locks() >= 2, what + ": the program's two locks were not seen\n" + report);
		assertTrue(report.contains("0 potential deadlocks, 0 cycles filtered out"), what + "\n" + report);
	}

	/**
	 * An actual deadlock: the run ends with the first worker holding {@code first} and waiting for {@code second}, the
	 * other worker the other way round (samples/deadlock.c: main waits in pthread_join; guest-tests/deadlockpoll.c: main
	 * still polls, and the run ends as the cycle closes). Reported as one wait-for cycle with each thread's two stacks at
	 * the lines marked NAME-holds and NAME-waits; no lock-order cycle, since neither second lock is ever acquired.
	 */
	static void reportsActualDeadlock(RecordedGuest run, String what, String source, String first, String second,
			String firstWorker, String secondWorker) throws IOException {
		assertTrue(run.outcome().exit().description().startsWith("deadlock"), what + ": " + run.outcome().exit());
		DeadlockResult d = run.analysis().deadlocks();
		String report = text(run);
		assertEquals(1, d.actual().size(), what + ": actual deadlocks\n" + report);
		assertEquals(0, d.findings().size(), what + ": potential deadlocks\n" + report);
		assertEquals(0, d.filtered().size(), what + ": filtered cycles\n" + report);
		Finding f = d.actual().get(0);
		assertEquals(List.of(first, second), rotated(names(run, f), first), what + ": the cycle\n" + report);
		assertEquals(2, new HashSet<>(f.threads()).size(), what + ": threads\n" + report);
		SourceMarks src = SourceMarks.of(source);
		assertAcquiredAt(run, edge(run, f, first, second), src, src.mark(firstWorker + "-holds"), src.mark(
				firstWorker + "-waits"), what + ": the " + firstWorker, report);
		assertAcquiredAt(run, edge(run, f, second, first), src, src.mark(secondWorker + "-holds"), src.mark(
				secondWorker + "-waits"), what + ": the " + secondWorker, report);
		assertTrue(report.contains("Actual deadlock " + f.id() + ": the run ended with threads "), report);
		String file = source.substring(source.lastIndexOf('/') + 1);
		assertTrue(report.contains(file + ":" + src.mark(secondWorker + "-waits")), report);
	}

	/**
	 * The five forks' cycle, forks to forks+48 (a fork is a 40-byte mutex of either libc and a long) and so on, each
	 * edge by its own philosopher at the lines where a philosopher takes its left fork, then its right one; each fork
	 * initialised at the pthread_mutex_init line. The program can deadlock for real (see its comment), and chaos at lock
	 * calls, which switches threads between the two forks, finds that schedule often with 50 meals (the sleeps are timed
	 * by the host, so a seed does not fix it). When the run ended, the potential deadlock is the cycle, each edge taken
	 * once per meal, and there is no actual one; when it deadlocked, the actual deadlock is the cycle, each philosopher
	 * holding its left fork and waiting at the line of its right one, and a potential deadlock, if every edge was taken
	 * before, is the cycle too.
	 */
	static void philosophers(RecordedGuest run, String what, List<String> args) throws IOException {
		boolean ended = run.outcome().exit().status() == 0;
		boolean deadlocked = run.outcome().exit().description().startsWith("deadlock");
		assertTrue(ended || deadlocked, what + ": " + run.outcome().exit());
		DeadlockResult d = run.analysis().deadlocks();
		String report = text(run);
		assertEquals(0, d.filtered().size(), what + ": filtered cycles\n" + report);
		SourceMarks src = SourceMarks.of("samples/philosophers.c");
		int left = src.holding("pthread_mutex_lock(&p->left->lock);");
		int right = src.holding("pthread_mutex_lock(&p->right->lock);");
		// Meals per philosopher: the argument, else the program's default.
		String dflt = "static long meals_each = ";
		String line = src.line(src.holding(dflt));
		long meals = Long.parseLong(args.isEmpty() ? line.substring(line.indexOf(dflt) + dflt.length(), line.indexOf(';'))
				: args.get(0));
		if (ended) {
			assertEquals(0, d.actual().size(), what + ": actual deadlocks\n" + report);
			assertEquals(1, d.findings().size(), what + ": potential deadlocks\n" + report);
			forksCycle(run, d.findings().get(0), src, left, right, meals, what, report);
		} else {
			assertEquals(1, d.actual().size(), what + ": actual deadlocks\n" + report);
			forksCycle(run, d.actual().get(0), src, left, right, -1, what + " (actual)", report);
			assertTrue(d.findings().size() <= 1, what + ": potential deadlocks\n" + report);
			for (Finding f : d.findings()) {
				forksCycle(run, f, src, left, right, -1, what, report);
			}
		}
	}

	/** {@code f} is the forks' cycle (see {@link #philosophers}); each edge taken {@code meals} times unless -1. */
	private static void forksCycle(RecordedGuest run, Finding f, SourceMarks src, int left, int right, long meals,
			String what, String report) {
		List<String> forks = List.of("forks", "forks+48", "forks+96", "forks+144", "forks+192");
		assertEquals(forks, rotated(names(run, f), "forks"), what + ": the cycle\n" + report);
		int init = src.holding("pthread_mutex_init(&forks[i].lock, NULL);");
		Set<Integer> tids = new HashSet<>();
		for (int i = 0; i < forks.size(); i++) {
			Edge e = edge(run, f, forks.get(i), forks.get((i + 1) % forks.size()));
			String edge = what + ": edge " + forks.get(i) + " -> " + forks.get((i + 1) % forks.size());
			assertEquals(1, e.threads().size(), edge + " threads\n" + report);
			tids.add(e.first().tid());
			if (meals >= 0) {
				assertEquals(meals, e.count(), edge + " count\n" + report);
			}
			assertAcquiredAt(run, e, src, left, right, edge, report);
		}
		assertEquals(5, tids.size(), what + ": each edge by its own philosopher\n" + report);
		for (LockRef l : f.locks()) {
			CallStack at = run.analysis().deadlocks().initSites().get(l);
			assertTrue(at != null && at.depth() > 0, what + ": no init site for " + run.analysis().names().of(l));
			assertEquals(init, line(run, at, src.fileName()), what + ": init site of " + run.analysis().names().of(l));
		}
	}

	/** Both acquisitions of {@code e}'s first occurrence: the held lock's at {@code from}, the other's at {@code to}. */
	private static void assertAcquiredAt(RecordedGuest run, Edge e, SourceMarks src, int from, int to, String what,
			String report) {
		String file = src.fileName();
		assertEquals(from, line(run, e.first().fromStack(), file), what + ": the held lock's acquisition\n" + report);
		assertEquals(to, line(run, e.first().toStack(), file), what + ": the wanted lock's acquisition\n" + report);
	}

	/** The line of the innermost frame of {@code stack}'s call site, which must be in {@code file}; -1 without one. */
	private static int line(RecordedGuest run, CallStack stack, String file) {
		if (stack.depth() == 0) {
			return -1;
		}
		SourceLocation.Frame top = run.analysis().lines().at(stack.callSite(0)).top();
		if (top.file() == null || !Path.of(top.file()).getFileName().toString().equals(file)) {
			return -1;
		}
		return top.line();
	}

	private static Edge edge(RecordedGuest run, Finding f, String from, String to) {
		for (Edge e : f.edges()) {
			if (run.analysis().names().of(e.from()).equals(from) && run.analysis().names().of(e.to()).equals(to)) {
				return e;
			}
		}
		throw new AssertionError("no edge " + from + " -> " + to + " in " + names(run, f) + "\n" + text(run));
	}

	private static List<String> names(RecordedGuest run, Finding f) {
		return f.locks().stream().map(run.analysis().names()::of).toList();
	}

	/** {@code cycle} rotated to start at {@code first} (unchanged when it is not there). */
	private static List<String> rotated(List<String> cycle, String first) {
		int i = cycle.indexOf(first);
		if (i < 0) {
			return cycle;
		}
		List<String> r = new ArrayList<>(cycle.subList(i, cycle.size()));
		r.addAll(cycle.subList(0, i));
		return r;
	}

	private static String fileName(String source) {
		return Path.of(source).getFileName().toString();
	}

	private static String text(RecordedGuest run) {
		StringWriter s = new StringWriter();
		TextReport.write(run.analysis(), new PrintWriter(s));
		return s.toString();
	}
}
