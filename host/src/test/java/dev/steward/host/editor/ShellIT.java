package dev.steward.host.editor;

import dev.steward.host.access.Role;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import static org.assertj.core.api.Assertions.assertThat;

/** The editor's shell: sign-in, who is signed in, the navigation, the hash routes, sign-out. */
class ShellIT extends BrowserTest {

    @Test
    void theImportMapResolvesCodeMirrorAndTheFacadeMakesAnEditor() {
        EditorPage page = page().signIn(Role.AUTHOR);
        Object text = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/editor/lib/codeEditor.js').then((m) => {
                  const parent = document.createElement('div');
                  document.body.append(parent);
                  const editor = m.create(parent, {text: 'a: 1', language: 'yaml', label: 'probe'});
                  editor.setText('b: 2');
                  done(editor.getText() + '|' + parent.querySelectorAll('.cm-editor').length);
                }, (e) => done('failed: ' + e.message));
                """);
        assertThat(text).isEqualTo("b: 2|1");
    }

    @Test
    void aSignedInViewerSeesTheirNameRoleAndTheFlowsAndCanSignOut() {
        EditorPage page = page().signIn(Role.VIEWER);
        assertThat(page.signedInAs()).isEqualTo("viewer (viewer)");
        assertThat(page.navigation()).contains("Flows");

        page.open("flows");
        assertThat(page.present(By.id("flow-list")).getDomProperty("textContent")).contains("crm-customer").contains("/hooks/crm/customer");
        page.screenshot("flows-list");

        page.script("location.hash = '#/no-such-screen'");
        page.waitUntil(d -> d.findElement(By.id("main")).getText().contains("There is no screen"));

        page.signOut();
        page.waitFor(By.id("user"));
        browser.driver().get(host.url("/editor/#/flows"));
        page.waitUntil(d -> d.getCurrentUrl().contains("/login"));
        assertThat(browser.driver().getCurrentUrl()).contains("next=");
    }
}
