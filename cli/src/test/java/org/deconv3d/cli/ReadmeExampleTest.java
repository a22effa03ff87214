package org.deconv3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java blocks, taken from README.md itself: each is compiled and run, and what a
 * {@code System.out.println(...); // TEXT} line promises must appear in the output. The application example and
 * its {@code module-info.java} must also be the very files of {@code examples/app}, which the build runs on the
 * class path and the module path. So a README change that breaks an example fails the build.
 */
class ReadmeExampleTest {

    private static final Path README = Paths.get("..", "README.md");
    private static final Path EXAMPLE = Paths.get("..", "examples", "app", "src", "main", "java");
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PROMISE = Pattern.compile("System\\.out\\.println\\(.*\\);\\s*// (.+)$",
            Pattern.MULTILINE);

    @TempDir
    Path work;

    private static List<String> javaBlocks() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void theApplicationExampleIsTheExampleProject() throws Exception {
        List<String> blocks = javaBlocks();
        String example = Files.readString(EXAMPLE.resolve("com/example/app/Example.java"), StandardCharsets.UTF_8);
        assertTrue(blocks.contains(example), "the README's Example block differs from examples/app's Example.java");
        String moduleInfo = Files.readString(EXAMPLE.resolve("module-info.java"), StandardCharsets.UTF_8);
        assertTrue(blocks.contains(moduleInfo), "the README's module-info block differs from examples/app's");
    }

    @Test
    void everyJavaBlockCompilesAndKeepsItsPromises() throws Exception {
        List<String> blocks = javaBlocks();
        assertTrue(blocks.size() >= 3, "README Java blocks found: " + blocks.size());
        int run = 0;
        for (int i = 0; i < blocks.size(); i++) {
            String block = blocks.get(i);
            if (Pattern.compile("(?m)^module ").matcher(block).find()) {
                continue; // the module declaration is checked against examples/app, which the build runs
            }
            String source;
            String className;
            if (block.contains("public class ")) {
                Matcher pkg = Pattern.compile("package ([\\w.]+);").matcher(block);
                Matcher cls = Pattern.compile("public class (\\w+)").matcher(block);
                assertTrue(pkg.find() && cls.find(), "README block " + i + " declares a class without a package");
                className = pkg.group(1) + "." + cls.group(1);
                source = block;
            } else {
                className = "readme.Snippet" + i;
                source = "package readme;\nimport org.deconv3d.*;\nimport java.util.Arrays;\npublic class Snippet" + i
                        + " {\n public static void main(String[] args) {\n" + block + "\n }\n}\n";
            }
            String out = compileAndRun(className, source);
            Matcher promise = PROMISE.matcher(block);
            while (promise.find()) {
                assertTrue(out.contains(promise.group(1).trim()), "README block " + i + " promises '"
                        + promise.group(1).trim() + "' but printed: " + out);
            }
            run++;
        }
        assertTrue(run >= 2);
    }

    private String compileAndRun(String className, String source) throws Exception {
        Path file = work.resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source, StandardCharsets.UTF_8);
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString());
        assertEquals(0, rc, "README block " + className + " does not compile:\n" + diagnostics + "\n" + source);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
