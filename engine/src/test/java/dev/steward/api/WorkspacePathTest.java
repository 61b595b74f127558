package dev.steward.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkspacePathTest {

    @Test
    void eachEditableFileHasTheKindThatDecidesWhoSavesIt() {
        assertThat(WorkspacePath.of("flows/crm-customer.yaml").kind()).isEqualTo(WorkspacePath.Kind.AUTHORED);
        assertThat(WorkspacePath.of("rules/mastership.yaml").kind()).isEqualTo(WorkspacePath.Kind.AUTHORED);
        assertThat(WorkspacePath.of("rules/discounts.table.yaml").kind()).isEqualTo(WorkspacePath.Kind.AUTHORED);
        assertThat(WorkspacePath.of("rules/tests/mastership.yml").kind()).isEqualTo(WorkspacePath.Kind.AUTHORED);
        assertThat(WorkspacePath.of("rules/tests/mastership.yml").isScenario()).isTrue();
        assertThat(WorkspacePath.of("rules/customer-validation.drl").kind()).isEqualTo(WorkspacePath.Kind.CODE);
        assertThat(WorkspacePath.of("transforms/crm/normalize.js").kind()).isEqualTo(WorkspacePath.Kind.CODE);
        assertThat(WorkspacePath.of("systems/erp.yaml").kind()).isEqualTo(WorkspacePath.Kind.CODE);
        assertThat(WorkspacePath.of("steward.yaml").kind()).isEqualTo(WorkspacePath.Kind.SETTINGS);
    }

    @Test
    void everyOtherPathIsRefusedWithTheReason() {
        assertThatThrownBy(() -> WorkspacePath.of("flows/../steward.yaml")).hasMessageContaining("leaves its folder");
        assertThatThrownBy(() -> WorkspacePath.of("/etc/passwd")).hasMessageContaining("not a relative path");
        assertThatThrownBy(() -> WorkspacePath.of("flows\\x.yaml")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("C:/x.yaml")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("flows/.x.yaml")).hasMessageContaining("not hidden");
        assertThatThrownBy(() -> WorkspacePath.of("flows//x.yaml")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("flows/x.drl")).hasMessageContaining("not a file this API edits");
        assertThatThrownBy(() -> WorkspacePath.of("flows/sub/x.yaml")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("data/steward.mv.db")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("plugins/a.jar")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("rules/tests/x.drl")).isInstanceOf(PathNotEditableException.class);
        assertThatThrownBy(() -> WorkspacePath.of("flows/" + "x".repeat(300) + ".yaml")).hasMessageContaining("longer");
    }
}
