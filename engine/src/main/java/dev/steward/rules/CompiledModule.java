package dev.steward.rules;

import dev.steward.model.DrlSource;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.drools.model.Model;
import org.drools.model.codegen.ExecutableModelProject;
import org.drools.modelcompiler.KieBaseBuilder;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieModule;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * DRL files compiled by the executable model: a KIE module jar whose class files the DRL policy
 * reads and from which a KieBase is made, fresh from the compiler or from {@link CompiledModuleCache}.
 */
final class CompiledModule {

    /** Where the executable model lists its rule classes ({@code META-INF/kie/<gav>/drools-model}). */
    private static final String MODEL_FILE = "/drools-model";

    private final byte[] jar;
    private final Map<String, byte[]> classes;
    /** The executable model's rule classes ({@link Model}s), by binary name. */
    private final List<String> models;
    /** The module built in this process, when it was. */
    private final InternalKieModule built;

    private CompiledModule(byte[] jar, Map<String, byte[]> classes, List<String> models, InternalKieModule built) {
        this.jar = jar;
        this.classes = classes;
        this.models = List.copyOf(models);
        this.built = built;
    }

    /** What {@code KieBuilder.buildAll(ExecutableModelProject.class)} built. */
    static CompiledModule of(KieModule module) {
        InternalKieModule internal = (InternalKieModule) module;
        Map<String, byte[]> classes = new LinkedHashMap<>();
        List<String> models = new ArrayList<>();
        for (String name : internal.getFileNames()) {
            if (name.endsWith(".class")) {
                classes.put(name.substring(0, name.length() - ".class".length()), internal.getBytes(name));
            } else if (name.endsWith(MODEL_FILE)) {
                models.addAll(modelNames(internal.getBytes(name)));
            }
        }
        return new CompiledModule(null, classes, models, internal);
    }

    /** A module jar as {@link #jar()} gave it. */
    static CompiledModule of(byte[] jar) {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        List<String> models = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().endsWith(".class")) {
                    classes.put(entry.getName().substring(0, entry.getName().length() - ".class".length()), zip.readAllBytes());
                } else if (entry.getName().endsWith(MODEL_FILE)) {
                    models.addAll(modelNames(zip.readAllBytes()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CompiledModule(jar, classes, models, null);
    }

    /** The module's class files by internal name. */
    Map<String, byte[]> classes() {
        return classes;
    }

    /**
     * Classes KIE generates from the module's release id, not from DRL text: the
     * {@code ProjectModel}, which describes the module to the KIE runtime.
     */
    Set<String> generated() {
        Set<String> generated = new HashSet<>();
        for (String name : classes.keySet()) {
            if (name.startsWith("org/drools/project/model/ProjectModel_dev_steward_rules_rules_") && !name.contains("$")) {
                generated.add(name);
            }
        }
        return generated;
    }

    byte[] jar() {
        return jar != null ? jar : built.getBytes();
    }

    /**
     * A KieBase of this module, made straight from its executable model's rule classes. KIE's
     * container path ({@code KieServices.newKieContainer}) would read the module's
     * {@code kmodule.xml} with XStream, whose first use costs more than a second of start-up; the
     * module is Steward's own (one default KieBase, no configuration), so nothing in that file is
     * needed.
     */
    KieBase kieBase(ClassLoader parent) {
        if (models.isEmpty()) {
            throw new IllegalStateException("the compiled DRL module lists no rule classes (no " + MODEL_FILE + " file)");
        }
        ModuleClassLoader loader = new ModuleClassLoader(classes, parent);
        List<Model> rules = new ArrayList<>();
        for (String name : models) {
            try {
                rules.add((Model) loader.loadClass(name).getConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot load the compiled rule class " + name, e);
            }
        }
        return KieBaseBuilder.createKieBaseFromModel(rules, KieServices.Factory.get().newKieBaseConfiguration(null, loader));
    }

    private static List<String> modelNames(byte[] file) {
        return new String(file, StandardCharsets.UTF_8).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("Drools-Model-Version:")).toList();
    }

    /** Defines the module's classes, from their bytes, as the rules first use them. */
    private static final class ModuleClassLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        ModuleClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
            super("steward-rules", parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.get(name.replace('.', '/'));
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    /**
     * The compile cache's key: the SHA-256 of the DRL files (names and texts), the fact model's
     * class files, Drools' and the policy's versions. Any change to what the compiled code
     * depends on makes a new key.
     */
    static String key(List<DrlSource> sources) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, "steward-drl/" + CompiledCodeCheck.VERSION);
            update(sha, String.valueOf(ExecutableModelProject.class.getProtectionDomain().getCodeSource().getLocation()));
            update(sha, String.valueOf(KieServices.class.getProtectionDomain().getCodeSource().getLocation()));
            for (Class<?> type : DrlPreamble.FACT_MODEL) {
                try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
                    if (in != null) {
                        sha.update(in.readAllBytes());
                    }
                }
            }
            for (DrlSource source : sources) {
                update(sha, source.file());
                update(sha, source.text());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void update(MessageDigest sha, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        sha.update(HexFormat.of().formatHex(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16),
                (byte) (bytes.length >>> 8), (byte) bytes.length}).getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
    }
}
