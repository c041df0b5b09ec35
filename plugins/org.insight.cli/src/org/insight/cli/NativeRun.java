package org.insight.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of a guest binary directly on the host, the reference that VM runs are compared with. */
record NativeRun(int exitStatus, byte[] stdout, long wallNanos, boolean timedOut) {

    static NativeRun of(Path program, List<String> args, long timeoutMillis) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0]; // the process was killed on timeout: its partial output does not matter
            }
        });
        boolean done = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
        long wall = System.nanoTime() - t0;
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        reader.join();
        return new NativeRun(done ? p.exitValue() : -1, out[0], wall, !done);
    }
}
