package dev.steward.rules;

import dev.steward.model.DrlSource;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.drools.model.codegen.ExecutableModelProject;
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

    private final byte[] jar;
    private final Map<String, byte[]> classes;
    /** The module built in this process, when it was. */
    private final InternalKieModule built;

    private CompiledModule(byte[] jar, Map<String, byte[]> classes, InternalKieModule built) {
        this.jar = jar;
        this.classes = classes;
        this.built = built;
    }

    /** What {@code KieBuilder.buildAll(ExecutableModelProject.class)} built. */
    static CompiledModule of(KieModule module) {
        InternalKieModule internal = (InternalKieModule) module;
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String name : internal.getFileNames()) {
            if (name.endsWith(".class")) {
                classes.put(name.substring(0, name.length() - ".class".length()), internal.getBytes(name));
            }
        }
        return new CompiledModule(null, classes, internal);
    }

    /** A module jar as {@link #jar()} gave it. */
    static CompiledModule of(byte[] jar) {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().endsWith(".class")) {
                    classes.put(entry.getName().substring(0, entry.getName().length() - ".class".length()), zip.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CompiledModule(jar, classes, null);
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

    /** A KieBase of this module; KIE's global repository holds the module only while making it. */
    KieBase kieBase(KieServices kie, ClassLoader classLoader) {
        KieModule module = built != null ? built
                : kie.getRepository().addKieModule(kie.getResources().newByteArrayResource(jar));
        if (built != null) {
            kie.getRepository().addKieModule(built);
        }
        try {
            return kie.newKieContainer(module.getReleaseId(), classLoader).getKieBase();
        } finally {
            kie.getRepository().removeKieModule(module.getReleaseId());
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
