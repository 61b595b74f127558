package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;

/** A code screen (flows, DRL): type into the CodeMirror editor, read its diagnostics and markers, save. */
public class CodePage extends EditorPage {

    public CodePage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    public CodePage openFile(String screen, String file) {
        open(screen + "?file=" + file);
        waitFor(By.cssSelector("#code .cm-content"));
        return this;
    }

    @Override
    public CodePage open(String screenIdAndQuery) {
        String hash = "#/" + screenIdAndQuery;
        script("location.hash = arguments[0]", hash);
        String id = screenIdAndQuery.split("\\?")[0];
        waitFor(By.id("screen-" + id));
        awaitMounted();
        return this;
    }

    private WebElement content() {
        return driver.findElement(By.cssSelector("#code .cm-content"));
    }

    /** Moves to the end of the document and types there, as a person does. */
    public CodePage typeAtEnd(String text) {
        WebElement content = content();
        content.click();
        content.sendKeys(Keys.chord(Keys.CONTROL, Keys.END));
        content.sendKeys(text);
        return this;
    }

    /** Undoes the last edits (Ctrl+Z) until the text is back to {@code text}, at most 50 times. */
    public CodePage undoUntil(String text) {
        for (int i = 0; i < 50 && !text().equals(text); i++) {
            content().sendKeys(Keys.chord(Keys.CONTROL, "z"));
        }
        return this;
    }

    public String text() {
        return (String) script("return document.getElementById('code').codeEditor.getText()");
    }

    /** The problems under the editor once the host's check has answered, as "file:line:col: severity: message". */
    public List<String> problems() {
        return driver.findElements(By.cssSelector("#editor-problems li")).stream().map(WebElement::getText).toList();
    }

    /** Waits until an error is listed and its marker is drawn in the editor; answers the first error's line. */
    public int awaitErrorMarker() {
        return waitUntil(d -> {
            List<String> errors = problems().stream().filter(p -> p.contains(": error: ")).toList();
            if (errors.isEmpty() || d.findElements(By.cssSelector("#code .cm-lintRange-error")).isEmpty()) {
                return null;
            }
            return Integer.parseInt(errors.getFirst().split(":")[1]);
        }, Duration.ofSeconds(30));
    }

    /** The 1-based lines that carry an error marker in the editor. */
    @SuppressWarnings("unchecked")
    public List<Long> markedLines() {
        return (List<Long>) script("""
                const view = document.getElementById('code').codeEditor.view;
                return [...document.querySelectorAll('#code .cm-lintRange-error')]
                  .map((el) => view.state.doc.lineAt(view.posAtDOM(el)).number);
                """);
    }

    public void awaitNoErrors() {
        waitUntil(d -> problems().stream().noneMatch(p -> p.contains(": error: "))
                && d.findElements(By.cssSelector("#code .cm-lintRange-error")).isEmpty()
                && d.findElement(By.id("editor-status")).getText().contains("No errors") ? Boolean.TRUE : null, Duration.ofSeconds(30));
    }

    public boolean hasSaveButton() {
        return !driver.findElements(By.id("save")).isEmpty();
    }

    public String save() {
        driver.findElement(By.id("save")).click();
        return waitUntil(d -> {
            String status = d.findElement(By.id("editor-status")).getText();
            return status.startsWith("Saved;") || status.startsWith("Not saved") ? status : null;
        }, Duration.ofSeconds(30));
    }
}
