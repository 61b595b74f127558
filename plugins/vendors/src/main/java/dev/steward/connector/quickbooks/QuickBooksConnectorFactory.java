package dev.steward.connector.quickbooks;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code connector: quickbooks}: a QuickBooks Online company through the Accounting API v3, with
 * OAuth 2.0 refresh tokens that rotate (kept in the system's secret store). Settings:
 * {@code realmId}, {@code clientId}, {@code clientSecret}, {@code refreshToken} (the first one),
 * optionally {@code environment} (production, sandbox), {@code baseUrl}, {@code tokenUrl},
 * {@code minorVersion}, {@code throttleWait} and the http connector's transport settings; per
 * entity {@code object}, {@code key}, {@code defaults} and {@code fields}. Stateless.
 */
public final class QuickBooksConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "quickbooks";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        QuickBooksSettings settings = QuickBooksSettings.read(config, problems);
        if (problems.stream().noneMatch(p -> p.path().equals("baseUrl"))) {
            problems.addAll(SystemHttp.validate(config, "baseUrl", settings.baseUrl()));
        }
        if (problems.stream().noneMatch(p -> p.path().equals("tokenUrl"))) {
            SystemHttp.validate(config, "tokenUrl", settings.tokenUrl().toString()).stream()
                    .filter(p -> p.path().equals("tokenUrl")).forEach(problems::add);
        }
        return problems;
    }

    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entities().containsKey(entity);
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        QuickBooksSettings settings = QuickBooksSettings.read(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: " + problems.getFirst().path()
                    + ": " + problems.getFirst().message());
        }
        SystemHttp http = SystemHttp.open(config, "baseUrl", settings.baseUrl());
        QuickBooksTokens tokens = new QuickBooksTokens(config.name(), settings, http, context.secrets(),
                context.clock(), context.logger());
        return new QuickBooksConnector(config.name(), settings, http, tokens);
    }
}
