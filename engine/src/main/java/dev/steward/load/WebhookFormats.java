package dev.steward.load;

import dev.steward.plugin.WebhookFormat;

import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds the {@link WebhookFormat}s on a class path ({@code META-INF/services/dev.steward.plugin.WebhookFormat}),
 * as {@link dev.steward.run.Connectors#discover} finds connector factories. The first format of a
 * name wins.
 */
public final class WebhookFormats {

    private WebhookFormats() {
    }

    /** The formats this class loader sees, by {@link WebhookFormat#name()}. */
    public static Map<String, WebhookFormat> discover(ClassLoader loader) {
        Map<String, WebhookFormat> formats = new TreeMap<>();
        try {
            for (WebhookFormat format : ServiceLoader.load(WebhookFormat.class, loader)) {
                formats.putIfAbsent(format.name(), format);
            }
        } catch (ServiceConfigurationError e) {
            // A broken format must not keep the host from starting: flows that name it say it is unknown.
            System.getLogger(WebhookFormats.class.getName()).log(System.Logger.Level.WARNING,
                    "a webhook format could not be loaded: " + e.getMessage());
        }
        return java.util.Collections.unmodifiableMap(formats);
    }
}
