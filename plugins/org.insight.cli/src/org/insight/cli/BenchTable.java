package org.insight.cli;

import java.util.List;

import org.insight.cli.BenchMeasure.Row;
import org.insight.vmm.machine.ExceptionVectors;
import org.insight.vmm.machine.RoundTripProbe;
import org.insight.vmm.machine.RunStats;
import org.insight.vmm.machine.RunStats.ExitKind;

/** The tables {@code insight bench} prints: one row a workload, its exits, the exit floor, and the peers. */
final class BenchTable {
    /** Helgrind on a workload's dynamic build beside InSight's recording of the same source. */
    record HelgrindRow(BenchWorkload workload, Long helgrindNanos, String problem) {
    }

    /** QEMU's record and replay of one workload, whole process and workload alone. */
    record QemuRow(BenchWorkload workload, PeerRun record, PeerRun replay, String problem) {
    }

    private BenchTable() {
    }

    /** A row's failure, and whether its replay was stopped at its limit. */
    static String notes(Row r) {
        String limit = r.replayLimited() ? BenchMeasure.LIMIT_NOTE : "";
        return r.problem() == null ? limit : r.problem() + (limit.isEmpty() ? "" : "; " + limit);
    }

    static String sec(Long nanos) {
        return nanos == null ? "-" : String.format("%.3f", nanos / 1e9);
    }

    static String ratio(Long a, Long b) {
        return a == null || b == null || b == 0 ? "-" : String.format("%.3f", (double) a / b);
    }

