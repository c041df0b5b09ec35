package org.insight.cli;

import java.util.List;

/**
 * The tables of {@code insight bench --analysis}: medians in seconds, their ratios, and the call counts of the
 * program's own functions beside Callgrind's. A figure that was not measured is "-" and its row says why; nothing is
 * ever estimated.
 */
final class AnalysisBenchTable {
    private AnalysisBenchTable() {
    }

    /**
     * One workload's lock analysis: InSight's locks-mode recording and its deadlock and lock-profile analysis, against
     * Helgrind. Times are medians in nanoseconds; null where not measured.
     *
     * @param events     the analysis's events (lock and thread events)
     * @param findings   InSight's potential deadlocks (reported cycles, filtered ones left out)
     * @param lockOrders Helgrind's lock-order violations
     */
    record LockRow(String workload, Long nativeNanos, Long recordNanos, Long analysisNanos, long events,
            Integer findings, Long helgrindNanos, Integer lockOrders, String note) {
        Long insightNanos() {
            return recordNanos == null || analysisNanos == null ? null : recordNanos + analysisNanos;
        }
    }

    /** One workload's exact function profile against Callgrind, with the call counts side by side. */
    record FunctionRow(String workload, Long nativeNanos, Long recordNanos, Long profileNanos, long events,
            Long callgrindNanos, List<CallCount> counts, String note) {
        FunctionRow {
            counts = List.copyOf(counts);
        }

        Long insightNanos() {
            return recordNanos == null || profileNanos == null ? null : recordNanos + profileNanos;
        }
    }

    /** One of the program's own functions: its calls in InSight's profile and in Callgrind's (null: not measured). */
    record CallCount(String function, Long insight, Long callgrind) {
        String verdict() {
            return callgrind == null || insight == null ? "-" : callgrind.equals(insight) ? "agree" : "DIFFER";
        }

        boolean disagree() {
            return verdict().equals("DIFFER");
        }
    }

    static String sec(Long nanos) {
        return nanos == null ? "-" : String.format("%.3f", nanos / 1e9);
    }

    static String ratio(Long a, Long b) {
        return a == null || b == null || b == 0 ? "-" : String.format("%.2f", (double) a / b);
    }

    /** Events per second of the analysis's replay. */
    static String perSecond(long events, Long nanos) {
        return nanos == null || nanos == 0 ? "-" : String.format("%.0f", events / (nanos / 1e9));
    }

    private static String or(Object value) {
        return value == null ? "-" : value.toString();
    }

    private static final String LOCK_FORMAT = "%-13s %8s %8s %8s %8s %7s %8s %7s %6s %6s %8s %9s %5s %5s  %s%n";
    private static final String FUNCTION_FORMAT = "%-13s %8s %8s %8s %8s %7s %9s %7s %6s %8s %9s  %s%n";

    static String formatLocks(List<LockRow> rows) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("Lock analysis: InSight = record (locks mode, chaos seed %d) + analysis (deadlocks, lock "
                + "calls counted in the guest); Helgrind on the dynamic build%n", AnalysisBench.CHAOS_SEED));
        s.append(String.format(LOCK_FORMAT, "workload", "native s", "record s", "analys s", "InSight", "InS/nat",
                "helgrind", "hg/nat", "InS/hg", "an/rec", "events", "events/s", "dl", "hg", "notes"));
        for (LockRow r : rows) {
            s.append(String.format(LOCK_FORMAT, r.workload(), sec(r.nativeNanos()), sec(r.recordNanos()),
                    sec(r.analysisNanos()), sec(r.insightNanos()), ratio(r.insightNanos(), r.nativeNanos()),
                    sec(r.helgrindNanos()), ratio(r.helgrindNanos(), r.nativeNanos()),
                    ratio(r.insightNanos(), r.helgrindNanos()), ratio(r.analysisNanos(), r.recordNanos()),
                    r.analysisNanos() == null ? "-" : r.events(), perSecond(r.events(), r.analysisNanos()),
                    or(r.findings()), or(r.lockOrders()), r.note() == null ? "" : r.note()));
        }
        s.append("(dl: InSight's potential deadlocks; hg: Helgrind's lock-order violations; InSight and the ratios "
                + "with it: record + analysis)\n");
        return s.toString();
    }

    static String formatFunctions(List<FunctionRow> rows) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nFunction profile: InSight = record + analysis (functions, exact); Callgrind on the "
                + "static build%n"));
        s.append(String.format(FUNCTION_FORMAT, "workload", "native s", "record s", "profil s", "InSight", "InS/nat",
                "callgrind", "cg/nat", "InS/cg", "events", "events/s", "notes"));
        for (FunctionRow r : rows) {
            s.append(String.format(FUNCTION_FORMAT, r.workload(), sec(r.nativeNanos()), sec(r.recordNanos()),
                    sec(r.profileNanos()), sec(r.insightNanos()), ratio(r.insightNanos(), r.nativeNanos()),
                    sec(r.callgrindNanos()), ratio(r.callgrindNanos(), r.nativeNanos()),
                    ratio(r.insightNanos(), r.callgrindNanos()), r.profileNanos() == null ? "-" : r.events(),
                    perSecond(r.events(), r.profileNanos()), r.note() == null ? "" : r.note()));
        }
        s.append(String.format("%nCalls of the program's own functions (InSight's exact profile beside Callgrind's, "
                + "same workload; they must agree)%n"));
        s.append(String.format("%-13s %-32s %12s %12s  %s%n", "workload", "function", "InSight", "Callgrind", ""));
        for (FunctionRow r : rows) {
            for (CallCount c : r.counts()) {
                s.append(String.format("%-13s %-32s %12s %12s  %s%n", r.workload(), c.function(), or(c.insight()),
                        or(c.callgrind()), c.verdict()));
            }
        }
        return s.toString();
    }
}
