package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.insight.cli.MachineChoice.Kind;
import org.insight.cli.MachineChoice.Where;
import org.junit.jupiter.api.Test;

/** Where a guest runs for each --vm choice, and what the nested machine is given. */
class MachineChoiceTest {
    static final String MISSING = "/dev/kvm does not exist";

    @Test
    void autoUsesKvmWhenUsableAndTheNestedMachineOtherwise() {
        assertEquals(Where.HERE, MachineChoice.decide(Kind.AUTO, null, false));
        assertEquals(Where.NESTED, MachineChoice.decide(Kind.AUTO, MISSING, false));
    }

    @Test
    void kvmAndNestedAreObeyed() {
        assertEquals(Where.HERE, MachineChoice.decide(Kind.KVM, MISSING, false));
        assertEquals(Where.NESTED, MachineChoice.decide(Kind.NESTED, null, false));
    }

    @Test
    void insideTheNestedMachineEverythingRunsThere() {
        for (Kind k : Kind.values()) {
            assertEquals(Where.HERE, MachineChoice.decide(k, null, true), k.name());
        }
    }

    @Test
    void labelsParseWhateverTheirCase() {
        assertEquals(Kind.NESTED, Kind.ofLabel("Nested").orElseThrow());
        assertTrue(Kind.ofLabel("xen").isEmpty());
    }

    @Test
    void theNestedCommandSharesTheRecordingsFolderAndForwardsStdin() {
        RecordCommand record = new RecordCommand();
        record.output = Path.of("/work/out/t.insight");
        record.guest.program = Path.of("/tmp/bin/prog");
        List<String> args = List.of("record", "-o", "/work/out/t.insight", "--", "/bin/prog", "a b");
        List<String> cmd = NestedMachine.command(Path.of("/x/nested-kvm"), args, record);
        assertEquals("/x/nested-kvm", cmd.get(0));
        int rw = cmd.indexOf("--rw");
        assertEquals("/work/out", cmd.get(rw + 1));
        assertTrue(cmd.contains("--stdin"), cmd.toString());
        int dashes = cmd.indexOf("--");
        assertTrue(rw < dashes && cmd.indexOf("--stdin") < dashes, cmd.toString());
        assertEquals(args, cmd.subList(cmd.size() - args.size(), cmd.size()));
        assertEquals(Main.class.getName(), cmd.get(cmd.size() - args.size() - 1));
        assertTrue(cmd.contains("-XX:TieredStopAtLevel=1"), cmd.toString());
        // the program's folder, which the machine's own /tmp would hide, is shared read-only
        assertEquals("/tmp/bin", cmd.get(cmd.indexOf("--ro") + 1));
    }

    @Test
    void aReplayNeitherWritesNorReadsStdin() {
        ReplayCommand replay = new ReplayCommand();
        replay.trace = Path.of("/tmp/rec/t.insight");
        List<String> cmd = NestedMachine.command(Path.of("/x/nested-kvm"), List.of("replay", "t.insight"), replay);
        int dashes = cmd.indexOf("--");
        assertTrue(!cmd.subList(0, dashes).contains("--rw") && !cmd.subList(0, dashes).contains("--stdin"),
                cmd.toString());
        assertEquals("/tmp/rec", cmd.get(cmd.indexOf("--ro") + 1), "the recording's folder is shared read-only");
        // the JVM inside reads this JVM's class path: its folders are shared too (an IDE's runtime may be in /tmp)
        List<String> folders = NestedMachine.classPathFolders();
        assertTrue(!folders.isEmpty());
        for (String f : folders) {
            int i = cmd.indexOf(f);
            assertTrue(i > 0 && cmd.get(i - 1).equals("--ro") && i < dashes, f + " in " + cmd);
        }
    }
}
