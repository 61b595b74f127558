package dev.steward.host.editor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The base of the browser tests: one real host over a copy of the example workspace and one
 * headless Chromium per test class, both started before the first test and stopped after the
 * last. Tests in a class share them, so a test that changes the workspace says so.
 */
public abstract class BrowserTest {

    @TempDir
    static Path temp;
    protected static EditorHost host;
    protected static Browser browser;

    @BeforeAll
    static void startHostAndBrowser() throws Exception {
        host = EditorHost.ofExample(temp);
        try {
            browser = Browser.start();
        } catch (RuntimeException | AssertionError e) {
            host.close();
            throw e;
        }
    }

    @AfterAll
    static void stopHostAndBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (host != null) {
            host.close();
        }
    }

    /** A page object on the shared browser. */
    protected EditorPage page() {
        return new EditorPage(host, browser);
    }
}
