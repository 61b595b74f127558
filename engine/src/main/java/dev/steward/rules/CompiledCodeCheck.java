package dev.steward.rules;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The authoritative half of the DRL policy: reads every class the executable model compiled a
 * DRL file into (constraints, {@code eval}, {@code from}, consequences, the rule definitions) and
 * refuses every reference outside an allowlist, member by member, whatever the source spelling:
 * a fully qualified name, a unicode escape, reflection and an import all end up as the same
 * constant in the bytecode. Also refuses loops (a jump backwards) in code a rule wrote.
 *
 * <p>Allowed: the classes of the module itself (each is checked too), the fact model
 * ({@link DrlPreamble#FACT_MODEL}, less {@link FieldChange#track}), strings, numbers,
 * {@code Math}, {@code java.time}, {@code java.math}, named {@code java.util} collection types,
 * and the few members of Drools' executable-model API that the generated code calls. Never:
 * {@code getClass}, {@code System}, {@code Runtime}, {@code Thread}, {@code Class},
 * {@code ClassLoader}, reflection, I/O, {@code ServiceLoader}, the KIE runtime
 * ({@code drools.getKieRuntime()}), or anything else not listed.
 *
 * <p>Depends on the layout of Drools 10.2's generated classes (a {@code rule_*} method per rule
 * in {@code Rules*RuleMethods*}, one enum class per lambda); the regression suite pins it.
 */
final class CompiledCodeCheck {

    /** Bumped whenever what the policy allows changes: part of the compile cache's key. */
    static final int VERSION = 1;

    /**
     * One reference the policy refuses.
     *
     * @param member  {@code java.lang.System.exit}, {@code java.lang.Thread} (a type) or {@code a loop}
     * @param pkg     the DRL package of the rule whose code it is, or null when unknown
     * @param rule    the rule's name, or null when unknown
     * @param where   the generated class and method ({@code rules/P1A/LambdaConsequence1A2B.execute})
     */
    record Refusal(String member, String pkg, String rule, String where) {
    }

    /** Types every member of which rules may use, except the {@link #NEVER} ones. */
    private static final Set<String> OPEN_TYPES = Set.of(
            "java/lang/Object", "java/lang/String", "java/lang/CharSequence", "java/lang/StringBuilder",
            "java/lang/Number", "java/lang/Integer", "java/lang/Long", "java/lang/Double", "java/lang/Float",
            "java/lang/Short", "java/lang/Byte", "java/lang/Boolean", "java/lang/Character", "java/lang/Math",
            "java/lang/Objects", "java/util/Objects", "java/lang/Enum", "java/lang/Comparable",
            "java/lang/RuntimeException", "java/lang/IllegalArgumentException", "java/lang/IllegalStateException",
            "java/lang/NumberFormatException", "java/lang/ArithmeticException", "java/lang/NullPointerException",
            "java/lang/Iterable",
            "java/util/Collection", "java/util/List", "java/util/ArrayList", "java/util/LinkedList",
            "java/util/Map", "java/util/Map$Entry", "java/util/HashMap", "java/util/LinkedHashMap", "java/util/TreeMap",
            "java/util/Set", "java/util/HashSet", "java/util/LinkedHashSet", "java/util/TreeSet",
            "java/util/Iterator", "java/util/Optional", "java/util/Locale", "java/util/Arrays", "java/util/Collections",
            "java/util/UUID", "java/util/regex/Pattern", "java/util/regex/Matcher",
            "org/drools/modelcompiler/util/EvaluationUtil",
            "dev/steward/rules/Record", "dev/steward/rules/FieldChange", "dev/steward/rules/Decision",
            "dev/steward/rules/Outcome");

    /** Whole packages of values (no sub-packages): dates, times and big numbers. */
    private static final List<String> OPEN_PACKAGES = List.of("java/time/", "java/time/format/",
            "java/time/temporal/", "java/math/");

    /** Members refused on every type, since {@code Object} is open. */
    private static final Set<String> NEVER = Set.of("getClass", "wait", "notify", "notifyAll", "finalize",
            "track", "forEach", "stream", "parallelStream", "spliterator", "removeIf", "replaceAll", "computeIfAbsent",
            "computeIfPresent", "compute", "merge");

    /**
     * What the executable model's generated code needs of Drools, member by member: the rule
     * DSL and the consequence context's insert, update and delete. Not {@code getKieRuntime},
     * {@code getRuntime}, {@code getContext} or anything else of the KIE runtime.
     */
    private static final Map<String, Predicate<String>> DROOLS = new HashMap<>();

    static {
        Predicate<String> any = member -> true;
        for (String dsl : List.of("org/drools/modelcompiler/dsl/pattern/D", "org/drools/model/DSL",
                "org/drools/model/PatternDSL", "org/drools/model/PatternDSL$PatternDef",
                "org/drools/model/PatternDSL$PatternDefImpl", "org/drools/model/PatternDSL$ReactOn",
                "org/drools/model/impl/RuleBuilder", "org/drools/model/RuleItemBuilder", "org/drools/model/Rule",
                "org/drools/model/Declaration", "org/drools/model/Variable", "org/drools/model/Index$ConstraintType",
                "org/drools/model/AlphaIndex", "org/drools/model/BetaIndex", "org/drools/model/BetaIndex2",
                "org/drools/model/BetaIndex3", "org/drools/model/BetaIndexN", "org/drools/model/DomainClassMetadata",
                "org/drools/model/PropertySpecificDomainClassMetadata", "org/drools/model/DomainClassesMetadata",
                "org/drools/model/Global", "org/drools/model/Query", "org/drools/model/Model",
                "org/drools/model/impl/ModelImpl", "org/drools/model/TypeMetaData", "org/drools/model/EntryPoint",
                "org/drools/model/From", "org/drools/model/From1", "org/drools/model/UnitData",
                "org/drools/model/ExprViewItem", "org/drools/model/view/ExprViewItem", "org/drools/model/view/ViewItem",
                "org/drools/model/view/ViewItemBuilder", "org/drools/model/ConditionalConsequence",
                "org/drools/model/consequences/ConditionalNamedConsequenceBuilder",
                "org/drools/model/consequences/NamedConsequenceImpl", "org/drools/model/Value",
                "org/drools/model/AccumulateFunction", "org/drools/model/functions/accumulate/AccumulateFunction",
                "org/drools/model/Argument", "org/drools/model/Drools$$", "org/drools/model/PredicateInformation",
                "org/drools/model/functions/PredicateInformation", "org/drools/model/functions/Operator",
                "org/drools/model/functions/IntrospectableLambda", "org/drools/model/functions/HashedExpression",
                "org/drools/model/impl/DeclarationImpl", "org/drools/model/impl/RuleBuilder$RuleBuilderImpl",
                "org/drools/model/Pattern", "org/drools/model/Condition", "org/drools/model/WindowReference",
                "org/drools/model/Window", "org/drools/model/view/Expr1ViewItem", "org/drools/model/view/Expr2ViewItem",
                "org/drools/model/ConstraintOperator", "org/drools/model/BitMask", "org/drools/model/bitmask/BitMaskUtil",
                "org/drools/model/bitmask/AllSetBitMask", "org/drools/model/bitmask/EmptyBitMask",
                "org/drools/model/bitmask/LongBitMask", "org/drools/model/bitmask/OpenBitSet",
                "org/drools/model/Index", "org/drools/model/impl/EntryPointImpl",
                "org/drools/model/Rule$Attribute")) {
            DROOLS.put(dsl, any);
        }
        // The consequence context: a consequence may insert, update and delete facts.
        Set<String> context = Set.of("insert", "insertLogical", "update", "delete", "retract", "getRule", "getMatch");
        DROOLS.put("org/drools/model/Drools", context::contains);
        DROOLS.put("org/drools/core/rule/consequence/KnowledgeHelper", context::contains);
        DROOLS.put("org/drools/modelcompiler/consequence/DroolsImpl", Set.of("asKnowledgeHelper")::contains);
        DROOLS.put("org/kie/api/definition/rule/Rule", Set.of("getName", "getPackageName")::contains);
        DROOLS.put("org/drools/util/DateUtils", Set.of("getDateFormatMask")::contains);
    }

    /**
     * Package prefixes whose every class is part of the executable model's own API: the rule
     * DSL's builders, functional interfaces and accumulate functions. Checked after
     * {@link #DROOLS_REFUSED}, which takes out their doors to the runtime.
     */
    private static final List<String> DROOLS_PACKAGES = List.of("org/drools/model/consequences/",
            "org/drools/model/functions/", "org/drools/model/view/", "org/drools/model/patterns/",
            "org/drools/model/impl/", "org/drools/model/operators/", "org/drools/model/functions/accumulate/",
            "org/drools/core/base/accumulators/", "org/drools/modelcompiler/dsl/pattern/", "org/drools/model/bitmask/");

    /** Members of those packages that rules may not call. */
    private static final Pattern DROOLS_REFUSED = Pattern.compile(
            "(getKieRuntime|getRuntime|getContext|getWorkingMemory|getEntryPoint|getChannels|halt|getKieBase|getSession.*)");

    /** The bootstrap methods the compiler itself uses for lambdas and string concatenation. */
    private static final Set<String> BOOTSTRAPS = Set.of(
            "java/lang/invoke/LambdaMetafactory.metafactory", "java/lang/invoke/LambdaMetafactory.altMetafactory",
            "java/lang/invoke/StringConcatFactory.makeConcatWithConstants",
            "java/lang/invoke/StringConcatFactory.makeConcat");

    /** Infrastructure members the generated code itself uses: enum lambdas copy their values array. */
    private static final Set<String> INFRASTRUCTURE = Set.of("java/lang/System.arraycopy");

    private static final Pattern RULE_METHODS = Pattern.compile(".*Rules[0-9A-F]+RuleMethods\\d+");

    private final Set<String> module;
    /** Module class (outer name) to the rule that uses it: package and name. */
    private final Map<String, String[]> ruleOf = new HashMap<>();
    /** Synthetic lambda method ({@code owner.name}) to the rule whose definition uses it. */
    private final Map<String, String[]> ruleOfMethod = new HashMap<>();
    private final List<Refusal> refusals = new ArrayList<>();
    /** The class and method being scanned. */
    private String where = "";

    private CompiledCodeCheck(Set<String> module) {
        this.module = module;
    }

    /**
     * Checks a compiled KIE module's classes.
     *
     * @param classes binary class files by internal name ({@code rules/Rules1A2BRuleMethods0})
     * @param ignored classes not made from DRL text (the module's {@code ProjectModel}), not checked
     * @return what the policy refuses, each reference once per rule, in the order found
     */
    static List<Refusal> check(Map<String, byte[]> classes, Set<String> ignored) {
        CompiledCodeCheck check = new CompiledCodeCheck(classes.keySet());
        classes.forEach((name, bytes) -> {
            if (RULE_METHODS.matcher(name).matches()) {
                check.mapRules(name, bytes);
            }
        });
        Map<String, Refusal> unique = new LinkedHashMap<>();
        classes.forEach((name, bytes) -> {
            if (!ignored.contains(name)) {
                check.scan(name, bytes);
            }
        });
        check.refusals.forEach(r -> unique.putIfAbsent(r.member + "|" + r.pkg + "|" + r.rule, r));
        return List.copyOf(unique.values());
    }

    /** Reads each {@code rule_*} method: the rule it defines and the lambda classes it uses. */
    private void mapRules(String className, byte[] bytes) {
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (!name.startsWith("rule_")) {
                    return null;
                }
                List<String> used = new ArrayList<>();
                String[] rule = new String[2];
                return new MethodVisitor(Opcodes.ASM9) {
                    private final List<String> strings = new ArrayList<>();

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof String s) {
                            strings.add(s);
                        }
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String member, String desc, boolean itf) {
                        if (member.equals("rule") && owner.startsWith("org/drools/") && strings.size() >= 2 && rule[1] == null) {
                            rule[0] = strings.get(strings.size() - 2);
                            rule[1] = strings.get(strings.size() - 1);
                        }
                        used.add(owner);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String member, String desc) {
                        used.add(owner);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        used.add(type);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap, Object... arguments) {
                        for (Object argument : arguments) {
                            if (argument instanceof Handle handle) {
                                used.add(handle.getOwner() + "." + handle.getName());
                            }
                        }
                    }

                    @Override
                    public void visitEnd() {
                        if (rule[1] != null) {
                            // The rule_ method itself: a from expression without variables runs right in it.
                            ruleOfMethod.put(className + "." + name, rule);
                            for (String owner : used) {
                                if (module.contains(owner)) {
                                    ruleOf.putIfAbsent(owner, rule);
                                } else if (owner.contains(".")) {
                                    ruleOfMethod.putIfAbsent(owner, rule);
                                }
                            }
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
    }

    private void scan(String className, byte[] bytes) {
        String outer = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        boolean ruleMethods = RULE_METHODS.matcher(className).matches();
        boolean lambda = outer.substring(outer.lastIndexOf('/') + 1).startsWith("Lambda");
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            private String[] classRule = ruleOf.getOrDefault(className, ruleOf.get(outer));

            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                where = className;
                if (superName != null) {
                    supertype(superName, classRule);
                }
                for (String type : interfaces) {
                    supertype(type, classRule);
                }
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                String[] rule = ruleMethods ? ruleOfMethod.get(className + "." + name) : classRule;
                // Code a rule wrote lives in the lambda classes (and classes nested in them) and the rule definitions.
                boolean userCode = lambda || ruleMethods || className.contains("$");
                where = className + "." + name;
                return new Checker(rule, userCode);
            }
        }, ClassReader.SKIP_FRAMES);
    }

    private void supertype(String type, String[] rule) {
        if (!module.contains(type) && !typeAllowed(type) && !type.startsWith("org/drools/model/functions/")
                && !type.equals("org/drools/model/Model") && !type.startsWith("org/drools/model/DomainClass")
                && !type.equals("org/drools/model/PropertySpecificDomainClassMetadata")
                && !type.equals("org/drools/modelcompiler/CanonicalModel")) {
            refuse(name(type), rule);
        }
    }

    private void refuse(String member, String[] rule) {
        refusals.add(new Refusal(member, rule == null ? null : rule[0], rule == null ? null : rule[1], where));
    }

    /** Checks one method's instructions. */
    private final class Checker extends MethodVisitor {

        private final String[] rule;
        private final boolean userCode;
        private final Set<Label> seen = new HashSet<>();

        Checker(String[] rule, boolean userCode) {
            super(Opcodes.ASM9);
            this.rule = rule;
            this.userCode = userCode;
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            backwards(label);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            backwards(dflt);
            for (Label label : labels) {
                backwards(label);
            }
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            backwards(dflt);
            for (Label label : labels) {
                backwards(label);
            }
        }

        private void backwards(Label target) {
            if (userCode && seen.contains(target)) {
                refuse("a loop", rule);
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String member, String descriptor, boolean isInterface) {
            member(owner, member);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String member, String descriptor) {
            member(owner, member);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            type(type);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            type(Type.getType(descriptor));
        }

        @Override
        public void visitLdcInsn(Object value) {
            constant(value);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            if (!BOOTSTRAPS.contains(bootstrap.getOwner() + "." + bootstrap.getName())) {
                refuse(name(bootstrap.getOwner()) + "." + bootstrap.getName(), rule);
            }
            for (Object argument : arguments) {
                constant(argument);
            }
        }

        private void constant(Object value) {
            switch (value) {
                case Type type -> type(type);
                case Handle handle -> member(handle.getOwner(), handle.getName());
                case ConstantDynamic dynamic -> refuse("a dynamic constant", rule);
                default -> {
                }
            }
        }

        private void type(Type type) {
            Type element = type.getSort() == Type.ARRAY ? type.getElementType() : type;
            if (element.getSort() == Type.OBJECT) {
                type(element.getInternalName());
            } else if (element.getSort() == Type.METHOD) {
                type(element.getReturnType());
                for (Type argument : element.getArgumentTypes()) {
                    type(argument);
                }
            }
        }

        private void type(String internalName) {
            if (internalName.startsWith("[")) {
                type(Type.getType(internalName));
                return;
            }
            if (!module.contains(internalName) && !typeAllowed(internalName) && !DROOLS.containsKey(internalName)
                    && !inDroolsPackage(internalName)) {
                refuse(name(internalName), rule);
            }
        }

        private void member(String owner, String member) {
            if (owner.startsWith("[")) {
                // Array methods: clone() of an enum's values, and Object's members.
                if (NEVER.contains(member)) {
                    refuse(name(owner) + "." + member, rule);
                }
                return;
            }
            if (module.contains(owner)) {
                return;
            }
            if (INFRASTRUCTURE.contains(owner + "." + member)) {
                return;
            }
            if (NEVER.contains(member) && !(member.equals("track") && !owner.equals("dev/steward/rules/FieldChange"))) {
                refuse(name(owner) + "." + member, rule);
                return;
            }
            if (typeAllowed(owner)) {
                return;
            }
            Predicate<String> drools = DROOLS.get(owner);
            if (drools != null ? drools.test(member) : inDroolsPackage(owner) && !DROOLS_REFUSED.matcher(member).matches()) {
                return;
            }
            refuse(name(owner) + "." + member, rule);
        }
    }

    private static boolean typeAllowed(String internalName) {
        if (OPEN_TYPES.contains(internalName)) {
            return true;
        }
        int slash = internalName.lastIndexOf('/');
        String pkg = internalName.substring(0, slash + 1);
        return OPEN_PACKAGES.contains(pkg);
    }

    private static boolean inDroolsPackage(String internalName) {
        for (String pkg : DROOLS_PACKAGES) {
            if (internalName.startsWith(pkg) && internalName.indexOf('/', pkg.length()) < 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code java/lang/System} as {@code java.lang.System}, nested types with a dot too. */
    static String name(String internalName) {
        return internalName.replace('/', '.').replace('$', '.');
    }
}
