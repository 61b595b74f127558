package dev.steward.connector.dynamics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The shared vendor specifications ({@code shared/vendor-specs}) when a folder above the checkout holds them. */
final class VendorSpecs {

    private VendorSpecs() {
    }

    static Optional<Path> file(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("vendor-specs").resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
