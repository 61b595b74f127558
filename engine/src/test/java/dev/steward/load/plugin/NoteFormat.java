package dev.steward.load.plugin;

import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;

import java.util.List;
import java.util.Map;

/** A webhook format that PluginJarFormatsTest packs into a jar, as a third party would: only the SPI. */
public final class NoteFormat implements WebhookFormat {

    @Override
    public String name() {
        return "note";
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        return WebhookDelivery.of(List.of(new WebhookDelivery.Notification("n-1", Map.of("text", request.text()))));
    }
}
