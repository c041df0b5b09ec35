// Checks that the update site zip is installable on its own into a stock Eclipse IDE, as a user installs it (Help >
// Install New Software > Add > Archive): the zip is then the only repository, so every requirement of what it holds
// must be met by the zip itself or by the Eclipse Platform that every Eclipse IDE package has. A static reading of the
// zip's p2 metadata, in 3 s (most of it the source launcher's compile): the real install (the p2 director from the zip
// alone into the bare platform product) is `./insight ide`, which takes minutes and needs the product built.
//
// Run by ./insight build and ./insight test after the reactor build:
//   java tools/UpdateSiteCheck.java ZIP PLATFORM_LIST [REPORT_XML]
// PLATFORM_LIST (update-site/stock-eclipse.txt) names, one "namespace name" a line, the capabilities the zip may take
// from the IDE it is installed into. The cases, each a test case of REPORT_XML (surefire format, counted by
// tools/TestSummary.java):
//   - featureComplete: the feature group is there, and every bundle or feature it includes has its unit and its file
//     (the artifact repository's rule: plugins/ID_VERSION.jar, features/ID_VERSION.jar) in the zip;
//   - requirementsMet: every mandatory requirement of every unit is met inside the zip (name and version range) or is
//     on PLATFORM_LIST; osgi.ee needs JavaSE 21 at most (what the Eclipse Platform itself needs);
//   - noPlatformBundles: no bundle on PLATFORM_LIST is in the zip (the IDE has its own, which the user keeps).
// Exit status 1 when a case fails; the failures are printed.
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class UpdateSiteCheck {
    static final String FEATURE = "org.insight.feature.feature.group";
    static final int MAX_JAVA = 21;

    record Capability(String namespace, String name, String version) {}

    record Requirement(String unit, String namespace, String name, String range, String match) {
        @Override
        public String toString() {
            return unit + " needs " + namespace + " " + (name != null ? name + " " + range : match);
        }
    }

    record Unit(String id, String version, List<Capability> provides, List<Requirement> requires) {}

    record Result(String name, List<String> failures) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java tools/UpdateSiteCheck.java ZIP PLATFORM_LIST [REPORT_XML]");
            System.exit(2);
        }
        Path zip = Path.of(args[0]);
        Set<String> platform = new HashSet<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) platform.add(l.replaceAll("\\s+", " "));
        }
        List<Unit> units;
        Set<String> entries = new HashSet<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            units = readUnits(repositoryXml(z, "content.jar", "content.xml"));
            z.stream().map(ZipEntry::getName).forEach(entries::add);
        }
        List<Capability> provided = units.stream().flatMap(u -> u.provides().stream()).toList();
        List<Result> results = List.of(
                new Result("featureComplete", featureComplete(units, entries)),
                new Result("requirementsMet", requirementsMet(units, provided, platform)),
                new Result("noPlatformBundles", noPlatformBundles(provided, platform)));
        int bundles = (int) entries.stream().filter(e -> e.startsWith("plugins/") && e.endsWith(".jar")).count();
        System.out.printf("update site check: %s, %d units, %d bundles%n", zip.getFileName(), units.size(), bundles);
        boolean ok = true;
        for (Result r : results) {
            System.out.printf("  %-18s %s%n", r.name(), r.failures().isEmpty() ? "ok" : "FAILED");
            r.failures().forEach(f -> System.out.println("      " + f));
            ok &= r.failures().isEmpty();
        }
        if (args.length > 2) writeReport(Path.of(args[2]), results);
        System.exit(ok ? 0 : 1);
    }

    static Document repositoryXml(ZipFile z, String jar, String xml) throws Exception {
        ZipEntry e = z.getEntry(jar);
        if (e == null) throw new IllegalStateException(z.getName() + " has no " + jar);
        try (ZipInputStream in = new ZipInputStream(z.getInputStream(e))) {
            for (ZipEntry inner; (inner = in.getNextEntry()) != null; ) {
                if (inner.getName().equals(xml)) return parse(in);
            }
        }
        throw new IllegalStateException(jar + " has no " + xml);
    }

    static Document parse(InputStream in) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
    }

    static List<Unit> readUnits(Document d) {
        List<Unit> units = new ArrayList<>();
        NodeList nodes = d.getElementsByTagName("unit");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element u = (Element) nodes.item(i);
            String id = u.getAttribute("id");
            List<Capability> provides = new ArrayList<>();
            for (Element p : children(u, "provides", "provided")) {
                provides.add(new Capability(p.getAttribute("namespace"), p.getAttribute("name"),
                        p.getAttribute("version")));
            }
            List<Requirement> requires = new ArrayList<>();
            for (Element r : children(u, "requires", null)) {
                if (r.getAttribute("optional").equals("true") || r.getAttribute("min").equals("0")) continue;
                if (r.getTagName().equals("required") && r.hasAttribute("name")) {
                    requires.add(new Requirement(id, r.getAttribute("namespace"), r.getAttribute("name"),
                            r.hasAttribute("range") ? r.getAttribute("range") : "0.0.0", null));
                } else {
                    requires.add(new Requirement(id, r.getAttribute("namespace"), null, null, r.getAttribute("match")));
                }
            }
            units.add(new Unit(id, u.getAttribute("version"), provides, requires));
        }
        return units;
    }

    /** The element children of u's first child named group (of any name when name is null). */
    static List<Element> children(Element u, String group, String name) {
        List<Element> out = new ArrayList<>();
        NodeList groups = u.getElementsByTagName(group);
        if (groups.getLength() == 0 || groups.item(0).getParentNode() != u) return out;
        NodeList kids = groups.item(0).getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            if (kids.item(i) instanceof Element e && (name == null || e.getTagName().equals(name))) out.add(e);
        }
        return out;
    }

    static List<String> featureComplete(List<Unit> units, Set<String> entries) {
        List<String> failures = new ArrayList<>();
        Unit feature = units.stream().filter(u -> u.id().equals(FEATURE)).findFirst().orElse(null);
        if (feature == null) return List.of("no unit " + FEATURE);
        for (Requirement r : feature.requires()) {
            if (!r.namespace().equals("org.eclipse.equinox.p2.iu") || r.name() == null) continue;
            Unit included = units.stream().filter(u -> u.id().equals(r.name()) && inRange(u.version(), r.range()))
                    .findFirst().orElse(null);
            if (included == null) {
                failures.add(FEATURE + " includes " + r.name() + " " + r.range() + ", which the zip lacks");
                continue;
            }
            String file = included.id().endsWith(".feature.jar")
                    ? "features/" + included.id().substring(0, included.id().length() - ".feature.jar".length())
                    : included.id().endsWith(".feature.group") ? null : "plugins/" + included.id();
            if (file != null && !entries.contains(file + "_" + included.version() + ".jar")) {
                failures.add("the zip has the unit " + included.id() + " " + included.version() + " but not "
                        + file + "_" + included.version() + ".jar");
            }
        }
        return failures;
    }

    static List<String> requirementsMet(List<Unit> units, List<Capability> provided, Set<String> platform) {
        Set<String> failures = new TreeSet<>();
        Pattern ee = Pattern.compile("\\(&\\(osgi\\.ee=JavaSE\\)\\(version=([0-9.]+)\\)\\)");
        for (Unit u : units) {
            for (Requirement r : u.requires()) {
                if (r.name() == null) {
                    Matcher m = ee.matcher(r.match() == null ? "" : r.match());
                    if (r.namespace().equals("osgi.ee") && m.matches() && javaVersion(m.group(1)) <= MAX_JAVA) continue;
                    failures.add(r + ": not a requirement this check knows how to meet");
                } else if (provided.stream().noneMatch(c -> c.namespace().equals(r.namespace())
                        && c.name().equals(r.name()) && inRange(c.version(), r.range()))
                        && !platform.contains(r.namespace() + " " + r.name())) {
                    failures.add(r + ": neither in the zip nor on the platform list");
                }
            }
        }
        return new ArrayList<>(failures);
    }

    static List<String> noPlatformBundles(List<Capability> provided, Set<String> platform) {
        return provided.stream().filter(c -> c.namespace().equals("osgi.bundle"))
                .filter(c -> platform.contains("osgi.bundle " + c.name()))
                .map(c -> "the zip carries the platform bundle " + c.name() + " " + c.version()).toList();
    }

    static int javaVersion(String v) {
        String major = v.startsWith("1.") ? v.substring(2) : v;
        return Integer.parseInt(major.split("\\.")[0]);
    }

    /** p2's ranges: "V" is V or newer; "[a,b)", "(a,b]" and so on are intervals. */
    static boolean inRange(String version, String range) {
        range = range.strip();
        if (!range.startsWith("[") && !range.startsWith("(")) return compare(version, range) >= 0;
        String[] ends = range.substring(1, range.length() - 1).split(",");
        int low = compare(version, ends[0]), high = compare(version, ends[1]);
        return (range.startsWith("[") ? low >= 0 : low > 0) && (range.endsWith("]") ? high <= 0 : high < 0);
    }

    /** OSGi versions: major, minor and micro as numbers, the qualifier as a string. */
    static int compare(String a, String b) {
        String[] x = a.strip().split("\\.", 4), y = b.strip().split("\\.", 4);
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(i < x.length ? Long.parseLong(x[i]) : 0, i < y.length ? Long.parseLong(y[i]) : 0);
            if (c != 0) return c;
        }
        return (x.length > 3 ? x[3] : "").compareTo(y.length > 3 ? y[3] : "");
    }

    static void writeReport(Path report, List<Result> results) throws Exception {
        StringBuilder xml = new StringBuilder();
        long failed = results.stream().filter(r -> !r.failures().isEmpty()).count();
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
           .append(String.format("<testsuite name=\"insight.updatesite.UpdateSiteCheck\" tests=\"%d\" failures=\"%d\""
                   + " errors=\"0\" skipped=\"0\">%n", results.size(), failed));
        for (Result r : results) {
            xml.append(String.format("  <testcase classname=\"insight.updatesite.UpdateSiteCheck\" name=\"%s\""
                    + " time=\"0\"", r.name()));
            if (r.failures().isEmpty()) {
                xml.append("/>\n");
            } else {
                xml.append(">\n    <failure message=\"").append(escape(r.failures().get(0))).append("\">")
                   .append(escape(String.join("\n", r.failures()))).append("</failure>\n  </testcase>\n");
            }
        }
        xml.append("</testsuite>\n");
        Files.createDirectories(report.getParent());
        Files.writeString(report, xml);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
