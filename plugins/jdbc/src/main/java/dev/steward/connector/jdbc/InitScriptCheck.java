package dev.steward.connector.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses, in a jdbc system's {@code init:} script, the statements that run code or touch the
 * database host's files: H2's {@code CREATE ALIAS}, {@code RUNSCRIPT}, {@code SCRIPT TO},
 * {@code BACKUP}, {@code CREATE TRIGGER ... AS/CALL}, {@code FILE_READ}, {@code CSVWRITE}...;
 * PostgreSQL's {@code COPY ... PROGRAM} or to and from files, {@code lo_import},
 * {@code pg_read_file}, {@code dblink}, {@code CREATE FUNCTION}, {@code CREATE EXTENSION},
 * {@code DO}; SQLite's {@code load_extension}, {@code ATTACH}, {@code VACUUM INTO}. An init script
 * creates and seeds tables; nothing it needs is on this list. The script is read as tokens
 * ({@link SqlTokens}), so comments, case and line breaks do not hide a statement. Stateless.
 */
final class InitScriptCheck {

    /** One refused statement or call, at its line and column. */
    record Finding(int line, int column, String message) {
    }

    private static final String FILES = " reads or writes files on the database host";
    private static final String CODE = " runs code in the database";

    /** Functions refused wherever they appear, quoted or not. */
    private static final Map<String, String> FUNCTIONS = Map.ofEntries(
            Map.entry("FILE_READ", FILES), Map.entry("FILE_WRITE", FILES), Map.entry("CSVREAD", FILES),
            Map.entry("CSVWRITE", FILES), Map.entry("LINK_SCHEMA", " connects to another database"),
            Map.entry("LO_IMPORT", FILES), Map.entry("LO_EXPORT", FILES), Map.entry("PG_READ_FILE", FILES),
            Map.entry("PG_READ_BINARY_FILE", FILES), Map.entry("PG_LS_DIR", FILES), Map.entry("PG_STAT_FILE", FILES),
            Map.entry("PG_FILE_WRITE", FILES), Map.entry("PG_FILE_RENAME", FILES), Map.entry("PG_FILE_UNLINK", FILES),
            Map.entry("DBLINK", " connects to another database"), Map.entry("DBLINK_EXEC", " connects to another database"),
            Map.entry("DBLINK_CONNECT", " connects to another database"),
            Map.entry("LOAD_EXTENSION", " loads native code"), Map.entry("READFILE", FILES),
            Map.entry("WRITEFILE", FILES), Map.entry("FTS3_TOKENIZER", " can load native code"));
    /** Statements refused by their first word. */
    private static final Map<String, String> STATEMENTS = Map.of(
            "RUNSCRIPT", " runs another script from a file or URL", "BACKUP", " writes a file on the database host",
            "DO", CODE, "LOAD", " loads native code", "ATTACH", " opens another database file",
            "IMPORT", " reads from another server");
    /** What CREATE may not make. */
    private static final Map<String, String> CREATED = Map.ofEntries(
            Map.entry("ALIAS", " runs Java code"), Map.entry("FUNCTION", CODE), Map.entry("PROCEDURE", CODE),
            Map.entry("LANGUAGE", CODE), Map.entry("EXTENSION", " loads native code"),
            Map.entry("AGGREGATE", " runs Java code"), Map.entry("LINKED", " connects to another database"),
            Map.entry("SERVER", " connects to another server"), Map.entry("FOREIGN", " reads from outside the database"),
            Map.entry("TABLESPACE", " writes a folder on the database host"),
            Map.entry("SUBSCRIPTION", " connects to another server"));
    /** Words between CREATE and what it creates. */
    private static final Set<String> MODIFIERS = Set.of("OR", "REPLACE", "FORCE", "TRUSTED", "UNTRUSTED",
            "PROCEDURAL", "TEMP", "TEMPORARY", "LOCAL", "GLOBAL", "CACHED", "MEMORY", "UNLOGGED", "IF", "NOT",
            "EXISTS", "CONSTRAINT", "DEFAULT", "EVENT", "DATA", "WRAPPER");
    /** Settings that load a class, write a trace file, or preload a library. */
    private static final Set<String> SETTINGS = Set.of("DATABASE_EVENT_LISTENER", "JAVA_OBJECT_SERIALIZER",
            "TRACE_LEVEL_FILE", "SESSION_PRELOAD_LIBRARIES", "LOCAL_PRELOAD_LIBRARIES", "DYNAMIC_LIBRARY_PATH");

    private InitScriptCheck() {
    }

    static List<Finding> check(String script) {
        List<Finding> findings = new ArrayList<>();
        check(script, 0, 0, findings);
        return findings;
    }

    /** Checks text that starts at the given line (0-based offset) and column of the whole script. */
    private static void check(String script, int lineOffset, int columnOffset, List<Finding> findings) {
        List<SqlTokens.Token> tokens;
        try {
            tokens = SqlTokens.of(script);
        } catch (SqlTokens.Unreadable e) {
            findings.add(new Finding(e.line + lineOffset, e.line == 1 ? e.column + columnOffset : e.column,
                    e.getMessage() + "; write the script plainly"));
            return;
        }
        List<SqlTokens.Token> statement = new ArrayList<>();
        for (SqlTokens.Token token : tokens) {
            if (token.isSymbol(';')) {
                statement(statement, lineOffset, columnOffset, findings);
                statement.clear();
            } else {
                statement.add(token);
            }
        }
        statement(statement, lineOffset, columnOffset, findings);
    }

