package org.insight.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.FileLocator;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.eclipse.osgi.util.NLS;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The headless {@code insight} command as an external process: this JVM's java, the installed bundle jars of
 * org.insight.cli and of everything it is wired to as its class path, and the nested machine's script shipped in this
 * bundle. The engine then decides the machine itself ({@code --vm}), exactly as on the command line.
 */
public final class EngineCommand {
	/** The CLI's main class. */
	static final String MAIN = org.insight.cli.Main.class.getName();
	private static final String SCRIPT = "scripts/nested-kvm";

	private EngineCommand() {
	}

	/** {@code java ... org.insight.cli.Main args...}. */
	public static List<String> commandLine(List<String> args) throws CoreException {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("--enable-native-access=ALL-UNNAMED");
		cmd.add("-Dinsight.nestedKvm=" + nestedKvmScript());
		cmd.add("-cp");
		cmd.add(String.join(File.pathSeparator, classPath()));
		cmd.add(MAIN);
		cmd.addAll(args);
		return cmd;
	}

	/**
	 * The environment additions of the engine's process: where the nested machine keeps its kernel and its share
	 * (as the distribution's bin/insight does), unless the user's environment says otherwise.
	 */
	public static void addEnvironment(Map<String, String> env) {
		Path cache = Path.of(System.getenv().getOrDefault("XDG_CACHE_HOME",
				System.getProperty("user.home") + "/.cache"), "insight");
		env.putIfAbsent("NESTED_KVM_CACHE", cache.resolve("nested").toString());
		env.putIfAbsent("NESTED_KVM_SHARE", cache.resolve("nested-share").toString());
		// the script would otherwise set JAVA_TOOL_OPTIONS, which the JVM inside announces on stderr
		env.putIfAbsent("NESTED_JAVA_TOOL_OPTIONS", "");
	}

	/** The jars (or folders) of org.insight.cli and every bundle it is wired to, transitively. */
	static List<String> classPath() throws CoreException {
		Bundle cli = FrameworkUtil.getBundle(org.insight.cli.Main.class);
		if (cli == null) {
			throw error(Messages.Engine_noCli, null);
		}
		Set<Bundle> seen = new LinkedHashSet<>();
		Deque<Bundle> todo = new ArrayDeque<>(List.of(cli));
		while (!todo.isEmpty()) {
			Bundle b = todo.pop();
			if (b.getBundleId() == 0 || !seen.add(b)) {
				continue;
			}
			BundleWiring wiring = b.adapt(BundleWiring.class);
			if (wiring != null) {
				for (BundleWire wire : wiring.getRequiredWires(null)) {
					todo.add(wire.getProvider().getBundle());
				}
			}
		}
		List<String> path = new ArrayList<>();
		for (Bundle b : seen) {
			File f = FileLocator.getBundleFileLocation(b)
					.orElseThrow(() -> error(NLS.bind(Messages.Engine_noBundleFile, b.getSymbolicName()), null));
			if (f.isDirectory() && new File(f, "target/classes").isDirectory()) {
				path.add(new File(f, "target/classes").getPath()); // a bundle run from its project (PDE, Tycho)
			} else if (f.isDirectory() && new File(f, "bin").isDirectory()) {
				path.add(new File(f, "bin").getPath());
			} else {
				path.add(f.getPath());
			}
		}
		return path;
	}

	/** The nested-kvm script of this bundle, extracted once per bundle version into the state location. */
	static synchronized Path nestedKvmScript() throws CoreException {
		Bundle core = FrameworkUtil.getBundle(EngineCommand.class);
		Path dir = Platform.getStateLocation(core).toFile().toPath().resolve("scripts-" + core.getVersion());
		Path script = dir.resolve("nested-kvm");
		if (Files.isExecutable(script)) {
			return script;
		}
		var url = core.getEntry(SCRIPT);
		if (url == null) {
			throw error(NLS.bind(Messages.Engine_noScript, SCRIPT), null);
		}
		try (InputStream in = url.openStream()) {
			Files.createDirectories(dir);
			Path tmp = Files.createTempFile(dir, "nested-kvm", ".tmp");
			Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
			Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
			Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return script;
		} catch (IOException e) {
			throw error(NLS.bind(Messages.Engine_noScript, script), e);
		}
	}

	static CoreException error(String message, Throwable cause) {
		return new CoreException(Status.error(message, cause));
	}

	static IStatus ok() {
		return Status.OK_STATUS;
	}
}
