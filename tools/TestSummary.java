// Prints one summary over every surefire report of the reactor (Tycho prints one per execution, with no total),
// and names each skipped test with its reason, so a run without /dev/kvm says plainly what it did not run.
// Run as a source-file program: java tools/TestSummary.java <repo root>
import java.nio.file.*;
import java.util.*;
import java.util.stream.*;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.*;

public class TestSummary {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<Path> reports;
        try (Stream<Path> s = Files.walk(root.resolve("plugins"), 4)) {
            reports = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
                       .filter(p -> p.getParent().getFileName().toString().equals("surefire-reports")).sorted().toList();
        }
        int passed = 0, failed = 0, skipped = 0;
        Map<String, List<String>> skippedByReason = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        var dbf = DocumentBuilderFactory.newInstance();
        for (Path r : reports) {
            Document d = dbf.newDocumentBuilder().parse(r.toFile());
            NodeList cases = d.getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                String name = c.getAttribute("classname") + "." + c.getAttribute("name");
                if (has(c, "failure") || has(c, "error")) { failed++; failures.add(name); }
                else if (has(c, "skipped")) {
                    skipped++;
                    Element sk = (Element) c.getElementsByTagName("skipped").item(0);
                    String why = reason(sk);
                    skippedByReason.computeIfAbsent(why.isEmpty() ? "(no reason given)" : why, k -> new ArrayList<>()).add(name);
                } else passed++;
            }
        }
        System.out.println();
        System.out.println("==== InSight test summary (" + reports.size() + " reports) ====");
        for (String f : failures) System.out.println("FAILED  " + f);
        for (var e : skippedByReason.entrySet()) {
            System.out.println("NOT RUN (" + e.getValue().size() + "): " + e.getKey());
            for (String n : e.getValue()) System.out.println("        " + n);
        }
        System.out.println("tests: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
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
