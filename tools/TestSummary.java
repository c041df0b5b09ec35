// Prints one summary over every test report of the run (Tycho prints one per execution, with no total), and names
// each skipped test with its reason, so a run without /dev/kvm says plainly what it did not run.
// Run as a source-file program: java tools/TestSummary.java <repo root>
//
// Reports read: the surefire reports of the reactor (plugins/*/target/surefire-reports/TEST-*.xml, the CLI end-to-end
// report among them, and update-site/target/surefire-reports/, tools/UpdateSiteCheck.java's) and, when the tests that
// need KVM ran on nested KVM (tools/nested-tests), that run's JUnit XML reports under build/nested/reports/. A class
// with results from the nested run takes them instead of the host's (where its KVM tests were only deferred); a
// deferred test that the nested run gave no result for stays NOT RUN with that reason. The nested classes are listed
// under "run on nested KVM". INSIGHT_MATRIX (ci or full) is named.
import java.nio.file.*;
import java.util.*;
import java.util.stream.*;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.*;

public class TestSummary {
    record Case(String className, String name, String outcome, String reason) {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<Path> hostReports = new ArrayList<>();
        for (String dir : List.of("plugins", "update-site")) {
            try (Stream<Path> s = Files.walk(root.resolve(dir), 4)) {
                s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
                 .filter(p -> p.getParent().getFileName().toString().equals("surefire-reports")).sorted()
                 .forEach(hostReports::add);
            }
        }
        Path nestedDir = root.resolve("build/nested/reports");
        List<Path> nestedReports = List.of();
        if (Files.isDirectory(nestedDir)) {
            try (Stream<Path> s = Files.walk(nestedDir, 3)) {
                nestedReports = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
            }
        }
        List<Case> host = new ArrayList<>();
        for (Path r : hostReports) host.addAll(read(r));
        List<Case> nested = new ArrayList<>();
        for (Path r : nestedReports) nested.addAll(read(r));
        Set<String> nestedClasses = nested.stream().map(Case::className).collect(Collectors.toCollection(TreeSet::new));

        List<Case> all = new ArrayList<>();
        for (Case c : host) if (!nestedClasses.contains(c.className())) all.add(c);
        all.addAll(nested);

        int passed = 0, failed = 0, skipped = 0;
        Map<String, List<String>> skippedByReason = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Case c : all) {
            String where = nestedClasses.contains(c.className()) ? "  (nested KVM)" : "";
            switch (c.outcome()) {
                case "failed" -> { failed++; failures.add(c.className() + "." + c.name() + where); }
                case "skipped" -> {
                    skipped++;
                    skippedByReason.computeIfAbsent(c.reason().isEmpty() ? "(no reason given)" : c.reason(),
                            k -> new ArrayList<>()).add(c.className() + "." + c.name() + where);
                }
                default -> passed++;
            }
        }
        System.out.println();
        System.out.println("==== InSight test summary (" + (hostReports.size() + nestedReports.size()) + " reports"
                + (nestedReports.isEmpty() ? "" : ": " + hostReports.size() + " from this host, " + nestedReports.size()
                        + " from nested KVM") + ") ====");
        Path status = nestedDir.resolve("status");
        if (Files.isRegularFile(status) && !Files.readString(status).strip().equals("0")) {
            System.out.println("nested KVM run: exit " + Files.readString(status).strip()
                    + " (124: timeout, 125: the VM failed; console in build/nested/last-console.log)");
        }
        if (!nestedClasses.isEmpty()) {
            System.out.println("run on nested KVM (tools/nested-tests: QEMU TCG with a nested KVM; functional only, never timings):");
            for (String cls : nestedClasses) {
                List<Case> cs = nested.stream().filter(c -> c.className().equals(cls)).toList();
                System.out.printf("        %-55s %s%n", cls, counts(cs));
            }
        }
        String matrix = System.getenv("INSIGHT_MATRIX");
        if (matrix != null && !matrix.isBlank()) {
            System.out.println("matrix " + matrix.strip() + (matrix.strip().equals("full") ? ": every combination"
                    : ": the CI selection of the large matrices (README, \"Tests\"); ./insight test --full runs all"));
        }
        for (String f : failures) System.out.println("FAILED  " + f);
        for (var e : skippedByReason.entrySet()) {
            System.out.println("NOT RUN (" + e.getValue().size() + "): " + e.getKey());
            for (String n : e.getValue()) System.out.println("        " + n);
        }
        System.out.println("tests: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
    }

    static String counts(List<Case> cs) {
        long f = cs.stream().filter(c -> c.outcome().equals("failed")).count();
        long s = cs.stream().filter(c -> c.outcome().equals("skipped")).count();
        return (cs.size() - f - s) + " passed" + (f > 0 ? ", " + f + " failed" : "") + (s > 0 ? ", " + s + " skipped" : "");
    }

    static List<Case> read(Path report) throws Exception {
        List<Case> out = new ArrayList<>();
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile());
        NodeList cases = d.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            String cls = c.getAttribute("classname"), name = c.getAttribute("name");
            if (has(c, "failure") || has(c, "error")) out.add(new Case(cls, name, "failed", ""));
            else if (has(c, "skipped")) out.add(new Case(cls, name, "skipped",
                    reason((Element) c.getElementsByTagName("skipped").item(0))));
            else out.add(new Case(cls, name, "passed", ""));
        }
        return out;
    }

    /** Surefire puts the reason in a message attribute, Tycho's reports in the text (exception line, then trace). */
    private static String reason(Element skipped) {
        String why = skipped.getAttribute("message");
        if (why.isEmpty()) {
            why = skipped.getTextContent().strip().lines().findFirst().orElse("");
            int colon = why.indexOf(": ");
            if (colon > 0 && why.substring(0, colon).matches("[\\w.$]+")) why = why.substring(colon + 2);
        }
        return why;
    }

    private static boolean has(Element e, String tag) { return e.getElementsByTagName(tag).getLength() > 0; }
}
