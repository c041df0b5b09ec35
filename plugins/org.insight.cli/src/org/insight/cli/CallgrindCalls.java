package org.insight.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The call counts in a callgrind.out file (Valgrind's Callgrind profile format, version 1): for every function, the sum
 * of the {@code calls=} lines whose {@code cfn=} names it, from all its callers, and the source file its {@code fn=}
 * block sits under ({@code fl=}). Name compression ({@code fn=(12) name} once, {@code fn=(12)} after) is followed;
 * Callgrind's recursion levels ({@code fib'2}, from its default {@code --separate-recs}) are summed under the plain
 * name, so a count is every entry of the function, as InSight counts.
 *
 * @param calls the entries of each function, by name
 * @param files the source file of each function that has a {@code fn=} block with a known file
 */
record CallgrindCalls(Map<String, Long> calls, Map<String, String> files) {
    CallgrindCalls {
        calls = Map.copyOf(calls);
        files = Map.copyOf(files);
    }

    /** The calls of {@code function}, 0 when Callgrind saw none. */
    long callsOf(String function) {
        return calls.getOrDefault(function, 0L);
    }

    /** Parses the text of a callgrind.out file. */
    static CallgrindCalls parse(String text) {
        Map<String, String> fileIds = new HashMap<>();
        Map<String, String> fnIds = new HashMap<>();
        Map<String, Long> calls = new TreeMap<>();
        Map<String, String> files = new TreeMap<>();
        String file = null;
        String callee = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("fl=")) {
                file = name(line.substring(3), fileIds);
            } else if (line.startsWith("fi=") || line.startsWith("fe=") || line.startsWith("cfi=")
                    || line.startsWith("cfl=")) {
                // inlined code's file or the callee's file: the compression table learns the name, nothing else
                name(line.substring(line.indexOf('=') + 1), fileIds);
            } else if (line.startsWith("fn=")) {
                String fn = plain(name(line.substring(3), fnIds));
                if (file != null) {
                    files.putIfAbsent(fn, file);
                }
                callee = null;
            } else if (line.startsWith("cfn=")) {
                callee = plain(name(line.substring(4), fnIds));
            } else if (line.startsWith("calls=") && callee != null) {
                String count = line.substring(6).strip().split("\\s+")[0];
                calls.merge(callee, Long.parseLong(count), Long::sum);
                callee = null;
            }
        }
        return new CallgrindCalls(calls, files);
    }

    /** "(12) name" defines id 12, "(12)" uses it, "name" is uncompressed. */
    private static String name(String value, Map<String, String> ids) {
        String v = value.strip();
        if (v.startsWith("(")) {
            int close = v.indexOf(')');
            if (close > 0) {
                String id = v.substring(1, close);
                String rest = v.substring(close + 1).strip();
                if (rest.isEmpty()) {
                    return ids.getOrDefault(id, v);
                }
                ids.put(id, rest);
                return rest;
            }
        }
        return v;
    }

    /** "fib'2" (Callgrind's second recursion level of fib) is fib. */
    private static String plain(String function) {
        int q = function.lastIndexOf('\'');
        if (q > 0 && q < function.length() - 1 && function.substring(q + 1).chars().allMatch(Character::isDigit)) {
            return function.substring(0, q);
        }
        return function;
    }
}