    static String format(List<Row> rows, String libc, int repeat) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("InSight bench (%s builds, median of %d runs each; native, VM, record and replay "
                + "alternate in one process; VM is a plain `insight run`, record uses the mode shown)%n", libc, repeat));
        String f = "%-15s %-20s %9s %9s %7s %9s %7s %9s %8s %10s %7s %9s  %s%n";
        s.append(String.format(f, "workload", "recorded with", "native s", "VM s", "VM/nat", "record s", "rec/VM",
                "replay s", "rep/rec", "trace B", "B/frame", "B/s rec", "notes"));
        for (Row r : rows) {
            String repRec = ratio(r.replayNanos(), r.recordNanos());
            s.append(String.format(f, r.workload().name(), r.workload().recording(), sec(r.nativeNanos()),
                    sec(r.vmNanos()), ratio(r.vmNanos(), r.nativeNanos()), sec(r.recordNanos()),
                    ratio(r.recordNanos(), r.vmNanos()), (r.replayLimited() ? ">" : "") + sec(r.replayNanos()),
                    (r.replayLimited() && !repRec.equals("-") ? ">" : "") + repRec,
                    r.vmNanos() == null ? "-" : r.traceBytes(),
                    r.frames() == 0 ? "-" : String.format("%.1f", (double) r.traceBytes() / r.frames()),
                    r.recordNanos() == null ? "-" : String.format("%.0f", r.traceBytes() / (r.recordNanos() / 1e9)),
                    notes(r)));
        }
        s.append(String.format("%-15s %9s %9s %7s %9s %7s %9s  %s%n", "exits (VM)", "syscalls", "faults", "kicks",
                "other", "switch", "us/exit", ""));
        for (Row r : rows) {
            RunStats st = r.stats();
            if (st == null) {
                continue;
            }
            s.append(String.format("%-15s %9d %9d %7d %9d %7d %9.1f%n", r.workload().name(),
                    st.exits(ExitKind.SYSCALL), st.exits(ExitKind.PAGE_FAULT), st.exits(ExitKind.KICK),
                    st.exits(ExitKind.EXCEPTION) + st.exits(ExitKind.OTHER), st.switches(),
                    st.exits() == 0 ? 0.0 : (r.vmNanos() - r.nativeNanos()) / 1e3 / st.exits()));
        }
        for (Row r : rows) {
            s.append(lockCalls(r));
        }
        for (Row r : rows) {
            RunStats st = r.stats();
            if (st != null && r.workload().name().equals("bench-locks") && st.switches() > 0) {
                s.append(String.format("thread switch: %.1f us each (%d switches, time in the VMM)%n",
                        st.switchNanos() / 1e3 / st.switches(), st.switches()));
            }
        }
        return s.toString();
    }

    /**
     * The lock calls of a locks-mode recording, how many were sync points, and the exceptions they cost: through a
     * lock function's stub, one at a sync point (or a full ring) and none otherwise; through an int3 and its step, two
     * a call (ARCHITECTURE.md section 3); empty for other rows.
     */
    static String lockCalls(Row r) {
        RunStats st = r.recordStats();
        if (st == null || st.lockHooks() == 0) {
            return "";
        }
        long calls = st.lockCalls().values().stream().mapToLong(Long::longValue).sum();
        return lockCallsLine(r.workload().name() + " " + r.workload().recording(), calls, st.lockSyncPoints(),
                st.exceptions(ExceptionVectors.BP), st.exceptions(ExceptionVectors.DB), st.lockStubs(), st.lockHooks());
    }

    static String lockCallsLine(String what, long calls, long syncPoints, long bp, long db, int stubs, int hooks) {
        return String.format("lock calls while recording %s: %d (%d sync points), exceptions #BP %d #DB %d (%s a "
                + "call); %d of %d lock functions through a stub%n", what, calls, syncPoints, bp, db,
                calls == 0 ? "-" : String.format("%.2f", (double) (bp + db) / calls), stubs, hooks);
    }

    /**
     * The syscall round trip of bench-syscalls beside the exit floor measured in the same run ({@link RoundTripProbe}):
     * what the VMM adds to an exit is their ratio.
     */
    static String formatExitFloor(List<Row> rows, RoundTripProbe.Result floor) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("exit floor (this run, %d round trips each, nothing done between exits):",
                floor.roundTrips()));
        if (floor.portIoNanos() >= 0) {
            s.append(String.format(" port I/O at CPL3 %.1f us", floor.portIoMicrosEach()));
        }
        if (floor.syscallNanos() >= 0) {
            s.append(String.format("%s syscall through the gate and back %.1f us", floor.portIoNanos() >= 0 ? ";" : "",
                    floor.syscallMicrosEach()));
        }
        if (floor.portIoNanos() < 0 && floor.syscallNanos() < 0) {
            s.append(" not measured");
        }
        s.append(String.format("%n"));
        if (!floor.notes().isEmpty()) {
            s.append("  (").append(floor.notes()).append(String.format(")%n"));
        }
        for (Row r : rows) {
            RunStats st = r.stats();
            if (st == null || !r.workload().name().equals("bench-syscalls") || st.exits(ExitKind.SYSCALL) == 0) {
                continue;
            }
            double perSyscall = (r.vmNanos() - r.nativeNanos()) / 1e3 / st.exits(ExitKind.SYSCALL);
            double floorEach = floor.syscallNanos() >= 0 ? floor.syscallMicrosEach() : floor.portIoMicrosEach();
            s.append(String.format("syscall round trip: %.1f us (VM minus native wall time per syscall), of it %.1f us "
                    + "in the VMM's handler", perSyscall,
                    st.handlingNanos(ExitKind.SYSCALL) / 1e3 / st.exits(ExitKind.SYSCALL)));
            if (floorEach > 0) {
                s.append(String.format("; against the exit floor's %s: %.2fx",
                        floor.syscallNanos() >= 0 ? "syscall" : "port I/O", perSyscall / floorEach));
            }
            s.append(String.format("%n"));
        }
        return s.toString();
    }

    static String formatHelgrind(List<Row> rows, List<HelgrindRow> peers) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nHelgrind peer (valgrind --tool=helgrind on the dynamically linked glibc build of the "
                + "same source, whole process)%n"));
        String f = "%-15s %-20s %10s %12s %12s  %s%n";
        s.append(String.format(f, "workload", "recorded with", "helgrind s", "InSight rec", "rec/helgrind", "notes"));
        for (HelgrindRow p : peers) {
            Row ours = rows.stream().filter(r -> r.workload().equals(p.workload())).findFirst().orElseThrow();
            s.append(String.format(f, p.workload().name(), p.workload().recording(), sec(p.helgrindNanos()),
                    sec(ours.recordNanos()), ratio(ours.recordNanos(), p.helgrindNanos()),
                    p.problem() == null ? "" : p.problem()));
        }
        return s.toString();
    }

    static String formatQemu(List<Row> rows, List<QemuRow> peerRows) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nQEMU peer (TCG, -icount shift=auto,rr=record|replay, Debian kernel, program as "
                + "/init)%n"));
        s.append(String.format("%-15s %10s %10s %10s %10s %12s %12s  %s%n", "workload", "qemu rec", "rec work",
                "qemu rep", "rep work", "InSight rec", "InSight rep", "notes"));
        for (QemuRow p : peerRows) {
            Row ours = rows.stream().filter(r -> r.workload().equals(p.workload())).findFirst().orElseThrow();
            s.append(String.format("%-15s %10s %10s %10s %10s %12s %12s  %s%n", p.workload().name(),
                    sec(p.record().wholeProcess().toNanos()), sec(p.record().workload().toNanos()),
                    p.replay() == null ? "-" : sec(p.replay().wholeProcess().toNanos()),
                    p.replay() == null ? "-" : sec(p.replay().workload().toNanos()), sec(ours.recordNanos()),
                    sec(ours.replayNanos()), p.problem() == null ? "" : p.problem()));
        }
        s.append("(qemu columns: whole process, then the workload alone from /init's start to its exit; InSight "
                + "columns: whole record and replay sessions in this JVM)\n");
        return s.toString();
    }
}