    private static void statement(List<SqlTokens.Token> tokens, int lineOffset, int columnOffset,
                                  List<Finding> findings) {
        List<SqlTokens.Token> words = tokens.stream()
                .filter(t -> t.kind() == SqlTokens.Kind.WORD || t.kind() == SqlTokens.Kind.QUOTED_WORD).toList();
        for (SqlTokens.Token token : tokens) {
            String why = token.kind() == SqlTokens.Kind.SYMBOL || token.kind() == SqlTokens.Kind.STRING
                    ? null : FUNCTIONS.get(token.text());
            if (why != null) {
                findings.add(at(token, lineOffset, columnOffset, token.text() + why));
            }
            if (token.kind() == SqlTokens.Kind.DOLLAR) {
                // PostgreSQL reads $$...$$ as text; H2 reads $$...$$ as Java source and $tag$ not at
                // all: its contents are checked as code too.
                check(token.text(), lineOffset + token.line() - 1,
                        (token.line() == 1 ? columnOffset : 0) + token.column(), findings);
            }
        }
        if (words.isEmpty() || tokens.getFirst().kind() != SqlTokens.Kind.WORD) {
            return;
        }
        SqlTokens.Token first = words.getFirst();
        String verb = first.text();
        String refused = null;
        if (STATEMENTS.containsKey(verb)) {
            refused = verb + STATEMENTS.get(verb);
        } else if (verb.equals("CREATE")) {
            refused = created(words);
        } else if (verb.equals("SCRIPT") && hasWord(words, "TO")) {
            refused = "SCRIPT TO writes a file on the database host";
        } else if (verb.equals("COPY") && copiesOutside(tokens)) {
            refused = "COPY from or to a file or program" + FILES + "; only STDIN and STDOUT are allowed";
        } else if (verb.equals("VACUUM") && hasWord(words, "INTO")) {
            refused = "VACUUM INTO writes a file on the database host";
        } else if (verb.equals("ALTER") && words.size() > 1 && words.get(1).isWord("SYSTEM")) {
            refused = "ALTER SYSTEM changes the database server's configuration";
        } else if (verb.equals("EXECUTE") && words.size() > 1 && words.get(1).isWord("IMMEDIATE")) {
            refused = "EXECUTE IMMEDIATE runs SQL that cannot be checked";
        } else if (verb.equals("SET") && words.stream().anyMatch(w -> SETTINGS.contains(w.text()))) {
            refused = "SET " + words.stream().filter(w -> SETTINGS.contains(w.text())).findFirst().orElseThrow().text()
                    + " loads code or writes files";
        }
        if (refused != null) {
            findings.add(at(first, lineOffset, columnOffset, refused));
            return;
        }
        // a CREATE later in the statement (after text a database may read as code) counts too
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).kind() == SqlTokens.Kind.WORD && words.get(i).text().equals("CREATE")) {
                String later = created(words.subList(i, words.size()));
                if (later != null) {
                    findings.add(at(words.get(i), lineOffset, columnOffset, later));
                    return;
                }
            }
        }
    }

    private static String created(List<SqlTokens.Token> words) {
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i).text();
            if (MODIFIERS.contains(word)) {
                continue;
            }
            if (CREATED.containsKey(word)) {
                return "CREATE " + word + CREATED.get(word);
            }
            // H2 names a Java class (CALL) or source (AS) before any body; SQLite's body starts at BEGIN
            List<SqlTokens.Token> head = words.subList(i, words.stream().filter(w -> w.isWord("BEGIN")).findFirst()
                    .map(words::indexOf).orElse(words.size()));
            if (word.equals("TRIGGER") && (hasWord(head, "AS") || hasWord(head, "CALL"))) {
                return "CREATE TRIGGER ... AS or CALL runs Java code";
            }
            return null;
        }
        return null;
    }

    private static boolean copiesOutside(List<SqlTokens.Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            SqlTokens.Token token = tokens.get(i);
            if (token.isWord("PROGRAM")) {
                return true;
            }
            if ((token.isWord("FROM") || token.isWord("TO")) && i + 1 < tokens.size()) {
                SqlTokens.Token next = tokens.get(i + 1);
                if (!next.isWord("STDIN") && !next.isWord("STDOUT") && next.kind() != SqlTokens.Kind.WORD
                        && !next.isSymbol('(')) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasWord(List<SqlTokens.Token> words, String word) {
        return words.stream().anyMatch(w -> w.kind() == SqlTokens.Kind.WORD && w.text().equals(word));
    }

    private static Finding at(SqlTokens.Token token, int lineOffset, int columnOffset, String message) {
        return new Finding(token.line() + lineOffset, token.line() == 1 ? token.column() + columnOffset : token.column(),
                message + " and is not allowed in an init script");
    }
}
