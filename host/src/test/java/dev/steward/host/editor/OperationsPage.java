package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.util.List;

/**
 * The base of the operations screens' page objects (overview, runs, errors, systems): table rows
 * as text, the buttons a role sees, and whether anything makes the page scroll sideways.
 */
public class OperationsPage extends EditorPage {

    public OperationsPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    /** Buttons on the current screen whose text is one of these (for the role checks). */
    public List<String> buttons(String... texts) {
        List<String> wanted = List.of(texts);
        return driver.findElements(By.cssSelector("#main button")).stream().map(WebElement::getText)
                .filter(wanted::contains).toList();
    }

    /**
     * The elements of the screen that stick out past the window's right edge (so that the page
     * scrolls sideways at laptop width), as "tag#id.class right-edge"; empty when none does.
     */
    @SuppressWarnings("unchecked")
    public List<String> overflowing() {
        return (List<String>) script("""
                const limit = document.documentElement.clientWidth;
                return [...document.querySelectorAll('#main *')]
                  .filter((e) => e.getBoundingClientRect().right > limit + 1)
                  .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right));
                """);
    }

    /** The rows a CSS selector finds, each as its cells' text. */
    protected List<List<String>> rows(String css) {
        return driver.findElements(By.cssSelector(css)).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()).toList();
    }
}
